//! Starting a checkout: a signed-in manager changing the plan, or the last step of a signup.
//! The plan changes only when the payment provider confirms the payment (`webhook`).
use uuid::Uuid;

use super::{excess, own_url};
use crate::{
    error::AppError,
    model::{CheckoutDto, Role, SubscriptionStatus},
    server::{
        db::{
            public::{
                checkouts::{self, NewCheckout},
                plans, tenants,
            },
            tenant::users,
        },
        domain::{body, fields::Fields, BLANK},
        error::internal,
        payments::CheckoutRequest,
        services::authz,
        state::Core,
        tenancy::{context::TenantContext, tenant::Tenant},
    },
};

/// The plans a checkout can name (the `plans` table's ids; `enterprise` is sold by contact).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum PlanId {
    Starter,
    Professional,
    Enterprise,
}

body! {
    /// `POST /api/v1/billing/checkout` and the billing page's plan buttons.
    pub struct CheckoutInput {
        #[schema(required = true, nullable = false, value_type = PlanId)] plan: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] success_url: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] cancel_url: String,
    }
}

body! {
    /// `POST /api/signup/checkout`: the same, naming the workspace.
    pub struct SignupCheckout {
        #[schema(required = true, nullable = false, pattern = r"^(?!pg-)(?!.*--)[a-z][a-z0-9-]{0,38}[a-z0-9]$")] tenant: String,
        #[schema(required = true, nullable = false, value_type = PlanId)] plan: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] success_url: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] cancel_url: String,
    }
}

/// Starts a checkout for `tenant` to pay `plan`; the plan changes only when the provider confirms
/// the payment. `email` is the buyer's (the company's contact for the provider).
async fn start_checkout(
    core: &Core,
    tenant: &Tenant,
    email: &str,
    input: CheckoutInput,
) -> Result<CheckoutDto, AppError> {
    let mut fields = Fields::new();
    let plan_id = input.plan.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let found = match plan_id {
        Some(id) => plans::find(&core.pool, id).await?,
        None => None,
    };
    let plan = fields.required("plan", plan_id, |_| found.ok_or_else(|| "is not a plan".into()));
    let own =
        |v: &str| own_url(&core.settings.public_url, v).ok_or_else(|| "must be an address of this application".into());
    let success_url = fields.required("success_url", input.success_url.as_deref(), own);
    let cancel_url = fields.required("cancel_url", input.cancel_url.as_deref(), own);
    fields.finish()?;
    let (Some(plan), Some(success_url), Some(cancel_url)) = (plan, success_url, cancel_url) else {
        return Err(AppError::Internal);
    };
    if !plan.self_service() {
        return Err(AppError::Unprocessable {
            detail: format!("The {} plan is sold by our sales team: contact sales", plan.name),
            code: "contact_sales".into(),
        });
    }
    let billing = tenants::subscription(&core.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    if billing.status == SubscriptionStatus::Active && billing.plan_id == plan.id {
        return Err(AppError::Conflict {
            detail: format!("The subscription is already on the {} plan", plan.name),
            code: "already_on_plan".into(),
        });
    }
    let exceeds = excess(&tenant.db(&core.pool), &plan).await?;
    if !exceeds.is_empty() {
        return Err(AppError::DowngradeExceeds { plan: plan.name.clone(), exceeds });
    }
    let checkout_id = Uuid::new_v4();
    let request = CheckoutRequest {
        checkout_id,
        tenant_id: tenant.id,
        company_name: &tenant.name,
        document: billing.document.as_deref(),
        email,
        customer_id: billing.payment_customer_id.as_deref(),
        plan: &plan,
        success_url: &success_url,
        cancel_url: &cancel_url,
    };
    let created = core.payments.create_checkout(&request).await.map_err(|e| internal("payment provider", e))?;
    if let Some(customer_id) = created.customer_id.as_deref() {
        if billing.payment_customer_id.as_deref() != Some(customer_id) {
            tenants::set_customer_id(&core.pool, tenant.id, customer_id).await?;
        }
    }
    checkouts::insert(
        &core.pool,
        &NewCheckout {
            id: checkout_id,
            tenant_id: tenant.id,
            plan_id: &plan.id,
            provider: core.payments.name(),
            provider_ref: &created.provider_ref,
            url: &created.url,
            success_url: &success_url,
            cancel_url: &cancel_url,
        },
    )
    .await?;
    Ok(CheckoutDto { checkout_id, checkout_url: created.url })
}

/// A signed-in manager (or owner) changes the plan: `POST /api/v1/billing/checkout` and the
/// billing page. Allowed while past due: paying is how a tenant gets its writes back.
pub async fn checkout_for(core: &Core, ctx: &TenantContext, input: CheckoutInput) -> Result<CheckoutDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    ctx.tenant.ensure_verified()?;
    start_checkout(core, &ctx.tenant, &ctx.user.email, input).await
}

/// `POST /api/signup/checkout {tenant, ...}`: the last step of a signup, proven by the access token
/// registration returned: `owner` must be the named workspace's owner (403 otherwise, another
/// workspace's token included). Only a workspace still in its trial can be checked out this way;
/// a paying one changes its plan from the billing page, signed in.
pub async fn signup_checkout(
    core: &Core,
    owner: &TenantContext,
    input: SignupCheckout,
) -> Result<CheckoutDto, AppError> {
    let SignupCheckout { tenant, plan, success_url, cancel_url } = input;
    let input = CheckoutInput { plan, success_url, cancel_url };
    let slug =
        tenant.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| AppError::field("tenant", BLANK))?;
    if owner.tenant.slug.as_str() != slug || owner.user.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let tenant = owner.tenant.clone();
    tenant.ensure_verified()?;
    let billing = tenants::subscription(&core.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    if billing.status != SubscriptionStatus::Trialing {
        return Err(AppError::Conflict {
            detail: "This workspace already has a subscription: change it from the billing page".into(),
            code: "subscription_exists".into(),
        });
    }
    let email = users::owner_email(&tenant.db(&core.pool)).await?.unwrap_or_default();
    start_checkout(core, &tenant, &email, input).await
}
