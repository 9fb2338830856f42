//! The signup pages: three steps (company, admin, plan) whose inputs wait in the browser's
//! server-side session until the last step provisions the workspace, signs the admin in and
//! opens the checkout. Each step validates with the same service functions as the JSON API.
use leptos::prelude::*;

use crate::{error::AppError, model::SignupView};

#[cfg(feature = "ssr")]
mod draft {
    use serde::{Deserialize, Serialize};
    use tower_sessions::Session;

    use crate::{error::AppError, server::error::internal};

    const KEY: &str = "signup";

    /// What a browser typed so far. The password is kept only as its argon2 hash.
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct SignupDraft {
        pub company_name: String,
        pub document_type: String,
        pub document: String,
        pub slug: String,
        pub company_done: bool,
        pub admin_name: String,
        pub admin_email: String,
        pub password_hash: Option<String>,
        pub plan: String,
    }

    pub async fn load(session: &Session) -> Result<SignupDraft, AppError> {
        Ok(session.get::<SignupDraft>(KEY).await.map_err(|e| internal("signup draft", e))?.unwrap_or_default())
    }

    /// The start of every step: counted against the signup rate limit, then this browser's draft.
    pub async fn open(
        core: &crate::server::state::Core,
        parts: &axum::http::request::Parts,
    ) -> Result<(Session, SignupDraft), AppError> {
        use crate::server::{services::signup, web::request};
        signup::throttle(core, &request::client_ip(parts)).await?;
        let session = request::session(parts)?;
        let draft = load(&session).await?;
        Ok((session, draft))
    }

    pub async fn save(session: &Session, draft: &SignupDraft) -> Result<(), AppError> {
        session.insert(KEY, draft).await.map_err(|e| internal("signup draft", e))
    }

    pub async fn clear(session: &Session) -> Result<(), AppError> {
        session.remove::<SignupDraft>(KEY).await.map_err(|e| internal("signup draft", e))?;
        Ok(())
    }
}

/// The signup state of this browser; `step` may go back to a step already done.
#[server(prefix = "/rpc", endpoint = "get_signup")]
pub async fn get_signup(step: Option<String>) -> Result<SignupView, AppError> {
    use crate::server::{services::billing, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let d = draft::load(&request::session(&parts)?).await?;
    let admin_done = d.password_hash.is_some();
    let reached = if !d.company_done {
        "company"
    } else if !admin_done {
        "admin"
    } else {
        "plan"
    };
    let step = match step.as_deref() {
        Some("company") => "company",
        Some("admin") if d.company_done => "admin",
        _ => reached,
    };
    Ok(SignupView {
        step: step.into(),
        company_name: d.company_name,
        document_type: if d.document_type.is_empty() { "cnpj".into() } else { d.document_type },
        document: d.document,
        slug: d.slug,
        admin_name: d.admin_name,
        admin_email: d.admin_email,
        plan: d.plan,
        plans: billing::plans(&state).await?,
        company_done: d.company_done,
        admin_done,
    })
}

#[server(prefix = "/rpc", endpoint = "signup_company")]
pub async fn signup_company(
    company_name: String,
    document_type: String,
    document: String,
    slug: String,
) -> Result<String, AppError> {
    use crate::server::{services::signup, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        let (session, mut d) = draft::open(&state, &parts).await?;
        // Kept even when invalid, so the form comes back filled in (also without JavaScript).
        d.company_name = company_name.trim().to_string();
        d.document_type = document_type.trim().to_string();
        d.document = document.trim().to_string();
        d.slug = slug.trim().to_lowercase();
        d.company_done = false;
        let input = signup::RegisterInput {
            company_name: Some(company_name),
            document: Some(document),
            document_type: Some(document_type),
            slug: Some(slug),
            ..Default::default()
        };
        let checked = signup::check_company(&state, &input).await;
        if let Ok(step) = &checked {
            d.document = step.document.formatted();
            d.slug = step.slug.to_string();
            d.company_done = true;
        }
        draft::save(&session, &d).await?;
        checked.map(|_| "/signup".to_string())
    }
    .await;
    request::finish_form(&parts, result, |target| target.clone()).await
}

#[server(prefix = "/rpc", endpoint = "signup_admin")]
pub async fn signup_admin(admin_name: String, admin_email: String, admin_password: String) -> Result<String, AppError> {
    use crate::server::{password, services::signup, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        let (session, mut d) = draft::open(&state, &parts).await?;
        if !d.company_done {
            return Ok("/signup".to_string());
        }
        d.admin_name = admin_name.trim().to_string();
        d.admin_email = admin_email.trim().to_string();
        d.password_hash = None;
        let checked = signup::check_admin(&signup::RegisterInput {
            admin_name: Some(admin_name),
            admin_email: Some(admin_email),
            admin_password: Some(admin_password),
            ..Default::default()
        });
        let outcome = match checked {
            Ok(admin) => {
                d.admin_email = admin.email;
                d.password_hash = Some(password::hash(admin.password).await?);
                Ok("/signup".to_string())
            }
            Err(err) => Err(err),
        };
        draft::save(&session, &d).await?;
        outcome
    }
    .await;
    request::finish_form(&parts, result, |target| target.clone()).await
}

/// The last step: provisions the workspace (trial on `plan`), signs the admin in on this browser
/// and answers the checkout page's address.
#[server(prefix = "/rpc", endpoint = "signup_plan")]
pub async fn signup_plan(plan: String) -> Result<String, AppError> {
    use crate::{
        i18n::Locale,
        server::{
            domain::fields::Fields,
            services::{billing::subscription as checkout, signup},
            web::{auth::RequestLocale, request, session},
        },
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = async {
        let (session, mut d) = draft::open(&state, &parts).await?;
        let Some(password_hash) = d.password_hash.clone().filter(|_| d.company_done) else {
            return Ok("/signup".to_string());
        };
        d.plan = plan.trim().to_string();
        draft::save(&session, &d).await?;
        let mut fields = Fields::new();
        let chosen = signup::check_plan(&state, &mut fields, Some(&plan)).await?;
        let Some(chosen) = chosen else { return Err(fields.into_error()) };
        let company = signup::check_company(
            &state,
            &signup::RegisterInput {
                company_name: Some(d.company_name.clone()),
                document: Some(d.document.clone()),
                document_type: Some(d.document_type.clone()),
                slug: Some(d.slug.clone()),
                ..Default::default()
            },
        )
        .await;
        let company = match company {
            Ok(company) => company,
            Err(err) => {
                // Someone took the name or document since the first step: back to it.
                d.company_done = false;
                draft::save(&session, &d).await?;
                return Err(err);
            }
        };
        let locale = parts.extensions.get::<RequestLocale>().map(|l| l.0).unwrap_or(Locale::default());
        let registered =
            signup::register_hashed(&state, company, &d.admin_name, &d.admin_email, &password_hash, &chosen, locale)
                .await?;
        draft::clear(&session).await?;
        let signed_in = session::sign_in(&state, &session, &registered.context, &request::client(&parts)).await?;
        request::set_preference_cookie(&state, super::auth::TENANT_COOKIE, signed_in.tenant.slug.as_str());
        let checkout = checkout::checkout_for(
            &state,
            &signed_in,
            checkout::CheckoutInput {
                plan: Some(chosen.id.clone()),
                success_url: Some("/?notice=subscribed".into()),
                cancel_url: Some("/billing?notice=checkout_canceled".into()),
                cycle: None,
                billing_type: None,
            },
        )
        .await;
        // The workspace exists and its admin is signed in: if the provider cannot open a checkout
        // now, paying is one click away on the billing page.
        Ok(match checkout {
            Ok(checkout) => checkout.checkout_url,
            Err(_) => "/billing".to_string(),
        })
    }
    .await;
    request::finish_form(&parts, result, |target| target.clone()).await
}
