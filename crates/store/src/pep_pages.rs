//! The pages of a PEP: each page's answers, status and version, and every
//! version saved, so that a save made over someone else's can be merged.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Db, Json, StoreError, Tx, exec_tx, on_db, on_tx};

/// A page as it stands. A page nobody has saved has no row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PepPage {
    pub id: Uuid,
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub page_key: String,
    /// "not_started", "in_progress" or "completed".
    pub status: String,
    /// The answers by question key (typed pages keep their own shape).
    pub answers: Json<Value>,
    /// Copied from the previous PEP and not yet saved in this one.
    pub carried_forward: bool,
    pub version: i64,
    pub updated_by: Option<Uuid>,
    pub updated_by_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT pp.id, pp.la_id, pp.pep_id, pp.page_key, pp.status, pp.answers, \
     pp.carried_forward, pp.version, pp.updated_by, u.display_name AS updated_by_name, \
     pp.updated_at FROM pep_pages pp LEFT JOIN users u ON u.id = pp.updated_by";

/// Every saved page of the PEP (for its task list).
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<PepPage>, StoreError> {
    let sql = format!("{SELECT} WHERE pp.la_id = $1 AND pp.pep_id = $2 ORDER BY pp.page_key");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

pub async fn get(
    db: &Db,
    la_id: Uuid,
    pep_id: Uuid,
    page_key: &str,
) -> Result<Option<PepPage>, StoreError> {
    let sql = format!("{SELECT} WHERE pp.la_id = $1 AND pp.pep_id = $2 AND pp.page_key = $3");
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(pep_id)
        .bind(page_key)
        .fetch_optional(pool)
        .await)?)
}

/// A page to write: over `expected_version` (0: the page has no row yet).
#[derive(Debug, Clone)]
pub struct PageWrite<'a> {
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub page_key: &'a str,
    pub expected_version: i64,
    pub status: &'a str,
    pub answers: &'a Value,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

/// Saves the page over the version its editor saw and keeps the version;
/// `StaleVersion` when someone saved first. Returns the new version.
pub async fn save(tx: &mut Tx, w: &PageWrite<'_>, id: Uuid) -> Result<i64, StoreError> {
    let answers = Json(w.answers);
    let changed = if w.expected_version == 0 {
        exec_tx!(
            tx,
            sqlx::query(
                "INSERT INTO pep_pages (id, la_id, pep_id, page_key, status, answers, \
                 carried_forward, version, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, false, 1, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(w.la_id)
            .bind(w.pep_id)
            .bind(w.page_key)
            .bind(w.status)
            .bind(answers)
            .bind(w.by)
            .bind(w.now)
        )?
    } else {
        exec_tx!(
            tx,
            sqlx::query(
                "UPDATE pep_pages SET status = $5, answers = $6, carried_forward = false, \
                 version = version + 1, updated_by = $7, updated_at = $8 \
                 WHERE la_id = $1 AND pep_id = $2 AND page_key = $3 AND version = $4",
            )
            .bind(w.la_id)
            .bind(w.pep_id)
            .bind(w.page_key)
            .bind(w.expected_version)
            .bind(w.status)
            .bind(answers)
            .bind(w.by)
            .bind(w.now)
        )?
    };
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    let version = w.expected_version + 1;
    keep_version(tx, w, version, Uuid::now_v7()).await?;
    Ok(version)
}

async fn keep_version(
    tx: &mut Tx,
    w: &PageWrite<'_>,
    version: i64,
    id: Uuid,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_page_versions (id, la_id, pep_id, page_key, version, status, \
             answers, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(w.la_id)
        .bind(w.pep_id)
        .bind(w.page_key)
        .bind(version)
        .bind(w.status)
        .bind(Json(w.answers))
        .bind(w.by)
        .bind(w.now)
    )?;
    Ok(())
}

/// Puts a page carried forward from the previous PEP into a new one, as
/// version 1 marked "carried forward — check".
pub async fn insert_carried_forward(
    tx: &mut Tx,
    id: Uuid,
    la_id: Uuid,
    pep_id: Uuid,
    page_key: &str,
    answers: &Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let inserted = exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_pages (id, la_id, pep_id, page_key, status, answers, \
             carried_forward, version, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, 'in_progress', $5, true, 1, NULL, $6) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(la_id)
        .bind(pep_id)
        .bind(page_key)
        .bind(Json(answers))
        .bind(now)
    )?;
    // Version 1 joins the history, so a later clash has it to compare.
    if inserted == 1 {
        exec_tx!(
            tx,
            sqlx::query(
                "INSERT INTO pep_page_versions (id, la_id, pep_id, page_key, version, status, \
                 answers, saved_by, saved_at) \
                 VALUES ($1, $2, $3, $4, 1, 'in_progress', $5, NULL, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(la_id)
            .bind(pep_id)
            .bind(page_key)
            .bind(Json(answers))
            .bind(now)
        )?;
    }
    Ok(())
}

/// The page as it stands, read inside the saving transaction.
pub async fn current_in(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    page_key: &str,
) -> Result<Option<PepPage>, StoreError> {
    let sql = format!("{SELECT} WHERE pp.la_id = $1 AND pp.pep_id = $2 AND pp.page_key = $3");
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(pep_id)
        .bind(page_key)
        .fetch_optional(conn)
        .await)?)
}

/// A saved version of a page, with who saved it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PageVersion {
    pub version: i64,
    pub status: String,
    pub answers: Json<Value>,
    pub saved_by_name: Option<String>,
    pub saved_at: DateTime<Utc>,
}

/// The page's versions, newest first.
pub async fn versions(
    db: &Db,
    la_id: Uuid,
    pep_id: Uuid,
    page_key: &str,
) -> Result<Vec<PageVersion>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT v.version, v.status, v.answers, u.display_name AS saved_by_name, v.saved_at \
         FROM pep_page_versions v LEFT JOIN users u ON u.id = v.saved_by \
         WHERE v.la_id = $1 AND v.pep_id = $2 AND v.page_key = $3 ORDER BY v.version DESC",
    )
    .bind(la_id)
    .bind(pep_id)
    .bind(page_key)
    .fetch_all(pool)
    .await)?)
}

/// One page of one of a child's PEPs, for the figures the overview follows
/// across PEPs (attendance, SDQ).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ChildPage {
    pub pep_id: Uuid,
    pub page_key: String,
    pub answers: Json<Value>,
}

/// The pages with these keys on every PEP of the child: one query.
pub async fn of_child(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    keys: &[String],
) -> Result<Vec<ChildPage>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pp.pep_id, pp.page_key, pp.answers FROM pep_pages pp \
         JOIN peps p ON p.id = pp.pep_id \
         WHERE p.la_id = $1 AND pp.la_id = $1 AND p.child_id = $2 \
           AND pp.page_key IN ({})",
        crate::db::placeholders(3, keys.len())
    );
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql).bind(la_id).bind(child_id);
        for key in keys {
            query = query.bind(key);
        }
        query.fetch_all(pool).await
    })?)
}
