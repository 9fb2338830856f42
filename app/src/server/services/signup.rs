//! A company signs up: its document is checked, its workspace provisioned at once (trial) with the
//! admin as owner. The JSON API (`/api/signup/*`) and the signup pages both come through here.
use time::{Duration, OffsetDateTime};

use crate::{
    document::{Document, DocumentType},
    error::{AppError, FieldErrors},
    i18n::Locale,
    model::{DocumentCheck, PlanDto, SignupDto, SignupTenantDto},
    server::{
        db, password,
        services::{
            auth,
            provisioning::{self, NewCompany, NewOwner},
            users::check_password_policy,
        },
        tenant::{self, AuthVia, Slug, SlugError},
        text::{is_email, slugify},
        AppState,
    },
};

/// At most N signup requests per minute from one client address (API and pages alike).
pub fn throttle(state: &AppState, client: &str) -> Result<(), AppError> {
    state.signup_limiter.hit(client).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
}

const BLANK: &str = "can't be blank";

fn push(fields: &mut FieldErrors, field: &str, message: impl Into<String>) {
    fields.entry(field.to_string()).or_default().push(message.into());
}

fn trimmed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Parses `document` as `document_type`, adding field errors on the way.
fn parse_document(
    fields: &mut FieldErrors,
    document: &Option<String>,
    document_type: &Option<String>,
) -> Option<Document> {
    let kind = match trimmed(document_type) {
        None => {
            push(fields, "document_type", BLANK);
            None
        }
        Some(raw) => {
            let kind = DocumentType::parse(raw);
            if kind.is_none() {
                push(fields, "document_type", "must be cnpj or cpf");
            }
            kind
        }
    };
    let raw = match trimmed(document) {
        None => {
            push(fields, "document", BLANK);
            return None;
        }
        Some(raw) => raw,
    };
    let kind = kind?;
    match Document::parse(kind, raw) {
        Ok(doc) => Some(doc),
        Err(err) => {
            push(fields, "document", err.message(kind));
            None
        }
    }
}

/// `POST /api/signup/validate-document`.
pub async fn validate_document(
    state: &AppState,
    document: Option<String>,
    document_type: Option<String>,
) -> Result<DocumentCheck, AppError> {
    let mut fields = FieldErrors::new();
    let doc = parse_document(&mut fields, &document, &document_type);
    let Some(doc) = doc.filter(|_| fields.is_empty()) else { return Err(AppError::Validation { fields }) };
    let available = !db::tenants::document_exists(&state.pool, &doc).await?;
    Ok(DocumentCheck {
        valid: true,
        document_type: doc.kind().as_str().to_string(),
        formatted: doc.formatted(),
        document: doc.as_str().to_string(),
        available,
    })
}

/// The workspace name a company gets when it does not choose one: its name folded to a slug
/// ("Clínica ABC Ltda" → `clinica-abc-ltda`), made to fit the slug rules.
pub fn derive_slug(company_name: &str) -> String {
    let mut base = slugify(company_name);
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("empresa-{base}");
    }
    if base.len() > 40 {
        base.truncate(40);
        base = base.trim_end_matches('-').to_string();
    }
    match Slug::parse(&base) {
        Ok(_) => base,
        Err(SlugError::Reserved) => format!("{base}-empresa"),
        Err(_) if base.len() < 2 => format!("empresa-{base}").trim_end_matches('-').to_string(),
        Err(_) => base,
    }
}

/// A free workspace name close to `base`: `base-2`, `base-3`, …
pub async fn suggest_slug(state: &AppState, base: &str) -> Result<String, AppError> {
    let stem: String = base.chars().take(36).collect::<String>().trim_end_matches('-').to_string();
    let stem = if Slug::parse(&format!("{stem}-2")).is_ok() { stem } else { "empresa".to_string() };
    let taken = db::tenants::slugs_with_prefix(&state.pool, &stem).await?;
    if !taken.iter().any(|s| s == &stem) && Slug::parse(&stem).is_ok() {
        return Ok(stem);
    }
    let free = (2..).map(|n| format!("{stem}-{n}")).find(|c| !taken.contains(c)).expect("an unbounded range");
    Ok(free)
}

/// The company step: name, document and workspace name (derived when not chosen).
pub struct CompanyInput {
    pub company_name: Option<String>,
    pub document: Option<String>,
    pub document_type: Option<String>,
    pub slug: Option<String>,
}

pub struct CompanyStep {
    pub name: String,
    pub document: Document,
    pub slug: Slug,
}

fn check_company_fields(fields: &mut FieldErrors, input: &CompanyInput) -> Option<CompanyStep> {
    let name = match trimmed(&input.company_name) {
        None => {
            push(fields, "company_name", BLANK);
            None
        }
        Some(n) if n.chars().count() > 120 => {
            push(fields, "company_name", "should be at most 120 characters");
            None
        }
        Some(n) => Some(n.to_string()),
    };
    let document = parse_document(fields, &input.document, &input.document_type);
    let slug = match trimmed(&input.slug) {
        Some(raw) => match Slug::parse(&raw.to_lowercase()) {
            Ok(slug) => Some(slug),
            Err(err) => {
                push(fields, "slug", err.to_string());
                None
            }
        },
        None => name.as_deref().and_then(|n| Slug::parse(&derive_slug(n)).ok()),
    };
    if slug.is_none() && name.is_some() && trimmed(&input.slug).is_none() {
        push(fields, "slug", "choose a workspace name: lowercase letters, digits and hyphens");
    }
    Some(CompanyStep { name: name?, document: document?, slug: slug? })
}

/// Checks the company step and that its slug and document are free (the registry's unique keys
/// decide for good at provisioning).
pub async fn check_company(state: &AppState, input: &CompanyInput) -> Result<CompanyStep, AppError> {
    let mut fields = FieldErrors::new();
    let step = check_company_fields(&mut fields, input);
    let Some(step) = step.filter(|_| fields.is_empty()) else { return Err(AppError::Validation { fields }) };
    ensure_free(state, &step).await?;
    Ok(step)
}

async fn ensure_free(state: &AppState, step: &CompanyStep) -> Result<(), AppError> {
    if db::tenants::document_exists(&state.pool, &step.document).await? {
        return Err(AppError::Taken {
            detail: "A company with this document is already registered".into(),
            code: "document_taken".into(),
            suggested_slug: suggest_slug(state, step.slug.as_str()).await?,
        });
    }
    if db::tenants::slug_exists(&state.pool, step.slug.as_str()).await? {
        return Err(AppError::Taken {
            detail: "This workspace name is already taken".into(),
            code: "slug_taken".into(),
            suggested_slug: suggest_slug(state, step.slug.as_str()).await?,
        });
    }
    Ok(())
}

/// The admin step: the first owner of the workspace.
pub struct AdminInput {
    pub admin_name: Option<String>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
}

pub struct AdminStep {
    pub name: String,
    pub email: String,
    pub password: String,
}

fn check_admin_fields(fields: &mut FieldErrors, input: &AdminInput) -> Option<AdminStep> {
    let name = match trimmed(&input.admin_name) {
        None => {
            push(fields, "admin_name", BLANK);
            None
        }
        Some(n) if n.chars().count() > 120 => {
            push(fields, "admin_name", "should be at most 120 characters");
            None
        }
        Some(n) => Some(n.to_string()),
    };
    let email = match trimmed(&input.admin_email) {
        None => {
            push(fields, "admin_email", BLANK);
            None
        }
        Some(e) if !is_email(e) => {
            push(fields, "admin_email", "is not a valid email address");
            None
        }
        Some(e) => Some(e.to_lowercase()),
    };
    let password = match input.admin_password.as_deref().filter(|p| !p.is_empty()) {
        None => {
            push(fields, "admin_password", BLANK);
            None
        }
        Some(p) => match check_password_policy(p) {
            Some(problem) => {
                push(fields, "admin_password", problem);
                None
            }
            None => Some(p.to_string()),
        },
    };
    Some(AdminStep { name: name?, email: email?, password: password? })
}

pub fn check_admin(input: &AdminInput) -> Result<AdminStep, AppError> {
    let mut fields = FieldErrors::new();
    let step = check_admin_fields(&mut fields, input);
    step.filter(|_| fields.is_empty()).ok_or(AppError::Validation { fields })
}

/// The plan a signup starts its trial on: any plan sold by self-service checkout.
pub async fn check_plan(
    state: &AppState,
    fields: &mut FieldErrors,
    plan: &Option<String>,
) -> Result<Option<PlanDto>, AppError> {
    let Some(id) = trimmed(plan) else {
        push(fields, "plan", BLANK);
        return Ok(None);
    };
    match db::plans::find(&state.pool, id).await? {
        None => {
            push(fields, "plan", "is not a plan");
            Ok(None)
        }
        Some(plan) if !plan.self_service() => Err(AppError::Unprocessable {
            detail: format!("The {} plan is sold by our sales team: contact sales", plan.name),
            code: "contact_sales".into(),
        }),
        Some(plan) => Ok(Some(plan)),
    }
}

pub struct RegisterInput {
    pub company: CompanyInput,
    pub admin: AdminInput,
    pub plan: Option<String>,
    pub locale: Locale,
}

/// What a finished signup hands back; the web flow signs `context` in.
pub struct Registered {
    pub dto: SignupDto,
    pub context: tenant::TenantContext,
}

/// `POST /api/signup/register`: validates everything, then provisions the tenant in one
/// transaction (trial) with the admin as owner, and signs the owner in.
pub async fn register(state: &AppState, input: RegisterInput) -> Result<Registered, AppError> {
    let mut fields = FieldErrors::new();
    let company = check_company_fields(&mut fields, &input.company);
    let admin = check_admin_fields(&mut fields, &input.admin);
    let plan = check_plan(state, &mut fields, &input.plan).await?;
    let (Some(company), Some(admin), Some(plan)) = (company, admin, plan) else {
        return Err(AppError::Validation { fields });
    };
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    ensure_free(state, &company).await?;
    let password_hash = password::hash(admin.password).await?;
    register_hashed(state, company, &admin.name, &admin.email, &password_hash, &plan, input.locale).await
}

/// The provisioning half of [`register`], for callers that hashed the password earlier (the
/// signup pages hash it at the admin step and keep only the hash).
pub async fn register_hashed(
    state: &AppState,
    company: CompanyStep,
    admin_name: &str,
    admin_email: &str,
    password_hash: &str,
    plan: &PlanDto,
    locale: Locale,
) -> Result<Registered, AppError> {
    let trial_ends_at = OffsetDateTime::now_utc() + Duration::days(state.settings.trial_days);
    let result = provisioning::provision(
        state,
        &company.slug,
        &NewCompany {
            name: &company.name,
            plan_id: &plan.id,
            document: Some(&company.document),
            trial_ends_at: Some(trial_ends_at),
        },
        &NewOwner { name: admin_name, email: admin_email, password_hash, locale },
    )
    .await;
    let provisioned = match result {
        Err(AppError::Taken { detail, code, .. }) => {
            let suggested_slug = suggest_slug(state, company.slug.as_str()).await?;
            return Err(AppError::Taken { detail, code, suggested_slug });
        }
        other => other?,
    };
    let context =
        tenant::resolve(state, &company.slug, provisioned.tenant_id, provisioned.owner_id, 1, AuthVia::Bearer)
            .await?
            .ok_or_else(|| crate::server::error::internal("signup", "new tenant not found"))?;
    let tokens = auth::issue_tokens(state, &context).await?;
    let dto = SignupDto {
        tenant: SignupTenantDto {
            slug: company.slug.to_string(),
            name: company.name,
            plan: plan.id.clone(),
            status: context.tenant.status.clone(),
            trial_ends_at: trial_ends_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        },
        user: context.user.to_dto(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        token_type: tokens.token_type.to_string(),
        expires_in: tokens.expires_in,
    };
    Ok(Registered { dto, context })
}

#[cfg(test)]
mod tests {
    use super::derive_slug;

    #[test]
    fn slugs_from_company_names() {
        assert_eq!(derive_slug("Clínica ABC Ltda"), "clinica-abc-ltda");
        assert_eq!(derive_slug("  Açaí & Cia.  "), "acai-cia");
        assert_eq!(derive_slug("123 Comércio"), "empresa-123-comercio");
        assert_eq!(derive_slug("API"), "api-empresa");
        assert!(derive_slug(&"Muito Longo ".repeat(10)).len() <= 40);
        assert!(crate::server::tenant::Slug::parse(&derive_slug(&"Muito Longo ".repeat(10))).is_ok());
    }
}
