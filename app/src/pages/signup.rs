//! `/signup`: company, admin and plan steps, then the checkout. Every step is a plain form that
//! works without JavaScript (the server validates and keeps the inputs in the session); with
//! JavaScript the document is formatted and checked as it is typed.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{
        form::{error_key, follow, FormStatus, Submit, TextField, BUTTON_SECONDARY, CARD, INPUT},
        locale_switcher::LocaleSwitcher,
    },
    document::{format_partial, Document, DocumentError, DocumentType},
    i18n::{t, Key},
    model::{format_brl, PlanDto, SignupView},
    server_fns::signup::{get_signup, SignupAdmin, SignupCompany, SignupPlan},
};

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = use_query_map();
    let step = query.with_untracked(|q| q.get("step"));
    let signup = Resource::new(move || step.clone(), get_signup);
    view! {
        <div class="flex min-h-screen flex-col">
            <div class="flex items-center justify-between p-4">
                <a href="/login" class="text-sm font-medium text-indigo-700 dark:text-indigo-300 hover:underline">{t(Key::SignupHaveAccount)}</a>
                <LocaleSwitcher/>
            </div>
            <main class="mx-auto w-full max-w-2xl px-4 pb-16 pt-4">
                <h1 class="text-3xl font-bold tracking-tight">{t(Key::SignupTitle)}</h1>
                <p class="mt-2 text-slate-600 dark:text-slate-400">{t(Key::SignupSubtitle)}</p>
                <Suspense>
                    {move || Suspend::new(async move {
                        match signup.await {
                            Ok(view) => view! { <Steps view=view/> }.into_any(),
                            Err(err) => view! { <p class="mt-6 text-red-700 dark:text-red-300" role="alert">{error_key(&err).map(t)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn Steps(view: SignupView) -> impl IntoView {
    let current = view.step.clone();
    let steps = [("company", Key::SignupStepCompany), ("admin", Key::SignupStepAdmin), ("plan", Key::SignupStepPlan)];
    let done = move |s: &str| match s {
        "company" => view.company_done,
        "admin" => view.admin_done,
        _ => false,
    };
    let progress = steps
        .into_iter()
        .enumerate()
        .map(|(i, (id, key))| {
            let here = id == current;
            let class = if here {
                "font-semibold text-indigo-700 dark:text-indigo-300"
            } else if done(id) {
                "text-slate-700 dark:text-slate-300"
            } else {
                "text-slate-600 dark:text-slate-400"
            };
            let label = format!("{}. {}", i + 1, t(key));
            let link = (done(id) && !here).then(|| format!("/signup?step={id}"));
            view! {
                <li class=class aria-current=here.then_some("step")>
                    {match link {
                        Some(href) => view! { <a href=href class="hover:underline">{label}</a> }.into_any(),
                        None => view! { <span>{label}</span> }.into_any(),
                    }}
                </li>
            }
        })
        .collect_view();
    let body = match view.step.as_str() {
        "admin" => view! { <AdminStep view=view.clone()/> }.into_any(),
        "plan" => view! { <PlanStep view=view.clone()/> }.into_any(),
        _ => view! { <CompanyStep view=view.clone()/> }.into_any(),
    };
    view! {
        <ol class="mt-6 flex flex-wrap gap-6 text-sm" data-testid="signup-steps">{progress}</ol>
        <div class="mt-6">{body}</div>
    }
}

fn document_problem_key(err: DocumentError) -> Key {
    match err {
        DocumentError::Empty => Key::FieldRequired,
        DocumentError::WrongLength => Key::DocumentWrongLength,
        DocumentError::InvalidCharacter => Key::DocumentInvalidCharacter,
        DocumentError::RepeatedDigits => Key::DocumentRepeated,
        DocumentError::CheckDigits => Key::DocumentCheckDigits,
    }
}

#[component]
fn CompanyStep(view: SignupView) -> impl IntoView {
    let action = ServerAction::<SignupCompany>::new();
    let error = follow(action.value());
    let kind = RwSignal::new(DocumentType::parse(&view.document_type).unwrap_or(DocumentType::Cnpj));
    let document = RwSignal::new(view.document.clone());
    // Typed-as-you-go check: silent while incomplete, then valid or the reason.
    let live = move || {
        let value = document.get();
        let kind = kind.get();
        let typed = value.chars().filter(char::is_ascii_alphanumeric).count();
        let full = match kind {
            DocumentType::Cpf => 11,
            DocumentType::Cnpj => 14,
        };
        if value.is_empty() {
            return None;
        }
        match Document::parse(kind, &value) {
            Ok(_) => Some(Ok(())),
            Err(DocumentError::WrongLength) if typed < full => None,
            Err(e) => Some(Err(document_problem_key(e))),
        }
    };
    let server_message = crate::components::form::field_error(error, "document");
    view! {
        <ActionForm action=action attr:class=format!("{CARD} space-y-4") attr:data-testid="signup-company" attr:novalidate="true">
            <FormStatus error=error/>
            <TextField name="company_name" label=t(Key::SignupCompanyName) value=view.company_name.clone() autocomplete="organization" error=error/>
            <div>
                <span class="block text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::SignupDocumentType)}</span>
                <div class="mt-1 flex gap-4 text-sm">
                    {[(DocumentType::Cnpj, "CNPJ"), (DocumentType::Cpf, "CPF")].into_iter().map(|(k, label)| view! {
                        <label class="flex items-center gap-2">
                            <input type="radio" name="document_type" value=k.as_str() checked=move || kind.get() == k
                                on:change=move |_| {
                                    kind.set(k);
                                    document.update(|d| *d = format_partial(k, d));
                                }/>
                            {label}
                        </label>
                    }).collect_view()}
                </div>
            </div>
            <div>
                <label for="field-document" class="block text-sm font-medium text-slate-700 dark:text-slate-300">{t(Key::SignupDocument)}</label>
                <input id="field-document" name="document" type="text" inputmode="text" autocomplete="off" class=INPUT
                    prop:value=move || document.get()
                    on:input=move |ev| document.set(format_partial(kind.get_untracked(), &event_target_value(&ev)))
                    aria-invalid=move || (server_message.get().is_some() || matches!(live(), Some(Err(_)))).to_string()
                    aria-describedby="document-error"/>
                <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{t(Key::SignupDocumentHint)}</p>
                <p id="document-error" class="mt-1 text-sm" data-testid="document-error">
                    {move || match live() {
                        Some(Ok(())) => view! { <span class="text-emerald-700 dark:text-emerald-300" data-testid="document-valid">{t(Key::DocumentValid)}</span> }.into_any(),
                        Some(Err(key)) => view! { <span class="text-red-600 dark:text-red-400">{t(key)}</span> }.into_any(),
                        None => view! { <span class="text-red-600 dark:text-red-400">{server_message.get()}</span> }.into_any(),
                    }}
                </p>
            </div>
            <TextField name="slug" label=t(Key::SignupSlug) value=view.slug.clone() hint=t(Key::SignupSlugHint) autocomplete="off" error=error/>
            <TakenSuggestion error=error/>
            <Submit label=t(Key::SignupContinue) pending=action.pending().into()/>
        </ActionForm>
    }
}

/// A taken workspace name or document: say so, and offer the free name the server suggested.
#[component]
fn TakenSuggestion(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    move || match error.get() {
        Some(crate::error::AppError::Taken { suggested_slug, code, .. }) => Some(view! {
            <p class="text-sm text-slate-700 dark:text-slate-300" data-testid="slug-suggestion">
                {if code == "document_taken" { t(Key::SignupDocumentTaken) } else { t(Key::SignupSlugTaken) }}
                " " {t(Key::SignupSuggestion)} " " <code class="font-mono">{suggested_slug}</code>
            </p>
        }),
        _ => None,
    }
}

#[component]
fn AdminStep(view: SignupView) -> impl IntoView {
    let action = ServerAction::<SignupAdmin>::new();
    let error = follow(action.value());
    view! {
        <ActionForm action=action attr:class=format!("{CARD} space-y-4") attr:data-testid="signup-admin" attr:novalidate="true">
            <FormStatus error=error/>
            <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::SignupAdminIntro)}</p>
            <TextField name="admin_name" label=t(Key::UsersName) value=view.admin_name.clone() autocomplete="name" error=error/>
            <TextField name="admin_email" label=t(Key::LoginEmail) kind="email" value=view.admin_email.clone() autocomplete="email" error=error/>
            <TextField name="admin_password" label=t(Key::LoginPassword) kind="password" autocomplete="new-password" hint=t(Key::ProfilePasswordHint) error=error/>
            <div class="flex items-center gap-3">
                <a href="/signup?step=company" class=BUTTON_SECONDARY>{t(Key::SignupBack)}</a>
                <Submit label=t(Key::SignupContinue) pending=action.pending().into()/>
            </div>
        </ActionForm>
    }
}

#[component]
fn PlanStep(view: SignupView) -> impl IntoView {
    let action = ServerAction::<SignupPlan>::new();
    let error = follow(action.value());
    let selected = if view.plan.is_empty() { "professional".to_string() } else { view.plan.clone() };
    view! {
        <ActionForm action=action attr:class="space-y-4" attr:data-testid="signup-plan" attr:novalidate="true">
            <FormStatus error=error/>
            <TakenSuggestion error=error/>
            <fieldset class="grid gap-4 sm:grid-cols-3">
                <legend class="sr-only">{t(Key::SignupStepPlan)}</legend>
                {view.plans.iter().map(|p| view! { <PlanCard plan=p.clone() selected=selected.clone()/> }).collect_view()}
            </fieldset>
            <p class="text-sm text-slate-600 dark:text-slate-400">{t(Key::SignupTrialNote)}</p>
            <div class="flex items-center gap-3">
                <a href="/signup?step=admin" class=BUTTON_SECONDARY>{t(Key::SignupBack)}</a>
                <Submit label=t(Key::SignupFinish) pending=action.pending().into()/>
            </div>
        </ActionForm>
    }
}

/// One plan as a selectable card; plans sold by the sales team show how to reach it instead.
#[component]
pub fn PlanCard(plan: PlanDto, selected: String) -> impl IntoView {
    let checked = plan.id == selected;
    let price = plan.monthly_price_cents.map(format_brl);
    view! {
        <label class="relative flex cursor-pointer flex-col rounded-2xl border border-slate-200 bg-white p-5 shadow-sm has-[:checked]:border-indigo-600 has-[:checked]:ring-2 has-[:checked]:ring-indigo-600/30 dark:border-slate-800 dark:bg-slate-900"
            data-testid=format!("plan-{}", plan.id)>
            <span class="text-lg font-semibold">{plan.name.clone()}</span>
            <span class="mt-1 text-2xl font-bold">
                {match price.clone() {
                    Some(p) => view! { {p} <span class="text-sm font-normal text-slate-600 dark:text-slate-400">{t(Key::PlanPerMonth)}</span> }.into_any(),
                    None => view! { <span class="text-base">{t(Key::PlanOnRequest)}</span> }.into_any(),
                }}
            </span>
            <PlanFacts plan=plan.clone()/>
            {match price {
                Some(_) => view! {
                    <input type="radio" name="plan" value=plan.id.clone() checked=checked class="mt-4 h-4 w-4 self-start text-indigo-600"/>
                }.into_any(),
                None => view! { <a href="mailto:vendas@atrium.example" class="mt-4 text-sm font-medium text-indigo-700 dark:text-indigo-300 hover:underline">{t(Key::PlanContactSales)}</a> }.into_any(),
            }}
        </label>
    }
}

/// Limits and features of a plan, from the plans table.
#[component]
pub fn PlanFacts(plan: PlanDto) -> impl IntoView {
    let limit = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_else(|| t(Key::PlanUnlimited).to_string());
    let feature = |on: bool, key: Key| {
        view! {
            <li class=if on { "" } else { "text-slate-600 dark:text-slate-400 line-through" }>{t(key)}</li>
        }
    };
    view! {
        <ul class="mt-3 space-y-1 text-sm text-slate-600 dark:text-slate-400">
            <li>{t(Key::PlanUsers)}": "{limit(plan.limits.users)}</li>
            <li>{t(Key::PlanDepartments)}": "{limit(plan.limits.departments)}</li>
            <li>{t(Key::PlanConcurrentCalls)}": "{limit(plan.limits.concurrent_calls)}</li>
            {feature(plan.features.recording, Key::PlanRecording)}
            {feature(plan.features.ai_transcription, Key::PlanAiTranscription)}
            {feature(plan.features.advanced_analytics, Key::PlanAdvancedAnalytics)}
        </ul>
    }
}
