//! Plans, the workspace's subscription overview and charges, and the rules changes share.
//! Starting and changing the subscription is `subscription`; the provider's events move it in
//! `webhook`; `reconcile` asks the provider when events may have been lost.
pub mod period;
pub mod reconcile;
pub mod subscription;
pub mod webhook;

use std::collections::HashMap;

use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::{
    error::{AppError, Excess},
    model::{BillingDto, ChargeDto, Page, PageMeta, PlanDto, Role, SubscriptionStatus, UsageDto},
    server::{
        db::{
            public::{
                charges::{self, ChargeRow},
                plans, tenants,
            },
            tenant::company,
        },
        error::internal,
        services::{authz, listing},
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
    let row = tenants::billing(&core.pool, ctx.tenant.id).await?.ok_or(AppError::NotFound)?;
    let plan = plans::find(&core.pool, &row.plan_id).await?.ok_or_else(|| internal("billing", "plan missing"))?;
    let (active_users, active_departments) = company::usage(&ctx.db).await?;
    let open = charges::open(&core.pool, ctx.tenant.id).await?;
    let next = open.first();
    let live = row.subscription_id.is_some() && row.status != SubscriptionStatus::Canceled;
    let next_cycle = period::next_cycle_date(&row).filter(|_| live);
    let grace = time::Duration::days(core.settings.billing_grace_days);
    let writable_until = match row.status {
        SubscriptionStatus::Trialing => row.trial_ends_at,
        SubscriptionStatus::Active | SubscriptionStatus::PastDue => row.current_period_end.map(|end| end + grace),
        SubscriptionStatus::Canceled => row.current_period_end,
    };
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
        cycle: row.billing_cycle,
        billing_type: row.billing_type,
        price_cents: row.subscription_value_cents.filter(|_| live),
        next_charge_date: next.map(|c| c.due_date.to_string()).or_else(|| next_cycle.map(|d| d.to_string())),
        next_charge_cents: next
            .map(|c| c.expected_cents)
            .or_else(|| row.subscription_value_cents.filter(|_| next_cycle.is_some())),
        payment_url: next.and_then(|c| c.invoice_url.clone()),
        scheduled_plan: row.scheduled_plan_id,
        writable_until: rfc3339(writable_until),
        canceled_at: rfc3339(row.canceled_at),
    })
}

pub fn charge_dto(row: ChargeRow) -> ChargeDto {
    ChargeDto {
        id: row.id,
        kind: row.kind,
        description: row.description,
        due_date: row.due_date.to_string(),
        value_cents: row.value_cents.filter(|_| !row.value_mismatch).unwrap_or(row.expected_cents),
        status: row.status,
        billing_type: row.billing_type,
        paid_at: rfc3339(row.paid_at),
        invoice_url: row.invoice_url,
        bank_slip_url: row.bank_slip_url,
        receipt_url: row.receipt_url,
        value_mismatch: row.value_mismatch,
        nfse_status: row.nfse_status,
        nfse_url: row.nfse_url,
    }
}

/// `GET /api/v1/billing/charges?page=&page_size=` (manager and above): newest due date first.
pub async fn charges(
    core: &Core,
    ctx: &TenantContext,
    params: &HashMap<String, String>,
) -> Result<Page<ChargeDto>, AppError> {
    authz::require(ctx, Role::Manager)?;
    let q = listing::Query::new(params);
    let paging = q.paging.clone();
    q.finish()?;
    let rows = charges::page(&core.pool, ctx.tenant.id, paging.size, paging.offset()).await?;
    let total = charges::count(&core.pool, ctx.tenant.id).await?;
    Ok(Page {
        data: rows.into_iter().map(charge_dto).collect(),
        meta: PageMeta::new(Some(paging.page), paging.size, total),
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
