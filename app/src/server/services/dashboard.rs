//! What the dashboard shows one person: managers and owners a first-run checklist (invite the
//! team, create a department, choose a plan, brand the company) that disappears once done, and
//! the trial's days left; everyone their departments.
use time::OffsetDateTime;

use crate::{
    error::AppError,
    model::{DashboardDto, Role, SubscriptionStatus},
    server::{
        db::tenant::{company, departments},
        tenancy::context::TenantContext,
    },
};

pub async fn dashboard(ctx: &TenantContext) -> Result<DashboardDto, AppError> {
    let departments = departments::of_user(&ctx.db, ctx.user.id).await?;
    let trial_days_left = match (ctx.tenant.status, ctx.tenant.trial_ends_at) {
        (SubscriptionStatus::Trialing, Some(end)) => {
            // Days begun count: a trial ending in 13 days and 5 hours has 14 days left.
            Some(((end - OffsetDateTime::now_utc()).whole_seconds().max(0) + 86_399) / 86_400)
        }
        _ => None,
    };
    let mut checklist = Vec::new();
    if ctx.user.role >= Role::Manager {
        let facts = company::onboarding(&ctx.db).await?;
        checklist = vec![
            ("invite".to_string(), facts.users > 1 || facts.invitations > 0),
            ("department".to_string(), facts.departments > 0),
            ("plan".to_string(), ctx.tenant.status == SubscriptionStatus::Active),
            ("branding".to_string(), facts.branded),
        ];
        if checklist.iter().all(|(_, done)| *done) {
            checklist.clear();
        }
    }
    Ok(DashboardDto { checklist, trial_days_left, departments })
}
