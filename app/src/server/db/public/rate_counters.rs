//! Fixed-window counters in `public.rate_counters`, shared by every app process.
use std::time::Duration;

use sqlx::PgPool;

/// Takes one unit of `key`'s allowance of `limit` per `window`: `Ok(count)` with the count
/// including this one, or `Err(seconds until the window ends)` when none is left. One statement:
/// concurrent takes from any node serialise on the row, so at most `limit` ever succeed.
pub async fn take(pool: &PgPool, key: &str, limit: u32, window: Duration) -> Result<Result<i64, u64>, sqlx::Error> {
    let window_secs = window.as_secs_f64();
    let taken: Option<i32> = sqlx::query_scalar(
        // The conflict branch reads the time from `excluded` and compares intervals, never calls
        // now(): Citus (shared tables in its metadata) accepts only immutable expressions there.
        "INSERT INTO public.rate_counters AS c (key, window_start, count) VALUES ($1, now(), 1) \
         ON CONFLICT (key) DO UPDATE SET \
           window_start = CASE WHEN excluded.window_start - c.window_start >= make_interval(secs => $2) \
             THEN excluded.window_start ELSE c.window_start END, \
           count = CASE WHEN excluded.window_start - c.window_start >= make_interval(secs => $2) \
             THEN 1 ELSE c.count + 1 END \
         WHERE excluded.window_start - c.window_start >= make_interval(secs => $2) OR c.count < $3 \
         RETURNING count",
    )
    .bind(key)
    .bind(window_secs)
    .bind(limit as i32)
    .fetch_optional(pool)
    .await?;
    if let Some(count) = taken {
        return Ok(Ok(i64::from(count)));
    }
    let left: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM window_start + make_interval(secs => $2) - now())::float8 \
         FROM public.rate_counters WHERE key = $1",
    )
    .bind(key)
    .bind(window_secs)
    .fetch_optional(pool)
    .await?;
    Ok(Err(left.unwrap_or(1.0).ceil().max(1.0) as u64))
}

/// Gives back one unit taken by [`take`] (the attempt it guarded turned out fine).
pub async fn give_back(pool: &PgPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.rate_counters SET count = greatest(count - 1, 0) WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets counters whose window began before `older_than` ago (longer than any window in use).
pub async fn purge(pool: &PgPool, older_than: Duration) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM public.rate_counters WHERE window_start < now() - make_interval(secs => $1)")
        .bind(older_than.as_secs_f64())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
