use std::{net::SocketAddr, time::Duration};

use reqwest::{Client, Response};
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

use app::{
    i18n::Locale,
    server::{
        migrate, password,
        services::provisioning,
        settings::{PaymentSettings, ProviderSettings, Settings},
        state::Core,
        tenancy::slug::Slug,
    },
};
use atrium::{
    config::{Config, Secret},
    startup::{self, Application},
};

pub const PASSWORD: &str = "correct-horse-battery";
/// The origin the app under test believes it is served from (checkout redirects must use it).
pub const PUBLIC_URL: &str = "http://atrium.test";
pub const WEBHOOK_TOKEN: &str = "test-webhook-token-0123456789abcdef";

/// The server under test, its own database, and a state for provisioning test data.
pub struct TestApp {
    pub address: String,
    pub db_url: String,
    pub pool: PgPool,
    /// The application core of the server under test (same database, settings and secret).
    pub state: Core,
    pub client: Client,
}

fn base_url() -> String {
    std::env::var("DATABASE_URL").expect("DATABASE_URL must point at a PostgreSQL server (scripts/test sets it)")
}

/// `base` with its database name replaced by `db`.
pub fn url_for(base: &str, db: &str) -> String {
    let (head, query) = base.split_once('?').map(|(h, q)| (h, format!("?{q}"))).unwrap_or((base, String::new()));
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = head[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(head.len());
    format!("{}/{db}{query}", &head[..host_end])
}

/// One migrated template per test run; every test copies it (much faster than migrating).
async fn template() -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("atrium_test_tpl_{}", Uuid::new_v4().simple());
            let mut admin = PgConnection::connect(&base_url()).await.expect("connect to DATABASE_URL");
            admin.execute(format!(r#"CREATE DATABASE "{name}""#).as_str()).await.unwrap();
            let mut conn = PgConnection::connect(&url_for(&base_url(), &name)).await.unwrap();
            migrate::PUBLIC.run(&mut conn).await.expect("public migrations");
            conn.close().await.unwrap();
            name
        })
        .await
}

pub async fn fresh_database() -> String {
    let template = template().await;
    let name = format!("atrium_test_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&base_url()).await.unwrap();
    admin.execute(format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#).as_str()).await.unwrap();
    url_for(&base_url(), &name)
}

pub fn test_settings() -> Settings {
    Settings {
        auth_requests_per_minute: 10_000,
        signup_requests_per_minute: 10_000,
        login_failures_per_minute: 5,
        public_url: PUBLIC_URL.into(),
        spare_schemas: 1,
        payments: PaymentSettings { provider: ProviderSettings::Local, webhook_token: WEBHOOK_TOKEN.into() },
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let db_url = fresh_database().await;
    let secret = format!("test-secret-{}", Uuid::new_v4());
    let config = Config {
        database_url: db_url.clone(),
        addr: "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
        pool_size: 8,
        data_dir: std::env::temp_dir(),
        jwt_secret: Secret::new(secret.clone().into_bytes()),
        settings: settings.clone(),
    };
    let app = Application::build(&config).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let pool = startup::connect(&config).await.unwrap();
    let state = startup::core(pool.clone(), &config);
    let client =
        Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap();
    TestApp { address, db_url, pool, state, client }
}

pub struct TestTenant {
    pub id: Uuid,
    pub owner_id: Uuid,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Provisions a tenant through the same service the CLI and signup use.
    pub async fn tenant(&self, slug: &str, owner_email: &str, owner_password: &str) -> TestTenant {
        let slug_v = Slug::parse(slug).unwrap();
        let hash = password::hash(owner_password.to_string()).await.unwrap();
        let owner = provisioning::NewOwner {
            name: &format!("Owner of {slug}"),
            email: owner_email,
            password_hash: &hash,
            locale: Locale::En,
        };
        let done = provisioning::provision(
            &self.state,
            &slug_v,
            &provisioning::NewCompany {
                name: &format!("Company {slug}"),
                plan_id: "starter",
                document: None,
                trial_ends_at: None,
            },
            &owner,
        )
        .await
        .unwrap();
        TestTenant { id: done.tenant_id, owner_id: done.owner_id }
    }

    pub async fn login(&self, tenant: &str, email: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/auth/login"))
            .json(&json!({ "tenant": tenant, "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Logs in and returns `data` of the answer (tokens, user, tenant).
    pub async fn login_ok(&self, tenant: &str, email: &str, password: &str) -> Value {
        let res = self.login(tenant, email, password).await;
        assert_eq!(res.status(), 200, "login of {email}@{tenant}");
        res.json::<Value>().await.unwrap()["data"].clone()
    }

    pub async fn get_me(&self, token: &str, tenant: &str) -> Response {
        self.client
            .get(self.url("/api/v1/users/me"))
            .bearer_auth(token)
            .header("X-Tenant", tenant)
            .send()
            .await
            .unwrap()
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.client
            .post(self.url("/api/auth/refresh"))
            .json(&json!({ "refresh_token": refresh_token }))
            .send()
            .await
            .unwrap()
    }
}

pub fn token(data: &Value, which: &str) -> String {
    data[which].as_str().unwrap_or_else(|| panic!("{which} in {data}")).to_string()
}
