//! Schema migrations: `migrations/public` once for the shared registry, `migrations/tenant` into
//! every tenant schema, each schema recording its own applied versions.
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
    for migration in TENANT.iter() {
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
    let mut report = TenantReport::default();
    for tenant in db::tenants::all(pool).await? {
        let result = async {
            let mut tx = tenant.db(pool).begin().await.map_err(|e| e.to_string())?;
            let applied = apply_tenant(&mut tx).await?;
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
    Ok(report)
}
