//! `/billing` (manager and above): the plan, the subscription's state and dates, usage against
//! the limits, features, and plan changes through a checkout.
use leptos::prelude::*;

use crate::{
    components::{
        form::{error_key, follow, FormStatus, Submit, BUTTON, BUTTON_SECONDARY, CARD},
        guard::signed_in_page,
    },
    i18n::{t, Key},
    model::{format_brl, BillingPage, PlanDto, Role, SubscriptionStatus},
    pages::signup::PlanFacts,
    server_fns::billing::{get_billing, ChangePlan},
};

#[component]
pub fn BillingPage() -> impl IntoView {
    signed_in_page(Role::Manager, |_| {
        let page = Resource::new(|| (), |_| get_billing());
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::BillingTitle)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Billing page=p/> }.into_any(),
                        Err(err) => view! { <p class="mt-6 text-red-600" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}

/// `2026-12-07T10:00:00Z` → `07/12/2026` (the date is what matters on this page).
fn day(rfc3339: &Option<String>) -> String {
    match rfc3339.as_deref().and_then(|s| s.get(..10)) {
        Some(d) => {
            let parts: Vec<&str> = d.split('-').collect();
            match parts.as_slice() {
                [y, m, d] => format!("{d}/{m}/{y}"),
                _ => d.to_string(),
            }
        }
        None => "—".into(),
    }
}

#[component]
fn UsageBar(label: &'static str, used: i64, limit: Option<i32>, testid: &'static str) -> impl IntoView {
    let (text, percent) = match limit {
        Some(l) => (format!("{used} / {l}"), if l > 0 { (used * 100 / i64::from(l)).min(100) } else { 100 }),
        None => (format!("{used} / {}", t(Key::PlanUnlimited)), 0),
    };
    let full = limit.is_some_and(|l| used >= i64::from(l));
    let bar = if full { "h-2 rounded-full bg-amber-500" } else { "h-2 rounded-full bg-indigo-600" };
    view! {
        <div>
            <div class="flex justify-between text-sm"><span>{label}</span><span data-testid=testid>{text}</span></div>
            <div class="mt-1 h-2 rounded-full bg-slate-200 dark:bg-slate-800" role="progressbar"
                aria-valuenow=used aria-valuemax=limit.map(|l| l.to_string()).unwrap_or_default()>
                <div class=bar style=format!("width: {percent}%")></div>
            </div>
        </div>
    }
}

#[component]
fn Billing(page: BillingPage) -> impl IntoView {
    let b = page.billing;
    let change = ServerAction::<ChangePlan>::new();
    let error = follow(change.value());
    let current = b.plan.clone();
    let active = b.status == SubscriptionStatus::Active;
    let current_rank = page.plans.iter().position(|p| p.id == current).unwrap_or(0);
    view! {
        <div class="mt-6 space-y-6">
            <FormStatus error=error/>
            <div class="grid gap-6 lg:grid-cols-2">
                <dl class=format!("{CARD} grid grid-cols-2 gap-4 text-sm")>
                    <div><dt class="text-slate-500">{t(Key::DashboardPlan)}</dt><dd class="text-lg font-semibold" data-testid="billing-plan">{b.plan_name.clone()}</dd></div>
                    <div><dt class="text-slate-500">{t(Key::DashboardStatus)}</dt><dd class="text-lg font-semibold" data-testid="billing-status">{t(b.status.label_key())}</dd></div>
                    <div><dt class="text-slate-500">{t(Key::BillingTrialEnds)}</dt><dd>{day(&b.trial_ends_at)}</dd></div>
                    <div><dt class="text-slate-500">{t(Key::BillingPeriod)}</dt><dd>{format!("{} – {}", day(&b.current_period_start), day(&b.current_period_end))}</dd></div>
                </dl>
                <div class=format!("{CARD} space-y-4")>
                    <h2 class="font-semibold">{t(Key::BillingUsage)}</h2>
                    <UsageBar label=t(Key::PlanUsers) used=b.usage.active_users limit=b.limits.users testid="usage-users"/>
                    <UsageBar label=t(Key::PlanDepartments) used=b.usage.active_departments limit=b.limits.departments testid="usage-departments"/>
                </div>
            </div>
            <h2 class="text-lg font-semibold">{t(Key::BillingPlans)}</h2>
            <div class="grid gap-4 sm:grid-cols-3">
                {page.plans.iter().enumerate().map(|(rank, plan)| {
                    let is_current = plan.id == current;
                    let upgrade = rank > current_rank;
                    view! { <PlanOption plan=plan.clone() is_current=is_current paid=active upgrade=upgrade change=change/> }
                }).collect_view()}
            </div>
        </div>
    }
}

#[component]
fn PlanOption(
    plan: PlanDto,
    is_current: bool,
    paid: bool,
    upgrade: bool,
    change: ServerAction<ChangePlan>,
) -> impl IntoView {
    let price = plan.monthly_price_cents.map(format_brl);
    let id = plan.id.clone();
    let action = match (&price, is_current && paid) {
        (_, true) => view! { <p class="mt-4 text-sm font-medium text-emerald-600">{t(Key::BillingCurrentPlan)}</p> }.into_any(),
        (None, _) => view! { <a href="mailto:vendas@atrium.example" class="mt-4 text-sm font-medium text-indigo-600 hover:underline">{t(Key::PlanContactSales)}</a> }.into_any(),
        (Some(_), false) => {
            let label = if is_current {
                t(Key::BillingPay)
            } else if upgrade {
                t(Key::BillingUpgrade)
            } else {
                t(Key::BillingDowngrade)
            };
            view! {
                <ActionForm action=change attr:class="mt-4">
                    <input type="hidden" name="plan" value=id/>
                    <Submit label=label pending=change.pending().into() class=if upgrade || is_current { BUTTON } else { BUTTON_SECONDARY }/>
                </ActionForm>
            }.into_any()
        }
    };
    view! {
        <div class=format!("{CARD} flex flex-col") data-testid=format!("billing-plan-{}", plan.id)>
            <span class="text-lg font-semibold">{plan.name.clone()}</span>
            <span class="mt-1 text-xl font-bold">{price.unwrap_or_else(|| t(Key::PlanOnRequest).to_string())}</span>
            <PlanFacts plan=plan.clone()/>
            {action}
        </div>
    }
}
