//! Server functions, served under `/rpc/` (never colliding with the JSON API under `/api/`).
//! Thin: each reads the tenant context the middleware attached and calls a service. One module
//! per page or resource, named as the services and pages are.
pub mod api_keys;
pub mod auth;
pub mod billing;
pub mod company;
pub mod departments;
pub mod locale;
pub mod mfa;
pub mod profile;
pub mod recovery;
pub mod sessions;
pub mod signup;
pub mod users;
pub mod viewer;
pub mod webhooks;

/// A list page's query as its filter form sends it, for the list services: an empty field (a
/// filter left at "all") is left out, as if the form had not named it.
#[cfg(feature = "ssr")]
pub fn listing_params(params: Vec<(String, String)>) -> std::collections::HashMap<String, String> {
    params.into_iter().filter(|(_, value)| !value.trim().is_empty()).collect()
}

/// Only same-site relative paths are followed after sign-in (`/x`, never `//host` or `/\host`).
/// Browsers drop tabs, CR and LF anywhere in a URL while parsing it and read `\` as `/`, so
/// `/\t/evil.example` or `/%5Cevil.example` would leave the site: a value with any control
/// character or backslash, raw or percent-encoded, is refused.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_local_path(next: &str) -> bool {
    let decoded = percent_decoded(next);
    let bad = |text: &[u8]| text.iter().any(|b| b.is_ascii_control() || *b == b'\\');
    next.starts_with('/')
        && !next.starts_with("//")
        && !bad(next.as_bytes())
        && !bad(&decoded)
        && !decoded.starts_with(b"//")
}

/// `%XX` escapes turned back into bytes (others kept as they are).
fn percent_decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_must_be_relative() {
        assert_eq!(super::safe_next(Some("/dashboard?x=1")), "/dashboard?x=1");
        assert_eq!(super::safe_next(Some("/users?search=ana%20maria")), "/users?search=ana%20maria");
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", ""] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/");
    }

    #[test]
    fn control_characters_and_encoded_backslashes_never_lead_off_site() {
        for bad in [
            "/\t/evil.example",
            "/\r/evil.example",
            "/\n/evil.example",
            "/\t\\evil.example",
            "/x\ny",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%2F/evil.example",
            "/%09/evil.example",
            "/%0d%0a/evil.example",
            "/ok\u{7f}",
        ] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad:?}");
        }
    }
}
