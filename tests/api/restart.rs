//! The database restarts under load: requests answer 503 (never 500) while it is away or while a
//! pooled connection turns out dead, `/readyz` says so, and everything succeeds again once it is
//! back. The test runs its own PostgreSQL cluster, since it stops and starts the server.
use std::{
    path::PathBuf,
    process::Command,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use reqwest::Client;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::helpers::{atrium_process, serve, PASSWORD};

/// A throwaway PostgreSQL cluster listening on a Unix socket in its own folder.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
}

fn pg_bin() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("pg_ctl").exists() && dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("pg_ctl").exists()).collect())
        .unwrap_or_default();
    found.sort_by_key(|p| p.to_string_lossy().split('/').nth(4).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0));
    found.pop().expect("PostgreSQL server binaries (pg_ctl, initdb)")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    fn new() -> Cluster {
        let dir = std::env::temp_dir().join(format!("atrium-restart-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("run")).unwrap();
        let cluster = Cluster { dir, bin: pg_bin() };
        if is_root() {
            // postgres refuses to run as root: the cluster belongs to the `postgres` user.
            assert!(Command::new("chown").args(["-R", "postgres"]).arg(&cluster.dir).status().unwrap().success());
        }
        let data = cluster.dir.join("data");
        cluster.pg(&format!(
            "{}/initdb -D {} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null",
            cluster.bin.display(),
            data.display()
        ));
        cluster.start();
        cluster
    }

    /// Runs a shell command as the cluster's owner.
    fn pg(&self, command: &str) {
        let status = if is_root() {
            Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", command]).status()
        } else {
            Command::new("sh").args(["-c", command]).status()
        };
        assert!(status.unwrap().success(), "{command}");
    }

    fn start(&self) {
        self.pg(&format!(
            "{}/pg_ctl -D {}/data -l {}/log -w -t 60 start -o \"-c listen_addresses='' -k {}/run\" >/dev/null",
            self.bin.display(),
            self.dir.display(),
            self.dir.display(),
            self.dir.display()
        ));
    }

    /// Stops the server as a restart does: every backend is told to exit (fast shutdown).
    fn stop(&self) {
        self.pg(&format!("{}/pg_ctl -D {}/data -m fast -w stop >/dev/null", self.bin.display(), self.dir.display()));
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@localhost/{db}?host={}/run", self.dir.display())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stop =
            format!("{}/pg_ctl -D {}/data -m immediate stop >/dev/null 2>&1", self.bin.display(), self.dir.display());
        let _ = if is_root() {
            Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", &stop]).status()
        } else {
            Command::new("sh").args(["-c", &stop]).status()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether `/readyz` answers `status` within `tries` tenths of a second.
async fn readyz_becomes(client: &Client, base: &str, status: u16, tries: u32) -> bool {
    for _ in 0..tries {
        if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().as_u16() == status) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_database_restart_under_load_answers_503_not_500_and_then_recovers() {
    let cluster = Cluster::new();
    let db = cluster.url("postgres");
    let secret = "restart-test-secret-0123456789abcdefghij";
    let done = atrium_process(&db, secret).arg("migrate").status().await.unwrap();
    assert!(done.success());
    let created = atrium_process(&db, secret)
        .args(["tenant", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "owner@acme.test"])
        .args(["--owner-name", "Owner", "--owner-password", PASSWORD])
        .status()
        .await
        .unwrap();
    assert!(created.success());
    // The load is far beyond the plan's API quota, which this test is not about.
    let mut admin = sqlx::PgConnection::connect(&db).await.unwrap();
    sqlx::query("UPDATE public.plans SET api_requests_per_minute = 1000000").execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    let mut cmd = atrium_process(&db, secret);
    cmd.env("ATRIUM_SPARE_SCHEMAS", "0").env("ATRIUM_DB_POOL_SIZE", "6");
    let (_node, base) = serve(cmd).await;
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let body = json!({ "tenant": "acme", "email": "owner@acme.test", "password": PASSWORD });
    let pair: Value =
        client.post(format!("{base}/api/auth/login")).json(&body).send().await.unwrap().json().await.unwrap();
    let access = pair["data"]["access_token"].as_str().unwrap().to_string();

    // Eight clients read and write without pause (reads and a write that touches the tenant schema).
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let load: Vec<_> = (0..8)
        .map(|i| {
            let (client, base, access, stop, seen) =
                (client.clone(), base.clone(), access.clone(), stop.clone(), seen.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let req = if i % 4 == 0 {
                        let name = format!("Owner {}", uuid::Uuid::new_v4().simple());
                        client.put(format!("{base}/api/v1/users/me")).json(&json!({ "name": name }))
                    } else {
                        client.get(format!("{base}/api/v1/users/me"))
                    };
                    let res = req.bearer_auth(&access).header("x-tenant", "acme").send().await.unwrap();
                    let status = res.status().as_u16();
                    let text = res.text().await.unwrap_or_default();
                    seen.lock().unwrap().push((status, text));
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = seen.lock().unwrap().len();
    assert!(before > 0);

    cluster.stop();
    assert!(readyz_becomes(&client, &base, 503, 50).await, "/readyz fails while the database is away");
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.start();
    assert!(readyz_becomes(&client, &base, 200, 150).await, "/readyz succeeds once the database is back");
    // Let every client finish the requests that waited for a connection and make new ones.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let recovered_from = seen.lock().unwrap().len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }

    let seen = seen.lock().unwrap();
    for (status, text) in seen.iter() {
        assert!(matches!(status, 200 | 201 | 503), "{status}: {text}");
        if *status == 503 {
            let body: Value = serde_json::from_str(text).unwrap();
            assert_eq!(body["errors"]["code"], "service_unavailable", "{text}");
        }
    }
    assert!(seen.iter().any(|(s, _)| *s == 503), "the outage was seen");
    assert!(seen.len() > recovered_from, "requests went on after the restart");
    assert!(seen[recovered_from..].iter().all(|(s, _)| matches!(s, 200 | 201)), "all succeed once it is back");
}
