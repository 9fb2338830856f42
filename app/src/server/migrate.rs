//! Schema migrations: `migrations/public` once for the shared registry, `migrations/tenant` into
//! every tenant schema, each schema recording its own applied versions.
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use sqlx::{migrate::Migrator, Executor, PgPool, Row};

use super::{db, tenant::TenantTx};

pub static PUBLIC: Migrator = sqlx::migrate!("../migrations/public");
pub static TENANT: Migrator = sqlx::migrate!("../migrations/tenant");

pub async fn run_public(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    PUBLIC.run(pool).await
}

/// Brings the schema of `tx` (whose search_path is already that schema) up to date. Returns how
/// many migrations it applied. An applied migration whose file changed is an error.
pub async fn apply_tenant(tx: &mut TenantTx) -> Result<usize, String> {
    apply(tx, &TENANT).await
}

/// [`apply_tenant`] with any set of tenant migrations (the benchmark adds one).
pub async fn apply(tx: &mut TenantTx, migrator: &Migrator) -> Result<usize, String> {
    let schema = tx.schema().as_str().to_string();
    let conn = tx.conn();
    // Two migrators never work on one schema at once.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(&schema)
        .execute(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, description text NOT NULL, \
         checksum bytea NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await
    .map_err(|e| e.to_string())?;
    let applied: Vec<(i64, Vec<u8>)> = sqlx::query("SELECT version, checksum FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut count = 0;
    for migration in migrator.iter() {
        if let Some((_, checksum)) = applied.iter().find(|(v, _)| *v == migration.version) {
            if checksum.as_slice() != &*migration.checksum {
                return Err(format!("migration {} was changed after it was applied", migration.version));
            }
            continue;
        }
        conn.execute(&*migration.sql)
            .await
            .map_err(|e| format!("migration {} ({}): {e}", migration.version, migration.description))?;
        sqlx::query("INSERT INTO schema_migrations (version, description, checksum) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(&*migration.description)
            .bind(&*migration.checksum)
            .execute(&mut *conn)
            .await
            .map_err(|e| e.to_string())?;
        count += 1;
    }
    Ok(count)
}

#[derive(Debug, Default)]
pub struct TenantReport {
    pub up_to_date: usize,
    pub migrated: usize,
    pub failed: Vec<(String, String)>,
}

/// Migrates every tenant schema, each in its own transaction; a failing tenant is reported and
/// the others go on.
pub async fn run_all_tenants(pool: &PgPool) -> Result<TenantReport, sqlx::Error> {
    run_all_tenants_with(pool, &TENANT, MIGRATION_WORKERS).await
}

/// Schemas migrated at once: DDL of different schemas does not contend, and with thousands of
/// tenants the round trips, not the server, are what a single worker waits on.
pub const MIGRATION_WORKERS: usize = 4;

pub async fn run_all_tenants_with(
    pool: &PgPool,
    migrator: &'static Migrator,
    workers: usize,
) -> Result<TenantReport, sqlx::Error> {
    let queue = Arc::new(Mutex::new(db::tenants::all(pool).await?.into_iter().collect::<VecDeque<_>>()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (queue, pool) = (queue.clone(), pool.clone());
        tasks.spawn(async move {
            let mut report = TenantReport::default();
            loop {
                let Some(tenant) = queue.lock().expect("migration queue").pop_front() else { break };
                let result = async {
                    let mut tx = tenant.db(&pool).begin().await.map_err(|e| e.to_string())?;
                    let applied = apply(&mut tx, migrator).await?;
                    tx.commit().await.map_err(|e| e.to_string())?;
                    Ok::<_, String>(applied)
                }
                .await;
                match result {
                    Ok(0) => report.up_to_date += 1,
                    Ok(_) => report.migrated += 1,
                    Err(err) => report.failed.push((tenant.slug.to_string(), err)),
                }
            }
            report
        });
    }
    let mut report = TenantReport::default();
    while let Some(done) = tasks.join_next().await {
        let part = done.map_err(|e| sqlx::Error::Protocol(format!("migration worker: {e}")))?;
        report.up_to_date += part.up_to_date;
        report.migrated += part.migrated;
        report.failed.extend(part.failed);
    }
    report.failed.sort();
    Ok(report)
}
