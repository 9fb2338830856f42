use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{CompanyDto, UserDto},
};

#[server(prefix = "/rpc", endpoint = "get_company")]
pub async fn get_company() -> Result<CompanyDto, AppError> {
    use crate::server::{request, services::company};
    company::get(&request::tenant_context(&request::parts()?)?).await
}

#[server(prefix = "/rpc", endpoint = "save_company")]
pub async fn save_company(
    name: String,
    email: String,
    phone: String,
    logo_url: String,
    primary_color: String,
) -> Result<CompanyDto, AppError> {
    use crate::server::{request, services::company};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        let ctx = request::tenant_context(&parts)?;
        let input = company::CompanyInput {
            name: Some(name),
            email: Some(Some(email)),
            phone: Some(Some(phone)),
            logo_url: Some(Some(logo_url)),
            primary_color: Some(Some(primary_color)),
        };
        company::update(&state, &ctx, input).await
    }
    .await;
    request::finish_form(&parts, result, |_| "/company?notice=saved".into())
}

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
        server::{request, services::users, web_session},
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        let ctx = request::tenant_context(&parts)?;
        let password = password.filter(|p| !p.is_empty());
        let input = users::UpdateMe {
            name: Some(name),
            locale: Some(locale.clone()),
            current_password: current_password.filter(|_| password.is_some()),
            password,
        };
        let user = users::update_me(&ctx, input).await?;
        let fresh = crate::server::tenant::TenantContext { user: user.clone(), ..ctx };
        web_session::remember(&request::session(&parts)?, &fresh).await?;
        request::set_preference_cookie(&state, LOCALE_COOKIE, &user.locale);
        Ok(user.to_dto())
    }
    .await;
    request::finish_form(&parts, result, |_| "/profile?notice=saved".into())
}
