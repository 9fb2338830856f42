//! A tenant's name as the server knows it: the validated slug and the schema name derived from it.
//! Only these two types ever reach SQL text as identifiers.
use std::fmt;

/// Words that can never be a tenant slug: they name system schemas, routes or roles.
const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "app",
    "assets",
    "auth",
    "billing",
    "console",
    "dashboard",
    "default",
    "docs",
    "help",
    "information-schema",
    "internal",
    "login",
    "logout",
    "mail",
    "me",
    "null",
    "pg",
    "pkg",
    "postgres",
    "public",
    "root",
    "rpc",
    "settings",
    "signup",
    "static",
    "status",
    "support",
    "system",
    "template",
    "tenant",
    "tenants",
    "www",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugError {
    Length,
    Characters,
    Reserved,
}

impl fmt::Display for SlugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SlugError::Length => "must be 2 to 40 characters long",
            SlugError::Characters => {
                "must start with a letter and use only lowercase letters, digits and single hyphens"
            }
            SlugError::Reserved => "is reserved",
        })
    }
}

/// A tenant's immutable, validated identifier: `^[a-z](-?[a-z0-9])+$`, 2–40 characters, not reserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Slug, SlugError> {
        if !(2..=40).contains(&input.len()) {
            return Err(SlugError::Length);
        }
        let bytes = input.as_bytes();
        let valid = bytes[0].is_ascii_lowercase()
            && bytes[bytes.len() - 1] != b'-'
            && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && !input.contains("--");
        if !valid {
            return Err(SlugError::Characters);
        }
        if RESERVED_SLUGS.contains(&input) || input.starts_with("pg-") {
            return Err(SlugError::Reserved);
        }
        Ok(Slug(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `t_` + the slug with `-` as `_`: injective (slugs have no `_`), always a plain identifier,
    /// and never a system schema (`pg_*`, `public`, `information_schema`).
    pub fn schema_name(&self) -> SchemaName {
        SchemaName(format!("t_{}", self.0.replace('-', "_")))
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant schema's name; only ever made from a [`Slug`], so it is safe to splice into SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

impl SchemaName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts a name read back from the registry, re-checking it has the shape we generate.
    pub fn from_registry(name: &str) -> Option<SchemaName> {
        let slug = name.strip_prefix("t_")?.replace('_', "-");
        let schema = Slug::parse(&slug).ok()?.schema_name();
        (schema.0 == name).then_some(schema)
    }

    /// A spare schema's name, generated and checked by provisioning.
    pub(crate) fn spare(name: &str) -> SchemaName {
        SchemaName(name.to_string())
    }

    /// Double-quoted identifier (the name holds only `[a-z0-9_]`, quoting is for clarity).
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }

    /// A statement template with `{t}` naming this schema: `{t}.users` → `"t_acme".users`.
    pub fn expand(&self, template: &str) -> String {
        template.replace("{t}", &self.quoted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        for ok in ["ab", "acme", "clinica-abc", "a1", "empresa-xyz-2", &"a".repeat(40)] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("a", SlugError::Length),
            (&"a".repeat(41) as &str, SlugError::Length),
            ("1abc", SlugError::Characters),
            ("-abc", SlugError::Characters),
            ("abc-", SlugError::Characters),
            ("a--b", SlugError::Characters),
            ("Acme", SlugError::Characters),
            ("a_b", SlugError::Characters),
            ("a b", SlugError::Characters),
            ("acme'; drop schema public; --", SlugError::Characters),
            ("ação", SlugError::Characters),
            ("public", SlugError::Reserved),
            ("pg-catalog", SlugError::Reserved),
            ("information-schema", SlugError::Reserved),
            ("api", SlugError::Reserved),
            ("admin", SlugError::Reserved),
            ("www", SlugError::Reserved),
        ] {
            assert_eq!(Slug::parse(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn schema_names_are_derived_and_rechecked() {
        let schema = Slug::parse("clinica-abc").unwrap().schema_name();
        assert_eq!(schema.as_str(), "t_clinica_abc");
        assert_eq!(SchemaName::from_registry("t_clinica_abc"), Some(schema));
        assert_eq!(SchemaName::from_registry("public"), None);
        assert_eq!(SchemaName::from_registry("t_x\"; drop"), None);
        assert_eq!(SchemaName::from_registry("t_a__b"), None);
    }
}
