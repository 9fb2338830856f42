//! The profile page's list of the user's sessions, and ending them.
use leptos::prelude::*;
use uuid::Uuid;

use crate::{error::AppError, model::SessionDto};

#[server(prefix = "/rpc", endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<Vec<SessionDto>, AppError> {
    use crate::server::{services::sessions, web::request};
    sessions::list(&request::tenant_context(&request::parts()?)?).await
}

/// Ends one of the user's other sessions.
#[server(prefix = "/rpc", endpoint = "end_session")]
pub async fn end_session(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::sessions, web::request};
    let end = |ctx| async move { sessions::end_own(&ctx, id).await };
    request::signed_in_form(end, |_| "/profile?notice=session_ended".into()).await
}

/// Ends every session of the user but this browser's.
#[server(prefix = "/rpc", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::server::{services::sessions, web::request};
    let end = |ctx| async move { sessions::end_others(&ctx).await };
    request::signed_in_form(end, |_| "/profile?notice=sessions_ended".into()).await
}

/// A manager ends every session of another user without deactivating them (the users page).
#[server(prefix = "/rpc", endpoint = "end_user_sessions")]
pub async fn end_user_sessions(id: Uuid) -> Result<u64, AppError> {
    use crate::server::{services::sessions, web::request};
    let end = |ctx| async move { sessions::end_of_user(&ctx, id).await };
    request::signed_in_form(end, move |_| format!("/users/{id}?notice=user_sessions_ended")).await
}
