//! The company settings, the user's own profile, and accepting an invitation.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        form::{error_key, form_error, go, FormStatus, SelectField, Submit, TextField, CARD},
        guard::signed_in_page,
        locale_switcher::LocaleSwitcher,
    },
    i18n::{t, Key, Locale},
    model::Role,
    server_fns::{
        account::{get_company, SaveCompany, SaveProfile},
        team::AcceptInvitation,
    },
};

#[component]
pub fn CompanyPage() -> impl IntoView {
    signed_in_page(Role::Manager, |_| {
        let company = Resource::new(|| (), |_| get_company());
        let save = ServerAction::<SaveCompany>::new();
        let error = form_error(save.value());
        Effect::new(move |_| {
            if let Some(Ok(_)) = save.value().get() {
                go("/company?notice=saved".into());
            }
        });
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
                                    <Submit label=t(Key::FormSave) pending=save.pending().into()/>
                                </ActionForm>
                                <dl class=format!("{CARD} space-y-3 self-start text-sm")>
                                    <div><dt class="text-slate-500">{t(Key::DashboardWorkspace)}</dt><dd class="font-mono">{c.slug.clone()}</dd></div>
                                    <div><dt class="text-slate-500">{t(Key::CompanyDocument)}</dt><dd>{c.document.clone().unwrap_or_else(|| "—".into())}</dd></div>
                                    <div><dt class="text-slate-500">{t(Key::DashboardPlan)}</dt><dd>{c.plan.clone()}</dd></div>
                                    <p class="text-xs text-slate-500">{t(Key::CompanyReadOnly)}</p>
                                </dl>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    signed_in_page(Role::Attendant, |viewer| {
        let save = ServerAction::<SaveProfile>::new();
        let error = form_error(save.value());
        Effect::new(move |_| {
            if let Some(Ok(_)) = save.value().get() {
                go("/profile?notice=saved".into());
            }
        });
        let locales: Vec<(String, String)> =
            Locale::ALL.into_iter().map(|l| (l.tag().to_string(), l.label().to_string())).collect();
        let u = viewer.user;
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::ProfileTitle)}</h1>
            <ActionForm action=save attr:class=format!("{CARD} mt-6 max-w-xl space-y-4")>
                <FormStatus error=error/>
                <TextField name="name" label=t(Key::UsersName) value=u.name.clone() error=error/>
                <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::LoginEmail)}": "{u.email.clone()}" · "{t(u.role.label_key())}</p>
                <SelectField name="locale" label=t(Key::ProfileLanguage) options=locales selected=u.locale.tag() error=error/>
                <fieldset class="space-y-4 border-t border-slate-200 pt-4 dark:border-slate-800">
                    <legend class="text-sm font-semibold">{t(Key::ProfileChangePassword)}</legend>
                    <TextField name="current_password" label=t(Key::ProfileCurrentPassword) kind="password" autocomplete="current-password" error=error/>
                    <TextField name="password" label=t(Key::ProfileNewPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
                </fieldset>
                <Submit label=t(Key::FormSave) pending=save.pending().into()/>
            </ActionForm>
        }
    })
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token")).unwrap_or_default();
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = form_error(accept.value());
    Effect::new(move |_| {
        if let Some(Ok(target)) = accept.value().get() {
            go(target);
        }
    });
    view! {
        <div class="flex min-h-screen flex-col">
            <div class="flex justify-end p-4"><LocaleSwitcher/></div>
            <main class="mx-auto w-full max-w-md px-4 pt-8">
                <h1 class="text-2xl font-bold tracking-tight">{t(Key::InvitationTitle)}</h1>
                <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">{t(Key::InvitationBody)}</p>
                <ActionForm action=accept attr:class=format!("{CARD} mt-6 space-y-4")>
                    <FormStatus error=error/>
                    <input type="hidden" name="token" value=token/>
                    <TextField name="password" label=t(Key::ProfileNewPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
                    <Submit label=t(Key::InvitationSubmit) pending=accept.pending().into()/>
                </ActionForm>
            </main>
        </div>
    }
}
