//! Account and billing notices: each is one outbox message per recipient, in their language,
//! written with the change that causes it. The scheduled ones (a trial ending, in 3 days and
//! today) carry a dedupe key, so several app processes finding the same trial send it once; the
//! same pass removes workspaces whose owner never confirmed the signup address.
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::Executor;
use time::OffsetDateTime;

use super::{link, queue, sender, Recipient};
use crate::{
    model::Role,
    server::{
        db::{
            public::tenants,
            tenant::users::{self, UserRow},
        },
        mail::templates::Template,
        state::Core,
        tenancy::{context::TenantContext, db::TenantTx, slug::SchemaName, tenant::Tenant},
    },
};

/// How often the scheduled pass runs.
const PASS_EVERY: Duration = Duration::from_secs(60);
/// A workspace whose owner has not confirmed the address after this long is removed.
pub const UNVERIFIED_TTL: time::Duration = time::Duration::days(7);

fn to(user: &UserRow) -> Recipient<'_> {
    Recipient { email: &user.email, locale: user.locale() }
}

/// "Your password was changed; if it wasn't you, reset it."
pub async fn password_changed(
    core: &Core,
    tx: &mut TenantTx,
    tenant: &Tenant,
    user: &UserRow,
) -> Result<(), sqlx::Error> {
    let from = sender(tx, tenant).await?;
    let reset_link = link(&core.settings, "/forgot-password");
    let template = Template::PasswordChanged { name: &user.name, reset_link: &reset_link };
    queue(tx.conn(), &from, &to(user), &template, None).await?;
    Ok(())
}

/// Wrong passwords from `address` used up its allowance for the account: the account's owner
/// hears of it (once per window: the counter reaches the limit once).
pub async fn sign_ins_paused(core: &Core, tenant: &Tenant, user: &UserRow, address: &str) -> Result<(), sqlx::Error> {
    let mut tx = tenant.db(&core.pool).begin().await?;
    let from = sender(&mut tx, tenant).await?;
    let reset_link = link(&core.settings, "/forgot-password");
    let template = Template::SignInsPaused { name: &user.name, address, link: &reset_link };
    queue(tx.conn(), &from, &to(user), &template, None).await?;
    tx.commit().await
}

/// Two-step sign-in turned on or off by the user, or reset by a manager (`by`).
pub async fn mfa_changed(
    core: &Core,
    tx: &mut TenantTx,
    tenant: &Tenant,
    user: &UserRow,
    enabled: bool,
    by: Option<&str>,
) -> Result<(), sqlx::Error> {
    let from = sender(tx, tenant).await?;
    let profile = link(&core.settings, "/profile");
    let template = Template::MfaChanged { name: &user.name, enabled, by, link: &profile };
    queue(tx.conn(), &from, &to(user), &template, None).await?;
    Ok(())
}

/// The address changed: told to the old address (the one that may have been taken over) and
/// the new one.
pub async fn email_changed(
    core: &Core,
    tx: &mut TenantTx,
    tenant: &Tenant,
    user: &UserRow,
    old_email: &str,
) -> Result<(), sqlx::Error> {
    let from = sender(tx, tenant).await?;
    let reset_link = link(&core.settings, "/forgot-password");
    let template = Template::EmailChanged { name: &user.name, old: old_email, new: &user.email, link: &reset_link };
    for email in [old_email, user.email.as_str()] {
        let recipient = Recipient { email, locale: user.locale() };
        queue(tx.conn(), &from, &recipient, &template, None).await?;
    }
    Ok(())
}

/// A billing event, told to every active owner.
pub enum BillingNotice<'a> {
    PaymentOverdue,
    SubscriptionCanceled,
    PlanChanged { plan: &'a str },
}

pub async fn billing(
    core: &Core,
    tx: &mut TenantTx,
    tenant: &Tenant,
    notice: BillingNotice<'_>,
) -> Result<(), sqlx::Error> {
    let from = sender(tx, tenant).await?;
    let billing_link = link(&core.settings, "/billing");
    for owner in users::active_owners(tx).await? {
        let template = match notice {
            BillingNotice::PaymentOverdue => Template::PaymentOverdue { name: &owner.name, link: &billing_link },
            BillingNotice::SubscriptionCanceled => {
                Template::SubscriptionCanceled { name: &owner.name, link: &billing_link }
            }
            BillingNotice::PlanChanged { plan } => {
                Template::PlanChanged { name: &owner.name, plan, link: &billing_link }
            }
        };
        queue(tx.conn(), &from, &to(&owner), &template, None).await?;
    }
    Ok(())
}

/// A webhook endpoint was switched off after failing for days: every active owner is told.
pub async fn webhook_disabled(core: &Core, tx: &mut TenantTx, tenant: &Tenant, url: &str) -> Result<(), sqlx::Error> {
    let from = sender(tx, tenant).await?;
    let page = link(&core.settings, "/company/webhooks");
    let days = (core.settings.webhooks.disable_after.as_secs() / 86_400) as i64;
    for owner in users::active_owners(tx).await? {
        let template = Template::WebhookDisabled { name: &owner.name, url, days, link: &page };
        queue(tx.conn(), &from, &to(&owner), &template, None).await?;
    }
    Ok(())
}

/// What identifies the browser of a sign-in: the device cookie, or for clients without one the
/// user agent.
pub struct SignIn<'a> {
    pub device: &'a str,
    pub address: &'a str,
    pub user_agent: &'a str,
}

/// Records the browser a user signed in from; an owner or manager signing in from one not seen
/// before (when they have signed in before) is told, once per browser.
pub async fn signed_in(core: &Core, ctx: &TenantContext, sign_in: &SignIn<'_>) -> Result<(), sqlx::Error> {
    let device = Sha256::digest(sign_in.device.as_bytes()).to_vec();
    let mut tx = ctx.db.begin().await?;
    let sql = tx.sql(
        // `excluded`, not now(), in the update: Citus accepts only immutable expressions there.
        "INSERT INTO {t}.known_devices (user_id, device_hash, last_seen_at) VALUES ($1, $2, now()) \
         ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at \
         RETURNING (xmax = 0) AS inserted",
    );
    let inserted: bool = sqlx::query_scalar(&sql).bind(ctx.user.id).bind(&device).fetch_one(tx.conn()).await?;
    if !(inserted && ctx.user.role >= Role::Manager) {
        return tx.commit().await;
    }
    // A user's first browser is not a "new" one: there is nothing to compare it with.
    let sql = tx.sql("SELECT count(*) FROM {t}.known_devices WHERE user_id = $1");
    let known: i64 = sqlx::query_scalar(&sql).bind(ctx.user.id).fetch_one(tx.conn()).await?;
    if known > 1 {
        let from = sender(&mut tx, &ctx.tenant).await?;
        let when = OffsetDateTime::now_utc();
        let when = format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            when.year(),
            u8::from(when.month()),
            when.day(),
            when.hour(),
            when.minute()
        );
        let reset_link = link(&core.settings, "/forgot-password");
        let template = Template::NewSignIn {
            name: &ctx.user.name,
            when: &when,
            address: sign_in.address,
            browser: sign_in.user_agent,
            link: &reset_link,
        };
        let key = format!("new_sign_in:{}:{}:{}", ctx.tenant.id, ctx.user.id, crate::server::text::hex(&device));
        queue(tx.conn(), &from, &to(&ctx.user), &template, Some(&key)).await?;
    }
    tx.commit().await
}

/// Trials ending within 3 days (told once, between 3 and 2 days before) and within a day (once,
/// "today"): queues the notices due now; answers how many were queued.
pub async fn trial_notices(core: &Core) -> Result<usize, sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    let day = time::Duration::days(1);
    let mut queued = 0;
    for (days_left, from, until) in [(3, now + 2 * day, now + 3 * day), (0, now, now + day)] {
        for tenant in tenants::trials_ending(&core.pool, from, until).await? {
            let ends = tenant.trial_ends_at.map(|t| t.unix_timestamp()).unwrap_or_default();
            let mut tx = tenant.db(&core.pool).begin().await?;
            let from = sender(&mut tx, &tenant).await?;
            let billing_link = link(&core.settings, "/billing");
            for owner in users::active_owners(&mut tx).await? {
                let key = format!("trial_ending_{days_left}:{}:{ends}:{}", tenant.id, owner.id);
                let template = Template::TrialEnding { name: &owner.name, days_left, link: &billing_link };
                if queue(tx.conn(), &from, &to(&owner), &template, Some(&key)).await? {
                    queued += 1;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(queued)
}

/// Removes workspaces whose owner did not confirm the signup address within
/// [`UNVERIFIED_TTL`]: schema, registry row (freeing the slug and the CNPJ/CPF), checkouts and
/// mail. Answers how many were removed.
pub async fn remove_unverified(core: &Core) -> Result<usize, sqlx::Error> {
    let cutoff = OffsetDateTime::now_utc() - UNVERIFIED_TTL;
    let mut removed = 0;
    loop {
        let mut tx = core.pool.begin().await?;
        let Some((id, slug, schema)) = tenants::lock_one_unverified(&mut tx, cutoff).await? else { break };
        let Some(schema) = SchemaName::from_registry(&schema) else {
            tracing::error!(%slug, "registry holds an invalid schema name; not removed");
            break;
        };
        tx.execute(&*format!("DROP SCHEMA IF EXISTS {} CASCADE", schema.quoted())).await?;
        tenants::delete(&mut tx, id).await?;
        tx.commit().await?;
        if let Ok(slug) = crate::server::tenancy::slug::Slug::parse(&slug) {
            core.tenants.evict(&slug);
        }
        tracing::info!(%slug, "unverified workspace removed");
        removed += 1;
    }
    Ok(removed)
}

/// The scheduled pass, every minute in every process (the dedupe keys and row locks make that safe).
pub fn run_in_background(core: &Core) {
    let core = core.clone();
    tokio::spawn(async move {
        loop {
            if let Err(err) = trial_notices(&core).await {
                tracing::warn!(error = %err, "trial notices pass failed");
            }
            if let Err(err) = remove_unverified(&core).await {
                tracing::warn!(error = %err, "removing unverified workspaces failed");
            }
            if let Err(err) = crate::server::services::lockout::purge(&core).await {
                tracing::warn!(error = %err, "purging sign-in counters failed");
            }
            tokio::time::sleep(PASS_EVERY).await;
        }
    });
}
