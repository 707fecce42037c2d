//! The second step of signing in: a pending challenge, named by the hash
//! of a token in the browser's cookie, answered by a code.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_db, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Challenge {
    /// Hex SHA-256 of the cookie's token.
    pub id: String,
    pub user_id: Uuid,
    /// "email_code" or "totp".
    pub method: String,
    /// For an e-mailed code: hex SHA-256 of the code and the challenge id.
    pub code_hash: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, c: &Challenge) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO sign_in_challenges (id, user_id, method, code_hash, attempts, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.id)
        .bind(c.user_id)
        .bind(&c.method)
        .bind(&c.code_hash)
        .bind(c.attempts)
        .bind(c.created_at)
        .bind(c.expires_at)
    )?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Challenge>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, user_id, method, code_hash, attempts, created_at, expires_at \
         FROM sign_in_challenges WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

/// Counts a wrong answer; returns the attempts so far.
pub async fn count_attempt(db: &Db, id: &str) -> Result<i32, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
    )
    .bind(id)
    .fetch_one(pool)
    .await)?)
}

pub async fn delete(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query("DELETE FROM sign_in_challenges WHERE id = $1").bind(id))?;
    Ok(())
}

/// Ends every pending challenge of a person (a new one replaces them).
pub async fn delete_for_user(tx: &mut Tx, user_id: Uuid) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query("DELETE FROM sign_in_challenges WHERE user_id = $1").bind(user_id))?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(exec_db!(
        db,
        sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at <= $1").bind(now)
    )?)
}
