//! Signing in and out of the web UI.
use leptos::prelude::*;

use crate::error::AppError;

/// Name of the cookie that remembers the last workspace signed into on this browser.
pub const TENANT_COOKIE: &str = "atrium_tenant";

/// Signs the browser in. With JavaScript the page gets the target back and navigates; a plain
/// form post (no JavaScript) is redirected — to the target, or back to the form with the error.
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(tenant: String, email: String, password: String, next: String) -> Result<String, AppError> {
    use crate::{
        server::{
            services::auth,
            web::{request, session},
        },
        url::urlencode,
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let target = super::safe_next(Some(&next));
    let outcome = async {
        request::limit_per_address(&state, &parts).await?;
        let creds =
            auth::Credentials { tenant: Some(tenant.clone()), email: Some(email.clone()), password: Some(password) };
        let client = request::client(&parts);
        let ctx = auth::authenticate(&state, creds, &client).await?;
        let browser = request::session(&parts)?;
        if ctx.user.mfa_enabled {
            // The password was right; the code step finishes the sign-in.
            let challenge = crate::server::services::mfa::challenge(&ctx).await?;
            browser
                .insert(super::mfa::CHALLENGE_KEY, challenge)
                .await
                .map_err(|e| crate::server::error::internal("session", e))?;
            return Ok::<_, AppError>((ctx, format!("/login?step=code&next={}", urlencode(&target))));
        }
        let ctx = session::sign_in(&state, &browser, &ctx, &client).await?;
        request::record_sign_in(&state, &parts, &ctx).await;
        Ok::<_, AppError>((ctx, target.clone()))
    }
    .await;
    let plain_form = request::is_plain_form(&parts);
    match outcome {
        Ok((ctx, target)) => {
            request::set_preference_cookie(&state, TENANT_COOKIE, ctx.tenant.slug.as_str());
            if plain_form {
                leptos_axum::redirect(&target);
            }
            Ok(target)
        }
        Err(err) => {
            if plain_form {
                let missing = match &err {
                    AppError::Validation { fields } => fields.keys().cloned().collect::<Vec<_>>().join(","),
                    _ => String::new(),
                };
                leptos_axum::redirect(&format!(
                    "/login?error={}&missing={}&tenant={}&email={}&next={}",
                    err.code(),
                    missing,
                    urlencode(tenant.trim()),
                    urlencode(email.trim()),
                    urlencode(&target)
                ));
            }
            Err(err)
        }
    }
}

/// Ends the browser session and returns to the sign-in page.
#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::web::{request, session};
    let parts = request::parts()?;
    session::sign_out(&request::session(&parts)?, request::tenant_context(&parts).ok().as_ref()).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
