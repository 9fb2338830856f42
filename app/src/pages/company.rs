//! The company settings page (manager and above): name, contact, logo and brand colour.
use leptos::prelude::*;

use crate::components::form::{error_key, go_on_success, Checkbox, FormStatus, Submit, TextField, CARD};
use crate::components::guard::signed_in_page;
use crate::i18n::{t, Key};
use crate::model::Role;
use crate::server_fns::company::{get_company, SaveCompany};

#[component]
pub fn CompanyPage() -> impl IntoView {
    signed_in_page(Role::Manager, |viewer| {
        let owner = viewer.user.role == Role::Owner;
        let company = Resource::new(|| (), |_| get_company());
        let save = ServerAction::<SaveCompany>::new();
        let error = go_on_success(save.value(), |_| "/company?notice=saved".into());
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::CompanyTitle)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match company.await {
                        Err(err) => view! { <p class="mt-6 text-red-600" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                        Ok(c) => view! {
                            <div class="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
                                <ActionForm action=save attr:class=format!("{CARD} space-y-4")>
                                    <FormStatus error=error/>
                                    <TextField name="name" label=t(Key::DashboardCompany) value=c.name.clone() error=error/>
                                    <TextField name="email" label=t(Key::LoginEmail) kind="email" value=c.email.clone().unwrap_or_default() error=error/>
                                    <TextField name="phone" label=t(Key::CompanyPhone) kind="tel" value=c.phone.clone().unwrap_or_default() error=error/>
                                    <TextField name="logo_url" label=t(Key::CompanyLogo) kind="url" value=c.logo_url.clone().unwrap_or_default() error=error/>
                                    <TextField name="primary_color" label=t(Key::CompanyColor) value=c.primary_color.clone().unwrap_or_default() hint="#4f46e5" error=error/>
                                    {owner.then(|| view! {
                                        <div class="space-y-1 border-t border-slate-200 pt-4 dark:border-slate-800">
                                            <input type="hidden" name="mfa_policy" value="shown"/>
                                            <Checkbox name="mfa_required" label=t(Key::CompanyMfaRequired) checked=c.mfa_required/>
                                            <p class="text-xs text-slate-600 dark:text-slate-400">{t(Key::CompanyMfaRequiredHint)}</p>
                                        </div>
                                    })}
                                    <Submit label=t(Key::FormSave) pending=save.pending().into()/>
                                </ActionForm>
                                <div class=format!("{CARD} space-y-3 self-start text-sm")>
                                    <dl class="space-y-3">
                                        <div><dt class="text-slate-500">{t(Key::DashboardWorkspace)}</dt><dd class="font-mono">{c.slug.clone()}</dd></div>
                                        <div><dt class="text-slate-500">{t(Key::CompanyDocument)}</dt><dd>{c.document.clone().unwrap_or_else(|| "—".into())}</dd></div>
                                        <div><dt class="text-slate-500">{t(Key::DashboardPlan)}</dt><dd>{c.plan.clone()}</dd></div>
                                    </dl>
                                    <p class="text-xs text-slate-500">{t(Key::CompanyReadOnly)}</p>
                                    <a href="/company/api-keys" class="block font-medium text-indigo-700 hover:underline dark:text-indigo-300" data-testid="api-keys-link">{t(Key::ApiKeysManage)}</a>
                                    <a href="/company/webhooks" class="block font-medium text-indigo-700 hover:underline dark:text-indigo-300" data-testid="webhooks-link">{t(Key::WebhooksManage)}</a>
                                </div>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}
