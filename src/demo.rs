//! The demo tenant a newcomer signs into. Idempotent: run it as often as you like.
use anyhow::anyhow;
use uuid::Uuid;

use app::{
    i18n::Locale,
    model::Role,
    server::{
        db::tenant::users::{self, NewUser},
        password,
        services::provisioning,
        state::Core,
        tenancy::slug::Slug,
    },
};

/// (name, email, role). All demo users share one documented password.
pub const USERS: &[(&str, &str, Role)] = &[
    ("Olivia Owner", "owner@demo.test", Role::Owner),
    ("Marcos Manager", "manager@demo.test", Role::Manager),
    ("Ana Attendant", "ana@demo.test", Role::Attendant),
    ("Bruno Attendant", "bruno@demo.test", Role::Attendant),
    ("Carla Attendant", "carla@demo.test", Role::Attendant),
];
pub const PASSWORD: &str = "demo-password-2026";

pub async fn seed(core: &Core) -> anyhow::Result<()> {
    let slug = Slug::parse("demo").expect("valid slug");
    let hash = password::hash(PASSWORD.to_string()).await.map_err(|e| anyhow!("{e}"))?;
    let tenant = match core.tenants.get(&slug).await.map_err(|e| anyhow!("{e}"))? {
        Some(t) => t,
        None => {
            let (name, email, _) = USERS[0];
            let owner = provisioning::NewOwner { name, email, password_hash: &hash, locale: Locale::default() };
            provisioning::provision(
                core,
                &slug,
                &provisioning::NewCompany {
                    name: "Demo Ltda",
                    plan_id: "professional",
                    document: None,
                    trial_ends_at: None,
                    email_verified: true,
                },
                &owner,
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
            core.tenants.get(&slug).await.map_err(|e| anyhow!("{e}"))?.ok_or_else(|| anyhow!("demo tenant vanished"))?
        }
    };
    let tdb = tenant.db(&core.pool);
    for &(name, email, role) in &USERS[1..] {
        if users::find_credentials(&tdb, email).await?.is_some() {
            continue;
        }
        let mut tx = tdb.begin().await?;
        let new =
            NewUser { id: Uuid::new_v4(), name, email, password_hash: Some(&hash), role, locale: Locale::default() };
        users::insert(&mut tx, &new).await?;
        tx.commit().await?;
    }
    println!("demo tenant ready — workspace: demo, password for every user: {PASSWORD}");
    for (name, email, role) in USERS {
        println!("  {:<11} {email:<20} {name}", role.as_str());
    }
    Ok(())
}
