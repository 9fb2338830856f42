//! The webhooks page (company settings, manager and above): the endpoints with their recent
//! deliveries, a form to add one (its signing secret shown until copied), and per endpoint: send
//! a test event, turn off or on, a new secret, delete behind a confirmation. On a plan without
//! webhooks it says which plans have them. Works without JavaScript.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form::{
    data_version, error_key, field_error, go_on_success, CopyField, FormStatus, Submit, TextField, BUTTON,
    BUTTON_DANGER, BUTTON_SECONDARY, CARD,
};
use crate::components::guard::signed_in_page;
use crate::error::AppError;
use crate::i18n::{t, Key};
use crate::model::{CreatedWebhookDto, Role, WebhookDeliveryDto, WEBHOOK_EVENTS};
use crate::pages::profile::short_time;
use crate::server_fns::webhooks::{
    list_webhooks, new_webhook_secret_to_show, CreateWebhook, DeleteWebhook, EndpointView, ForgetWebhookSecret,
    RotateWebhookSecret, SetWebhookActive, TestWebhook,
};

const PAGE: &str = "/company/webhooks";
const SMALL_BUTTON: &str =
    "inline-flex items-center rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium \
     hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800";

#[component]
pub fn WebhooksPage() -> impl IntoView {
    signed_in_page(Role::Manager, |_viewer| {
        let endpoints = Resource::new(data_version, |_| list_webhooks());
        let fresh = Resource::new(data_version, |_| new_webhook_secret_to_show());
        view! {
            <div class="flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-2xl font-bold tracking-tight">{t(Key::WebhooksTitle)}</h1>
                <a href="/company" class=BUTTON_SECONDARY>{t(Key::CompanyTitle)}</a>
            </div>
            <p class="mt-2 max-w-3xl text-sm text-slate-700 dark:text-slate-300">{t(Key::WebhooksIntro)}</p>
            <Transition>
                {move || Suspend::new(async move {
                    fresh.await.ok().flatten().map(|created| view! { <NewSecret created=created/> })
                })}
            </Transition>
            <Transition>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Err(AppError::PlanFeatureUnavailable { .. }) => view! { <Upgrade/> }.into_any(),
                        Err(err) => view! { <p class="mt-6 text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                        Ok(list) => view! { <Endpoints list=list/> }.into_any(),
                    }
                })}
            </Transition>
        }
    })
}

#[component]
fn Upgrade() -> impl IntoView {
    view! {
        <section class=format!("{CARD} mt-6 max-w-2xl space-y-3") data-testid="webhooks-upgrade">
            <h2 class="font-semibold">{t(Key::WebhooksUpgradeTitle)}</h2>
            <p class="text-sm text-slate-700 dark:text-slate-300">{t(Key::WebhooksUpgrade)}</p>
            <a href="/billing" class=BUTTON>{t(Key::WebhooksSeePlans)}</a>
        </section>
    }
}

#[component]
fn Endpoints(list: Vec<EndpointView>) -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let error = go_on_success(create.value(), |_| PAGE.into());
    let events_error = field_error(error, "events");
    view! {
        <div class="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
            <section class=format!("{CARD} min-w-0") aria-labelledby="endpoints-title">
                <h2 id="endpoints-title" class="sr-only">{t(Key::WebhooksTitle)}</h2>
                <FormStatus error=Signal::derive(|| None)/>
                {if list.is_empty() {
                    view! { <p class="text-sm text-slate-700 dark:text-slate-300">{t(Key::WebhooksNone)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="divide-y divide-slate-200 dark:divide-slate-800" data-testid="webhooks">
                            {list.into_iter().map(|endpoint| view! { <EndpointRow endpoint=endpoint/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <ActionForm action=create attr:class=format!("{CARD} space-y-4 self-start") attr:novalidate="true">
                <h2 class="font-semibold">{t(Key::WebhooksCreate)}</h2>
                <FormStatus error=error notice=false/>
                <TextField name="url" label=t(Key::WebhooksUrl) kind="url" hint=t(Key::WebhooksUrlHint) error=error/>
                <TextField name="description" label=t(Key::WebhooksDescription) error=error/>
                <fieldset aria-describedby="events-error">
                    <legend class="block text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::WebhooksEvents)}</legend>
                    <div class="mt-2 space-y-1">
                        {WEBHOOK_EVENTS.iter().map(|event| view! {
                            <label class="flex items-center gap-2 font-mono text-xs text-slate-800 dark:text-slate-200">
                                <input type="checkbox" name="events[]" value=*event class="h-4 w-4 rounded border-slate-300 text-indigo-600"/>
                                {*event}
                            </label>
                        }).collect_view()}
                    </div>
                    <p id="events-error" class="mt-1 text-sm text-red-600 dark:text-red-400" data-testid="events-error">{move || events_error.get()}</p>
                </fieldset>
                <Submit label=t(Key::WebhooksCreate) pending=create.pending().into()/>
            </ActionForm>
        </div>
    }
}

/// The secret just made (new endpoint or rotation), with a copy button, until the person says
/// they copied it.
#[component]
fn NewSecret(created: CreatedWebhookDto) -> impl IntoView {
    let done = ServerAction::<ForgetWebhookSecret>::new();
    let _ = go_on_success(done.value(), |_| PAGE.into());
    view! {
        <section class="mt-6 rounded-2xl border border-emerald-300 bg-emerald-50 p-6 dark:border-emerald-800 dark:bg-emerald-950" aria-labelledby="new-secret-title" data-testid="new-secret">
            <h2 id="new-secret-title" class="font-semibold">{t(Key::WebhooksSecretTitle)}": "<span class="font-mono text-sm">{created.webhook.url.clone()}</span></h2>
            <p class="mt-1 text-sm text-slate-800 dark:text-slate-200">{t(Key::WebhooksSecretHint)}</p>
            <CopyField value=created.secret.clone() label=t(Key::WebhooksSecretTitle) testid="new-secret-value"/>
            <ActionForm action=done attr:class="mt-3" attr:novalidate="true">
                <button type="submit" class=BUTTON data-testid="new-secret-done">{t(Key::ApiKeysDone)}</button>
            </ActionForm>
        </section>
    }
}

fn status_key(status: &str) -> Key {
    match status {
        "delivered" => Key::WebhooksStatusDelivered,
        "failed" => Key::WebhooksStatusFailed,
        "sending" => Key::WebhooksStatusSending,
        _ => Key::WebhooksStatusPending,
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "delivered" => "text-emerald-700 dark:text-emerald-300",
        "failed" => "text-red-700 dark:text-red-300",
        _ => "text-amber-700 dark:text-amber-300",
    }
}

/// One endpoint: where it points, what it listens to, whether it works, its latest deliveries,
/// and what can be done to it. Deleting asks first (`?delete=<id>`, with or without JavaScript).
#[component]
fn EndpointRow(endpoint: EndpointView) -> impl IntoView {
    let EndpointView { webhook, recent } = endpoint;
    let id = webhook.id;
    let test = ServerAction::<TestWebhook>::new();
    let test_error = go_on_success(test.value(), |_| format!("{PAGE}?notice=webhook_test_sent"));
    let toggle = ServerAction::<SetWebhookActive>::new();
    let toggle_error = go_on_success(toggle.value(), |_| format!("{PAGE}?notice=saved"));
    let rotate = ServerAction::<RotateWebhookSecret>::new();
    let rotate_error = go_on_success(rotate.value(), |_| PAGE.into());
    let delete = ServerAction::<DeleteWebhook>::new();
    let delete_error = go_on_success(delete.value(), |_| format!("{PAGE}?notice=webhook_deleted"));
    let action_error =
        Signal::derive(move || test_error.get().or(toggle_error.get()).or(rotate_error.get()).or(delete_error.get()));
    let query = use_query_map();
    let asking = query.with_untracked(|q| q.get("delete")) == Some(id.to_string());
    let active = webhook.active;
    view! {
        <li class="space-y-3 py-4" data-testid="webhook">
            <div class="min-w-0">
                <p class="break-all font-mono text-sm font-medium">{webhook.url.clone()}</p>
                {(!webhook.description.is_empty()).then(|| view! { <p class="text-sm text-slate-700 dark:text-slate-300">{webhook.description.clone()}</p> })}
                <p class="mt-1 text-xs" data-testid="webhook-state">
                    {if active {
                        view! { <span class="font-medium text-emerald-700 dark:text-emerald-300">{t(Key::WebhooksActive)}</span> }.into_any()
                    } else {
                        view! { <span class="font-medium text-slate-700 dark:text-slate-300">{t(Key::WebhooksInactive)}</span> }.into_any()
                    }}
                    {webhook.disabled_reason.clone().map(|reason| view! { <span class="text-red-700 dark:text-red-300">" · "{t(Key::WebhooksDisabledBecause)}" "{reason}</span> })}
                    {webhook.failing_since.as_deref().map(|since| view! { <span class="text-amber-700 dark:text-amber-300">" · "{t(Key::WebhooksFailingSince)}" "{short_time(since)}</span> })}
                </p>
                <ul class="mt-2 flex flex-wrap gap-1" aria-label=t(Key::WebhooksEvents)>
                    {webhook.events.iter().map(|e| view! { <li class="rounded bg-slate-100 px-2 py-0.5 font-mono text-xs dark:bg-slate-800">{e.clone()}</li> }).collect_view()}
                </ul>
            </div>
            {move || action_error.get().and_then(|e| error_key(&e)).map(|k| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-300">{t(k)}</p> })}
            <div class="flex flex-wrap gap-2">
                {active.then(|| view! {
                    <ActionForm action=test attr:novalidate="true">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class=SMALL_BUTTON data-testid="webhook-test">{t(Key::WebhooksTest)}</button>
                    </ActionForm>
                })}
                <ActionForm action=toggle attr:novalidate="true">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="active" value=(!active).to_string()/>
                    <button type="submit" class=SMALL_BUTTON data-testid="webhook-toggle">
                        {if active { t(Key::WebhooksTurnOff) } else { t(Key::WebhooksTurnOn) }}
                    </button>
                </ActionForm>
                <ActionForm action=rotate attr:novalidate="true">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class=SMALL_BUTTON data-testid="webhook-rotate">{t(Key::WebhooksRotate)}</button>
                </ActionForm>
                {(!asking).then(|| view! {
                    <a rel="external" href=format!("{PAGE}?delete={id}") class=SMALL_BUTTON data-testid="webhook-delete">{t(Key::WebhooksDelete)}</a>
                })}
            </div>
            {asking.then(|| view! {
                <ActionForm action=delete attr:class="space-y-3 rounded-lg border border-red-200 p-3 dark:border-red-900" attr:data-testid="confirm-delete" attr:novalidate="true">
                    <p class="text-sm font-medium">{t(Key::WebhooksDeleteConfirm)}</p>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="flex gap-3">
                        <Submit label=t(Key::WebhooksDelete) pending=delete.pending().into() class=BUTTON_DANGER/>
                        <a rel="external" href=PAGE class=BUTTON_SECONDARY>{t(Key::FormCancel)}</a>
                    </div>
                </ActionForm>
            })}
            <Deliveries recent=recent/>
        </li>
    }
}

#[component]
fn Deliveries(recent: Vec<WebhookDeliveryDto>) -> impl IntoView {
    if recent.is_empty() {
        return view! { <p class="text-xs text-slate-600 dark:text-slate-400">{t(Key::WebhooksNoDeliveries)}</p> }
            .into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class="w-full text-left text-xs" data-testid="deliveries">
                <caption class="mb-1 text-left font-medium text-slate-700 dark:text-slate-300">{t(Key::WebhooksRecent)}</caption>
                <thead class="text-slate-600 dark:text-slate-400">
                    <tr>
                        <th scope="col" class="py-1 pr-3 font-medium">{t(Key::WebhooksEvent)}</th>
                        <th scope="col" class="py-1 pr-3 font-medium">{t(Key::WebhooksStatus)}</th>
                        <th scope="col" class="py-1 pr-3 font-medium">{t(Key::WebhooksAttempts)}</th>
                        <th scope="col" class="py-1 pr-3 font-medium">{t(Key::WebhooksAnswer)}</th>
                        <th scope="col" class="py-1 font-medium">{t(Key::WebhooksWhen)}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                    {recent.into_iter().map(|d| {
                        let answer = match (d.last_status_code, d.last_error.clone()) {
                            (Some(code), _) => code.to_string(),
                            (None, Some(error)) => error,
                            (None, None) => "—".into(),
                        };
                        view! {
                            <tr data-testid="delivery">
                                <td class="py-1 pr-3 font-mono">{d.event.clone()}</td>
                                <td class=format!("py-1 pr-3 font-medium {}", status_class(&d.status))>{t(status_key(&d.status))}</td>
                                <td class="py-1 pr-3">{d.attempts}</td>
                                <td class="max-w-48 truncate py-1 pr-3" title=answer.clone()>{answer.clone()}</td>
                                <td class="py-1 whitespace-nowrap">{short_time(d.last_attempt_at.as_deref().unwrap_or(&d.created_at))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }.into_any()
}
