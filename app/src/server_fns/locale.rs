//! The language switcher of every page.
use leptos::prelude::*;

use crate::error::AppError;

/// Switches the UI language: remembered in a cookie, and in the user's profile when signed in.
#[server(prefix = "/rpc", endpoint = "set_locale")]
pub async fn set_locale(locale: String, back: String) -> Result<(), AppError> {
    use crate::{
        i18n::{Locale, LOCALE_COOKIE},
        server::{services, web::request},
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let locale = Locale::from_tag(&locale).ok_or_else(|| AppError::field("locale", "is not supported"))?;
    request::set_preference_cookie(&state, LOCALE_COOKIE, locale.tag());
    if let Ok(ctx) = request::tenant_context(&parts) {
        services::profile::set_locale(&ctx, locale).await?;
    }
    leptos_axum::redirect(&super::safe_next(Some(&back)));
    Ok(())
}
