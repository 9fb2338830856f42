use serde_json::Value;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{spawn_app, token, PASSWORD};
use app::server::tenancy::slug::Slug;

#[tokio::test]
async fn same_email_in_two_tenants_is_two_users_who_see_only_their_own_data() {
    let app = spawn_app().await;
    let a = app.tenant("alpha", "ana@example.com", "alpha password one").await;
    let b = app.tenant("beta", "ana@example.com", "beta password two!").await;

    assert_eq!(app.login("alpha", "ana@example.com", "beta password two!").await.status(), 401);
    assert_eq!(app.login("beta", "ana@example.com", "alpha password one").await.status(), 401);
    let in_a = app.login_ok("alpha", "ana@example.com", "alpha password one").await;
    let in_b = app.login_ok("beta", "ana@example.com", "beta password two!").await;

    let me_a: Value = app.get_me(&token(&in_a, "access_token"), "alpha").await.json().await.unwrap();
    let me_b: Value = app.get_me(&token(&in_b, "access_token"), "beta").await.json().await.unwrap();
    assert_eq!(me_a["data"]["id"], a.owner_id.to_string());
    assert_eq!(me_b["data"]["id"], b.owner_id.to_string());
    assert_eq!(me_a["data"]["name"], "Owner of alpha");
    assert_eq!(me_b["data"]["name"], "Owner of beta");
    assert_eq!(in_a["tenant"]["slug"], "alpha");
    assert_eq!(in_b["tenant"]["slug"], "beta");
}

#[tokio::test]
async fn x_tenant_must_be_present_and_equal_to_the_token() {
    let app = spawn_app().await;
    app.tenant("alpha", "ana@example.com", PASSWORD).await;
    app.tenant("beta", "ana@example.com", PASSWORD).await;
    let a = token(&app.login_ok("alpha", "ana@example.com", PASSWORD).await, "access_token");

    assert_eq!(app.get_me(&a, "beta").await.status(), 401, "A's token with B's X-Tenant");
    assert_eq!(app.get_me(&a, "Alpha").await.status(), 401, "compared byte for byte");
    assert_eq!(app.get_me(&a, "alph").await.status(), 401, "a prefix is not equal");
    assert_eq!(app.get_me(&a, "alpha%20").await.status(), 401, "compared byte for byte");
    let missing = app.client.get(app.url("/api/v1/users/me")).bearer_auth(&a).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["errors"]["code"], "unauthorized");
    let no_bearer = app.client.get(app.url("/api/v1/users/me")).header("X-Tenant", "alpha").send().await.unwrap();
    assert_eq!(no_bearer.status(), 401);
    let garbage = app.get_me("not-a-token", "alpha").await;
    assert_eq!(garbage.status(), 401);
    assert_eq!(app.get_me(&a, "alpha").await.status(), 200);
}

#[tokio::test]
async fn a_tenant_transaction_runs_in_its_schema_and_leaves_no_trace_on_the_connection() {
    let app = spawn_app().await;
    app.tenant("alpha", "ana@example.com", PASSWORD).await;
    // One connection, so the "next borrower" is certainly the same connection.
    let pool = PgPoolOptions::new().max_connections(1).connect(&app.db_url).await.unwrap();
    let default_path: String =
        sqlx::query_scalar("SELECT current_setting('search_path')").fetch_one(&pool).await.unwrap();

    let tenant = app.state.tenants.get(&Slug::parse("alpha").unwrap()).await.unwrap().unwrap();
    let mut tx = tenant.db(&pool).begin().await.unwrap();
    let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(tx.conn()).await.unwrap();
    assert_eq!(schema, "t_alpha");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(tx.conn()).await.unwrap();
    assert_eq!(users, 1, "unqualified names resolve inside the tenant's schema");
    tx.commit().await.unwrap();

    let after: String = sqlx::query_scalar("SELECT current_setting('search_path')").fetch_one(&pool).await.unwrap();
    assert_eq!(after, default_path);
    let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()").fetch_one(&pool).await.unwrap();
    assert_ne!(schema.as_deref(), Some("t_alpha"));
    // Outside a tenant context there is no `users` table to read by mistake.
    let escaped = sqlx::query("SELECT * FROM users").fetch_all(&pool).await;
    assert!(escaped.is_err(), "an unqualified tenant query outside the tenant context must fail");
}

#[tokio::test]
async fn a_slug_with_sql_in_it_never_reaches_sql() {
    let app = spawn_app().await;
    app.tenant("alpha", "ana@example.com", PASSWORD).await;
    for evil in
        ["alpha'; DROP TABLE public.tenants; --", "t_alpha\"; DROP SCHEMA t_alpha CASCADE; --", "public", "pg-catalog"]
    {
        assert_eq!(app.login(evil, "ana@example.com", PASSWORD).await.status(), 401, "{evil}");
        let refresh = format!("{evil}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(app.refresh(&refresh).await.status(), 401);
    }
    let a = token(&app.login_ok("alpha", "ana@example.com", PASSWORD).await, "access_token");
    app.as_user(&a, "alpha'; DROP TABLE public.tenants; --").get("/api/v1/users/me", 401).await;
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM public.tenants").fetch_one(&app.pool).await.unwrap();
    assert_eq!(tenants, 1);
    let schema: i64 =
        sqlx::query_scalar("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 't_alpha'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(schema, 1);
}
