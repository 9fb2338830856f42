//! The signed-in user's own profile: name, language and password.
use leptos::prelude::*;

use crate::{
    components::{
        form::{go_on_success, FormStatus, SelectField, Submit, TextField, CARD},
        guard::signed_in_page,
    },
    i18n::{t, Key, Locale},
    model::Role,
    server_fns::profile::SaveProfile,
};

#[component]
pub fn ProfilePage() -> impl IntoView {
    signed_in_page(Role::Attendant, |viewer| {
        let save = ServerAction::<SaveProfile>::new();
        let error = go_on_success(save.value(), |_| "/profile?notice=saved".into());
        let locales: Vec<(String, String)> =
            Locale::ALL.into_iter().map(|l| (l.tag().to_string(), l.label().to_string())).collect();
        let u = viewer.user;
        view! {
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::ProfileTitle)}</h1>
            <ActionForm action=save attr:class=format!("{CARD} mt-6 max-w-xl space-y-4")>
                <FormStatus error=error/>
                <TextField name="name" label=t(Key::UsersName) value=u.name.clone() error=error/>
                <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::LoginEmail)}": "{u.email.clone()}" · "{t(u.role.label_key())}</p>
                <SelectField name="locale" label=t(Key::ProfileLanguage) options=locales selected=u.locale.tag() error=error/>
                <fieldset class="space-y-4 border-t border-slate-200 pt-4 dark:border-slate-800">
                    <legend class="text-sm font-semibold">{t(Key::ProfileChangePassword)}</legend>
                    <TextField name="current_password" label=t(Key::ProfileCurrentPassword) kind="password" autocomplete="current-password" error=error/>
                    <TextField name="password" label=t(Key::ProfileNewPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
                </fieldset>
                <Submit label=t(Key::FormSave) pending=save.pending().into()/>
            </ActionForm>
        }
    })
}
