//! The database handles of one tenant: [`TenantDb`] (single statements and transactions),
//! [`TenantConn`] (a held connection) and [`TenantTx`]. Repositories accept nothing else.
//!
//! Access pattern (chosen by measurement, see docs/PERFORMANCE.md): statements name the tenant's
//! schema explicitly (`{t}.users` becomes `"t_acme".users`), so a single read is one prepared
//! statement with no transaction; multi-statement writes use [`TenantTx`], whose `BEGIN` and
//! transaction-local `search_path` go to the server in one round trip. Nothing ever sets a
//! session-level search_path on a pooled connection, and the default search_path holds no tenant
//! tables, so an unqualified tenant query fails instead of reading someone else's rows.
use sqlx::{pool::PoolConnection, PgConnection, PgPool, Postgres, Transaction};

use super::slug::SchemaName;

/// The tenant-scoped database handle. Obtained from a `TenantContext`, from a registry row
/// (`Tenant::db`) in the public flows that name their tenant, or while provisioning.
#[derive(Clone)]
pub struct TenantDb {
    pool: PgPool,
    schema: SchemaName,
}

impl TenantDb {
    pub fn new(pool: &PgPool, schema: SchemaName) -> TenantDb {
        TenantDb { pool: pool.clone(), schema }
    }

    /// Expands `{t}` in a statement to this tenant's quoted schema name.
    pub fn sql(&self, template: &str) -> String {
        self.schema.expand(template)
    }

    pub fn schema(&self) -> &SchemaName {
        &self.schema
    }

    /// The executor for single statements built with [`TenantDb::sql`].
    pub fn executor(&self) -> &PgPool {
        &self.pool
    }

    /// One pooled connection for several statements in a row (no transaction, no search_path):
    /// statements name the schema, as with [`TenantDb::executor`].
    pub async fn acquire(&self) -> Result<TenantConn, sqlx::Error> {
        Ok(TenantConn { conn: self.pool.acquire().await?, schema: self.schema.clone() })
    }

    /// A transaction whose `search_path` is this tenant's schema until it ends (`SET LOCAL`
    /// semantics), begun in one round trip.
    pub async fn begin(&self) -> Result<TenantTx, sqlx::Error> {
        let tx = self.pool.begin_with(format!("BEGIN; {}", search_path_statement(&self.schema))).await?;
        Ok(TenantTx { tx, schema: self.schema.clone() })
    }
}

/// Points the current transaction (only) at the tenant's schema.
pub(crate) fn search_path_statement(schema: &SchemaName) -> String {
    format!("SELECT set_config('search_path', '{}', true)", schema.quoted())
}

/// A pooled connection held for one tenant's schema-qualified statements; back to the pool on drop.
pub struct TenantConn {
    conn: PoolConnection<Postgres>,
    schema: SchemaName,
}

impl TenantConn {
    pub fn sql(&self, template: &str) -> String {
        self.schema.expand(template)
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// A transaction inside one tenant's schema.
pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    schema: SchemaName,
}

impl TenantTx {
    /// A plain transaction for provisioning a tenant whose schema does not exist yet; the
    /// provisioner sets the search_path once the schema is created.
    pub(crate) async fn for_provisioning(pool: &PgPool, schema: SchemaName) -> Result<TenantTx, sqlx::Error> {
        Ok(TenantTx { tx: pool.begin().await?, schema })
    }

    /// Continues a transaction begun on the shared schema (a webhook finds its tenant midway)
    /// inside `schema`: from here on both schemas' statements commit together.
    pub async fn enter(mut tx: Transaction<'static, Postgres>, schema: SchemaName) -> Result<TenantTx, sqlx::Error> {
        sqlx::Executor::execute(&mut *tx, &*search_path_statement(&schema)).await?;
        Ok(TenantTx { tx, schema })
    }

    pub fn schema(&self) -> &SchemaName {
        &self.schema
    }

    pub fn sql(&self, template: &str) -> String {
        self.schema.expand(template)
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}
