//! The field-error builder: each check records its message under the field's name and hands back
//! the parsed value, so a service validates every field in one pass and answers all errors at once.
use super::BLANK;
use crate::{
    error::{AppError, FieldErrors},
    i18n::Locale,
};

#[derive(Debug, Default)]
pub struct Fields(FieldErrors);

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_default().push(message.into());
    }

    /// A parse result: the value, or its message recorded under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|message| self.add(field, message)).ok()
    }

    /// A field that must be given: absent or blank is "can't be blank"; otherwise `parse` decides
    /// (on the trimmed text).
    pub fn required<T, P>(&mut self, field: &str, raw: Option<&str>, parse: P) -> Option<T>
    where
        P: FnOnce(&str) -> Result<T, String>,
    {
        let given = raw.map(str::trim).filter(|v| !v.is_empty());
        if given.is_none() {
            self.add(field, BLANK);
        }
        self.optional(field, given, parse)
    }

    /// A field that may be absent (`None`, nothing recorded); when given, `parse` decides (on the
    /// text as sent).
    pub fn optional<T, P>(&mut self, field: &str, raw: Option<&str>, parse: P) -> Option<T>
    where
        P: FnOnce(&str) -> Result<T, String>,
    {
        raw.and_then(|value| self.check(field, parse(value)))
    }

    /// A language tag the app speaks, exactly as the API names it.
    pub fn locale(&mut self, field: &str, raw: Option<&str>) -> Option<Locale> {
        self.optional(field, raw, |tag| Locale::from_tag(tag).ok_or_else(|| "is not supported (pt-BR, es, en)".into()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was recorded, else the 422 with every field's messages.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    pub fn into_error(self) -> AppError {
        AppError::Validation { fields: self.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::domain::name::Name;

    #[test]
    fn collects_every_field() {
        let mut f = Fields::new();
        assert_eq!(f.required("name", None, Name::parse), None);
        assert_eq!(f.required("other", Some("  "), Name::parse), None);
        assert_eq!(f.optional("absent", None, Name::parse), None);
        assert_eq!(f.locale("locale", Some("fr")), None);
        assert_eq!(f.locale("ok", Some("es")), Some(Locale::Es));
        let Err(AppError::Validation { fields }) = f.finish() else { panic!("expected a 422") };
        assert_eq!(fields["name"], vec![BLANK]);
        assert_eq!(fields["other"], vec![BLANK]);
        assert_eq!(fields["locale"], vec!["is not supported (pt-BR, es, en)"]);
        assert_eq!(fields.len(), 3);
    }
}
