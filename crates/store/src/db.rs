use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction on one of the two backends. On SQLite it was opened
/// with `BEGIN IMMEDIATE`, so a read-then-write never fails to upgrade.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one block of query code against whichever backend `$db` holds.
/// The block is expanded once per backend, so `sqlx` infers the database
/// type from the pool or transaction bound to `$conn`.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($conn) => $body,
            $crate::Db::Postgres($conn) => $body,
        }
    };
}

/// Like [`on_db!`] for a [`Tx`]: `$conn` is the transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// Runs one statement in a transaction; evaluates to the rows it changed.
#[macro_export]
macro_rules! exec_tx {
    ($tx:expr, $query:expr) => {
        $crate::on_tx!($tx, conn => $query.execute(conn).await.map(|r| r.rows_affected()))
    };
}

/// Runs one statement on the pool; evaluates to the rows it changed.
#[macro_export]
macro_rules! exec_db {
    ($db:expr, $query:expr) => {
        $crate::on_db!($db, pool => $query.execute(pool).await.map(|r| r.rows_affected()))
    };
}

/// How a job claim skips rows another worker holds: PostgreSQL locks and
/// skips them; SQLite's write transaction (BEGIN IMMEDIATE) serialises
/// workers, so it needs nothing.
pub(crate) fn skip_locked(db: &Db) -> &'static str {
    match db {
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Db::Sqlite(_) => "",
    }
}

/// Fetches the rows of `$sql`, whose IN lists take `$list`'s values after
/// the leading binds `[$bind, …]`; nothing to look for finds nothing.
/// For the lookups an import makes a chunk of rows at a time.
#[macro_export]
#[doc(hidden)]
macro_rules! fetch_in {
    ($tx:expr, $sql:expr, [$($bind:expr),*], $($list:expr),+) => {{
        if false $(|| $list.is_empty())+ {
            return Ok(Vec::new());
        }
        $crate::on_tx!($tx, conn => {
            let query = sqlx::query_as($sql)$(.bind($bind))*;
            $(let query = $list.iter().fold(query, |q, v| q.bind(v));)+
            Ok(query.fetch_all(conn).await?)
        })
    }};
}

/// `$first, $first+1, …`: `n` placeholders for an IN list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A statement meant to change exactly one row found none: `NotFound`.
pub(crate) fn one_row(changed: u64) -> Result<(), StoreError> {
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

impl Db {
    /// Connects to `sqlite://…` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies any migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Gathers the planner's statistics afresh, after a bulk load. Without
    /// them SQLite's planner picks poor indexes for the authority-wide
    /// queries. SQLite analyses one table at a time, each in a transaction
    /// of its own, so that writers wait for a table, not the whole file.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *conn).await?;
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&mut *conn)
                .await?;
                for table in tables {
                    let sql = format!("ANALYZE \"{}\"", table.replace('"', "\"\""));
                    sqlx::query(&sql).execute(&mut *conn).await?;
                }
            }
            Db::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Keeps the planner's statistics up to date on a live database (the
    /// worker, daily). SQLite re-analyses only the tables whose size has
    /// moved far from their statistics: analysing every table of the
    /// national benchmark's 8.4 GB held the write lock for up to 21 s
    /// under load, past the 10 s that a sign-in waits for it.
    /// PostgreSQL's autovacuum does this itself: an `ANALYZE` of the whole
    /// national database at each node's start took 9 s of CPU.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if let Db::Sqlite(pool) = self {
            sqlx::query("PRAGMA optimize = 0x10002").execute(pool).await?;
        }
        Ok(())
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        let result: Result<i32, sqlx::Error> =
            on_db!(self, pool => sqlx::query_scalar("SELECT 1").fetch_one(pool).await);
        result.is_ok()
    }

    /// Opens a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Opens a transaction that only reads, over one consistent snapshot
    /// (a dry run reads as the import would without holding SQLite's
    /// write lock).
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN DEFERRED").await?),
            Db::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
            ),
        })
    }

    /// The bytes the database takes on disk (SQLite: its pages, including
    /// free ones; PostgreSQL: the whole database).
    pub async fn size_bytes(&self) -> Result<i64, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .fetch_one(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// Now, truncated to the microsecond both backends store, so a value read
/// back compares equal to the one written.
pub fn truncate_to_micros(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}
