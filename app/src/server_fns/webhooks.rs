//! The webhooks page (manager and above, plans with webhooks): endpoints with their recent
//! deliveries, create (the signing secret waits in the browser session to be shown once), turn
//! on or off, send a test event, rotate the secret, delete.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{CreatedWebhookDto, WebhookDeliveryDto, WebhookDto},
};

/// The browser-session entry holding a secret just made, until the person says they copied it
/// or ten minutes pass.
#[cfg(feature = "ssr")]
const NEW_SECRET: &str = "webhook_secret_to_show";
#[cfg(feature = "ssr")]
const NEW_SECRET_SHOWN_FOR_SECS: i64 = 600;
/// Deliveries shown under each endpoint.
#[cfg(feature = "ssr")]
const RECENT: usize = 5;

#[cfg(feature = "ssr")]
const PAGE: &str = "/company/webhooks";

/// An endpoint and its latest deliveries, as the page shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointView {
    pub webhook: WebhookDto,
    pub recent: Vec<WebhookDeliveryDto>,
}

#[server(prefix = "/rpc", endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<EndpointView>, AppError> {
    use crate::server::{services::webhooks, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    let params = std::collections::HashMap::from([("page_size".to_string(), RECENT.to_string())]);
    let mut views = Vec::new();
    for webhook in webhooks::list(&ctx).await? {
        let recent = webhooks::deliveries(&ctx, webhook.id, &params).await?.data;
        views.push(EndpointView { webhook, recent });
    }
    Ok(views)
}

/// Creates an endpoint subscribed to the ticked `events[]`.
#[server(prefix = "/rpc", endpoint = "create_webhook")]
pub async fn create_webhook(
    url: String,
    description: String,
    #[server(default)] events: Vec<String>,
) -> Result<(), AppError> {
    use crate::server::{
        services::webhooks::{self, WebhookInput},
        web::request,
    };
    let parts = request::parts()?;
    let browser = request::session(&parts)?;
    let state = request::app_state()?;
    let create = |ctx| async move {
        let input = WebhookInput { url: Some(url), events: Some(events), description: Some(description), active: None };
        let created = webhooks::create(&state, &ctx, input).await?;
        request::keep_to_show(&browser, NEW_SECRET, created).await
    };
    request::signed_in_form(create, |_| PAGE.into()).await
}

/// The endpoint whose secret was just made, while it may still be shown.
#[server(prefix = "/rpc", endpoint = "new_webhook_secret_to_show")]
pub async fn new_webhook_secret_to_show() -> Result<Option<CreatedWebhookDto>, AppError> {
    use crate::server::web::request;
    let parts = request::parts()?;
    request::tenant_context(&parts)?;
    let browser = request::session(&parts)?;
    request::still_to_show(&browser, NEW_SECRET, NEW_SECRET_SHOWN_FOR_SECS).await
}

/// "I have copied it": the secret is never shown again.
#[server(prefix = "/rpc", endpoint = "forget_webhook_secret")]
pub async fn forget_webhook_secret() -> Result<(), AppError> {
    use crate::server::web::request;
    let browser = request::session(&request::parts()?)?;
    let forget = |_ctx| async move { request::stop_showing(&browser, NEW_SECRET).await };
    request::signed_in_form(forget, |_| PAGE.into()).await
}

/// Turns an endpoint on or off.
#[server(prefix = "/rpc", endpoint = "set_webhook_active")]
pub async fn set_webhook_active(id: Uuid, active: bool) -> Result<(), AppError> {
    use crate::server::{
        services::webhooks::{self, WebhookInput},
        web::request,
    };
    let state = request::app_state()?;
    let set = |ctx| async move {
        let input = WebhookInput { active: Some(active), ..WebhookInput::default() };
        webhooks::update(&state, &ctx, id, input).await.map(|_| ())
    };
    request::signed_in_form(set, |_| format!("{PAGE}?notice=saved")).await
}

#[server(prefix = "/rpc", endpoint = "test_webhook")]
pub async fn test_webhook(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::webhooks, web::request};
    let test = |ctx| async move { webhooks::test(&ctx, id).await.map(|_| ()) };
    request::signed_in_form(test, |_| format!("{PAGE}?notice=webhook_test_sent")).await
}

/// A new secret, shown like a new endpoint's.
#[server(prefix = "/rpc", endpoint = "rotate_webhook_secret")]
pub async fn rotate_webhook_secret(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::webhooks, web::request};
    let browser = request::session(&request::parts()?)?;
    let rotate = |ctx| async move {
        let rotated = webhooks::rotate_secret(&ctx, id).await?;
        request::keep_to_show(&browser, NEW_SECRET, rotated).await
    };
    request::signed_in_form(rotate, |_| PAGE.into()).await
}

#[server(prefix = "/rpc", endpoint = "delete_webhook")]
pub async fn delete_webhook(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::webhooks, web::request};
    let delete = |ctx| async move { webhooks::delete(&ctx, id).await };
    request::signed_in_form(delete, |_| format!("{PAGE}?notice=webhook_deleted")).await
}
