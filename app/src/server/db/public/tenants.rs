//! The shared registry of tenants (`public.tenants`): the only module that writes it.
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    document::Document,
    model::SubscriptionStatus,
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

/// The subscription columns of a tenant.
#[derive(sqlx::FromRow)]
pub struct SubscriptionRow {
    pub plan_id: String,
    #[sqlx(try_from = "String")]
    pub status: SubscriptionStatus,
    pub trial_ends_at: Option<OffsetDateTime>,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub payment_customer_id: Option<String>,
    pub document: Option<String>,
}

pub async fn subscription(pool: &PgPool, tenant_id: Uuid) -> Result<Option<SubscriptionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT plan_id, status, trial_ends_at, current_period_start, current_period_end, payment_customer_id, \
         document FROM public.tenants WHERE id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(pool)
    .await
}

pub async fn set_customer_id(pool: &PgPool, tenant_id: Uuid, customer_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET payment_customer_id = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(customer_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The tenant a payment event is about, locked until the transaction ends.
#[derive(sqlx::FromRow)]
pub struct EventTenant {
    pub id: Uuid,
    pub slug: String,
    #[sqlx(try_from = "String")]
    pub status: SubscriptionStatus,
}

/// By our id in `externalReference`, else by the provider's subscription or customer id.
pub async fn find_for_event(
    conn: &mut PgConnection,
    external_reference: Option<Uuid>,
    subscription_id: Option<&str>,
    customer_id: Option<&str>,
) -> Result<Option<EventTenant>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, slug, status FROM public.tenants \
         WHERE id = $1 OR (subscription_id IS NOT NULL AND subscription_id = $2) \
            OR (payment_customer_id IS NOT NULL AND payment_customer_id = $3) \
         ORDER BY (id = $1) DESC NULLS LAST LIMIT 1 FOR UPDATE",
    )
    .bind(external_reference)
    .bind(subscription_id)
    .bind(customer_id)
    .fetch_optional(conn)
    .await
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
