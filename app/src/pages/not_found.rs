//! The 404 page, answered with status 404.
use leptos::prelude::*;

use crate::i18n::{t, Key};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="mx-auto max-w-md px-4 py-24 text-center">
            <h1 class="text-2xl font-semibold">{t(Key::ErrorNotFoundTitle)}</h1>
            <p class="mt-2 text-slate-600 dark:text-slate-400">{t(Key::ErrorNotFoundBody)}</p>
            <a href="/" class="mt-6 inline-block font-medium text-indigo-600 hover:underline">{t(Key::ErrorBackHome)}</a>
        </main>
    }
}
