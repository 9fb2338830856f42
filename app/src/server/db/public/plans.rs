//! The plans table (public schema): limits, features and prices are data, read here.
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::model::{PlanDto, PlanFeatures, PlanLimits};

const SELECT: &str = "SELECT id, name, max_concurrent_calls, max_users, max_departments, recording, \
     ai_transcription, advanced_analytics, webhooks, monthly_price_cents, yearly_price_cents FROM public.plans";

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: String,
    name: String,
    max_concurrent_calls: Option<i32>,
    max_users: Option<i32>,
    max_departments: Option<i32>,
    recording: bool,
    ai_transcription: bool,
    advanced_analytics: bool,
    webhooks: bool,
    monthly_price_cents: Option<i32>,
    yearly_price_cents: Option<i32>,
}

impl From<PlanRow> for PlanDto {
    fn from(row: PlanRow) -> PlanDto {
        PlanDto {
            id: row.id,
            name: row.name,
            limits: PlanLimits {
                concurrent_calls: row.max_concurrent_calls,
                users: row.max_users,
                departments: row.max_departments,
            },
            features: PlanFeatures {
                recording: row.recording,
                ai_transcription: row.ai_transcription,
                advanced_analytics: row.advanced_analytics,
                webhooks: row.webhooks,
            },
            monthly_price_cents: row.monthly_price_cents,
            yearly_price_cents: row.yearly_price_cents,
        }
    }
}

pub async fn all(pool: &PgPool) -> Result<Vec<PlanDto>, sqlx::Error> {
    let rows: Vec<PlanRow> = sqlx::query_as(&format!("{SELECT} ORDER BY sort_order, id")).fetch_all(pool).await?;
    Ok(rows.into_iter().map(PlanDto::from).collect())
}

/// [`find`] inside the caller's transaction.
pub async fn find_in(conn: &mut PgConnection, id: &str) -> Result<Option<PlanDto>, sqlx::Error> {
    let row: Option<PlanRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(PlanDto::from))
}

pub async fn find(pool: &PgPool, id: &str) -> Result<Option<PlanDto>, sqlx::Error> {
    let row: Option<PlanRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(pool).await?;
    Ok(row.map(PlanDto::from))
}

/// The limits of a tenant's current plan (`None` = unlimited), read inside the caller's
/// transaction (which holds the tenant's write lock).
#[derive(sqlx::FromRow)]
pub struct Limits {
    pub max_users: Option<i32>,
    pub max_departments: Option<i32>,
}

pub async fn limits_of(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Limits, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.max_users, p.max_departments FROM public.tenants t JOIN public.plans p ON p.id = t.plan_id WHERE t.id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await
}

/// A capability a plan may include; later features are gated by asking for one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Recording,
    AiTranscription,
    AdvancedAnalytics,
}

impl Feature {
    fn column(self) -> &'static str {
        match self {
            Feature::Recording => "recording",
            Feature::AiTranscription => "ai_transcription",
            Feature::AdvancedAnalytics => "advanced_analytics",
        }
    }
}

/// Whether the tenant's current plan includes `feature`.
pub async fn tenant_has_feature(pool: &PgPool, tenant_id: Uuid, feature: Feature) -> Result<bool, sqlx::Error> {
    // The column name comes from the enum above, never from input.
    let sql = format!(
        "SELECT p.{} FROM public.tenants t JOIN public.plans p ON p.id = t.plan_id WHERE t.id = $1",
        feature.column()
    );
    Ok(sqlx::query_scalar(&sql).bind(tenant_id).fetch_optional(pool).await?.unwrap_or(false))
}
