//! Password recovery: `/forgot-password` asks for a link, `/reset-password#<token>` sets the new
//! password; and `/verify-email#<token>` confirms the owner's address. The tokens travel in the
//! URL's fragment, which browsers never send to a server (no logs, no Referer). With JavaScript
//! the page reads it into the form; without, the person pastes it into the visible field.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{
        form::{field_error, follow, FormStatus, Submit, TextField, CARD, INPUT},
        layout::VisitorLayout,
    },
    i18n::{t, Key},
    server_fns::recovery::{RequestPasswordReset, ResetPassword, VerifyEmail},
};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = follow(request.value());
    let sent = q("notice") == "sent";
    view! {
        <VisitorLayout>
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::ForgotTitle)}</h1>
            <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">{t(Key::ForgotBody)}</p>
            <ActionForm action=request attr:class=format!("{CARD} mt-6 space-y-4") attr:novalidate="true">
                <FormStatus error=error/>
                {(!sent).then(|| view! {
                    <TextField name="tenant" label=t(Key::LoginTenant) value=q("tenant") autocomplete="organization" hint=t(Key::LoginTenantHint) error=error/>
                    <TextField name="email" label=t(Key::LoginEmail) kind="email" value=q("email") autocomplete="username" error=error/>
                    <Submit label=t(Key::ForgotSubmit) pending=request.pending().into()/>
                })}
            </ActionForm>
            <p class="mt-6 text-center text-sm">
                <a href="/login" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{t(Key::ForgotBack)}</a>
            </p>
        </VisitorLayout>
    }
}

/// The token field: visible and empty without JavaScript (the person pastes the code); with it,
/// filled from the URL's fragment and hidden.
#[component]
fn FragmentToken(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let from_link = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) {
            let token = hash.trim_start_matches('#').to_string();
            if !token.is_empty() {
                from_link.set(token);
            }
        }
    });
    let message = field_error(error, "token");
    view! {
        <div class:hidden=move || !from_link.get().is_empty() && message.get().is_none()>
            <label for="field-token" class="block text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::ResetToken)}</label>
            <input id="field-token" name="token" type="text" autocomplete="off" class=INPUT
                prop:value=move || from_link.get()
                aria-invalid=move || message.get().is_some().to_string() aria-describedby="token-error"/>
            <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{t(Key::ResetTokenHint)}</p>
            <p id="token-error" class="mt-1 text-sm text-red-600 dark:text-red-400" data-testid="token-error">
                {move || message.get()}
            </p>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let error = follow(reset.value());
    view! {
        <VisitorLayout>
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::ResetTitle)}</h1>
            <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">{t(Key::ResetBody)}</p>
            <ActionForm action=reset attr:class=format!("{CARD} mt-6 space-y-4") attr:novalidate="true">
                <FormStatus error=error/>
                <FragmentToken error=error/>
                <TextField name="password" label=t(Key::ProfileNewPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
                <Submit label=t(Key::ResetSubmit) pending=reset.pending().into()/>
            </ActionForm>
        </VisitorLayout>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let verify = ServerAction::<VerifyEmail>::new();
    let error = follow(verify.value());
    view! {
        <VisitorLayout>
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::VerifyTitle)}</h1>
            <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">{t(Key::VerifyBody)}</p>
            <ActionForm action=verify attr:class=format!("{CARD} mt-6 space-y-4") attr:novalidate="true">
                <FormStatus error=error/>
                <FragmentToken error=error/>
                <Submit label=t(Key::VerifySubmit) pending=verify.pending().into()/>
            </ActionForm>
        </VisitorLayout>
    }
}
