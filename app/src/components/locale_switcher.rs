//! The language switcher: a plain form, so it works without JavaScript.
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::{t, use_locale, Key, Locale};

/// One small form per language: a plain POST that works without JavaScript, answered by a
/// redirect back to this page, now rendered in the chosen language.
#[component]
pub fn LocaleSwitcher() -> impl IntoView {
    let current = use_locale();
    let location = use_location();
    let back = move || {
        format!(
            "{}{}",
            location.pathname.get(),
            location.search.get().strip_prefix('?').map(|s| format!("?{s}")).unwrap_or_default()
        )
    };
    view! {
        <nav aria-label=t(Key::NavLanguage) class="flex items-center gap-1 text-sm">
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    let active = locale == current;
                    view! {
                        <form method="post" action="/rpc/set_locale">
                            <input type="hidden" name="locale" value=locale.tag()/>
                            <input type="hidden" name="back" value=back/>
                            <button
                                type="submit"
                                lang=locale.tag()
                                aria-pressed=active.to_string()
                                data-locale=locale.tag()
                                title=locale.label()
                                class=if active {
                                    "rounded-md px-2 py-1 font-semibold text-indigo-700 bg-indigo-50 dark:bg-indigo-950 dark:text-indigo-300"
                                } else {
                                    "rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800"
                                }
                            >
                                // The language's short code in the header; its full name for
                                // screen readers and as the button's name.
                                <span aria-hidden="true">{locale.short()}</span>
                                <span class="sr-only">{locale.label()}</span>
                            </button>
                        </form>
                    }
                })
                .collect_view()}
        </nav>
    }
}
