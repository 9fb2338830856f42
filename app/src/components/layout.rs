//! The app frame of signed-in pages: header, navigation by role, and the subscription and
//! unconfirmed-address banners.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::{form::RecentNotice, locale_switcher::LocaleSwitcher};
use crate::{
    i18n::{t, Key},
    model::{Role, Viewer},
};

const NAV_LINK: &str = "rounded-md px-3 py-2 font-medium text-slate-700 hover:bg-slate-100 \
    aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800 dark:text-slate-200 dark:hover:bg-slate-800 \
    dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-100";

/// The header's menu: closed on phones until its button is pressed; from `lg` its content shows
/// whether it is open or not.
const MENU: &str = "ml-auto lg:ml-0 lg:flex-1 lg:[&::details-content]:[content-visibility:visible] \
    lg:[&::details-content]:block";

/// Initials for an avatar: "Olivia Owner" → "OO".
pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

/// The account menu: who is signed in (name, email, role) and their profile.
#[component]
fn AccountMenu(viewer: Viewer) -> impl IntoView {
    let user = viewer.user;
    view! {
        <details class="relative" data-testid="account-menu">
            <summary class="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800 [&::-webkit-details-marker]:hidden" aria-label=t(Key::NavAccount)>
                <span aria-hidden="true" class="grid h-7 w-7 place-items-center rounded-full bg-slate-200 text-xs font-semibold text-slate-800 dark:bg-slate-700 dark:text-slate-100">{initials(&user.name)}</span>
                <span class="max-w-[9rem] truncate text-slate-700 dark:text-slate-200" data-testid="user-name">{user.name.clone()}</span>
            </summary>
            <div class="mt-2 w-64 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-lg lg:absolute lg:right-0 lg:z-50 dark:border-slate-700 dark:bg-slate-900">
                <p class="font-semibold">{user.name.clone()}</p>
                <p class="truncate text-slate-600 dark:text-slate-400" data-testid="account-email">{user.email.clone()}</p>
                <p class="mt-1 text-slate-600 dark:text-slate-400" data-testid="account-role">{t(user.role.label_key())}</p>
                <a href="/profile" class="mt-3 block font-medium text-indigo-700 hover:underline dark:text-indigo-300">{t(Key::NavProfile)}</a>
                // Another workspace is another sign-in; this one stays until that succeeds.
                <a href="/login" rel="external" class="mt-2 block font-medium text-indigo-700 hover:underline dark:text-indigo-300" data-testid="switch-workspace">{t(Key::NavSwitchWorkspace)}</a>
            </div>
        </details>
    }
}

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
    // A toast made for one page does not come back when that page is visited again later.
    if let Some(recent) = use_context::<RecentNotice>() {
        Effect::new(move |_| {
            let path = path.get();
            if recent.0.with_untracked(|r| r.as_ref().is_some_and(|(p, _)| *p != path)) {
                recent.0.set(None);
            }
        });
    }
    let brand_color = viewer.brand_color.clone();
    Effect::new(move |_| super::brand::apply(brand_color.as_deref()));
    let items = nav_items(viewer.user.role);
    // "Usuários · Demo Ltda": the section the page belongs to, then the company.
    let company = viewer.tenant.name.clone();
    let title_items = items.clone();
    // The server reads the title after the page has rendered, when the router's location may
    // already be disposed (pages rendered side by side made that a panic): then this page's path.
    let rendered_path = path.get_untracked();
    let title = move || {
        let path = path.try_get().unwrap_or_else(|| rendered_path.clone());
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
            <header class="relative border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
                <div class="mx-auto flex max-w-6xl items-center gap-4 px-4 py-3">
                    <a href="/" class="flex min-w-0 shrink-0 items-center gap-2 font-semibold">
                        <span aria-hidden="true" class="grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-(--brand) text-white" data-testid="brand-tile">"A"</span>
                        <span class="max-w-[10rem] truncate xl:max-w-[14rem]" title=viewer.tenant.name.clone() data-testid="company-name">{viewer.tenant.name.clone()}</span>
                    </a>
                    // One menu for every width: on phones a button opens it under the header; from
                    // `lg` its content is always shown in the header row (`::details-content`),
                    // so there is one copy of each link and button, and no JavaScript is needed.
                    <details class=MENU data-testid="menu">
                        <summary class="flex cursor-pointer list-none items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 lg:hidden dark:border-slate-700 dark:hover:bg-slate-800 [&::-webkit-details-marker]:hidden" data-testid="menu-button">
                            // A glyph, not an image: pages keep their own SVGs (a QR code) first.
                            <span aria-hidden="true" class="text-base leading-none">"☰"</span>
                            {t(Key::NavMenu)}
                        </summary>
                        <div class="absolute inset-x-0 top-full z-40 space-y-4 border-b border-slate-200 bg-white p-4 shadow-lg lg:static lg:flex lg:items-center lg:justify-between lg:gap-4 lg:space-y-0 lg:border-0 lg:bg-transparent lg:p-0 lg:shadow-none dark:border-slate-800 dark:bg-slate-900 lg:dark:bg-transparent">
                            <nav aria-label=t(Key::NavMain) class="flex flex-col gap-1 text-sm lg:flex-row">
                                {items
                                    .into_iter()
                                    .map(|(href, key)| {
                                        let current = move || holds(href, &path.get()).then_some("page");
                                        view! { <a href=href class=NAV_LINK aria-current=current>{t(key)}</a> }
                                    })
                                    .collect_view()}
                            </nav>
                            <div class="flex flex-wrap items-center gap-3 lg:flex-nowrap">
                                <LocaleSwitcher/>
                                <AccountMenu viewer=viewer.clone()/>
                                <form method="post" action="/rpc/logout">
                                    <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium whitespace-nowrap hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
                                        {t(Key::NavLogout)}
                                    </button>
                                </form>
                            </div>
                        </div>
                    </details>
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

/// Where a detail page sits: its section (a link), then the page's own heading, given as the
/// children, so the page's name is written once.
#[component]
pub fn Breadcrumbs(section: &'static str, label: &'static str, children: Children) -> impl IntoView {
    view! {
        <nav aria-label=t(Key::NavBreadcrumb) data-testid="breadcrumbs">
            <ol class="flex flex-wrap items-center gap-x-2">
                <li class="text-sm text-slate-600 dark:text-slate-400">
                    <a href=section class="hover:underline">{label}</a>
                    <span aria-hidden="true" class="ml-2">"›"</span>
                </li>
                <li aria-current="page" class="min-w-0">{children()}</li>
            </ol>
        </nav>
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
