//! Professional disagreements about a PEP, raised by the social worker or
//! the designated teacher and resolved by the Virtual School.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db, one_row};

/// A disagreement as stored, with the names of who raised and resolved it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Disagreement {
    pub id: Uuid,
    pub pep_id: Uuid,
    pub note: String,
    pub raised_by_name: String,
    pub raised_at: DateTime<Utc>,
    pub resolution: Option<String>,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Disagreement {
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// A new disagreement.
#[derive(Debug, Clone)]
pub struct NewDisagreement<'a> {
    pub id: Uuid,
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub child_id: Uuid,
    pub note: &'a str,
    pub raised_by: Uuid,
    pub raised_at: DateTime<Utc>,
}

pub async fn raise(tx: &mut Tx, d: &NewDisagreement<'_>) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_disagreements (id, la_id, pep_id, child_id, note, raised_by, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d.id)
        .bind(d.la_id)
        .bind(d.pep_id)
        .bind(d.child_id)
        .bind(d.note)
        .bind(d.raised_by)
        .bind(d.raised_at)
    )?;
    Ok(())
}

/// Resolves an open disagreement of the PEP (`NotFound` if there is no
/// such open one).
pub async fn resolve(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    id: Uuid,
    resolution: &str,
    resolved_by: Uuid,
    resolved_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE pep_disagreements SET resolution = $4, resolved_by = $5, resolved_at = $6 \
             WHERE la_id = $1 AND pep_id = $2 AND id = $3 AND resolved_at IS NULL",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(id)
        .bind(resolution)
        .bind(resolved_by)
        .bind(resolved_at)
    )?;
    one_row(done)
}

/// The PEP's disagreements, oldest first.
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<Disagreement>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT d.id, d.pep_id, d.note, r.display_name AS raised_by_name, d.raised_at, \
           d.resolution, v.display_name AS resolved_by_name, d.resolved_at \
         FROM pep_disagreements d JOIN users r ON r.id = d.raised_by \
         LEFT JOIN users v ON v.id = d.resolved_by \
         WHERE d.la_id = $1 AND d.pep_id = $2 ORDER BY d.raised_at, d.id",
    )
    .bind(la_id)
    .bind(pep_id)
    .fetch_all(pool)
    .await)?)
}

/// Whether any of the child's PEPs has a disagreement still open.
pub async fn open_for_child(db: &Db, la_id: Uuid, child_id: Uuid) -> Result<bool, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pep_disagreements \
         WHERE la_id = $1 AND child_id = $2 AND resolved_at IS NULL)",
    )
    .bind(la_id)
    .bind(child_id)
    .fetch_one(pool)
    .await)?)
}
