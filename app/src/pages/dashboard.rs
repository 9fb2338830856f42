//! The dashboard: the first page after sign-in. The workspace and the person's role; for
//! managers and owners the plan, its state and a first-run checklist; for everyone their
//! departments.
use leptos::prelude::*;

use crate::{
    components::{
        form::{data_version, FormStatus},
        guard::ViewerResource,
        layout::AppLayout,
    },
    i18n::{t, use_locale, Key},
    model::{DashboardDto, Role, Viewer},
    server_fns::viewer::get_dashboard,
};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <Dashboard viewer=v/> }.into_any(),
                    // The middleware sends visitors to /login before this renders; a session that
                    // ended meanwhile gets the sign-in link.
                    _ => view! { <p class="p-8"><a href="/login" class="text-indigo-700 dark:text-indigo-300">{t(Key::LoginSubmit)}</a></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Fact(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <dt class="text-sm font-medium text-slate-500 dark:text-slate-400">{label}</dt>
            <dd class="mt-1 text-lg font-semibold" data-testid=testid>{value}</dd>
        </div>
    }
}

#[component]
fn Dashboard(viewer: Viewer) -> impl IntoView {
    let locale = use_locale();
    let welcome = locale.tf(Key::DashboardWelcome, &[("name", &viewer.user.name)]);
    let role = t(viewer.user.role.label_key()).to_string();
    let status = t(viewer.subscription_status.label_key()).to_string();
    // Plan and subscription mean something to those who manage them; everyone else sees their
    // own place in the company.
    let manages = viewer.user.role >= Role::Manager;
    let content = Resource::new(data_version, |_| get_dashboard());
    let v = viewer.clone();
    view! {
        <AppLayout viewer=v>
            <FormStatus error=Signal::derive(|| None)/>
            <h1 class="mt-4 text-2xl font-bold tracking-tight" data-testid="welcome">{welcome}</h1>
            <dl class="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
                <Fact label=t(Key::DashboardCompany) value=viewer.tenant.name.clone() testid="dashboard-company"/>
                <Fact label=t(Key::DashboardYourRole) value=role testid="dashboard-role"/>
                {manages.then(|| view! {
                    <Fact label=t(Key::DashboardPlan) value=viewer.plan_name.clone() testid="dashboard-plan"/>
                    <Fact label=t(Key::DashboardStatus) value=status testid="dashboard-status"/>
                })}
            </dl>
            <Transition>
                {move || Suspend::new(async move {
                    match content.await {
                        Ok(d) => view! { <DashboardContent d=d/> }.into_any(),
                        Err(_) => ().into_any(),
                    }
                })}
            </Transition>
        </AppLayout>
    }
}

/// A step of the first-run checklist: its text, where it is done, and the label of that link.
fn step(key: &str) -> (Key, &'static str, Key) {
    match key {
        "invite" => (Key::OnboardingInvite, "/users/new", Key::OnboardingInviteAction),
        "department" => (Key::OnboardingDepartment, "/departments", Key::OnboardingDepartmentAction),
        "plan" => (Key::OnboardingPlan, "/billing", Key::OnboardingPlanAction),
        _ => (Key::OnboardingBranding, "/company", Key::OnboardingBrandingAction),
    }
}

#[component]
fn DashboardContent(d: DashboardDto) -> impl IntoView {
    let locale = use_locale();
    let done = d.checklist.iter().filter(|(_, done)| *done).count();
    let total = d.checklist.len();
    let progress = locale.tf(Key::OnboardingProgress, &[("done", &done.to_string()), ("total", &total.to_string())]);
    let trial = d.trial_days_left.map(|days| {
        let key = if days == 1 { Key::OnboardingTrialDayLeft } else { Key::OnboardingTrialDaysLeft };
        locale.tf(key, &[("days", &days.to_string())])
    });
    view! {
        {(!d.checklist.is_empty()).then(|| view! {
            <section class="mt-10 rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" aria-labelledby="onboarding" data-testid="onboarding">
                <div class="flex flex-wrap items-baseline justify-between gap-2">
                    <h2 id="onboarding" class="text-lg font-semibold">{t(Key::OnboardingTitle)}</h2>
                    <p class="text-sm text-slate-600 dark:text-slate-400" data-testid="onboarding-progress">{progress}</p>
                </div>
                {trial.clone().map(|text| view! { <p class="mt-1 text-sm font-medium text-amber-800 dark:text-amber-300" data-testid="trial-days">{text}</p> })}
                <ol class="mt-4 space-y-3">
                    {d.checklist.into_iter().map(|(key, done)| {
                        let (text, href, action) = step(&key);
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-3" data-testid=format!("step-{key}") data-done=done.to_string()>
                                <span class="flex items-center gap-3">
                                    <span aria-hidden="true" class=if done {
                                        "grid h-6 w-6 place-items-center rounded-full bg-emerald-600 text-sm text-white"
                                    } else {
                                        "grid h-6 w-6 place-items-center rounded-full border-2 border-slate-400 dark:border-slate-500"
                                    }>{if done { "✓" } else { "" }}</span>
                                    <span class=if done { "text-slate-600 line-through dark:text-slate-400" } else { "font-medium" }>{t(text)}</span>
                                    <span class="sr-only">{if done { t(Key::OnboardingDone) } else { t(Key::OnboardingTodo) }}</span>
                                </span>
                                {(!done).then(|| view! { <a href=href class="text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300">{t(action)}</a> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        })}
        <section class="mt-10" aria-labelledby="your-departments">
            <h2 id="your-departments" class="text-lg font-semibold">{t(Key::DashboardYourDepartments)}</h2>
            {if d.departments.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-400" data-testid="no-departments">{t(Key::DashboardNoDepartments)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-3 flex flex-wrap gap-2" data-testid="my-departments">
                        {d.departments.into_iter().map(|(id, name)| view! {
                            <li><a href=format!("/departments/{id}") class="inline-block rounded-full bg-indigo-50 px-3 py-1 text-sm font-medium text-indigo-800 hover:underline dark:bg-indigo-950 dark:text-indigo-200">{name}</a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p class="mt-4 text-sm"><a href="/profile" class="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{t(Key::DashboardEditProfile)}</a></p>
        </section>
    }
}
