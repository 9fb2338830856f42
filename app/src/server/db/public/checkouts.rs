//! Checkouts (`public.checkouts`): a plan change waiting for the payment provider.
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

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

pub async fn insert(pool: &PgPool, c: &NewCheckout<'_>) -> Result<(), sqlx::Error> {
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

/// A checkout with what its page and the webhook need of its tenant and plan.
#[derive(sqlx::FromRow)]
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

pub async fn find(
    conn: &mut PgConnection,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<CheckoutRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.tenant_id, t.slug AS tenant_slug, t.name AS company_name, c.plan_id, p.name AS plan_name, \
         p.monthly_price_cents, c.provider_ref, c.success_url, c.cancel_url, c.status \
         FROM public.checkouts c JOIN public.tenants t ON t.id = c.tenant_id JOIN public.plans p ON p.id = c.plan_id \
         WHERE c.provider = $1 AND c.provider_ref = $2",
    )
    .bind(provider)
    .bind(provider_ref)
    .fetch_optional(conn)
    .await
}

pub async fn set_status(conn: &mut PgConnection, id: Uuid, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.checkouts SET status = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}
