//! The JSON API's tokens: kept as SHA-256 only, one authority's each,
//! revoked (never deleted, so the audit log's references stay whole), and
//! their calls counted a minute at a time for the rate limit.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_db, exec_tx, on_db, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: Uuid,
    pub la_id: Uuid,
    pub name: String,
    /// The secret's first characters, to tell tokens apart.
    pub prefix: String,
    pub token_hash: String,
    /// "read" or "read write".
    pub scopes: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, la_id, name, prefix, token_hash, scopes, created_by, created_at, \
     last_used_at, revoked_by, revoked_at";

pub async fn insert(tx: &mut Tx, t: &ApiToken) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(&format!(
            "INSERT INTO api_tokens ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(t.id)
        .bind(t.la_id)
        .bind(&t.name)
        .bind(&t.prefix)
        .bind(&t.token_hash)
        .bind(&t.scopes)
        .bind(t.created_by)
        .bind(t.created_at)
        .bind(t.last_used_at)
        .bind(t.revoked_by)
        .bind(t.revoked_at)
    )?;
    Ok(())
}

/// The authority's tokens, newest first.
pub async fn for_authority(db: &Db, la_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM api_tokens WHERE la_id = $1 ORDER BY created_at DESC, id");
    on_db!(db, pool => Ok(sqlx::query_as(&sql).bind(la_id).fetch_all(pool).await?))
}

/// The live (not revoked) token with this hash.
pub async fn live_by_hash(db: &Db, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");
    on_db!(db, pool => Ok(sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?))
}

/// Revokes the authority's token; false if it is not theirs or was revoked.
pub async fn revoke(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE api_tokens SET revoked_by = $3, revoked_at = $4 \
             WHERE la_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(la_id)
        .bind(id)
        .bind(by)
        .bind(at)
    )?;
    Ok(changed == 1)
}

/// Counts a call in the token's minute and notes when it was last used;
/// returns the calls made in that minute, this one included.
pub async fn count_call(
    tx: &mut Tx,
    token_id: Uuid,
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    exec_tx!(
        tx,
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(token_id)
            .bind(now)
    )?;
    on_tx!(tx, conn => Ok(sqlx::query_scalar(
        "INSERT INTO api_rate_windows (token_id, window_start, calls) VALUES ($1, $2, 1) \
         ON CONFLICT (token_id, window_start) DO UPDATE SET calls = api_rate_windows.calls + 1 \
         RETURNING calls",
    )
    .bind(token_id)
    .bind(window_start)
    .fetch_one(conn)
    .await?))
}

/// Removes rate windows that ended before `before`.
pub async fn remove_old_windows(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(exec_db!(
        db,
        sqlx::query("DELETE FROM api_rate_windows WHERE window_start < $1").bind(before)
    )?)
}
