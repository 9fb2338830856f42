//! The company settings page (manager and above): name, contact, logo and brand colour.
use leptos::prelude::*;

use crate::components::brand;
use crate::components::form::{
    data_version, error_key, field_error, go_on_success, Checkbox, FormStatus, Submit, TextField, CARD, INPUT,
};
use crate::components::guard::{signed_in_page, ViewerResource};
use crate::error::AppError;
use crate::i18n::{t, use_locale, Key};
use crate::model::Role;
use crate::server_fns::company::{get_company, SaveCompany};

#[component]
pub fn CompanyPage() -> impl IntoView {
    signed_in_page(Role::Manager, |viewer| {
        let owner = viewer.user.role == Role::Owner;
        let plan_name = viewer.plan_name.clone();
        let company = Resource::new(data_version, |_| get_company());
        let save = ServerAction::<SaveCompany>::new();
        // The frame shows the company's name and colour: it loads again too.
        let viewer = expect_context::<ViewerResource>();
        let error = go_on_success(save.value(), move |_| {
            viewer.refetch();
            "/company?notice=saved".into()
        });
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::CompanyTitle)}</h1>
            <Transition>
                {move || {
                    let plan_name = plan_name.clone();
                    Suspend::new(async move {
                    match company.await {
                        Err(err) => view! { <p class="mt-6 text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                        Ok(c) => view! {
                            <div class="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
                                <ActionForm action=save attr:class=format!("{CARD} space-y-4") attr:novalidate="true">
                                    <FormStatus error=error/>
                                    <TextField name="name" label=t(Key::DashboardCompany) value=c.name.clone() error=error/>
                                    <TextField name="email" label=t(Key::LoginEmail) kind="email" value=c.email.clone().unwrap_or_default() error=error/>
                                    <TextField name="phone" label=t(Key::CompanyPhone) kind="tel" value=c.phone.clone().unwrap_or_default() error=error/>
                                    <BrandFields company=c.name.clone() logo=c.logo_url.clone() colour=c.primary_color.clone() error=error/>
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
                                        <div><dt class="text-slate-600 dark:text-slate-400">{t(Key::DashboardWorkspace)}</dt><dd class="font-mono">{c.slug.clone()}</dd></div>
                                        <div><dt class="text-slate-600 dark:text-slate-400">{t(Key::CompanyDocument)}</dt><dd>{c.document.clone().unwrap_or_else(|| "—".into())}</dd></div>
                                        <div><dt class="text-slate-600 dark:text-slate-400">{t(Key::DashboardPlan)}</dt><dd data-testid="company-plan">{plan_name.clone()}</dd></div>
                                    </dl>
                                    <p class="text-xs text-slate-600 dark:text-slate-400">{t(Key::CompanyReadOnly)}</p>
                                    <a href="/company/api-keys" class="block font-medium text-indigo-700 hover:underline dark:text-indigo-300" data-testid="api-keys-link">{t(Key::ApiKeysManage)}</a>
                                    <a href="/company/webhooks" class="block font-medium text-indigo-700 hover:underline dark:text-indigo-300" data-testid="webhooks-link">{t(Key::WebhooksManage)}</a>
                                </div>
                            </div>
                        }.into_any(),
                    }
                })}}
            </Transition>
        }
    })
}

/// The logo's address with the saved logo, and the brand colour with a live preview: in the app
/// frame itself (its header tile) and on a sample button, as it is picked.
#[component]
fn BrandFields(
    company: String,
    logo: Option<String>,
    colour: Option<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let logo = logo.filter(|url| url.starts_with("https://"));
    let colour = RwSignal::new(colour.unwrap_or_default());
    let saved = colour.get_untracked();
    Effect::new(move |_| brand::apply(Some(colour.get().as_str()).filter(|c| brand::is_hex_colour(c))));
    // Leaving the page unsaved puts the saved colour back in the frame.
    on_cleanup(move || brand::apply(Some(saved.as_str())));
    let colour_error = field_error(error, "primary_color");
    let logo_alt = use_locale().tf(Key::CompanyLogoAlt, &[("company", &company)]);
    view! {
        <TextField name="logo_url" label=t(Key::CompanyLogo) kind="url" value=logo.clone().unwrap_or_default() error=error/>
        <div class="flex items-center gap-3 text-sm" data-testid="logo-preview">
            {match logo {
                Some(url) => view! { <img src=url alt=logo_alt class="h-10 max-w-[10rem] rounded object-contain"/> }.into_any(),
                None => view! { <span class="text-slate-600 dark:text-slate-400">{t(Key::CompanyNoLogo)}</span> }.into_any(),
            }}
        </div>
        <div>
            <label for="field-primary_color" class="block text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::CompanyColor)}</label>
            <div class="mt-1 flex items-center gap-3">
                <input type="color" aria-label=t(Key::CompanyColorPicker) data-testid="colour-picker"
                    value=move || { let c = colour.get(); if brand::is_hex_colour(&c) { c } else { "#4f46e5".to_string() } }
                    on:input=move |ev| colour.set(event_target_value(&ev))
                    class="h-10 w-14 shrink-0 cursor-pointer rounded-lg border border-slate-300 bg-white p-1 dark:border-slate-700 dark:bg-slate-900"/>
                <input id="field-primary_color" name="primary_color" type="text" class=INPUT placeholder="#4f46e5"
                    prop:value=move || colour.get() on:input=move |ev| colour.set(event_target_value(&ev))
                    aria-invalid=move || colour_error.get().is_some().to_string() aria-describedby="primary_color-hint primary_color-error"/>
            </div>
            <p id="primary_color-hint" class="mt-1 text-xs text-slate-600 dark:text-slate-400">{t(Key::CompanyColorHint)}</p>
            <p id="primary_color-error" class="mt-1 text-sm text-red-700 dark:text-red-300" data-testid="primary_color-error">{move || colour_error.get()}</p>
            <div class="mt-3 flex items-center gap-3 text-sm" data-testid="colour-preview">
                <span class="text-slate-600 dark:text-slate-400">{t(Key::CompanyPreview)}</span>
                <span aria-hidden="true" class="grid h-8 w-8 place-items-center rounded-lg bg-(--brand) font-semibold text-white">"A"</span>
                <span aria-hidden="true" class="rounded-lg bg-(--brand) px-3 py-1.5 font-semibold text-white">{t(Key::FormSave)}</span>
            </div>
        </div>
    }
}
