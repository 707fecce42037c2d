//! Schools and settings, as published in Get Information About Schools.
//! Not tenant data: a school serves children of many authorities.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::placeholders;
use crate::{Db, StoreError, Tx, exec_tx, on_db, one_row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct School {
    pub id: Uuid,
    pub urn: i32,
    pub laestab: Option<String>,
    pub name: String,
    /// GIAS phase of education, e.g. "Primary", "Secondary", "16 plus".
    pub phase: String,
    /// GIAS type of establishment, e.g. "Academy converter".
    pub establishment_type: String,
    /// The code of the LA the school is in (not necessarily the child's).
    pub la_code: String,
    pub postcode: Option<String>,
    pub ofsted_rating: Option<String>,
    pub ofsted_inspected_on: Option<NaiveDate>,
    pub is_open: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const COLUMNS: &str = "id, urn, laestab, name, phase, establishment_type, la_code, postcode, \
     ofsted_rating, ofsted_inspected_on, is_open, created_at, updated_at";

pub async fn insert(tx: &mut Tx, s: &School) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "INSERT INTO schools (id, urn, laestab, name, phase, establishment_type, la_code, postcode, \
         ofsted_rating, ofsted_inspected_on, is_open, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(s.id)
    .bind(s.urn)
    .bind(&s.laestab)
    .bind(&s.name)
    .bind(&s.phase)
    .bind(&s.establishment_type)
    .bind(&s.la_code)
    .bind(&s.postcode)
    .bind(&s.ofsted_rating)
    .bind(s.ofsted_inspected_on)
    .bind(s.is_open)
    .bind(s.created_at)
    .bind(s.updated_at))?;
    Ok(())
}

pub async fn get(db: &Db, id: Uuid) -> Result<School, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM schools WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?)
}

pub async fn by_urn(db: &Db, urn: i32) -> Result<Option<School>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM schools WHERE urn = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(urn).fetch_optional(pool).await)?)
}

/// The schools with these URNs.
pub async fn by_urns(tx: &mut Tx, urns: &[i32]) -> Result<Vec<School>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM schools WHERE urn IN ({})", placeholders(1, urns.len()));
    crate::fetch_in!(tx, &sql, [], urns)
}

/// Saves GIAS's details of a school already held.
pub async fn update(tx: &mut Tx, s: &School) -> Result<(), StoreError> {
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

/// The schools an authority works with: those in its area and those any of
/// its children attend or attended, by name.
pub async fn for_authority(db: &Db, la_id: Uuid, la_code: &str) -> Result<Vec<School>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM schools WHERE id IN \
         (SELECT id FROM schools WHERE la_code = $2 \
          UNION SELECT school_id FROM school_placements WHERE la_id = $1) ORDER BY name, urn"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(la_code).fetch_all(pool).await)?)
}
