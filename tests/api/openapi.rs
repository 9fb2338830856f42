//! The OpenAPI description: generated from the handlers, OpenAPI 3.1, every route of `/api`
//! described (and nothing registered beside it), every reference resolvable, operation ids
//! unique, tenant routes secured; the docs page served from the app's own assets.
use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::helpers::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every `"$ref"` string anywhere in `value`.
fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => refs(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_description_is_openapi_3_1_and_complete() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let spec: Value = res.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1."), "{}", spec["openapi"]);

    let paths = spec["paths"].as_object().unwrap();
    let mut operation_ids = HashSet::new();
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with("/api/"), "{path}");
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            operations.insert(format!("{} {path}", method.to_uppercase()));
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(operation_ids.insert(id.to_string()), "{id} twice");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path}: no success answer");
            if path.starts_with("/api/v1/") {
                assert!(op["security"].is_array(), "{method} {path}: tenant routes are secured");
                for status in ["401", "403", "404", "422", "429"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status} undocumented");
                }
            }
        }
    }
    // A sample of what the API serves, each with its methods.
    for expected in [
        "POST /api/auth/login",
        "POST /api/signup/register",
        "GET /api/v1/users",
        "PATCH /api/v1/users/{id}",
        "DELETE /api/v1/departments/{id}/users/{user_id}",
        "POST /api/v1/api-keys",
        "GET /api/v1/webhooks/{id}/deliveries",
        "POST /api/webhooks/asaas",
        "GET /api/openapi.json",
    ] {
        assert!(operations.contains(expected), "{expected} missing from {operations:?}");
    }

    // Every reference points at a schema the description holds.
    let mut found = Vec::new();
    refs(&spec, &mut found);
    assert!(!found.is_empty());
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for target in found {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{target}"));
        assert!(schemas.contains_key(name), "{target} does not resolve");
    }
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    for scheme in ["bearer", "api_key", "x_tenant"] {
        assert!(schemes.contains_key(scheme), "{scheme}");
    }
    // The error shapes are described.
    assert!(schemas.contains_key("ErrorBody") && schemas.contains_key("ValidationErrorBody"));
}

/// Routes are only registered through `utoipa_axum::routes!`, which describes them: a plain
/// `.route(` in the API modules would add a route the description does not know. The only ones
/// are the two that serve the description itself (which it describes by hand).
#[test]
fn no_api_route_is_registered_without_its_description() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut plain = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for (n, line) in source.lines().enumerate() {
            if line.contains(".route(") || line.contains(".route_service(") || line.contains(".nest_service(") {
                plain.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    let allowed = ["openapi.rs", "\"/openapi.json\"", "\"/docs\""];
    let unexpected: Vec<&String> = plain
        .iter()
        .filter(|line| !(line.starts_with(allowed[0]) && (line.contains(allowed[1]) || line.contains(allowed[2]))))
        .collect();
    assert!(unexpected.is_empty(), "routes without a description: {unexpected:#?}");
    // The server serves the API only through `api::router`.
    let startup =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/startup.rs")).unwrap();
    assert_eq!(startup.matches(".nest(\"/api\"").count(), 1, "one /api mount in src/startup.rs");
    assert!(!startup.contains(".route(\"/api"), "no /api route outside api::router");
}

#[tokio::test]
async fn the_docs_page_uses_the_apps_own_assets() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let policy = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("script-src 'self'") && !policy.contains("http"), "{policy}");
    let page = res.text().await.unwrap();
    assert!(page.contains("/vendor/swagger-ui/swagger-ui-bundle.js") && page.contains("/api-docs.js"));
    assert!(!page.contains("https://"), "no CDN");
}
