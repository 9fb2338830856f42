//! The company profile (manager and above). Slug, document and plan are read-only here.
use super::authz;
use crate::{
    error::AppError,
    model::{CompanyDto, Role},
    server::{
        db::{
            public::tenants,
            tenant::company::{self, CompanyChange},
        },
        domain::{body, email::Email, fields::Fields, name::Name, nullable},
        state::Core,
        tenancy::context::TenantContext,
    },
};

pub async fn get(core: &Core, ctx: &TenantContext) -> Result<CompanyDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    let profile = company::get(&ctx.db).await?;
    let registered = tenants::document(&core.pool, ctx.tenant.id).await?;
    Ok(CompanyDto {
        name: ctx.tenant.name.clone(),
        slug: ctx.tenant.slug.to_string(),
        document: registered.document,
        document_type: registered.document_type,
        plan: ctx.tenant.plan_id.clone(),
        email: profile.email,
        phone: profile.phone,
        logo_url: profile.logo_url,
        primary_color: profile.primary_color,
        email_verified: ctx.tenant.email_verified,
        mfa_required: ctx.tenant.mfa_required,
    })
}

body! {
    /// `PUT /api/v1/company` and the company form. An absent field keeps its value; `null` or an
    /// empty string clears it.
    pub struct UpdateCompany {
        #[schema(min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[serde(default, deserialize_with = "nullable")] email: Option<String>,
        #[serde(default, deserialize_with = "nullable")] phone: Option<String>,
        #[serde(default, deserialize_with = "nullable")] logo_url: Option<String>,
        #[serde(default, deserialize_with = "nullable")] primary_color: Option<String>,
        /// Every user must sign in with a second factor (owner only).
        mfa_required: bool,
    }
}

fn cleared(v: &Option<Option<String>>) -> Option<Option<&str>> {
    v.as_ref().map(|inner| inner.as_deref().map(str::trim).filter(|s| !s.is_empty()))
}

fn phone(p: &str) -> Result<&str, String> {
    if p.len() > 30 || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return Err("may hold only digits, spaces and + - ( )".into());
    }
    Ok(p)
}

fn logo_url(u: &str) -> Result<&str, String> {
    if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 500 {
        return Err("must be an http(s) URL".into());
    }
    Ok(u)
}

fn colour(c: &str) -> Result<&str, String> {
    if c.len() != 7 || !c.starts_with('#') || !c[1..].chars().all(|x| x.is_ascii_hexdigit()) {
        return Err("must be a colour like #4f46e5".into());
    }
    Ok(c)
}

pub async fn update(core: &Core, ctx: &TenantContext, input: UpdateCompany) -> Result<CompanyDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut f = Fields::new();
    let name = f.optional("name", input.name.as_deref(), Name::parse);
    let email = cleared(&input.email);
    if let Some(Some(e)) = email {
        f.check("email", Email::parse(e));
    }
    let phone_v = cleared(&input.phone);
    if let Some(Some(p)) = phone_v {
        f.check("phone", phone(p));
    }
    let logo = cleared(&input.logo_url);
    if let Some(Some(u)) = logo {
        f.check("logo_url", logo_url(u));
    }
    let color = cleared(&input.primary_color);
    if let Some(Some(c)) = color {
        f.check("primary_color", colour(c));
    }
    f.finish()?;
    if input.mfa_required.is_some_and(|v| v != ctx.tenant.mfa_required) {
        authz::require(ctx, Role::Owner)?;
    }
    let mut tx = ctx.db.begin().await?;
    if let Some(name) = &name {
        tenants::rename(tx.conn(), ctx.tenant.id, name.as_str()).await?;
    }
    if let Some(required) = input.mfa_required {
        tenants::set_mfa_required(tx.conn(), ctx.tenant.id, required).await?;
    }
    company::update(&mut tx, &CompanyChange { email, phone: phone_v, logo_url: logo, primary_color: color }).await?;
    tx.commit().await?;
    core.tenants.evict(&ctx.tenant.slug);
    let mut fresh = ctx.clone();
    let mut tenant = (*ctx.tenant).clone();
    if let Some(name) = name {
        tenant.name = name.into_string();
    }
    tenant.mfa_required = input.mfa_required.unwrap_or(tenant.mfa_required);
    fresh.tenant = std::sync::Arc::new(tenant);
    get(core, &fresh).await
}
