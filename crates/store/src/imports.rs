//! Files imported from the council's systems, and the lookups an import
//! makes a chunk of rows at a time (never a query a row to find what is
//! already held).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::children::{COLUMNS as CHILD_COLUMNS, Child};
use crate::db::placeholders;
use crate::placements::{CareEpisode, EPISODE_COLUMNS};
use crate::{Db, Json, StoreError, Tx, exec_tx, fetch_in, on_db, one_row};

/// A file imported, or checked in a dry run, with what came of it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: Uuid,
    pub la_id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub file_key: Option<String>,
    pub file_sha256: String,
    pub size_bytes: i64,
    pub mapping: Json<Value>,
    /// "checked", "imported" or "refused".
    pub status: String,
    pub rows_created: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub rows_refused: i64,
    pub report: Json<Value>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub imported_by: Option<Uuid>,
    pub imported_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, la_id, kind, file_name, file_key, file_sha256, size_bytes, mapping, \
     status, rows_created, rows_updated, rows_unchanged, rows_refused, report, created_by, \
     created_at, imported_by, imported_at";

pub async fn insert(tx: &mut Tx, r: &ImportRecord) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(&format!(
            "INSERT INTO imports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13, $14, $15, $16, $17, $18)"
        ))
        .bind(r.id)
        .bind(r.la_id)
        .bind(&r.kind)
        .bind(&r.file_name)
        .bind(&r.file_key)
        .bind(&r.file_sha256)
        .bind(r.size_bytes)
        .bind(&r.mapping)
        .bind(&r.status)
        .bind(r.rows_created)
        .bind(r.rows_updated)
        .bind(r.rows_unchanged)
        .bind(r.rows_refused)
        .bind(&r.report)
        .bind(r.created_by)
        .bind(r.created_at)
        .bind(r.imported_by)
        .bind(r.imported_at)
    )?;
    Ok(())
}

/// Records the outcome of importing a checked file; only once (a second
/// press finds it no longer "checked" and changes nothing).
pub async fn mark_done(tx: &mut Tx, r: &ImportRecord) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE imports SET status = $3, rows_created = $4, rows_updated = $5, \
         rows_unchanged = $6, rows_refused = $7, report = $8, imported_by = $9, \
         imported_at = $10, file_key = NULL WHERE la_id = $1 AND id = $2 AND status = 'checked'",
        )
        .bind(r.la_id)
        .bind(r.id)
        .bind(&r.status)
        .bind(r.rows_created)
        .bind(r.rows_updated)
        .bind(r.rows_unchanged)
        .bind(r.rows_refused)
        .bind(&r.report)
        .bind(r.imported_by)
        .bind(r.imported_at)
    )?;
    one_row(changed)
}

pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<ImportRecord, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM imports WHERE la_id = $1 AND id = $2");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(id).fetch_one(pool).await)?)
}

/// The authority's latest imports, newest first.
pub async fn recent(db: &Db, la_id: Uuid, limit: i64) -> Result<Vec<ImportRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM imports WHERE la_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(limit).fetch_all(pool).await)?)
}

/// What an import matches children by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKey {
    /// The council's case-management id (SSDA903 CHILD).
    CouncilId,
    Upn,
}

/// The authority's children whose `key` is one of `values`.
pub async fn children_by(
    tx: &mut Tx,
    la_id: Uuid,
    key: ChildKey,
    values: &[String],
) -> Result<Vec<Child>, StoreError> {
    let column = match key {
        ChildKey::CouncilId => "la_child_id",
        ChildKey::Upn => "upn",
    };
    let sql = format!(
        "SELECT {CHILD_COLUMNS} FROM children c WHERE c.la_id = $1 AND c.{column} IN ({})",
        placeholders(2, values.len())
    );
    fetch_in!(tx, &sql, [la_id], values)
}

/// Gives a child already in OpenPEP the case-management id an import
/// matched them to by UPN.
pub async fn set_la_child_id(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    la_child_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE children SET la_child_id = $3, updated_at = $4, version = version + 1 \
         WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(child_id)
        .bind(la_child_id)
        .bind(now)
    )?;
    one_row(changed)
}

/// Every care episode of these children.
pub async fn episodes_of(
    tx: &mut Tx,
    la_id: Uuid,
    child_ids: &[Uuid],
) -> Result<Vec<CareEpisode>, StoreError> {
    let sql = format!(
        "SELECT {EPISODE_COLUMNS} FROM care_episodes WHERE la_id = $1 AND child_id IN ({}) \
         ORDER BY child_id, started_on",
        placeholders(2, child_ids.len())
    );
    fetch_in!(tx, &sql, [la_id], child_ids)
}

/// Keeps a child's legal status and the days they came into and left care
/// in step with their episodes: the latest episode's status, the first's
/// start, and the last one's end once none is open.
pub async fn sync_care_from_episodes(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "UPDATE children SET \
           legal_status = (SELECT e.legal_status FROM care_episodes e WHERE e.child_id = $2 \
             ORDER BY e.started_on DESC LIMIT 1), \
           entered_care_on = (SELECT MIN(e.started_on) FROM care_episodes e WHERE e.child_id = $2), \
           left_care_on = CASE WHEN EXISTS (SELECT 1 FROM care_episodes e WHERE e.child_id = $2 \
             AND e.ended_on IS NULL) THEN NULL \
             ELSE (SELECT MAX(e.ended_on) FROM care_episodes e WHERE e.child_id = $2) END, \
           updated_at = $3, version = version + 1 \
         WHERE la_id = $1 AND id = $2",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(now))?;
    Ok(())
}

/// A child's open school placement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenPlacement {
    pub child_id: Uuid,
    pub school_id: Uuid,
    pub started_on: NaiveDate,
}

/// The open school placements of these children.
pub async fn open_placements(
    tx: &mut Tx,
    la_id: Uuid,
    child_ids: &[Uuid],
) -> Result<Vec<OpenPlacement>, StoreError> {
    let sql = format!(
        "SELECT child_id, school_id, started_on FROM school_placements \
         WHERE la_id = $1 AND ended_on IS NULL AND child_id IN ({})",
        placeholders(2, child_ids.len())
    );
    fetch_in!(tx, &sql, [la_id], child_ids)
}

/// A child's current PEP (the latest by due date), for an attendance feed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CurrentPep {
    pub id: Uuid,
    pub child_id: Uuid,
    pub academic_year: i32,
    pub term: String,
    pub status: String,
    pub template_id: Option<Uuid>,
}

/// The current PEPs of these children.
pub async fn current_peps(
    tx: &mut Tx,
    la_id: Uuid,
    child_ids: &[Uuid],
) -> Result<Vec<CurrentPep>, StoreError> {
    let sql = format!(
        "SELECT p.id, p.child_id, p.academic_year, p.term, p.status, p.template_id FROM peps p \
         WHERE p.la_id = $1 AND p.child_id IN ({}) AND p.id = (SELECT q.id FROM peps q \
           WHERE q.child_id = p.child_id ORDER BY q.due_on DESC, q.id DESC LIMIT 1)",
        placeholders(2, child_ids.len())
    );
    fetch_in!(tx, &sql, [la_id], child_ids)
}

/// A saved page's answers and version.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SavedPage {
    pub pep_id: Uuid,
    pub page_key: String,
    pub status: String,
    pub answers: Json<Value>,
    pub version: i64,
}

/// The saved pages of these PEPs with these keys.
pub async fn saved_pages(
    tx: &mut Tx,
    la_id: Uuid,
    pep_ids: &[Uuid],
    keys: &[String],
) -> Result<Vec<SavedPage>, StoreError> {
    let sql = format!(
        "SELECT pep_id, page_key, status, answers, version FROM pep_pages \
         WHERE la_id = $1 AND pep_id IN ({}) AND page_key IN ({})",
        placeholders(2, pep_ids.len()),
        placeholders(2 + pep_ids.len(), keys.len())
    );
    fetch_in!(tx, &sql, [la_id], pep_ids, keys)
}

/// Replaces a checked import's mapping and report (checked again).
pub async fn remap(tx: &mut Tx, r: &ImportRecord) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE imports SET mapping = $3, rows_created = $4, rows_updated = $5, \
         rows_unchanged = $6, rows_refused = $7, report = $8 \
         WHERE la_id = $1 AND id = $2 AND status = 'checked'",
        )
        .bind(r.la_id)
        .bind(r.id)
        .bind(&r.mapping)
        .bind(r.rows_created)
        .bind(r.rows_updated)
        .bind(r.rows_unchanged)
        .bind(r.rows_refused)
        .bind(&r.report)
    )?;
    one_row(changed)
}

/// Every child of the authority, by the council's id (then OpenPEP's).
pub async fn all_children(db: &Db, la_id: Uuid) -> Result<Vec<Child>, StoreError> {
    let sql = format!(
        "SELECT {CHILD_COLUMNS} FROM children c WHERE c.la_id = $1 ORDER BY c.la_child_id, c.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).fetch_all(pool).await)?)
}

/// Every care episode of the authority's children.
pub async fn all_episodes(db: &Db, la_id: Uuid) -> Result<Vec<CareEpisode>, StoreError> {
    let sql = format!(
        "SELECT {EPISODE_COLUMNS} FROM care_episodes WHERE la_id = $1 ORDER BY child_id, started_on"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).fetch_all(pool).await)?)
}

/// The open school placements of the authority's children, with the URN.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlacementAt {
    pub child_id: Uuid,
    pub urn: i32,
    pub started_on: NaiveDate,
}

pub async fn all_open_placements(db: &Db, la_id: Uuid) -> Result<Vec<PlacementAt>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT sp.child_id, s.urn, sp.started_on FROM school_placements sp \
         JOIN schools s ON s.id = sp.school_id WHERE sp.la_id = $1 AND sp.ended_on IS NULL",
    )
    .bind(la_id)
    .fetch_all(pool)
    .await)?)
}
