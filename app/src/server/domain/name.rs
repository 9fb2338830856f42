//! A display name (a person's, a company's, a department's).
use super::BLANK;

/// What a text field with a control character (a tab, a NUL byte, ...) says.
pub const CONTROL: &str = "must not contain control characters";

/// Trimmed, not blank, at most [`Name::MAX`] characters, no control characters (a NUL byte
/// cannot even be stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 120;

    pub fn parse(raw: &str) -> Result<Name, String> {
        let name = raw.trim();
        if name.is_empty() {
            Err(BLANK.into())
        } else if name.chars().count() > Name::MAX {
            Err(format!("should be at most {} characters", Name::MAX))
        } else if name.chars().any(char::is_control) {
            Err(CONTROL.into())
        } else {
            Ok(Name(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Ana Souza ").unwrap().as_str(), "Ana Souza");
        assert_eq!(Name::parse(" \t"), Err(BLANK.to_string()));
        assert!(Name::parse(&"é".repeat(120)).is_ok());
        assert_eq!(Name::parse("Ana\u{0}Souza"), Err(CONTROL.to_string()));
        assert_eq!(Name::parse("Ana\tSouza"), Err(CONTROL.to_string()));
        assert_eq!(Name::parse(&"é".repeat(121)), Err("should be at most 120 characters".to_string()));
    }
}
