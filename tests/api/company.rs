//! The company: its departments and their members, then its own profile.
use serde_json::{json, Value};

use crate::helpers::{spawn_app, staffed, user_id, PASSWORD};

#[tokio::test]
async fn departments_members_and_company() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let o = &t["owner"];
    let res =
        app.post(o, "acme", "/api/v1/departments", json!({ "name": "Suporte Técnico", "max_queue_size": 10 })).await;
    let dept = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(dept["identifier"], "suporte-tecnico");
    assert_eq!(dept["user_count"], 0);
    let again = app
        .post(o, "acme", "/api/v1/departments", json!({ "name": "Suporte técnico" }))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(again["data"]["identifier"], "suporte-tecnico-2");
    let as_owner = app.as_user(o, "acme");
    as_owner.post("/api/v1/departments", json!({ "name": "X", "identifier": "suporte-tecnico" }), 422).await;
    let id = dept["id"].as_str().unwrap();
    let member = user_id(&app, o, "acme", "attendant@acme.test").await;
    let added = as_owner.post(&format!("/api/v1/departments/{id}/users"), json!({ "user_id": member }), 201).await;
    assert_eq!(added["data"]["user_count"], 1);
    let (_, members) = app.get_json(o, "acme", &format!("/api/v1/departments/{id}/users")).await;
    assert_eq!(members["data"][0]["email"], "attendant@acme.test");
    as_owner.delete(&format!("/api/v1/departments/{id}/users/{member}"), 204).await;
    as_owner.delete(&format!("/api/v1/departments/{id}"), 204).await;

    let company = as_owner
        .put(
            "/api/v1/company",
            json!({ "name": "Acme Ltda", "email": "contato@acme.test", "primary_color": "#112233" }),
            200,
        )
        .await["data"]
        .clone();
    assert_eq!(company["name"], "Acme Ltda");
    assert_eq!(company["slug"], "acme");
    assert_eq!(company["plan"], "starter");
    as_owner
        .put(
            "/api/v1/company",
            json!({ "email": "nope", "primary_color": "red", "logo_url": "javascript:alert(1)" }),
            422,
        )
        .await;
    let login = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    assert_eq!(login["tenant"]["name"], "Acme Ltda");
}
