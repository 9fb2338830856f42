//! `/checkout/local/:reference`: the development payment page of the local provider. "Pay" and
//! "Cancel" send the events Asaas would send, then go to the checkout's success or cancel URL.
use leptos::prelude::*;

use crate::{
    components::{
        form::{error_key, follow, FormStatus, Submit, BUTTON_SECONDARY, CARD},
        layout::VisitorLayout,
    },
    i18n::{t, Key},
    model::format_brl,
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
                <p class="text-xs font-semibold uppercase tracking-wide text-amber-600">{t(Key::CheckoutLocalBadge)}</p>
                <h1 class="mt-1 text-2xl font-bold tracking-tight">{t(Key::CheckoutTitle)}</h1>
                <Suspense>
                    {move || Suspend::new(async move {
                        match checkout.await {
                            Err(crate::error::AppError::NotFound) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                            Err(err) => view! { <p class="mt-6 text-red-600" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                            Ok(c) => {
                                let reference = reference.get_value();
                                let open = c.status == "pending";
                                view! {
                                    <div class=format!("{CARD} mt-6 space-y-4")>
                                        <FormStatus error=error/>
                                        <dl class="space-y-2 text-sm">
                                            <div class="flex justify-between"><dt class="text-slate-500">{t(Key::DashboardCompany)}</dt><dd>{c.company_name.clone()}</dd></div>
                                            <div class="flex justify-between"><dt class="text-slate-500">{t(Key::DashboardPlan)}</dt><dd data-testid="checkout-plan">{c.plan_name.clone()}</dd></div>
                                            <div class="flex justify-between"><dt class="text-slate-500">{t(Key::CheckoutMonthly)}</dt><dd class="font-semibold">{c.monthly_price_cents.map(format_brl).unwrap_or_default()}</dd></div>
                                        </dl>
                                        {if open {
                                            let (pay_ref, cancel_ref) = (reference.clone(), reference);
                                            view! {
                                                <p class="text-xs text-slate-500">{t(Key::CheckoutLocalHint)}</p>
                                                <div class="flex gap-3">
                                                    <ActionForm action=finish>
                                                        <input type="hidden" name="reference" value=pay_ref/>
                                                        <input type="hidden" name="outcome" value="pay"/>
                                                        <Submit label=t(Key::CheckoutPay) pending=finish.pending().into()/>
                                                    </ActionForm>
                                                    <ActionForm action=finish>
                                                        <input type="hidden" name="reference" value=cancel_ref/>
                                                        <input type="hidden" name="outcome" value="cancel"/>
                                                        <Submit label=t(Key::CheckoutCancel) pending=finish.pending().into() class=BUTTON_SECONDARY/>
                                                    </ActionForm>
                                                </div>
                                            }.into_any()
                                        } else {
                                            view! { <p class="text-sm font-medium" data-testid="checkout-closed">{t(Key::CheckoutClosed)}</p> }.into_any()
                                        }}
                                    </div>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
        </VisitorLayout>
    }
}
