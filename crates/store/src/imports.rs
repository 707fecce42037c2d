//! Files imported from the council's systems, and the lookups an import
//! makes a chunk of rows at a time (never a query a row to find what is
//! already held).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::children::Child;
use crate::db::placeholders;
use crate::schools::School;
use crate::{Db, Json, StoreError, Tx, exec_tx, on_db, on_tx, one_row};

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

const CHILD_COLUMNS: &str = "id, la_id, forename, surname, preferred_name, date_of_birth, \
     gender, ethnicity, sen_provision, upn, upn_unknown_reason, uln, legal_status, \
     entered_care_on, vs_priority, la_child_id, version, created_at, updated_at";

/// The authority's children with these case-management ids.
pub async fn children_by_la_ids(
    tx: &mut Tx,
    la_id: Uuid,
    ids: &[String],
) -> Result<Vec<Child>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {CHILD_COLUMNS} FROM children WHERE la_id = $1 AND la_child_id IN ({})",
        placeholders(2, ids.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(conn).await?)
    })
}

/// The authority's children holding these UPNs.
pub async fn children_by_upns(
    tx: &mut Tx,
    la_id: Uuid,
    upns: &[String],
) -> Result<Vec<Child>, StoreError> {
    if upns.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {CHILD_COLUMNS} FROM children WHERE la_id = $1 AND upn IN ({})",
        placeholders(2, upns.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for upn in upns {
            q = q.bind(upn);
        }
        Ok(q.fetch_all(conn).await?)
    })
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

/// A care episode with what the SSDA903 return says of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EpisodeRecord {
    pub id: Uuid,
    pub child_id: Uuid,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub legal_status: String,
    pub placement_type: String,
    pub placement_provider: Option<String>,
    pub lives_in_la: bool,
    pub reason_new: Option<String>,
    pub reason_ended: Option<String>,
    pub placement_urn: Option<String>,
}

/// Every care episode of these children.
pub async fn episodes_of(
    tx: &mut Tx,
    la_id: Uuid,
    child_ids: &[Uuid],
) -> Result<Vec<EpisodeRecord>, StoreError> {
    if child_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, child_id, started_on, ended_on, legal_status, placement_type, \
           placement_provider, lives_in_la, reason_new, reason_ended, placement_urn \
         FROM care_episodes WHERE la_id = $1 AND child_id IN ({}) ORDER BY child_id, started_on",
        placeholders(2, child_ids.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in child_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(conn).await?)
    })
}

pub async fn insert_episode(
    tx: &mut Tx,
    la_id: Uuid,
    e: &EpisodeRecord,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO care_episodes (id, la_id, child_id, started_on, ended_on, legal_status, \
         placement_type, placement_provider, lives_in_la, reason_new, reason_ended, \
         placement_urn, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(e.id)
        .bind(la_id)
        .bind(e.child_id)
        .bind(e.started_on)
        .bind(e.ended_on)
        .bind(&e.legal_status)
        .bind(&e.placement_type)
        .bind(&e.placement_provider)
        .bind(e.lives_in_la)
        .bind(&e.reason_new)
        .bind(&e.reason_ended)
        .bind(&e.placement_urn)
        .bind(now)
    )?;
    Ok(())
}

/// Saves what a return says of an episode already held (same child, same
/// start); the carer's name and where the child lives are OpenPEP's own.
pub async fn update_episode(tx: &mut Tx, la_id: Uuid, e: &EpisodeRecord) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE care_episodes SET ended_on = $3, legal_status = $4, placement_type = $5, \
         placement_provider = $6, lives_in_la = $7, reason_new = $8, reason_ended = $9, \
         placement_urn = $10 WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(e.id)
        .bind(e.ended_on)
        .bind(&e.legal_status)
        .bind(&e.placement_type)
        .bind(&e.placement_provider)
        .bind(e.lives_in_la)
        .bind(&e.reason_new)
        .bind(&e.reason_ended)
        .bind(&e.placement_urn)
    )?;
    one_row(changed)
}

/// Keeps a child's legal status and the day they came into care in step
/// with their episodes: the latest episode's status, the first's start.
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
           updated_at = $3, version = version + 1 \
         WHERE la_id = $1 AND id = $2",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(now))?;
    Ok(())
}

const SCHOOL_COLUMNS: &str = "id, urn, laestab, name, phase, establishment_type, la_code, \
     postcode, ofsted_rating, ofsted_inspected_on, is_open, created_at, updated_at";

/// The schools with these URNs.
pub async fn schools_by_urns(tx: &mut Tx, urns: &[i32]) -> Result<Vec<School>, StoreError> {
    if urns.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SCHOOL_COLUMNS} FROM schools WHERE urn IN ({})",
        placeholders(1, urns.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql);
        for urn in urns {
            q = q.bind(urn);
        }
        Ok(q.fetch_all(conn).await?)
    })
}

/// Saves GIAS's details of a school already held.
pub async fn update_school(tx: &mut Tx, s: &School) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE schools SET laestab = $2, name = $3, phase = $4, establishment_type = $5, \
         la_code = $6, postcode = $7, ofsted_rating = $8, ofsted_inspected_on = $9, \
         is_open = $10, updated_at = $11 WHERE id = $1",
        )
        .bind(s.id)
        .bind(&s.laestab)
        .bind(&s.name)
        .bind(&s.phase)
        .bind(&s.establishment_type)
        .bind(&s.la_code)
        .bind(&s.postcode)
        .bind(&s.ofsted_rating)
        .bind(s.ofsted_inspected_on)
        .bind(s.is_open)
        .bind(s.updated_at)
    )?;
    one_row(changed)
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
    if child_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT child_id, school_id, started_on FROM school_placements \
         WHERE la_id = $1 AND ended_on IS NULL AND child_id IN ({})",
        placeholders(2, child_ids.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in child_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(conn).await?)
    })
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
    if child_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT p.id, p.child_id, p.academic_year, p.term, p.status, p.template_id FROM peps p \
         WHERE p.la_id = $1 AND p.child_id IN ({}) AND p.id = (SELECT q.id FROM peps q \
           WHERE q.child_id = p.child_id ORDER BY q.due_on DESC, q.id DESC LIMIT 1)",
        placeholders(2, child_ids.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in child_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(conn).await?)
    })
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
    if pep_ids.is_empty() || keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pep_id, page_key, status, answers, version FROM pep_pages \
         WHERE la_id = $1 AND pep_id IN ({}) AND page_key IN ({})",
        placeholders(2, pep_ids.len()),
        placeholders(2 + pep_ids.len(), keys.len())
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in pep_ids {
            q = q.bind(id);
        }
        for key in keys {
            q = q.bind(key);
        }
        Ok(q.fetch_all(conn).await?)
    })
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
    let sql =
        format!("SELECT {CHILD_COLUMNS} FROM children WHERE la_id = $1 ORDER BY la_child_id, id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).fetch_all(pool).await)?)
}

/// Every care episode of the authority's children.
pub async fn all_episodes(db: &Db, la_id: Uuid) -> Result<Vec<EpisodeRecord>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, child_id, started_on, ended_on, legal_status, placement_type, \
           placement_provider, lives_in_la, reason_new, reason_ended, placement_urn \
         FROM care_episodes WHERE la_id = $1 ORDER BY child_id, started_on",
    )
    .bind(la_id)
    .fetch_all(pool)
    .await)?)
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
