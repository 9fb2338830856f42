//! The registry, read through a short-lived cache: every authenticated request needs its
//! tenant, and the registry changes rarely (changes made here evict their entry at once).
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use sqlx::PgPool;

use super::{slug::Slug, tenant::Tenant};
use crate::server::db::public::tenants;

#[derive(Clone)]
pub struct TenantDirectory {
    pool: PgPool,
    cache: Arc<RwLock<DirectoryCache>>,
    /// `ATRIUM_BILLING_GRACE_DAYS`, given to every tenant it loads.
    billing_grace: time::Duration,
}

/// slug → (when it was read, the tenant).
type DirectoryCache = HashMap<String, (Instant, Arc<Tenant>)>;

const DIRECTORY_TTL: Duration = Duration::from_secs(10);

impl TenantDirectory {
    pub fn new(pool: PgPool, billing_grace: time::Duration) -> Self {
        TenantDirectory { pool, cache: Arc::default(), billing_grace }
    }

    pub async fn get(&self, slug: &Slug) -> Result<Option<Arc<Tenant>>, sqlx::Error> {
        if let Some((at, tenant)) = self.cache.read().expect("directory lock").get(slug.as_str()) {
            if at.elapsed() < DIRECTORY_TTL {
                return Ok(Some(tenant.clone()));
            }
        }
        let Some(tenant) = tenants::find_by_slug(&self.pool, slug).await? else {
            return Ok(None);
        };
        let tenant = Arc::new(Tenant { billing_grace: self.billing_grace, ..tenant });
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
