//! Server-side sessions. The cookie holds a random token; the database
//! holds only its SHA-256, so a copy of the database opens no session.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_db, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// Hex SHA-256 of the cookie's token.
    pub id: String,
    pub user_id: Uuid,
    pub membership_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A live session with who it belongs to, loaded once per request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionUser {
    pub id: String,
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub membership_id: Uuid,
    pub la_id: Uuid,
    pub la_name: String,
    pub role: String,
    pub school_id: Option<Uuid>,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// How many authorities/roles the person may act in.
    pub membership_count: i64,
    /// Whether they have agreed to the terms version asked about.
    pub agreed_terms: bool,
    /// Messages waiting unread in the authority they act in.
    pub unread_messages: i64,
}

pub async fn insert(tx: &mut Tx, s: &SessionRow) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "INSERT INTO sessions (id, user_id, membership_id, csrf_token, created_at, last_seen_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.id)
    .bind(s.user_id)
    .bind(s.membership_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(s.expires_at))?;
    Ok(())
}

/// The session with this id if it has neither expired nor sat idle since
/// `idle_since`, and its user and membership are still active; with
/// whether the user agreed to `terms_version`.
pub async fn find_live(
    db: &Db,
    id: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    terms_version: &str,
) -> Result<Option<SessionUser>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT s.id, s.user_id, u.email, u.display_name, s.membership_id, m.la_id, \
           la.name AS la_name, m.role, m.school_id, s.csrf_token, s.created_at, s.last_seen_at, \
           s.expires_at, \
           (SELECT COUNT(*) FROM memberships m2 WHERE m2.user_id = s.user_id \
              AND m2.ended_at IS NULL) AS membership_count, \
           EXISTS (SELECT 1 FROM terms_agreements t WHERE t.user_id = s.user_id \
              AND t.version = $4) AS agreed_terms, \
           (SELECT COUNT(*) FROM message_deliveries d WHERE d.user_id = s.user_id \
              AND d.la_id = m.la_id AND d.read_at IS NULL) AS unread_messages \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         JOIN memberships m ON m.id = s.membership_id \
         JOIN local_authorities la ON la.id = m.la_id \
         WHERE s.id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.is_active \
           AND m.ended_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(idle_since)
    .bind(terms_version)
    .fetch_optional(pool)
    .await)?)
}

/// Moves a session to another of its user's memberships.
pub async fn set_membership(db: &Db, id: &str, membership_id: Uuid) -> Result<(), StoreError> {
    exec_db!(
        db,
        sqlx::query("UPDATE sessions SET membership_id = $2 WHERE id = $1")
            .bind(id)
            .bind(membership_id)
    )?;
    Ok(())
}

/// Marks the session as used now (the idle timeout runs from here).
pub async fn touch(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    exec_db!(
        db,
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1").bind(id).bind(now)
    )?;
    Ok(())
}

pub async fn delete(db: &Db, id: &str) -> Result<(), StoreError> {
    exec_db!(db, sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id))?;
    Ok(())
}

/// Ends every session of a user (after a password reset, say).
pub async fn delete_for_user(db: &Db, user_id: Uuid) -> Result<u64, StoreError> {
    let done = exec_db!(db, sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id))?;
    Ok(done)
}

/// One of a person's sessions as their profile lists it: when it started
/// and was last used. `id` (the token's hash) is only for telling the
/// current session apart; it is never shown.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionSummary {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The user's live sessions (neither expired nor idle since `idle_since`),
/// newest first.
pub async fn for_user(
    db: &Db,
    user_id: Uuid,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<Vec<SessionSummary>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, created_at, last_seen_at, expires_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .bind(now)
    .bind(idle_since)
    .fetch_all(pool)
    .await)?)
}

/// Ends every session of the user but `keep_id`, in the transaction that
/// audits it; returns how many ended.
pub async fn delete_others(tx: &mut Tx, user_id: Uuid, keep_id: &str) -> Result<u64, StoreError> {
    let done = exec_tx!(
        tx,
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_id)
    )?;
    Ok(done)
}

/// Removes sessions that have expired or sat idle since `idle_before`.
pub async fn delete_stale(
    db: &Db,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = exec_db!(
        db,
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2",)
            .bind(now)
            .bind(idle_before)
    )?;
    Ok(done)
}

/// How many session rows exist (for tests and operational metrics).
pub async fn count(db: &Db) -> Result<i64, StoreError> {
    Ok(
        on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(pool).await)?,
    )
}
