//! `GET /metrics` in Prometheus' text format: never public. On the main address it needs
//! `Authorization: Bearer $ATRIUM_METRICS_TOKEN` (404 when no token is configured, 401 with a wrong
//! one); `ATRIUM_METRICS_ADDR` adds a listener that serves only the metrics, for a private
//! network. The app records through the `metrics` facade (`app::server::metrics` and the HTTP
//! middleware here); the exporter renders.
use std::{
    net::SocketAddr,
    sync::OnceLock,
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use app::server::{
    db::public::{outbox, spares},
    state::AppState,
};

/// The process's recorder (installed once: several apps in one test process share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("atrium_http_request_duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            )
            .expect("valid buckets")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder installed first (a test harness) keeps its place; ours still renders.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// The route a request matched, put on its response by a layer inside the router (where axum
/// knows it) for the counting middleware outside.
#[derive(Clone)]
struct RouteLabel(String);

/// Inside the router (`route_layer`): remembers the matched route pattern.
pub async fn remember_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteLabel(route));
    }
    response
}

/// Outside the router: requests in flight, and each request's count and latency by route
/// pattern, method and status. Paths that matched no route (static files, unknown paths) share
/// one label, so a client cannot make up new series.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let in_flight = metrics::gauge!("atrium_http_requests_in_flight");
    in_flight.increment(1.0);
    let response = next.run(req).await;
    in_flight.decrement(1.0);
    let route = response.extensions().get::<RouteLabel>().map_or_else(|| "unmatched".to_string(), |r| r.0.clone());
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("atrium_http_requests_total", &labels).increment(1);
    metrics::histogram!("atrium_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` on the main address.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.settings.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    render(&state).await
}

/// The text exposition, with the gauges read at scrape time (pool, spare schemas, outbox).
async fn render(state: &AppState) -> Response {
    let pool = &state.pool;
    let size = pool.size() as f64;
    let idle = pool.num_idle() as f64;
    metrics::gauge!("atrium_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("atrium_db_pool_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("atrium_db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    // Waiting is what the pool cannot say directly: acquiring one connection now, and how long it
    // takes, shows it (a saturated pool makes this wait).
    let started = Instant::now();
    match tokio::time::timeout(Duration::from_secs(2), pool.acquire()).await {
        Ok(Ok(conn)) => {
            metrics::gauge!("atrium_db_up").set(1.0);
            metrics::gauge!("atrium_db_pool_acquire_seconds").set(started.elapsed().as_secs_f64());
            drop(conn);
            if let Ok(n) = spares::count(pool).await {
                metrics::gauge!("atrium_spare_schemas_ready").set(n as f64);
            }
            if let Ok(n) = outbox::backlog(pool).await {
                metrics::gauge!("atrium_outbox_backlog").set(n as f64);
            }
        }
        _ => {
            metrics::gauge!("atrium_db_up").set(0.0);
            metrics::gauge!("atrium_db_pool_acquire_seconds").set(started.elapsed().as_secs_f64());
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle().render()).into_response()
}

/// The listener of `ATRIUM_METRICS_ADDR`: only `/metrics`, no token (reach it from a private
/// network only).
pub async fn serve_apart(addr: SocketAddr, state: AppState) -> anyhow::Result<()> {
    let router = Router::new()
        .route("/metrics", get(|State(state): State<AppState>| async move { render(&state).await }))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "metrics listening");
    axum::serve(listener, router).await?;
    Ok(())
}
