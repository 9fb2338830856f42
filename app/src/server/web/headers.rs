//! Security headers: the Content-Security-Policy of pages, with the nonce Leptos puts on the
//! inline scripts of this one response (hydration, resource data), and the policy every other
//! answer gets.
use axum::http::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

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

/// Called while a page renders on the server: its policy names this response's nonce.
pub fn set_page_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
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
