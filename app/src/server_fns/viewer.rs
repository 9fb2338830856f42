//! Who is signed in, for the app shell of every page.
use leptos::prelude::*;

use crate::{error::AppError, model::Viewer};

/// The signed-in user and workspace, or `None` for a visitor.
#[server(prefix = "/rpc", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::server::{services, web::request};
    let parts = request::parts()?;
    Ok(request::tenant_context(&parts).ok().map(|ctx| services::profile::viewer(&ctx)))
}
