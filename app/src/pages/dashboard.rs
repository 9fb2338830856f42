//! The dashboard: the first page after sign-in, with the workspace, plan and role at a glance.
use leptos::prelude::*;

use crate::{
    components::{form::FormStatus, guard::ViewerResource, layout::AppLayout},
    i18n::{t, use_locale, Key},
    model::Viewer,
};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <Dashboard viewer=v/> }.into_any(),
                    // The middleware sends visitors to /login before this renders; a session that
                    // ended meanwhile gets the sign-in link.
                    _ => view! { <p class="p-8"><a href="/login" class="text-indigo-600">{t(Key::LoginSubmit)}</a></p> }.into_any(),
                }
            })}
        </Suspense>
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
    let v = viewer.clone();
    view! {
        <AppLayout viewer=v>
            <FormStatus error=Signal::derive(|| None)/>
            <h1 class="mt-4 text-2xl font-bold tracking-tight" data-testid="welcome">{welcome}</h1>
            <dl class="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
                <Fact label=t(Key::DashboardCompany) value=viewer.tenant.name.clone() testid="dashboard-company"/>
                <Fact label=t(Key::DashboardYourRole) value=role testid="dashboard-role"/>
                <Fact label=t(Key::DashboardPlan) value=viewer.plan_name.clone() testid="dashboard-plan"/>
                <Fact label=t(Key::DashboardStatus) value=status testid="dashboard-status"/>
            </dl>
            <section class="mt-10">
                <h2 class="text-lg font-semibold">{t(Key::DashboardNext)}</h2>
                <ul class="mt-3 space-y-2 text-sm text-slate-700 dark:text-slate-300">
                    <li>
                        <span class="font-medium">{t(Key::DashboardWorkspace)}": "</span>
                        <code class="rounded bg-slate-100 px-1.5 py-0.5 dark:bg-slate-800">{viewer.tenant.slug.clone()}</code>
                    </li>
                    <li>{t(Key::DashboardApiHint)}</li>
                    {(viewer.user.role >= crate::model::Role::Manager).then(|| view! {
                        <li><a href="/billing" class="text-indigo-600 hover:underline">{t(Key::DashboardLinkBilling)}</a></li>
                    })}
                    <li>
                        <a href="/api/v1/users/me" class="text-indigo-600 hover:underline" rel="external">
                            {t(Key::DashboardLinkProfileApi)}
                        </a>
                    </li>
                </ul>
            </section>
        </AppLayout>
    }
}
