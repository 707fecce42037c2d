//! The archival PDFs of signed-off PEPs: queued in the transaction that
//! signs the PEP off, made by the worker, kept unchanged with their
//! SHA-256. A later version (quality assurance's grade) never replaces an
//! earlier one.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_db, exec_tx, on_db, on_tx};

/// Attempts at making a PDF before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Archive {
    pub id: Uuid,
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub child_id: Uuid,
    pub version: i64,
    /// pending, ready, failed or cancelled.
    pub status: String,
    /// Why it was made: "signed_off", "quality_assured".
    pub reason: String,
    pub sha256: Option<String>,
    pub size_bytes: Option<i64>,
    pub file_key: Option<String>,
    pub attempts: i64,
    pub requested_at: DateTime<Utc>,
    pub made_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, la_id, pep_id, child_id, version, status, reason, sha256, size_bytes, \
     file_key, attempts, requested_at, made_at";

/// Queues the next version of the PEP's PDF; its version.
pub async fn queue(
    tx: &mut Tx,
    at: (Uuid, Uuid, Uuid),
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (la_id, child_id, pep_id) = at;
    let latest: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT MAX(version) FROM pep_archives WHERE la_id = $1 AND pep_id = $2",
    )
    .bind(la_id)
    .bind(pep_id)
    .fetch_one(conn)
    .await)?;
    let version = latest.unwrap_or(0) + 1;
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_archives (id, la_id, pep_id, child_id, version, status, reason, \
             attempts, requested_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, 0, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(la_id)
        .bind(pep_id)
        .bind(child_id)
        .bind(version)
        .bind(reason)
        .bind(now)
    )?;
    Ok(version)
}

/// Whether any PDF waits to be made now: a read, so that the worker's
/// every pass does not take SQLite's write lock for nothing.
pub async fn any_due(db: &Db, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let found: Option<i32> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT 1 FROM pep_archives WHERE status = 'pending' \
         AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}

/// Claims PDFs waiting to be made, each held for `lease`.
pub async fn claim_pending(
    db: &Db,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<Archive>, StoreError> {
    let lock = crate::db::skip_locked(db);
    let sql = format!(
        "UPDATE pep_archives SET locked_until = $2, attempts = attempts + 1 WHERE id IN (\
           SELECT id FROM pep_archives WHERE status = 'pending' \
             AND (locked_until IS NULL OR locked_until <= $1) \
           ORDER BY requested_at, id LIMIT $3{lock}) \
         RETURNING {COLUMNS}"
    );
    let mut tx = db.begin().await?;
    let mut claimed: Vec<Archive> = on_tx!(&mut tx, conn => sqlx::query_as(&sql)
        .bind(now)
        .bind(now + lease)
        .bind(limit)
        .fetch_all(conn)
        .await)?;
    tx.commit().await?;
    claimed.sort_by_key(|a| (a.requested_at, a.id));
    Ok(claimed)
}

/// Records the made PDF.
pub async fn made(
    db: &Db,
    id: Uuid,
    sha256: &str,
    size_bytes: i64,
    file_key: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_db!(
        db,
        sqlx::query(
            "UPDATE pep_archives SET status = 'ready', sha256 = $2, size_bytes = $3, \
             file_key = $4, made_at = $5, locked_until = NULL, error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(sha256)
        .bind(size_bytes)
        .bind(file_key)
        .bind(now)
    )?;
    Ok(())
}

/// Records a failed attempt: tried again later, or failed for good after
/// [`MAX_ATTEMPTS`].
pub async fn attempt_failed(db: &Db, id: Uuid, error: &str) -> Result<(), StoreError> {
    exec_db!(
        db,
        sqlx::query(
            "UPDATE pep_archives SET error = $2, locked_until = NULL, \
             status = CASE WHEN attempts >= $3 THEN 'failed' ELSE status END WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(MAX_ATTEMPTS)
    )?;
    Ok(())
}

/// Not to be made after all: the PEP was reopened first.
pub async fn cancel(db: &Db, id: Uuid) -> Result<(), StoreError> {
    exec_db!(
        db,
        sqlx::query(
            "UPDATE pep_archives SET status = 'cancelled', locked_until = NULL WHERE id = $1"
        )
        .bind(id)
    )?;
    Ok(())
}

/// The PEP's PDFs, newest first.
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<Archive>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM pep_archives WHERE la_id = $1 AND pep_id = $2 ORDER BY version DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}
