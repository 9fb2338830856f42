//! The shared registry of tenants (`public.tenants`): the only module that writes it.
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    document::Document,
    model::{BillingCycle, BillingType, SubscriptionStatus},
    server::tenancy::{
        slug::{SchemaName, Slug},
        tenant::Tenant,
    },
};

const SELECT: &str = "SELECT t.id, t.slug, t.name, t.schema_name, t.plan_id, p.name AS plan_name, t.status, \
     t.trial_ends_at, t.current_period_end, t.email_verified_at IS NOT NULL AS email_verified, t.mfa_required, \
     p.api_requests_per_minute, p.webhooks \
     FROM public.tenants t JOIN public.plans p ON p.id = t.plan_id";

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    schema_name: String,
    plan_id: String,
    plan_name: String,
    #[sqlx(try_from = "String")]
    status: SubscriptionStatus,
    trial_ends_at: Option<OffsetDateTime>,
    current_period_end: Option<OffsetDateTime>,
    email_verified: bool,
    mfa_required: bool,
    api_requests_per_minute: i32,
    webhooks: bool,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = sqlx::Error;

    /// Slug and schema name are checked again: they end up in SQL text.
    fn try_from(row: TenantRow) -> Result<Tenant, sqlx::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("registry holds an invalid {what}").into());
        Ok(Tenant {
            id: row.id,
            slug: Slug::parse(&row.slug).map_err(|_| bad("slug"))?,
            schema: SchemaName::from_registry(&row.schema_name).ok_or_else(|| bad("schema name"))?,
            name: row.name,
            plan_id: row.plan_id,
            plan_name: row.plan_name,
            status: row.status,
            trial_ends_at: row.trial_ends_at,
            current_period_end: row.current_period_end,
            billing_grace: time::Duration::days(7),
            email_verified: row.email_verified,
            mfa_required: row.mfa_required,
            api_requests_per_minute: u32::try_from(row.api_requests_per_minute).unwrap_or(1),
            webhooks_enabled: row.webhooks,
        })
    }
}

pub async fn find_by_slug(pool: &PgPool, slug: &Slug) -> Result<Option<Tenant>, sqlx::Error> {
    let row: Option<TenantRow> =
        sqlx::query_as(&format!("{SELECT} WHERE t.slug = $1")).bind(slug.as_str()).fetch_optional(pool).await?;
    row.map(Tenant::try_from).transpose()
}

/// The registry row inside the caller's transaction (what it changed included).
pub async fn find_in(conn: &mut PgConnection, id: Uuid) -> Result<Option<Tenant>, sqlx::Error> {
    let row: Option<TenantRow> =
        sqlx::query_as(&format!("{SELECT} WHERE t.id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(Tenant::try_from).transpose()
}

pub async fn all(pool: &PgPool) -> Result<Vec<Tenant>, sqlx::Error> {
    let rows: Vec<TenantRow> = sqlx::query_as(&format!("{SELECT} ORDER BY t.slug")).fetch_all(pool).await?;
    rows.into_iter().map(Tenant::try_from).collect()
}

pub struct NewTenant<'a> {
    pub id: Uuid,
    pub slug: &'a Slug,
    pub name: &'a str,
    pub plan_id: &'a str,
    pub document: Option<&'a Document>,
    pub trial_ends_at: Option<OffsetDateTime>,
    /// False for a signup: the owner's address is confirmed by the link sent to it.
    pub email_verified: bool,
}

/// Inserts the registry row inside the provisioning transaction.
pub async fn insert(conn: &mut PgConnection, new: &NewTenant<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO public.tenants (id, slug, name, schema_name, plan_id, document, document_type, trial_ends_at, \
         email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN now() END)",
    )
    .bind(new.id)
    .bind(new.slug.as_str())
    .bind(new.name)
    .bind(new.slug.schema_name().as_str())
    .bind(new.plan_id)
    .bind(new.document.map(Document::as_str))
    .bind(new.document.map(|d| d.kind().as_str()))
    .bind(new.trial_ends_at)
    .bind(new.email_verified)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn slug_exists(pool: &PgPool, slug: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM public.tenants WHERE slug = $1)").bind(slug).fetch_one(pool).await
}

pub async fn document_exists(pool: &PgPool, document: &Document) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM public.tenants WHERE document = $1)")
        .bind(document.as_str())
        .fetch_one(pool)
        .await
}

/// The taken slugs that start with `prefix` (for suggesting a free one).
pub async fn slugs_with_prefix(pool: &PgPool, prefix: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM public.tenants WHERE starts_with(slug, $1)").bind(prefix).fetch_all(pool).await
}

/// The company's registered document (read-only in the company profile).
#[derive(sqlx::FromRow)]
pub struct DocumentRow {
    pub document: Option<String>,
    pub document_type: Option<String>,
}

pub async fn document(pool: &PgPool, tenant_id: Uuid) -> Result<DocumentRow, sqlx::Error> {
    sqlx::query_as("SELECT document, document_type FROM public.tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(pool)
        .await
}

/// The company's name lives in the registry; renamed in the same transaction as its profile.
pub async fn rename(conn: &mut PgConnection, tenant_id: Uuid, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET name = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// The billing columns of a tenant.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct BillingRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub plan_id: String,
    #[sqlx(try_from = "String")]
    pub status: SubscriptionStatus,
    pub trial_ends_at: Option<OffsetDateTime>,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub payment_customer_id: Option<String>,
    pub document: Option<String>,
    /// The live subscription at the provider; events of any other change nothing.
    pub subscription_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub billing_cycle: BillingCycle,
    #[sqlx(try_from = "String")]
    pub billing_type: BillingType,
    pub subscription_value_cents: Option<i32>,
    pub scheduled_plan_id: Option<String>,
    pub canceled_at: Option<OffsetDateTime>,
}

const BILLING: &str = "SELECT id, slug, name, plan_id, status, trial_ends_at, current_period_start, \
     current_period_end, payment_customer_id, document, subscription_id, billing_cycle, billing_type, \
     subscription_value_cents, scheduled_plan_id, canceled_at FROM public.tenants";

pub async fn billing(pool: &PgPool, tenant_id: Uuid) -> Result<Option<BillingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{BILLING} WHERE id = $1")).bind(tenant_id).fetch_optional(pool).await
}

/// The billing row, locked until the transaction ends.
pub async fn lock_billing(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Option<BillingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{BILLING} WHERE id = $1 FOR UPDATE")).bind(tenant_id).fetch_optional(conn).await
}

/// The workspace whose live subscription this is, locked.
pub async fn lock_by_subscription(
    conn: &mut PgConnection,
    subscription_id: &str,
) -> Result<Option<BillingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{BILLING} WHERE subscription_id = $1 FOR UPDATE"))
        .bind(subscription_id)
        .fetch_optional(conn)
        .await
}

pub async fn set_customer_id(conn: &mut PgConnection, tenant_id: Uuid, customer_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET payment_customer_id = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(customer_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the live subscription is and charges. `subscription_id` None forgets it.
pub struct SubscriptionTerms<'a> {
    pub subscription_id: Option<&'a str>,
    pub cycle: BillingCycle,
    pub billing_type: BillingType,
    pub value_cents: Option<i32>,
    pub scheduled_plan_id: Option<&'a str>,
}

pub async fn set_subscription(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    terms: &SubscriptionTerms<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET subscription_id = $2, billing_cycle = $3, billing_type = $4, \
         subscription_value_cents = $5, scheduled_plan_id = $6, billing_checked_at = now(), updated_at = now() \
         WHERE id = $1",
    )
    .bind(tenant_id)
    .bind(terms.subscription_id)
    .bind(terms.cycle.as_str())
    .bind(terms.billing_type.as_str())
    .bind(terms.value_cents)
    .bind(terms.scheduled_plan_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A paid cycle: active, on `plan_id` when given, paid until `period_end` (never earlier than
/// an end already paid: a late payment of an older charge does not shorten the period).
pub async fn paid_period(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    plan_id: Option<&str>,
    period_start: OffsetDateTime,
    period_end: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET status = 'active', plan_id = COALESCE($2, plan_id), \
         scheduled_plan_id = CASE WHEN $2 IS NOT NULL THEN NULL ELSE scheduled_plan_id END, \
         current_period_start = CASE WHEN current_period_end IS NULL OR $4 > current_period_end \
                                     THEN $3 ELSE current_period_start END, \
         current_period_end = GREATEST(current_period_end, $4), canceled_at = NULL, updated_at = now() \
         WHERE id = $1",
    )
    .bind(tenant_id)
    .bind(plan_id)
    .bind(period_start)
    .bind(period_end)
    .execute(conn)
    .await?;
    Ok(())
}

/// The plan changes now; a change scheduled for the next cycle to this same plan is done.
pub async fn set_plan(conn: &mut PgConnection, tenant_id: Uuid, plan_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET plan_id = $2, \
         scheduled_plan_id = CASE WHEN scheduled_plan_id = $2 THEN NULL ELSE scheduled_plan_id END, \
         updated_at = now() WHERE id = $1",
    )
    .bind(tenant_id)
    .bind(plan_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_status(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    status: SubscriptionStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET status = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(status.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// A paid charge was refunded or charged back: past due, the paid period ends now at the latest.
pub async fn payment_reversed(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET status = CASE WHEN status = 'canceled' THEN status ELSE 'past_due' END, \
         current_period_end = LEAST(current_period_end, now()), updated_at = now() WHERE id = $1",
    )
    .bind(tenant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The subscription ended (canceled by the owner or by the provider): canceled, writable until
/// the paid period's end. A workspace that never paid keeps its trial and forgets the
/// subscription.
pub async fn subscription_ended(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET \
         status = CASE WHEN status = 'trialing' THEN 'trialing' ELSE 'canceled' END, \
         subscription_id = CASE WHEN status = 'trialing' THEN NULL ELSE subscription_id END, \
         canceled_at = CASE WHEN status = 'trialing' THEN NULL ELSE COALESCE(canceled_at, now()) END, \
         scheduled_plan_id = NULL, updated_at = now() WHERE id = $1",
    )
    .bind(tenant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims up to `limit` workspaces whose subscription was last checked before `stale_before`
/// (or never) for the reconciliation, marking them checked now: another process skips them. A
/// subscription canceled more than a cycle ago is no longer asked about.
pub async fn claim_for_reconciliation(
    pool: &PgPool,
    stale_before: OffsetDateTime,
    limit: i64,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE public.tenants t SET billing_checked_at = now() FROM ( \
             SELECT id FROM public.tenants WHERE subscription_id IS NOT NULL \
               AND (billing_checked_at IS NULL OR billing_checked_at < $1) \
               AND (status <> 'canceled' OR current_period_end > now() - interval '35 days') \
             ORDER BY billing_checked_at NULLS FIRST LIMIT $2 FOR UPDATE SKIP LOCKED) due \
         WHERE t.id = due.id RETURNING t.id, t.subscription_id",
    )
    .bind(stale_before)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The owner confirmed the address: checkout and invitations open up.
pub async fn mark_verified(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.tenants SET email_verified_at = now(), updated_at = now() \
         WHERE id = $1 AND email_verified_at IS NULL",
    )
    .bind(tenant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks one workspace whose owner never confirmed the address and that was created before
/// `cutoff`, skipping any another process is removing.
pub async fn lock_one_unverified(
    conn: &mut PgConnection,
    cutoff: OffsetDateTime,
) -> Result<Option<(Uuid, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, slug, schema_name FROM public.tenants WHERE email_verified_at IS NULL AND inserted_at < $1 \
         ORDER BY inserted_at LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .bind(cutoff)
    .fetch_optional(conn)
    .await
}

/// Deletes the registry row (its checkouts, payment events and mail go with it).
pub async fn delete(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM public.tenants WHERE id = $1").bind(tenant_id).execute(conn).await?;
    Ok(())
}

/// Trialing workspaces whose trial ends between `from` and `to`.
pub async fn trials_ending(
    pool: &PgPool,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<Tenant>, sqlx::Error> {
    let rows: Vec<TenantRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE t.status = 'trialing' AND t.trial_ends_at > $1 AND t.trial_ends_at <= $2 ORDER BY t.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Tenant::try_from).collect()
}

/// Sets the company's two-step sign-in policy (kept in the registry: read with the tenant on
/// every request).
pub async fn set_mfa_required(conn: &mut PgConnection, id: Uuid, required: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET mfa_required = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(required)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn billing_slug(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM public.tenants WHERE id = $1").bind(tenant_id).fetch_optional(conn).await
}
