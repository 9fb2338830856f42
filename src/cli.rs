//! The command line of the server binary.
use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand};

use crate::{config::Config, demo, startup};
use app::{
    error::AppError,
    i18n::Locale,
    server::{
        migrate, password,
        services::{profile::check_password_policy, provisioning},
        state::Core,
        tenancy::slug::Slug,
    },
};

/// Every setting is an environment variable; `--help` shows them from `.env.example`, the one
/// place they are documented.
#[derive(Parser)]
#[command(
    name = "atrium",
    about = "Atrium multi-tenant SaaS server",
    after_help = concat!("Settings (environment variables):\n\n", include_str!("../.env.example"))
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the JSON API (the default).
    Serve,
    /// Apply the shared migrations, then the tenant migrations to every tenant schema.
    Migrate,
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Migrate and seed the demo tenant (slug `demo`); prints its credentials.
    Demo,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Provision a complete tenant atomically: registry row, schema, tables and owner.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long)]
        owner_name: String,
        #[arg(long, env = "ATRIUM_OWNER_PASSWORD", hide_env_values = true)]
        owner_password: String,
        #[arg(long, default_value = "starter")]
        plan: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = startup::Application::build(&config).await?;
            tracing::info!("listening on http://{}:{}", config.addr.ip(), app.port());
            app.run_until_stopped().await
        }
        Command::Migrate => migrate_all(&config).await,
        Command::Demo => {
            if config.settings.production {
                bail!("`atrium demo` seeds a writable workspace whose password is in the README: development only");
            }
            migrate_all(&config).await?;
            demo::seed(&core(&config).await?).await
        }
        Command::Tenant {
            command: TenantCommand::Create { slug, name, owner_email, owner_name, owner_password, plan },
        } => {
            let core = core(&config).await?;
            let slug = Slug::parse(&slug).map_err(|e| anyhow!("--slug {e}"))?;
            if let Some(problem) = check_password_policy(&owner_password, &[slug.as_str(), &name, &owner_email]) {
                bail!("--owner-password {problem}");
            }
            let hash = password::hash(owner_password).await.map_err(|e| anyhow!("{e}"))?;
            let owner = provisioning::NewOwner {
                name: &owner_name,
                email: &owner_email,
                password_hash: &hash,
                locale: Locale::default(),
            };
            match provisioning::provision(
                &core,
                &slug,
                &provisioning::NewCompany {
                    name: &name,
                    plan_id: &plan,
                    document: None,
                    trial_ends_at: None,
                    email_verified: true,
                },
                &owner,
            )
            .await
            {
                Ok(done) => {
                    println!("created tenant {slug} ({}) with owner {owner_email}", done.tenant_id);
                    Ok(())
                }
                Err(AppError::Taken { detail, .. }) => bail!("{detail}"),
                Err(err) => bail!("provisioning failed: {err}"),
            }
        }
    }
}

async fn core(config: &Config) -> anyhow::Result<Core> {
    let pool = startup::connect(config).await?;
    startup::core(pool, config)
}

async fn migrate_all(config: &Config) -> anyhow::Result<()> {
    let pool = startup::connect(config).await?;
    migrate::run_public(&pool).await?;
    let added = migrate::join_citus_metadata(&pool).await.context("adding the shared tables to Citus metadata")?;
    if added > 0 {
        println!("citus: {added} shared table(s) added to the metadata (two-phase commit with tenant schemas)");
    }
    let report = migrate::run_all_tenants(&pool).await?;
    println!(
        "migrations: shared schema up to date; tenants migrated: {}, already up to date: {}, failed: {}",
        report.migrated,
        report.up_to_date,
        report.failed.len()
    );
    for (slug, err) in &report.failed {
        eprintln!("  tenant {slug}: {err}");
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        bail!("{} tenant(s) failed to migrate", report.failed.len())
    }
}
