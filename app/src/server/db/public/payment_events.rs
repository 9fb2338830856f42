//! The payment provider's events (`public.payment_events`), recorded by id so each is applied once.
use sqlx::PgConnection;
use uuid::Uuid;

/// Records an event by the provider's id. `false` when it was already recorded (a replay).
pub async fn record(
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

/// What applying the event did, and to which tenant.
pub async fn finish(
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
