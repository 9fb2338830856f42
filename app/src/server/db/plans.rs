//! The plans table (public schema): limits, features and prices are data, read here.
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::model::{PlanDto, PlanFeatures, PlanLimits};

const SELECT: &str = "SELECT id, name, max_concurrent_calls, max_users, max_departments, recording, \
     ai_transcription, advanced_analytics, monthly_price_cents FROM public.plans";

fn from_row(row: sqlx::postgres::PgRow) -> Result<PlanDto, sqlx::Error> {
    Ok(PlanDto {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        limits: PlanLimits {
            concurrent_calls: row.try_get("max_concurrent_calls")?,
            users: row.try_get("max_users")?,
            departments: row.try_get("max_departments")?,
        },
        features: PlanFeatures {
            recording: row.try_get("recording")?,
            ai_transcription: row.try_get("ai_transcription")?,
            advanced_analytics: row.try_get("advanced_analytics")?,
        },
        monthly_price_cents: row.try_get("monthly_price_cents")?,
    })
}

pub async fn all(pool: &PgPool) -> Result<Vec<PlanDto>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} ORDER BY sort_order, id")).fetch_all(pool).await?.into_iter().map(from_row).collect()
}

pub async fn find(pool: &PgPool, id: &str) -> Result<Option<PlanDto>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(pool).await?.map(from_row).transpose()
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
