//! Role checks: `attendant < supervisor < manager < owner`.
use crate::{error::AppError, model::Role, server::tenancy::context::TenantContext};

pub fn require(ctx: &TenantContext, minimum: Role) -> Result<(), AppError> {
    if ctx.user.role >= minimum {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether `actor` may give someone the role `role`: never above their own, and `owner` only by an owner.
pub fn may_grant(actor: Role, role: Role) -> bool {
    role <= actor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_grants_above_their_own_role() {
        assert!(may_grant(Role::Owner, Role::Owner));
        assert!(may_grant(Role::Manager, Role::Manager));
        assert!(!may_grant(Role::Manager, Role::Owner));
        assert!(!may_grant(Role::Supervisor, Role::Manager));
    }
}
