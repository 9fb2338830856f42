//! The development mailbox (`/dev/mailbox`): every message in the outbox, newest first, with its
//! text, its links and its HTML. Development only: in production it answers 404, like any path
//! that does not exist. Plain server-rendered HTML, apart from the Leptos app, since it shows
//! the outbox rather than a tenant's data.
use axum::{
    extract::{Path, State},
    http::header,
    response::{Html, IntoResponse, Response},
};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::{
    error::AppError,
    server::{db::public::outbox, mail::templates::escape, state::AppState},
};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#0f172a}\
    table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e2e8f0;padding:.5rem;text-align:left;font-size:.9rem}\
    pre{white-space:pre-wrap;background:#f8fafc;border:1px solid #e2e8f0;padding:1rem}iframe{width:100%;height:40rem;border:1px solid #e2e8f0}";

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body>{body}</body></html>",
        escape(title)
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

pub async fn index(State(state): State<AppState>) -> Result<Response, AppError> {
    if state.settings.production {
        return Err(AppError::NotFound);
    }
    let rows: String = outbox::latest(&state.pool, 100)
        .await?
        .iter()
        .map(|m| {
            format!(
                "<tr data-testid=\"mail\"><td>{}</td><td data-testid=\"mail-to\">{}</td>\
                 <td><a data-testid=\"mail-subject\" href=\"/dev/mailbox/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                m.inserted_at.format(&Rfc3339).unwrap_or_default(),
                escape(&m.recipient),
                m.id,
                escape(&m.subject),
                escape(&m.kind),
                escape(&m.status)
            )
        })
        .collect();
    let body = format!(
        "<h1>Development mailbox</h1><p>Every message Atrium queued, newest first. Nothing here was sent \
         anywhere unless ATRIUM_SMTP_URL is set.</p><table><thead><tr><th>Queued</th><th>To</th><th>Subject</th>\
         <th>Kind</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Ok(page("Development mailbox", &body))
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    if state.settings.production {
        return Err(AppError::NotFound);
    }
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let m = outbox::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    let links: String = m
        .text_body
        .split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|url| format!("<li><a data-testid=\"mail-link\" href=\"{0}\">{0}</a></li>", escape(url)))
        .collect();
    let body = format!(
        "<p><a href=\"/dev/mailbox\">← All messages</a></p><h1 data-testid=\"mail-subject\">{}</h1>\
         <p>To: <span data-testid=\"mail-to\">{}</span> · {} · {}</p><h2>Links</h2><ul>{links}</ul>\
         <h2>Text</h2><pre data-testid=\"mail-text\">{}</pre><h2>HTML</h2>\
         <iframe sandbox title=\"HTML part\" srcdoc=\"{}\"></iframe>",
        escape(&m.subject),
        escape(&m.recipient),
        escape(&m.kind),
        escape(&m.status),
        escape(&m.text_body),
        escape(&m.html_body)
    );
    Ok(page(&m.subject, &body))
}
