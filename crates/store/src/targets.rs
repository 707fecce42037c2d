//! A PEP's SMART targets, and the next PEP's review of each. A target is
//! one row with its actions as JSON; every change is over the version its
//! editor saw.

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::targets::ActionStep;
use uuid::Uuid;

use crate::{Db, Json, StoreError, Tx, exec_tx, on_db, on_tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TargetRow {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub pep_id: Uuid,
    pub position: i64,
    /// `AreaOfNeed::code()`.
    pub area: String,
    pub description: String,
    pub starting_point: String,
    pub success_measure: String,
    pub due_on: Option<NaiveDate>,
    /// `2026:spring` when due by the end of a term.
    pub due_term: Option<String>,
    pub due_label: String,
    pub actions: Json<Vec<ActionStep>>,
    /// `TargetStatus::code()`.
    pub status: String,
    pub prompt: Option<String>,
    pub carried_from: Option<Uuid>,
    pub version: i64,
    pub updated_by_name: String,
    pub updated_at: DateTime<Utc>,
}

/// What a target says, as written to its row.
#[derive(Debug, Clone)]
pub struct TargetFields<'a> {
    pub area: &'a str,
    pub description: &'a str,
    pub starting_point: &'a str,
    pub success_measure: &'a str,
    pub due_on: Option<NaiveDate>,
    pub due_term: Option<&'a str>,
    pub due_label: &'a str,
    pub actions: &'a [ActionStep],
    pub status: &'a str,
}

/// A new target of a PEP.
#[derive(Debug, Clone)]
pub struct NewTarget<'a> {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub pep_id: Uuid,
    pub fields: TargetFields<'a>,
    pub prompt: Option<&'a str>,
    pub carried_from: Option<Uuid>,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

const SELECT: &str = "SELECT t.id, t.la_id, t.child_id, t.pep_id, t.position, t.area, \
     t.description, t.starting_point, t.success_measure, t.due_on, t.due_term, t.due_label, \
     t.actions, t.status, t.prompt, t.carried_from, t.version, u.display_name AS updated_by_name, \
     t.updated_at FROM targets t JOIN users u ON u.id = t.updated_by";

/// The PEP's targets in order.
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<TargetRow>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE t.la_id = $1 AND t.pep_id = $2 AND t.deleted_at IS NULL \
         ORDER BY t.position, t.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// One target of the authority (not deleted).
pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<Option<TargetRow>, StoreError> {
    let sql = format!("{SELECT} WHERE t.la_id = $1 AND t.id = $2 AND t.deleted_at IS NULL");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(id).fetch_optional(pool).await)?)
}

/// Adds a target at the end of the PEP's list; false (and nothing
/// written) for a second carry of the same target into the PEP. The
/// conflict is skipped, not raised: on PostgreSQL a raised one would
/// abort the rest of the transaction.
pub async fn insert(tx: &mut Tx, t: &NewTarget<'_>) -> Result<bool, StoreError> {
    let position: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM targets WHERE la_id = $1 AND pep_id = $2",
    )
    .bind(t.la_id)
    .bind(t.pep_id)
    .fetch_one(conn)
    .await)?;
    let f = &t.fields;
    let inserted = exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO targets (id, la_id, child_id, pep_id, position, area, description, \
             starting_point, success_measure, due_on, due_term, due_label, actions, status, \
             prompt, carried_from, version, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, \
             $17, $18, $17, $18) ON CONFLICT DO NOTHING",
        )
        .bind(t.id)
        .bind(t.la_id)
        .bind(t.child_id)
        .bind(t.pep_id)
        .bind(position)
        .bind(f.area)
        .bind(f.description)
        .bind(f.starting_point)
        .bind(f.success_measure)
        .bind(f.due_on)
        .bind(f.due_term)
        .bind(f.due_label)
        .bind(Json(f.actions))
        .bind(f.status)
        .bind(t.prompt)
        .bind(t.carried_from)
        .bind(t.by)
        .bind(t.now)
    )?;
    Ok(inserted == 1)
}

/// Rewrites a target over the version its editor saw; `StaleVersion` when
/// someone saved first. Returns the new version.
pub async fn update(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    expected_version: i64,
    f: &TargetFields<'_>,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE targets SET area = $4, description = $5, starting_point = $6, \
             success_measure = $7, due_on = $8, due_term = $9, due_label = $10, actions = $11, \
             status = $12, version = version + 1, updated_by = $13, updated_at = $14 \
             WHERE la_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL",
        )
        .bind(la_id)
        .bind(id)
        .bind(expected_version)
        .bind(f.area)
        .bind(f.description)
        .bind(f.starting_point)
        .bind(f.success_measure)
        .bind(f.due_on)
        .bind(f.due_term)
        .bind(f.due_label)
        .bind(Json(f.actions))
        .bind(f.status)
        .bind(by)
        .bind(now)
    )?;
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(expected_version + 1)
}

/// Marks every draft target of the PEP agreed; how many changed.
pub async fn agree_all(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(exec_tx!(
        tx,
        sqlx::query(
            "UPDATE targets SET status = 'agreed', version = version + 1, updated_by = $3, \
             updated_at = $4 WHERE la_id = $1 AND pep_id = $2 AND status = 'draft' \
             AND deleted_at IS NULL AND starting_point <> '' AND success_measure <> ''",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(by)
        .bind(now)
    )?)
}

/// Removes a target from its PEP (the row is kept, marked deleted, for the
/// record), over the version its editor saw.
pub async fn delete(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    expected_version: i64,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE targets SET deleted_at = $4, updated_by = $5, updated_at = $4, \
             version = version + 1 WHERE la_id = $1 AND id = $2 AND version = $3 \
             AND deleted_at IS NULL",
        )
        .bind(la_id)
        .bind(id)
        .bind(expected_version)
        .bind(now)
        .bind(by)
    )?;
    if changed == 0 { Err(StoreError::StaleVersion) } else { Ok(()) }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: Uuid,
    pub pep_id: Uuid,
    pub target_id: Uuid,
    /// `Outcome::code()`.
    pub outcome: String,
    pub impact: String,
    pub evidence: String,
    pub spend_impact: String,
    pub version: i64,
    pub reviewed_by_name: String,
    pub reviewed_at: DateTime<Utc>,
}

const REVIEWS: &str = "SELECT r.id, r.pep_id, r.target_id, r.outcome, r.impact, r.evidence, \
     r.spend_impact, r.version, u.display_name AS reviewed_by_name, r.reviewed_at \
     FROM target_reviews r JOIN users u ON u.id = r.reviewed_by";

/// The reviews made at the PEP's meeting.
pub async fn reviews_in(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<ReviewRow>, StoreError> {
    let sql = format!("{REVIEWS} WHERE r.la_id = $1 AND r.pep_id = $2 ORDER BY r.reviewed_at");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// The reviews of the PEP's own targets, made at later meetings.
pub async fn reviews_of(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<ReviewRow>, StoreError> {
    let sql = format!(
        "{REVIEWS} JOIN targets t ON t.id = r.target_id \
         WHERE r.la_id = $1 AND t.la_id = $1 AND t.pep_id = $2 ORDER BY r.reviewed_at"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// A review to write, over `expected_version` (0: not reviewed yet).
#[derive(Debug, Clone)]
pub struct ReviewWrite<'a> {
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub target_id: Uuid,
    pub expected_version: i64,
    pub outcome: &'a str,
    pub impact: &'a str,
    pub evidence: &'a str,
    pub spend_impact: &'a str,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

/// Writes the review; `StaleVersion` when someone reviewed it first.
pub async fn save_review(tx: &mut Tx, w: &ReviewWrite<'_>, id: Uuid) -> Result<i64, StoreError> {
    let changed = if w.expected_version == 0 {
        exec_tx!(
            tx,
            sqlx::query(
                "INSERT INTO target_reviews (id, la_id, pep_id, target_id, outcome, impact, \
                 evidence, spend_impact, version, reviewed_by, reviewed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(w.la_id)
            .bind(w.pep_id)
            .bind(w.target_id)
            .bind(w.outcome)
            .bind(w.impact)
            .bind(w.evidence)
            .bind(w.spend_impact)
            .bind(w.by)
            .bind(w.now)
        )?
    } else {
        exec_tx!(
            tx,
            sqlx::query(
                "UPDATE target_reviews SET outcome = $5, impact = $6, evidence = $7, \
                 spend_impact = $8, version = version + 1, reviewed_by = $9, reviewed_at = $10 \
                 WHERE la_id = $1 AND pep_id = $2 AND target_id = $3 AND version = $4",
            )
            .bind(w.la_id)
            .bind(w.pep_id)
            .bind(w.target_id)
            .bind(w.expected_version)
            .bind(w.outcome)
            .bind(w.impact)
            .bind(w.evidence)
            .bind(w.spend_impact)
            .bind(w.by)
            .bind(w.now)
        )?
    };
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(w.expected_version + 1)
}
