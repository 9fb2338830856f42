//! Plans, checkouts and the subscription's life: `trialing → active → past_due → canceled` (and
//! back to active when paid), moved only by the payment provider's webhook events.
use sqlx::PgPool;
use subtle::ConstantTimeEq;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use crate::{
    error::{AppError, Excess},
    model::{BillingDto, CheckoutDto, CheckoutView, PlanDto, Role, UsageDto},
    server::{
        db::{self, billing::NewCheckout},
        error::internal,
        payments::{local::checkout_path, CheckoutRequest},
        services::authz,
        tenant::{Slug, Tenant, TenantContext},
        AppState,
    },
};

pub async fn plans(state: &AppState) -> Result<Vec<PlanDto>, AppError> {
    Ok(db::plans::all(&state.pool).await?)
}

fn rfc3339(t: Option<OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&Rfc3339).ok())
}

/// `GET /api/v1/billing/plan` (manager and above).
pub async fn overview(state: &AppState, ctx: &TenantContext) -> Result<BillingDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    let row = db::billing::get(&state.pool, ctx.tenant.id).await?.ok_or(AppError::NotFound)?;
    let plan = db::plans::find(&state.pool, &row.plan_id).await?.ok_or_else(|| internal("billing", "plan missing"))?;
    let (active_users, active_departments) = db::billing::usage(&ctx.db).await?;
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
async fn excess(ctx_db: &crate::server::tenant::TenantDb, plan: &PlanDto) -> Result<Vec<Excess>, AppError> {
    let (users, departments) = db::billing::usage(ctx_db).await?;
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

pub struct CheckoutInput {
    pub plan: Option<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
}

/// Starts a checkout for `tenant` to pay `plan`; the plan changes only when the provider confirms
/// the payment. `email` is the buyer's (the company's contact for the provider).
async fn start_checkout(
    state: &AppState,
    tenant: &Tenant,
    email: &str,
    input: CheckoutInput,
) -> Result<CheckoutDto, AppError> {
    let mut fields = crate::error::FieldErrors::new();
    let mut need = |field: &str, message: &str| fields.entry(field.into()).or_default().push(message.into());
    let plan = match input.plan.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => {
            need("plan", "can't be blank");
            None
        }
        Some(id) => match db::plans::find(&state.pool, id).await? {
            None => {
                need("plan", "is not a plan");
                None
            }
            Some(plan) => Some(plan),
        },
    };
    let mut urls = Vec::new();
    for (field, value) in [("success_url", &input.success_url), ("cancel_url", &input.cancel_url)] {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => need(field, "can't be blank"),
            Some(v) => match own_url(&state.settings.public_url, v) {
                Some(url) => urls.push(url),
                None => need(field, "must be an address of this application"),
            },
        }
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let plan = plan.expect("validated");
    let (success_url, cancel_url) = (urls[0].clone(), urls[1].clone());
    if !plan.self_service() {
        return Err(AppError::Unprocessable {
            detail: format!("The {} plan is sold by our sales team: contact sales", plan.name),
            code: "contact_sales".into(),
        });
    }
    let billing = db::billing::get(&state.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    if billing.status == "active" && billing.plan_id == plan.id {
        return Err(AppError::Conflict {
            detail: format!("The subscription is already on the {} plan", plan.name),
            code: "already_on_plan".into(),
        });
    }
    let exceeds = excess(&tenant.db(&state.pool), &plan).await?;
    if !exceeds.is_empty() {
        return Err(AppError::DowngradeExceeds { plan: plan.name.clone(), exceeds });
    }
    let checkout_id = Uuid::new_v4();
    let request = CheckoutRequest {
        checkout_id,
        tenant_id: tenant.id,
        company_name: &tenant.name,
        document: billing.document.as_deref(),
        email,
        customer_id: billing.payment_customer_id.as_deref(),
        plan: &plan,
        success_url: &success_url,
        cancel_url: &cancel_url,
    };
    let created = state.payments.create_checkout(&request).await.map_err(|e| internal("payment provider", e))?;
    if let Some(customer_id) = created.customer_id.as_deref() {
        if billing.payment_customer_id.as_deref() != Some(customer_id) {
            db::billing::set_customer_id(&state.pool, tenant.id, customer_id).await?;
        }
    }
    db::billing::insert_checkout(
        &state.pool,
        &NewCheckout {
            id: checkout_id,
            tenant_id: tenant.id,
            plan_id: &plan.id,
            provider: state.payments.name(),
            provider_ref: &created.provider_ref,
            url: &created.url,
            success_url: &success_url,
            cancel_url: &cancel_url,
        },
    )
    .await?;
    Ok(CheckoutDto { checkout_id, checkout_url: created.url })
}

/// A signed-in manager (or owner) changes the plan: `POST /api/v1/billing/checkout` and the
/// billing page. Allowed while past due: paying is how a tenant gets its writes back.
pub async fn checkout_for(
    state: &AppState,
    ctx: &TenantContext,
    input: CheckoutInput,
) -> Result<CheckoutDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    start_checkout(state, &ctx.tenant, &ctx.user.email, input).await
}

/// `POST /api/signup/checkout {tenant, ...}`: the last step of a signup, public like the rest of
/// it. Only a workspace still in its trial can be checked out this way; a paying one changes its
/// plan from the billing page, signed in.
pub async fn signup_checkout(
    state: &AppState,
    tenant: Option<String>,
    input: CheckoutInput,
) -> Result<CheckoutDto, AppError> {
    let slug = tenant
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::field("tenant", "can't be blank"))?;
    let slug = Slug::parse(slug).map_err(|_| AppError::NotFound)?;
    let tenant = state.tenants.get(&slug).await?.ok_or(AppError::NotFound)?;
    let billing = db::billing::get(&state.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    if billing.status != "trialing" {
        return Err(AppError::Conflict {
            detail: "This workspace already has a subscription: change it from the billing page".into(),
            code: "subscription_exists".into(),
        });
    }
    let email = db::billing::owner_email(&tenant.db(&state.pool)).await?.unwrap_or_default();
    start_checkout(state, &tenant, &email, input).await
}

/// How the webhook endpoint answered an event (all are 200 to the provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Applied,
    Duplicate,
    Ignored,
}

/// `POST /api/webhooks/asaas`: authenticates the token, records the event by id (a replay is
/// processed once) and moves the subscription. The event row and the tenant change commit
/// together, so a failure leaves nothing recorded and the provider's retry is processed anew.
pub async fn receive_webhook(state: &AppState, token: Option<&[u8]>, body: &[u8]) -> Result<WebhookOutcome, AppError> {
    let expected = state.settings.payments.webhook_token.as_bytes();
    let given = token.unwrap_or_default();
    if expected.is_empty() || !bool::from(given.ct_eq(expected)) {
        return Err(AppError::unauthorized("Invalid webhook token"));
    }
    let payload: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| AppError::BadRequest { detail: "Malformed JSON in request body".into() })?;
    let id = payload.get("id").and_then(|v| v.as_str()).filter(|s| !s.is_empty() && s.len() <= 200);
    let event = payload.get("event").and_then(|v| v.as_str()).filter(|s| !s.is_empty() && s.len() <= 100);
    let (Some(id), Some(event)) = (id, event) else {
        return Err(AppError::BadRequest { detail: "An event needs an id and an event name".into() });
    };
    let mut tx = state.pool.begin().await?;
    if !db::billing::record_event(&mut tx, id, event, &payload).await? {
        return Ok(WebhookOutcome::Duplicate);
    }
    let (tenant, outcome) = apply_event(&mut tx, event, &payload).await?;
    db::billing::finish_event(&mut tx, id, tenant.as_ref().map(|(id, _)| *id), outcome).await?;
    tx.commit().await?;
    if let Some((_, slug)) = &tenant {
        if let Ok(slug) = Slug::parse(slug) {
            state.tenants.evict(&slug);
        }
    }
    if outcome == "ignored" {
        tracing::info!(event, id, "payment event acknowledged without effect");
        return Ok(WebhookOutcome::Ignored);
    }
    tracing::info!(event, id, outcome, "payment event applied");
    Ok(WebhookOutcome::Applied)
}

fn str_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, key| v.get(key))?.as_str().filter(|s| !s.is_empty())
}

/// The date a paid period starts: the payment's due date when given, else now.
fn period_start(payment: &serde_json::Value) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    str_at(payment, &["dueDate"]).and_then(parse_date).map(|d| d.midnight().assume_utc()).unwrap_or(now)
}

/// `yyyy-MM-dd` (what Asaas sends for due dates since 2026); other shapes are ignored.
fn parse_date(s: &str) -> Option<time::Date> {
    let mut parts = s.get(..10)?.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, month, day).ok()
}

/// Applies one event; returns the tenant it concerned (id, slug) and what was done.
async fn apply_event(
    tx: &mut sqlx::PgConnection,
    event: &str,
    payload: &serde_json::Value,
) -> Result<(Option<(Uuid, String)>, &'static str), AppError> {
    let null = serde_json::Value::Null;
    match event {
        "CHECKOUT_PAID" | "CHECKOUT_CANCELED" | "CHECKOUT_EXPIRED" => {
            let checkout = payload.get("checkout").unwrap_or(&null);
            let Some(reference) = str_at(checkout, &["id"]) else { return Ok((None, "ignored")) };
            let Some(row) = find_checkout_any(tx, reference).await? else { return Ok((None, "ignored")) };
            let tenant = Some((row.tenant_id, row.tenant_slug.clone()));
            match event {
                "CHECKOUT_PAID" => {
                    db::billing::set_checkout_status(tx, row.id, "paid").await?;
                    db::billing::activate(
                        tx,
                        row.tenant_id,
                        Some(&row.plan_id),
                        str_at(checkout, &["subscription", "id"]),
                        OffsetDateTime::now_utc(),
                    )
                    .await?;
                    Ok((tenant, "activated"))
                }
                "CHECKOUT_CANCELED" => {
                    db::billing::set_checkout_status(tx, row.id, "canceled").await?;
                    Ok((tenant, "checkout_canceled"))
                }
                _ => {
                    db::billing::set_checkout_status(tx, row.id, "expired").await?;
                    Ok((tenant, "checkout_expired"))
                }
            }
        }
        "PAYMENT_CONFIRMED" | "PAYMENT_RECEIVED" | "PAYMENT_OVERDUE" => {
            let payment = payload.get("payment").unwrap_or(&null);
            let checkout = match str_at(payment, &["checkoutSession"]) {
                Some(reference) => find_checkout_any(tx, reference).await?,
                None => None,
            };
            let subscription = str_at(payment, &["subscription"]);
            let found = db::billing::find_tenant_for_event(
                tx,
                checkout.as_ref().map(|c| c.tenant_id).or_else(|| uuid_at(payment, "externalReference")),
                subscription,
                str_at(payment, &["customer"]),
            )
            .await?;
            let Some((tenant_id, slug, status)) = found else { return Ok((None, "ignored")) };
            let tenant = Some((tenant_id, slug));
            if event == "PAYMENT_OVERDUE" {
                if status == "canceled" {
                    return Ok((tenant, "ignored"));
                }
                db::billing::set_status(tx, tenant_id, "past_due").await?;
                return Ok((tenant, "past_due"));
            }
            // A payment of a checkout we hold applies that checkout's plan (the CHECKOUT_PAID
            // event may come later or not at all).
            let plan = checkout.as_ref().map(|c| c.plan_id.as_str());
            db::billing::activate(tx, tenant_id, plan, subscription, period_start(payment)).await?;
            Ok((tenant, "activated"))
        }
        "SUBSCRIPTION_DELETED" | "SUBSCRIPTION_INACTIVATED" => {
            let subscription = payload.get("subscription").unwrap_or(&null);
            let checkout = match str_at(subscription, &["checkoutSession"]) {
                Some(reference) => find_checkout_any(tx, reference).await?,
                None => None,
            };
            let found = db::billing::find_tenant_for_event(
                tx,
                checkout.as_ref().map(|c| c.tenant_id).or_else(|| uuid_at(subscription, "externalReference")),
                str_at(subscription, &["id"]),
                str_at(subscription, &["customer"]),
            )
            .await?;
            let Some((tenant_id, slug, _)) = found else { return Ok((None, "ignored")) };
            db::billing::set_status(tx, tenant_id, "canceled").await?;
            Ok((Some((tenant_id, slug)), "canceled"))
        }
        _ => Ok((None, "ignored")),
    }
}

fn uuid_at(v: &serde_json::Value, key: &str) -> Option<Uuid> {
    str_at(v, &[key]).and_then(|s| s.parse().ok())
}

/// Checkouts are looked up by the provider's reference under either provider: the local page
/// and Asaas produce the same events.
async fn find_checkout_any(
    tx: &mut sqlx::PgConnection,
    reference: &str,
) -> Result<Option<db::billing::CheckoutRow>, AppError> {
    for provider in ["asaas", "local"] {
        if let Some(row) = db::billing::find_checkout(tx, provider, reference).await? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

// --- The local provider's checkout page -------------------------------------------------------

fn local_only(state: &AppState) -> Result<(), AppError> {
    if state.payments.name() == "local" && !state.settings.production {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn local_checkout(pool: &PgPool, reference: &str) -> Result<db::billing::CheckoutRow, AppError> {
    let mut conn = pool.acquire().await?;
    db::billing::find_checkout(&mut conn, "local", reference).await?.ok_or(AppError::NotFound)
}

pub async fn local_checkout_view(state: &AppState, reference: &str) -> Result<CheckoutView, AppError> {
    local_only(state)?;
    let row = local_checkout(&state.pool, reference).await?;
    Ok(CheckoutView {
        company_name: row.company_name,
        plan_name: row.plan_name,
        monthly_price_cents: row.monthly_price_cents,
        status: row.status,
    })
}

/// The developer clicked "pay" or "cancel" on the local checkout page: deliver the events Asaas
/// would send, through the webhook handler with the configured token, and answer where the
/// buyer goes next (the checkout's success or cancel URL).
pub async fn local_checkout_finish(state: &AppState, reference: &str, pay: bool) -> Result<String, AppError> {
    local_only(state)?;
    let row = local_checkout(&state.pool, reference).await?;
    if row.status != "pending" {
        return Err(AppError::Conflict {
            detail: "This checkout is already closed".into(),
            code: "checkout_closed".into(),
        });
    }
    let token = state.settings.payments.webhook_token.clone();
    let now = OffsetDateTime::now_utc();
    let today = now.date().to_string();
    let created = format!("{today} {:02}:{:02}:{:02}", now.hour(), now.minute(), now.second());
    let billing = db::billing::get(&state.pool, row.tenant_id).await?.ok_or(AppError::NotFound)?;
    let customer = billing.payment_customer_id.unwrap_or_default();
    let subscription = format!("sub_local_{}", row.id.simple());
    let status = if pay { "PAID" } else { "CANCELED" };
    let checkout_event = serde_json::json!({
        "id": format!("evt_local_{}", Uuid::new_v4().simple()),
        "event": format!("CHECKOUT_{status}"),
        "dateCreated": created,
        "checkout": {
            "id": row.provider_ref, "link": null, "status": status, "minutesToExpire": 60,
            "billingTypes": ["CREDIT_CARD"], "chargeTypes": ["RECURRENT"],
            "callback": { "successUrl": row.success_url, "cancelUrl": row.cancel_url, "expiredUrl": row.cancel_url },
            "subscription": { "cycle": "MONTHLY", "nextDueDate": today },
            "customer": customer, "externalReference": row.tenant_id.to_string(),
        },
    });
    let body = serde_json::to_vec(&checkout_event).map_err(|e| internal("local checkout", e))?;
    receive_webhook(state, Some(token.as_bytes()), &body).await?;
    if !pay {
        return Ok(row.cancel_url);
    }
    let value = f64::from(row.monthly_price_cents.unwrap_or_default()) / 100.0;
    let payment_event = serde_json::json!({
        "id": format!("evt_local_{}", Uuid::new_v4().simple()),
        "event": "PAYMENT_CONFIRMED",
        "dateCreated": created,
        "payment": {
            "object": "payment", "id": format!("pay_local_{}", Uuid::new_v4().simple()), "dateCreated": today,
            "customer": customer, "subscription": subscription, "checkoutSession": row.provider_ref,
            "value": value, "billingType": "CREDIT_CARD", "status": "CONFIRMED", "dueDate": today,
            "externalReference": null,
        },
    });
    let body = serde_json::to_vec(&payment_event).map_err(|e| internal("local checkout", e))?;
    receive_webhook(state, Some(token.as_bytes()), &body).await?;
    Ok(row.success_url)
}

/// Paths of local checkout pages, for the tenant middleware's list of public pages.
pub fn is_local_checkout_path(path: &str) -> bool {
    path.strip_prefix(&checkout_path("")).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
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
