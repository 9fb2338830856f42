//! The HTML shell, the root component and the routes.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    components::{
        form::{DataVersion, Flash, PageFlash, RecentNotice},
        guard::ViewerResource,
    },
    i18n::{t, Key, Locale},
    pages::{
        api_keys::ApiKeysPage,
        billing::BillingPage,
        checkout::LocalCheckoutPage,
        company::CompanyPage,
        dashboard::DashboardPage,
        departments::{DepartmentPage, DepartmentsPage},
        invitation::InvitationPage,
        login::LoginPage,
        mfa::{MfaSetupPage, RecoveryCodesPage},
        not_found::NotFound,
        profile::ProfilePage,
        recovery::{ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage},
        signup::SignupPage,
        users::{UserEditPage, UserNewPage, UsersPage},
        webhooks::WebhooksPage,
    },
    server_fns::viewer::get_viewer,
};

/// The page language. On the server the tenant middleware decided it for this request; in the
/// browser it is read back from `<html lang>`, so hydration renders the same text.
fn page_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::server::web::auth::RequestLocale>().map(|l| l.0))
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|lang| Locale::parse(&lang))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    Locale::default()
}

/// What the last form post left for this page load, taken from the session by the tenant
/// middleware (`server::web::flash`).
fn page_flash() -> Option<Flash> {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<Flash>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    None
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = page_locale();
    #[cfg(feature = "ssr")]
    crate::server::web::headers::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <leptos_meta::MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(page_locale());
    // Before any resource: shared values are matched between server and browser by their order.
    provide_context(PageFlash(SharedValue::new(page_flash).into_inner()));
    provide_context(RecentNotice(RwSignal::new(None)));
    provide_context(DataVersion(RwSignal::new(0)));
    let viewer: ViewerResource = Resource::new_blocking(|| (), |_| get_viewer());
    provide_context(viewer);

    // Lets browser tests (and people) see that the page is interactive.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title text=t(Key::AppName)/>
        // Whole pages, not out-of-order streams: they must work without JavaScript, and a page's
        // status (403, 404) is known before the first byte is sent.
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async/>
                <Route path=path!("/users/new") view=UserNewPage ssr=SsrMode::Async/>
                <Route path=path!("/users/:id") view=UserEditPage ssr=SsrMode::Async/>
                <Route path=path!("/departments") view=DepartmentsPage ssr=SsrMode::Async/>
                <Route path=path!("/departments/:id") view=DepartmentPage ssr=SsrMode::Async/>
                <Route path=path!("/company") view=CompanyPage ssr=SsrMode::Async/>
                <Route path=path!("/company/api-keys") view=ApiKeysPage ssr=SsrMode::Async/>
                <Route path=path!("/company/webhooks") view=WebhooksPage ssr=SsrMode::Async/>
                <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async/>
                <Route path=path!("/profile/mfa") view=MfaSetupPage ssr=SsrMode::Async/>
                <Route path=path!("/profile/mfa/codes") view=RecoveryCodesPage ssr=SsrMode::Async/>
                <Route path=path!("/invitation/:token") view=InvitationPage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                <Route path=path!("/billing") view=BillingPage ssr=SsrMode::Async/>
                <Route path=path!("/checkout/local/:reference") view=LocalCheckoutPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
