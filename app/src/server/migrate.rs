//! Schema migrations: `migrations/public` once for the shared registry, `migrations/tenant` into
//! every tenant schema, each schema recording its own applied versions.
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use sqlx::{migrate::Migrator, Executor, PgPool, Row};

use super::{db::public::tenants, tenancy::db::TenantTx};

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
///
/// One round trip after BEGIN when nothing is pending, one more per pending migration: with 10,000 schemas the round trips
/// and the commit's WAL flush, not the DDL, are what `migrate` spends its time on. The statements
/// go as one simple-protocol batch each; the only values spliced in are the validated schema name
/// and the migrations compiled into this binary.
pub async fn apply(tx: &mut TenantTx, migrator: &Migrator) -> Result<usize, String> {
    apply_with(tx, migrator, "").await
}

/// `migrate` commits each schema without waiting for its WAL flush: a crash can lose only whole,
/// just-committed migrations (the DDL and its version row commit together), which the next run
/// applies again. A signup's provisioning keeps the durable commit its answer promises.
const RELAXED_COMMIT: &str = "SET LOCAL synchronous_commit TO off; ";

async fn apply_with(tx: &mut TenantTx, migrator: &Migrator, prefix: &str) -> Result<usize, String> {
    let schema = tx.schema().as_str().to_string();
    let conn = tx.conn();
    // The advisory lock keeps two migrators off one schema; the SELECT after it, a statement of
    // its own, sees what the other one committed.
    let prologue = format!(
        "{prefix}SELECT pg_advisory_xact_lock(hashtext('{schema}')); \
         CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, description text NOT NULL, \
         checksum bytea NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()); \
         SELECT version, checksum FROM schema_migrations"
    );
    let rows = conn.fetch_all(prologue.as_str()).await.map_err(|e| e.to_string())?;
    // The batch's rows: the lock's single void column, then the (version, checksum) pairs.
    let applied: Vec<(i64, Vec<u8>)> = rows
        .iter()
        .filter(|r| r.columns().len() == 2)
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| e.to_string())?;
    let mut count = 0;
    for migration in migrator.iter() {
        if let Some((_, checksum)) = applied.iter().find(|(v, _)| *v == migration.version) {
            if checksum.as_slice() != &*migration.checksum {
                return Err(format!("migration {} was changed after it was applied", migration.version));
            }
            continue;
        }
        conn.execute(migration_batch(migration).as_str())
            .await
            .map_err(|e| format!("migration {} ({}): {e}", migration.version, migration.description))?;
        count += 1;
    }
    Ok(count)
}

/// A migration's SQL followed by the row that records it.
fn migration_batch(migration: &sqlx::migrate::Migration) -> String {
    let checksum: String = migration.checksum.iter().map(|b| format!("{b:02x}")).collect();
    // The newline ends a trailing `--` comment; the lone `;` is harmless after a terminated one.
    format!(
        "{}\n;\nINSERT INTO schema_migrations (version, description, checksum) VALUES ({}, '{}', decode('{checksum}', 'hex'));\n",
        migration.sql,
        migration.version,
        migration.description.replace('\'', "''"),
    )
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
    let queue = Arc::new(Mutex::new(tenants::all(pool).await?.into_iter().collect::<VecDeque<_>>()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (queue, pool) = (queue.clone(), pool.clone());
        tasks.spawn(async move {
            let mut report = TenantReport::default();
            loop {
                let Some(tenant) = queue.lock().expect("migration queue").pop_front() else { break };
                let result = async {
                    let mut tx = tenant.db(&pool).begin().await.map_err(|e| e.to_string())?;
                    let applied = apply_with(&mut tx, migrator, RELAXED_COMMIT).await?;
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
