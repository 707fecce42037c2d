//! Single-use links sent by e-mail (password reset): the hash of the
//! token, whose it is, what it is for and until when.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db, one_row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmailToken {
    /// Hex SHA-256 of the token in the link.
    pub id: String,
    pub user_id: Uuid,
    pub purpose: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub async fn insert(tx: &mut Tx, t: &EmailToken) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO email_tokens (id, user_id, purpose, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.id)
        .bind(t.user_id)
        .bind(&t.purpose)
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(t.used_at)
    )?;
    Ok(())
}

/// The token if it is for `purpose`, unused and in date.
pub async fn open(
    db: &Db,
    id: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<EmailToken>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, user_id, purpose, created_at, expires_at, used_at FROM email_tokens \
         WHERE id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(id)
    .bind(purpose)
    .bind(now)
    .fetch_optional(pool)
    .await)?)
}

/// Uses the token; fails if it was used first.
pub async fn use_token(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query("UPDATE email_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL",)
            .bind(id)
            .bind(now)
    )?;
    one_row(changed)
}

/// Uses up every open token of a person for a purpose (a new one replaces them).
pub async fn use_all(
    tx: &mut Tx,
    user_id: Uuid,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(purpose)
    .bind(now))?;
    Ok(())
}
