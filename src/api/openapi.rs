//! The API's OpenAPI 3.1 contract, generated from the code: every handler carries its
//! `#[utoipa::path]` and is registered through `utoipa_axum::routes!`, so a route cannot exist
//! without its description (`tests/api/openapi.rs` also checks that no plain axum route is left).
//! What every operation shares is added here once: the error answers, the security schemes and
//! unique operation ids. Served at `GET /api/openapi.json`; `GET /api/docs` renders it with
//! Swagger UI from the app's own assets.
use std::collections::BTreeMap;

use app::server::state::AppState;
use axum::{
    http::header,
    response::{Html, IntoResponse},
    routing::get,
};

use utoipa::{
    openapi::{
        path::Operation,
        response::{Response, ResponseBuilder},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
        Content, OpenApi as Spec, RefOr,
    },
    Modify, OpenApi, ToSchema,
};

/// Every error but a field validation: `{"errors": {"detail", "code", ...}}`.
#[derive(ToSchema)]
pub struct ErrorBody {
    pub errors: ErrorDetail,
}

/// `code` is machine-readable (`forbidden`, `not_found`, `plan_limit_reached`, ...); some errors
/// add fields (`limit` and `resource`, `suggested_slug`, `exceeds`, `feature`).
#[derive(ToSchema)]
pub struct ErrorDetail {
    pub detail: String,
    pub code: String,
}

/// A field validation: `{"errors": {"<field>": ["<message>", ...]}}`.
#[derive(ToSchema)]
pub struct ValidationErrorBody {
    pub errors: BTreeMap<String, Vec<String>>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atrium API",
        description = "Multi-tenant workspace API. Tenant routes (`/api/v1`) need `Authorization: Bearer <access token or API key>` and `X-Tenant: <workspace slug>` equal to the token's tenant.",
    ),
    components(schemas(ErrorBody, ErrorDetail, ValidationErrorBody)),
    tags(
        (name = "auth", description = "Sign-in, tokens, password recovery"),
        (name = "signup", description = "New workspaces"),
        (name = "users"), (name = "sessions"), (name = "mfa"), (name = "departments"), (name = "company"),
        (name = "invitations"), (name = "billing"), (name = "api-keys"), (name = "webhooks"),
        (name = "payment-events", description = "Events from the payment provider"),
        (name = "docs", description = "This description"),
    )
)]
pub struct ApiDoc;

/// Adds what every operation shares; applied by `api::router` once every path is registered.
pub struct Shared;

const BEARER: &str = "bearer";
const API_KEY: &str = "api_key";
const TENANT: &str = "x_tenant";
const PROVIDER: &str = "asaas_token";

fn error(description: &str, schema: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(utoipa::openapi::Ref::from_schema_name(schema))))
        .build()
        .into()
}

fn any_error(description: &str) -> RefOr<Response> {
    use utoipa::openapi::schema::{OneOfBuilder, Ref, Schema};
    let either = OneOfBuilder::new()
        .item(Ref::from_schema_name("ErrorBody"))
        .item(Ref::from_schema_name("ValidationErrorBody"))
        .build();
    let either: RefOr<Schema> = RefOr::T(Schema::OneOf(either));
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(either)))
        .build()
        .into()
}

/// The error answers an operation under `path` can give, by status.
fn errors_for(path: &str, has_body: bool) -> Vec<(&'static str, RefOr<Response>)> {
    let mut all = vec![
        ("400", error("Malformed request (e.g. JSON that does not parse)", "ErrorBody")),
        ("409", error("Conflicts with the current state", "ErrorBody")),
        ("422", any_error("Invalid input: a field map, or a business rule with its code")),
        ("429", error("Rate limit or API quota exceeded (see Retry-After)", "ErrorBody")),
        ("503", error("The database is briefly unavailable: nothing was changed; retry (Retry-After)", "ErrorBody")),
    ];
    if has_body {
        all.push(("413", error("Body larger than 64 KB", "ErrorBody")));
        all.push(("415", error("Content-Type must be application/json", "ErrorBody")));
    }
    if path.starts_with("/api/v1") {
        all.push(("401", error("Missing, invalid or expired credentials, or X-Tenant does not match", "ErrorBody")));
        all.push(("402", error("The subscription is not active: reads only", "ErrorBody")));
        all.push(("403", error("The role, the plan or the kind of credential does not allow it", "ErrorBody")));
        all.push(("404", error("No such resource in this workspace", "ErrorBody")));
    } else {
        all.push(("401", error("Invalid credentials or token", "ErrorBody")));
        all.push(("403", error("Not allowed", "ErrorBody")));
        all.push(("404", error("Not found", "ErrorBody")));
    }
    all
}

fn security_for(path: &str) -> Option<Vec<SecurityRequirement>> {
    let none: [&str; 0] = [];
    if path.starts_with("/api/v1") {
        Some(vec![
            SecurityRequirement::new(BEARER, none).add(TENANT, none),
            SecurityRequirement::new(API_KEY, none).add(TENANT, none),
        ])
    } else if path == "/api/signup/checkout" {
        Some(vec![SecurityRequirement::new(BEARER, none)])
    } else if path.starts_with("/api/webhooks") {
        Some(vec![SecurityRequirement::new(PROVIDER, none)])
    } else {
        None
    }
}

/// The two routes that serve this description are part of it too.
fn describe_itself(spec: &mut Spec) {
    use utoipa::openapi::{path::OperationBuilder, HttpMethod, PathItem};
    let page = |summary: &str, media: &str| {
        OperationBuilder::new()
            .summary(Some(summary))
            .tag("docs")
            .response("200", ResponseBuilder::new().description(summary).content(media, Content::default()).build())
            .build()
    };
    let json = page("This OpenAPI 3.1 description", "application/json");
    let html = page("The interactive documentation (Swagger UI)", "text/html");
    spec.paths.paths.insert("/api/openapi.json".into(), PathItem::new(HttpMethod::Get, json));
    spec.paths.paths.insert("/api/docs".into(), PathItem::new(HttpMethod::Get, html));
}

/// `get` + `/api/v1/users/{id}` → `get_api_v1_users_id`: unique, stable, readable in clients.
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("{method}_{}", words.join("_"))
}

impl Modify for Shared {
    fn modify(&self, spec: &mut Spec) {
        let components = spec.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The access token of /api/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            API_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("atr_<prefix>_<secret>")
                    .description(Some("An API key of /api/v1/api-keys"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            TENANT,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Tenant",
                "The workspace slug, equal to the token's tenant",
            ))),
        );
        components.add_security_scheme(
            PROVIDER,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "asaas-access-token",
                "The token configured in the payment provider's webhook settings",
            ))),
        );
        describe_itself(spec);
        for (path, item) in spec.paths.paths.iter_mut() {
            let operations: [(&str, &mut Option<Operation>); 5] = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation.as_mut() else { continue };
                operation.operation_id = Some(operation_id(method, path));
                for (status, answer) in errors_for(path, operation.request_body.is_some()) {
                    operation.responses.responses.entry(status.to_string()).or_insert(answer);
                }
                if operation.security.is_none() {
                    operation.security = security_for(path);
                }
            }
        }
    }
}

/// `GET /api/openapi.json` (the spec, serialised once) and `GET /api/docs` (Swagger UI, from
/// `/vendor/swagger-ui/`, which `scripts/setup` copies from its npm package into `public/`).
pub fn router(spec: &Spec) -> axum::Router<AppState> {
    let json = spec.to_json().expect("the spec serialises");
    let json = axum::body::Bytes::from(json);
    let serve_spec = get(move || {
        let json = json.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], json) }
    });
    axum::Router::new().route("/openapi.json", serve_spec).route("/docs", get(docs))
}

/// Swagger UI's page: its script and styles from this app (no CDN: it works offline); the
/// start-up script is a file too, so the page needs no inline script.
async fn docs() -> impl IntoResponse {
    const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atrium API</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api-docs.js"></script>
</body>
</html>
"#;
    // Swagger UI sets style attributes as it renders.
    let policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                  connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    ([(header::CONTENT_SECURITY_POLICY, policy)], Html(PAGE))
}

#[cfg(test)]
mod tests {
    use super::operation_id;

    #[test]
    fn operation_ids_follow_method_and_path() {
        assert_eq!(operation_id("get", "/api/v1/users/{id}"), "get_api_v1_users_id");
        assert_eq!(operation_id("post", "/api/v1/api-keys"), "post_api_v1_api_keys");
    }
}
