//! The tenancy core: slugs and schema names, the registry lookup, the one tenant middleware, and
//! [`TenantDb`] — the only handle through which anything reads or writes a tenant's tables.
//!
//! Access pattern (chosen by measurement, see docs/ARCHITECTURE.md): statements name the tenant's
//! schema explicitly (`{t}.users` becomes `"t_acme".users`), so a single read is one prepared
//! statement with no transaction; multi-statement writes use [`TenantTx`], whose `BEGIN` and
//! transaction-local `search_path` go to the server in one round trip. Nothing ever sets a
//! session-level search_path on a pooled connection, and the default search_path holds no tenant
//! tables, so an unqualified tenant query fails instead of reading someone else's rows.
use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use sqlx::{pool::PoolConnection, PgConnection, PgPool, Postgres, Transaction};
use tower_sessions::Session;
use uuid::Uuid;

use super::{db::users::UserRow, state::AppState, web_session};
use crate::{error::AppError, i18n::Locale, url::urlencode};

/// Words that can never be a tenant slug: they name system schemas, routes or roles.
const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "app",
    "assets",
    "auth",
    "billing",
    "console",
    "dashboard",
    "default",
    "docs",
    "help",
    "information-schema",
    "internal",
    "login",
    "logout",
    "mail",
    "me",
    "null",
    "pg",
    "pkg",
    "postgres",
    "public",
    "root",
    "rpc",
    "settings",
    "signup",
    "static",
    "status",
    "support",
    "system",
    "template",
    "tenant",
    "tenants",
    "www",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugError {
    Length,
    Characters,
    Reserved,
}

impl fmt::Display for SlugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SlugError::Length => "must be 2 to 40 characters long",
            SlugError::Characters => {
                "must start with a letter and use only lowercase letters, digits and single hyphens"
            }
            SlugError::Reserved => "is reserved",
        })
    }
}

/// A tenant's immutable, validated identifier: `^[a-z](-?[a-z0-9])+$`, 2–40 characters, not reserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Slug, SlugError> {
        if !(2..=40).contains(&input.len()) {
            return Err(SlugError::Length);
        }
        let bytes = input.as_bytes();
        let valid = bytes[0].is_ascii_lowercase()
            && bytes[bytes.len() - 1] != b'-'
            && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && !input.contains("--");
        if !valid {
            return Err(SlugError::Characters);
        }
        if RESERVED_SLUGS.contains(&input) || input.starts_with("pg-") {
            return Err(SlugError::Reserved);
        }
        Ok(Slug(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `t_` + the slug with `-` as `_`: injective (slugs have no `_`), always a plain identifier,
    /// and never a system schema (`pg_*`, `public`, `information_schema`).
    pub fn schema_name(&self) -> SchemaName {
        SchemaName(format!("t_{}", self.0.replace('-', "_")))
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant schema's name; only ever made from a [`Slug`], so it is safe to splice into SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

impl SchemaName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts a name read back from the registry, re-checking it has the shape we generate.
    pub fn from_registry(name: &str) -> Option<SchemaName> {
        let slug = name.strip_prefix("t_")?.replace('_', "-");
        let schema = Slug::parse(&slug).ok()?.schema_name();
        (schema.0 == name).then_some(schema)
    }

    /// A spare schema's name, generated and checked by provisioning.
    pub(crate) fn spare(name: &str) -> SchemaName {
        SchemaName(name.to_string())
    }

    /// Double-quoted identifier (the name holds only `[a-z0-9_]`, quoting is for clarity).
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }

    /// A statement template with `{t}` naming this schema: `{t}.users` → `"t_acme".users`.
    pub fn expand(&self, template: &str) -> String {
        template.replace("{t}", &self.quoted())
    }
}

/// A row of the shared registry, with the plan's display name.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: Slug,
    pub name: String,
    pub schema: SchemaName,
    pub plan_id: String,
    pub plan_name: String,
    pub status: String,
    pub trial_ends_at: Option<time::OffsetDateTime>,
}

impl Tenant {
    #[cfg(test)]
    pub fn for_tests(slug: &str) -> Tenant {
        let slug = Slug::parse(slug).unwrap();
        Tenant {
            id: Uuid::new_v4(),
            schema: slug.schema_name(),
            slug,
            name: "Test".into(),
            plan_id: "starter".into(),
            plan_name: "Starter".into(),
            status: "trialing".into(),
            trial_ends_at: None,
        }
    }

    /// Paid up, or in a trial that has not ended: the tenant's data may change. A past-due,
    /// canceled or expired-trial tenant keeps read access only.
    pub fn accepts_writes(&self) -> bool {
        match self.status.as_str() {
            "active" => true,
            "trialing" => self.trial_ends_at.is_none_or(|end| end > time::OffsetDateTime::now_utc()),
            _ => false,
        }
    }

    pub fn db(&self, pool: &PgPool) -> TenantDb {
        TenantDb { pool: pool.clone(), schema: self.schema.clone() }
    }
}

/// The registry, read through a short-lived cache: every authenticated request needs its
/// tenant, and the registry changes rarely (changes made here evict their entry at once).
#[derive(Clone)]
pub struct TenantDirectory {
    pool: PgPool,
    cache: Arc<RwLock<DirectoryCache>>,
}

/// slug → (when it was read, the tenant).
type DirectoryCache = HashMap<String, (Instant, Arc<Tenant>)>;

const DIRECTORY_TTL: Duration = Duration::from_secs(10);

impl TenantDirectory {
    pub fn new(pool: PgPool) -> Self {
        TenantDirectory { pool, cache: Arc::default() }
    }

    pub async fn get(&self, slug: &Slug) -> Result<Option<Arc<Tenant>>, AppError> {
        if let Some((at, tenant)) = self.cache.read().expect("directory lock").get(slug.as_str()) {
            if at.elapsed() < DIRECTORY_TTL {
                return Ok(Some(tenant.clone()));
            }
        }
        let Some(tenant) = super::db::tenants::find_by_slug(&self.pool, slug).await? else {
            return Ok(None);
        };
        let tenant = Arc::new(tenant);
        let mut cache = self.cache.write().expect("directory lock");
        if cache.len() > 10_000 {
            cache.retain(|_, (at, _)| at.elapsed() < DIRECTORY_TTL);
        }
        cache.insert(slug.as_str().to_string(), (Instant::now(), tenant.clone()));
        Ok(Some(tenant))
    }

    pub fn evict(&self, slug: &Slug) {
        self.cache.write().expect("directory lock").remove(slug.as_str());
    }
}

/// The tenant-scoped database handle. Repositories accept only this (or a [`TenantTx`] begun
/// from it); it is obtained from a [`TenantContext`] or, while provisioning, from the new tenant.
#[derive(Clone)]
pub struct TenantDb {
    pool: PgPool,
    schema: SchemaName,
}

impl TenantDb {
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
        let tx = self.pool.begin_with(begin_statement(&self.schema)).await?;
        Ok(TenantTx { tx, schema: self.schema.clone() })
    }
}

fn begin_statement(schema: &SchemaName) -> String {
    format!("BEGIN; {}", begin_statement_tail(schema))
}

/// Points the current transaction (only) at the tenant's schema.
pub(crate) fn begin_statement_tail(schema: &SchemaName) -> String {
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

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    Bearer,
    Session,
}

/// The authenticated tenant and user of a request: the only way to a [`TenantDb`] for request
/// handling. Put into the request's extensions by [`tenant_middleware`].
#[derive(Clone)]
pub struct TenantContext {
    pub tenant: Arc<Tenant>,
    pub db: TenantDb,
    pub user: UserRow,
    pub via: AuthVia,
}

impl TenantContext {
    /// Called by every service that changes the tenant's business data.
    pub fn ensure_writable(&self) -> Result<(), AppError> {
        if self.tenant.accepts_writes() {
            Ok(())
        } else {
            Err(AppError::SubscriptionInactive)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TenantContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<TenantContext>()
            .cloned()
            .ok_or_else(|| AppError::unauthorized("Authentication required"))
    }
}

/// The language a page is rendered in, decided per request.
#[derive(Debug, Clone, Copy)]
pub struct RequestLocale(pub Locale);

/// Paths that anyone may open; every other page needs a signed-in browser session.
fn is_public_page(path: &str) -> bool {
    path == "/login"
        || path == "/signup"
        || crate::server::services::billing::is_local_checkout_path(path)
        || path.starts_with("/pkg/")
        || path.starts_with("/rpc/")
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// THE tenant middleware. `/api/v1/*` authenticates by `Authorization: Bearer` + `X-Tenant`;
/// pages and server functions by the browser session. Both end in the same [`TenantContext`].
pub async fn tenant_middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        match authenticate_bearer(&state, req.headers()).await {
            Ok(ctx) => {
                req.extensions_mut().insert(ctx);
            }
            Err(err) => return err.into_response(),
        }
    } else if !path.starts_with("/api/") {
        if !is_safe_method(req.method()) && is_cross_site(req.headers()) {
            return AppError::CrossSite.into_response();
        }
        let session = req.extensions().get::<Session>().cloned();
        let ctx = match session {
            Some(session) => match web_session::authenticate(&state, &session).await {
                Ok(ctx) => ctx,
                Err(err) => return err.into_response(),
            },
            None => None,
        };
        let locale = decide_locale(req.headers(), ctx.as_ref());
        req.extensions_mut().insert(RequestLocale(locale));
        match ctx {
            Some(ctx) => {
                req.extensions_mut().insert(ctx);
            }
            None if req.method() == Method::GET && !is_public_page(&path) => {
                let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                return Redirect::to(&format!("/login?next={}", urlencode(target))).into_response();
            }
            None => {}
        }
    }
    next.run(req).await
}

async fn authenticate_bearer(state: &AppState, headers: &HeaderMap) -> Result<TenantContext, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| AppError::unauthorized("Missing bearer token"))?;
    let x_tenant = headers.get("x-tenant").ok_or_else(|| AppError::unauthorized("Missing X-Tenant header"))?;
    let claims =
        state.tokens.verify_access(token.trim()).ok_or_else(|| AppError::unauthorized("Invalid or expired token"))?;
    if x_tenant.as_bytes() != claims.tenant.as_bytes() {
        return Err(AppError::unauthorized("X-Tenant does not match the token's tenant"));
    }
    let slug = Slug::parse(&claims.tenant).map_err(|_| AppError::unauthorized("Invalid or expired token"))?;
    resolve(state, &slug, claims.company_id, claims.sub, claims.sv, AuthVia::Bearer)
        .await?
        .ok_or_else(|| AppError::unauthorized("Invalid or expired token"))
}

/// Loads the tenant and the user a credential names, and checks the credential is still current.
/// `None` when the tenant or user is gone, the user is inactive, or the security version moved.
pub(crate) async fn resolve(
    state: &AppState,
    slug: &Slug,
    tenant_id: Uuid,
    user_id: Uuid,
    security_version: i32,
    via: AuthVia,
) -> Result<Option<TenantContext>, AppError> {
    let Some(tenant) = state.tenants.get(slug).await? else { return Ok(None) };
    if tenant.id != tenant_id {
        return Ok(None);
    }
    let db = tenant.db(&state.pool);
    let Some(user) = state.users.load(&db, user_id).await? else { return Ok(None) };
    if !user.active || user.security_version != security_version {
        return Ok(None);
    }
    Ok(Some(TenantContext { tenant, db, user, via }))
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser tells us where a request comes from: `Sec-Fetch-Site` in current browsers, `Origin`
/// in older ones. Requests from another site must not ride on the user's cookie.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("null");
    origin_host != host
}

/// An explicit choice (cookie) first, then the user's setting, then the browser's languages.
fn decide_locale(headers: &HeaderMap, ctx: Option<&TenantContext>) -> Locale {
    web_session::cookie(headers, crate::i18n::LOCALE_COOKIE)
        .and_then(|v| Locale::parse(&v))
        .or_else(|| ctx.map(|c| c.user.locale()))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        for ok in ["ab", "acme", "clinica-abc", "a1", "empresa-xyz-2", &"a".repeat(40)] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("a", SlugError::Length),
            (&"a".repeat(41) as &str, SlugError::Length),
            ("1abc", SlugError::Characters),
            ("-abc", SlugError::Characters),
            ("abc-", SlugError::Characters),
            ("a--b", SlugError::Characters),
            ("Acme", SlugError::Characters),
            ("a_b", SlugError::Characters),
            ("a b", SlugError::Characters),
            ("acme'; drop schema public; --", SlugError::Characters),
            ("ação", SlugError::Characters),
            ("public", SlugError::Reserved),
            ("pg-catalog", SlugError::Reserved),
            ("information-schema", SlugError::Reserved),
            ("api", SlugError::Reserved),
            ("admin", SlugError::Reserved),
            ("www", SlugError::Reserved),
        ] {
            assert_eq!(Slug::parse(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn schema_names_are_derived_and_rechecked() {
        let schema = Slug::parse("clinica-abc").unwrap().schema_name();
        assert_eq!(schema.as_str(), "t_clinica_abc");
        assert_eq!(SchemaName::from_registry("t_clinica_abc"), Some(schema));
        assert_eq!(SchemaName::from_registry("public"), None);
        assert_eq!(SchemaName::from_registry("t_x\"; drop"), None);
        assert_eq!(SchemaName::from_registry("t_a__b"), None);
    }

    #[test]
    fn cross_site_detection() {
        let mut h = HeaderMap::new();
        assert!(!is_cross_site(&h), "non-browser clients send neither header");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(is_cross_site(&h));
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!is_cross_site(&h));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        h.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert!(!is_cross_site(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(is_cross_site(&h));
    }
}
