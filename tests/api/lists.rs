//! Lists at size: every sort and filter answers what a brute-force query over the same rows
//! answers (by page numbers and by cursor), cursors survive concurrent inserts and refuse
//! forgery, totals are capped, and every page query is an index scan.
use std::collections::HashSet;

use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{spawn_app, token, TestApp, PASSWORD};
use app::server::{
    db::tenant::{
        departments::{self, DepartmentFilter, DepartmentSort},
        users::{self, UserFilter, UserSort},
    },
    tenancy::slug::Slug,
};

/// `n` more users in `slug` (named and mailed so that names and emails sort differently, a
/// spread of roles, every seventh inactive), straight into the table.
async fn seed(app: &TestApp, slug: &str, n: i64) {
    let schema = Slug::parse(slug).unwrap().schema_name().quoted();
    sqlx::query(&format!(
        "INSERT INTO {schema}.users (id, name, email, password_hash, role, active, inserted_at) \
         SELECT gen_random_uuid(), 'Person ' || md5(g::text), 'p' || g || '-' || substr(md5(g::text), 1, 5) || '@x.test', \
                NULL, (ARRAY['attendant', 'supervisor', 'manager', 'owner'])[1 + g % 4], g % 7 <> 0, \
                now() - (g % 50) * interval '1 hour' \
         FROM generate_series(1, $1) g"
    ))
    .bind(n)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(&format!("ANALYZE {schema}.users")).execute(&app.pool).await.unwrap();
}

async fn owner_of(app: &TestApp, slug: &str) -> String {
    app.tenant(slug, &format!("owner@{slug}.test"), PASSWORD).await;
    token(&app.login_ok(slug, &format!("owner@{slug}.test"), PASSWORD).await, "access_token")
}

fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
}

/// Every id of the list at `query`, walking `page=1..` and, separately, the cursors.
async fn walk(app: &TestApp, owner: &str, query: &str) -> (Vec<String>, Vec<String>, i64) {
    let client = app.as_user(owner, "acme");
    let mut by_page = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let body = client.get(&format!("/api/v1/users?{query}&page_size=100&page={page}"), 200).await;
        total = body["meta"]["total_count"].as_i64().unwrap();
        let got = ids(&body);
        if got.is_empty() {
            break;
        }
        by_page.extend(got);
    }
    let mut by_cursor = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let cursor = next.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let body = client.get(&format!("/api/v1/users?{query}&page_size=100{cursor}"), 200).await;
        by_cursor.extend(ids(&body));
        match body["meta"]["next_cursor"].as_str() {
            Some(c) => next = Some(c.to_string()),
            None => break,
        }
    }
    (by_page, by_cursor, total)
}

#[tokio::test]
async fn every_sort_and_filter_answers_what_a_brute_force_query_answers() {
    let app = spawn_app().await;
    let owner = owner_of(&app, "acme").await;
    seed(&app, "acme", 450).await;
    let sorts = [
        ("name", "lower(name)"),
        ("email", "lower(email)"),
        ("role", "CASE role WHEN 'attendant' THEN 1 WHEN 'supervisor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END"),
        ("inserted_at", "inserted_at"),
    ];
    // (query string, the same filter in plain SQL without the trigram path)
    let filters = [
        ("", "true"),
        ("search=A1", "(strpos(lower(name), 'a1') > 0 OR strpos(lower(email), 'a1') > 0)"),
        ("role=manager&active=true", "role = 'manager' AND active"),
        ("search=p1&active=false", "(strpos(lower(name), 'p1') > 0 OR strpos(lower(email), 'p1') > 0) AND NOT active"),
        // Terms of three characters or more are looked up through the trigram indexes first.
        ("search=a1b", "(strpos(lower(name), 'a1b') > 0 OR strpos(lower(email), 'a1b') > 0)"),
        (
            "search=SON&role=owner",
            "(strpos(lower(name), 'son') > 0 OR strpos(lower(email), 'son') > 0) AND role = 'owner'",
        ),
    ];
    for (sort, expr) in sorts {
        for dir in ["asc", "desc"] {
            for (query, condition) in filters {
                let expected: Vec<Uuid> = sqlx::query_scalar(&format!(
                    "SELECT id FROM t_acme.users WHERE {condition} ORDER BY {expr} {dir}, id {dir}"
                ))
                .fetch_all(&app.pool)
                .await
                .unwrap();
                let expected: Vec<String> = expected.iter().map(Uuid::to_string).collect();
                let q = format!("sort_by={sort}&sort_order={dir}&{query}");
                let (by_page, by_cursor, total) = walk(&app, &owner, &q).await;
                assert_eq!(by_page, expected, "pages of {q}");
                assert_eq!(by_cursor, expected, "cursors of {q}");
                assert_eq!(total, expected.len() as i64, "total of {q}");
            }
        }
    }
}

#[tokio::test]
async fn cursor_paging_visits_every_row_once_while_rows_are_added() {
    let app = spawn_app().await;
    let owner = owner_of(&app, "acme").await;
    seed(&app, "acme", 300).await;
    let before: HashSet<String> = sqlx::query_scalar::<_, Uuid>("SELECT id FROM t_acme.users")
        .fetch_all(&app.pool)
        .await
        .unwrap()
        .iter()
        .map(Uuid::to_string)
        .collect();
    let pool = app.pool.clone();
    let writer = tokio::spawn(async move {
        for i in 0..60 {
            sqlx::query(
                "INSERT INTO t_acme.users (id, name, email, role) VALUES (gen_random_uuid(), $1, $2, 'attendant')",
            )
            .bind(format!("Person {:02x}{i}", (i * 37) % 256))
            .bind(format!("late{i}@x.test"))
            .execute(&pool)
            .await
            .unwrap();
            tokio::task::yield_now().await;
        }
    });
    let client = app.as_user(&owner, "acme");
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let cursor = next.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let body = client.get(&format!("/api/v1/users?page_size=7{cursor}"), 200).await;
        assert!(body["meta"]["current_page"].is_null() || next.is_none());
        seen.extend(ids(&body));
        match body["meta"]["next_cursor"].as_str() {
            Some(c) => next = Some(c.to_string()),
            None => break,
        }
    }
    writer.await.unwrap();
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    assert!(before.is_subset(&unique), "every row present from the start was visited");
}

#[tokio::test]
async fn a_forged_or_foreign_cursor_is_refused() {
    let app = spawn_app().await;
    let owner = owner_of(&app, "acme").await;
    let other = owner_of(&app, "beta").await;
    seed(&app, "acme", 30).await;
    seed(&app, "beta", 30).await;
    let acme = app.as_user(&owner, "acme");
    let first = acme.get("/api/v1/users?page_size=5&sort_by=email", 200).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    let second = acme.get(&format!("/api/v1/users?page_size=5&cursor={cursor}"), 200).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 5, "the cursor keeps its sort");

    // Another tenant's cursor answers 422, never that tenant's rows.
    let refused = app.as_user(&other, "beta").get(&format!("/api/v1/users?cursor={cursor}"), 422).await;
    assert_eq!(refused["errors"]["cursor"][0], "is invalid");
    // An edited cursor (a different position, same signature), junk, and the wrong list.
    let (body, tag) = cursor.split_once('.').unwrap();
    let forged = format!("{}A.{tag}", &body[..body.len() - 1]);
    for bad in [forged.as_str(), "junk", "a.b", &format!("{body}.")] {
        acme.get(&format!("/api/v1/users?cursor={bad}"), 422).await;
    }
    acme.get(&format!("/api/v1/departments?cursor={cursor}"), 422).await;
    // A cursor keeps its sort and does not mix with page numbers.
    acme.get(&format!("/api/v1/users?cursor={cursor}&sort_by=name"), 422).await;
    acme.get(&format!("/api/v1/users?cursor={cursor}&sort_by=email&sort_order=asc"), 200).await;
    acme.get(&format!("/api/v1/users?cursor={cursor}&page=2"), 422).await;
}

#[tokio::test]
async fn totals_are_exact_up_to_a_thousand_then_capped() {
    let app = spawn_app().await;
    let owner = owner_of(&app, "acme").await;
    seed(&app, "acme", 2_000).await;
    let client = app.as_user(&owner, "acme");
    let all = client.get("/api/v1/users?page_size=10", 200).await;
    assert_eq!(all["meta"]["total_count"], 1_000);
    assert_eq!(all["meta"]["total_count_capped"], true);
    assert_eq!(all["meta"]["total_pages"], 100);
    // Pages past the capped count still answer, and say whether more follow.
    let deep = client.get("/api/v1/users?page_size=10&page=150", 200).await;
    assert_eq!(deep["data"].as_array().unwrap().len(), 10);
    assert!(deep["meta"]["next_cursor"].is_string());
    // A search matching more than a capful: its collected matches say so, and the index walk
    // serves the page, deep pages included.
    let searched = "strpos(lower(name), 'person') > 0 OR strpos(lower(email), 'person') > 0";
    for (page, offset) in [(1, 0), (150, 1_490)] {
        let body = client.get(&format!("/api/v1/users?search=person&page_size=10&page={page}"), 200).await;
        let expected: Vec<Uuid> = sqlx::query_scalar(&format!(
            "SELECT id FROM t_acme.users WHERE {searched} ORDER BY lower(name), id OFFSET {offset} LIMIT 10"
        ))
        .fetch_all(&app.pool)
        .await
        .unwrap();
        assert_eq!(ids(&body), expected.iter().map(Uuid::to_string).collect::<Vec<_>>(), "search page {page}");
        assert_eq!(body["meta"]["total_count"], 1_000);
        assert_eq!(body["meta"]["total_count_capped"], true);
    }
    let managers = client.get("/api/v1/users?role=manager", 200).await;
    let expected: i64 = sqlx::query_scalar("SELECT count(*) FROM t_acme.users WHERE role = 'manager'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(managers["meta"]["total_count"], expected);
    assert_eq!(managers["meta"]["total_count_capped"], false);
    // Past the end: no rows, the same total.
    let past = client.get("/api/v1/users?role=manager&page=100000", 200).await;
    assert_eq!(past["meta"]["total_count"], expected);
    assert!(past["meta"]["next_cursor"].is_null());
}

/// Whether a plan node (or one below it) reads the whole table: a Seq Scan under a Sort.
fn sorts_a_seq_scan(node: &Value, under_sort: bool) -> bool {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    if under_sort && kind == "Seq Scan" {
        return true;
    }
    let under_sort = under_sort || kind == "Sort" || kind == "Incremental Sort";
    node["Plans"].as_array().is_some_and(|plans| plans.iter().any(|p| sorts_a_seq_scan(p, under_sort)))
}

#[tokio::test]
async fn every_sort_of_the_users_list_is_an_index_scan() {
    let app = spawn_app().await;
    let _ = owner_of(&app, "acme").await;
    seed(&app, "acme", 20_000).await;
    // As autovacuum leaves a table that is read more than written: pages all-visible. A vacuum
    // marks none while an older transaction is open (the app's spare schemas being made at
    // start-up), so it goes again until it could.
    for _ in 0..100 {
        sqlx::query("VACUUM ANALYZE t_acme.users").execute(&app.pool).await.unwrap();
        let (pages, visible): (i32, i32) =
            sqlx::query_as("SELECT relpages, relallvisible FROM pg_class WHERE oid = 't_acme.users'::regclass")
                .fetch_one(&app.pool)
                .await
                .unwrap();
        if visible == pages {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let tenant = app.state.tenants.get(&Slug::parse("acme").unwrap()).await.unwrap().unwrap();
    let db = tenant.db(&app.pool);
    for sort in [UserSort::Name, UserSort::Email, UserSort::Role, UserSort::InsertedAt] {
        for (descending, offset) in [(false, 0), (true, 0), (false, 5_000), (true, 5_000)] {
            let filter =
                UserFilter { search: None, role: None, active: None, sort, descending, limit: 20, offset, after: None };
            let plan = users::explain_list(&db, &filter).await.unwrap();
            let root = &plan[0]["Plan"];
            assert!(!sorts_a_seq_scan(root, false), "{sort:?} desc={descending} offset={offset}: {plan:#}");
            // A deep page skips index entries, not rows: the sort's index covers what the skip reads.
            if offset > 0 {
                assert!(plan.to_string().contains("Index Only Scan"), "{sort:?} desc={descending}: {plan:#}");
            }
        }
    }
    // A search uses the trigram indexes instead of reading every row.
    let filter = UserFilter {
        search: Some("abc"),
        role: None,
        active: None,
        sort: UserSort::Name,
        descending: false,
        limit: 20,
        offset: 0,
        after: None,
    };
    let plan = users::explain_list(&db, &filter).await.unwrap().to_string();
    assert!(plan.contains("users_name_trgm_idx") && plan.contains("users_email_trgm_idx"), "{plan}");

    sqlx::query(
        "INSERT INTO t_acme.departments (id, name, identifier) \
         SELECT gen_random_uuid(), 'Team ' || md5(g::text), 'team-' || g FROM generate_series(1, 20000) g",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE t_acme.departments").execute(&app.pool).await.unwrap();
    for sort in [DepartmentSort::Name, DepartmentSort::InsertedAt] {
        for descending in [false, true] {
            let filter =
                DepartmentFilter { search: None, active: None, sort, descending, limit: 20, offset: 0, after: None };
            let plan = departments::explain_list(&db, &filter).await.unwrap();
            assert!(!sorts_a_seq_scan(&plan[0]["Plan"], false), "{sort:?} desc={descending}: {plan:#}");
        }
    }
}

#[tokio::test]
async fn the_departments_list_pages_by_number_and_by_cursor_like_a_brute_force_query() {
    let app = spawn_app().await;
    let owner = owner_of(&app, "acme").await;
    sqlx::query(
        "INSERT INTO t_acme.departments (id, name, identifier, active, inserted_at) \
         SELECT gen_random_uuid(), 'Team ' || md5(g::text), 'team-' || g, g % 5 <> 0, now() - (g % 40) * interval '1 hour' \
         FROM generate_series(1, 130) g",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let client = app.as_user(&owner, "acme");
    for (sort, expr) in [("name", "lower(name)"), ("inserted_at", "inserted_at")] {
        for dir in ["asc", "desc"] {
            for (query, condition) in [
                ("", "true"),
                (
                    "active=true&search=a",
                    "active AND (strpos(lower(name), 'a') > 0 OR strpos(lower(identifier), 'a') > 0)",
                ),
            ] {
                let expected: Vec<Uuid> = sqlx::query_scalar(&format!(
                    "SELECT id FROM t_acme.departments WHERE {condition} ORDER BY {expr} {dir}, id {dir}"
                ))
                .fetch_all(&app.pool)
                .await
                .unwrap();
                let expected: Vec<String> = expected.iter().map(Uuid::to_string).collect();
                let base = format!("/api/v1/departments?sort_by={sort}&sort_order={dir}&{query}&page_size=17");
                let mut by_cursor = Vec::new();
                let mut next: Option<String> = None;
                loop {
                    let cursor = next.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default();
                    let body = client.get(&format!("{base}{cursor}"), 200).await;
                    assert_eq!(body["meta"]["total_count"], expected.len(), "{base}");
                    by_cursor.extend(ids(&body));
                    match body["meta"]["next_cursor"].as_str() {
                        Some(c) => next = Some(c.to_string()),
                        None => break,
                    }
                }
                assert_eq!(by_cursor, expected, "cursors of {base}");
                let third = client.get(&format!("{base}&page=3"), 200).await;
                assert_eq!(ids(&third), expected[34..51.min(expected.len())].to_vec(), "page 3 of {base}");
            }
        }
    }
}
