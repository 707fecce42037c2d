//! Personal Education Plans: one a term, and more when a placement changes.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pep {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    /// The year the academic year starts in (2025 for 2025/26).
    pub academic_year: i32,
    /// `Term::code()`.
    pub term: String,
    /// Why this PEP exists: "termly", "initial", "placement_change".
    pub reason: String,
    /// `PepStatus::code()`.
    pub status: String,
    pub due_on: NaiveDate,
    pub meeting_at: Option<DateTime<Utc>>,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, la_id, child_id, academic_year, term, reason, status, due_on, \
     meeting_at, signed_off_at, version, created_at, updated_at";

pub async fn insert(tx: &mut Tx, p: &Pep) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO peps (id, la_id, child_id, academic_year, term, reason, status, due_on, \
         meeting_at, signed_off_at, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(p.id)
        .bind(p.la_id)
        .bind(p.child_id)
        .bind(p.academic_year)
        .bind(&p.term)
        .bind(&p.reason)
        .bind(&p.status)
        .bind(p.due_on)
        .bind(p.meeting_at)
        .bind(p.signed_off_at)
        .bind(p.version)
        .bind(p.created_at)
        .bind(p.updated_at)
    )?;
    Ok(())
}

/// The child's PEPs, newest first. The caller has already checked scope.
pub async fn for_child(db: &Db, la_id: Uuid, child_id: Uuid) -> Result<Vec<Pep>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM peps WHERE la_id = $1 AND child_id = $2 \
         ORDER BY due_on DESC, created_at DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(child_id).fetch_all(pool).await)?)
}
