//! Departments: list with search and a create form; a detail page with its members.
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::{
    components::{
        form::{
            data_version, error_key, form_error, go_on_success, use_finish, Checkbox, FormStatus, Submit, TextField,
            BUTTON_DANGER, BUTTON_SECONDARY, CARD, INPUT,
        },
        guard::signed_in_page,
        layout::Breadcrumbs,
    },
    i18n::{t, use_locale, Key},
    model::{CandidateDto, DepartmentDto, Role, UserDto},
    server_fns::departments::{
        department_page, list_departments, removed_target, AddDepartmentMember, DeleteDepartment,
        RemoveDepartmentMember, SaveDepartment,
    },
};

#[component]
pub fn DepartmentsPage() -> impl IntoView {
    signed_in_page(Role::Supervisor, |_| view! { <DepartmentsList/> })
}

#[component]
fn DepartmentsList() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.with(|q| q.get("search")).unwrap_or_default();
    let departments = Resource::new(
        move || (search(), data_version()),
        |(s, _)| {
            let params = if s.is_empty() {
                vec![("page_size".into(), "100".into())]
            } else {
                vec![("search".into(), s), ("page_size".into(), "100".into())]
            };
            list_departments(params)
        },
    );
    let save = ServerAction::<SaveDepartment>::new();
    let error = go_on_success(save.value(), |d| format!("/departments/{}?notice=created", d.id));
    view! {
        <h1 class="text-2xl font-bold tracking-tight">{t(Key::DepartmentsTitle)}</h1>
        <div class="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
            <div>
                <form method="get" action="/departments" role="search" class="flex gap-3">
                    <input type="search" name="search" value=search() placeholder=t(Key::UsersSearch) aria-label=t(Key::UsersSearch) class=INPUT/>
                    <button type="submit" class=BUTTON_SECONDARY>{t(Key::UsersFilter)}</button>
                </form>
                <Transition>
                    {move || Suspend::new(async move {
                        match departments.await {
                            Err(err) => view! { <p class="mt-4 text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                            Ok(page) if page.data.is_empty() => view! { <p class="mt-6 text-slate-600 dark:text-slate-400">{t(Key::DepartmentsNone)}</p> }.into_any(),
                            Ok(page) => view! {
                                <ul class="mt-4 divide-y divide-slate-100 rounded-2xl border border-slate-200 bg-white shadow-sm dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" data-testid="departments-list">
                                    {page.data.into_iter().map(|d| view! { <DepartmentItem department=d/> }).collect_view()}
                                </ul>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
            <ActionForm action=save attr:class=format!("{CARD} space-y-4 self-start") attr:novalidate="true">
                <h2 class="font-semibold">{t(Key::DepartmentsNew)}</h2>
                <FormStatus error=error/>
                <TextField name="name" label=t(Key::UsersName) error=error/>
                <TextField name="description" label=t(Key::DepartmentsDescription) error=error/>
                <input type="hidden" name="active" value="on"/>
                <Submit label=t(Key::DepartmentsCreate) pending=save.pending().into()/>
            </ActionForm>
        </div>
    }
}

#[component]
fn DepartmentItem(department: DepartmentDto) -> impl IntoView {
    let count_key =
        if department.user_count == 1 { Key::DepartmentsMembersCountOne } else { Key::DepartmentsMembersCount };
    let members = use_locale().tf(count_key, &[("count", &department.user_count.to_string())]);
    view! {
        <li class="flex items-center justify-between px-4 py-3">
            <div>
                <a href=format!("/departments/{}", department.id) class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{department.name}</a>
                <p class="text-xs text-slate-600 dark:text-slate-400"><code>{department.identifier}</code></p>
            </div>
            <div class="text-right text-sm text-slate-600 dark:text-slate-400">
                <p>{members}</p>
                {(!department.active).then(|| view! { <p class="text-xs">{t(Key::UsersInactive)}</p> })}
            </div>
        </li>
    }
}

#[component]
pub fn DepartmentPage() -> impl IntoView {
    signed_in_page(Role::Supervisor, |_| {
        let params = use_params_map();
        let query = use_query_map();
        let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<Uuid>().ok());
        let search = move || query.with(|q| q.get("member_search")).unwrap_or_default();
        // The department, its members and the people the picker offers, in one resource: a
        // second Suspense nested in this one did not hydrate ("expected a marker node").
        let department = Resource::new(
            move || (id(), search(), data_version()),
            |(id, search, _)| async move {
                let Some(id) = id else { return Err(crate::error::AppError::NotFound) };
                department_page(id, search).await
            },
        );
        view! {
            <Transition>
                {move || Suspend::new(async move {
                    match department.await {
                        Err(err) => view! { <p class="text-red-700 dark:text-red-300" role="alert" data-testid="form-error">{error_key(&err).map(t)}</p> }.into_any(),
                        Ok((d, members, candidates)) => {
                            view! { <DepartmentDetail department=d members=members candidates=candidates/> }.into_any()
                        }
                    }
                })}
            </Transition>
        }
    })
}

#[component]
fn DepartmentDetail(department: DepartmentDto, members: Vec<UserDto>, candidates: Vec<CandidateDto>) -> impl IntoView {
    let save = ServerAction::<SaveDepartment>::new();
    let add = ServerAction::<AddDepartmentMember>::new();
    let remove = ServerAction::<RemoveDepartmentMember>::new();
    let delete = ServerAction::<DeleteDepartment>::new();
    let error = form_error(save.value());
    let delete_error = go_on_success(delete.value(), |()| "/departments?notice=department_deleted".to_string());
    let member_error = Signal::derive(move || match (add.value().get(), remove.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
        _ => None,
    });
    let id = department.id;
    let finish = use_finish();
    Effect::new(move |_| {
        if let Some(Ok(d)) = save.value().get() {
            finish(format!("/departments/{}?notice=saved", d.id));
        }
        if let Some(Ok(d)) = add.value().get() {
            finish(format!("/departments/{}?notice=member_added", d.id));
        }
        if let Some(Ok(user)) = remove.value().get() {
            finish(removed_target(id, user));
        }
    });
    let query = use_query_map();
    // `?delete`: the page asks before the department goes (a link there, no JavaScript needed).
    let asking_delete = query.with_untracked(|q| q.get("delete")).is_some();
    // After a removal, the way back: add the same person again.
    let undo = query
        .with_untracked(|q| q.get("undo"))
        .and_then(|u| u.parse::<Uuid>().ok())
        .filter(|u| !members.iter().any(|m| m.id == *u));
    let picker_search = query.with_untracked(|q| q.get("member_search")).unwrap_or_default();
    let member_ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
    let people: Vec<CandidateDto> = candidates.into_iter().filter(|u| !member_ids.contains(&u.id)).collect();
    let opt = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
    let title = department.name.clone();
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4">
            <Breadcrumbs section="/departments" label=t(Key::DepartmentsBack)>
                <h1 class="text-2xl font-bold tracking-tight" data-testid="department-title">{title}</h1>
            </Breadcrumbs>
        </div>
        <div class="mt-6 grid gap-6 lg:grid-cols-2">
            <ActionForm action=save attr:class=format!("{CARD} space-y-4") attr:novalidate="true">
                <FormStatus error=error/>
                <input type="hidden" name="id" value=id.to_string()/>
                <TextField name="name" label=t(Key::UsersName) value=department.name.clone() error=error/>
                <TextField name="identifier" label=t(Key::DepartmentsIdentifier) value=department.identifier.clone() error=error/>
                <TextField name="description" label=t(Key::DepartmentsDescription) value=department.description.clone().unwrap_or_default() error=error/>
                <div class="grid gap-4 sm:grid-cols-2">
                    <TextField name="max_queue_size" label=t(Key::DepartmentsMaxQueue) kind="number" value=opt(department.max_queue_size) error=error/>
                    <TextField name="max_wait_time" label=t(Key::DepartmentsMaxWait) kind="number" value=opt(department.max_wait_time) error=error/>
                </div>
                <Checkbox name="active" label=t(Key::UsersActive) checked=department.active/>
                <Submit label=t(Key::FormSave) pending=save.pending().into()/>
            </ActionForm>
            <section class=format!("{CARD} space-y-4")>
                <h2 class="font-semibold">{t(Key::DepartmentsMembers)}</h2>
                {move || member_error.get().and_then(|e| error_key(&e)).map(|k| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-300">{t(k)}</p> })}
                {undo.map(|user| view! {
                    <ActionForm action=add attr:class="flex items-center justify-between gap-3 rounded-lg bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800" attr:data-testid="undo-remove" attr:novalidate="true">
                        <span>{t(Key::NoticeMemberRemoved)}</span>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="user_id" value=user.to_string()/>
                        <button type="submit" class="font-semibold text-indigo-700 hover:underline dark:text-indigo-300">{t(Key::DepartmentsUndo)}</button>
                    </ActionForm>
                })}
                {members.is_empty().then(|| view! {
                    <p class="text-sm text-slate-600 dark:text-slate-400" data-testid="members-empty">{t(Key::DepartmentsNoMembers)}</p>
                })}
                <ul class="divide-y divide-slate-100 dark:divide-slate-800" data-testid="members">
                    {members.into_iter().map(|m| view! {
                        <li class="flex items-center justify-between py-2">
                            <span>{m.name}" "<span class="text-xs text-slate-600 dark:text-slate-400">{m.email}</span></span>
                            <ActionForm action=remove attr:novalidate="true">
                                <input type="hidden" name="id" value=id.to_string()/>
                                <input type="hidden" name="user_id" value=m.id.to_string()/>
                                <button type="submit" class="text-sm text-red-700 hover:underline dark:text-red-300">{t(Key::DepartmentsRemoveMember)}</button>
                            </ActionForm>
                        </li>
                    }).collect_view()}
                </ul>
                <form method="get" action=format!("/departments/{id}") class="flex gap-2" role="search">
                    <input type="search" name="member_search" value=picker_search placeholder=t(Key::DepartmentsFindPeople) aria-label=t(Key::DepartmentsFindPeople) class=INPUT/>
                    <button type="submit" class=BUTTON_SECONDARY>{t(Key::UsersFilter)}</button>
                </form>
                <ActionForm action=add attr:class="flex gap-2" attr:novalidate="true">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <select name="user_id" aria-label=t(Key::DepartmentsAddMember) class=INPUT>
                        {people.into_iter().map(|u| view! { <option value=u.id.to_string()>{candidate_label(&u)}</option> }).collect_view()}
                    </select>
                    <Submit label=t(Key::DepartmentsAddMember) pending=add.pending().into()/>
                </ActionForm>
            </section>
        </div>
        <section class="mt-6 rounded-2xl border border-red-200 p-6 dark:border-red-900" aria-labelledby="delete-department">
            <h2 id="delete-department" class="font-semibold">{t(Key::DepartmentsDelete)}</h2>
            {if asking_delete {
                view! {
                    <ActionForm action=delete attr:class="mt-3 space-y-3" attr:data-testid="confirm-delete-department" attr:novalidate="true">
                        <FormStatus error=delete_error notice=false/>
                        <p class="text-sm">{t(Key::DepartmentsDeleteConfirm)}</p>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <div class="flex gap-3">
                            <Submit label=t(Key::DepartmentsDelete) pending=delete.pending().into() class=BUTTON_DANGER/>
                            <a rel="external" href=format!("/departments/{id}") class=BUTTON_SECONDARY>{t(Key::FormCancel)}</a>
                        </div>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <a rel="external" href=format!("/departments/{id}?delete") class=format!("{BUTTON_SECONDARY} mt-3") data-testid="delete-department">{t(Key::DepartmentsDelete)}</a>
                }.into_any()
            }}
        </section>
    }
}

/// "Name <email>" for managers; "Name (Sales, Support)" where the email is not shown.
fn candidate_label(person: &CandidateDto) -> String {
    match (&person.email, person.departments.is_empty()) {
        (Some(email), _) => format!("{} <{}>", person.name, email),
        (None, true) => person.name.clone(),
        (None, false) => format!("{} ({})", person.name, person.departments.join(", ")),
    }
}
