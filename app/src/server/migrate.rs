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

/// On a Citus coordinator (the `citus` extension installed), adds every shared table to Citus
/// metadata as a local table (`citus_add_local_table_to_metadata`; tables linked by foreign keys
/// come along). They stay on the coordinator, but writes to them go through Citus, so a transaction
/// that writes a shared table and a tenant schema on a worker (`PUT /api/v1/company`) commits both
/// with two-phase commit instead of the worker first and the coordinator after. Answers how many
/// tables it added; without Citus it does nothing.
pub async fn join_citus_metadata(pool: &PgPool) -> Result<usize, sqlx::Error> {
    let citus: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        .fetch_one(pool)
        .await?;
    if !citus {
        return Ok(0);
    }
    let mut added = 0;
    // One at a time: adding one table may bring others along through its foreign keys.
    loop {
        let next: Option<String> = sqlx::query_scalar(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') \
             AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) \
             ORDER BY 1 LIMIT 1",
        )
        .fetch_optional(pool)
        .await?;
        let Some(table) = next else { return Ok(added) };
        sqlx::query("SELECT citus_add_local_table_to_metadata($1::regclass, cascade_via_foreign_keys => true)")
            .bind(&table)
            .execute(pool)
            .await?;
        added += 1;
    }
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
            if checksum.as_slice() != &*migration.checksum && !was_rewritten(migration.version, checksum) {
                return Err(format!("migration {} was changed after it was applied", migration.version));
            }
            continue;
        }
        // One statement at a time (Citus forwards some DDL to its workers as the text it was sent,
        // and refuses a multi-statement string), all inside the schema's one transaction.
        for statement in split_statements(&migration.sql).into_iter().chain([record_statement(migration).as_str()]) {
            conn.execute(statement)
                .await
                .map_err(|e| format!("migration {} ({}): {e}", migration.version, migration.description))?;
        }
        count += 1;
    }
    Ok(count)
}

/// Tenant migrations whose text was rewritten after release without changing what they do, with
/// the checksums of their earlier texts (hex SHA-384): a schema that applied one is up to date.
/// 6: its backfill became a CTE, which Citus can run (docs/DEPLOYMENT.md); then its new column got
/// its default after being added (adding a column with a default scaled with the catalog's size).
const REWRITTEN: &[(i64, &str)] = &[
    (6, "a049c147f744e35380632ced330f66b69a88660f926de91b6937f08d6db6d94e41f2d0ebb2313d8b56c3ea8da6338d91"),
    (6, "dcb71ecf1a46e55200c441ec5d2d07d96b760ed745dc3c3c614f317bb518e0b5a65adc43af6869cb3973310401543e8d"),
];

fn was_rewritten(version: i64, applied: &[u8]) -> bool {
    let applied: String = applied.iter().map(|b| format!("{b:02x}")).collect();
    REWRITTEN.iter().any(|(v, checksum)| *v == version && *checksum == applied)
}

/// The row that records a migration as applied.
fn record_statement(migration: &sqlx::migrate::Migration) -> String {
    let checksum: String = migration.checksum.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "INSERT INTO schema_migrations (version, description, checksum) VALUES ({}, '{}', decode('{checksum}', 'hex'))",
        migration.version,
        migration.description.replace('\'', "''"),
    )
}

/// The statements of a migration file, split at the `;` that end them: not inside a quoted string
/// or identifier, a dollar-quoted body (`$$ ... $$`, `$tag$ ... $tag$`) or a comment. Empty ones
/// (only comments and blanks) are dropped.
pub fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            quote @ (b'\'' | b'"') => {
                // A doubled quote inside is an escaped one: the scan simply reopens the string.
                i = sql[i + 1..].find(quote as char).map_or(bytes.len(), |n| i + 1 + n);
            }
            b'$' => {
                let tag_end =
                    sql[i + 1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map(|n| i + 1 + n).filter(
                        |&e| bytes.get(e) == Some(&b'$') && !bytes[i + 1..e].first().is_some_and(u8::is_ascii_digit),
                    );
                if let Some(end) = tag_end {
                    let tag = &sql[i..=end];
                    i = sql[end + 1..].find(tag).map_or(bytes.len(), |n| end + 1 + n + tag.len());
                    continue;
                }
            }
            b';' => {
                statements.push(&sql[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    statements.push(&sql[start..]);
    statements.into_iter().filter(|s| !is_blank(s)).map(str::trim).collect()
}

/// Only whitespace and comments.
fn is_blank(statement: &str) -> bool {
    statement.lines().map(|l| l.split("--").next().unwrap_or_default().trim()).all(str::is_empty)
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    #[test]
    fn statements_split_at_their_own_semicolons_only() {
        let sql = "-- a comment; not a statement\nCREATE TABLE a (x text DEFAULT 'it''s; fine');\n\
                   CREATE INDEX \"odd;name\" ON a (x); /* block; comment */\n\
                   CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                   DO $$ BEGIN PERFORM 1; END $$;\nSELECT $1::int;\n-- trailing comment\n";
        let statements = split_statements(sql);
        assert_eq!(statements.len(), 5, "{statements:#?}");
        assert!(statements[0].ends_with("DEFAULT 'it''s; fine')"));
        assert!(statements[1].starts_with("CREATE INDEX \"odd;name\""));
        assert!(statements[2].contains("SELECT 1; $body$ LANGUAGE sql"));
        assert_eq!(statements[3], "DO $$ BEGIN PERFORM 1; END $$");
        assert_eq!(statements[4], "SELECT $1::int");
    }

    #[test]
    fn every_tenant_migration_splits_into_whole_statements() {
        for migration in super::TENANT.iter() {
            for statement in split_statements(&migration.sql) {
                assert!(!statement.is_empty() && !statement.ends_with(';'), "{}: {statement}", migration.version);
            }
        }
    }
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
