//! The shared registry of tenants (public schema).
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use time::OffsetDateTime;

use crate::{
    document::Document,
    server::tenant::{SchemaName, Slug, Tenant},
};

const SELECT: &str = "SELECT t.id, t.slug, t.name, t.schema_name, t.plan_id, p.name AS plan_name, t.status, \
     t.trial_ends_at \
     FROM public.tenants t JOIN public.plans p ON p.id = t.plan_id";

fn from_row(row: sqlx::postgres::PgRow) -> Result<Tenant, sqlx::Error> {
    let slug: String = row.try_get("slug")?;
    let schema: String = row.try_get("schema_name")?;
    let bad = |what: &str| sqlx::Error::Decode(format!("registry holds an invalid {what}").into());
    Ok(Tenant {
        id: row.try_get("id")?,
        slug: Slug::parse(&slug).map_err(|_| bad("slug"))?,
        schema: SchemaName::from_registry(&schema).ok_or_else(|| bad("schema name"))?,
        name: row.try_get("name")?,
        plan_id: row.try_get("plan_id")?,
        plan_name: row.try_get("plan_name")?,
        status: row.try_get("status")?,
        trial_ends_at: row.try_get("trial_ends_at")?,
    })
}

pub async fn find_by_slug(pool: &PgPool, slug: &Slug) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE t.slug = $1"))
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await?
        .map(from_row)
        .transpose()
}

pub async fn all(pool: &PgPool) -> Result<Vec<Tenant>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} ORDER BY t.slug")).fetch_all(pool).await?.into_iter().map(from_row).collect()
}

pub struct NewTenant<'a> {
    pub id: Uuid,
    pub slug: &'a Slug,
    pub name: &'a str,
    pub plan_id: &'a str,
    pub document: Option<&'a Document>,
    pub trial_ends_at: Option<OffsetDateTime>,
}

/// Inserts the registry row inside the provisioning transaction.
pub async fn insert(conn: &mut PgConnection, new: &NewTenant<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO public.tenants (id, slug, name, schema_name, plan_id, document, document_type, trial_ends_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new.id)
    .bind(new.slug.as_str())
    .bind(new.name)
    .bind(new.slug.schema_name().as_str())
    .bind(new.plan_id)
    .bind(new.document.map(Document::as_str))
    .bind(new.document.map(|d| d.kind().as_str()))
    .bind(new.trial_ends_at)
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
