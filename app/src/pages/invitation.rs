//! The invitation page: an invited user chooses a password and is signed in.
use leptos::prelude::*;

use crate::{
    components::{
        form::{follow, FormStatus, Submit, TextField, CARD},
        layout::VisitorLayout,
    },
    i18n::{t, Key},
    server_fns::users::AcceptInvitation,
};

#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = super::path_param("token");
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = follow(accept.value());
    view! {
        <VisitorLayout>
                <h1 class="text-2xl font-bold tracking-tight">{t(Key::InvitationTitle)}</h1>
                <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">{t(Key::InvitationBody)}</p>
                <ActionForm action=accept attr:class=format!("{CARD} mt-6 space-y-4")>
                    <FormStatus error=error/>
                    <input type="hidden" name="token" value=token/>
                    <TextField name="password" label=t(Key::ProfileNewPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
                    <Submit label=t(Key::InvitationSubmit) pending=accept.pending().into()/>
                </ActionForm>
        </VisitorLayout>
    }
}
