//! Provisioning as tenants accumulate (`scripts/bench provisioning`): with 0, 1,000 and 10,000
//! tenants present, the latency of provisioning a tenant (registry row, schema with every tenant
//! table, owner; the password hash is computed once beforehand) when the schema is made inline
//! and when a spare schema is taken, the latency of a whole `POST /api/signup/register` (argon2
//! included), and then the time `migrate` takes to apply one new tenant migration everywhere.
use std::{
    borrow::Cow,
    net::SocketAddr,
    time::{Duration, Instant},
};

use anyhow::Context;
use sqlx::{migrate::Migrator, postgres::PgPoolOptions, Connection, Executor, PgConnection, PgPool};

use app::{
    i18n::Locale,
    server::{
        migrate, password,
        services::provisioning::{self, NewCompany, NewOwner},
        settings::{PaymentSettings, ProviderSettings, Settings},
        state::Core,
        tenancy::slug::Slug,
    },
};
use atrium::{
    config::{Config, Secret},
    startup::{self, Application},
};

const SAMPLES: usize = 30;
const REGISTER_SAMPLES: usize = 15;
const FILL_WORKERS: usize = 4;

fn url_for(base: &str, db: &str) -> String {
    let (head, query) = base.split_once('?').map(|(h, q)| (h, format!("?{q}"))).unwrap_or((base, String::new()));
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = head[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(head.len());
    format!("{}/{db}{query}", &head[..host_end])
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx].as_secs_f64() * 1000.0
}

async fn tenant_count(pool: &PgPool) -> anyhow::Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(pool).await?;
    Ok(n as usize)
}

async fn provision_one(state: &Core, slug: &str, hash: &str) -> anyhow::Result<bool> {
    let slug = Slug::parse(slug).map_err(|e| anyhow::anyhow!("{slug}: {e}"))?;
    let owner = NewOwner { name: "Owner", email: "owner@bench.test", password_hash: hash, locale: Locale::En };
    let company = NewCompany {
        name: "Bench Ltda",
        plan_id: "starter",
        document: None,
        trial_ends_at: None,
        email_verified: true,
    };
    let done = provisioning::provision(state, &slug, &company, &owner).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(done.from_spare)
}

/// Adds tenants until `target` exist, several at a time (not measured).
async fn fill(state: &Core, target: usize, hash: &str) -> anyhow::Result<()> {
    let have = tenant_count(&state.pool).await?;
    if have >= target {
        return Ok(());
    }
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(have));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..FILL_WORKERS {
        let (state, hash, next) = (state.clone(), hash.to_string(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= target {
                    return Ok::<_, anyhow::Error>(());
                }
                provision_one(&state, &format!("fill-{i}"), &hash).await?;
                if (i + 1) % 1000 == 0 {
                    eprintln!("    {} tenants", i + 1);
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    eprintln!("    filled to {target} tenants in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn measure_provisioning(state: &Core, hash: &str, label: &str, spares: bool) -> anyhow::Result<Vec<Duration>> {
    sqlx::query("SELECT 1").execute(&state.pool).await?;
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        if spares {
            provisioning::make_spare(&state.pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let slug = format!("{label}-{i}");
        let started = Instant::now();
        let from_spare = provision_one(state, &slug, hash).await?;
        samples.push(started.elapsed());
        anyhow::ensure!(from_spare == spares, "{slug}: expected from_spare = {spares}");
    }
    Ok(samples)
}

async fn measure_register(address: &str, at: usize, state: &Core) -> anyhow::Result<Vec<Duration>> {
    let client = reqwest::Client::new();
    let mut samples = Vec::with_capacity(REGISTER_SAMPLES);
    for i in 0..REGISTER_SAMPLES {
        provisioning::make_spare(&state.pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let body = serde_json::json!({
            "company_name": format!("Register {at} {i}"),
            "document": cnpj((at * 100 + i) as u32),
            "document_type": "cnpj",
            "admin_name": "Admin",
            "admin_email": "admin@bench.test",
            "admin_password": "a quiet harbour at dawn",
            "plan": "starter",
        });
        let started = Instant::now();
        let res = client.post(format!("{address}/api/signup/register")).json(&body).send().await?;
        samples.push(started.elapsed());
        anyhow::ensure!(res.status() == 201, "register: {} {}", res.status(), res.text().await?);
    }
    Ok(samples)
}

fn cnpj(n: u32) -> String {
    let mut digits: Vec<u32> = format!("{n:08}0001").chars().map(|c| c.to_digit(10).unwrap_or(0)).collect();
    for weights in [&[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..], &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..]] {
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        let r = sum % 11;
        digits.push(if r < 2 { 0 } else { 11 - r });
    }
    digits.iter().map(|d| d.to_string()).collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin_url = std::env::var("DATABASE_URL").context("DATABASE_URL (admin database) is not set")?;
    let sizes: Vec<usize> = std::env::var("BENCH_TENANTS")
        .unwrap_or_else(|_| "0,1000,10000".into())
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .context("BENCH_TENANTS: comma-separated counts")?;
    let db = "atrium_bench_provisioning";
    let mut admin = PgConnection::connect(&admin_url).await?;
    admin.execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str()).await?;
    admin.execute(format!("CREATE DATABASE {db}").as_str()).await?;
    let url = url_for(&admin_url, db);
    let pool = PgPoolOptions::new().max_connections(8).connect(&url).await?;
    migrate::run_public(&pool).await?;

    // No background refill: spares are made explicitly, outside the timed section.
    let settings = Settings {
        auth_requests_per_minute: 1_000_000,
        signup_requests_per_minute: 1_000_000,
        spare_schemas: 0,
        payments: PaymentSettings { provider: ProviderSettings::Local, webhook_token: "bench-token".into() },
        ..Settings::default()
    };
    let secret = "bench-provisioning-secret-0123456789abcdef";
    let config = Config {
        database_url: url.clone(),
        addr: "127.0.0.1:0".parse::<SocketAddr>()?,
        pool_size: 8,
        data_dir: std::env::temp_dir(),
        jwt_secret: Secret::new(secret.as_bytes().to_vec()),
        jwt_secret_previous: None,
        settings: settings.clone(),
    };
    let app = Application::build(&config).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let state = startup::core(pool.clone(), &config).unwrap();
    let hash = password::hash("bench password 2026".into()).await.map_err(|e| anyhow::anyhow!("{e}"))?;

    println!("provisioning (registry row + schema with all tenant tables + owner; password hashed beforehand)");
    println!(
        "{:>8} | {:>21} | {:>21} | {:>25}",
        "tenants", "inline p50/p95 ms", "spare p50/p95 ms", "POST register p50/p95 ms"
    );
    for &size in &sizes {
        fill(&state, size, &hash).await?;
        let mut inline = measure_provisioning(&state, &hash, &format!("inline-{size}"), false).await?;
        let mut spare = measure_provisioning(&state, &hash, &format!("spare-{size}"), true).await?;
        let mut register = measure_register(&address, size, &state).await?;
        println!(
            "{:>8} | {:>9.1} / {:>9.1} | {:>9.1} / {:>9.1} | {:>11.1} / {:>11.1}",
            size,
            percentile(&mut inline, 0.5),
            percentile(&mut inline, 0.95),
            percentile(&mut spare, 0.5),
            percentile(&mut spare, 0.95),
            percentile(&mut register, 0.5),
            percentile(&mut register, 0.95),
        );
    }

    // One new tenant migration of three statements (each sent on its own, as Citus requires),
    // applied to every schema by the same code as `atrium migrate`.
    let mut migrations = migrate::TENANT.iter().cloned().collect::<Vec<_>>();
    migrations.push(sqlx::migrate::Migration::new(
        99_990_001,
        Cow::Borrowed("bench notes"),
        sqlx::migrate::MigrationType::Simple,
        Cow::Borrowed(
            "CREATE TABLE bench_notes (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES users (id), \
             body text NOT NULL, inserted_at timestamptz NOT NULL DEFAULT now());\n\
             CREATE INDEX bench_notes_user_idx ON bench_notes (user_id, inserted_at);\n\
             CREATE INDEX bench_notes_inserted_idx ON bench_notes (inserted_at, id);",
        ),
        false,
    ));
    let migrator: &'static Migrator = Box::leak(Box::new(Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }));
    let tenants = tenant_count(&pool).await?;
    let started = Instant::now();
    let report = migrate::run_all_tenants_with(&pool, migrator, migrate::MIGRATION_WORKERS).await?;
    let took = started.elapsed().as_secs_f64();
    anyhow::ensure!(report.failed.is_empty(), "failed: {:?}", &report.failed[..report.failed.len().min(3)]);
    anyhow::ensure!(report.migrated == tenants, "migrated {} of {tenants}", report.migrated);
    println!(
        "migrate: one new tenant migration applied to {tenants} schemas in {took:.1} s ({} workers; target < 60 s)",
        migrate::MIGRATION_WORKERS
    );
    let again = Instant::now();
    let report = migrate::run_all_tenants_with(&pool, migrator, migrate::MIGRATION_WORKERS).await?;
    println!(
        "migrate again (nothing to do): {} schemas checked in {:.1} s",
        report.up_to_date,
        again.elapsed().as_secs_f64()
    );
    Ok(())
}
