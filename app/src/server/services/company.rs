//! The company profile (manager and above). Slug, document and plan are read-only here.
use crate::{
    error::{AppError, FieldErrors},
    model::{CompanyDto, Role},
    server::{
        db::{self, company::CompanyChange},
        tenant::TenantContext,
        text::is_email,
        AppState,
    },
};

use super::authz;

pub async fn get(ctx: &TenantContext) -> Result<CompanyDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    let profile = db::company::get(&ctx.db).await?;
    let registry = db::company::registry(&ctx.db, ctx.tenant.id).await?;
    Ok(CompanyDto {
        name: ctx.tenant.name.clone(),
        slug: ctx.tenant.slug.to_string(),
        document: registry.document,
        document_type: registry.document_type,
        plan: ctx.tenant.plan_id.clone(),
        email: profile.email,
        phone: profile.phone,
        logo_url: profile.logo_url,
        primary_color: profile.primary_color,
    })
}

/// `None` keeps a field; `Some(None)` or an empty string clears it.
#[derive(Debug, Default, Clone)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub logo_url: Option<Option<String>>,
    pub primary_color: Option<Option<String>>,
}

fn cleared(v: &Option<Option<String>>) -> Option<Option<&str>> {
    v.as_ref().map(|inner| inner.as_deref().map(str::trim).filter(|s| !s.is_empty()))
}

pub async fn update(state: &AppState, ctx: &TenantContext, input: CompanyInput) -> Result<CompanyDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut f = FieldErrors::new();
    let mut add = |k: &str, m: &str| f.entry(k.to_string()).or_default().push(m.to_string());
    let name = input.name.as_deref().map(str::trim);
    if name == Some("") {
        add("name", "can't be blank");
    } else if name.is_some_and(|n| n.chars().count() > 120) {
        add("name", "should be at most 120 characters");
    }
    let email = cleared(&input.email);
    if email.flatten().is_some_and(|e| !is_email(e)) {
        add("email", "is not a valid email address");
    }
    let phone = cleared(&input.phone);
    if phone.flatten().is_some_and(|p| p.len() > 30 || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))) {
        add("phone", "may hold only digits, spaces and + - ( )");
    }
    let logo = cleared(&input.logo_url);
    if logo.flatten().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 500) {
        add("logo_url", "must be an http(s) URL");
    }
    let color = cleared(&input.primary_color);
    if color
        .flatten()
        .is_some_and(|c| c.len() != 7 || !c.starts_with('#') || !c[1..].chars().all(|x| x.is_ascii_hexdigit()))
    {
        add("primary_color", "must be a colour like #4f46e5");
    }
    if !f.is_empty() {
        return Err(AppError::Validation { fields: f });
    }
    let mut tx = ctx.db.begin().await?;
    if let Some(name) = name {
        db::company::rename(&mut tx, ctx.tenant.id, name).await?;
    }
    db::company::update(&mut tx, &CompanyChange { email, phone, logo_url: logo, primary_color: color }).await?;
    tx.commit().await?;
    state.tenants.evict(&ctx.tenant.slug);
    let mut fresh = ctx.clone();
    if let Some(name) = name {
        let mut tenant = (*ctx.tenant).clone();
        tenant.name = name.to_string();
        fresh.tenant = std::sync::Arc::new(tenant);
    }
    get(&fresh).await
}
