//! The workspace's one subscription: starting it (the signup's last step or the billing page),
//! changing its plan, cycle or payment method, and canceling it. Only the owner changes it.
//!
//! One subscription per workspace: a change updates the live one at the provider; a new one is
//! made only when there is none (a trial, or after a cancel). Changes of one workspace take turns
//! (an advisory lock per workspace, held across the provider's calls), so two clicks cannot make
//! two subscriptions. Plan changes:
//! - before the first payment: the pending first charge asks for the new plan and value;
//! - an upgrade: from now, for a one-off charge of the difference prorated over what is left of
//!   the paid period (the plan comes when that charge is paid; under R$ 5,00, Asaas's minimum,
//!   at once and free); the subscription charges the new value from the next cycle;
//! - a downgrade or a cycle change: from the next cycle (the period already paid is kept).
use time::OffsetDateTime;
use uuid::Uuid;

use super::{excess, own_url, period::parse_date};
use crate::{
    error::AppError,
    model::{BillingCycle, BillingType, CheckoutDto, PlanDto, Role, SubscriptionChangeDto, SubscriptionStatus},
    server::{
        db::{
            public::{
                charges::{self, NewCharge},
                plans,
                tenants::{self, BillingRow, SubscriptionTerms as StoredTerms},
            },
            tenant::{company, users},
        },
        domain::{body, fields::Fields, BLANK},
        payments::{NewCustomer, NewPayment, NewSubscription, PaymentError, RemotePayment, SubscriptionTerms},
        services::authz,
        state::Core,
        tenancy::{context::TenantContext, tenant::Tenant},
    },
};

/// Asaas refuses charges under R$ 5,00.
pub const MINIMUM_CHARGE_CENTS: i32 = 500;

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
    /// `POST /api/v1/billing/checkout` (the plan only; a new subscription's payment page).
    pub struct CheckoutInput {
        #[schema(required = true, nullable = false, value_type = PlanId)] plan: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] success_url: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] cancel_url: String,
        #[schema(value_type = Option<BillingCycle>)] cycle: String,
        #[schema(value_type = Option<BillingType>)] billing_type: String,
    }
}

body! {
    /// `POST /api/signup/checkout`: the same, naming the workspace.
    pub struct SignupCheckout {
        #[schema(required = true, nullable = false, pattern = r"^(?!pg-)(?!.*--)[a-z][a-z0-9-]{0,38}[a-z0-9]$")] tenant: String,
        #[schema(required = true, nullable = false, value_type = PlanId)] plan: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] success_url: String,
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] cancel_url: String,
        #[schema(value_type = Option<BillingCycle>)] cycle: String,
        #[schema(value_type = Option<BillingType>)] billing_type: String,
    }
}

body! {
    /// `POST /api/v1/billing/subscription`: absent fields keep their value (at least one is given).
    pub struct SubscriptionInput {
        #[schema(value_type = Option<PlanId>)] plan: String,
        #[schema(value_type = Option<BillingCycle>)] cycle: String,
        #[schema(value_type = Option<BillingType>)] billing_type: String,
        /// Where the payment page returns the buyer (an address of this application).
        #[schema(max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] success_url: String,
    }
}

/// A change, validated.
struct Wanted {
    plan: PlanDto,
    cycle: BillingCycle,
    billing_type: BillingType,
    success_url: Option<String>,
}

fn provider_error(err: PaymentError) -> AppError {
    tracing::error!(error = %err, location = %std::panic::Location::caller(), "payment provider");
    AppError::PaymentProvider
}

/// Reads and checks a change against the current subscription (`row`): absent fields keep
/// theirs.
async fn validate(
    core: &Core,
    row: &BillingRow,
    plan: Option<&str>,
    cycle: Option<&str>,
    billing_type: Option<&str>,
    success_url: Option<&str>,
) -> Result<Wanted, AppError> {
    let mut fields = Fields::new();
    let plan_id = plan.map(str::trim);
    let found = match plan_id.filter(|p| !p.is_empty()) {
        Some(id) => plans::find(&core.pool, id).await?,
        None => None,
    };
    let plan = match plan_id {
        Some(_) => fields.required("plan", plan_id, |_| found.ok_or_else(|| "is not a plan".into())),
        None => plans::find(&core.pool, &row.plan_id).await?,
    };
    let cycle = match cycle {
        Some(c) => fields.required("cycle", Some(c), |c| {
            BillingCycle::parse(c.trim()).ok_or_else(|| "must be MONTHLY or YEARLY".into())
        }),
        None => Some(row.billing_cycle),
    };
    let billing_type = match billing_type {
        Some(t) => fields.required("billing_type", Some(t), |t| {
            BillingType::parse(t.trim()).ok_or_else(|| "must be PIX, BOLETO, CREDIT_CARD or UNDEFINED".into())
        }),
        None => Some(row.billing_type),
    };
    let success_url = match success_url {
        Some(url) => fields.required("success_url", Some(url), |v| {
            own_url(&core.settings.public_url, v).ok_or_else(|| "must be an address of this application".into())
        }),
        None => None,
    };
    fields.finish()?;
    let (Some(plan), Some(cycle), Some(billing_type)) = (plan, cycle, billing_type) else {
        return Err(AppError::Internal);
    };
    if !plan.self_service() || plan.price_cents(cycle).is_none() {
        return Err(AppError::Unprocessable {
            detail: format!("The {} plan is sold by our sales team: contact sales", plan.name),
            code: "contact_sales".into(),
        });
    }
    Ok(Wanted { plan, cycle, billing_type, success_url })
}

/// What a subscription says on the customer's charges.
fn description(plan: &PlanDto, cycle: BillingCycle, company: &str) -> String {
    let cycle = match cycle {
        BillingCycle::Monthly => "mensal",
        BillingCycle::Yearly => "anual",
    };
    format!("Atrium {} ({cycle}) — {company}", plan.name).chars().take(500).collect()
}

/// Applies a validated change to `tenant`'s subscription; the caller holds no lock.
async fn change(core: &Core, tenant: &Tenant, email: &str, wanted: Wanted) -> Result<SubscriptionChangeDto, AppError> {
    let mut tx = core.pool.begin().await?;
    // Changes of one workspace take turns, on every node, across the provider's calls.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('billing:' || $1::text, 0))")
        .bind(tenant.id)
        .execute(&mut *tx)
        .await?;
    let row = tenants::billing(&core.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    let exceeds = excess(&tenant.db(&core.pool), &wanted.plan).await?;
    if !exceeds.is_empty() {
        return Err(AppError::DowngradeExceeds { plan: wanted.plan.name.clone(), exceeds });
    }
    let price = wanted.plan.price_cents(wanted.cycle).ok_or(AppError::Internal)?;
    let text = description(&wanted.plan, wanted.cycle, &tenant.name);
    let terms = SubscriptionTerms {
        value_cents: price,
        cycle: wanted.cycle,
        billing_type: wanted.billing_type,
        description: &text,
    };
    let live = row.subscription_id.clone().filter(|_| row.status != SubscriptionStatus::Canceled);
    let answer = match live {
        None => start(core, &mut tx, tenant, &row, email, &wanted, &terms).await?,
        Some(id) if row.status == SubscriptionStatus::Trialing => {
            // Not paid yet: the pending first charge asks for the new plan.
            let open = charges::open(&core.pool, tenant.id).await?;
            let Some(first) = open.into_iter().find(|c| c.subscription_id.as_deref() == Some(id.as_str())) else {
                // Its charge is gone (deleted at the provider): start over with a new one.
                core.payments.cancel_subscription(&id).await.map_err(provider_error)?;
                let answer = start(core, &mut tx, tenant, &row, email, &wanted, &terms).await?;
                return finish(tx, answer).await;
            };
            core.payments.update_subscription(&id, &terms).await.map_err(provider_error)?;
            charges::retarget(
                &mut tx,
                first.id,
                &wanted.plan.id,
                wanted.cycle,
                price,
                wanted.billing_type.as_str(),
                &text,
            )
            .await?;
            store_terms(&mut tx, tenant.id, Some(&id), &wanted, price, None).await?;
            SubscriptionChangeDto {
                effective: "on_payment".into(),
                plan: wanted.plan.id.clone(),
                cycle: wanted.cycle,
                billing_type: wanted.billing_type,
                charge_id: Some(first.id),
                payment_url: first.invoice_url,
            }
        }
        Some(id) => modify(core, &mut tx, tenant, &row, &id, &wanted, &terms).await?,
    };
    finish(tx, answer).await
}

async fn finish(
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    answer: SubscriptionChangeDto,
) -> Result<SubscriptionChangeDto, AppError> {
    tx.commit().await?;
    Ok(answer)
}

async fn store_terms(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    subscription_id: Option<&str>,
    wanted: &Wanted,
    price: i32,
    scheduled_plan_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let terms = StoredTerms {
        subscription_id,
        cycle: wanted.cycle,
        billing_type: wanted.billing_type,
        value_cents: Some(price),
        scheduled_plan_id,
    };
    tenants::set_subscription(conn, tenant_id, &terms).await
}

/// A new subscription (none yet, or the last one was canceled): the customer once per
/// workspace, then the subscription with its first charge due today.
async fn start(
    core: &Core,
    tx: &mut sqlx::PgConnection,
    tenant: &Tenant,
    row: &BillingRow,
    email: &str,
    wanted: &Wanted,
    terms: &SubscriptionTerms<'_>,
) -> Result<SubscriptionChangeDto, AppError> {
    let customer_id = match row.payment_customer_id.clone() {
        Some(id) => id,
        None => {
            let profile = company::get(&tenant.db(&core.pool)).await?;
            let customer = NewCustomer {
                tenant_id: tenant.id,
                name: &tenant.name,
                document: row.document.as_deref(),
                email: profile.email.as_deref().unwrap_or(email),
                phone: profile.phone.as_deref(),
                postal_code: None,
                address: None,
            };
            let id = core.payments.create_customer(&customer).await.map_err(provider_error)?;
            tenants::set_customer_id(tx, tenant.id, &id).await?;
            id
        }
    };
    let new = NewSubscription {
        customer_id: &customer_id,
        tenant_id: tenant.id,
        terms: SubscriptionTerms {
            value_cents: terms.value_cents,
            cycle: terms.cycle,
            billing_type: terms.billing_type,
            description: terms.description,
        },
        next_due_date: OffsetDateTime::now_utc().date(),
        success_url: wanted.success_url.as_deref(),
    };
    let (subscription, first) = core.payments.create_subscription(&new).await.map_err(provider_error)?;
    let charge_id = record_charge(
        core,
        tx,
        tenant.id,
        &first,
        Some(&subscription.id),
        "subscription",
        wanted,
        None,
        terms,
        wanted.success_url.as_deref(),
    )
    .await?;
    store_terms(tx, tenant.id, Some(&subscription.id), wanted, terms.value_cents, None).await?;
    Ok(SubscriptionChangeDto {
        effective: "on_payment".into(),
        plan: wanted.plan.id.clone(),
        cycle: wanted.cycle,
        billing_type: wanted.billing_type,
        charge_id: Some(charge_id),
        payment_url: first.invoice_url,
    })
}

#[allow(clippy::too_many_arguments)]
async fn record_charge(
    core: &Core,
    tx: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    payment: &RemotePayment,
    subscription_id: Option<&str>,
    kind: &str,
    wanted: &Wanted,
    from_plan_id: Option<&str>,
    terms: &SubscriptionTerms<'_>,
    success_url: Option<&str>,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    let due_date = parse_date(&payment.due_date).unwrap_or_else(|| OffsetDateTime::now_utc().date());
    charges::insert(
        tx,
        &NewCharge {
            id,
            tenant_id,
            provider: core.payments.name(),
            provider_ref: &payment.id,
            subscription_id,
            kind,
            plan_id: Some(&wanted.plan.id),
            from_plan_id,
            cycle: wanted.cycle,
            description: terms.description,
            expected_cents: crate::server::payments::cents(payment.value),
            billing_type: &payment.billing_type,
            due_date,
            invoice_url: payment.invoice_url.as_deref(),
            bank_slip_url: payment.bank_slip_url.as_deref(),
            success_url,
        },
    )
    .await?;
    Ok(id)
}

/// A paying workspace changes plan, cycle or payment method.
async fn modify(
    core: &Core,
    tx: &mut sqlx::PgConnection,
    tenant: &Tenant,
    row: &BillingRow,
    subscription_id: &str,
    wanted: &Wanted,
    terms: &SubscriptionTerms<'_>,
) -> Result<SubscriptionChangeDto, AppError> {
    let same_plan = wanted.plan.id == row.plan_id && row.scheduled_plan_id.is_none();
    if same_plan && wanted.cycle == row.billing_cycle && wanted.billing_type == row.billing_type {
        return Err(AppError::Conflict {
            detail: format!("The subscription is already on the {} plan, paid this way", wanted.plan.name),
            code: "already_on_plan".into(),
        });
    }
    // An upgrade waiting for its charge: asking for it again answers that charge; another change
    // waits until it is paid (or its charge is canceled), so two plan changes never race.
    let pending = charges::open(&core.pool, tenant.id).await?.into_iter().find(|c| c.kind == "upgrade");
    if let Some(upgrade) = pending {
        if upgrade.plan_id.as_deref() == Some(wanted.plan.id.as_str()) && wanted.cycle == row.billing_cycle {
            return Ok(SubscriptionChangeDto {
                effective: "on_payment".into(),
                plan: wanted.plan.id.clone(),
                cycle: wanted.cycle,
                billing_type: wanted.billing_type,
                charge_id: Some(upgrade.id),
                payment_url: upgrade.invoice_url,
            });
        }
        return Err(AppError::Conflict {
            detail: "An upgrade is waiting for its payment: pay it first".into(),
            code: "upgrade_pending".into(),
        });
    }
    let current = plans::find(&core.pool, &row.plan_id).await?.ok_or(AppError::Internal)?;
    core.payments.update_subscription(subscription_id, terms).await.map_err(provider_error)?;
    charges::expect_pending(tx, subscription_id, terms.value_cents).await?;
    let mut answer = SubscriptionChangeDto {
        effective: "next_cycle".into(),
        plan: wanted.plan.id.clone(),
        cycle: wanted.cycle,
        billing_type: wanted.billing_type,
        charge_id: None,
        payment_url: None,
    };
    let mut scheduled = None;
    if wanted.plan.id == row.plan_id {
        // Back to the current plan: a scheduled downgrade is dropped, at once.
        if row.scheduled_plan_id.is_some() && wanted.cycle == row.billing_cycle {
            answer.effective = "now".into();
        }
    } else if wanted.plan.monthly_price_cents > current.monthly_price_cents {
        let difference = prorated(row, &current, &wanted.plan);
        if difference >= MINIMUM_CHARGE_CENTS {
            let customer_id = row.payment_customer_id.clone().ok_or(AppError::Internal)?;
            let text = format!("Atrium: {} → {} ({})", current.name, wanted.plan.name, tenant.name);
            let new = NewPayment {
                customer_id: &customer_id,
                tenant_id: tenant.id,
                value_cents: difference,
                billing_type: wanted.billing_type,
                due_date: OffsetDateTime::now_utc().date(),
                description: &text,
                success_url: wanted.success_url.as_deref(),
            };
            let payment = core.payments.create_payment(&new).await.map_err(provider_error)?;
            let one_off = SubscriptionTerms { description: &text, ..*terms };
            let charge_id = record_charge(
                core,
                tx,
                tenant.id,
                &payment,
                None,
                "upgrade",
                wanted,
                Some(&current.id),
                &one_off,
                wanted.success_url.as_deref(),
            )
            .await?;
            answer.effective = "on_payment".into();
            answer.charge_id = Some(charge_id);
            answer.payment_url = payment.invoice_url;
            // The subscription charges the new plan's price from the next cycle: that cycle
            // brings the plan even if this charge is never paid.
            scheduled = Some(wanted.plan.id.as_str());
        } else {
            tenants::set_plan(tx, tenant.id, &wanted.plan.id).await?;
            answer.effective = "now".into();
        }
    } else {
        scheduled = Some(wanted.plan.id.as_str());
    }
    store_terms(tx, tenant.id, Some(subscription_id), wanted, terms.value_cents, scheduled).await?;
    Ok(answer)
}

/// The upgrade's price difference for what is left of the paid period, in centavos.
fn prorated(row: &BillingRow, from: &PlanDto, to: &PlanDto) -> i32 {
    let (Some(new), Some(old)) = (to.price_cents(row.billing_cycle), from.price_cents(row.billing_cycle)) else {
        return 0;
    };
    let now = OffsetDateTime::now_utc();
    let (Some(start), Some(end)) = (row.current_period_start, row.current_period_end) else { return new - old };
    let whole = (end - start).whole_seconds().max(1) as f64;
    let left = (end - now).whole_seconds().clamp(0, whole as i64) as f64;
    (f64::from(new - old) * left / whole).round() as i32
}

/// The owner of a signed-in workspace: `POST /api/v1/billing/subscription` and the billing page.
pub async fn change_for(
    core: &Core,
    ctx: &TenantContext,
    input: SubscriptionInput,
) -> Result<SubscriptionChangeDto, AppError> {
    authz::require(ctx, Role::Owner)?;
    ctx.tenant.ensure_verified()?;
    let SubscriptionInput { plan, cycle, billing_type, success_url } = input;
    if plan.is_none() && cycle.is_none() && billing_type.is_none() {
        return Err(AppError::field("plan", "give plan, cycle or billing_type"));
    }
    let row = tenants::billing(&core.pool, ctx.tenant.id).await?.ok_or(AppError::NotFound)?;
    let wanted = validate(
        core,
        &row,
        plan.as_deref(),
        cycle.as_deref(),
        billing_type.as_deref(),
        success_url.as_deref().or(Some("/billing?notice=paid")),
    )
    .await?;
    change(core, &ctx.tenant, &ctx.user.email, wanted).await
}

/// What a checkout answers: the charge to pay and its page, or — when nothing is to be paid now
/// (a downgrade for the next cycle) — the success URL.
fn checkout_answer(change: SubscriptionChangeDto, success_url: &str) -> CheckoutDto {
    CheckoutDto {
        checkout_id: change.charge_id,
        checkout_url: change.payment_url.unwrap_or_else(|| success_url.to_string()),
    }
}

async fn checkout(core: &Core, tenant: &Tenant, email: &str, input: CheckoutInput) -> Result<CheckoutDto, AppError> {
    let row = tenants::billing(&core.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    let CheckoutInput { plan, success_url, cancel_url, cycle, billing_type } = input;
    let mut fields = Fields::new();
    let own =
        |v: &str| own_url(&core.settings.public_url, v).ok_or_else(|| "must be an address of this application".into());
    let plan = fields.required("plan", plan.as_deref().filter(|p| !p.trim().is_empty()), |p| Ok(p.to_string()));
    let success = fields.required("success_url", success_url.as_deref(), own);
    fields.required("cancel_url", cancel_url.as_deref(), own);
    fields.finish()?;
    let (Some(plan), Some(success)) = (plan, success) else { return Err(AppError::Internal) };
    let wanted = validate(core, &row, Some(&plan), cycle.as_deref(), billing_type.as_deref(), Some(&success)).await?;
    Ok(checkout_answer(change(core, tenant, email, wanted).await?, &success))
}

/// `POST /api/v1/billing/checkout`: the owner starts or changes the subscription to `plan`.
pub async fn checkout_for(core: &Core, ctx: &TenantContext, input: CheckoutInput) -> Result<CheckoutDto, AppError> {
    authz::require(ctx, Role::Owner)?;
    ctx.tenant.ensure_verified()?;
    checkout(core, &ctx.tenant, &ctx.user.email, input).await
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
    let SignupCheckout { tenant, plan, success_url, cancel_url, cycle, billing_type } = input;
    let input = CheckoutInput { plan, success_url, cancel_url, cycle, billing_type };
    let slug =
        tenant.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| AppError::field("tenant", BLANK))?;
    if owner.tenant.slug.as_str() != slug || owner.user.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let tenant = owner.tenant.clone();
    tenant.ensure_verified()?;
    let billing = tenants::billing(&core.pool, tenant.id).await?.ok_or(AppError::NotFound)?;
    if billing.status != SubscriptionStatus::Trialing {
        return Err(AppError::Conflict {
            detail: "This workspace already has a subscription: change it from the billing page".into(),
            code: "subscription_exists".into(),
        });
    }
    let email = users::owner_email(&tenant.db(&core.pool)).await?.unwrap_or_default();
    checkout(core, &tenant, &email, input).await
}

/// `DELETE /api/v1/billing/subscription` (owner): ends the subscription at the provider; the
/// workspace stays writable until the end of the period already paid.
pub async fn cancel(core: &Core, ctx: &TenantContext) -> Result<(), AppError> {
    authz::require(ctx, Role::Owner)?;
    let mut tx = core.pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('billing:' || $1::text, 0))")
        .bind(ctx.tenant.id)
        .execute(&mut *tx)
        .await?;
    let row = tenants::billing(&core.pool, ctx.tenant.id).await?.ok_or(AppError::NotFound)?;
    let Some(id) = row.subscription_id.clone().filter(|_| row.status != SubscriptionStatus::Canceled) else {
        return Err(AppError::Conflict {
            detail: "There is no subscription to cancel".into(),
            code: "no_subscription".into(),
        });
    };
    // Asaas no longer knowing it means it ended there already: canceled all the same.
    match core.payments.cancel_subscription(&id).await {
        Err(err) if !err.is_not_found() => return Err(provider_error(err)),
        _ => {}
    }
    // An upgrade's charge not paid yet goes with the subscription: nothing is left to pay.
    let open = charges::open(&core.pool, row.id).await?;
    for upgrade in open.iter().filter(|c| c.kind == "upgrade") {
        match core.payments.cancel_payment(&upgrade.provider_ref).await {
            Err(err) if !err.is_not_found() => return Err(provider_error(err)),
            _ => {}
        }
        charges::cancel(&mut tx, upgrade.id).await?;
    }
    // Charges, then the workspace: the order every writer locks them in.
    charges::cancel_open(&mut tx, &id).await?;
    tenants::subscription_ended(&mut tx, row.id).await?;
    tx.commit().await?;
    core.tenants.evict(&ctx.tenant.slug);
    Ok(())
}

/// A refunded upgrade put `plan_id` back: the subscription charges that plan's price again from
/// the next cycle (called after the refund's event committed).
pub async fn restore_terms(core: &Core, tenant_id: Uuid, plan_id: &str) -> Result<(), AppError> {
    let mut tx = core.pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('billing:' || $1::text, 0))")
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
    let row = tenants::billing(&core.pool, tenant_id).await?.ok_or(AppError::NotFound)?;
    let plan = plans::find(&core.pool, plan_id).await?.ok_or(AppError::NotFound)?;
    let (Some(id), Some(price)) = (row.subscription_id.clone(), plan.price_cents(row.billing_cycle)) else {
        return Ok(());
    };
    if row.status == SubscriptionStatus::Canceled || row.subscription_value_cents == Some(price) {
        return Ok(());
    }
    let text = description(&plan, row.billing_cycle, &row.name);
    let terms = SubscriptionTerms {
        value_cents: price,
        cycle: row.billing_cycle,
        billing_type: row.billing_type,
        description: &text,
    };
    core.payments.update_subscription(&id, &terms).await.map_err(provider_error)?;
    charges::expect_pending(&mut tx, &id, price).await?;
    let stored = StoredTerms {
        subscription_id: Some(&id),
        cycle: row.billing_cycle,
        billing_type: row.billing_type,
        value_cents: Some(price),
        scheduled_plan_id: None,
    };
    tenants::set_subscription(&mut tx, tenant_id, &stored).await?;
    tx.commit().await?;
    Ok(())
}
