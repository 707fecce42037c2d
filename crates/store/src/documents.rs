//! Documents on a child's record: what each is and who uploaded it. The
//! bytes live in the file store, under `storage_key`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Document {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub pep_id: Option<Uuid>,
    /// `DocumentKind::code()`.
    pub kind: String,
    pub title: String,
    /// The name it was uploaded with, for the download.
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

/// A document as lists show it, with who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: Uuid,
    pub pep_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Uuid,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, d: &Document) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO documents (id, la_id, child_id, pep_id, kind, title, file_name, \
             content_type, size_bytes, sha256, storage_key, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(d.id)
        .bind(d.la_id)
        .bind(d.child_id)
        .bind(d.pep_id)
        .bind(&d.kind)
        .bind(&d.title)
        .bind(&d.file_name)
        .bind(&d.content_type)
        .bind(d.size_bytes)
        .bind(&d.sha256)
        .bind(&d.storage_key)
        .bind(d.uploaded_by)
        .bind(d.uploaded_at)
    )?;
    Ok(())
}

const LIST: &str = "SELECT d.id, d.pep_id, d.kind, d.title, d.file_name, d.content_type, \
     d.size_bytes, d.uploaded_by, u.display_name AS uploaded_by_name, d.uploaded_at \
     FROM documents d JOIN users u ON u.id = d.uploaded_by";

/// The child's documents, newest first.
pub async fn for_child(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
) -> Result<Vec<DocumentRow>, StoreError> {
    let sql =
        format!("{LIST} WHERE d.la_id = $1 AND d.child_id = $2 ORDER BY d.uploaded_at DESC, d.id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(child_id).fetch_all(pool).await)?)
}

/// The PEP's documents, newest first.
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<DocumentRow>, StoreError> {
    let sql =
        format!("{LIST} WHERE d.la_id = $1 AND d.pep_id = $2 ORDER BY d.uploaded_at DESC, d.id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// One document of the authority; the caller checks the child's access.
pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<Option<Document>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, la_id, child_id, pep_id, kind, title, file_name, content_type, size_bytes, \
         sha256, storage_key, uploaded_by, uploaded_at FROM documents WHERE la_id = $1 AND id = $2",
    )
    .bind(la_id)
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}
