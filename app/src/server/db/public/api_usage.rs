//! Requests to the JSON API per tenant and minute (`public.api_usage`), shared by every app
//! process. Each node adds what it admitted since its last sync; the answer is the total of all
//! nodes, which the node decides on until its next sync (`services/quota.rs`).
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

/// The count of one tenant's window (0 when no node has reported one yet).
pub async fn count(pool: &PgPool, tenant_id: Uuid, window_start: OffsetDateTime) -> Result<u32, sqlx::Error> {
    let count: Option<i32> =
        sqlx::query_scalar("SELECT count FROM public.api_usage WHERE tenant_id = $1 AND window_start = $2")
            .bind(tenant_id)
            .bind(window_start)
            .fetch_optional(pool)
            .await?;
    Ok(count.map_or(0, |c| c.max(0) as u32))
}

/// One node's counts since its last sync, added in one statement; answers each window's total,
/// and the totals of `idle` (tenants this node admitted none of since its last sync, in the window
/// `idle_start`), so a node hears what the others admitted even when it has nothing to add.
/// Rows are written in tenant order, so two nodes syncing at once cannot deadlock.
pub async fn add(
    pool: &PgPool,
    counts: &[(Uuid, OffsetDateTime, u32)],
    idle: &[Uuid],
    idle_start: OffsetDateTime,
) -> Result<Vec<(Uuid, OffsetDateTime, u32)>, sqlx::Error> {
    let mut counts = counts.to_vec();
    counts.sort_by_key(|(tenant, start, _)| (*tenant, *start));
    let tenants: Vec<Uuid> = counts.iter().map(|c| c.0).collect();
    let starts: Vec<OffsetDateTime> = counts.iter().map(|c| c.1).collect();
    let adds: Vec<i32> = counts.iter().map(|c| i32::try_from(c.2).unwrap_or(i32::MAX)).collect();
    // Two plain statements rather than one with a data-modifying CTE, which Citus may not route
    // for tables in its metadata; the second runs only when some tenants had nothing to add.
    let mut rows: Vec<(Uuid, OffsetDateTime, i32)> = if counts.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "INSERT INTO public.api_usage AS u (tenant_id, window_start, count) \
             SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[]) \
             ON CONFLICT (tenant_id, window_start) DO UPDATE SET count = u.count + excluded.count \
             RETURNING tenant_id, window_start, count",
        )
        .bind(&tenants)
        .bind(&starts)
        .bind(&adds)
        .fetch_all(pool)
        .await?
    };
    if !idle.is_empty() {
        rows.extend(
            sqlx::query_as::<_, (Uuid, OffsetDateTime, i32)>(
                "SELECT tenant_id, window_start, count FROM public.api_usage \
                 WHERE window_start = $1 AND tenant_id = ANY($2)",
            )
            .bind(idle_start)
            .bind(idle)
            .fetch_all(pool)
            .await?,
        );
    }
    Ok(rows.into_iter().map(|(t, s, c)| (t, s, c.max(0) as u32)).collect())
}

/// Forgets windows older than an hour.
pub async fn purge(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM public.api_usage WHERE window_start < now() - interval '1 hour'")
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
