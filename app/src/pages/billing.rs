//! `/billing` (managers read, the owner changes): the plan and the subscription's state, the
//! next charge and how it is paid, usage against the limits, the charges with their payment
//! pages (boleto, PIX, card, receipt), plan, cycle and payment-method changes, and cancel.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{
        form::{
            data_version, error_key, go_on_success, FormStatus, Submit, BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD,
            INPUT,
        },
        guard::{signed_in_page, ViewerResource},
    },
    i18n::{t, use_locale, Key},
    model::{
        format_brl, BillingCycle, BillingDto, BillingPage, BillingType, ChargeDto, Page, PlanDto, Role,
        SubscriptionChangeDto, SubscriptionStatus,
    },
    pages::signup::PlanFacts,
    server_fns::billing::{get_billing, CancelSubscription, ChangeSubscription},
};

#[component]
pub fn BillingPage() -> impl IntoView {
    signed_in_page(Role::Manager, |_| {
        let query = use_query_map();
        let charges_page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<i64>().ok()));
        let page = Resource::new(move || (charges_page(), data_version()), |(p, _)| get_billing(p));
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::BillingTitle)}</h1>
            <Transition>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Billing page=p/> }.into_any(),
                        Err(err) => view! { <p class="mt-6 text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                    }
                })}
            </Transition>
        }
    })
}

/// A date in the page's language.
fn day(value: Option<&str>) -> String {
    use_locale().date(value)
}

#[component]
fn UsageBar(label: &'static str, used: i64, limit: Option<i32>, testid: &'static str) -> impl IntoView {
    let (text, percent) = match limit {
        Some(l) => (format!("{used} / {l}"), if l > 0 { (used * 100 / i64::from(l)).min(100) } else { 100 }),
        None => (format!("{used} / {}", t(Key::PlanUnlimited)), 0),
    };
    let full = limit.is_some_and(|l| used >= i64::from(l));
    let bar = if full {
        "mt-1 block h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 \
         [&::-webkit-progress-bar]:bg-slate-200 dark:[&::-webkit-progress-bar]:bg-slate-800 \
         [&::-webkit-progress-value]:bg-amber-500 [&::-moz-progress-bar]:bg-amber-500"
    } else {
        "mt-1 block h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 \
         [&::-webkit-progress-bar]:bg-slate-200 dark:[&::-webkit-progress-bar]:bg-slate-800 \
         [&::-webkit-progress-value]:bg-indigo-600 [&::-moz-progress-bar]:bg-indigo-600"
    };
    view! {
        <div>
            <div class="flex justify-between text-sm"><span>{label}</span><span data-testid=testid>{text.clone()}</span></div>
            // A native progress bar: its width needs no inline style (the CSP allows none).
            <progress class=bar value=percent max="100" aria-label=label aria-valuetext=text></progress>
        </div>
    }
}

#[component]
fn Fact(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div><dt class="text-slate-500 dark:text-slate-400">{label}</dt><dd class="font-semibold" data-testid=testid>{value}</dd></div>
    }
}

#[component]
fn Billing(page: BillingPage) -> impl IntoView {
    let b = page.billing;
    let change = ServerAction::<ChangeSubscription>::new();
    let cancel = ServerAction::<CancelSubscription>::new();
    // The frame shows the plan and whether the workspace takes changes: it loads again too.
    let viewer = expect_context::<ViewerResource>();
    let changed = go_on_success(change.value(), move |done: SubscriptionChangeDto| {
        viewer.refetch();
        done.payment_url.unwrap_or_else(|| "/billing?notice=subscription_changed".into())
    });
    let canceled = go_on_success(cancel.value(), move |()| {
        viewer.refetch();
        "/billing?notice=subscription_canceled".to_string()
    });
    let error = Signal::derive(move || changed.get().or_else(|| canceled.get()));
    let owner = page.can_change;
    let live = b.price_cents.is_some();
    let current_rank = page.plans.iter().position(|p| p.id == b.plan).unwrap_or(0);
    let paid = matches!(b.status, SubscriptionStatus::Active | SubscriptionStatus::PastDue);
    view! {
        <div class="mt-6 space-y-6">
            <FormStatus error=error/>
            <Summary b=b.clone()/>
            <h2 class="text-lg font-semibold">{t(Key::BillingPlans)}</h2>
            <div class="grid gap-4 sm:grid-cols-3">
                {page.plans.iter().enumerate().map(|(rank, plan)| {
                    let is_current = plan.id == b.plan && (paid || live);
                    let scheduled = b.scheduled_plan.as_deref() == Some(plan.id.as_str());
                    let is_plan = plan.id == b.plan;
                    let upgrade = rank > current_rank;
                    view! { <PlanOption plan=plan.clone() cycle=b.cycle is_current=is_current is_plan=is_plan scheduled=scheduled
                        upgrade=upgrade owner=owner change=change/> }
                }).collect_view()}
            </div>
            // Without a subscription yet, choosing how to pay starts it on the current plan.
            {owner.then(|| view! { <PaymentSettings b=b.clone() change=change/> })}
            <Charges charges=page.charges/>
            {(owner && live).then(|| view! { <CancelSubscriptionForm b=b.clone() cancel=cancel/> })}
            {(!owner).then(|| view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::BillingOwnerOnly)}</p> })}
        </div>
    }
}

#[component]
fn Summary(b: BillingDto) -> impl IntoView {
    let next = match (&b.next_charge_date, b.next_charge_cents) {
        (Some(date), Some(cents)) => format!("{} · {}", day(Some(date)), format_brl(cents)),
        _ => "—".into(),
    };
    let price = b.price_cents.map(|c| format!("{} {}", format_brl(c), t(per(b.cycle)))).unwrap_or_else(|| "—".into());
    let period = match (&b.current_period_start, &b.current_period_end) {
        (Some(_), Some(_)) => {
            format!("{} – {}", day(b.current_period_start.as_deref()), day(b.current_period_end.as_deref()))
        }
        _ => "—".into(),
    };
    let notes = [
        b.scheduled_plan.as_ref().map(|p| format!("{} {p}", t(Key::BillingScheduled))),
        b.canceled_at
            .as_ref()
            .map(|_| format!("{} {}", t(Key::BillingCanceledUntil), day(b.writable_until.as_deref()))),
        (!b.writable).then(|| t(Key::ErrorSubscriptionInactive).to_string()),
    ];
    view! {
        <div class="grid gap-6 lg:grid-cols-2">
            <div class=format!("{CARD} space-y-4")>
                <dl class="grid grid-cols-2 gap-4 text-sm">
                    <Fact label=t(Key::DashboardPlan) value=b.plan_name.clone() testid="billing-plan"/>
                    <Fact label=t(Key::DashboardStatus) value=t(b.status.label_key()).to_string() testid="billing-status"/>
                    <Fact label=t(Key::BillingPrice) value=price testid="billing-price"/>
                    <Fact label=t(Key::BillingMethod) value=t(b.billing_type.label_key()).to_string() testid="billing-method"/>
                    <Fact label=t(Key::BillingNextCharge) value=next testid="billing-next-charge"/>
                    {if b.status == SubscriptionStatus::Trialing {
                        view! { <Fact label=t(Key::BillingTrialEnds) value=day(b.trial_ends_at.as_deref()) testid="billing-trial-ends"/> }.into_any()
                    } else {
                        view! { <Fact label=t(Key::BillingPeriod) value=period testid="billing-period"/> }.into_any()
                    }}
                </dl>
                {notes.into_iter().flatten().map(|note| view! {
                    <p class="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="billing-note">{note}</p>
                }).collect_view()}
                {b.payment_url.clone().map(|url| view! {
                    <a href=url class=BUTTON data-testid="billing-pay-now">{t(Key::BillingPayNow)}</a>
                })}
            </div>
            <div class=format!("{CARD} space-y-4")>
                <h2 class="font-semibold">{t(Key::BillingUsage)}</h2>
                <UsageBar label=t(Key::PlanUsers) used=b.usage.active_users limit=b.limits.users testid="usage-users"/>
                <UsageBar label=t(Key::PlanDepartments) used=b.usage.active_departments limit=b.limits.departments testid="usage-departments"/>
            </div>
        </div>
    }
}

fn per(cycle: BillingCycle) -> Key {
    match cycle {
        BillingCycle::Monthly => Key::BillingPerMonth,
        BillingCycle::Yearly => Key::BillingPerYear,
    }
}

#[component]
fn PlanOption(
    plan: PlanDto,
    cycle: BillingCycle,
    is_current: bool,
    /// The workspace's plan (in its trial: subscribing to it).
    is_plan: bool,
    scheduled: bool,
    upgrade: bool,
    owner: bool,
    change: ServerAction<ChangeSubscription>,
) -> impl IntoView {
    let price = plan.price_cents(cycle).map(|c| format!("{} {}", format_brl(c), t(per(cycle))));
    let id = plan.id.clone();
    let action = match (&price, is_current) {
        (_, true) => view! { <p class="mt-4 text-sm font-medium text-emerald-700 dark:text-emerald-400">{t(Key::BillingCurrentPlan)}</p> }.into_any(),
        (None, _) => view! { <a href="mailto:vendas@atrium.example" class="mt-4 text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300">{t(Key::PlanContactSales)}</a> }.into_any(),
        (Some(_), false) if scheduled => view! { <p class="mt-4 text-sm font-medium">{t(Key::BillingScheduled)}</p> }.into_any(),
        (Some(_), false) if !owner => ().into_any(),
        (Some(_), false) => {
            let label = if is_plan {
                t(Key::BillingPay)
            } else if upgrade {
                t(Key::BillingUpgrade)
            } else {
                t(Key::BillingDowngrade)
            };
            let upgrade = upgrade || is_plan;
            view! {
                <ActionForm action=change attr:class="mt-4" attr:novalidate="true">
                    <input type="hidden" name="plan" value=id/>
                    <Submit label=label pending=change.pending().into() class=if upgrade { BUTTON } else { BUTTON_SECONDARY }/>
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

/// The owner changes how the subscription is paid: the cycle and the method.
#[component]
fn PaymentSettings(b: BillingDto, change: ServerAction<ChangeSubscription>) -> impl IntoView {
    view! {
        <section class=format!("{CARD} space-y-4") aria-labelledby="payment-settings">
            <h2 id="payment-settings" class="font-semibold">{t(Key::BillingPaymentSettings)}</h2>
            <ActionForm action=change attr:class="grid gap-4 sm:grid-cols-3 sm:items-end" attr:novalidate="true">
                <label class="block text-sm font-medium">{t(Key::BillingCycle)}
                    <select name="cycle" class=INPUT data-testid="billing-cycle">
                        {BillingCycle::ALL.into_iter().map(|c| view! {
                            <option value=c.as_str() selected=c == b.cycle>{t(c.label_key())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="block text-sm font-medium">{t(Key::BillingMethod)}
                    <select name="billing_type" class=INPUT data-testid="billing-type">
                        {BillingType::ALL.into_iter().map(|m| view! {
                            <option value=m.as_str() selected=m == b.billing_type>{t(m.label_key())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Submit label=t(Key::BillingSavePayment) pending=change.pending().into() class=BUTTON_SECONDARY/>
            </ActionForm>
            <p class="text-xs text-slate-600 dark:text-slate-400">{t(Key::BillingNextCycleHint)}</p>
        </section>
    }
}

#[component]
fn Charges(charges: Page<ChargeDto>) -> impl IntoView {
    let meta = charges.meta.clone();
    let current = meta.current_page.unwrap_or(1);
    view! {
        <section class=format!("{CARD} space-y-4") aria-labelledby="charges">
            <h2 id="charges" class="font-semibold">{t(Key::BillingCharges)}</h2>
            {if charges.data.is_empty() {
                view! { <p class="text-sm text-slate-600 dark:text-slate-400" data-testid="charges-empty">{t(Key::BillingChargesEmpty)}</p> }.into_any()
            } else {
                view! {
                    <div>
                        <table class="w-full text-left text-sm" data-testid="charges">
                            <thead class="hidden text-slate-600 sm:table-header-group dark:text-slate-400">
                                <tr>
                                    <th scope="col" class="py-2 pr-4">{t(Key::BillingChargeDate)}</th>
                                    <th scope="col" class="py-2 pr-4">{t(Key::BillingChargeDescription)}</th>
                                    <th scope="col" class="py-2 pr-4 text-right">{t(Key::BillingChargeAmount)}</th>
                                    <th scope="col" class="py-2 pr-4">{t(Key::BillingMethod)}</th>
                                    <th scope="col" class="py-2 pr-4">{t(Key::BillingChargeStatus)}</th>
                                    <th scope="col" class="py-2"><span class="sr-only">{t(Key::BillingChargeLinks)}</span></th>
                                </tr>
                            </thead>
                            <tbody class="block divide-y divide-slate-200 sm:table-row-group dark:divide-slate-800">
                                {charges.data.into_iter().map(|c| view! { <ChargeRow c=c/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(meta.total_pages > 1).then(|| view! {
                        <nav class="flex gap-3 text-sm" aria-label=t(Key::BillingCharges)>
                            {(current > 1).then(|| view! { <a class="text-indigo-700 hover:underline dark:text-indigo-300" href=format!("/billing?page={}", current - 1)>{t(Key::BillingPrevious)}</a> })}
                            {(current < meta.total_pages).then(|| view! { <a class="text-indigo-700 hover:underline dark:text-indigo-300" href=format!("/billing?page={}", current + 1)>{t(Key::BillingNext)}</a> })}
                        </nav>
                    })}
                }.into_any()
            }}
        </section>
    }
}

/// A cell: a labelled line on phones, a table cell from `sm`.
const CELL: &str = "flex justify-between gap-4 py-1 sm:table-cell sm:py-2 sm:pr-4";
/// The cell's label, shown on phones only (the table header says it from `sm`).
const LABEL: &str = "text-slate-600 sm:hidden dark:text-slate-400";

#[component]
fn ChargeRow(c: ChargeDto) -> impl IntoView {
    let link = "text-indigo-700 hover:underline dark:text-indigo-300";
    let open = c.status.open();
    let pay = c.invoice_url.clone().filter(|_| open);
    let boleto = c.bank_slip_url.clone().filter(|_| open);
    let receipt = c.receipt_url.clone().or_else(|| c.invoice_url.clone()).filter(|_| !open);
    view! {
        // On phones each charge is a block of labelled lines; from `sm` a table row.
        <tr class="block py-3 sm:table-row sm:py-0" data-testid="charge" data-status=c.status.as_str()>
            <td class=format!("{CELL} sm:whitespace-nowrap")><span class=LABEL>{t(Key::BillingChargeDate)}</span>{day(Some(&c.due_date))}</td>
            <td class=CELL><span class=LABEL>{t(Key::BillingChargeDescription)}</span>
                <span>{c.description.clone()}
                    {c.value_mismatch.then(|| view! { <span class="ml-2 text-xs font-medium text-red-700 dark:text-red-400">{t(Key::BillingValueMismatch)}</span> })}
                </span>
            </td>
            <td class=format!("{CELL} sm:text-right sm:whitespace-nowrap") data-testid="charge-amount"><span class=LABEL>{t(Key::BillingChargeAmount)}</span>{format_brl(c.value_cents)}</td>
            <td class=CELL><span class=LABEL>{t(Key::BillingMethod)}</span>{t(c.billing_type.label_key())}</td>
            <td class=CELL data-testid="charge-status"><span class=LABEL>{t(Key::BillingChargeStatus)}</span>{t(c.status.label_key())}</td>
            <td class="flex gap-3 py-1 sm:table-cell sm:space-x-3 sm:py-2 sm:whitespace-nowrap">
                {pay.map(|url| view! { <a class=link href=url data-testid="charge-pay">{t(Key::BillingPayNow)}</a> })}
                {boleto.map(|url| view! { <a class=link href=url>{t(Key::PayBoleto)}</a> })}
                {receipt.map(|url| view! { <a class=link href=url>{t(Key::BillingReceipt)}</a> })}
                {c.nfse_url.clone().map(|url| view! { <a class=link href=url data-testid="charge-nfse">{t(Key::BillingNfse)}</a> })}
            </td>
        </tr>
    }
}

/// Cancel asks first (a `<details>` opens the confirmation, without JavaScript too).
#[component]
fn CancelSubscriptionForm(b: BillingDto, cancel: ServerAction<CancelSubscription>) -> impl IntoView {
    let until = day(b.current_period_end.as_deref().or(b.trial_ends_at.as_deref()));
    view! {
        <details class=format!("{CARD} space-y-3")>
            <summary class="cursor-pointer font-semibold text-red-700 dark:text-red-400" data-testid="billing-cancel-open">{t(Key::BillingCancel)}</summary>
            <p class="text-sm">{format!("{} {until}", t(Key::BillingCancelWarning))}</p>
            <ActionForm action=cancel attr:novalidate="true">
                <Submit label=t(Key::BillingCancelConfirm) pending=cancel.pending().into() class=BUTTON_DANGER/>
            </ActionForm>
        </details>
    }
}
