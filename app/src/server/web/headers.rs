//! Security headers: the Content-Security-Policy of pages, with the nonce Leptos puts on the
//! inline scripts of this one response (hydration, resource data), and the policy every other
//! answer gets.
use std::sync::{Arc, OnceLock};

use axum::{
    extract::Request,
    http::{header::CONTENT_SECURITY_POLICY, request::Parts, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::prelude::use_context;

/// The policy of a page. Scripts: the app's own files, the inline scripts carrying this
/// response's nonce, and WebAssembly compilation; everything else from this origin (company logos
/// may live on any https host); never framed. `None` (no nonce): no inline script at all.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data: https:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Where a page's render leaves the nonce of its inline scripts for [`page_policy`]: one per
/// request, in its extensions (the render sees a copy of the request's parts, which shares it).
#[derive(Clone, Default)]
pub struct PageNonce(Arc<OnceLock<String>>);

/// Called while a page renders on the server: hands this response's nonce to [`page_policy`].
///
/// Not through Leptos' `ResponseOptions`: with both cores busy, 13 of 1,800 signed-in pages went out
/// without the header set there, though the render had set it; the browser then refused every
/// inline script and the page never hydrated (the browser tests' rare "never hydrated" failures).
pub fn set_page_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else { return };
    if let Some(slot) = use_context::<Parts>().and_then(|parts| parts.extensions.get::<PageNonce>().cloned()) {
        let _ = slot.0.set(nonce.to_string());
    }
}

/// Middleware around the pages: gives each request a [`PageNonce`] and, when a page was rendered
/// into the answer, the policy that allows that page's inline scripts.
pub async fn page_policy(mut req: Request, next: Next) -> Response {
    let slot = PageNonce::default();
    req.extensions_mut().insert(slot.clone());
    let mut response = next.run(req).await;
    if let Some(value) =
        slot.0.get().and_then(|nonce| HeaderValue::from_str(&content_security_policy(Some(nonce))).ok())
    {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn inline_scripts_need_the_nonce_and_nothing_frames_the_app() {
        let page = super::content_security_policy(Some("abc123"));
        assert!(page.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"), "{page}");
        assert!(page.contains("frame-ancestors 'none'") && page.contains("object-src 'none'"));
        assert!(!page.contains("unsafe-inline"));
        assert!(!super::content_security_policy(None).contains("nonce"));
    }
}
