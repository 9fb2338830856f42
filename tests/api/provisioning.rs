use std::{process::Stdio, time::Duration};

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

fn atrium(db_url: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_atrium"));
    cmd.env("ATRIUM_ENV", "development")
        .env("DATABASE_URL", db_url)
        .env("ATRIUM_JWT_SECRET", "cli-test-secret-0123456789abcdefghijklmnop")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    cmd
}

async fn counts(app: &TestApp, slug: &str) -> (i64, i64) {
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM public.tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let schemas: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname = $1")
        .bind(format!("t_{}", slug.replace('-', "_")))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    (rows, schemas)
}

#[tokio::test]
async fn tenant_create_killed_midway_leaves_nothing_behind() {
    let app = spawn_app().await;
    for (i, point) in ["provision:registry_row", "provision:schema", "provision:owner"].iter().enumerate() {
        let slug = format!("killed-{i}");
        let mut child = atrium(&app.db_url)
            .env("ATRIUM_PAUSE_AT", point)
            .args([
                "tenant",
                "create",
                "--slug",
                &slug,
                "--name",
                "Killed",
                "--owner-email",
                "o@k.test",
                "--owner-name",
                "O",
            ])
            .args(["--owner-password", PASSWORD])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let paused = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.contains("paused at") {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap();
        assert!(paused, "the CLI reached {point}");
        child.start_kill().unwrap();
        child.wait().await.unwrap();
        // The server notices the dead client and rolls back; give it a moment.
        let mut state = (1, 1);
        for _ in 0..50 {
            state = counts(&app, &slug).await;
            if state == (0, 0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(state, (0, 0), "killed at {point}: no registry row and no schema");
    }

    // And a run that is not killed creates the whole tenant.
    let out = atrium(&app.db_url)
        .args([
            "tenant",
            "create",
            "--slug",
            "whole",
            "--name",
            "Whole",
            "--owner-email",
            "o@w.test",
            "--owner-name",
            "O",
        ])
        .args(["--owner-password", PASSWORD])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(counts(&app, "whole").await, (1, 1));
    app.login_ok("whole", "o@w.test", PASSWORD).await;

    let again = atrium(&app.db_url)
        .args([
            "tenant",
            "create",
            "--slug",
            "whole",
            "--name",
            "Again",
            "--owner-email",
            "x@w.test",
            "--owner-name",
            "X",
        ])
        .args(["--owner-password", PASSWORD])
        .output()
        .await
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already taken"));
}

#[tokio::test]
async fn migrate_is_idempotent_and_reports_a_failing_tenant_without_stopping() {
    let app = spawn_app().await;
    app.tenant("good-one", "o@g.test", PASSWORD).await;
    app.tenant("broken", "o@b.test", PASSWORD).await;
    app.tenant("good-two", "o@g.test", PASSWORD).await;

    let out = atrium(&app.db_url).arg("migrate").output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already up to date: 3"));

    // Forget that `broken` has its refresh_tokens table: re-applying that migration fails there.
    sqlx::query("DELETE FROM t_broken.schema_migrations WHERE version = 2").execute(&app.pool).await.unwrap();
    sqlx::query("DELETE FROM t_good_two.schema_migrations WHERE version = 2").execute(&app.pool).await.unwrap();
    sqlx::query("DROP TABLE t_good_two.refresh_tokens").execute(&app.pool).await.unwrap();
    let out = atrium(&app.db_url).arg("migrate").output().await.unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tenant broken"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("tenants migrated: 1"), "good-two was still migrated");
    let restored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM t_good_two.refresh_tokens").fetch_one(&app.pool).await.unwrap();
    assert_eq!(restored, 0);
}

#[tokio::test]
async fn a_migration_rewritten_without_changing_what_it_does_is_up_to_date_but_an_edited_one_is_refused() {
    let app = spawn_app().await;
    app.tenant("early", "o@e.test", PASSWORD).await;
    // `early` applied the first text of migration 6 (before its backfill became a CTE).
    let first_text = "a049c147f744e35380632ced330f66b69a88660f926de91b6937f08d6db6d94e41f2d0ebb2313d8b56c3ea8da6338d91";
    let set_checksum = |hex: &'static str| {
        sqlx::query("UPDATE t_early.schema_migrations SET checksum = decode($1, 'hex') WHERE version = 6")
            .bind(hex)
            .execute(&app.pool)
    };
    set_checksum(first_text).await.unwrap();
    let out = atrium(&app.db_url).arg("migrate").output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already up to date: 1"));

    set_checksum("00").await.unwrap();
    let out = atrium(&app.db_url).arg("migrate").output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("migration 6 was changed after it was applied"));
}

#[tokio::test]
async fn a_spare_schema_is_claimed_renamed_brought_up_to_date_and_replaced() {
    use app::server::{migrate, services::provisioning};
    let app = spawn_app().await;
    // Two spares, whatever the start-up refill has made by now.
    provisioning::make_spare(&app.pool).await.unwrap();
    provisioning::make_spare(&app.pool).await.unwrap();
    let spares: Vec<String> = sqlx::query_scalar("SELECT schema_name FROM spare_schemas ORDER BY inserted_at")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(spares.len() >= 2, "{spares:?}");
    // Simulate a spare made before tenant migration 0003 (and every later one).
    let oldest = &spares[0];
    let third = migrate::TENANT.iter().map(|m| m.version).nth(2).unwrap();
    sqlx::query(&format!("DELETE FROM \"{oldest}\".schema_migrations WHERE version >= {third}"))
        .execute(&app.pool)
        .await
        .unwrap();
    for statement in [
        "DROP TABLE {s}.webhooks",
        "DROP TABLE {s}.api_keys",
        "DROP TABLE {s}.user_sessions, {s}.mfa_recovery_codes",
        "ALTER TABLE {s}.users DROP COLUMN mfa_secret, DROP COLUMN mfa_pending_secret, \
         DROP COLUMN mfa_enabled_at, DROP COLUMN mfa_last_step, DROP COLUMN last_sign_in_at, \
         DROP COLUMN name_lower, DROP COLUMN email_lower",
        "DROP TABLE {s}.known_devices, {s}.user_tokens, {s}.user_invitations",
        "DROP INDEX {s}.users_name_order_idx, {s}.users_email_order_idx, {s}.users_role_order_idx, \
         {s}.users_inserted_order_idx",
        "DROP TABLE {s}.department_members, {s}.departments, {s}.company",
    ] {
        sqlx::query(&statement.replace("{s}", &format!("\"{oldest}\""))).execute(&app.pool).await.unwrap();
    }

    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    // The oldest spare became the tenant's schema, complete and up to date.
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(oldest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!exists, "the spare was renamed");
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM t_acme.schema_migrations ORDER BY version")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(versions, migrate::TENANT.iter().map(|m| m.version).collect::<Vec<_>>());
    let company: i64 = sqlx::query_scalar("SELECT count(*) FROM t_acme.company").fetch_one(&app.pool).await.unwrap();
    assert_eq!(company, 1);
    app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let left: Vec<String> =
        sqlx::query_scalar("SELECT schema_name FROM spare_schemas").fetch_all(&app.pool).await.unwrap();
    assert!(!left.contains(oldest));
    // Without spares, provisioning creates the schema itself.
    sqlx::query("DELETE FROM spare_schemas").execute(&app.pool).await.unwrap();
    app.tenant("beta", "owner@beta.test", PASSWORD).await;
    app.login_ok("beta", "owner@beta.test", PASSWORD).await;
}
