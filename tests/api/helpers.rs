use std::{collections::HashMap, future::Future, net::SocketAddr, panic::Location, time::Duration};

use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::smtp::{Mail, SmtpSink};
use app::{
    i18n::Locale,
    server::{
        migrate, password,
        services::provisioning,
        settings::{MailSettings, PaymentSettings, ProviderSettings, Settings, WebhookSettings},
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
/// An admin password the signup's strength rules accept.
pub const STRONG_PASSWORD: &str = "a quiet harbour at dawn";

/// The server under test, its own database, and a state for provisioning test data.
pub struct TestApp {
    pub address: String,
    pub db_url: String,
    pub pool: PgPool,
    /// The application core of the server under test (same database, settings and secret).
    pub state: Core,
    pub client: Client,
    /// The SMTP server the app under test sends its mail to.
    pub mail: SmtpSink,
    /// The JWT secret of the server under test (for tokens a test forges on purpose).
    pub jwt_secret: String,
    config: Config,
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
        // Delivery within tens of milliseconds, retries and takeovers within seconds.
        mail: MailSettings {
            poll_interval: Duration::from_millis(50),
            claim_lease: Duration::from_secs(2),
            retry_base: Duration::from_millis(200),
            ..MailSettings::default()
        },
        // Webhook retries within a second, a timeout within two.
        webhooks: WebhookSettings {
            poll_interval: Duration::from_millis(50),
            retry_base: Duration::from_millis(300),
            timeout: Duration::from_secs(2),
            claim_lease: Duration::from_secs(5),
            ..WebhookSettings::default()
        },
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub async fn spawn_app_with(mut settings: Settings) -> TestApp {
    let mail = SmtpSink::start().await;
    settings.mail.smtp_url.get_or_insert_with(|| mail.url());
    let db_url = fresh_database().await;
    let secret = format!("test-secret-{}", Uuid::new_v4());
    let config = Config {
        database_url: db_url.clone(),
        addr: "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
        pool_size: 8,
        data_dir: std::env::temp_dir(),
        jwt_secret: Secret::new(secret.clone().into_bytes()),
        jwt_secret_previous: None,
        settings: settings.clone(),
    };
    let app = Application::build(&config).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let pool = startup::connect(&config).await.unwrap();
    let state = startup::core(pool.clone(), &config).unwrap();
    let client =
        Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap();
    TestApp { address, db_url, pool, state, client, mail, jwt_secret: secret, config }
}

pub struct TestTenant {
    pub id: Uuid,
    pub owner_id: Uuid,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Starts another app process on the same database (another node behind the same proxy),
    /// signing with `jwt_secret` and also accepting `previous`; answers its base URL.
    pub async fn another_node(&self, jwt_secret: &str, previous: Option<&str>) -> String {
        let config = Config {
            database_url: self.db_url.clone(),
            addr: "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
            pool_size: 4,
            data_dir: std::env::temp_dir(),
            jwt_secret: Secret::new(jwt_secret.as_bytes().to_vec()),
            jwt_secret_previous: previous.map(|p| Secret::new(p.as_bytes().to_vec())),
            settings: self.config.settings.clone(),
        };
        let node = Application::build(&config).await.expect("build second node");
        let address = format!("http://127.0.0.1:{}", node.port());
        tokio::spawn(node.run_until_stopped());
        address
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
                email_verified: true,
            },
            &owner,
        )
        .await
        .unwrap();
        TestTenant { id: done.tenant_id, owner_id: done.owner_id }
    }

    /// Puts the workspace on another plan directly in the registry (before anyone signs in to it:
    /// the server keeps registry rows for a few seconds).
    pub async fn move_to_plan(&self, slug: &str, plan: &str) {
        sqlx::query("UPDATE public.tenants SET plan_id = $2 WHERE slug = $1")
            .bind(slug)
            .bind(plan)
            .execute(&self.pool)
            .await
            .unwrap();
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

    /// Calls the API with a Bearer token and `X-Tenant`; the raw answer, for checks [`UserClient`] cannot make.
    pub async fn call(&self, method: Method, token: &str, tenant: &str, path: &str, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path)).bearer_auth(token).header("X-Tenant", tenant);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    pub async fn post(&self, token: &str, tenant: &str, path: &str, body: Value) -> Response {
        self.call(Method::POST, token, tenant, path, Some(body)).await
    }

    /// A GET whose status the caller does not check (or checks its own way).
    pub async fn get_json(&self, token: &str, tenant: &str, path: &str) -> (u16, Value) {
        let res = self.call(Method::GET, token, tenant, path, None).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The API as `token`'s user in `tenant`, each call checking the status it expects.
    pub fn as_user<'a>(&'a self, token: &'a str, tenant: &'a str) -> UserClient<'a> {
        UserClient { app: self, token, tenant }
    }

    /// A POST without credentials (signup).
    pub async fn post_public(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self.client.post(self.url(path)).json(&body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// `POST /api/signup/checkout` with the owner's access token from registration (or none).
    pub async fn signup_checkout(&self, owner: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.client.post(self.url("/api/signup/checkout")).json(&body);
        if let Some(token) = owner {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Registers a company and returns `data` of the 201.
    pub async fn register(&self, company: &str, document: &str) -> Value {
        let (status, body) = self.post_public("/api/signup/register", register_body(company, document)).await;
        assert_eq!(status, 201, "{body}");
        body["data"].clone()
    }

    /// Waits for the message to `to` whose link contains `needle` (the newest when several) and
    /// answers it with that link.
    pub async fn mail_with_link(&self, to: &str, needle: &str) -> (Mail, String) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.mail.to(to).into_iter().rev().find_map(|m| m.link(needle).map(|link| (m, link)));
            if let Some(found) = found {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no message to {to} with a link containing {needle:?}; received: {:#?}",
                self.mail.messages().iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Confirms the signup address of workspace `slug` the way its owner does: the link in the
    /// verification email (its token is what follows `#`).
    pub async fn verify_owner(&self, slug: &str) {
        let schema = Slug::parse(slug).unwrap().schema_name().quoted();
        let owner: String = sqlx::query_scalar(&format!(
            "SELECT email FROM {schema}.users WHERE role = 'owner' ORDER BY inserted_at LIMIT 1"
        ))
        .fetch_one(&self.pool)
        .await
        .unwrap();
        let (_, link) = self.mail_with_link(&owner, &format!("/verify-email#{slug}.")).await;
        let token = link.split_once('#').unwrap().1;
        let (status, body) = self.post_public("/api/auth/verify-email", json!({ "token": token })).await;
        assert_eq!(status, 200, "{body}");
    }

    /// Posts `body` to the payment webhook, with `token` as its `asaas-access-token` if any.
    pub async fn webhook(&self, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self.client.post(self.url("/api/webhooks/asaas")).json(body);
        if let Some(token) = token {
            req = req.header("asaas-access-token", token);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The (status, plan) of a tenant as the registry holds them.
    pub async fn status_of(&self, slug: &str) -> (String, String) {
        sqlx::query_as("SELECT status, plan_id FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// A registered company whose subscription to `plan` waits for its first payment; returns
    /// (owner token, the first charge's payment id at the provider, tenant id).
    pub async fn with_checkout(&self, slug: &str, n: u32, plan: &str) -> (String, String, String) {
        let mut body = register_body(slug, &cnpj(n));
        body["slug"] = json!(slug);
        let (status, res) = self.post_public("/api/signup/register", body).await;
        assert_eq!(status, 201, "{res}");
        let owner = token(&res["data"], "access_token");
        self.verify_owner(slug).await;
        let (status, res) = self
            .signup_checkout(
                Some(&owner),
                json!({ "tenant": slug, "plan": plan, "success_url": "/", "cancel_url": "/billing" }),
            )
            .await;
        assert_eq!(status, 200, "{res}");
        let charge: Uuid = res["data"]["checkout_id"].as_str().unwrap().parse().unwrap();
        // The payment page's address is the provider's; the charge row names its payment.
        let (reference, tenant_id): (String, Uuid) =
            sqlx::query_as("SELECT provider_ref, tenant_id FROM public.charges WHERE id = $1")
                .bind(charge)
                .fetch_one(&self.pool)
                .await
                .unwrap();
        (owner, reference, tenant_id.to_string())
    }
}

/// Calls the API as one user of one tenant (`Authorization: Bearer` and `X-Tenant`). Every call
/// asserts the status it expects and answers the JSON body (`Value::Null` when the body is empty).
pub struct UserClient<'a> {
    app: &'a TestApp,
    token: &'a str,
    tenant: &'a str,
}

impl UserClient<'_> {
    #[track_caller]
    pub fn get(&self, path: &str, status: u16) -> impl Future<Output = Value> {
        self.request(Method::GET, path, None, status)
    }

    #[track_caller]
    pub fn post(&self, path: &str, body: Value, status: u16) -> impl Future<Output = Value> {
        self.request(Method::POST, path, Some(body), status)
    }

    #[track_caller]
    pub fn put(&self, path: &str, body: Value, status: u16) -> impl Future<Output = Value> {
        self.request(Method::PUT, path, Some(body), status)
    }

    #[track_caller]
    pub fn patch(&self, path: &str, body: Value, status: u16) -> impl Future<Output = Value> {
        self.request(Method::PATCH, path, Some(body), status)
    }

    #[track_caller]
    pub fn delete(&self, path: &str, status: u16) -> impl Future<Output = Value> {
        self.request(Method::DELETE, path, None, status)
    }

    /// Any method. A status other than `status` panics with the caller's line, the request and the answer.
    /// (Not an `async fn`, so that `#[track_caller]` reaches the test's line.)
    #[track_caller]
    pub fn request(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> impl Future<Output = Value> {
        let caller = Location::caller();
        let mut req = self
            .app
            .client
            .request(method.clone(), self.app.url(path))
            .bearer_auth(self.token)
            .header("X-Tenant", self.tenant);
        if let Some(body) = &body {
            req = req.json(body);
        }
        let sent = body.map(|b| format!(" with {b}")).unwrap_or_default();
        let call = format!("{method} {path} in {}{sent} (called at {caller})", self.tenant);
        async move {
            let res = req.send().await.unwrap_or_else(|e| panic!("{call}: {e}"));
            let got = res.status().as_u16();
            let text = res.text().await.unwrap_or_else(|e| panic!("{call}: {e}"));
            assert_eq!(got, status, "{call} answered: {text}");
            if text.is_empty() {
                return Value::Null;
            }
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{call}: the answer is not JSON ({e}): {text}"))
        }
    }
}

pub fn token(data: &Value, which: &str) -> String {
    data[which].as_str().unwrap_or_else(|| panic!("{which} in {data}")).to_string()
}

/// A tenant with one user of each role; returns their access tokens by role.
pub async fn staffed(app: &TestApp, slug: &str) -> HashMap<&'static str, String> {
    staffed_on(app, slug, "starter").await
}

/// [`staffed`] on another plan than the starter one.
pub async fn staffed_on(app: &TestApp, slug: &str, plan: &str) -> HashMap<&'static str, String> {
    app.tenant(slug, &format!("owner@{slug}.test"), PASSWORD).await;
    app.move_to_plan(slug, plan).await;
    let owner = token(&app.login_ok(slug, &format!("owner@{slug}.test"), PASSWORD).await, "access_token");
    let mut tokens = HashMap::from([("owner", owner.clone())]);
    for role in ["manager", "supervisor", "attendant"] {
        let email = format!("{role}@{slug}.test");
        app.as_user(&owner, slug)
            .post("/api/v1/users", json!({ "name": role, "email": email, "role": role, "password": PASSWORD }), 201)
            .await;
        tokens.insert(role, token(&app.login_ok(slug, &email, PASSWORD).await, "access_token"));
    }
    tokens
}

/// The id of the user with `email`, found by an owner's search.
pub async fn user_id(app: &TestApp, owner: &str, slug: &str, email: &str) -> String {
    let (_, body) = app.get_json(owner, slug, &format!("/api/v1/users?search={email}")).await;
    body["data"][0]["id"].as_str().unwrap().to_string()
}

/// Creates a department named `name` and answers its id.
pub async fn department_id(app: &TestApp, token: &str, slug: &str, name: &str) -> String {
    let res = app.post(token, slug, "/api/v1/departments", json!({ "name": name })).await;
    res.json::<Value>().await.unwrap()["data"]["id"].as_str().unwrap().to_string()
}

/// A client whose connections come from another loopback address (`127.0.0.2`, ...): another
/// client address as the server sees it.
pub fn client_from(address: &str) -> Client {
    Client::builder()
        .local_address(address.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A client that keeps cookies and does not follow redirects, as a browser session.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A new browser signed in to workspace `acme` as `email` through the plain sign-in form (no
/// JavaScript: answered with a redirect to `/`) of the server at `base`.
pub async fn form_sign_in(base: &str, email: &str) -> Client {
    let web = browser();
    let res = web
        .post(format!("{base}/rpc/login"))
        .header("accept", "text/html")
        .form(&[("tenant", "acme"), ("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302, "sign-in of {email}");
    assert_eq!(res.headers()["location"], "/");
    web
}

/// A valid numeric CNPJ whose base is `n` (check digits computed as the Receita Federal does).
pub fn cnpj(n: u32) -> String {
    let mut digits: Vec<u32> = format!("{n:08}0001").chars().map(|c| c.to_digit(10).unwrap()).collect();
    for weights in [&[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..], &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..]] {
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        let r = sum % 11;
        digits.push(if r < 2 { 0 } else { 11 - r });
    }
    digits.iter().map(|d| d.to_string()).collect()
}

/// A complete registration of `company` with `document` (a CNPJ) on the starter plan.
pub fn register_body(company: &str, document: &str) -> Value {
    json!({
        "company_name": company,
        "document": document,
        "document_type": "cnpj",
        "admin_name": "Alice Admin",
        "admin_email": "alice@company.test",
        "admin_password": STRONG_PASSWORD,
        "plan": "starter",
    })
}

/// A free TCP port on loopback, for a server process started by a test.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The `atrium` binary as a separate process in development mode on `db_url`, its output kept
/// quiet; callers add settings and the subcommand.
pub fn atrium_process(db_url: &str, jwt_secret: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_atrium"));
    cmd.env("ATRIUM_ENV", "development")
        .env("DATABASE_URL", db_url)
        .env("ATRIUM_JWT_SECRET", jwt_secret)
        .env("ATRIUM_PUBLIC_URL", PUBLIC_URL)
        .env("ATRIUM_AUTH_RATE_LIMIT_PER_MINUTE", "10000")
        .env("ATRIUM_SIGNUP_RATE_LIMIT_PER_MINUTE", "10000")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Runs `cmd serve` on a free port and waits until it answers `/healthz`; its process and base URL.
pub async fn serve(mut cmd: tokio::process::Command) -> (tokio::process::Child, String) {
    let port = free_port();
    let mut child = cmd.env("ATRIUM_ADDR", format!("127.0.0.1:{port}")).arg("serve").spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            return (child, base);
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server process exited: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server process did not start");
}

/// The billing columns of a workspace's registry row.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct Billing {
    pub status: String,
    pub plan_id: String,
    pub subscription_id: Option<String>,
    pub payment_customer_id: Option<String>,
    pub subscription_value_cents: Option<i32>,
    pub scheduled_plan_id: Option<String>,
    pub billing_cycle: String,
    pub billing_type: String,
    pub current_period_start: Option<time::OffsetDateTime>,
    pub current_period_end: Option<time::OffsetDateTime>,
    pub canceled_at: Option<time::OffsetDateTime>,
}

/// A row of `public.charges`.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct Charge {
    pub id: Uuid,
    pub provider: String,
    pub provider_ref: String,
    pub subscription_id: Option<String>,
    pub kind: String,
    pub plan_id: Option<String>,
    pub from_plan_id: Option<String>,
    pub expected_cents: i32,
    pub value_cents: Option<i32>,
    pub value_mismatch: bool,
    pub status: String,
    pub due_date: time::Date,
    pub invoice_url: Option<String>,
}

impl TestApp {
    pub async fn billing_of(&self, slug: &str) -> Billing {
        sqlx::query_as(
            "SELECT status, plan_id, subscription_id, payment_customer_id, subscription_value_cents, \
             scheduled_plan_id, billing_cycle, billing_type, current_period_start, current_period_end, canceled_at \
             FROM public.tenants WHERE slug = $1",
        )
        .bind(slug)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// The workspace's charges, oldest first.
    pub async fn charges_of(&self, slug: &str) -> Vec<Charge> {
        sqlx::query_as(
            "SELECT c.id, c.provider, c.provider_ref, c.subscription_id, c.kind, c.plan_id, c.from_plan_id, \
             c.expected_cents, c.value_cents, c.value_mismatch, c.status, c.due_date, c.invoice_url \
             FROM public.charges c JOIN public.tenants t ON t.id = c.tenant_id WHERE t.slug = $1 \
             ORDER BY c.inserted_at, c.id",
        )
        .bind(slug)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// The charge of a provider payment id.
    pub async fn charge(&self, reference: &str) -> Charge {
        sqlx::query_as(
            "SELECT id, provider, provider_ref, subscription_id, kind, plan_id, from_plan_id, expected_cents, \
             value_cents, value_mismatch, status, due_date, invoice_url FROM public.charges WHERE provider_ref = $1",
        )
        .bind(reference)
        .fetch_one(&self.pool)
        .await
        .unwrap_or_else(|e| panic!("charge {reference}: {e}"))
    }

    /// What processing a payment event did (`payment_events.outcome`), if it was recorded.
    pub async fn outcome_of(&self, event_id: &str) -> Option<String> {
        sqlx::query_scalar("SELECT outcome FROM public.payment_events WHERE id = $1")
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await
            .unwrap()
    }

    /// A payment event as Asaas sends it about the stored charge `reference`, for its full value.
    pub async fn charge_event(&self, id: &str, event: &str, reference: &str) -> Value {
        let charge = self.charge(reference).await;
        payment_event(
            id,
            event,
            json!({
                "id": charge.provider_ref, "subscription": charge.subscription_id,
                "value": f64::from(charge.expected_cents) / 100.0, "billingType": "PIX",
                "dueDate": charge.due_date.to_string(), "invoiceUrl": charge.invoice_url,
            }),
        )
    }

    /// Posts a payment event to the webhook with the right token; asserts a 200 and answers
    /// its outcome.
    pub async fn deliver(&self, event: &Value) -> String {
        let (status, body) = self.webhook(Some(WEBHOOK_TOKEN), event).await;
        assert_eq!(status, 200, "{} {}: {body}", event["event"], event["payment"]["id"]);
        body["data"]["outcome"].as_str().unwrap_or_default().to_string()
    }
}

/// A webhook event as Asaas sends it about a payment; `payment` gets `object`, and the status the
/// event stands for unless it has one.
pub fn payment_event(id: &str, event: &str, mut payment: Value) -> Value {
    payment["object"] = json!("payment");
    if payment.get("status").is_none() {
        let status = match event {
            "PAYMENT_CONFIRMED" => "CONFIRMED",
            "PAYMENT_RECEIVED" => "RECEIVED",
            "PAYMENT_OVERDUE" => "OVERDUE",
            "PAYMENT_REFUNDED" => "REFUNDED",
            "PAYMENT_CHARGEBACK_REQUESTED" => "CHARGEBACK_REQUESTED",
            _ => "PENDING",
        };
        payment["status"] = json!(status);
    }
    json!({ "id": id, "event": event, "dateCreated": "2026-12-07 10:00:00", "payment": payment })
}

/// Calls the server at `base` (another node) as `token`'s user of `tenant`; answers (status, body).
pub async fn call_at(
    base: &str,
    method: Method,
    token: &str,
    tenant: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = Client::new().request(method, format!("{base}{path}")).bearer_auth(token).header("X-Tenant", tenant);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}
