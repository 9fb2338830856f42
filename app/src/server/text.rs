//! Small text helpers shared by services.

/// Lowercase ASCII words joined by single hyphens, accents folded: "Clínica ABC Ltda" → "clinica-abc-ltda".
pub fn slugify(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Latin letters with diacritics as their base letter (Portuguese and Spanish cover most of it).
fn fold(c: char) -> Vec<char> {
    let base = match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ß' => return vec!['s', 's'],
        other => other,
    };
    vec![base]
}

/// A plausible email address: one `@`, something on both sides, a dot in the domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.len() <= 254
        && !s.chars().any(char::is_whitespace)
}

/// `%` and `_` are wildcards in LIKE; a search for them must find them literally.
pub fn like_pattern(search: &str) -> String {
    let escaped = search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Clínica ABC Ltda"), "clinica-abc-ltda");
        assert_eq!(slugify("  São João -- Açaí!! "), "sao-joao-acai");
        assert_eq!(slugify("Straße 9"), "strasse-9");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn emails() {
        assert!(is_email("ana@example.com"));
        for bad in ["ana", "@example.com", "ana@example", "ana @example.com", "ana@.com", "a@b@c.com"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_pattern("A_b%"), "%a\\_b\\%%");
    }
}
