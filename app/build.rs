//! Turns the translation files in `locales/` into a `Key` enum and one lookup table per locale, so a
//! missing or misspelt key is a compile error and no translation is parsed at run time (nor shipped
//! to the browser as JSON).
use std::{collections::BTreeMap, env, fmt::Write, fs, path::Path};

const LOCALES: [(&str, &str); 3] = [("PtBr", "pt-BR"), ("Es", "es"), ("En", "en")];

fn variant(key: &str) -> String {
    key.split(['.', '_', '-'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn main() {
    // `sqlx::migrate!` (server/migrate.rs) embeds these folders when the crate compiles; a new
    // migration file alone would not make cargo compile it again.
    println!("cargo:rerun-if-changed=../migrations");
    let mut tables: Vec<BTreeMap<String, String>> = Vec::new();
    for (_, tag) in LOCALES {
        let path = format!("locales/{tag}.json");
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let map: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        tables.push(map);
    }
    let keys: Vec<&String> = tables[0].keys().collect();
    for (i, (_, tag)) in LOCALES.iter().enumerate().skip(1) {
        let other: Vec<&String> = tables[i].keys().collect();
        assert_eq!(keys, other, "locales/{tag}.json must have exactly the keys of pt-BR.json");
    }

    let mut out = String::new();
    out.push_str("/// A translatable message; generated from `locales/*.json`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for key in &keys {
        writeln!(out, "    /// `{key}`\n    {},", variant(key)).unwrap();
    }
    out.push_str("}\n\nimpl Key {\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for key in &keys {
        writeln!(out, "            Key::{} => {key:?},", variant(key)).unwrap();
    }
    out.push_str("        }\n    }\n}\n\n");
    for (i, (name, _)) in LOCALES.iter().enumerate() {
        writeln!(out, "const TABLE_{}: [&str; {}] = [", name.to_uppercase(), keys.len()).unwrap();
        for key in &keys {
            writeln!(out, "    {:?},", tables[i][*key]).unwrap();
        }
        out.push_str("];\n");
    }
    out.push_str("\nfn table(locale: Locale) -> &'static [&'static str] {\n    match locale {\n");
    for (name, _) in LOCALES {
        writeln!(out, "        Locale::{name} => &TABLE_{},", name.to_uppercase()).unwrap();
    }
    out.push_str("    }\n}\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("i18n.rs");
    fs::write(dest, out).unwrap();
}
