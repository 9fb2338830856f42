//! The company page: read and save the company profile (manager and above).
use leptos::prelude::*;

use crate::{error::AppError, model::CompanyDto};

#[server(prefix = "/rpc", endpoint = "get_company")]
pub async fn get_company() -> Result<CompanyDto, AppError> {
    use crate::server::{services::company, web::request};
    let state = request::app_state()?;
    company::get(&state, &request::tenant_context(&request::parts()?)?).await
}

#[server(prefix = "/rpc", endpoint = "save_company")]
pub async fn save_company(
    name: String,
    email: String,
    phone: String,
    logo_url: String,
    primary_color: String,
    /// Present when the form showed the two-step policy (to the owner); then the checkbox
    /// `mfa_required` is sent only when ticked.
    mfa_policy: Option<String>,
    mfa_required: Option<String>,
) -> Result<CompanyDto, AppError> {
    use crate::server::{services::company, web::request};
    let state = request::app_state()?;
    let input = company::UpdateCompany {
        name: Some(name),
        email: Some(Some(email)),
        phone: Some(Some(phone)),
        logo_url: Some(Some(logo_url)),
        primary_color: Some(Some(primary_color)),
        mfa_required: mfa_policy.map(|_| mfa_required.is_some()),
    };
    let save = |ctx| async move { company::update(&state, &ctx, input).await };
    request::signed_in_form(save, |_| "/company?notice=saved".into()).await
}
