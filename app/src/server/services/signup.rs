//! A company signs up: its document is checked, its workspace provisioned at once (trial) with the
//! admin as owner. The JSON API (`/api/signup/*`) and the signup pages both come through here.
use time::{Duration, OffsetDateTime};

use crate::{
    document::{Document, DocumentType},
    error::AppError,
    i18n::Locale,
    model::{DocumentCheck, PlanDto, SignupDto, SignupTenantDto},
    server::{
        db::{
            public::{plans, tenants},
            tenant::users,
        },
        domain::{body, email::Email, fields::Fields, name::Name, BLANK},
        password,
        services::{
            auth,
            profile::check_password_policy,
            provisioning::{self, NewCompany, NewOwner},
            sessions::Client,
        },
        state::Core,
        tenancy::{
            context::TenantContext,
            slug::{Slug, SlugError},
        },
        text::slugify,
    },
};

/// At most N signup requests per minute from one client address (API and pages alike).
pub async fn throttle(core: &Core, client: &str) -> Result<(), AppError> {
    super::throttle::signup(core, client).await
}

/// Parses `document` as `document_type`, recording field errors on the way.
fn parse_document(f: &mut Fields, document: Option<&str>, document_type: Option<&str>) -> Option<Document> {
    let kind = f.required("document_type", document_type, |raw| {
        DocumentType::parse(raw).ok_or_else(|| "must be cnpj or cpf".to_string())
    });
    let Some(raw) = document.map(str::trim).filter(|v| !v.is_empty()) else {
        f.add("document", BLANK);
        return None;
    };
    let kind = kind?;
    f.check("document", Document::parse(kind, raw).map_err(|err| err.message(kind).to_string()))
}

body! {
    /// `POST /api/signup/validate-document`.
    pub struct DocumentInput {
        #[schema(required = true, nullable = false, min_length = 1)] document: String,
        #[schema(required = true, nullable = false, value_type = DocumentType)] document_type: String,
    }
}

pub async fn validate_document(core: &Core, input: DocumentInput) -> Result<DocumentCheck, AppError> {
    let mut fields = Fields::new();
    let doc = parse_document(&mut fields, input.document.as_deref(), input.document_type.as_deref());
    fields.finish()?;
    let doc = doc.ok_or(AppError::Internal)?;
    let available = !tenants::document_exists(&core.pool, &doc).await?;
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
pub async fn suggest_slug(core: &Core, base: &str) -> Result<String, AppError> {
    let stem: String = base.chars().take(36).collect::<String>().trim_end_matches('-').to_string();
    let stem = if Slug::parse(&format!("{stem}-2")).is_ok() { stem } else { "empresa".to_string() };
    let taken = tenants::slugs_with_prefix(&core.pool, &stem).await?;
    if !taken.iter().any(|s| s == &stem) && Slug::parse(&stem).is_ok() {
        return Ok(stem);
    }
    let free = (2..).map(|n| format!("{stem}-{n}")).find(|c| !taken.contains(c)).expect("an unbounded range");
    Ok(free)
}

body! {
    /// `POST /api/signup/register`: the whole signup in one body. The signup pages fill it in
    /// step by step: company (name, document, workspace name), admin, plan.
    pub struct RegisterInput {
        #[schema(required = true, nullable = false, min_length = 1, max_length = 120, pattern = r"\S")] company_name: String,
        #[schema(required = true, nullable = false, min_length = 1)] document: String,
        #[schema(required = true, nullable = false, value_type = DocumentType)] document_type: String,
        #[schema(pattern = r"^(?!pg-)(?!.*--)[a-z][a-z0-9-]{0,38}[a-z0-9]$")] slug: String,
        #[schema(required = true, nullable = false, min_length = 1, max_length = 120, pattern = r"\S")] admin_name: String,
        #[schema(required = true, nullable = false, max_length = 254, pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$")] admin_email: String,
        #[schema(required = true, nullable = false, min_length = 12, max_length = 128)] admin_password: String,
        #[schema(required = true, nullable = false, value_type = crate::server::services::billing::subscription::PlanId)] plan: String,
    }
}

/// The company step, checked: name, document and workspace name (derived when not chosen).
pub struct CompanyStep {
    pub name: String,
    pub document: Document,
    pub slug: Slug,
}

/// The admin step, checked: the first owner of the workspace.
pub struct AdminStep {
    pub name: String,
    pub email: String,
    pub password: String,
}

fn check_company_fields(f: &mut Fields, input: &RegisterInput) -> Option<CompanyStep> {
    let name = f.required("company_name", input.company_name.as_deref(), Name::parse);
    let document = parse_document(f, input.document.as_deref(), input.document_type.as_deref());
    let chosen = input.slug.as_deref().map(str::trim).filter(|v| !v.is_empty());
    let slug = match chosen {
        Some(raw) => f.check("slug", Slug::parse(&raw.to_lowercase()).map_err(|err| err.to_string())),
        None => name.as_ref().and_then(|n| Slug::parse(&derive_slug(n.as_str())).ok()),
    };
    if slug.is_none() && name.is_some() && chosen.is_none() {
        f.add("slug", "choose a workspace name: lowercase letters, digits and hyphens");
    }
    Some(CompanyStep { name: name?.into_string(), document: document?, slug: slug? })
}

/// Checks the company step and that its slug and document are free (the registry's unique keys
/// decide for good at provisioning).
pub async fn check_company(core: &Core, input: &RegisterInput) -> Result<CompanyStep, AppError> {
    let mut fields = Fields::new();
    let step = check_company_fields(&mut fields, input);
    fields.finish()?;
    let step = step.ok_or(AppError::Internal)?;
    ensure_free(core, &step).await?;
    Ok(step)
}

async fn ensure_free(core: &Core, step: &CompanyStep) -> Result<(), AppError> {
    if tenants::document_exists(&core.pool, &step.document).await? {
        return Err(provisioning::document_taken(suggest_slug(core, step.slug.as_str()).await?));
    }
    if tenants::slug_exists(&core.pool, step.slug.as_str()).await? {
        return Err(provisioning::slug_taken(suggest_slug(core, step.slug.as_str()).await?));
    }
    Ok(())
}

fn check_admin_fields(f: &mut Fields, input: &RegisterInput) -> Option<AdminStep> {
    let name = f.required("admin_name", input.admin_name.as_deref(), Name::parse);
    let email = f.required("admin_email", input.admin_email.as_deref(), Email::parse);
    let password = match input.admin_password.as_deref().filter(|p| !p.is_empty()) {
        None => {
            f.add("admin_password", BLANK);
            None
        }
        Some(p) => {
            let personal = [
                input.slug.as_deref().unwrap_or_default(),
                input.company_name.as_deref().unwrap_or_default(),
                input.admin_email.as_deref().unwrap_or_default(),
            ];
            f.check("admin_password", check_password_policy(p, &personal).map_or(Ok(p.to_string()), Err))
        }
    };
    Some(AdminStep { name: name?.into_string(), email: email?.as_str().to_lowercase(), password: password? })
}

pub fn check_admin(input: &RegisterInput) -> Result<AdminStep, AppError> {
    let mut fields = Fields::new();
    let step = check_admin_fields(&mut fields, input);
    fields.finish()?;
    step.ok_or(AppError::Internal)
}

/// The plan a signup starts its trial on: any plan sold by self-service checkout.
pub async fn check_plan(core: &Core, fields: &mut Fields, plan: Option<&str>) -> Result<Option<PlanDto>, AppError> {
    let Some(id) = plan.map(str::trim).filter(|v| !v.is_empty()) else {
        fields.add("plan", BLANK);
        return Ok(None);
    };
    match plans::find(&core.pool, id).await? {
        None => {
            fields.add("plan", "is not a plan");
            Ok(None)
        }
        Some(plan) if !plan.self_service() => Err(AppError::Unprocessable {
            detail: format!("The {} plan is sold by our sales team: contact sales", plan.name),
            code: "contact_sales".into(),
        }),
        Some(plan) => Ok(Some(plan)),
    }
}

/// What a finished signup hands back; the web flow signs `context` in.
pub struct Registered {
    /// The owner in the new workspace, not signed in anywhere yet.
    pub context: TenantContext,
    trial_ends_at: OffsetDateTime,
    plan: String,
    company_name: String,
}

/// `POST /api/signup/register`: validates everything, then provisions the tenant in one
/// transaction (trial) with the admin as owner, and signs the owner in. `locale` is the
/// browser's (`Accept-Language`).
pub async fn register(
    core: &Core,
    input: RegisterInput,
    locale: Locale,
    client: &Client,
) -> Result<SignupDto, AppError> {
    let mut fields = Fields::new();
    let company = check_company_fields(&mut fields, &input);
    let admin = check_admin_fields(&mut fields, &input);
    let plan = check_plan(core, &mut fields, input.plan.as_deref()).await?;
    fields.finish()?;
    let (Some(company), Some(admin), Some(plan)) = (company, admin, plan) else { return Err(AppError::Internal) };
    ensure_free(core, &company).await?;
    let password_hash = password::hash(admin.password).await?;
    let registered = register_hashed(core, company, &admin.name, &admin.email, &password_hash, &plan, locale).await?;
    let (tokens, context) = auth::issue_tokens(core, &registered.context, client).await?;
    Ok(SignupDto {
        tenant: SignupTenantDto {
            slug: context.tenant.slug.to_string(),
            name: registered.company_name,
            plan: registered.plan,
            status: context.tenant.status,
            trial_ends_at: registered
                .trial_ends_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        },
        user: context.user.to_dto(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        token_type: tokens.token_type.to_string(),
        expires_in: tokens.expires_in,
    })
}

/// The provisioning half of [`register`], for callers that hashed the password earlier (the
/// signup pages hash it at the admin step and keep only the hash).
pub async fn register_hashed(
    core: &Core,
    company: CompanyStep,
    admin_name: &str,
    admin_email: &str,
    password_hash: &str,
    plan: &PlanDto,
    locale: Locale,
) -> Result<Registered, AppError> {
    let trial_ends_at = OffsetDateTime::now_utc() + Duration::days(core.settings.trial_days);
    let result = provisioning::provision(
        core,
        &company.slug,
        &NewCompany {
            name: &company.name,
            plan_id: &plan.id,
            document: Some(&company.document),
            trial_ends_at: Some(trial_ends_at),
            email_verified: false,
        },
        &NewOwner { name: admin_name, email: admin_email, password_hash, locale },
    )
    .await;
    let provisioned = match result {
        Err(AppError::Taken { detail, code, .. }) => {
            let suggested_slug = suggest_slug(core, company.slug.as_str()).await?;
            return Err(AppError::Taken { detail, code, suggested_slug });
        }
        other => other?,
    };
    let tenant = core
        .tenants
        .get(&company.slug)
        .await?
        .filter(|t| t.id == provisioned.tenant_id)
        .ok_or_else(|| crate::server::error::internal("signup", "new tenant not found"))?;
    let db = tenant.db(&core.pool);
    let user = users::find_by_id(&db, provisioned.owner_id)
        .await?
        .ok_or_else(|| crate::server::error::internal("signup", "new owner not found"))?;
    let context = TenantContext { tenant, db, user, session_id: uuid::Uuid::nil(), api_key: None };
    Ok(Registered { context, trial_ends_at, plan: plan.id.clone(), company_name: company.name })
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
        assert!(crate::server::tenancy::slug::Slug::parse(&derive_slug(&"Muito Longo ".repeat(10))).is_ok());
    }
}
