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
    /// The end of the paid period (moved a period on by each confirmed payment).
    pub current_period_end: Option<OffsetDateTime>,
    /// How long past `current_period_end` the workspace stays writable while unpaid
    /// (`ATRIUM_BILLING_GRACE_DAYS`, set by the directory; 7 days elsewhere).
    pub billing_grace: time::Duration,
    /// The owner confirmed the address given at signup (checkout and invitations wait for it).
    pub email_verified: bool,
    /// The company requires every user to sign in with a second factor.
    pub mfa_required: bool,
    /// The plan's quota on the JSON API (`/api/v1`), shared by every node.
    pub api_requests_per_minute: u32,
    /// The plan includes outbound webhooks (not the starter plan).
    pub webhooks_enabled: bool,
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
            current_period_end: None,
            billing_grace: time::Duration::days(7),
            email_verified: true,
            mfa_required: false,
            api_requests_per_minute: 600,
            webhooks_enabled: false,
        }
    }

    /// Paid up, or in a trial that has not ended: the tenant's data may change. An active or
    /// past-due workspace writes until its paid period's end plus the grace, a canceled one until
    /// its paid period's end, whether or not a webhook ever said the period ended; afterwards,
    /// and after a trial's end, it keeps read access only.
    pub fn accepts_writes(&self) -> bool {
        let now = OffsetDateTime::now_utc();
        match self.status {
            // Paid (or overdue): until the paid period's end plus the grace.
            SubscriptionStatus::Active | SubscriptionStatus::PastDue => {
                self.current_period_end.is_none_or(|end| end + self.billing_grace > now)
            }
            SubscriptionStatus::Trialing => self.trial_ends_at.is_none_or(|end| end > now),
            // Canceled: until the end of the period already paid, no grace.
            SubscriptionStatus::Canceled => self.current_period_end.is_some_and(|end| end > now),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_active_workspace_writes_until_its_period_end_plus_the_grace() {
        let now = OffsetDateTime::now_utc();
        let active = |ended_days_ago: i64| Tenant {
            status: SubscriptionStatus::Active,
            current_period_end: Some(now - time::Duration::days(ended_days_ago)),
            ..Tenant::for_tests("acme")
        };
        assert!(active(-20).accepts_writes(), "in the paid period");
        assert!(active(6).accepts_writes(), "within the 7-day grace");
        assert!(!active(8).accepts_writes(), "past the grace");
        let longer = Tenant { billing_grace: time::Duration::days(10), ..active(8) };
        assert!(longer.accepts_writes(), "the grace is a setting");
        assert!(Tenant { current_period_end: None, ..active(8) }.accepts_writes(), "no period recorded yet");
        let past_due = Tenant { status: SubscriptionStatus::PastDue, ..active(3) };
        assert!(past_due.accepts_writes(), "overdue within the grace");
        assert!(
            !Tenant { status: SubscriptionStatus::PastDue, ..active(8) }.accepts_writes(),
            "overdue past the grace"
        );
        let canceled = |ended_days_ago| Tenant { status: SubscriptionStatus::Canceled, ..active(ended_days_ago) };
        assert!(canceled(-3).accepts_writes(), "canceled: until the paid period's end");
        assert!(!canceled(1).accepts_writes(), "canceled: no grace");
        assert!(!Tenant { current_period_end: None, ..canceled(0) }.accepts_writes(), "canceled, never paid");
    }
}
