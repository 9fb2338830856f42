//! The profile page: the signed-in user's name, language and password.
use leptos::prelude::*;

use crate::{error::AppError, model::UserDto};

/// The profile form: name and language, and the password when a new one is typed. After a
/// password change this browser stays signed in; every other session and token ends.
#[server(prefix = "/rpc", endpoint = "save_profile")]
pub async fn save_profile(
    name: String,
    locale: String,
    current_password: Option<String>,
    password: Option<String>,
) -> Result<UserDto, AppError> {
    use crate::{
        i18n::LOCALE_COOKIE,
        server::{
            services::profile,
            web::{request, session},
        },
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        let ctx = request::tenant_context(&parts)?;
        let password = password.filter(|p| !p.is_empty());
        let input = profile::UpdateMe {
            name: Some(name),
            locale: Some(locale.clone()),
            current_password: current_password.filter(|_| password.is_some()),
            password,
        };
        let changes_password = input.password.is_some();
        let user = profile::update_me(&state, &ctx, input, &request::client(&parts), Some(ctx.session_id)).await?;
        let session = request::session(&parts)?;
        match changes_password {
            // A new session id: a copy of the old cookie is worth nothing after the change.
            true => session::renew(&session, &ctx.with_user(user.clone())).await?,
            false => session::remember(&session, &ctx.with_user(user.clone())).await?,
        }
        request::set_preference_cookie(&state, LOCALE_COOKIE, &user.locale);
        Ok(user.to_dto())
    }
    .await;
    request::finish_form(&parts, result, |_| "/profile?notice=saved".into()).await
}
