//! Named pause points that let a test kill a process at an exact step (e.g. halfway through
//! provisioning a tenant) and check that nothing half-done remains. Inert unless
//! `ATRIUM_PAUSE_AT` names the point, and refused outright in production mode.
use std::time::Duration;

pub async fn pause_point(name: &str) {
    let Ok(wanted) = std::env::var("ATRIUM_PAUSE_AT") else { return };
    if wanted != name || std::env::var("ATRIUM_ENV").as_deref() == Ok("production") {
        return;
    }
    eprintln!("paused at {name}");
    tokio::time::sleep(Duration::from_secs(120)).await;
}
