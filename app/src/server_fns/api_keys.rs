//! The API keys page (manager and above): list, create (the new key waits in the browser session
//! to be shown once), revoke.
use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{ApiKeyDto, CreatedApiKeyDto},
};

/// The browser-session entry holding a key just made (with the time it was made), until the
/// person says they copied it or ten minutes pass.
#[cfg(feature = "ssr")]
const NEW_KEY: &str = "api_key_to_show";
#[cfg(feature = "ssr")]
const NEW_KEY_SHOWN_FOR_SECS: i64 = 600;

#[server(prefix = "/rpc", endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyDto>, AppError> {
    use crate::server::{services::api_keys, web::request};
    api_keys::list(&request::tenant_context(&request::parts()?)?).await
}

/// Creates a key; `expires_on` is a date (`yyyy-mm-dd`, the key works through that day, UTC) or
/// empty for a key that does not expire.
#[server(prefix = "/rpc", endpoint = "create_api_key")]
pub async fn create_api_key(name: String, role: String, expires_on: String) -> Result<(), AppError> {
    use crate::server::{
        services::api_keys::{self, CreateApiKey},
        web::request,
    };
    let parts = request::parts()?;
    let browser = request::session(&parts)?;
    let expires_at = match expires_on.trim() {
        "" => None,
        day => Some(format!("{day}T23:59:59Z")),
    };
    let create = |ctx| async move {
        let input = CreateApiKey { name: Some(name), role: Some(role), expires_at };
        // The form asks for a day, the service for a time: its message goes beside the day.
        let created = api_keys::create(&ctx, input).await.map_err(|err| match err {
            AppError::Validation { mut fields } => {
                if let Some(messages) = fields.remove("expires_at") {
                    fields.insert("expires_on".into(), messages);
                }
                AppError::Validation { fields }
            }
            other => other,
        })?;
        request::keep_to_show(&browser, NEW_KEY, created).await
    };
    request::signed_in_form(create, |_| "/company/api-keys".into()).await
}

/// The key just made, while it may still be shown (never again once copied, or after ten minutes).
#[server(prefix = "/rpc", endpoint = "new_api_key_to_show")]
pub async fn new_api_key_to_show() -> Result<Option<CreatedApiKeyDto>, AppError> {
    use crate::server::web::request;
    let parts = request::parts()?;
    request::tenant_context(&parts)?;
    let browser = request::session(&parts)?;
    request::still_to_show(&browser, NEW_KEY, NEW_KEY_SHOWN_FOR_SECS).await
}

/// "I have copied it": the key is never shown again.
#[server(prefix = "/rpc", endpoint = "forget_new_api_key")]
pub async fn forget_new_api_key() -> Result<(), AppError> {
    use crate::server::web::request;
    let browser = request::session(&request::parts()?)?;
    let forget = |_ctx| async move { request::stop_showing(&browser, NEW_KEY).await };
    request::signed_in_form(forget, |_| "/company/api-keys".into()).await
}

#[server(prefix = "/rpc", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::api_keys, web::request};
    let revoke = |ctx| async move { api_keys::revoke(&ctx, id).await };
    request::signed_in_form(revoke, |_| "/company/api-keys?notice=api_key_revoked".into()).await
}
