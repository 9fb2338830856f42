//! Percent-encoding for values put into a query string, used by the server (redirects) and by
//! pages (links) alike.

/// Encodes everything but unreserved characters and `/` (kept readable in `next=/path`).
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query_values() {
        assert_eq!(super::urlencode("/a b?x=1&y"), "/a%20b%3Fx%3D1%26y");
        assert_eq!(super::urlencode("Ana Müller"), "Ana%20M%C3%BCller");
    }
}
