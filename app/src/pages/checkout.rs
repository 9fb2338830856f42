//! `/checkout/local/:reference`: the development payment page of one charge of the local
//! provider. "Pay", "Let it become overdue" and "Refund" send the events Asaas would send; "Cancel"
//! goes back to the billing page.
use leptos::prelude::*;

use crate::{
    components::{
        form::{error_key, follow, FormStatus, Submit, BUTTON, BUTTON_SECONDARY, CARD},
        layout::VisitorLayout,
    },
    i18n::{t, Key},
    model::{format_brl, ChargeStatus},
    server_fns::billing::{get_local_checkout, FinishLocalCheckout},
};

#[component]
pub fn LocalCheckoutPage() -> impl IntoView {
    // Copy, so the page's closures can each read it.
    let reference = StoredValue::new(super::path_param("reference"));
    let checkout = Resource::new(move || reference.get_value(), get_local_checkout);
    let finish = ServerAction::<FinishLocalCheckout>::new();
    let error = follow(finish.value());
    view! {
        <VisitorLayout>
                <p class="text-xs font-semibold uppercase tracking-wide text-amber-700 dark:text-amber-300">{t(Key::CheckoutLocalBadge)}</p>
                <h1 class="mt-1 text-2xl font-bold tracking-tight">{t(Key::CheckoutTitle)}</h1>
                <Suspense>
                    {move || Suspend::new(async move {
                        match checkout.await {
                            Err(crate::error::AppError::NotFound) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                            Err(err) => view! { <p class="mt-6 text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                            Ok(c) => {
                                let reference = reference.get_value();
                                let button = |outcome: &'static str, label: &'static str, class: &'static str| {
                                    let reference = reference.clone();
                                    view! {
                                        <ActionForm action=finish attr:novalidate="true">
                                            <input type="hidden" name="reference" value=reference/>
                                            <input type="hidden" name="outcome" value=outcome/>
                                            <Submit label=label pending=finish.pending().into() class=class/>
                                        </ActionForm>
                                    }
                                };
                                let buttons = match c.status {
                                    ChargeStatus::Pending => view! {
                                        {button("pay", t(Key::CheckoutPay), BUTTON)}
                                        {button("overdue", t(Key::CheckoutOverdue), BUTTON_SECONDARY)}
                                        {button("cancel", t(Key::CheckoutCancel), BUTTON_SECONDARY)}
                                    }.into_any(),
                                    ChargeStatus::Overdue => view! {
                                        {button("pay", t(Key::CheckoutPay), BUTTON)}
                                        {button("cancel", t(Key::CheckoutCancel), BUTTON_SECONDARY)}
                                    }.into_any(),
                                    ChargeStatus::Paid => view! {
                                        <p class="text-sm font-medium" data-testid="checkout-closed">{t(Key::CheckoutClosed)}</p>
                                        {button("refund", t(Key::CheckoutRefund), BUTTON_SECONDARY)}
                                    }.into_any(),
                                    _ => view! { <p class="text-sm font-medium" data-testid="checkout-closed">{t(Key::CheckoutClosed)}</p> }.into_any(),
                                };
                                view! {
                                    <div class=format!("{CARD} mt-6 space-y-4")>
                                        <FormStatus error=error/>
                                        <dl class="space-y-2 text-sm">
                                            <div class="flex justify-between gap-4"><dt class="text-slate-600 dark:text-slate-400">{t(Key::DashboardCompany)}</dt><dd>{c.company_name.clone()}</dd></div>
                                            <div class="flex justify-between gap-4"><dt class="text-slate-600 dark:text-slate-400">{t(Key::BillingChargeDescription)}</dt><dd data-testid="checkout-plan">{c.description.clone()}</dd></div>
                                            <div class="flex justify-between gap-4"><dt class="text-slate-600 dark:text-slate-400">{t(Key::BillingChargeDate)}</dt><dd>{c.due_date.clone()}</dd></div>
                                            <div class="flex justify-between gap-4"><dt class="text-slate-600 dark:text-slate-400">{t(Key::BillingMethod)}</dt><dd>{t(c.billing_type.label_key())}</dd></div>
                                            <div class="flex justify-between gap-4"><dt class="text-slate-600 dark:text-slate-400">{t(Key::BillingChargeAmount)}</dt><dd class="font-semibold" data-testid="checkout-amount">{format_brl(c.value_cents)}</dd></div>
                                            <div class="flex justify-between gap-4"><dt class="text-slate-600 dark:text-slate-400">{t(Key::DashboardStatus)}</dt><dd data-testid="checkout-status">{t(c.status.label_key())}</dd></div>
                                        </dl>
                                        <p class="text-xs text-slate-600 dark:text-slate-400">{t(Key::CheckoutLocalHint)}</p>
                                        <div class="flex flex-wrap gap-3">{buttons}</div>
                                    </div>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
        </VisitorLayout>
    }
}
