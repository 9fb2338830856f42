//! The sign-in page: workspace, email and password; works with and without JavaScript.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::locale_switcher::LocaleSwitcher,
    error::AppError,
    i18n::{t, Key},
    server_fns::{
        auth::{Login, TENANT_COOKIE},
        mfa::LoginMfa,
    },
};

/// The workspace this browser signed into last (a plain cookie, readable on both sides so the
/// server render and the hydrated page agree).
fn remembered_tenant() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<axum::http::request::Parts>()?;
        crate::server::web::session::cookie(&parts.headers, TENANT_COOKIE)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        let doc = web_sys::window()?.document()?.dyn_into::<web_sys::HtmlDocument>().ok()?;
        let cookies = doc.cookie().ok()?;
        cookies.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == TENANT_COOKIE).then(|| v.to_string())
        })
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    None
}

fn error_key(code: &str) -> Key {
    match code {
        "invalid_credentials" => Key::LoginErrorInvalidCredentials,
        "rate_limited" => Key::LoginErrorRateLimited,
        "cross_site_request" => Key::LoginErrorForbidden,
        "invalid_mfa_code" => Key::LoginErrorInvalidMfaCode,
        "invalid_mfa_token" => Key::LoginErrorInvalidMfaToken,
        _ => Key::LoginErrorGeneric,
    }
}

const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 shadow-sm \
    focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 \
    aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900";

#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: String,
    #[prop(optional)] hint: Option<&'static str>,
    error: Signal<Option<&'static str>>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    view! {
        <div>
            <label for=name class="block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                class=INPUT
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            {hint.map(|h| view! { <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{h}</p> })}
            <p id=error_id class="mt-1 text-sm text-red-600 dark:text-red-400" data-testid=format!("{name}-error")>
                {move || error.get()}
            </p>
        </div>
    }
}

/// After a successful step (JavaScript on): a full page load of the address the server answered.
fn navigate_on_success<S>(result: S)
where
    S: Get<Value = Option<Result<String, AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        let target = result.get().and_then(Result::ok);
        #[cfg(feature = "hydrate")]
        if let Some(target) = target {
            let _ = web_sys::window().map(|w| w.location().assign(&target));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = target;
    });
}

const SUBMIT: &str =
    "w-full rounded-lg bg-indigo-600 px-4 py-2.5 font-semibold text-white shadow-sm hover:bg-indigo-500 \
    focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60";

/// The second step of a sign-in with two-step verification: the code from the app (or a
/// recovery code). The challenge waits in the browser's session, not in the page.
#[component]
fn CodeStep(next: String, query_error: Option<String>) -> impl IntoView {
    let verify = ServerAction::<LoginMfa>::new();
    let pending = verify.pending();
    let result = verify.value();
    navigate_on_success(result);
    let error = Signal::derive(move || match result.get() {
        Some(Ok(_)) => None,
        Some(Err(AppError::Validation { .. })) => Some(t(Key::FieldRequired)),
        Some(Err(err)) => Some(t(error_key(err.code()))),
        None => query_error.as_deref().map(|c| t(error_key(c))),
    });
    view! {
        <ActionForm action=verify attr:class="space-y-5 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate="true">
            <h2 class="text-lg font-semibold">{t(Key::LoginCodeTitle)}</h2>
            <p role="alert" data-testid="login-error" class="text-sm font-medium text-red-600 empty:hidden dark:text-red-400">
                {move || error.get()}
            </p>
            <input type="hidden" name="next" value=next/>
            <div>
                <label for="code" class="block text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::LoginCode)}</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" autofocus=true
                    class=INPUT aria-invalid=move || error.get().is_some().to_string()/>
            </div>
            <button type="submit" class=SUBMIT disabled=move || pending.get()>
                {move || if pending.get() { t(Key::LoginPending) } else { t(Key::LoginCodeSubmit) }}
            </button>
            <p class="text-center text-sm"><a href="/login" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{t(Key::LoginCodeBack)}</a></p>
        </ActionForm>
    }
}

/// The sign-in pages' frame: the language switcher, the mark and the title above the form.
#[component]
fn SignInFrame(subtitle: Option<&'static str>, children: Children) -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col">
            <div class="flex justify-end p-4"><LocaleSwitcher/></div>
            <main class="mx-auto w-full max-w-md flex-1 px-4 pb-16 pt-8">
                <div class="mb-8 text-center">
                    <span class="mx-auto grid h-12 w-12 place-items-center rounded-xl bg-indigo-600 text-xl font-bold text-white">"A"</span>
                    <h1 class="mt-4 text-2xl font-bold tracking-tight">{t(Key::LoginTitle)}</h1>
                    {subtitle.map(|s| view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">{s}</p> })}
                </div>
                {children()}
            </main>
        </div>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let next = q("next");
    if q("step") == "code" {
        let error = Some(q("error")).filter(|s| !s.is_empty());
        return view! {
            <SignInFrame subtitle=None>
                <CodeStep next=next query_error=error/>
            </SignInFrame>
        }
        .into_any();
    }
    let tenant = Some(q("tenant")).filter(|s| !s.is_empty()).or_else(remembered_tenant).unwrap_or_default();
    let email = q("email");
    // Errors of a plain form post come back in the query; those of the hydrated form in the action.
    let query_error = Some(q("error")).filter(|s| !s.is_empty());
    let query_missing = q("missing");
    let notice = match q("notice").as_str() {
        "password_reset" => Some(t(Key::LoginNoticePasswordReset)),
        "email_verified" => Some(t(Key::LoginNoticeEmailVerified)),
        _ => None,
    };
    let forgot_href = format!("/forgot-password?tenant={}", crate::url::urlencode(&tenant));

    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    let result = login.value();

    // Signed in (or on to the code step): a full page load, so the whole page (and its
    // language) is the user's.
    navigate_on_success(result);

    let form_error = Signal::derive(move || match result.get() {
        Some(Err(AppError::Validation { .. })) | Some(Ok(_)) => None,
        Some(Err(err)) => Some(t(error_key(err.code()))),
        None => query_error.as_deref().filter(|c| *c != "validation_failed").map(|c| t(error_key(c))),
    });
    let missing = move |field: &'static str| {
        let from_query = query_missing.split(',').any(|f| f == field);
        Signal::derive(move || {
            let blank = match result.get() {
                Some(Err(AppError::Validation { fields })) => fields.contains_key(field),
                Some(_) => false,
                None => from_query,
            };
            blank.then(|| t(Key::FieldRequired))
        })
    };

    view! {
        <SignInFrame subtitle=Some(t(Key::LoginSubtitle))>
            <ActionForm action=login attr:class="space-y-5 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate="true">
                {notice.map(|n| view! {
                    <p role="status" data-testid="login-notice" class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">{n}</p>
                })}
                <p role="alert" data-testid="login-error" class="text-sm font-medium text-red-600 empty:hidden dark:text-red-400">
                    {move || form_error.get()}
                </p>
                <input type="hidden" name="next" value=next/>
                <Field name="tenant" label=t(Key::LoginTenant) kind="text" autocomplete="organization"
                    value=tenant hint=t(Key::LoginTenantHint) error=missing("tenant")/>
                <Field name="email" label=t(Key::LoginEmail) kind="email" autocomplete="username"
                    value=email error=missing("email")/>
                <Field name="password" label=t(Key::LoginPassword) kind="password" autocomplete="current-password"
                    value=String::new() error=missing("password")/>
                <p class="-mt-2 text-right text-sm">
                    <a href=forgot_href data-testid="forgot-password" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{t(Key::LoginForgot)}</a>
                </p>
                <button type="submit" class=SUBMIT disabled=move || pending.get()>
                    {move || if pending.get() { t(Key::LoginPending) } else { t(Key::LoginSubmit) }}
                </button>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">
                {t(Key::LoginNoAccount)} " "
                <a href="/signup" class="font-medium text-indigo-700 dark:text-indigo-300 hover:underline">{t(Key::LoginCreateAccount)}</a>
            </p>
        </SignInFrame>
    }
    .into_any()
}
