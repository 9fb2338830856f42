//! What the app counts for `GET /metrics` (Prometheus), through the `metrics` facade: the binary
//! installs the exporter; without one (unit tests), recording does nothing. Labels stay few and
//! bounded: route (the router's pattern, never the raw path), method, status, plan, limiter,
//! event type. Never a tenant: thousands of tenants would be thousands of series per metric.

/// A request refused by a per-address or per-account limiter (`auth`, `signup`, `sign_in`).
pub fn limited(limiter: &'static str) {
    metrics::counter!("atrium_rate_limited_total", "limiter" => limiter).increment(1);
}

/// An `/api/v1` request refused by its workspace's quota.
pub fn refused(limiter: &'static str, plan: &str) {
    metrics::counter!("atrium_rate_limited_total", "limiter" => limiter).increment(1);
    metrics::counter!("atrium_quota_refusals_total", "plan" => plan.to_string()).increment(1);
}

/// A wrong password (or a right one too late: locked out) at sign-in.
pub fn login_failed() {
    metrics::counter!("atrium_login_failures_total").increment(1);
}

/// An authenticated request of a workspace on `plan` (API or browser).
pub fn tenant_request(plan: &str) {
    metrics::counter!("atrium_tenant_requests_total", "plan" => plan.to_string()).increment(1);
}

/// A payment provider's event received, by its type (`PAYMENT_CONFIRMED`, ...).
pub fn webhook_event(name: &str) {
    // The provider names its events in upper snake case; anything else is one bucket.
    let known = !name.is_empty() && name.len() <= 60 && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    let kind = if known { name.to_string() } else { "other".to_string() };
    metrics::counter!("atrium_webhook_events_total", "type" => kind).increment(1);
}

/// The database could not be reached by a request.
pub fn database_unavailable() {
    metrics::counter!("atrium_database_unavailable_total").increment(1);
}

/// Outbound webhook deliveries queued for an event (one per subscribed endpoint).
pub fn webhook_queued(event: &'static str, deliveries: usize) {
    metrics::counter!("atrium_webhook_deliveries_queued_total", "event" => event).increment(deliveries as u64);
}

/// An outbound webhook attempt, by outcome: `delivered`, `retry` or `failed`.
pub fn webhook_attempt(outcome: &'static str) {
    metrics::counter!("atrium_webhook_attempts_total", "outcome" => outcome).increment(1);
}
