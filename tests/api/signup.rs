//! Signup: document validation, registration (happy path, every 409/422, races) and the public
//! checkout (the owner's token, its redirect rules, the first charge it makes).
use futures_util::future::join_all;
use serde_json::{json, Value};

use app::server::settings::Settings;

use crate::helpers::{
    cnpj, register_body, spawn_app, spawn_app_with, test_settings, token, PASSWORD, PUBLIC_URL, STRONG_PASSWORD,
};

#[tokio::test]
async fn document_validation_table() {
    let app = spawn_app().await;
    let valid = [
        ("cnpj", "11.222.333/0001-81", "11222333000181", "11.222.333/0001-81"),
        ("cnpj", "11222333000181", "11222333000181", "11.222.333/0001-81"),
        ("cnpj", "12.ABC.345/01DE-35", "12ABC34501DE35", "12.ABC.345/01DE-35"),
        ("cnpj", "12abc34501de35", "12ABC34501DE35", "12.ABC.345/01DE-35"),
        ("cpf", "529.982.247-25", "52998224725", "529.982.247-25"),
        ("cpf", "11144477735", "11144477735", "111.444.777-35"),
    ];
    for (kind, input, normalised, formatted) in valid {
        let (status, body) =
            app.post_public("/api/signup/validate-document", json!({ "document": input, "document_type": kind })).await;
        assert_eq!(status, 200, "{input}: {body}");
        let data = &body["data"];
        assert_eq!(data["valid"], true);
        assert_eq!(data["document_type"], kind);
        assert_eq!(data["document"], normalised, "{input}");
        assert_eq!(data["formatted"], formatted, "{input}");
        assert_eq!(data["available"], true);
    }
    let invalid = [
        ("cnpj", "11.222.333/0001-82", "check digits"),
        ("cnpj", "00.000.000/0000-00", "repeated"),
        ("cnpj", "11111111111111", "repeated"),
        ("cnpj", "1122233300018", "14 characters"),
        ("cnpj", "12.ABC.345/01DE-3A", "two digits"),
        ("cnpj", "11.222.333/0001-8!", "letters and digits"),
        ("cpf", "529.982.247-26", "check digits"),
        ("cpf", "111.111.111-11", "repeated"),
        ("cpf", "5299822472", "11 digits"),
        ("cpf", "52998224A25", "only digits"),
    ];
    for (kind, input, reason) in invalid {
        let (status, body) =
            app.post_public("/api/signup/validate-document", json!({ "document": input, "document_type": kind })).await;
        assert_eq!(status, 422, "{input}: {body}");
        let message = body["errors"]["document"][0].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{input}: {message}");
    }
    let (status, body) = app
        .post_public("/api/signup/validate-document", json!({ "document": "529.982.247-25", "document_type": "rg" }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["document_type"][0], "must be cnpj or cpf");
    let (status, body) = app.post_public("/api/signup/validate-document", json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["document"][0], "can't be blank");

    // A registered document is valid but no longer available.
    app.register("Acme Ltda", "11.222.333/0001-81").await;
    let (_, body) = app
        .post_public("/api/signup/validate-document", json!({ "document": "11222333000181", "document_type": "cnpj" }))
        .await;
    assert_eq!(body["data"]["available"], false);
}

#[tokio::test]
async fn registration_provisions_a_trial_tenant_and_signs_the_admin_in() {
    let app = spawn_app().await;
    let mut body = register_body("Clínica ABC Ltda", "12.ABC.345/01DE-35");
    body["plan"] = json!("professional");
    let (status, res) = app.post_public("/api/signup/register", body).await;
    assert_eq!(status, 201, "{res}");
    let data = &res["data"];
    assert_eq!(data["tenant"]["slug"], "clinica-abc-ltda");
    assert_eq!(data["tenant"]["name"], "Clínica ABC Ltda");
    assert_eq!(data["tenant"]["plan"], "professional");
    assert_eq!(data["tenant"]["status"], "trialing");
    let trial_ends = data["tenant"]["trial_ends_at"].as_str().unwrap();
    assert!(trial_ends > "2026-01-01", "{trial_ends}");
    assert_eq!(data["user"]["email"], "alice@company.test");
    assert_eq!(data["user"]["role"], "owner");
    // The tokens work at once, with the new slug as X-Tenant.
    let access = token(data, "access_token");
    let me = app.get_me(&access, "clinica-abc-ltda").await;
    assert_eq!(me.status(), 200);
    assert!(app.refresh(&token(data, "refresh_token")).await.status().is_success());
    // So does the password, and the registry holds the normalised document.
    app.login_ok("clinica-abc-ltda", "alice@company.test", STRONG_PASSWORD).await;
    let stored: (String, String) =
        sqlx::query_as("SELECT document, document_type FROM tenants WHERE slug = 'clinica-abc-ltda'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, ("12ABC34501DE35".to_string(), "cnpj".to_string()));
    // A chosen slug is honoured.
    let mut chosen = register_body("Outra Empresa", &cnpj(42));
    chosen["slug"] = json!("minha-empresa");
    let (status, res) = app.post_public("/api/signup/register", chosen).await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["data"]["tenant"]["slug"], "minha-empresa");
}

#[tokio::test]
async fn every_refusal_of_registration() {
    let app = spawn_app().await;
    app.register("Acme", "11.222.333/0001-81").await;

    // Taken slug (derived or chosen) and taken document: 409 with a free slug suggested.
    let (status, body) = app.post_public("/api/signup/register", register_body("ACME", &cnpj(7))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["errors"]["code"], "slug_taken");
    assert_eq!(body["errors"]["suggested_slug"], "acme-2");
    let (status, body) = app.post_public("/api/signup/register", register_body("Acme Two", "11222333000181")).await;
    assert_eq!(status, 409);
    assert_eq!(body["errors"]["code"], "document_taken");
    assert!(body["errors"]["suggested_slug"].is_string());

    // Field problems: a 422 with a map of every field.
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({}), "company_name", "can't be blank"),
        (json!({}), "admin_email", "can't be blank"),
        (json!({}), "plan", "can't be blank"),
        (json!({ "admin_email": "not-an-email" }), "admin_email", "is not a valid email address"),
        (json!({ "admin_password": "short" }), "admin_password", "should be at least 12 characters"),
        (json!({ "admin_password": "x".repeat(129) }), "admin_password", "should be at most 128 characters"),
        (json!({ "admin_password": "Password1234" }), "admin_password", "is too common"),
        (json!({ "document": "11.222.333/0001-00" }), "document", "CNPJ check digits do not match"),
        (json!({ "document_type": "passport" }), "document_type", "must be cnpj or cpf"),
        (json!({ "slug": "Bad Slug!" }), "slug", ""),
        (json!({ "slug": "admin" }), "slug", ""),
        (json!({ "plan": "platinum" }), "plan", "is not a plan"),
    ];
    for (patch, field, message) in cases {
        let mut body = register_body("Fresh Co", &cnpj(99));
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        if patch.as_object().unwrap().is_empty() {
            body = json!({});
        }
        let (status, res) = app.post_public("/api/signup/register", body).await;
        assert_eq!(status, 422, "{patch}: {res}");
        let got = res["errors"][field][0].as_str().unwrap_or_else(|| panic!("{field} in {res}"));
        assert!(got.contains(message), "{field}: {got}");
    }
    // Enterprise is sold by the sales team.
    let mut body = register_body("Big Co", &cnpj(100));
    body["plan"] = json!("enterprise");
    let (status, res) = app.post_public("/api/signup/register", body).await;
    assert_eq!(status, 422);
    assert_eq!(res["errors"]["code"], "contact_sales");
    // A company id in the body is never honoured: unknown fields are refused.
    let mut body = register_body("Sneaky Co", &cnpj(101));
    body["tenant_id"] = json!("00000000-0000-0000-0000-000000000000");
    assert_eq!(app.post_public("/api/signup/register", body).await.0, 422);

    // Nothing of the refused signups was written.
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&app.pool).await.unwrap();
    assert_eq!(tenants, 1);
}

#[tokio::test]
async fn concurrent_registrations_of_one_slug_or_document_give_one_tenant() {
    let app = spawn_app().await;
    // Same slug, different documents.
    let same_slug =
        join_all((0..8).map(|i| app.post_public("/api/signup/register", register_body("Race Co", &cnpj(200 + i)))))
            .await;
    // Same document, different slugs.
    let same_doc = join_all((0..8).map(|i| {
        let mut body = register_body("Doc Race", &cnpj(300));
        body["slug"] = json!(format!("doc-race-{i}"));
        app.post_public("/api/signup/register", body)
    }))
    .await;
    for (what, results) in [("slug", same_slug), ("document", same_doc)] {
        let created = results.iter().filter(|(s, _)| *s == 201).count();
        assert_eq!(created, 1, "{what}: {results:?}");
        for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
            assert_eq!(*status, 409, "{what}: {body}");
        }
    }
    // Exactly two tenants, each with a complete schema and one owner.
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, schema_name FROM tenants ORDER BY slug").fetch_all(&app.pool).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (_, schema) in rows {
        let owners: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{schema}\".users WHERE role = 'owner'"))
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(owners, 1);
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_namespace n WHERE n.nspname LIKE 't\\_%' \
         AND NOT EXISTS (SELECT 1 FROM tenants t WHERE t.schema_name = n.nspname)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn the_signup_checkout_needs_the_owners_token_from_registration() {
    let app = spawn_app().await;
    let owner = token(&app.register("Acme", &cnpj(1)).await, "access_token");
    app.verify_owner("acme").await;
    let other = token(&app.register("Beta", &cnpj(2)).await, "access_token");
    app.verify_owner("beta").await;
    let ok = format!("{PUBLIC_URL}/billing");
    let body = json!({ "tenant": "acme", "plan": "professional", "success_url": ok, "cancel_url": ok });

    let (status, res) = app.signup_checkout(None, body.clone()).await;
    assert_eq!((status, res["errors"]["code"].as_str()), (401, Some("unauthorized")), "{res}");
    let (status, _) = app.signup_checkout(Some("not-a-token"), body.clone()).await;
    assert_eq!(status, 401);
    // Another workspace's owner.
    let (status, res) = app.signup_checkout(Some(&other), body.clone()).await;
    assert_eq!((status, res["errors"]["code"].as_str()), (403, Some("forbidden")), "{res}");
    // A manager of the workspace is not its owner.
    let manager = json!({ "name": "Mia", "email": "mia@acme.test", "role": "manager", "password": PASSWORD });
    app.as_user(&owner, "acme").post("/api/v1/users", manager, 201).await;
    let mia = token(&app.login_ok("acme", "mia@acme.test", PASSWORD).await, "access_token");
    let (status, _) = app.signup_checkout(Some(&mia), body.clone()).await;
    assert_eq!(status, 403);
    // Nothing was started by the refused calls.
    let charges: i64 = sqlx::query_scalar("SELECT count(*) FROM public.charges").fetch_one(&app.pool).await.unwrap();
    assert_eq!(charges, 0);
    assert_eq!(app.billing_of("acme").await.subscription_id, None);
    let (status, res) = app.signup_checkout(Some(&owner), body).await;
    assert_eq!(status, 200, "{res}");
    assert!(app.billing_of("acme").await.subscription_id.is_some());
    let charges: i64 = sqlx::query_scalar("SELECT count(*) FROM public.charges").fetch_one(&app.pool).await.unwrap();
    assert_eq!(charges, 1);
}

#[tokio::test]
async fn checkout_urls_must_stay_on_this_application() {
    let app = spawn_app().await;
    let owner = token(&app.register("Acme", &cnpj(1)).await, "access_token");
    app.verify_owner("acme").await;
    let checkout = |success: &str, cancel: &str, plan: &str| json!({ "tenant": "acme", "plan": plan, "success_url": success, "cancel_url": cancel });
    let ok = format!("{PUBLIC_URL}/billing");
    for bad in [
        "//evil.example/",
        "javascript:alert(1)",
        "https://evil.example/",
        "http://atrium.test.evil.example/",
        "http://atrium.test@evil.example/",
        "/\\evil.example",
    ] {
        for (success, cancel, field) in [(bad, ok.as_str(), "success_url"), (ok.as_str(), bad, "cancel_url")] {
            let (status, body) = app.signup_checkout(Some(&owner), checkout(success, cancel, "professional")).await;
            assert_eq!(status, 422, "{bad}: {body}");
            assert_eq!(body["errors"][field][0], "must be an address of this application", "{bad}");
        }
    }
    let (status, body) = app.signup_checkout(Some(&owner), checkout(&ok, "/billing", "enterprise")).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["code"], "contact_sales");
    // The token proves acme, not another workspace, existing or not.
    let (status, _) = app
        .signup_checkout(
            Some(&owner),
            json!({ "tenant": "nobody", "plan": "starter", "success_url": ok, "cancel_url": ok }),
        )
        .await;
    assert_eq!(status, 403);

    let (status, body) = app.signup_checkout(Some(&owner), checkout(&ok, "/billing?x=1", "professional")).await;
    assert_eq!(status, 200, "{body}");
    let url = body["data"]["checkout_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{PUBLIC_URL}/checkout/local/pay_local_")), "{url}");
    // The id is the first charge's, and the page is that charge's.
    let reference = url.rsplit('/').next().unwrap();
    let charge = app.charge(reference).await;
    assert_eq!(body["data"]["checkout_id"], charge.id.to_string());
    assert_eq!(
        (charge.kind.as_str(), charge.plan_id.as_deref(), charge.status.as_str()),
        ("subscription", Some("professional"), "pending")
    );
    // The plan changes only when the payment is confirmed.
    let plan: String =
        sqlx::query_scalar("SELECT plan_id FROM tenants WHERE slug = 'acme'").fetch_one(&app.pool).await.unwrap();
    assert_eq!(plan, "starter");
}

#[tokio::test]
async fn signup_is_rate_limited_per_client_address() {
    let settings = Settings { signup_requests_per_minute: 3, ..test_settings() };
    let app = spawn_app_with(settings).await;
    let body = json!({ "document": "529.982.247-25", "document_type": "cpf" });
    for _ in 0..3 {
        assert_eq!(app.post_public("/api/signup/validate-document", body.clone()).await.0, 200);
    }
    let res = app.client.post(app.url("/api/signup/validate-document")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"]["code"], "rate_limited");
}
