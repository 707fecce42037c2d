//! Signing a PEP off: each part's mark (kept when undone, for the
//! history), the next meeting, the final sign-off and its reopenings.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db, on_tx};

/// A part marked completed and not undone.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PartMark {
    /// `sign_off::Part::code()`.
    pub part: String,
    pub marked_by: Uuid,
    pub marked_by_name: String,
    pub marked_at: DateTime<Utc>,
}

/// The PEP's standing marks.
pub async fn marks(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<PartMark>, StoreError> {
    let sql = "SELECT m.part, m.marked_by, u.display_name AS marked_by_name, m.marked_at \
               FROM pep_part_marks m JOIN users u ON u.id = m.marked_by \
               WHERE m.la_id = $1 AND m.pep_id = $2 AND m.undone_at IS NULL ORDER BY m.marked_at";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// Marks the part completed; false when it already was.
pub async fn mark(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    part: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let added = exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_part_marks (id, la_id, pep_id, part, marked_by, marked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(la_id)
        .bind(pep_id)
        .bind(part)
        .bind(by)
        .bind(now)
    )?;
    Ok(added == 1)
}

/// Undoes the part's mark (or, with `None`, every part's); how many were
/// undone.
pub async fn undo(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    part: Option<&str>,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(exec_tx!(
        tx,
        sqlx::query(
            "UPDATE pep_part_marks SET undone_by = $4, undone_at = $5 \
             WHERE la_id = $1 AND pep_id = $2 AND undone_at IS NULL \
             AND (CAST($3 AS TEXT) IS NULL OR part = $3)",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(part)
        .bind(by)
        .bind(now)
    )?)
}

/// Sets the next PEP meeting agreed at this one.
pub async fn set_next_meeting(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET next_meeting_at = $3, version = version + 1, updated_at = $4 \
             WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(at)
        .bind(now)
    )?;
    Ok(())
}

/// Signs the PEP off if it is still awaiting sign-off; whether it was.
pub async fn sign_off(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET status = 'signed_off', signed_off_at = $4, signed_off_by = $3, \
             version = version + 1, updated_at = $4 \
             WHERE la_id = $1 AND id = $2 AND status = 'awaiting_sign_off'",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(by)
        .bind(now)
    )?;
    Ok(changed == 1)
}

/// A reopening of a signed-off PEP.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reopening {
    pub reason: String,
    pub reopened_by_name: String,
    pub reopened_at: DateTime<Utc>,
}

/// Reopens the PEP if it is still at `from`: back to "meeting held", its
/// sign-off cleared and the reason kept; whether it was.
pub async fn reopen(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    from: &str,
    reason: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET status = 'meeting_held', signed_off_at = NULL, signed_off_by = NULL, \
             version = version + 1, updated_at = $4 \
             WHERE la_id = $1 AND id = $2 AND status = $3",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(from)
        .bind(now)
    )?;
    if changed == 0 {
        return Ok(false);
    }
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_reopenings (id, la_id, pep_id, reason, reopened_by, reopened_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(la_id)
        .bind(pep_id)
        .bind(reason)
        .bind(by)
        .bind(now)
    )?;
    Ok(true)
}

/// The PEP's reopenings, oldest first.
pub async fn reopenings(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<Reopening>, StoreError> {
    let sql = "SELECT r.reason, u.display_name AS reopened_by_name, r.reopened_at \
               FROM pep_reopenings r JOIN users u ON u.id = r.reopened_by \
               WHERE r.la_id = $1 AND r.pep_id = $2 ORDER BY r.reopened_at";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// Sets when the child's PEP made by `trigger_key` meets: the time agreed
/// at the last meeting stands (a second sign-off after a reopening moves
/// it) until someone arranges that meeting; whether it was set.
pub async fn set_meeting_of(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    trigger_key: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET meeting_at = $4, version = version + 1, updated_at = $5 \
             WHERE la_id = $1 AND child_id = $2 AND trigger_key = $3 \
             AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.pep_id = peps.id)",
        )
        .bind(la_id)
        .bind(child_id)
        .bind(trigger_key)
        .bind(at)
        .bind(now)
    )?;
    Ok(changed == 1)
}

/// Holds the PEP's row until the transaction ends, so that two parts
/// marked at once are counted one after the other; its status now.
pub async fn hold(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE peps SET updated_at = $3 WHERE la_id = $1 AND id = $2 RETURNING status",
    )
    .bind(la_id)
    .bind(pep_id)
    .bind(now)
    .fetch_one(conn)
    .await)?)
}

/// The parts marked and not undone, as the transaction sees them.
pub async fn standing_parts(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
) -> Result<Vec<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT part FROM pep_part_marks WHERE la_id = $1 AND pep_id = $2 AND undone_at IS NULL",
    )
    .bind(la_id)
    .bind(pep_id)
    .fetch_all(conn)
    .await)?)
}
