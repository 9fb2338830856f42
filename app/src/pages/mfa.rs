//! Setting up two-step sign-in: the QR code and key, the code that turns it on, then the
//! recovery codes, shown once with a download. Works without JavaScript.
use leptos::prelude::*;

use crate::{
    components::{
        form::{error_key, follow, FormStatus, Submit, TextField, BUTTON, BUTTON_SECONDARY, CARD},
        guard::signed_in_page,
    },
    i18n::{t, Key},
    model::Role,
    server_fns::mfa::{recovery_codes_to_show, start_mfa, ConfirmMfa, ForgetRecoveryCodes},
    url::urlencode,
};

#[component]
pub fn MfaSetupPage() -> impl IntoView {
    signed_in_page(Role::Attendant, |viewer| {
        let setup = Resource::new(|| (), |_| start_mfa());
        let confirm = ServerAction::<ConfirmMfa>::new();
        let error = follow(confirm.value());
        let required = viewer.mfa_required && !viewer.user.mfa_enabled;
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::MfaTitle)}</h1>
            {required.then(|| view! {
                <p role="status" data-testid="mfa-required" class="mt-4 max-w-xl rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">{t(Key::MfaRequiredNotice)}</p>
            })}
            <Suspense>
                {move || Suspend::new(async move {
                    match setup.await {
                        Err(err) => view! { <p class="mt-6 text-red-600 dark:text-red-400" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                        Ok(s) => view! {
                            <div class=format!("{CARD} mt-6 max-w-xl space-y-4")>
                                <p class="text-sm text-slate-700 dark:text-slate-300">{t(Key::MfaIntro)}</p>
                                <div class="mx-auto w-52 rounded-lg bg-white p-2" role="img" aria-label=t(Key::MfaTitle) inner_html=s.qr_svg.clone()></div>
                                <p class="text-sm text-slate-700 dark:text-slate-300">{t(Key::MfaSecretLabel)}</p>
                                <p class="break-all rounded bg-slate-100 px-3 py-2 font-mono text-sm dark:bg-slate-800" data-testid="mfa-secret">{s.secret.clone()}</p>
                                <ActionForm action=confirm attr:class="space-y-4" attr:novalidate="true">
                                    <FormStatus error=error/>
                                    <TextField name="code" label=t(Key::MfaCode) autocomplete="one-time-code" error=error/>
                                    <Submit label=t(Key::MfaConfirm) pending=confirm.pending().into()/>
                                </ActionForm>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    signed_in_page(Role::Attendant, |_| {
        let codes = Resource::new(|| (), |_| recovery_codes_to_show());
        let done = ServerAction::<ForgetRecoveryCodes>::new();
        let _ = follow_to_profile(done);
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::MfaCodesTitle)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let codes = codes.await.unwrap_or_default();
                    if codes.is_empty() {
                        return view! {
                            <div class=format!("{CARD} mt-6 max-w-xl space-y-4")>
                                <p>{t(Key::MfaCodesGone)}</p>
                                <a href="/profile" class=BUTTON_SECONDARY>{t(Key::ProfileTitle)}</a>
                            </div>
                        }.into_any();
                    }
                    let download = format!("data:text/plain;charset=utf-8,{}", urlencode(&(codes.join("\n") + "\n")));
                    view! {
                        <div class=format!("{CARD} mt-6 max-w-xl space-y-4")>
                            <p class="text-sm text-slate-700 dark:text-slate-300">{t(Key::MfaCodesIntro)}</p>
                            <ul class="grid grid-cols-2 gap-2 font-mono text-base" data-testid="recovery-codes">
                                {codes.into_iter().map(|c| view! { <li class="rounded bg-slate-100 px-3 py-1 text-center dark:bg-slate-800">{c}</li> }).collect_view()}
                            </ul>
                            <div class="flex flex-wrap gap-3">
                                <a href=download download="atrium-recovery-codes.txt" class=BUTTON_SECONDARY>{t(Key::MfaCodesDownload)}</a>
                                <ActionForm action=done attr:novalidate="true">
                                    <button type="submit" class=BUTTON data-testid="codes-done">{t(Key::MfaCodesDone)}</button>
                                </ActionForm>
                            </div>
                        </div>
                    }.into_any()
                })}
            </Suspense>
        }
    })
}

/// After "I have saved them" (JavaScript on): the profile page.
fn follow_to_profile(done: ServerAction<ForgetRecoveryCodes>) -> Signal<Option<crate::error::AppError>> {
    crate::components::form::go_on_success(done.value(), |_| "/profile".to_string())
}
