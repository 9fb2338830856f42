//! The invitation page: says which company and who invited, and whether the link still works,
//! before an invited user chooses a password and is signed in.
use leptos::prelude::*;

use crate::{
    components::{
        form::{follow, FormStatus, Submit, TextField, CARD},
        layout::VisitorLayout,
    },
    i18n::{t, use_locale, Key},
    model::{InvitationPreviewDto, InvitationState},
    server_fns::users::{invitation_preview, AcceptInvitation},
    url::urlencode,
};

#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = super::path_param("token");
    let preview = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        invitation_preview,
    );
    view! {
        <VisitorLayout>
            <h1 class="text-2xl font-bold tracking-tight">{t(Key::InvitationTitle)}</h1>
            <Suspense>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        let preview = preview.await.unwrap_or_default();
                        match preview.state {
                            InvitationState::Valid => view! { <AcceptForm preview=preview token=token/> }.into_any(),
                            state => view! { <Unusable preview=preview state=state/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </VisitorLayout>
    }
}

#[component]
fn AcceptForm(preview: InvitationPreviewDto, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = follow(accept.value());
    let company = preview.company.unwrap_or_default();
    let from = match preview.invited_by {
        Some(inviter) => use_locale().tf(Key::InvitationFrom, &[("inviter", &inviter), ("company", &company)]),
        None => use_locale().tf(Key::InvitationToCompany, &[("company", &company)]),
    };
    view! {
        <p class="mt-2 text-slate-700 dark:text-slate-300" data-testid="invitation-from">{from}</p>
        <ActionForm action=accept attr:class=format!("{CARD} mt-6 space-y-4") attr:novalidate="true">
            <FormStatus error=error/>
            <div>
                <p class="text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::InvitationYourEmail)}</p>
                <p class="mt-1 font-medium" data-testid="invitation-email">{preview.email.unwrap_or_default()}</p>
            </div>
            <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::InvitationBody)}</p>
            <input type="hidden" name="token" value=token/>
            <TextField name="password" label=t(Key::ProfileNewPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
            <Submit label=t(Key::InvitationSubmit) pending=accept.pending().into()/>
        </ActionForm>
    }
}

/// A used, expired or unknown link: said at once, with the way on, and no password asked for.
#[component]
fn Unusable(preview: InvitationPreviewDto, state: InvitationState) -> impl IntoView {
    let message = match state {
        InvitationState::Used => Key::InvitationUsed,
        InvitationState::Expired => Key::InvitationExpired,
        _ => Key::InvitationInvalid,
    };
    let login = match &preview.workspace {
        Some(slug) => format!("/login?tenant={}", urlencode(slug)),
        None => "/login".to_string(),
    };
    view! {
        <div role="alert" data-testid="invitation-unusable" class=format!("{CARD} mt-6 space-y-4")>
            {preview.company.map(|company| view! { <p class="font-semibold">{company}</p> })}
            <p>{t(message)}</p>
            <a href=login class="inline-block font-medium text-indigo-700 hover:underline dark:text-indigo-300">{t(Key::InvitationGoSignIn)}</a>
        </div>
    }
}
