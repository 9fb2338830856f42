//! Charges (`public.charges`): every payment of a workspace's subscription and its one-off
//! upgrade charges, by the provider's payment id. Written by the billing services only.
use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::model::{BillingCycle, BillingType, ChargeStatus};

pub struct NewCharge<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub provider: &'a str,
    pub provider_ref: &'a str,
    pub subscription_id: Option<&'a str>,
    /// `subscription` or `upgrade`.
    pub kind: &'a str,
    pub plan_id: Option<&'a str>,
    pub from_plan_id: Option<&'a str>,
    pub cycle: BillingCycle,
    pub description: &'a str,
    pub expected_cents: i32,
    pub billing_type: &'a str,
    pub due_date: Date,
    pub invoice_url: Option<&'a str>,
    pub bank_slip_url: Option<&'a str>,
    pub success_url: Option<&'a str>,
}

/// Inserts a charge; `false` when one with this provider id already exists (a replayed or
/// reconciled event made it first).
pub async fn insert(conn: &mut PgConnection, c: &NewCharge<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO public.charges (id, tenant_id, provider, provider_ref, subscription_id, kind, plan_id, \
         from_plan_id, cycle, description, expected_cents, billing_type, due_date, invoice_url, bank_slip_url, \
         success_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (provider, provider_ref) DO NOTHING",
    )
    .bind(c.id)
    .bind(c.tenant_id)
    .bind(c.provider)
    .bind(c.provider_ref)
    .bind(c.subscription_id)
    .bind(c.kind)
    .bind(c.plan_id)
    .bind(c.from_plan_id)
    .bind(c.cycle.as_str())
    .bind(c.description)
    .bind(c.expected_cents)
    .bind(c.billing_type)
    .bind(c.due_date)
    .bind(c.invoice_url)
    .bind(c.bank_slip_url)
    .bind(c.success_url)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ChargeRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub provider: String,
    pub provider_ref: String,
    pub subscription_id: Option<String>,
    pub kind: String,
    pub plan_id: Option<String>,
    pub from_plan_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub cycle: BillingCycle,
    pub description: String,
    pub expected_cents: i32,
    pub value_cents: Option<i32>,
    pub value_mismatch: bool,
    #[sqlx(try_from = "String")]
    pub status: ChargeStatus,
    #[sqlx(try_from = "String")]
    pub billing_type: BillingType,
    pub due_date: Date,
    pub paid_at: Option<OffsetDateTime>,
    pub invoice_url: Option<String>,
    pub bank_slip_url: Option<String>,
    pub receipt_url: Option<String>,
    pub success_url: Option<String>,
    pub nfse_status: Option<String>,
    pub nfse_url: Option<String>,
}

const SELECT: &str = "SELECT id, tenant_id, provider, provider_ref, subscription_id, kind, plan_id, from_plan_id, \
     cycle, description, expected_cents, value_cents, value_mismatch, status, billing_type, due_date, paid_at, \
     invoice_url, bank_slip_url, receipt_url, success_url, nfse_status, nfse_url FROM public.charges";

/// The charge of a provider payment id, locked until the transaction ends.
pub async fn lock_by_ref(conn: &mut PgConnection, provider_ref: &str) -> Result<Option<ChargeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE provider_ref = $1 ORDER BY inserted_at LIMIT 1 FOR UPDATE"))
        .bind(provider_ref)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_ref(pool: &PgPool, provider: &str, provider_ref: &str) -> Result<Option<ChargeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE provider = $1 AND provider_ref = $2"))
        .bind(provider)
        .bind(provider_ref)
        .fetch_optional(pool)
        .await
}

/// The new state of a charge after a provider event.
pub struct ChargeUpdate<'a> {
    pub status: ChargeStatus,
    pub value_cents: Option<i32>,
    pub value_mismatch: bool,
    pub paid_at: Option<OffsetDateTime>,
    pub billing_type: Option<&'a str>,
    pub invoice_url: Option<&'a str>,
    pub bank_slip_url: Option<&'a str>,
    pub receipt_url: Option<&'a str>,
}

pub async fn update(conn: &mut PgConnection, id: Uuid, u: &ChargeUpdate<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.charges SET status = $2, value_cents = COALESCE($3, value_cents), value_mismatch = $4, \
         paid_at = COALESCE($5, paid_at), billing_type = COALESCE($6, billing_type), \
         invoice_url = COALESCE($7, invoice_url), bank_slip_url = COALESCE($8, bank_slip_url), \
         receipt_url = COALESCE($9, receipt_url), updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(u.status.as_str())
    .bind(u.value_cents)
    .bind(u.value_mismatch)
    .bind(u.paid_at)
    .bind(u.billing_type)
    .bind(u.invoice_url)
    .bind(u.bank_slip_url)
    .bind(u.receipt_url)
    .execute(conn)
    .await?;
    Ok(())
}

/// A plan change before the first payment: the pending first charge now asks for another plan
/// and value.
pub async fn retarget(
    conn: &mut PgConnection,
    id: Uuid,
    plan_id: &str,
    cycle: BillingCycle,
    expected_cents: i32,
    billing_type: &str,
    description: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.charges SET plan_id = $2, cycle = $3, expected_cents = $4, billing_type = $5, \
         description = $6, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(plan_id)
    .bind(cycle.as_str())
    .bind(expected_cents)
    .bind(billing_type)
    .bind(description)
    .execute(conn)
    .await?;
    Ok(())
}

/// The service invoice (NFS-e) of a charge changed; answers its workspace when the charge is known.
pub async fn set_nfse(
    conn: &mut PgConnection,
    provider_ref: &str,
    status: Option<&str>,
    url: Option<&str>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE public.charges SET nfse_status = COALESCE($2, nfse_status), nfse_url = COALESCE($3, nfse_url), \
         updated_at = now() WHERE provider_ref = $1 RETURNING tenant_id",
    )
    .bind(provider_ref)
    .bind(status)
    .bind(url)
    .fetch_optional(conn)
    .await
}

/// The workspace a subscription's charges belong to, if Atrium ever recorded one.
pub async fn tenant_of_subscription(
    conn: &mut PgConnection,
    subscription_id: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT tenant_id FROM public.charges WHERE subscription_id = $1 LIMIT 1")
        .bind(subscription_id)
        .fetch_optional(conn)
        .await
}

/// A page of the workspace's charges, newest due date first.
pub async fn page(pool: &PgPool, tenant_id: Uuid, limit: i64, offset: i64) -> Result<Vec<ChargeRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 ORDER BY due_date DESC, inserted_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(tenant_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

pub async fn count(pool: &PgPool, tenant_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM public.charges WHERE tenant_id = $1").bind(tenant_id).fetch_one(pool).await
}

/// The workspace's open charges (pending or overdue), earliest due first.
pub async fn open(pool: &PgPool, tenant_id: Uuid) -> Result<Vec<ChargeRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 AND status IN ('pending', 'overdue') ORDER BY due_date, inserted_at, id"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

/// Every charge of a subscription (the local provider answers from them).
pub async fn of_subscription(pool: &PgPool, subscription_id: &str) -> Result<Vec<ChargeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE subscription_id = $1 ORDER BY due_date, inserted_at"))
        .bind(subscription_id)
        .fetch_all(pool)
        .await
}

/// A local charge with the company it is for (the local payment page).
pub async fn company_name(pool: &PgPool, tenant_id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM public.tenants WHERE id = $1").bind(tenant_id).fetch_one(pool).await
}

/// Locks a subscription's charges (before its workspace's row: every writer takes charges, then
/// the workspace, so two events of one workspace cannot deadlock).
pub async fn lock_of_subscription(conn: &mut PgConnection, subscription_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id FROM public.charges WHERE subscription_id = $1 ORDER BY id FOR UPDATE")
        .bind(subscription_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One open charge will not be paid (removed at the provider).
pub async fn cancel(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.charges SET status = 'canceled', updated_at = now() \
         WHERE id = $1 AND status IN ('pending', 'overdue')",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The subscription ended: its charges still open will not be paid.
pub async fn cancel_open(conn: &mut PgConnection, subscription_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.charges SET status = 'canceled', updated_at = now() \
         WHERE subscription_id = $1 AND status IN ('pending', 'overdue')",
    )
    .bind(subscription_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A changed subscription value: its pending charges now expect it (the provider updated them).
pub async fn expect_pending(conn: &mut PgConnection, subscription_id: &str, cents: i32) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.charges SET expected_cents = $2, value_cents = NULL, updated_at = now() \
         WHERE subscription_id = $1 AND status = 'pending' AND kind = 'subscription'",
    )
    .bind(subscription_id)
    .bind(cents)
    .execute(conn)
    .await?;
    Ok(())
}
