//! Failed sign-ins counted per e-mail address typed and per client address,
//! in the database so the limits hold across app nodes.

use chrono::{DateTime, Utc};

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Throttle {
    /// "email" (subject: hash of the address typed) or "address" (the client's IP).
    pub scope: String,
    pub subject: String,
    pub failures: i32,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
    /// How many times this subject has been locked: each lock lasts longer.
    pub locks: i32,
    pub updated_at: DateTime<Utc>,
}

pub async fn get(db: &Db, scope: &str, subject: &str) -> Result<Option<Throttle>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT scope, subject, failures, window_started_at, locked_until, locks, updated_at \
         FROM sign_in_throttles WHERE scope = $1 AND subject = $2",
    )
    .bind(scope)
    .bind(subject)
    .fetch_optional(pool)
    .await)?)
}

pub async fn put(tx: &mut Tx, t: &Throttle) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "INSERT INTO sign_in_throttles (scope, subject, failures, window_started_at, locked_until, \
         locks, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (scope, subject) DO UPDATE SET failures = excluded.failures, \
         window_started_at = excluded.window_started_at, locked_until = excluded.locked_until, \
         locks = excluded.locks, updated_at = excluded.updated_at",
    )
    .bind(&t.scope)
    .bind(&t.subject)
    .bind(t.failures)
    .bind(t.window_started_at)
    .bind(t.locked_until)
    .bind(t.locks)
    .bind(t.updated_at))?;
    Ok(())
}

pub async fn clear(tx: &mut Tx, scope: &str, subject: &str) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query("DELETE FROM sign_in_throttles WHERE scope = $1 AND subject = $2")
            .bind(scope)
            .bind(subject)
    )?;
    Ok(())
}

/// The subjects of a scope locked at `now`.
pub async fn locked(db: &Db, scope: &str, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT subject FROM sign_in_throttles WHERE scope = $1 AND locked_until > $2",
    )
    .bind(scope)
    .bind(now)
    .fetch_all(pool)
    .await)?)
}
