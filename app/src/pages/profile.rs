//! The signed-in user's own profile: name, language and password; two-step verification; and
//! the sessions they are signed in with, each of which they can end.
use leptos::prelude::*;

use crate::{
    components::{
        form::{
            data_version, go_on_success, load_on_success, FormStatus, SelectField, Submit, TextField, BUTTON,
            BUTTON_SECONDARY, CARD,
        },
        guard::{signed_in_page, ViewerResource},
    },
    i18n::{t, Key, Locale},
    model::{Role, SessionDto, Viewer},
    server_fns::{
        mfa::{recovery_codes_left, DisableMfa},
        profile::SaveProfile,
        sessions::{list_sessions, EndOtherSessions, EndSession},
    },
};

#[component]
pub fn ProfilePage() -> impl IntoView {
    signed_in_page(Role::Attendant, |viewer| {
        let save = ServerAction::<SaveProfile>::new();
        // A new language is a new page: this save ends with a page load.
        let error = load_on_success(save.value(), |_| "/profile?notice=saved".into());
        let locales: Vec<(String, String)> =
            Locale::ALL.into_iter().map(|l| (l.tag().to_string(), l.label().to_string())).collect();
        let u = viewer.user.clone();
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::ProfileTitle)}</h1>
            <ActionForm action=save attr:class=format!("{CARD} mt-6 max-w-xl space-y-4") attr:novalidate="true">
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
            <TwoStep viewer=viewer.clone()/>
            <Sessions/>
        }
    })
}

/// Whether two-step verification is on, with the way to set it up or turn it off.
#[component]
fn TwoStep(viewer: Viewer) -> impl IntoView {
    let disable = ServerAction::<DisableMfa>::new();
    // The frame's viewer says whether two-step sign-in is on: it loads again too.
    let viewer_resource = expect_context::<ViewerResource>();
    let error = go_on_success(disable.value(), move |_| {
        viewer_resource.refetch();
        "/profile?notice=mfa_off".into()
    });
    let on = viewer.user.mfa_enabled;
    let left = Resource::new(data_version, |_| recovery_codes_left());
    view! {
        <section class=format!("{CARD} mt-6 max-w-xl space-y-4") aria-labelledby="two-step-title" data-testid="two-step">
            <h2 id="two-step-title" class="text-lg font-semibold">{t(Key::MfaTitle)}</h2>
            {if on {
                view! {
                    <p>{t(Key::MfaStatusOn)}</p>
                    <Transition>
                        {move || Suspend::new(async move {
                            left.await.ok().map(|n| view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::MfaCodesLeft)}": "{n}</p> })
                        })}
                    </Transition>
                    <ActionForm action=disable attr:class="space-y-3" attr:novalidate="true">
                        <FormStatus error=error notice=false/>
                        <TextField name="current_password" label=t(Key::ProfileCurrentPassword) kind="password" autocomplete="current-password" error=error/>
                        <Submit label=t(Key::MfaDisable) pending=disable.pending().into() class=BUTTON_SECONDARY/>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <p>{t(Key::MfaStatusOff)}</p>
                    <a href="/profile/mfa" class=BUTTON data-testid="mfa-enable">{t(Key::MfaEnable)}</a>
                }.into_any()
            }}
        </section>
    }
}

/// "Chrome on 203.0.113.7" style description of a session.
fn describe(session: &SessionDto) -> String {
    let agent = session.user_agent.clone().unwrap_or_else(|| {
        if session.kind == "api" { t(Key::SessionsApi) } else { t(Key::SessionsBrowser) }.to_string()
    });
    match &session.address {
        Some(address) => format!("{agent} · {address}"),
        None => agent,
    }
}

/// `2026-12-03T21:55:54Z` as `03/12/2026 21:55` (UTC): short, and the same on server and browser.
pub(crate) fn short_time(rfc3339: &str) -> String {
    let (date, time) = rfc3339.split_once('T').unwrap_or((rfc3339, ""));
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    format!("{d}/{m}/{y} {} UTC", time.get(..5).unwrap_or(""))
}

/// The user's sessions, this one first, each with a button that ends it.
#[component]
fn Sessions() -> impl IntoView {
    let sessions = Resource::new(data_version, |_| list_sessions());
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let end_error = go_on_success(end.value(), |_| "/profile?notice=session_ended".into());
    let others_error = go_on_success(end_others.value(), |_| "/profile?notice=sessions_ended".into());
    view! {
        <section class=format!("{CARD} mt-6 max-w-xl space-y-4") aria-labelledby="sessions-title" data-testid="sessions">
            <h2 id="sessions-title" class="text-lg font-semibold">{t(Key::SessionsTitle)}</h2>
            <FormStatus error=end_error notice=false/>
            <FormStatus error=others_error notice=false/>
            <Transition>
                {move || Suspend::new(async move {
                    let mut list = sessions.await.unwrap_or_default();
                    list.sort_by_key(|s| !s.current);
                    let others = list.iter().filter(|s| !s.current).count();
                    view! {
                        <ul class="divide-y divide-slate-200 dark:divide-slate-800">
                            {list.into_iter().map(|s| {
                                let label = describe(&s);
                                let id = s.id.to_string();
                                view! {
                                    <li class="flex items-center justify-between gap-4 py-3" data-testid="session">
                                        <div class="min-w-0">
                                            <p class="truncate text-sm font-medium">{label}</p>
                                            <p class="text-xs text-slate-600 dark:text-slate-400">
                                                {t(Key::SessionsSignedIn)}" "{short_time(&s.created_at)}" · "{t(Key::SessionsLastUsed)}" "{short_time(&s.last_used_at)}
                                            </p>
                                        </div>
                                        {if s.current {
                                            view! { <span class="shrink-0 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100">{t(Key::SessionsCurrent)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=end attr:novalidate="true">
                                                    <input type="hidden" name="id" value=id/>
                                                    <button type="submit" class=BUTTON_SECONDARY data-testid="end-session">{t(Key::SessionsEnd)}</button>
                                                </ActionForm>
                                            }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {if others == 0 {
                            view! { <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::SessionsNoneOther)}</p> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=end_others attr:novalidate="true">
                                    <button type="submit" class=BUTTON_SECONDARY>{t(Key::SessionsEndOthers)}</button>
                                </ActionForm>
                            }.into_any()
                        }}
                    }
                })}
            </Transition>
        </section>
    }
}
