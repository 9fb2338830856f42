//! The API keys page (company settings, manager and above): the keys with their last use, a form
//! to create one (shown until copied, with a copy button) and revocation behind a confirmation.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form::{
    data_version, error_key, go_on_success, CopyField, FormStatus, SelectField, Submit, TextField, BUTTON,
    BUTTON_DANGER, BUTTON_SECONDARY, CARD,
};
use crate::components::guard::signed_in_page;
use crate::i18n::{t, Key};
use crate::model::{ApiKeyDto, CreatedApiKeyDto, Role};
use crate::pages::{profile::short_time, users::role_options};
use crate::server_fns::api_keys::{list_api_keys, new_api_key_to_show, CreateApiKey, ForgetNewApiKey, RevokeApiKey};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    signed_in_page(Role::Manager, |viewer| {
        let keys = Resource::new(data_version, |_| list_api_keys());
        let fresh = Resource::new(data_version, |_| new_api_key_to_show());
        let create = ServerAction::<CreateApiKey>::new();
        let error = go_on_success(create.value(), |_| "/company/api-keys".into());
        let roles = role_options(viewer.user.role);
        view! {
            <div class="flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-2xl font-bold tracking-tight">{t(Key::ApiKeysTitle)}</h1>
                <a href="/company" class=BUTTON_SECONDARY>{t(Key::CompanyTitle)}</a>
            </div>
            <p class="mt-2 max-w-3xl text-sm text-slate-700 dark:text-slate-300">{t(Key::ApiKeysIntro)}</p>
            <Transition>
                {move || Suspend::new(async move {
                    fresh.await.ok().flatten().map(|created| view! { <NewKey created=created/> })
                })}
            </Transition>
            <div class="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
                <section class=format!("{CARD} min-w-0") aria-labelledby="keys-title">
                    <h2 id="keys-title" class="sr-only">{t(Key::ApiKeysTitle)}</h2>
                    <FormStatus error=Signal::derive(|| None)/>
                    <Transition>
                        {move || Suspend::new(async move {
                            match keys.await {
                                Err(err) => view! { <p class="text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                                Ok(list) if list.is_empty() => view! { <p class="text-sm text-slate-700 dark:text-slate-300">{t(Key::ApiKeysNone)}</p> }.into_any(),
                                Ok(list) => view! {
                                    <ul class="divide-y divide-slate-200 dark:divide-slate-800" data-testid="api-keys">
                                        {list.into_iter().map(|key| view! { <KeyRow key=key/> }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
                <ActionForm action=create attr:class=format!("{CARD} space-y-4 self-start") attr:novalidate="true">
                    <h2 class="font-semibold">{t(Key::ApiKeysCreate)}</h2>
                    <FormStatus error=error notice=false/>
                    <TextField name="name" label=t(Key::UsersName) hint=t(Key::ApiKeysNameHint) error=error/>
                    <SelectField name="role" label=t(Key::UsersRole) options=roles selected="attendant" error=error/>
                    <TextField name="expires_on" label=t(Key::ApiKeysExpiresOn) kind="date" error=error/>
                    <Submit label=t(Key::ApiKeysCreate) pending=create.pending().into()/>
                </ActionForm>
            </div>
        }
    })
}

/// The key just made, with a copy button, until the person says they copied it.
#[component]
fn NewKey(created: CreatedApiKeyDto) -> impl IntoView {
    let done = ServerAction::<ForgetNewApiKey>::new();
    let _ = go_on_success(done.value(), |_| "/company/api-keys".into());
    view! {
        <section class="mt-6 rounded-2xl border border-emerald-300 bg-emerald-50 p-6 dark:border-emerald-800 dark:bg-emerald-950" aria-labelledby="new-key-title" data-testid="new-key">
            <h2 id="new-key-title" class="font-semibold">{t(Key::ApiKeysNewTitle)}": "{created.name.clone()}</h2>
            <p class="mt-1 text-sm text-slate-800 dark:text-slate-200">{t(Key::ApiKeysNewHint)}</p>
            <CopyField value=created.key.clone() label=t(Key::ApiKeysNewTitle) testid="new-key-value"/>
            <ActionForm action=done attr:class="mt-3" attr:novalidate="true">
                <button type="submit" class=BUTTON data-testid="new-key-done">{t(Key::ApiKeysDone)}</button>
            </ActionForm>
        </section>
    }
}

/// One key: what it is, who made it, when it was last used; revoking asks first
/// (`?revoke=<id>` shows the confirmation, with or without JavaScript).
#[component]
fn KeyRow(key: ApiKeyDto) -> impl IntoView {
    let revoke = ServerAction::<RevokeApiKey>::new();
    let revoke_error = go_on_success(revoke.value(), |_| "/company/api-keys?notice=api_key_revoked".into());
    let query = use_query_map();
    let id = key.id;
    let asking = query.with_untracked(|q| q.get("revoke")) == Some(id.to_string());
    let never = t(Key::ApiKeysNever);
    let last_used = match (&key.last_used_at, &key.last_used_address) {
        (Some(at), Some(address)) => format!("{} · {address}", short_time(at)),
        (Some(at), None) => short_time(at),
        _ => never.to_string(),
    };
    view! {
        <li class="space-y-2 py-4" data-testid="api-key">
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <p class="font-medium">{key.name.clone()}</p>
                    <p class="font-mono text-xs text-slate-700 dark:text-slate-300">{format!("atr_{}_…", key.prefix)}" · "{t(key.role.label_key())}</p>
                </div>
                {(!asking).then(|| view! {
                    <a rel="external" href=format!("/company/api-keys?revoke={id}") class=BUTTON_SECONDARY data-testid="revoke-key">{t(Key::ApiKeysRevoke)}</a>
                })}
            </div>
            <dl class="grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-slate-700 sm:grid-cols-4 dark:text-slate-300">
                <div><dt class="font-medium">{t(Key::ApiKeysCreatedBy)}</dt><dd>{key.created_by.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt class="font-medium">{t(Key::ApiKeysCreated)}</dt><dd>{short_time(&key.created_at)}</dd></div>
                <div><dt class="font-medium">{t(Key::ApiKeysLastUsed)}</dt><dd>{last_used}</dd></div>
                <div><dt class="font-medium">{t(Key::ApiKeysExpires)}</dt><dd>{key.expires_at.as_deref().map(short_time).unwrap_or_else(|| never.to_string())}</dd></div>
            </dl>
            {asking.then(|| view! {
                <ActionForm action=revoke attr:class="space-y-3 rounded-lg border border-red-200 p-3 dark:border-red-900" attr:data-testid="confirm-revoke" attr:novalidate="true">
                    <p class="text-sm font-medium">{t(Key::ApiKeysRevokeConfirm)}</p>
                    {move || revoke_error.get().and_then(|e| error_key(&e)).map(|k| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-300">{t(k)}</p> })}
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="flex gap-3">
                        <Submit label=t(Key::ApiKeysRevoke) pending=revoke.pending().into() class=BUTTON_DANGER/>
                        <a rel="external" href="/company/api-keys" class=BUTTON_SECONDARY>{t(Key::FormCancel)}</a>
                    </div>
                </ActionForm>
            })}
        </li>
    }
}
