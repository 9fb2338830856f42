//! The users pages: list, create (with a password or an invitation), edit, deactivate and
//! reactivate, and the invitation page's acceptance.
use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{Page, UserDto},
};

/// The users list, with the same query parameters as `GET /api/v1/users`.
#[server(prefix = "/rpc", endpoint = "list_users", input = leptos::server_fn::codec::Json)]
pub async fn list_users(params: Vec<(String, String)>) -> Result<Page<UserDto>, AppError> {
    use crate::server::{services::users, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    let state = request::app_state()?;
    users::list(&state, &ctx, &super::listing_params(params)).await
}

#[server(prefix = "/rpc", endpoint = "get_user", input = leptos::server_fn::codec::Json)]
pub async fn get_user(id: Uuid) -> Result<UserDto, AppError> {
    use crate::server::{services::users, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    users::get(&ctx, id).await
}

/// Creates a user; answers the invitation's whole link (to copy) when no password was given.
#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn create_user(
    name: String,
    email: String,
    role: String,
    password: Option<String>,
    locale: Option<String>,
) -> Result<(UserDto, Option<String>), AppError> {
    use crate::server::{services::users, web::request};
    let input = users::CreateUser {
        name: Some(name),
        email: Some(email),
        role: Some(role),
        password: password.filter(|p| !p.is_empty()),
        locale: locale.filter(|l| !l.is_empty()),
    };
    let state = request::app_state()?;
    let create = |ctx| async move {
        let created = users::create(&state, &ctx, input).await?;
        let link = created.invitation_path.map(|path| crate::server::services::mail::link(&state.settings, &path));
        Ok((created.user, link))
    };
    request::signed_in_form(create, |(user, invitation)| match invitation {
        Some(link) => format!("/users/{}?notice=created&invitation={}", user.id, crate::url::urlencode(link)),
        None => format!("/users/{}?notice=created", user.id),
    })
    .await
}

/// Saves the edit form; `active` is the checkbox (absent when unticked).
/// Saves the edit form. Unticking "active" does not deactivate at once: the other fields are
/// saved and the answer asks for the confirmation (`true`), which the page (or, without
/// JavaScript, the redirect) shows; ticking it reactivates, which destroys nothing.
#[server(prefix = "/rpc", endpoint = "update_user")]
pub async fn update_user(
    id: Uuid,
    name: String,
    email: String,
    role: String,
    locale: String,
    active: Option<String>,
) -> Result<(UserDto, bool), AppError> {
    use crate::server::{services::users, web::request};
    let unticked = active.is_none();
    let change = users::UpdateUser {
        name: Some(name),
        email: Some(email),
        role: Some(role),
        active: (!unticked).then_some(true),
        locale: Some(locale),
    };
    let state = request::app_state()?;
    let update = |ctx| async move {
        let user = users::update(&state, &ctx, id, change).await?;
        let ask = unticked && user.active;
        Ok((user, ask))
    };
    request::signed_in_form(update, |(u, ask)| saved_target(u, *ask)).await
}

/// Where a saved edit form goes: the confirmation of a deactivation it asked for, or the page.
pub fn saved_target(user: &UserDto, ask: bool) -> String {
    if ask {
        format!("/users/{}?confirm=deactivate", user.id)
    } else {
        format!("/users/{}?notice=saved", user.id)
    }
}

/// Deactivates or reactivates a user (the confirmed action of the users pages).
#[server(prefix = "/rpc", endpoint = "set_user_active")]
pub async fn set_user_active(id: Uuid, active: bool) -> Result<UserDto, AppError> {
    use crate::server::{services::users, web::request};
    let change = users::UpdateUser { active: Some(active), ..Default::default() };
    let state = request::app_state()?;
    let update = |ctx| async move { users::update(&state, &ctx, id, change).await };
    request::signed_in_form(update, |u| {
        format!("/users/{}?notice={}", u.id, if u.active { "reactivated" } else { "deactivated" })
    })
    .await
}

/// What an invitation link is for (the invitation page, before asking for a password).
#[server(prefix = "/rpc", endpoint = "invitation_preview", input = leptos::server_fn::codec::Json)]
pub async fn invitation_preview(token: String) -> Result<crate::model::InvitationPreviewDto, AppError> {
    use crate::server::{services::users, web::request};
    let state = request::app_state()?;
    users::invitation_preview(&state, &token).await
}

/// Sets an invited user's password, signs the browser in and goes to the dashboard.
#[server(prefix = "/rpc", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<String, AppError> {
    use crate::server::{
        services::users,
        web::{request, session},
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        request::limit_per_address(&state, &parts).await?;
        let ctx = users::accept_invitation(&state, &token, password).await?;
        session::sign_in(&state, &request::session(&parts)?, &ctx, &request::client(&parts)).await?;
        Ok("/".to_string())
    }
    .await;
    request::finish_form(&parts, result, |target| target.clone()).await
}

/// Invitations not accepted yet (the pending section of the users page).
#[server(prefix = "/rpc", endpoint = "list_invitations", input = leptos::server_fn::codec::Json)]
pub async fn list_invitations() -> Result<Vec<crate::model::InvitationDto>, AppError> {
    use crate::server::{services::invitations, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    invitations::list(&ctx).await
}

/// Sends an invitation again with a new link (the old one dies).
#[server(prefix = "/rpc", endpoint = "resend_invitation")]
pub async fn resend_invitation(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::invitations, web::request};
    let state = request::app_state()?;
    let resend = |ctx| async move { invitations::resend(&state, &ctx, id).await.map(|_| ()) };
    request::signed_in_form(resend, |()| "/users?notice=invitation_resent".into()).await
}

/// Revokes an invitation: the link dies and the seat is free.
#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::invitations, web::request};
    let revoke = |ctx| async move { invitations::revoke(&ctx, id).await };
    request::signed_in_form(revoke, |()| "/users?notice=invitation_revoked".into()).await
}
