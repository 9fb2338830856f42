//! Building the application: pool, state, router; serving it. Tests build it on port 0.
use std::{net::SocketAddr, sync::Arc, time::Duration};

use std::future::IntoFuture;

use anyhow::Context;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderName, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get},
    Json, Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use sqlx::{postgres::PgPoolOptions, PgPool};
use tokio::net::TcpListener;
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate, SizeAbove},
        CompressionLayer,
    },
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use tower_sessions_core::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::{api, config::Config, metrics};
use app::{
    app::{shell, App},
    error::AppError,
    server::{
        db::health,
        mail::{smtp::SmtpTransport, DevMailbox, MailTransport},
        password,
        payments::{asaas::AsaasClient, local::LocalProvider, PaymentProvider},
        services::{billing, mail, provisioning, webhooks},
        settings::ProviderSettings,
        state::{AppState, Core},
        web::{auth::session_middleware, client, flash, headers, mailbox},
    },
};

pub struct Application {
    listener: TcpListener,
    router: Router,
    pool: PgPool,
}

pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(config.pool_size)
        .acquire_timeout(Duration::from_secs(5))
        // By default sqlx pings a connection (a round trip) before lending it and again when it
        // comes back: three round trips for a one-statement request. The return ping stays and
        // catches a connection that broke in use. One that breaks while idle (a server restart)
        // fails its next statement once and is then discarded; closing connections idle for a
        // minute keeps that window short.
        .test_before_acquire(false)
        .idle_timeout(Duration::from_secs(60))
        // ...except after a connection was found dead (`db/health.rs`): then every connection
        // older than that is pinged before use, so one restart costs one failed request, not
        // one per pooled connection.
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if health::suspect(meta.age) {
                    return Ok(sqlx::Connection::ping(conn).await.is_ok());
                }
                Ok(true)
            })
        })
        .connect(&config.database_url)
        .await
        .context("connecting to PostgreSQL (DATABASE_URL)")
}

pub fn leptos_options(addr: SocketAddr) -> anyhow::Result<LeptosOptions> {
    // cargo-leptos passes LEPTOS_* variables; without them, read the same values from Cargo.toml.
    let file = if std::env::var("LEPTOS_OUTPUT_NAME").is_ok() {
        None
    } else {
        Some(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
    };
    let mut options = get_configuration(file).context("reading the leptos configuration")?.leptos_options;
    options.site_addr = addr;
    // The names of the hashed files are in a file beside the binary, written by the site build.
    // A binary without one (a test binary, or a server run before its first site build) names the
    // files without hashes, as cargo-leptos then writes them.
    if options.hash_files && !hash_file_present(&options) {
        options.hash_files = false;
    }
    Ok(options)
}

fn hash_file_present(options: &LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
        .is_some_and(|path| path.is_file())
}

/// The application core for these settings, with the payment provider and mail transport they name.
pub fn core(pool: PgPool, config: &Config) -> anyhow::Result<Core> {
    let settings = &config.settings;
    let payments: Arc<dyn PaymentProvider> = match &settings.payments.provider {
        ProviderSettings::Local => Arc::new(LocalProvider::new(&settings.public_url, pool.clone())),
        ProviderSettings::Asaas { base_url, api_key } => Arc::new(AsaasClient::new(base_url, api_key)),
    };
    let mail: Arc<dyn MailTransport> = match &settings.mail.smtp_url {
        Some(url) => Arc::new(SmtpTransport::new(url, &settings.mail.from).map_err(anyhow::Error::msg)?),
        None => Arc::new(DevMailbox),
    };
    Ok(Core::new(
        pool,
        settings.clone(),
        config.jwt_secret.expose(),
        config.jwt_secret_previous.as_ref().map(|s| s.expose()),
        payments,
        mail,
    ))
}

impl Application {
    pub async fn build(config: &Config) -> anyhow::Result<Application> {
        let pool = connect(config).await?;
        let state = AppState::new(core(pool.clone(), config)?, leptos_options(config.addr)?);
        tokio::task::spawn_blocking(password::warm_up).await?;
        metrics::handle();
        provisioning::replenish_in_background(&state);
        state.quota.run_in_background();
        if let Some(addr) = config.settings.metrics_addr {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(err) = metrics::serve_apart(addr, state).await {
                    tracing::error!(error = %err, "the metrics listener stopped");
                }
            });
        }
        mail::delivery::run_in_background(&state);
        mail::notices::run_in_background(&state);
        webhooks::delivery::run_in_background(&state);
        billing::reconcile::run_in_background(&state);
        let listener = TcpListener::bind(config.addr).await.with_context(|| format!("binding {}", config.addr))?;
        Ok(Application { listener, router: router(state), pool })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let store = session_store(&self.pool);
        let cleanup = tokio::spawn(store.continuously_delete_expired(Duration::from_secs(3600)));
        let (stopping, mut stopped) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        };
        let server = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(signal);
        // Asked to stop, the server takes no new connections and lets the requests in flight
        // finish, for SHUTDOWN_GRACE at most (a stuck client must not keep a node from stopping).
        let deadline = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            served = server.into_future() => served?,
            () = deadline => tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: stopping anyway"),
        }
        cleanup.abort();
        Ok(())
    }
}

fn session_store(pool: &PgPool) -> PostgresStore {
    PostgresStore::new(pool.clone())
        .with_schema_name("public")
        .and_then(|s| s.with_table_name("sessions"))
        .expect("valid session table name")
}

pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let cookie_name = if settings.https { "__Host-atrium_session" } else { "atrium_session" };
    let sessions = SessionManagerLayer::new(session_store(&state.pool))
        .with_name(cookie_name)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(
            settings.session_ttl.as_secs() as i64,
        )));

    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let leptos_options = state.leptos_options().clone();
    let request_id = HeaderName::from_static("x-request-id");

    // The JSON API authenticates by bearer token only (its middleware sits on `/api/v1`, see
    // `api::router`): no cookies, no session work. Pages and server functions sit inside the
    // session layer and its middleware. Both middlewares end in the same `resolve`.
    let (api, _) = api::router(state.clone());
    let api = Router::new().nest("/api", api);
    let web = Router::new()
        .route("/rpc/{*name}", any(server_fn_handler))
        .route("/dev/mailbox", get(mailbox::index))
        .route("/dev/mailbox/{id}", get(mailbox::show))
        .leptos_routes_with_context(&state, routes, context, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(headers::page_policy))
        .layer(middleware::from_fn(cache_control))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(flash::capture_form))
        .layer(middleware::from_fn_with_state(state.clone(), session_middleware))
        .layer(sessions);

    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::guarded))
        .merge(api)
        .merge(web)
        .route_layer(middleware::from_fn(metrics::remember_route))
        .layer(middleware::from_fn(metrics::track))
        .layer(compression())
        .layer(PropagateRequestIdLayer::new(request_id.clone()));
    security_headers(router, settings.https)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // `tenant` and `user_id` are filled in by `resolve` once a credential names them.
                    // The route, not the path: ids become `{id}` and tokens in paths never reach a log.
                    let client = req.extensions().get::<client::ClientAddress>().map(ToString::to_string);
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        route = %route_of(req.uri().path()),
                        request_id = %id,
                        client = client.as_deref().unwrap_or("-"),
                        tenant = tracing::field::Empty,
                        user_id = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _: &tracing::Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_secs_f64() * 1000.0,
                        "answered"
                    );
                }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost: the client address (proxies taken into account) for everything inside.
        .layer(middleware::from_fn_with_state(state.clone(), client::middleware))
        .with_state(state)
}

/// Headers every answer carries. Pages set their own Content-Security-Policy (with the nonce of
/// their inline scripts, `app/src/server/web/headers.rs`); every other answer gets the same policy
/// without a nonce. HSTS only when the app is served over https (it would pin plain-HTTP
/// development hosts otherwise).
fn security_headers(router: Router<AppState>, https: bool) -> Router<AppState> {
    use axum::http::{header, HeaderValue};
    let router = router
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&headers::content_security_policy(None)).expect("a valid header value"),
        ));
    if https {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ))
    } else {
        router
    }
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

/// Server functions answer every error with 500; give each the status its `AppError` stands for
/// (a malformed argument is the client's fault, not the server's).
async fn server_fn_status(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/rpc/") {
        return next.run(req).await;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Brotli or gzip, as the client accepts, for pages, scripts, styles, the wasm and JSON lists: the
/// debug wasm is 13 MB and a page of users several KB. Answers under 1 KB (most API answers) go as
/// they are: compressing them costs more CPU than the bytes it saves. Images are compressed already.
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate =
        SizeAbove::new(1024).and(NotForContentType::GRPC).and(NotForContentType::IMAGES).and(NotForContentType::SSE);
    CompressionLayer::new().gzip(true).br(true).compress_when(predicate)
}

/// How long browsers keep static files. The site build puts a hash of their content in the names
/// of the wasm, its JS and the CSS (`atrium.<22 characters>.wasm`): those never change, so a year
/// and `immutable` (no revalidation on reload). Everything else (the favicon, Swagger UI's files)
/// is revalidated on each use: cheap, and a new release is seen at once.
async fn cache_control(req: Request, next: Next) -> Response {
    let immutable = req.uri().path().strip_prefix("/pkg/").is_some_and(is_hashed_name);
    let mut response = next.run(req).await;
    // Files are the answers with a Last-Modified (pages and the API have none), or a 304 to one.
    let is_file = !response.headers().contains_key(axum::http::header::CACHE_CONTROL)
        && match response.status() {
            StatusCode::OK => response.headers().contains_key(axum::http::header::LAST_MODIFIED),
            StatusCode::NOT_MODIFIED => true,
            _ => false,
        };
    if is_file {
        let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static(value));
    }
    response
}

/// `name.<hash>.ext`, the hash as cargo-leptos writes it: an MD5 in unpadded base64url.
fn is_hashed_name(file: &str) -> bool {
    let mut parts = file.rsplitn(3, '.');
    let (_ext, hash, stem) = (parts.next(), parts.next(), parts.next());
    stem.is_some_and(|s| !s.is_empty() && !s.contains('/'))
        && hash.is_some_and(|h| h.len() == 22 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool).await {
        Ok(_) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(err) => {
            if health::is_connection_lost(&err) {
                health::connection_lost();
            }
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" }))).into_response()
        }
    }
}

/// How long requests in flight may take to finish once the process is asked to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// SIGTERM (what an orchestrator sends) or Ctrl-C.
async fn shutdown_signal() {
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut sigterm) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            sigterm.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("stopping: no new connections; the requests in flight finish first");
}

/// A request path as a route: UUIDs become `{id}`, the secret part of a link (`/invitation/...`,
/// `/checkout/local/...`, `/dev/mailbox/...`) becomes `{token}`. Logs get this, never the raw
/// path, so a token that travels in a path is not written down.
pub fn route_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut previous = "";
    for segment in path.split('/').skip(1) {
        out.push('/');
        let secret_follows = matches!(previous, "invitation" | "local" | "mailbox");
        if secret_follows && !segment.is_empty() {
            out.push_str("{token}");
        } else if uuid::Uuid::parse_str(segment).is_ok() {
            out.push_str("{id}");
        } else {
            out.push_str(segment);
        }
        previous = segment;
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{is_hashed_name, route_of};

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed_name("atrium.Q2ZtYXJrZXJzX2hhc2hfeA.wasm"));
        assert!(is_hashed_name("atrium.a-b_c12345678901234567.css"));
        assert!(!is_hashed_name("atrium.wasm"));
        assert!(!is_hashed_name("atrium_bg.wasm"));
        assert!(!is_hashed_name("atrium.short.js"));
        assert!(!is_hashed_name("snippets/x/Q2ZtYXJrZXJzX2hhc2hfeA.js"));
        assert!(!is_hashed_name(".Q2ZtYXJrZXJzX2hhc2hfeA.js"));
    }

    #[test]
    fn routes_hide_ids_and_tokens() {
        assert_eq!(route_of("/"), "/");
        assert_eq!(route_of("/api/v1/users/me"), "/api/v1/users/me");
        assert_eq!(
            route_of("/api/v1/users/0b6d1c6e-4d0f-4a8e-9f3a-2f6a1d2c3b4a/sessions"),
            "/api/v1/users/{id}/sessions"
        );
        assert_eq!(route_of("/invitation/acme.s3cr3t-t0ken"), "/invitation/{token}");
        assert_eq!(route_of("/checkout/local/ref-123"), "/checkout/local/{token}");
        assert_eq!(route_of("/dev/mailbox/42"), "/dev/mailbox/{token}");
    }
}
