//! Invitations: the only way in. A Virtual School invites a person by
//! e-mail to a role in its authority; the link works once, for seven days.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db, one_row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub id: Uuid,
    pub la_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub school_id: Option<Uuid>,
    /// For a carer or young person: the one child the account reaches.
    pub child_id: Option<Uuid>,
    pub invited_by: Uuid,
    /// Hex SHA-256 of the token in the link.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An invitation with the names a page shows.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub school_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, la_id, email, display_name, role, school_id, child_id, invited_by, \
     token_hash, created_at, expires_at, accepted_at, revoked_at";

pub async fn insert(tx: &mut Tx, i: &Invitation) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO invitations (id, la_id, email, display_name, role, school_id, child_id, \
         invited_by, token_hash, created_at, expires_at, accepted_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(i.id)
        .bind(i.la_id)
        .bind(&i.email)
        .bind(&i.display_name)
        .bind(&i.role)
        .bind(i.school_id)
        .bind(i.child_id)
        .bind(i.invited_by)
        .bind(&i.token_hash)
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.accepted_at)
        .bind(i.revoked_at)
    )?;
    Ok(())
}

/// The invitation a link names, if it can still be used.
pub async fn open_by_token(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Invitation>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL \
         AND revoked_at IS NULL AND expires_at > $2"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(token_hash).bind(now).fetch_optional(pool).await)?,
    )
}

/// Marks an invitation used; fails if someone used it first.
pub async fn accept(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE invitations SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL",
        )
        .bind(id)
        .bind(now)
    )?;
    one_row(changed)
}

/// Withdraws the authority's open invitations to an address (a new one
/// replaces them).
pub async fn revoke_open(
    tx: &mut Tx,
    la_id: Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE invitations SET revoked_at = $3 WHERE la_id = $1 AND email = $2 \
         AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(la_id)
        .bind(email)
        .bind(now)
    )?;
    Ok(())
}

/// The authority's invitations not yet used, newest first.
pub async fn pending(
    db: &Db,
    la_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<PendingInvitation>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT i.id, i.email, i.display_name, i.role, s.name AS school_name, i.created_at, \
           i.expires_at \
         FROM invitations i LEFT JOIN schools s ON s.id = i.school_id \
         WHERE i.la_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
           AND i.expires_at > $2 \
         ORDER BY i.created_at DESC",
    )
    .bind(la_id)
    .bind(now)
    .fetch_all(pool)
    .await)?)
}
