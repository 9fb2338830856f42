//! Ready-made tenant schemas (`public.spare_schemas`) waiting for a signup.
use sqlx::{PgConnection, PgPool};

/// Takes the oldest spare (skipping ones other signups are taking), inside the caller's
/// transaction: if it rolls back, the spare is there again.
pub async fn claim(conn: &mut PgConnection) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "DELETE FROM public.spare_schemas WHERE schema_name = (SELECT schema_name FROM public.spare_schemas \
         ORDER BY inserted_at FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING schema_name",
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert(conn: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO public.spare_schemas (schema_name) VALUES ($1)").bind(name).execute(conn).await?;
    Ok(())
}

pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM public.spare_schemas").fetch_one(pool).await
}
