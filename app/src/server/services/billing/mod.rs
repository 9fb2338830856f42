//! Plans, the tenant's subscription overview, and the rules checkouts share. Starting a
//! checkout is `checkout`; the provider's events move the subscription in `webhook`.
pub mod checkout;
pub mod webhook;

use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::{
    error::{AppError, Excess},
    model::{BillingDto, PlanDto, Role, UsageDto},
    server::{
        db::{
            public::{plans, tenants},
            tenant::company,
        },
        error::internal,
        services::authz,
        state::Core,
        tenancy::{context::TenantContext, db::TenantDb},
    },
};

pub async fn plans(core: &Core) -> Result<Vec<PlanDto>, AppError> {
    Ok(plans::all(&core.pool).await?)
}

fn rfc3339(t: Option<OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&Rfc3339).ok())
}

/// `GET /api/v1/billing/plan` (manager and above).
pub async fn overview(core: &Core, ctx: &TenantContext) -> Result<BillingDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    let row = tenants::subscription(&core.pool, ctx.tenant.id).await?.ok_or(AppError::NotFound)?;
    let plan = plans::find(&core.pool, &row.plan_id).await?.ok_or_else(|| internal("billing", "plan missing"))?;
    let (active_users, active_departments) = company::usage(&ctx.db).await?;
    Ok(BillingDto {
        plan: plan.id,
        plan_name: plan.name,
        writable: ctx.tenant.accepts_writes(),
        status: row.status,
        trial_ends_at: rfc3339(row.trial_ends_at),
        current_period_start: rfc3339(row.current_period_start),
        current_period_end: rfc3339(row.current_period_end),
        limits: plan.limits,
        features: plan.features,
        usage: UsageDto { active_users, active_departments },
    })
}

/// A checkout redirect must come back to this app: an absolute URL on the configured origin, or
/// a path on it. Anything else (another host, `//host`, `javascript:`, `user@host` tricks) is
/// refused so the payment page cannot be used as an open redirect.
pub fn own_url(public_url: &str, candidate: &str) -> Option<String> {
    let origin = public_url.trim_end_matches('/');
    if candidate.is_empty()
        || candidate.len() > 2000
        || candidate.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    if let Some(path) = candidate.strip_prefix('/') {
        if path.starts_with('/') {
            return None;
        }
        return Some(format!("{origin}{candidate}"));
    }
    let rest = candidate.strip_prefix(origin)?;
    match rest.chars().next() {
        None => Some(format!("{origin}/")),
        Some('/') if !rest.starts_with("//") => Some(candidate.to_string()),
        Some('?' | '#') => Some(candidate.to_string()),
        _ => None,
    }
}

/// What exceeds `plan` in the tenant's current usage (empty when it fits).
pub async fn excess(db: &TenantDb, plan: &PlanDto) -> Result<Vec<Excess>, AppError> {
    let (users, departments) = company::usage(db).await?;
    let mut exceeds = Vec::new();
    for (resource, used, limit) in
        [("users", users, plan.limits.users), ("departments", departments, plan.limits.departments)]
    {
        if let Some(limit) = limit {
            if used > i64::from(limit) {
                exceeds.push(Excess { resource: resource.into(), used, limit: limit.into() });
            }
        }
    }
    Ok(exceeds)
}

#[cfg(test)]
mod tests {
    use super::own_url;

    #[test]
    fn redirects_stay_on_the_app() {
        let app = "http://127.0.0.1:3000";
        assert_eq!(own_url(app, "/billing?x=1").as_deref(), Some("http://127.0.0.1:3000/billing?x=1"));
        assert_eq!(own_url(app, "http://127.0.0.1:3000/").as_deref(), Some("http://127.0.0.1:3000/"));
        assert_eq!(own_url(app, "http://127.0.0.1:3000").as_deref(), Some("http://127.0.0.1:3000/"));
        assert_eq!(own_url(app, "http://127.0.0.1:3000?a=b").as_deref(), Some("http://127.0.0.1:3000?a=b"));
        for bad in [
            "//evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "https://evil.example/",
            "http://127.0.0.1:3000.evil.example/",
            "http://127.0.0.1:3000@evil.example/",
            "http://127.0.0.1:30000/",
            "http://127.0.0.1:3000//evil.example",
            "https://127.0.0.1:3000/",
            "data:text/html,hi",
            "/ok\nLocation: x",
            "",
        ] {
            assert_eq!(own_url(app, bad), None, "{bad}");
        }
    }
}
