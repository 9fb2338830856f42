//! Pages for signed-in users: the viewer resource every page shares, and the role gate.
use leptos::prelude::*;

use super::layout::AppLayout;
use crate::{
    error::AppError,
    i18n::{t, Key},
    model::{Role, Viewer},
};

/// The signed-in user, loaded once per page load (by the root component) and serialised into the
/// page for hydration.
pub type ViewerResource = Resource<Result<Option<Viewer>, AppError>>;

/// A signed-in page for `minimum` role and above, inside the app frame. Below that role it shows
/// (and answers, with status 403) that the page is not for them; the server enforces the same rule
/// on every action behind the page.
pub fn signed_in_page<V: IntoView + 'static>(
    minimum: Role,
    page: impl Fn(Viewer) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    view! {
        <Transition>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) if v.user.role >= minimum => {
                            let frame = v.clone();
                            view! { <AppLayout viewer=frame>{page(v)}</AppLayout> }.into_any()
                        }
                        Ok(Some(v)) => {
                            #[cfg(feature = "ssr")]
                            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                                res.set_status(axum::http::StatusCode::FORBIDDEN);
                            }
                            view! {
                                <AppLayout viewer=v>
                                    <div class="mx-auto max-w-md py-16 text-center" data-testid="forbidden">
                                        <h1 class="text-2xl font-semibold">{t(Key::ErrorForbiddenTitle)}</h1>
                                        <p class="mt-2 text-slate-600 dark:text-slate-400">{t(Key::ErrorForbidden)}</p>
                                        <a href="/" class="mt-6 inline-block font-medium text-indigo-700 dark:text-indigo-300 hover:underline">{t(Key::ErrorBackHome)}</a>
                                    </div>
                                </AppLayout>
                            }.into_any()
                        }
                        _ => view! { <p class="p-8"><a href="/login" class="text-indigo-700 dark:text-indigo-300">{t(Key::LoginSubmit)}</a></p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
