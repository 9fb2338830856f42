//! Who is signed in, for the app shell of every page.
use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{DashboardDto, Viewer},
};

/// The signed-in user and workspace, or `None` for a visitor.
#[server(prefix = "/rpc", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::server::{services, web::request};
    let parts = request::parts()?;
    match request::tenant_context(&parts) {
        Ok(ctx) => services::profile::viewer(&ctx).await.map(Some),
        Err(_) => Ok(None),
    }
}

/// The dashboard's checklist, trial days and the person's departments.
#[server(prefix = "/rpc", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<DashboardDto, AppError> {
    use crate::server::{services::dashboard, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    dashboard::dashboard(&ctx).await
}
