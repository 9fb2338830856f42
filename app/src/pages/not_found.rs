//! The 404 page, answered with status 404: inside the app frame for a signed-in person, so the
//! navigation is still there; plain for a visitor.
use leptos::prelude::*;

use crate::components::{guard::ViewerResource, layout::AppLayout};
use crate::i18n::{t, Key};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let viewer = expect_context::<ViewerResource>();
    let body = || {
        view! {
            <div class="mx-auto max-w-md px-4 py-16 text-center" data-testid="not-found">
                <h1 class="text-2xl font-semibold">{t(Key::ErrorNotFoundTitle)}</h1>
                <p class="mt-2 text-slate-600 dark:text-slate-400">{t(Key::ErrorNotFoundBody)}</p>
                <a href="/" class="mt-6 inline-block font-medium text-indigo-700 dark:text-indigo-300 hover:underline">{t(Key::ErrorBackHome)}</a>
            </div>
        }
    };
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <AppLayout viewer=v>{body()}</AppLayout> }.into_any(),
                    _ => view! { <main id="main">{body()}</main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
