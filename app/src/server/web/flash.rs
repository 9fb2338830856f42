//! One-shot messages from a form post to the page it leads to, kept in the browser session (never
//! in the address): the success notice, and after a plain (no-JavaScript) post that failed, its
//! error and the values typed, so the page can show them once. A reload shows neither again.
use axum::{
    body::Body,
    extract::Request,
    http::{header, request::Parts, Method},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

use crate::{components::form::Flash, error::AppError};

const SESSION_KEY: &str = "flash";

/// The largest plain form body whose values are kept to fill the form again.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The fields of a plain form post, as it sent them.
#[derive(Clone, Debug)]
pub struct SubmittedForm(pub Vec<(String, String)>);

/// Secrets never go back into a page, nor into the session store.
fn is_secret(field: &str) -> bool {
    ["password", "secret", "token", "code", "otp"].iter().any(|s| field.contains(s))
}

/// A plain HTML form post (no JavaScript) asks for HTML; the server-function client asks for JSON.
pub fn is_plain_form(parts: &Parts) -> bool {
    parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Middleware: reads a plain form post's fields into the request (its body is given back
/// unchanged), so the server function's ending can keep them if the post fails.
pub async fn capture_form(req: Request, next: Next) -> Response {
    next.run(with_fields(req).await).await
}

async fn with_fields(req: Request) -> Request {
    let is_form = req.method() == Method::POST
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return req;
    }
    let (mut parts, body) = req.into_parts();
    if !is_plain_form(&parts) {
        return Request::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        // Too large to keep: the server function refuses it on its own.
        return Request::from_parts(parts, Body::empty());
    };
    let fields = url::form_urlencoded::parse(&bytes)
        .filter(|(name, _)| !is_secret(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    parts.extensions.insert(SubmittedForm(fields));
    Request::from_parts(parts, Body::from(bytes))
}

/// Keeps `flash` for the next page load. A failure loses only the message, never the form's
/// work, which is done by then.
pub async fn keep(browser: &Session, flash: Flash) {
    if let Err(err) = browser.insert(SESSION_KEY, flash).await {
        tracing::warn!(error = %err, "the form's message could not be kept for the next page");
    }
}

/// What the last form post left, taken out of the session by the page load it led to; `None` when
/// it was for another page.
pub async fn take(browser: &Session, path: &str) -> Option<Flash> {
    // Read first: removing marks the session changed, and most page loads have nothing to take.
    let flash: Flash = browser.get(SESSION_KEY).await.ok().flatten()?;
    if let Err(err) = browser.remove_value(SESSION_KEY).await {
        tracing::warn!(error = %err, "the form's message could not be cleared");
    }
    (flash.path == path).then_some(flash)
}

/// A browser asking for a page (not a file, nor a server function).
pub fn is_page_load(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !path.starts_with("/rpc/")
        && !path.starts_with("/pkg/")
        && !path.starts_with("/dev/")
        && !path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// The flash of a failed plain post: its error and its values, for the page it came from.
pub fn of_failure(parts: &Parts, path: String, error: &AppError) -> Flash {
    let values = parts.extensions.get::<SubmittedForm>().map(|f| f.0.clone()).unwrap_or_default();
    Flash { path, notice: None, error: Some(error.clone()), values }
}

/// The flash of a success leading to `target`: its `?notice=`, if it has one, for its path.
pub fn of_success(target: &str) -> Option<Flash> {
    let (path, query) = target.split_once('?')?;
    if !path.starts_with('/') {
        return None;
    }
    let notice = query.split('&').find_map(|pair| pair.strip_prefix("notice="))?;
    Some(Flash { path: path.to_string(), notice: Some(notice.to_string()), error: None, values: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_notice_is_for_the_target_path() {
        let flash = of_success("/users/7?notice=created&invitation=x").unwrap();
        assert_eq!(flash.path, "/users/7");
        assert_eq!(flash.notice.as_deref(), Some("created"));
        assert!(of_success("/users/7").is_none());
        assert!(of_success("https://pay.example/i/1?notice=paid").is_none());
    }

    #[test]
    fn secrets_are_not_kept() {
        assert!(is_secret("password"));
        assert!(is_secret("new_password"));
        assert!(is_secret("code"));
        assert!(!is_secret("name"));
        assert!(!is_secret("email"));
    }
}
