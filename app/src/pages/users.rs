//! The team: list (search, filters, sorting, pages), create, edit, deactivate/reactivate.
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::{
    components::{
        form::{
            data_version, form_error, go_on_success, use_finish, Checkbox, CopyField, FormStatus, SelectField, Submit,
            TextField, BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, INPUT,
        },
        guard::signed_in_page,
        layout::{initials, Breadcrumbs},
    },
    i18n::{now_unix, t, use_locale, Key, Locale},
    model::{InvitationDto, Role, UserDto},
    server_fns::{
        mfa::ResetUserMfa,
        sessions::EndUserSessions,
        users::{
            get_user, list_invitations, list_users, CreateUser, ResendInvitation, RevokeInvitation, SetUserActive,
            UpdateUser,
        },
    },
    url::urlencode,
};

const ROLES: [Role; 4] = [Role::Attendant, Role::Supervisor, Role::Manager, Role::Owner];

pub(crate) fn role_options(up_to: Role) -> Vec<(String, String)> {
    ROLES.into_iter().filter(|r| *r <= up_to).map(|r| (r.as_str().to_string(), t(r.label_key()).to_string())).collect()
}

fn locale_options() -> Vec<(String, String)> {
    Locale::ALL.into_iter().map(|l| (l.tag().to_string(), l.label().to_string())).collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    signed_in_page(Role::Manager, |_| view! { <UsersList/> })
}

#[component]
fn UsersList() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            ["search", "role", "active", "sort_by", "sort_order", "page"]
                .into_iter()
                .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
                .collect::<Vec<_>>()
        })
    };
    let users = Resource::new(move || (params(), data_version()), |(p, _)| list_users(p));
    let q = move |k: &str| query.with(|m| m.get(k)).unwrap_or_default();
    // A link to the same list with some parameters changed.
    let link = move |changes: Vec<(&'static str, String)>| {
        let mut pairs = params();
        for (k, v) in changes {
            pairs.retain(|(key, _)| key != k);
            pairs.push((k.to_string(), v));
        }
        let qs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        format!("/users?{}", qs.join("&"))
    };
    let sort_link = move |column: &'static str| {
        let desc = q("sort_by") == column && q("sort_order") != "desc";
        link(vec![
            ("sort_by", column.to_string()),
            ("sort_order", if desc { "desc" } else { "asc" }.into()),
            ("page", "1".into()),
        ])
    };
    // A column header that sorts by its column; the column the list is sorted by says which way,
    // to the eye (an arrow) and to screen readers (`aria-sort`). The list is by name by default.
    let sort_header = move |column: &'static str, label: &'static str| {
        let by = q("sort_by");
        let sorted = by == column || (by.is_empty() && column == "name");
        let descending = sorted && q("sort_order") == "desc";
        let aria = sorted.then_some(if descending { "descending" } else { "ascending" });
        let arrow = sorted.then(|| {
            let (glyph, said) =
                if descending { ("↓", t(Key::UsersSortedDescending)) } else { ("↑", t(Key::UsersSortedAscending)) };
            view! { <span aria-hidden="true">{glyph}</span><span class="sr-only">{format!(" ({said})")}</span> }
        });
        view! {
            <th scope="col" class="px-4 py-3" aria-sort=aria>
                <a href=sort_link(column) class="inline-flex items-center gap-1 hover:underline">{label}{arrow}</a>
            </th>
        }
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4">
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::UsersTitle)}</h1>
            <a href="/users/new" class=BUTTON data-testid="new-user">{t(Key::UsersNew)}</a>
        </div>
        <form method="get" action="/users" class="mt-6 grid gap-3 sm:grid-cols-[1fr_auto_auto_auto]" role="search">
            <input type="search" name="search" value=q("search") placeholder=t(Key::UsersSearch) aria-label=t(Key::UsersSearch) class=INPUT/>
            <select name="role" aria-label=t(Key::UsersRole) class=INPUT>
                <option value="">{t(Key::UsersAllRoles)}</option>
                {ROLES.into_iter().map(|r| view! { <option value=r.as_str() selected=q("role") == r.as_str()>{t(r.label_key())}</option> }).collect_view()}
            </select>
            <select name="active" aria-label=t(Key::UsersStatus) class=INPUT>
                <option value="">{t(Key::UsersAnyStatus)}</option>
                <option value="true" selected=q("active") == "true">{t(Key::UsersActive)}</option>
                <option value="false" selected=q("active") == "false">{t(Key::UsersInactive)}</option>
            </select>
            <button type="submit" class=BUTTON_SECONDARY>{t(Key::UsersFilter)}</button>
        </form>
        <PendingInvitations/>
        <Transition>
            {move || Suspend::new(async move {
                match users.await {
                    Err(err) => view! { <p class="mt-6 text-red-700 dark:text-red-300" role="alert">{crate::components::form::error_key(&err).map(t)}</p> }.into_any(),
                    Ok(page) => {
                        let meta = page.meta.clone();
                        let current = meta.current_page.unwrap_or(1);
                        // Past the counted bound, totals read "1000+" and "next" follows the rows.
                        let more = if meta.total_count_capped { "+" } else { "" };
                        let has_next = meta.next_cursor.is_some();
                        let filtered = ["search", "role", "active"].iter().any(|k| !q(k).is_empty());
                        view! {
                            <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                                // On phones each row is a card (no sideways scrolling); from `sm`, a table.
                                <table class="block min-w-full text-sm sm:table sm:divide-y sm:divide-slate-200 sm:dark:divide-slate-800" data-testid="users-table">
                                    <thead class="hidden bg-slate-50 text-left font-medium text-slate-700 sm:table-header-group dark:bg-slate-800/50 dark:text-slate-300">
                                        <tr>
                                            {sort_header("name", t(Key::UsersName))}
                                            {sort_header("email", t(Key::LoginEmail))}
                                            {sort_header("role", t(Key::UsersRole))}
                                            <th scope="col" class="px-4 py-3">{t(Key::UsersStatus)}</th>
                                            <th scope="col" class="px-4 py-3">{t(Key::UsersLastSignIn)}</th>
                                            {sort_header("inserted_at", t(Key::UsersSince))}
                                            <th scope="col" class="px-4 py-3"><span class="sr-only">{t(Key::UsersActions)}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody class="block divide-y divide-slate-100 sm:table-row-group dark:divide-slate-800">
                                        {page.data.into_iter().map(|u| view! { <UserRow user=u/> }).collect_view()}
                                    </tbody>
                                </table>
                                {(meta.total_count == 0).then(|| view! {
                                    <div class="p-6 text-center" data-testid="users-empty">
                                        <p class="text-slate-600 dark:text-slate-400">
                                            {if filtered { t(Key::UsersNoneFiltered) } else { t(Key::UsersNone) }}
                                        </p>
                                        {if filtered {
                                            view! { <a href="/users" class=format!("{BUTTON_SECONDARY} mt-4") data-testid="clear-filters">{t(Key::UsersClearFilters)}</a> }.into_any()
                                        } else {
                                            view! { <a href="/users/new" class=format!("{BUTTON} mt-4")>{t(Key::UsersNew)}</a> }.into_any()
                                        }}
                                    </div>
                                })}
                            </div>
                            <nav class="mt-4 flex items-center justify-between text-sm" aria-label=t(Key::PaginationLabel)>
                                <span data-testid="users-count">{use_locale().tf(Key::PaginationSummary, &[
                                    ("page", &current.to_string()),
                                    ("pages", &format!("{}{more}", meta.total_pages.max(1))),
                                    ("count", &format!("{}{more}", meta.total_count)),
                                ])}</span>
                                <span class="flex gap-2">
                                    {(current > 1).then(|| view! { <a class=BUTTON_SECONDARY href=link(vec![("page", (current - 1).to_string())])>{t(Key::PaginationPrevious)}</a> })}
                                    {has_next.then(|| view! { <a class=BUTTON_SECONDARY href=link(vec![("page", (current + 1).to_string())])>{t(Key::PaginationNext)}</a> })}
                                </span>
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Invitations not accepted yet, with "send again" and "revoke"; nothing when there are none.
#[component]
fn PendingInvitations() -> impl IntoView {
    let invitations = Resource::new(data_version, |_| list_invitations());
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let resend_error = go_on_success(resend.value(), |()| "/users?notice=invitation_resent".into());
    let revoke_error = go_on_success(revoke.value(), |()| "/users?notice=invitation_revoked".into());
    let error = Signal::derive(move || resend_error.get().or_else(|| revoke_error.get()));
    view! {
        <div class="mt-6"><FormStatus error=error/></div>
        <Transition>
            {move || Suspend::new(async move {
                let list = invitations.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class=format!("{CARD} mt-6") data-testid="pending-invitations" aria-labelledby="pending-invitations-title">
                        <h2 id="pending-invitations-title" class="font-semibold">{t(Key::InvitationsTitle)}</h2>
                        <ul class="mt-4 divide-y divide-slate-100 dark:divide-slate-800">
                            {list.into_iter().map(|inv| view! { <InvitationRow inv=inv resend=resend revoke=revoke/> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn InvitationRow(
    inv: InvitationDto,
    resend: ServerAction<ResendInvitation>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let status =
        if inv.status == "expired" { t(Key::InvitationsStatusExpired) } else { t(Key::InvitationsStatusPending) };
    let (resend_id, revoke_id) = (inv.id.to_string(), inv.id.to_string());
    let asking = use_query_map().with_untracked(|q| q.get("revoke")).is_some_and(|id| id == revoke_id);
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3 text-sm" data-testid="invitation-row">
            <div>
                <p class="font-medium">{inv.name} " · " <span class="text-slate-600 dark:text-slate-400">{inv.email}</span></p>
                <p class="text-xs text-slate-600 dark:text-slate-400">
                    {t(inv.role.label_key())} " · " {status} " · " {t(Key::InvitationsExpires)} " " {use_locale().date(Some(&inv.expires_at))}
                    {inv.invited_by.map(|by| view! { " · " {t(Key::InvitationsInvitedBy)} " " {by} })}
                </p>
            </div>
            <div class="flex gap-2">
                <ActionForm action=resend attr:novalidate="true">
                    <input type="hidden" name="id" value=resend_id/>
                    <button type="submit" class=BUTTON_SECONDARY>{t(Key::InvitationsResend)}</button>
                </ActionForm>
                {(!asking).then(|| view! {
                    <a rel="external" href=format!("/users?revoke={revoke_id}") class=BUTTON_SECONDARY data-testid="revoke-invitation">{t(Key::InvitationsRevoke)}</a>
                })}
            </div>
            // Revoking cannot be undone (the link is gone): the page asks first.
            {asking.then(|| view! {
                <ActionForm action=revoke attr:class="w-full space-y-3 rounded-lg border border-red-200 p-3 dark:border-red-900" attr:data-testid="confirm-revoke-invitation" attr:novalidate="true">
                    <p class="font-medium">{t(Key::InvitationsRevokeConfirm)}</p>
                    <input type="hidden" name="id" value=revoke_id.clone()/>
                    <div class="flex gap-3">
                        <button type="submit" class=BUTTON_DANGER>{t(Key::InvitationsRevoke)}</button>
                        <a rel="external" href="/users" class=BUTTON_SECONDARY>{t(Key::FormCancel)}</a>
                    </div>
                </ActionForm>
            })}
        </li>
    }
}

/// A cell: on phones a line of the row's card, its label beside the value; from `sm` a table cell.
const CELL: &str = "flex items-center justify-between gap-4 px-4 py-1 sm:table-cell sm:py-3";
/// The cell's label, shown on phones only (the table header says it from `sm`).
const LABEL: &str = "text-slate-600 sm:hidden dark:text-slate-400";

#[component]
fn UserRow(user: UserDto) -> impl IntoView {
    let locale = use_locale();
    let status = if user.active { t(Key::UsersActive) } else { t(Key::UsersInactive) };
    let href = format!("/users/{}", user.id);
    let badge = if user.active {
        "rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
    } else {
        "rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300"
    };
    view! {
        <tr class=if user.active { "block py-2 sm:table-row sm:py-0" } else { "block py-2 text-slate-600 sm:table-row sm:py-0 dark:text-slate-400" } data-testid="user-row">
            <td class="flex items-center gap-3 px-4 py-2 sm:table-cell sm:py-3">
                <span class="flex items-center gap-3">
                    <span aria-hidden="true" class="grid h-9 w-9 shrink-0 place-items-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200">
                        {initials(&user.name)}
                    </span>
                    <a href=href.clone() class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{user.name}</a>
                </span>
            </td>
            <td class=format!("{CELL} min-w-0")><span class=LABEL>{t(Key::LoginEmail)}</span><span class="truncate">{user.email}</span></td>
            <td class=CELL><span class=LABEL>{t(Key::UsersRole)}</span>{t(user.role.label_key())}</td>
            <td class=CELL><span class=LABEL>{t(Key::UsersStatus)}</span><span class=badge>{status}</span></td>
            <td class=format!("{CELL} sm:whitespace-nowrap")>
                <span class=LABEL>{t(Key::UsersLastSignIn)}</span>
                {match user.last_sign_in_at {
                    Some(at) => view! { <time datetime=at.clone() title=locale.date(Some(&at))>{locale.ago(Some(&at), now_unix())}</time> }.into_any(),
                    None => view! { <span>{t(Key::UsersNeverSignedIn)}</span> }.into_any(),
                }}
            </td>
            <td class=format!("{CELL} sm:whitespace-nowrap")><span class=LABEL>{t(Key::UsersSince)}</span>{locale.date(Some(&user.inserted_at))}</td>
            <td class="px-4 py-2 text-right sm:table-cell sm:py-3 max-sm:block">
                <a href=href class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{t(Key::UsersEdit)}</a>
            </td>
        </tr>
    }
}

#[component]
pub fn UserNewPage() -> impl IntoView {
    signed_in_page(Role::Manager, |viewer| {
        let create = ServerAction::<CreateUser>::new();
        let error = go_on_success(create.value(), |(user, invitation)| match invitation {
            Some(inv) => format!("/users/{}?notice=created&invitation={}", user.id, urlencode(&inv)),
            None => format!("/users/{}?notice=created", user.id),
        });
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::UsersNew)}</h1>
            <ActionForm action=create attr:class=format!("{CARD} mt-6 max-w-xl space-y-5") attr:novalidate="true">
                <FormStatus error=error/>
                <TextField name="name" label=t(Key::UsersName) error=error autocomplete="off"/>
                <TextField name="email" label=t(Key::LoginEmail) kind="email" error=error autocomplete="off"/>
                <SelectField name="role" label=t(Key::UsersRole) options=role_options(viewer.user.role) selected="attendant" error=error/>
                <SelectField name="locale" label=t(Key::ProfileLanguage) options=locale_options() selected=viewer.user.locale.tag() error=error/>
                <TextField name="password" label=t(Key::UsersInitialPassword) kind="password" error=error autocomplete="new-password" hint=t(Key::UsersInitialPasswordHint)/>
                <div class="flex gap-3">
                    <Submit label=t(Key::UsersCreate) pending=create.pending().into()/>
                    <a href="/users" class=BUTTON_SECONDARY>{t(Key::FormCancel)}</a>
                </div>
            </ActionForm>
        }
    })
}

#[component]
pub fn UserEditPage() -> impl IntoView {
    signed_in_page(Role::Manager, |viewer| {
        let params = use_params_map();
        let query = use_query_map();
        let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<Uuid>().ok());
        let user = Resource::new(
            move || (id(), data_version()),
            |(id, _)| async move {
                match id {
                    Some(id) => get_user(id).await,
                    None => Err(crate::error::AppError::NotFound),
                }
            },
        );
        let actor = viewer.user.role;
        view! {
            <Transition>
                {move || Suspend::new(async move {
                    match user.await {
                        Err(err) => view! { <p class="text-red-700 dark:text-red-300" role="alert" data-testid="form-error">{crate::components::form::error_key(&err).map(t)}</p> }.into_any(),
                        Ok(u) => {
                            let invitation = query.with_untracked(|q| q.get("invitation"));
                            let confirm = query.with_untracked(|q| q.get("confirm"));
                            view! { <UserEditor user=u actor=actor invitation=invitation confirm=confirm/> }.into_any()
                        }
                    }
                })}
            </Transition>
        }
    })
}

#[component]
fn UserEditor(user: UserDto, actor: Role, invitation: Option<String>, confirm: Option<String>) -> impl IntoView {
    let update = ServerAction::<UpdateUser>::new();
    let toggle = ServerAction::<SetUserActive>::new();
    let error = form_error(update.value());
    let toggle_error = Signal::derive(move || match toggle.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    });
    let id = user.id;
    let finish = use_finish();
    Effect::new(move |_| {
        if let Some(Ok((u, ask))) = update.value().get() {
            finish(crate::server_fns::users::saved_target(&u, ask));
        }
        if let Some(Ok(u)) = toggle.value().get() {
            finish(format!("/users/{}?notice={}", u.id, if u.active { "reactivated" } else { "deactivated" }));
        }
    });
    let roles = role_options(actor.max(Role::Attendant));
    let locale = use_locale();
    let deactivating = user.active;
    let asking = confirm.as_deref() == Some(if deactivating { "deactivate" } else { "reactivate" });
    let title = user.name.clone();
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4">
            <Breadcrumbs section="/users" label=t(Key::UsersBack)>
                <h1 class="text-2xl font-bold tracking-tight" data-testid="user-title">{title}</h1>
            </Breadcrumbs>
            <p class="text-sm text-slate-600 dark:text-slate-400" data-testid="user-last-sign-in">
                {t(Key::UsersLastSignIn)} ": "
                {match user.last_sign_in_at.clone() {
                    Some(at) => view! { <time datetime=at.clone() title=locale.date(Some(&at))>{locale.ago(Some(&at), now_unix())}</time> }.into_any(),
                    None => view! { <span>{t(Key::UsersNeverSignedIn)}</span> }.into_any(),
                }}
            </p>
        </div>
        {invitation.map(|path| view! {
            <div class="mt-6 rounded-lg border border-indigo-200 bg-indigo-50 p-4 text-sm dark:border-indigo-900 dark:bg-indigo-950" data-testid="invitation">
                <p class="font-medium">{t(Key::InvitationsEmailed)}</p>
                <CopyField value=path label=t(Key::InvitationsEmailed) testid="invitation-link"/>
            </div>
        })}
        <div class="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
            <ActionForm action=update attr:class=format!("{CARD} space-y-5") attr:novalidate="true">
                <FormStatus error=error/>
                <input type="hidden" name="id" value=id.to_string()/>
                <TextField name="name" label=t(Key::UsersName) value=user.name.clone() error=error/>
                <TextField name="email" label=t(Key::LoginEmail) kind="email" value=user.email.clone() error=error/>
                <SelectField name="role" label=t(Key::UsersRole) options=roles selected=user.role.as_str() error=error/>
                <SelectField name="locale" label=t(Key::ProfileLanguage) options=locale_options() selected=user.locale.tag() error=error/>
                <Checkbox name="active" label=t(Key::UsersActive) checked=user.active/>
                <Submit label=t(Key::FormSave) pending=update.pending().into()/>
            </ActionForm>
            <div class="space-y-6">
            <section class=format!("{CARD} space-y-4")>
                <h2 class="font-semibold">{if deactivating { t(Key::UsersDeactivate) } else { t(Key::UsersReactivate) }}</h2>
                <p class="text-sm text-slate-600 dark:text-slate-400">
                    {if deactivating { t(Key::UsersDeactivateHint) } else { t(Key::UsersReactivateHint) }}
                </p>
                {move || toggle_error.get().and_then(|e| crate::components::form::error_key(&e)).map(|k| view! {
                    <p role="alert" class="text-sm text-red-700 dark:text-red-300" data-testid="toggle-error">{t(k)}</p>
                })}
                {if asking {
                    view! {
                        <ActionForm action=toggle attr:class="space-y-3" attr:data-testid="confirm-box" attr:novalidate="true">
                            <p class="text-sm font-medium">{if deactivating { t(Key::UsersConfirmDeactivate) } else { t(Key::UsersConfirmReactivate) }}</p>
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="active" value=(!deactivating).to_string()/>
                            <div class="flex gap-3">
                                <Submit label=t(Key::FormConfirm) pending=toggle.pending().into() class=if deactivating { BUTTON_DANGER } else { BUTTON }/>
                                <a rel="external" href=format!("/users/{id}") class=BUTTON_SECONDARY>{t(Key::FormCancel)}</a>
                            </div>
                        </ActionForm>
                    }.into_any()
                } else {
                    let action = if deactivating { "deactivate" } else { "reactivate" };
                    view! {
                        <a rel="external" href=format!("/users/{id}?confirm={action}") class=if deactivating { BUTTON_DANGER } else { BUTTON } data-testid="toggle-active">
                            {if deactivating { t(Key::UsersDeactivate) } else { t(Key::UsersReactivate) }}
                        </a>
                    }.into_any()
                }}
            </section>
            <SignInCard id=id mfa_enabled=user.mfa_enabled/>
            </div>
        </div>
    }
}

/// Ending another person's sessions, and resetting their second factor when they have one.
#[component]
fn SignInCard(id: Uuid, mfa_enabled: bool) -> impl IntoView {
    let reset = ServerAction::<ResetUserMfa>::new();
    let end = ServerAction::<EndUserSessions>::new();
    let reset_error = go_on_success(reset.value(), move |_| format!("/users/{id}?notice=mfa_reset"));
    let end_error = go_on_success(end.value(), move |_| format!("/users/{id}?notice=user_sessions_ended"));
    view! {
        <section class=format!("{CARD} space-y-4") data-testid="user-sign-in">
            <h2 class="font-semibold">{t(Key::UsersSignInTitle)}</h2>
            <FormStatus error=end_error notice=false/>
            <ActionForm action=end attr:class="space-y-2" attr:novalidate="true">
                <input type="hidden" name="id" value=id.to_string()/>
                <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::UsersEndSessionsHint)}</p>
                <Submit label=t(Key::UsersEndSessions) pending=end.pending().into() class=BUTTON_SECONDARY/>
            </ActionForm>
            {mfa_enabled.then(|| view! {
                <FormStatus error=reset_error notice=false/>
                <ActionForm action=reset attr:class="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-800" attr:novalidate="true">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::UsersResetMfaHint)}</p>
                    <Submit label=t(Key::UsersResetMfa) pending=reset.pending().into() class=BUTTON_SECONDARY/>
                </ActionForm>
            })}
        </section>
    }
}
