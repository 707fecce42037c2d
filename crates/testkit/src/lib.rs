//! Real databases for tests. SQLite: a fresh file per test. PostgreSQL: the
//! server named by `OPENPEP_TEST_DATABASE_URL`, or else a throwaway cluster
//! that this process starts once (initdb + pg_ctl, as the `postgres` user
//! when running as root) and that a watchdog removes when the process ends.
//! Each test gets a database of its own on it.
#![allow(clippy::expect_used, clippy::panic)]

mod cluster;
mod smtp;

use openpep_store::Db;
use sqlx::Connection;
use tempfile::TempDir;

pub use cluster::{Cluster, postgres_admin_url};
pub use smtp::{ReceivedMail, SmtpSink};

/// A migrated, empty database that lives as long as this value.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<TempDir>,
}

/// A fresh SQLite database in a temporary file.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}/openpep.db", dir.path().display());
    let db = Db::connect(&url).await.expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    TestDb { db, url, _dir: Some(dir) }
}

/// A fresh PostgreSQL database, or `None` (after a loud message) when no
/// server can be had and `OPENPEP_REQUIRE_POSTGRES` is not `1`.
pub async fn postgres() -> Option<TestDb> {
    let admin = postgres_admin_url()?;
    let name = format!("openpep_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    let url = replace_database(&admin, &name);
    let db = Db::connect(&url).await.expect("connect to test database");
    db.migrate().await.expect("migrate PostgreSQL");
    Some(TestDb { db, url, _dir: None })
}

/// Both backends: SQLite always, PostgreSQL when available.
pub async fn all_backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        dbs.push(pg);
    }
    dbs
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}
