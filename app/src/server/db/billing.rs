//! Subscriptions on the shared registry: the tenant's billing columns, checkouts and the
//! payment provider's events. Status changes happen only here, inside the webhook's transaction.
use sqlx::{PgConnection, PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenant::TenantDb;

pub struct BillingRow {
    pub plan_id: String,
    pub status: String,
    pub trial_ends_at: Option<OffsetDateTime>,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub payment_customer_id: Option<String>,
    pub document: Option<String>,
}

pub async fn get(pool: &PgPool, tenant_id: Uuid) -> Result<Option<BillingRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT plan_id, status, trial_ends_at, current_period_start, current_period_end, payment_customer_id, \
         document FROM public.tenants WHERE id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(BillingRow {
            plan_id: row.try_get("plan_id")?,
            status: row.try_get("status")?,
            trial_ends_at: row.try_get("trial_ends_at")?,
            current_period_start: row.try_get("current_period_start")?,
            current_period_end: row.try_get("current_period_end")?,
            payment_customer_id: row.try_get("payment_customer_id")?,
            document: row.try_get("document")?,
        })
    })
    .transpose()
}

/// Active users and departments, read in one statement.
pub async fn usage(db: &TenantDb) -> Result<(i64, i64), sqlx::Error> {
    let sql = db.sql(
        "SELECT (SELECT count(*) FROM {t}.users WHERE active), (SELECT count(*) FROM {t}.departments WHERE active)",
    );
    let row = sqlx::query(&sql).fetch_one(db.executor()).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

pub async fn set_customer_id(pool: &PgPool, tenant_id: Uuid, customer_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET payment_customer_id = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(customer_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub struct NewCheckout<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub plan_id: &'a str,
    pub provider: &'a str,
    pub provider_ref: &'a str,
    pub url: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

pub async fn insert_checkout(pool: &PgPool, c: &NewCheckout<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO public.checkouts (id, tenant_id, plan_id, provider, provider_ref, url, success_url, cancel_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(c.id)
    .bind(c.tenant_id)
    .bind(c.plan_id)
    .bind(c.provider)
    .bind(c.provider_ref)
    .bind(c.url)
    .bind(c.success_url)
    .bind(c.cancel_url)
    .execute(pool)
    .await?;
    Ok(())
}

pub struct CheckoutRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_slug: String,
    pub company_name: String,
    pub plan_id: String,
    pub plan_name: String,
    pub monthly_price_cents: Option<i32>,
    pub provider_ref: String,
    pub success_url: String,
    pub cancel_url: String,
    pub status: String,
}

const CHECKOUT_SELECT: &str =
    "SELECT c.id, c.tenant_id, t.slug, t.name AS company_name, c.plan_id, p.name AS plan_name, \
     p.monthly_price_cents, c.provider_ref, c.success_url, c.cancel_url, c.status \
     FROM public.checkouts c JOIN public.tenants t ON t.id = c.tenant_id JOIN public.plans p ON p.id = c.plan_id";

fn checkout_from_row(row: sqlx::postgres::PgRow) -> Result<CheckoutRow, sqlx::Error> {
    Ok(CheckoutRow {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        tenant_slug: row.try_get("slug")?,
        company_name: row.try_get("company_name")?,
        plan_id: row.try_get("plan_id")?,
        plan_name: row.try_get("plan_name")?,
        monthly_price_cents: row.try_get("monthly_price_cents")?,
        provider_ref: row.try_get("provider_ref")?,
        success_url: row.try_get("success_url")?,
        cancel_url: row.try_get("cancel_url")?,
        status: row.try_get("status")?,
    })
}

pub async fn find_checkout(
    conn: &mut PgConnection,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<CheckoutRow>, sqlx::Error> {
    sqlx::query(&format!("{CHECKOUT_SELECT} WHERE c.provider = $1 AND c.provider_ref = $2"))
        .bind(provider)
        .bind(provider_ref)
        .fetch_optional(conn)
        .await?
        .map(checkout_from_row)
        .transpose()
}

pub async fn set_checkout_status(conn: &mut PgConnection, id: Uuid, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.checkouts SET status = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an event by the provider's id. `false` when it was already recorded (a replay).
pub async fn record_event(
    conn: &mut PgConnection,
    id: &str,
    event: &str,
    payload: &serde_json::Value,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO public.payment_events (id, event, payload, outcome) VALUES ($1, $2, $3, 'received') \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(event)
    .bind(payload)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn finish_event(
    conn: &mut PgConnection,
    id: &str,
    tenant_id: Option<Uuid>,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.payment_events SET tenant_id = $2, outcome = $3 WHERE id = $1")
        .bind(id)
        .bind(tenant_id)
        .bind(outcome)
        .execute(conn)
        .await?;
    Ok(())
}

/// The tenant a payment or subscription event is about: by our id in `externalReference`, else
/// by the provider's subscription or customer id. Locked until the transaction ends.
pub async fn find_tenant_for_event(
    conn: &mut PgConnection,
    external_reference: Option<Uuid>,
    subscription_id: Option<&str>,
    customer_id: Option<&str>,
) -> Result<Option<(Uuid, String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, slug, status FROM public.tenants \
         WHERE id = $1 OR (subscription_id IS NOT NULL AND subscription_id = $2) \
            OR (payment_customer_id IS NOT NULL AND payment_customer_id = $3) \
         ORDER BY (id = $1) DESC NULLS LAST LIMIT 1 FOR UPDATE",
    )
    .bind(external_reference)
    .bind(subscription_id)
    .bind(customer_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("slug")?, r.try_get("status")?))).transpose()
}

/// The subscription is paid: the plan (when a checkout names one) takes effect for a month from
/// `period_start`.
pub async fn activate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    plan_id: Option<&str>,
    subscription_id: Option<&str>,
    period_start: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET status = 'active', plan_id = COALESCE($2, plan_id), \
         subscription_id = COALESCE($3, subscription_id), current_period_start = $4, \
         current_period_end = $4 + interval '1 month', updated_at = now() WHERE id = $1",
    )
    .bind(tenant_id)
    .bind(plan_id)
    .bind(subscription_id)
    .bind(period_start)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_status(conn: &mut PgConnection, tenant_id: Uuid, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET status = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// The address the payment provider gets for a company: its first owner's.
pub async fn owner_email(db: &TenantDb) -> Result<Option<String>, sqlx::Error> {
    let sql = db.sql("SELECT email FROM {t}.users WHERE role = 'owner' AND active ORDER BY inserted_at LIMIT 1");
    sqlx::query_scalar(&sql).fetch_optional(db.executor()).await
}
