//! Server functions, served under `/rpc/` (never colliding with the JSON API under `/api/`).
//! Thin: each reads the tenant context the middleware attached and calls a service. One module
//! per page or resource, named as the services and pages are.
pub mod auth;
pub mod billing;
pub mod company;
pub mod departments;
pub mod locale;
pub mod profile;
pub mod recovery;
pub mod signup;
pub mod users;
pub mod viewer;

/// Only same-site relative paths are followed after sign-in (`/x`, never `//host` or `/\host`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\r', '\n']) => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_must_be_relative() {
        assert_eq!(super::safe_next(Some("/dashboard?x=1")), "/dashboard?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", ""] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/");
    }
}
