//! The UI's three languages. Every user-facing string lives in `locales/*.json`; `build.rs` turns
//! them into [`Key`] and the lookup tables included below.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/i18n.rs"));

/// Name of the cookie that remembers an explicit language choice.
pub const LOCALE_COOKIE: &str = "atrium_locale";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Locale {
    #[default]
    #[serde(rename = "pt-BR")]
    PtBr,
    #[serde(rename = "es")]
    Es,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::PtBr, Locale::Es, Locale::En];

    /// The BCP 47 tag, as used in `<html lang>`, cookies and the API.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::PtBr => "pt-BR",
            Locale::Es => "es",
            Locale::En => "en",
        }
    }

    /// Exactly one of the tags the app speaks (`pt-BR`, `es`, `en`), as the API and forms send it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// Accepts exact tags and their near relatives (`pt`, `pt-pt`, `es-AR`, `en-US`, any case).
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "pt" => Some(Locale::PtBr),
            "es" => Some(Locale::Es),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn t(self, key: Key) -> &'static str {
        table(self)[key as usize]
    }

    /// Translates and fills `{name}` placeholders.
    pub fn tf(self, key: Key, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A date as people of this language write it: `07/12/2026` in Portuguese and Spanish,
    /// `Dec 7, 2026` in English; from `2026-12-07` or an RFC 3339 timestamp (its date part: the
    /// day is what matters in a list). "—" for none, the text as it is if it is no date.
    pub fn date(self, value: Option<&str>) -> String {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let Some(iso) = value.map(|v| v.get(..10).unwrap_or(v)) else {
            return "—".into();
        };
        let mut parts = iso.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return iso.to_string();
        };
        match self {
            Locale::PtBr | Locale::Es => format!("{d}/{m}/{y}"),
            Locale::En => match m.parse::<usize>().ok().and_then(|m| MONTHS.get(m.wrapping_sub(1))) {
                Some(month) => format!("{month} {}, {y}", d.trim_start_matches('0')),
                None => iso.to_string(),
            },
        }
    }

    /// "PT", "ES", "EN".
    pub const fn short(self) -> &'static str {
        match self {
            Locale::PtBr => "PT",
            Locale::Es => "ES",
            Locale::En => "EN",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Locale::PtBr => self.t(Key::LocalePtBR),
            Locale::Es => self.t(Key::LocaleEs),
            Locale::En => self.t(Key::LocaleEn),
        }
    }
}

/// The language of the page being rendered, provided by `<App/>`.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

/// Shorthand for components: `t(Key::LoginTitle)`.
pub fn t(key: Key) -> &'static str {
    use_locale().t(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_each_language_writes_them() {
        assert_eq!(Locale::PtBr.date(Some("2026-12-07T10:00:00Z")), "07/12/2026");
        assert_eq!(Locale::Es.date(Some("2026-01-31")), "31/01/2026");
        assert_eq!(Locale::En.date(Some("2026-12-07")), "Dec 7, 2026");
        assert_eq!(Locale::En.date(None), "—");
        assert_eq!(Locale::PtBr.date(Some("soon")), "soon");
    }

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(Locale::negotiate("en-US,en;q=0.9,pt-BR;q=0.8"), Some(Locale::En));
        assert_eq!(Locale::negotiate("fr;q=1, es;q=0.5, pt;q=0.7"), Some(Locale::PtBr));
        assert_eq!(Locale::negotiate("fr, de"), None);
        assert_eq!(Locale::negotiate("es;q=0, en;q=0.1"), Some(Locale::En));
    }

    #[test]
    fn every_locale_translates_every_key() {
        for locale in Locale::ALL {
            assert!(!locale.t(Key::LoginTitle).is_empty());
        }
        assert_ne!(Locale::En.t(Key::LoginTitle), Locale::Es.t(Key::LoginTitle));
        assert_eq!(Locale::En.tf(Key::DashboardWelcome, &[("name", "Ana")]), "Welcome, Ana");
    }
}
