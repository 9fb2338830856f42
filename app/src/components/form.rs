//! Form building blocks shared by the pages: fields with their error beside them, the outcome
//! banner, and the flash a form post leaves for the page after it (its notice, or a plain
//! post's error and values).
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate, use_query_map},
    NavigateOptions,
};
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    i18n::{t, Key},
};

pub const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 shadow-sm \
    focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 \
    aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900";
pub const BUTTON: &str = "inline-flex items-center justify-center rounded-lg bg-indigo-600 px-4 py-2 font-semibold \
    text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60";
pub const BUTTON_SECONDARY: &str =
    "inline-flex items-center justify-center rounded-lg border border-slate-300 px-4 py-2 \
    font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800";
pub const BUTTON_DANGER: &str =
    "inline-flex items-center justify-center rounded-lg bg-red-600 px-4 py-2 font-semibold \
    text-white shadow-sm hover:bg-red-500 disabled:opacity-60";
pub const CARD: &str =
    "rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900";

/// What the last form post left for this page load (`server::web::flash`): the success notice,
/// or a plain post's error and the values it sent. Read from the request on the server and handed
/// to the browser with the page for hydration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    /// The page it is for.
    pub path: String,
    pub notice: Option<String>,
    pub error: Option<AppError>,
    /// The fields a plain post sent, secrets left out.
    pub values: Vec<(String, String)>,
}

/// The flash of this page load, provided by the root component.
#[derive(Clone, Debug, Default)]
pub struct PageFlash(pub Option<Flash>);

/// The flash, while the page it was for is the one shown (a later navigation leaves it behind).
fn flash_here() -> Option<Flash> {
    let flash = use_context::<PageFlash>()?.0?;
    (use_location().pathname.get_untracked() == flash.path).then_some(flash)
}

/// A success notice this browser tab made itself (JavaScript on): the page it is for and its code.
/// It never travels in the address, so a reload does not show it again.
#[derive(Clone, Copy, Debug)]
pub struct RecentNotice(pub RwSignal<Option<(String, String)>>);

/// Counts the saves made in this tab. Resources that show saved data list it in their source, so
/// a save loads them again in place, without a page load.
#[derive(Clone, Copy, Debug)]
pub struct DataVersion(pub RwSignal<u64>);

/// The current [`DataVersion`], tracked: put it in a resource's source.
pub fn data_version() -> u64 {
    use_context::<DataVersion>().map(|v| v.0.get()).unwrap_or_default()
}

/// How a form of a signed-in page ends once it succeeded (JavaScript on): the data on screen loads
/// again, the address becomes `target` without a page load (the wasm and the page stay), and the
/// target's `?notice=` becomes a toast instead of part of the address. An address outside the app
/// (a payment page) is opened as a page.
pub fn use_finish() -> impl Fn(String) + Clone + 'static {
    let navigate = use_navigate();
    let recent = use_context::<RecentNotice>();
    let version = use_context::<DataVersion>();
    move |target: String| {
        if !target.starts_with('/') || target.starts_with("//") {
            go(target);
            return;
        }
        let (href, notice) = without_notice(&target);
        if let Some(recent) = recent {
            let path = href.split('?').next().unwrap_or_default().to_string();
            recent.0.set(notice.map(|code| (path, code)));
        }
        navigate(&href, NavigateOptions::default());
        if let Some(version) = version {
            version.0.update(|v| *v += 1);
        }
    }
}

/// `target` without its `notice` parameter, and that notice.
fn without_notice(target: &str) -> (String, Option<String>) {
    let Some((path, query)) = target.split_once('?') else { return (target.to_string(), None) };
    let mut notice = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("notice=") {
            Some(code) => {
                notice = Some(code.to_string());
                false
            }
            None => !pair.is_empty(),
        })
        .collect();
    let href = if rest.is_empty() { path.to_string() } else { format!("{path}?{}", rest.join("&")) };
    (href, notice)
}

/// The value a plain post sent for `field` before it failed, to fill the field again.
fn submitted_value(field: &str) -> Option<String> {
    flash_here()?.values.into_iter().find(|(name, _)| name == field).map(|(_, value)| value)
}

/// The error of the last submission: from the action (JavaScript on) or from the flash of a plain
/// post that failed (off).
pub fn form_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    T: 'static,
{
    let from_flash = flash_here().and_then(|f| f.error);
    Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => from_flash.clone(),
    })
}

/// A field's message that goes away once the field is changed, until the next submission.
#[derive(Clone, Copy)]
struct FieldMessage {
    message: Signal<Option<&'static str>>,
    edited: RwSignal<bool>,
}

impl FieldMessage {
    fn get(&self) -> Option<&'static str> {
        if self.edited.get() {
            None
        } else {
            self.message.get()
        }
    }
}

fn until_edited(message: Signal<Option<&'static str>>, error: Signal<Option<AppError>>) -> FieldMessage {
    let edited = RwSignal::new(false);
    // A new answer from the server shows its messages again.
    Effect::new(move |_| {
        error.track();
        edited.set(false);
    });
    FieldMessage { message, edited }
}

/// The server's validation message for `field`, in the page's language.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<&'static str>> {
    Signal::derive(move || match error.get() {
        Some(AppError::Validation { fields }) => {
            fields.get(field).and_then(|m| m.first()).map(|m| message_key(m)).map(t)
        }
        _ => None,
    })
}

fn message_key(message: &str) -> Key {
    match message {
        "can't be blank" => Key::FieldRequired,
        "has already been taken" => Key::FieldTaken,
        "is not a valid email address" => Key::FieldEmail,
        "is incorrect" => Key::FieldIncorrect,
        "is above your own role" => Key::FieldRoleTooHigh,
        "is too common" => Key::FieldPasswordCommon,
        "must be an address of this application" => Key::FieldOwnUrl,
        "is not a plan" => Key::FieldInvalid,
        "must name at least one event" => Key::WebhooksEventsRequired,
        m if m.starts_with("must be a public internet address") => Key::WebhooksUrlPrivate,
        m if m.contains("http:// or https:// URL") || m == "must name a host" => Key::FieldUrl,
        m if m.starts_with("CPF ") || m.starts_with("CNPJ ") => document_message_key(m),
        m if m.starts_with("should be at least") => Key::FieldTooShort,
        m if m.starts_with("should be at most") => Key::FieldTooLong,
        _ => Key::FieldInvalid,
    }
}

/// The document module's English reasons, in the page's language.
fn document_message_key(message: &str) -> Key {
    if message.contains("check digits") {
        Key::DocumentCheckDigits
    } else if message.contains("repeated") {
        Key::DocumentRepeated
    } else if message.contains("must have") {
        Key::DocumentWrongLength
    } else if message.contains("required") {
        Key::FieldRequired
    } else {
        Key::DocumentInvalidCharacter
    }
}

/// What went wrong, for errors that are not about one field.
pub fn error_key(err: &AppError) -> Option<Key> {
    Some(match err {
        AppError::Validation { .. } => Key::FormFixErrors,
        AppError::Forbidden => Key::ErrorForbidden,
        AppError::NotFound => Key::ErrorNotFoundBody,
        AppError::PlanLimit { resource, .. } if resource == "departments" => Key::ErrorPlanLimitDepartments,
        AppError::PlanLimit { .. } => Key::ErrorPlanLimitUsers,
        AppError::Conflict { code, .. } if code == "last_owner" => Key::ErrorLastOwner,
        AppError::Conflict { code, .. } if code == "own_access" => Key::ErrorOwnAccess,
        AppError::Conflict { code, .. } if code == "invalid_invitation" => Key::ErrorInvalidInvitation,
        AppError::Unauthorized { .. } | AppError::InvalidCredentials => Key::ErrorSessionEnded,
        AppError::RateLimited { .. } | AppError::Busy { .. } => Key::LoginErrorRateLimited,
        AppError::SubscriptionInactive => Key::ErrorSubscriptionInactive,
        AppError::EmailUnverified => Key::ErrorEmailUnverified,
        AppError::MfaEnrollmentRequired => Key::ErrorMfaEnrollmentRequired,
        AppError::InvalidMfaCode => Key::LoginErrorInvalidMfaCode,
        AppError::InvalidMfaToken => Key::LoginErrorInvalidMfaToken,
        AppError::Unprocessable { code, .. } if code == "invalid_token" => Key::ErrorInvalidToken,
        AppError::Conflict { code, .. } if code == "already_verified" => Key::VerifyAlready,
        AppError::Taken { code, .. } if code == "document_taken" => Key::SignupDocumentTaken,
        AppError::Taken { .. } => Key::SignupSlugTaken,
        AppError::Unprocessable { code, .. } if code == "contact_sales" => Key::PlanContactSalesError,
        AppError::DowngradeExceeds { .. } => Key::BillingDowngradeRefused,
        AppError::Conflict { code, .. } if code == "already_on_plan" => Key::BillingAlreadyOnPlan,
        AppError::Conflict { code, .. } if code == "checkout_closed" => Key::CheckoutClosed,
        AppError::Conflict { code, .. } if code == "no_subscription" => Key::BillingNoSubscription,
        AppError::Conflict { code, .. } if code == "upgrade_pending" => Key::BillingUpgradePending,
        AppError::PaymentProvider => Key::BillingProviderDown,
        AppError::Conflict { code, .. } if code == "webhook_inactive" => Key::WebhooksInactiveError,
        AppError::Unprocessable { code, .. } if code == "webhook_limit" => Key::WebhooksLimit,
        AppError::PlanFeatureUnavailable { .. } => Key::WebhooksUpgrade,
        _ => Key::ErrorGeneric,
    })
}

/// The banner above a form: the error of the last try, or the `?notice=` of a success.
#[component]
pub fn FormStatus(
    error: Signal<Option<AppError>>,
    /// Whether this banner also shows `?notice=` (one banner per page should).
    #[prop(default = true)]
    notice: bool,
) -> impl IntoView {
    let show_notice = notice;
    let query = use_query_map();
    // Shown once: only on the page load a success led to (its flash), not on a reload of the same
    // address. Payment pages elsewhere send the customer back with a notice of their own.
    let flashed = flash_here().and_then(|f| f.notice);
    let recent = use_context::<RecentNotice>();
    let pathname = use_location().pathname;
    let notice = move || {
        let made_here =
            recent.and_then(|r| r.0.get()).filter(|(path, _)| *path == pathname.get()).map(|(_, code)| code);
        made_here
            .or_else(|| {
                query
                    .with(|q| q.get("notice"))
                    .filter(|n| flashed.as_deref() == Some(n.as_str()) || EXTERNAL_NOTICES.contains(&n.as_str()))
            })
            .and_then(|n| notice_key(&n))
            .filter(|_| show_notice)
    };
    // An answer with errors moves the focus to this summary, so keyboard and screen-reader users
    // start from what went wrong (the fields it names say it again beside them).
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let (Some(_), Some(element)) = (error.get(), summary.get()) {
            #[cfg(feature = "hydrate")]
            let _ = element.focus();
            #[cfg(not(feature = "hydrate"))]
            let _ = element;
        }
    });
    view! {
        {move || match error.get() {
            Some(err) => {
                let limit = match &err {
                    AppError::PlanLimit { limit, .. } => Some(*limit),
                    _ => None,
                };
                let to_billing = matches!(err, AppError::PlanLimit { .. } | AppError::SubscriptionInactive);
                let exceeds = match &err {
                    AppError::DowngradeExceeds { exceeds, .. } => exceeds
                        .iter()
                        .map(|e| format!("{}: {} / {}", e.resource, e.used, e.limit))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                Some(view! {
                    <div role="alert" data-testid="form-error" tabindex="-1" node_ref=summary class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
                        {error_key(&err).map(t)}
                        {limit.map(|l| view! { " (" {t(Key::ErrorPlanLimitLabel)} ": " {l} ")" })}
                        {(!exceeds.is_empty()).then(|| view! { " " <span data-testid="plan-exceeds">{exceeds.clone()}</span> })}
                        {to_billing.then(|| view! {
                            " " <a href="/billing" class="font-semibold underline" data-testid="upgrade-link">{t(Key::BillingUpgradePrompt)}</a>
                        })}
                    </div>
                }.into_any())
            }
            None => notice().map(|key| view! { <Toast message=t(key)/> }.into_any()),
        }}
    }
}

/// A success message in the corner of the screen. It lets clicks through to the page under it
/// (but its close button) and goes away by itself after 8 seconds: by a CSS animation on the page
/// as it arrives (no JavaScript needed), then, once the page is hydrated, by a timer, as the
/// renderer reuses the element for the next toast and a finished animation would not start again.
#[component]
fn Toast(message: &'static str) -> impl IntoView {
    let shown = RwSignal::new(true);
    let scripted = RwSignal::new(false);
    Effect::new(move |_| {
        scripted.set(true);
        #[cfg(feature = "hydrate")]
        set_timeout(move || shown.set(false), std::time::Duration::from_secs(8));
    });
    view! {
        <Show when=move || shown.get()>
        <div
            class="pointer-events-none fixed inset-x-4 bottom-4 z-50 flex justify-center sm:inset-x-auto sm:right-6 sm:bottom-6"
            class=("animate-[toast-out_300ms_ease-in_8s_forwards]", move || !scripted.get())
        >
            <div role="status" data-testid="toast" class="pointer-events-none flex w-full max-w-sm items-start gap-3 rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm font-medium text-emerald-900 shadow-lg dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100">
                <span aria-hidden="true">"✓"</span>
                <p class="flex-1" data-testid="form-notice">{message}</p>
                // Closing needs JavaScript: without it the button is not offered.
                <button type="button" class="pointer-events-auto -my-1 rounded px-1 text-lg leading-none hover:bg-emerald-100 dark:hover:bg-emerald-900" class=("hidden", move || !scripted.get()) aria-label=t(Key::FormDismiss) on:click=move |_| shown.set(false)>
                    <span aria-hidden="true">"×"</span>
                </button>
            </div>
        </div>
        </Show>
    }
}

/// Notices of addresses a payment provider sends the customer back to, with no form post of
/// this app before them.
const EXTERNAL_NOTICES: [&str; 3] = ["paid", "subscribed", "checkout_canceled"];

fn notice_key(code: &str) -> Option<Key> {
    Some(match code {
        "saved" => Key::NoticeSaved,
        "created" => Key::NoticeCreated,
        "deactivated" => Key::NoticeDeactivated,
        "reactivated" => Key::NoticeReactivated,
        "member_added" => Key::NoticeMemberAdded,
        "department_deleted" => Key::NoticeDepartmentDeleted,
        "subscribed" => Key::NoticeSubscribed,
        "paid" => Key::NoticePaid,
        "checkout_canceled" => Key::NoticeCheckoutCanceled,
        "subscription_changed" => Key::NoticeSubscriptionChanged,
        "subscription_canceled" => Key::NoticeSubscriptionCanceled,
        "sent" => Key::ForgotSent,
        "verification_sent" => Key::NoticeVerificationSent,
        "email_verified" => Key::NoticeEmailVerified,
        "invitation_resent" => Key::NoticeInvitationResent,
        "invitation_revoked" => Key::NoticeInvitationRevoked,
        "mfa_off" => Key::NoticeMfaOff,
        "mfa_reset" => Key::NoticeMfaReset,
        "user_sessions_ended" => Key::NoticeUserSessionsEnded,
        "session_ended" => Key::NoticeSessionEnded,
        "sessions_ended" => Key::NoticeSessionsEnded,
        "api_key_revoked" => Key::NoticeApiKeyRevoked,
        "webhook_test_sent" => Key::NoticeWebhookTestSent,
        "webhook_deleted" => Key::NoticeWebhookDeleted,
        _ => return None,
    })
}

/// After a save, a page that loads its data again keeps its elements (the renderer updates them
/// in place), and an attribute no longer says what a field shows once someone typed or ticked in
/// it: `show` puts the saved value back. Before any save (the page as it arrived) nothing is
/// touched, so what someone typed while the page was hydrating stays.
#[cfg(feature = "hydrate")]
fn show_saved<E>(node: NodeRef<E>, show: impl Fn(&E::Output) + 'static)
where
    E: leptos::html::ElementType + 'static,
    E::Output: Clone + 'static,
    NodeRef<E>: Get<Value = Option<E::Output>>,
{
    let saves_so_far = use_context::<DataVersion>().map(|v| v.0.get_untracked()).unwrap_or_default();
    if saves_so_far == 0 {
        return;
    }
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            show(&element);
        }
    });
}

#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(into, default = String::new())] value: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = until_edited(field_error(error, name), error);
    let id = format!("field-{name}");
    let error_id = format!("{name}-error");
    // After a plain post failed, what was typed (never a password).
    let value = if kind == "password" { value } else { submitted_value(name).unwrap_or(value) };
    let input = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    {
        let saved = value.clone();
        show_saved(input, move |el| el.set_value(&saved));
    }
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
            <input node_ref=input id=id name=name type=kind value=value class=INPUT autocomplete=autocomplete
                on:input=move |_| message.edited.set(true)
                aria-invalid=move || message.get().is_some().to_string() aria-describedby=error_id.clone()/>
            {hint.map(|h| view! { <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{h}</p> })}
            <p id=error_id class="mt-1 text-sm text-red-700 dark:text-red-300" data-testid=format!("{name}-error")>
                {move || message.get()}
            </p>
        </div>
    }
}

#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] selected: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = until_edited(field_error(error, name), error);
    let id = format!("field-{name}");
    let selected = submitted_value(name).unwrap_or(selected);
    let select = NodeRef::<leptos::html::Select>::new();
    #[cfg(feature = "hydrate")]
    {
        let saved = selected.clone();
        show_saved(select, move |el| el.set_value(&saved));
    }
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
            <select node_ref=select id=id name=name class=INPUT aria-invalid=move || message.get().is_some().to_string()
                on:change=move |_| message.edited.set(true)>
                {options.into_iter().map(|(value, text)| {
                    let is = value == selected;
                    view! { <option value=value selected=is>{text}</option> }
                }).collect_view()}
            </select>
            <p class="mt-1 text-sm text-red-600 dark:text-red-400" data-testid=format!("{name}-error")>{move || message.get()}</p>
        </div>
    }
}

#[component]
pub fn Checkbox(name: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    // A failed plain post sent every field of its form but the boxes left unticked.
    let checked = match flash_here() {
        Some(flash) if flash.error.is_some() && !flash.values.is_empty() => {
            flash.values.iter().any(|(field, _)| field == name)
        }
        _ => checked,
    };
    let input = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    show_saved(input, move |el| el.set_checked(checked));
    view! {
        <label class="flex items-center gap-2 text-sm font-medium text-slate-700 dark:text-slate-300">
            <input node_ref=input type="checkbox" name=name value="on" checked=checked class="h-4 w-4 rounded border-slate-300 text-indigo-600"/>
            {label}
        </label>
    }
}

/// A submit button that says it is working while the action is pending.
#[component]
pub fn Submit(
    label: &'static str,
    pending: Signal<bool>,
    #[prop(default = BUTTON)] class: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=class disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { t(Key::FormPending) } else { label }}
        </button>
    }
}

/// Once a form succeeded (JavaScript on), goes on to the address `to` makes of its answer in place
/// ([`use_finish`]); answers the form's error. Without JavaScript the server function redirects by
/// itself.
pub fn go_on_success<T, S>(value: S, to: impl Fn(T) -> String + Send + Sync + 'static) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    T: 'static,
{
    on_success(value, to, use_finish())
}

/// Like [`go_on_success`], but the address is loaded as a page: for a save that changes what the
/// server renders around every page (the language).
pub fn load_on_success<T, S>(value: S, to: impl Fn(T) -> String + Send + Sync + 'static) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    T: 'static,
{
    on_success(value, to, go)
}

/// Hands the address `to` makes of a successful answer to `finish`; answers the form's error.
fn on_success<T, S>(
    value: S,
    to: impl Fn(T) -> String + Send + Sync + 'static,
    finish: impl Fn(String) + 'static,
) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    T: 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(answer)) = value.get() {
            finish(to(answer));
        }
    });
    form_error(value)
}

/// For a server function that answers the next address itself, after which the page must load
/// anew (a sign-in, a new session): loads that address as a page; answers the form's error.
pub fn follow<S>(value: S) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<String, AppError>>> + Copy + Send + Sync + 'static,
{
    load_on_success(value, |target| target)
}

/// A full page load of `path`.
pub fn go(path: String) {
    #[cfg(feature = "hydrate")]
    {
        let _ = web_sys::window().map(|w| w.location().assign(&path));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// A value to hand on (an invitation link, a new API key): read-only, with a copy button that
/// says when it copied (JavaScript on; without it the field can be selected and copied by hand).
#[component]
pub fn CopyField(value: String, label: &'static str, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    view! {
        <div class="mt-3 flex flex-wrap gap-2">
            <input class=format!("{INPUT} font-mono text-sm sm:flex-1") readonly value=value aria-label=label data-testid=testid/>
            <button type="button" class=BUTTON_SECONDARY on:click=move |_| copy_to_clipboard(&text, copied)>
                {move || if copied.get() { t(Key::FormCopied) } else { t(Key::FormCopy) }}
            </button>
        </div>
    }
}

fn copy_to_clipboard(text: &str, copied: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
        copied.set(true);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, copied);
}

#[cfg(test)]
mod tests {
    use super::without_notice;

    #[test]
    fn the_notice_leaves_the_address() {
        assert_eq!(without_notice("/users/7?notice=saved"), ("/users/7".into(), Some("saved".into())));
        assert_eq!(
            without_notice("/users/7?notice=created&invitation=abc"),
            ("/users/7?invitation=abc".into(), Some("created".into()))
        );
        assert_eq!(without_notice("/users/7?confirm=deactivate"), ("/users/7?confirm=deactivate".into(), None));
        assert_eq!(without_notice("/profile"), ("/profile".into(), None));
    }
}
