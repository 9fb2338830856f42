//! The plan's limits, checked where data changes. Callers hold the tenant's write lock
//! (`db::company::lock`) so the count they check cannot change before they commit.
use uuid::Uuid;

use crate::{
    error::AppError,
    server::{
        db::{
            public::plans,
            tenant::{departments, users},
        },
        tenancy::db::TenantTx,
    },
};

#[derive(Debug, Clone, Copy)]
pub enum Resource {
    /// Active users.
    Users,
    /// Active departments.
    Departments,
}

/// Refuses with `plan_limit_reached` when one more `resource` would exceed the plan.
pub async fn ensure_room(tx: &mut TenantTx, tenant_id: Uuid, resource: Resource) -> Result<(), AppError> {
    let limits = plans::limits_of(tx.conn(), tenant_id).await?;
    let (max, name) = match resource {
        Resource::Users => (limits.max_users, "users"),
        Resource::Departments => (limits.max_departments, "departments"),
    };
    let Some(max) = max else { return Ok(()) };
    let used = match resource {
        Resource::Users => users::count_active(tx).await?,
        Resource::Departments => departments::count_active(tx).await?,
    };
    if used >= i64::from(max) {
        return Err(AppError::PlanLimit { resource: name.into(), limit: max.into() });
    }
    Ok(())
}
