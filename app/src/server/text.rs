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

/// `%` and `_` are wildcards in LIKE; a search for them must find them literally.
pub fn like_pattern(search: &str) -> String {
    let escaped = search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Lowercase hexadecimal, two digits per byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for (name, slug) in [
            ("Clínica ABC Ltda", "clinica-abc-ltda"),
            ("  São João -- Açaí!! ", "sao-joao-acai"),
            ("Straße 9", "strasse-9"),
        ] {
            assert_eq!(slugify(name), slug);
        }
        assert_eq!(slugify("***"), "", "nothing left to make a slug of");
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_pattern("A_b%"), "%a\\_b\\%%");
    }
}
