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

    /// How long before `now` (Unix seconds) the RFC 3339 timestamp `value` was, as people of this
    /// language say it: "há 5 min", "ontem", "há 3 dias"; past a month, or in the future, the
    /// date. "—" for none.
    pub fn ago(self, value: Option<&str>, now: i64) -> String {
        let Some(value) = value else { return "—".into() };
        let Some(then) = unix_seconds(value) else { return self.date(Some(value)) };
        let n = |v: i64| v.to_string();
        match now - then {
            0..60 => self.t(Key::TimeJustNow).to_string(),
            secs @ 60..3_600 => self.tf(Key::TimeMinutesAgo, &[("n", &n(secs / 60))]),
            secs @ 3_600..86_400 => self.tf(Key::TimeHoursAgo, &[("n", &n(secs / 3_600))]),
            86_400..172_800 => self.t(Key::TimeYesterday).to_string(),
            secs @ 172_800..2_678_400 => self.tf(Key::TimeDaysAgo, &[("n", &n(secs / 86_400))]),
            _ => self.date(Some(value)),
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

/// Seconds since the Unix epoch of an RFC 3339 timestamp as the server writes them
/// (`2026-12-07T10:00:00.123456Z`, `2026-12-07T07:00:00-03:00`). Written here rather than taken
/// from a date crate: the browser build would carry that crate's parser for this one use.
pub fn unix_seconds(value: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| value.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if value.get(4..5)? != "-" || !matches!(value.get(10..11)?, "T" | "t" | " ") || !(1..=12).contains(&m) {
        return None;
    }
    // The offset follows the seconds and their fraction, if any.
    let rest = value.get(19..)?.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let h = rest.get(1..3)?.parse::<i64>().ok()?;
            let min = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (h * 3_600 + min * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3_600 + mm * 60 + ss - offset)
}

/// Now, in Unix seconds: the server's clock while rendering, the browser's after.
pub fn now_unix() -> i64 {
    #[cfg(feature = "ssr")]
    {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_unix_seconds() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2026-12-07T10:00:00Z"), Some(1_796_637_600));
        assert_eq!(unix_seconds("2026-12-07T10:00:00.123456Z"), Some(1_796_637_600));
        assert_eq!(unix_seconds("2026-12-07T07:00:00-03:00"), Some(1_796_637_600));
        assert_eq!(unix_seconds("2024-02-29T00:00:00+00:00"), Some(1_709_164_800));
        assert_eq!(unix_seconds("2026-12-07"), None);
        assert_eq!(unix_seconds("not a date at all"), None);
    }

    #[test]
    fn relative_times_in_each_language() {
        let at = "2026-12-07T10:00:00Z";
        let then = 1_796_637_600;
        assert_eq!(Locale::PtBr.ago(Some(at), then + 30), "agora mesmo");
        assert_eq!(Locale::PtBr.ago(Some(at), then + 5 * 60), "há 5 min");
        assert_eq!(Locale::En.ago(Some(at), then + 3 * 3_600), "3 h ago");
        assert_eq!(Locale::Es.ago(Some(at), then + 86_400 + 60), "ayer");
        assert_eq!(Locale::PtBr.ago(Some(at), then + 3 * 86_400), "há 3 dias");
        assert_eq!(Locale::PtBr.ago(Some(at), then + 40 * 86_400), "07/12/2026");
        assert_eq!(Locale::PtBr.ago(Some(at), then - 600), "07/12/2026");
        assert_eq!(Locale::En.ago(None, then), "—");
    }

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
