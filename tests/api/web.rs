use reqwest::{header, Client};
use serde_json::json;

use crate::helpers::{browser, spawn_app, token, TestApp, PASSWORD, PUBLIC_URL};

async fn form_login(app: &TestApp, client: &Client, tenant: &str, password: &str) -> reqwest::Response {
    client
        .post(app.url("/rpc/login"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/login"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("tenant", tenant), ("email", "owner@acme.test"), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn pages_need_a_session_and_the_plain_form_signs_in() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let client = browser();

    let res = client.get(app.url("/?tab=1")).send().await.unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(location(&res), "/login?next=/%3Ftab%3D1");

    let res = form_login(&app, &client, "acme", "wrong password!").await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/login?error=invalid_credentials"), "{}", location(&res));

    let res = form_login(&app, &client, "acme", PASSWORD).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/");
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("atrium_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP in tests");

    let res = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Company acme"), "dashboard shows the company");
    assert!(html.contains("Owner of acme"));
    assert!(html.contains("Starter"), "and the plan");
}

#[tokio::test]
async fn signing_in_again_issues_a_new_session_id() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let client = browser();
    let first = form_login(&app, &client, "acme", PASSWORD).await;
    let id = |res: &reqwest::Response| {
        res.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("atrium_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let a = id(&first);
    let b = id(&form_login(&app, &client, "acme", PASSWORD).await);
    assert_ne!(a, b);
    // The old id is no longer a session.
    let stale = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = stale.get(app.url("/")).header(header::COOKIE, a).send().await.unwrap();
    assert!(res.status().is_redirection());
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let client = browser();
    let res = client
        .post(app.url("/rpc/login"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("tenant", "acme"), ("email", "owner@acme.test"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client.post(app.url("/rpc/logout")).header(header::ORIGIN, "http://evil.example").send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_password_change_ends_web_sessions() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let client = browser();
    assert_eq!(form_login(&app, &client, "acme", PASSWORD).await.status(), 302);
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);

    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    app.as_user(&access, "acme")
        .put("/api/v1/users/me", json!({ "current_password": PASSWORD, "password": "another long passphrase" }), 200)
        .await;

    let res = client.get(app.url("/")).send().await.unwrap();
    assert!(res.status().is_redirection(), "the session ended");
}

#[tokio::test]
async fn language_follows_choice_then_user_then_browser() {
    let app = spawn_app().await;
    let client = browser();
    let page = |lang: &'static str| client.get(app.url("/login")).header(header::ACCEPT_LANGUAGE, lang).send();
    let es = page("es-AR,es;q=0.9").await.unwrap().text().await.unwrap();
    assert!(es.contains("lang=\"es\"") && es.contains("Iniciar sesión"));
    let pt = page("fr").await.unwrap().text().await.unwrap();
    assert!(pt.contains("lang=\"pt-BR\"") && pt.contains("Entrar"), "Portuguese by default");

    let res = client
        .post(app.url("/rpc/set_locale"))
        .header(header::ACCEPT, "text/html")
        .form(&[("locale", "en"), ("back", "/login")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login");
    let en = page("es").await.unwrap().text().await.unwrap();
    assert!(en.contains("lang=\"en\"") && en.contains("Sign in"), "the explicit choice wins");
}

/// The signup pages without JavaScript: three plain form posts, the local checkout, the dashboard.
#[tokio::test]
async fn signup_pages_work_as_plain_forms_through_the_local_checkout() {
    let app = spawn_app().await;
    let client = browser();
    // As a browser posts a form: HTML wanted, the page it came from as Referer.
    let post = |path: &str, form: &[(&str, &str)]| {
        client.post(app.url(path)).header("accept", "text/html").header("referer", app.url("/signup")).form(form).send()
    };
    let location = |res: &reqwest::Response| {
        res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    };
    let page = client.get(app.url("/signup")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("signup-company"));

    // A wrong check digit comes back to the form with the reason, and what was typed.
    let res = post(
        "/rpc/signup_company",
        &[
            ("company_name", "Sem Script Ltda"),
            ("document_type", "cnpj"),
            ("document", "11.222.333/0001-82"),
            ("slug", ""),
        ],
    )
    .await
    .unwrap();
    // Back to the form, whose address carries neither the error nor what was typed.
    assert_eq!(location(&res), "/signup");
    let html = client.get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sem Script Ltda") && html.contains("11.222.333/0001-82"));
    assert!(html.contains("data-testid=\"form-error\""), "the error is shown");
    // Once: a reload shows the form without the error.
    let again = client.get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("data-testid=\"form-error\""), "the error is shown once");

    let res = post(
        "/rpc/signup_company",
        &[("company_name", "Sem Script Ltda"), ("document_type", "cnpj"), ("document", "11222333000181"), ("slug", "")],
    )
    .await
    .unwrap();
    assert_eq!(location(&res), "/signup");
    let html = client.get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("signup-admin"), "the admin step follows");
    let res = post(
        "/rpc/signup_admin",
        &[
            ("admin_name", "Alice"),
            ("admin_email", "alice@semscript.test"),
            ("admin_password", "a quiet harbour at dawn"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(location(&res), "/signup");
    let html = client.get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("signup-plan") && html.contains("R$ 99,00") && html.contains("R$ 699,00"));
    let res = post("/rpc/signup_plan", &[("plan", "starter")]).await.unwrap();
    // The workspace exists and Alice is signed in; paying waits until she confirms her address.
    assert_eq!(location(&res), "/billing");
    let billing = client.get(app.url("/billing")).send().await.unwrap().text().await.unwrap();
    assert!(billing.contains("unverified-banner"), "the banner says why");
    let (_, link) = app.mail_with_link("alice@semscript.test", "/verify-email#").await;
    let token = link.split_once('#').unwrap().1;
    let res = post("/rpc/verify_email", &[("token", token)]).await.unwrap();
    assert_eq!(location(&res), "/?notice=email_verified");
    let res = post("/rpc/change_subscription", &[("plan", "starter")]).await.unwrap();
    let checkout = location(&res);
    let path = checkout.strip_prefix(PUBLIC_URL).unwrap_or_else(|| panic!("{checkout}"));
    assert!(path.starts_with("/checkout/local/"), "{checkout}");
    let reference = path.rsplit('/').next().unwrap();
    let res = post("/rpc/finish_local_checkout", &[("reference", reference), ("outcome", "pay")]).await.unwrap();
    assert_eq!(location(&res), format!("{PUBLIC_URL}/billing?notice=paid"));

    // Signed in as the new owner, on an active Starter plan.
    let dashboard = client.get(app.url("/?notice=subscribed")).send().await.unwrap();
    assert_eq!(dashboard.status(), 200);
    let html = dashboard.text().await.unwrap();
    assert!(html.contains("Sem Script Ltda") && html.contains("Alice"), "dashboard");
    assert!(html.contains("Starter"));
    let billing = client.get(app.url("/billing")).send().await.unwrap().text().await.unwrap();
    assert!(billing.contains("1 / 5") && billing.contains("0 / 3"), "usage bars");
}

#[tokio::test]
async fn next_after_sign_in_stays_on_this_site_whatever_it_hides() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    for (next, expected) in [
        ("/users?page=2", "/users?page=2"),
        ("/\t/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
    ] {
        let res = browser()
            .post(app.url("/rpc/login"))
            .header(header::ACCEPT, "text/html")
            .header("Sec-Fetch-Site", "same-origin")
            .form(&[("tenant", "acme"), ("email", "owner@acme.test"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302, "{next:?}");
        assert_eq!(location(&res), expected, "{next:?}");
    }
}

/// The `name=value` of the session cookie an answer sets, if it sets one.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("atrium_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

#[tokio::test]
async fn a_password_change_in_the_browser_renews_its_session_id_and_ends_the_others() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let plain = || Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let here = plain();
    let signed_in = form_login(&app, &here, "acme", PASSWORD).await;
    let cookie = session_cookie(&signed_in).unwrap();
    let elsewhere = session_cookie(&form_login(&app, &plain(), "acme", PASSWORD).await).unwrap();
    let api = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");

    let res = here
        .post(app.url("/rpc/save_profile"))
        .header(header::COOKIE, &cookie)
        .form(&[
            ("name", "Owner"),
            ("locale", "en"),
            ("current_password", PASSWORD),
            ("password", "a brand new passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let renewed = session_cookie(&res).expect("a new session id");
    assert_ne!(renewed, cookie);
    let page = |cookie: String| {
        let client = plain();
        let url = app.url("/profile");
        async move { client.get(url).header(header::COOKIE, cookie).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(page(renewed).await, 200, "this browser stays signed in");
    assert_eq!(page(cookie).await, 303, "a copy of its old cookie does not");
    assert_eq!(page(elsewhere).await, 303, "another browser is signed out");
    assert_eq!(app.get_me(&api, "acme").await.status(), 401, "and so are API clients");
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_pages_allow_only_their_own_inline_scripts() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let header = |res: &reqwest::Response, name: &str| {
        res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    };
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(header(&res, "x-frame-options"), "DENY");
    assert_eq!(header(&res, "referrer-policy"), "strict-origin-when-cross-origin");
    assert_eq!(header(&res, "strict-transport-security"), "", "no HSTS over plain http");
    let policy = header(&res, "content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_string();
    let html = res.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every inline script carries the nonce");

    // Another page load, another nonce.
    let again = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(!header(&again, "content-security-policy").contains(&nonce));

    // API answers: the same headers, a policy with no inline script at all.
    let api = app.client.get(app.url("/api/v1/users/me")).send().await.unwrap();
    assert_eq!(api.status(), 401);
    assert_eq!(header(&api, "x-content-type-options"), "nosniff");
    assert_eq!(header(&api, "x-frame-options"), "DENY");
    let policy = header(&api, "content-security-policy");
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'") && !policy.contains("nonce"), "{policy}");
}

#[tokio::test]
async fn served_over_https_answers_carry_hsts() {
    let app = crate::helpers::spawn_app_with(app::server::settings::Settings {
        https: true,
        ..crate::helpers::test_settings()
    })
    .await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    let hsts = res.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(hsts.as_deref(), Some("max-age=63072000; includeSubDomains"));
}

#[tokio::test]
async fn pages_and_large_answers_are_compressed_as_the_client_accepts_small_ones_are_not() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    // Room for a page of 20 users.
    app.move_to_plan("acme", "enterprise").await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    for i in 0..20 {
        let body = json!({ "name": format!("Person {i:02}"), "email": format!("p{i}@acme.test"), "role": "attendant", "password": PASSWORD });
        app.as_user(&owner, "acme").post("/api/v1/users", body, 201).await;
    }
    let get = |path: &str, encoding: Option<&str>| {
        let mut req = app.client.get(app.url(path)).bearer_auth(&owner).header("x-tenant", "acme");
        if let Some(encoding) = encoding {
            req = req.header(header::ACCEPT_ENCODING, encoding);
        }
        req.send()
    };
    let encoding =
        |res: &reqwest::Response| res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_string());

    for path in ["/login", "/api/v1/users?page_size=20"] {
        let plain = get(path, None).await.unwrap();
        assert_eq!(encoding(&plain), None, "{path}: nothing asked, nothing compressed");
        let plain_len = plain.bytes().await.unwrap().len();
        assert!(plain_len > 1024, "{path}: {plain_len} bytes");
        for (asked, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
            let res = get(path, Some(asked)).await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(encoding(&res).as_deref(), Some(expected), "{path} with {asked}");
            assert!(res.headers()[header::VARY].to_str().unwrap().to_lowercase().contains("accept-encoding"));
            let compressed_len = res.bytes().await.unwrap().len();
            assert!(compressed_len * 2 < plain_len, "{path} {expected}: {compressed_len} of {plain_len} bytes");
        }
    }
    let small = get("/api/v1/users/me", Some("br, gzip")).await.unwrap();
    assert_eq!(encoding(&small), None, "an answer under 1 KB goes as it is");
}
