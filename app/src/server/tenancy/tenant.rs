//! A tenant as the registry (`public.tenants`) describes it.
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    db::TenantDb,
    slug::{SchemaName, Slug},
};
use crate::model::SubscriptionStatus;

/// A row of the shared registry, with the plan's display name.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: Slug,
    pub name: String,
    pub schema: SchemaName,
    pub plan_id: String,
    pub plan_name: String,
    pub status: SubscriptionStatus,
    pub trial_ends_at: Option<OffsetDateTime>,
    /// The owner confirmed the address given at signup (checkout and invitations wait for it).
    pub email_verified: bool,
    /// The company requires every user to sign in with a second factor.
    pub mfa_required: bool,
    /// The plan's quota on the JSON API (`/api/v1`), shared by every node.
    pub api_requests_per_minute: u32,
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
            status: SubscriptionStatus::Trialing,
            trial_ends_at: None,
            email_verified: true,
            mfa_required: false,
            api_requests_per_minute: 600,
        }
    }

    /// Paid up, or in a trial that has not ended: the tenant's data may change. A past-due,
    /// canceled or expired-trial tenant keeps read access only.
    pub fn accepts_writes(&self) -> bool {
        match self.status {
            SubscriptionStatus::Active => true,
            SubscriptionStatus::Trialing => self.trial_ends_at.is_none_or(|end| end > OffsetDateTime::now_utc()),
            SubscriptionStatus::PastDue | SubscriptionStatus::Canceled => false,
        }
    }

    /// Checkout and invitations wait until the owner confirmed the signup address.
    pub fn ensure_verified(&self) -> Result<(), crate::error::AppError> {
        if self.email_verified {
            return Ok(());
        }
        Err(crate::error::AppError::EmailUnverified)
    }

    pub fn db(&self, pool: &PgPool) -> TenantDb {
        TenantDb::new(pool, self.schema.clone())
    }
}
