//! Each authority's PEP templates, one row per version. A PEP keeps the
//! version it was created with, so a template is never changed in place.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Db, Json, StoreError, Tx, exec_tx, on_db, on_tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredTemplate {
    pub id: Uuid,
    pub la_id: Uuid,
    pub version: i64,
    pub name: String,
    /// "toml" or "json": the format of `source`.
    pub format: String,
    /// The file as it was uploaded.
    pub source: String,
    /// The checked template, as the product reads it.
    pub template: Json<Value>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A version in the list of versions (without the documents).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateVersion {
    pub id: Uuid,
    pub version: i64,
    pub name: String,
    pub format: String,
    pub uploaded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// How many PEPs use this version.
    pub pep_count: i64,
}

const COLUMNS: &str = "id, la_id, version, name, format, source, template, uploaded_by, created_at";

/// The authority's newest template, if it has one.
pub async fn current(db: &Db, la_id: Uuid) -> Result<Option<StoredTemplate>, StoreError> {
    let sql = current_sql();
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).fetch_optional(pool).await)?)
}

/// The newest template inside a transaction (to create PEPs with it).
pub async fn current_in(tx: &mut Tx, la_id: Uuid) -> Result<Option<StoredTemplate>, StoreError> {
    let sql = current_sql();
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql).bind(la_id).fetch_optional(conn).await)?)
}

fn current_sql() -> String {
    format!("SELECT {COLUMNS} FROM pep_templates WHERE la_id = $1 ORDER BY version DESC LIMIT 1")
}

pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<StoredTemplate, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM pep_templates WHERE la_id = $1 AND id = $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)
}

pub async fn by_version(db: &Db, la_id: Uuid, version: i64) -> Result<StoredTemplate, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM pep_templates WHERE la_id = $1 AND version = $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(version).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)
}

/// Every version, newest first, with who uploaded it and how many PEPs use it.
pub async fn versions(db: &Db, la_id: Uuid) -> Result<Vec<TemplateVersion>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT t.id, t.version, t.name, t.format, u.display_name AS uploaded_by_name, \
         t.created_at, (SELECT COUNT(*) FROM peps p WHERE p.template_id = t.id) AS pep_count \
         FROM pep_templates t LEFT JOIN users u ON u.id = t.uploaded_by \
         WHERE t.la_id = $1 ORDER BY t.version DESC",
    )
    .bind(la_id)
    .fetch_all(pool)
    .await)?)
}

/// Adds a version after the newest. Two uploads at once cannot both take
/// the same number: the unique index refuses the second (`StoreError::Duplicate`).
pub async fn insert(tx: &mut Tx, t: &StoredTemplate) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_templates (id, la_id, version, name, format, source, template, \
             uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(t.id)
        .bind(t.la_id)
        .bind(t.version)
        .bind(&t.name)
        .bind(&t.format)
        .bind(&t.source)
        .bind(&t.template)
        .bind(t.uploaded_by)
        .bind(t.created_at)
    )?;
    Ok(())
}
