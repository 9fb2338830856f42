//! The app frame of signed-in pages: header, navigation by role, and the subscription and
//! unconfirmed-address banners.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::locale_switcher::LocaleSwitcher;
use crate::{
    i18n::{t, Key},
    model::{Role, Viewer},
};

const NAV_LINK: &str = "rounded-md px-3 py-2 font-medium text-slate-700 hover:bg-slate-100 \
    aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800 dark:text-slate-200 dark:hover:bg-slate-800 \
    dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-100";

/// Whether the navigation item `href` holds the page at `path` (`/users` holds `/users/42`).
fn holds(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The links a role may use; the server refuses the rest anyway.
fn nav_items(role: Role) -> Vec<(&'static str, Key)> {
    let mut items = vec![("/", Key::NavDashboard)];
    if role >= Role::Manager {
        items.push(("/users", Key::NavUsers));
    }
    if role >= Role::Supervisor {
        items.push(("/departments", Key::NavDepartments));
    }
    if role >= Role::Manager {
        items.push(("/company", Key::NavCompany));
        items.push(("/billing", Key::NavBilling));
    }
    items.push(("/profile", Key::NavProfile));
    items
}

/// The frame of every signed-in page: workspace name, navigation, language, sign-out.
#[component]
pub fn AppLayout(viewer: Viewer, children: Children) -> impl IntoView {
    let path = use_location().pathname;
    let items = nav_items(viewer.user.role);
    // "Usuários · Demo Ltda": the section the page belongs to, then the company.
    let company = viewer.tenant.name.clone();
    let title_items = items.clone();
    let title = move || {
        let path = path.get();
        match title_items.iter().find(|(href, _)| holds(href, &path)) {
            Some((_, key)) => format!("{} · {company}", t(*key)),
            None => company.clone(),
        }
    };
    view! {
        <Title text=title/>
        <a href="#main" class="sr-only rounded-md bg-white px-3 py-2 font-semibold text-indigo-800 focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 dark:bg-slate-900 dark:text-indigo-200">
            {t(Key::NavSkip)}
        </a>
        <div class="min-h-screen">
            <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
                <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-3">
                    <div class="flex items-center gap-6">
                        <a href="/" class="flex items-center gap-2 font-semibold">
                            <span class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-white">"A"</span>
                            <span data-testid="company-name">{viewer.tenant.name.clone()}</span>
                        </a>
                        <nav aria-label=t(Key::NavMain) class="flex flex-wrap gap-1 text-sm">
                            {items
                                .into_iter()
                                .map(|(href, key)| {
                                    let current = move || holds(href, &path.get()).then_some("page");
                                    view! { <a href=href class=NAV_LINK aria-current=current>{t(key)}</a> }
                                })
                                .collect_view()}
                        </nav>
                    </div>
                    <div class="flex flex-wrap items-center gap-4">
                        <LocaleSwitcher/>
                        <span class="hidden text-sm text-slate-600 sm:inline dark:text-slate-400" data-testid="user-name">
                            {viewer.user.name.clone()}
                        </span>
                        <form method="post" action="/rpc/logout">
                            <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
                                {t(Key::NavLogout)}
                            </button>
                        </form>
                    </div>
                </div>
            </header>
            {(!viewer.writable).then(|| view! {
                <div role="alert" data-testid="subscription-banner" class="border-b border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
                    <p class="mx-auto max-w-6xl px-4 py-3 text-sm">
                        {t(Key::BannerSubscriptionInactive)} " "
                        <a href="/billing" class="font-semibold underline">{t(Key::BannerGoToBilling)}</a>
                    </p>
                </div>
            })}
            {(!viewer.email_verified).then(|| view! {
                <div role="status" data-testid="unverified-banner" class="border-b border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100">
                    <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm">
                        <p>{t(Key::BannerUnverified)}</p>
                        {(viewer.user.role == Role::Owner).then(|| view! {
                            <form method="post" action="/rpc/resend_verification">
                                <button type="submit" data-testid="resend-verification" class="rounded-md border border-sky-400 px-3 py-1.5 font-semibold hover:bg-sky-100 dark:border-sky-700 dark:hover:bg-sky-900">
                                    {t(Key::BannerResend)}
                                </button>
                            </form>
                        })}
                    </div>
                </div>
            })}
            <main id="main" tabindex="-1" class="mx-auto max-w-6xl px-4 py-8">{children()}</main>
        </div>
    }
}

/// The frame of the pages a visitor opens from a link (an invitation, the local checkout): the
/// language switcher above a narrow column.
#[component]
pub fn VisitorLayout(children: Children) -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col">
            <div class="flex justify-end p-4"><LocaleSwitcher/></div>
            <main class="mx-auto w-full max-w-md px-4 pt-8">{children()}</main>
        </div>
    }
}
