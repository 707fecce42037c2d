//! The Virtual School's notice board, one authority's at a time.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub expires_on: Option<NaiveDate>,
    pub version: i64,
    pub posted_by_name: String,
    pub posted_at: DateTime<Utc>,
}

/// What a notice says, as written.
#[derive(Debug, Clone)]
pub struct NoticeFields<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub pinned: bool,
    pub expires_on: Option<NaiveDate>,
}

const SELECT: &str = "SELECT n.id, n.title, n.body, n.pinned, n.expires_on, n.version, \
     u.display_name AS posted_by_name, n.posted_at FROM notices n JOIN users u ON u.id = n.posted_by";

/// The notices showing on `today`: pinned first, then newest.
pub async fn showing(db: &Db, la_id: Uuid, today: NaiveDate) -> Result<Vec<Notice>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE n.la_id = $1 AND n.removed_at IS NULL \
         AND (n.expires_on IS NULL OR n.expires_on >= $2) \
         ORDER BY n.pinned DESC, n.posted_at DESC, n.id DESC LIMIT 50"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(today).fetch_all(pool).await)?)
}

/// Every notice not taken down, expired ones too (to manage them).
pub async fn all(db: &Db, la_id: Uuid) -> Result<Vec<Notice>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE n.la_id = $1 AND n.removed_at IS NULL \
         ORDER BY n.pinned DESC, n.posted_at DESC, n.id DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).fetch_all(pool).await)?)
}

pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<Notice, StoreError> {
    let sql = format!("{SELECT} WHERE n.la_id = $1 AND n.id = $2 AND n.removed_at IS NULL");
    on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)
}

pub async fn insert(
    tx: &mut Tx,
    id: Uuid,
    la_id: Uuid,
    f: &NoticeFields<'_>,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO notices (id, la_id, title, body, pinned, expires_on, version, posted_by, \
             posted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8)",
        )
        .bind(id)
        .bind(la_id)
        .bind(f.title)
        .bind(f.body)
        .bind(f.pinned)
        .bind(f.expires_on)
        .bind(by)
        .bind(now)
    )?;
    Ok(())
}

/// Changes the notice if it is still at `version`; `StaleVersion` if
/// someone changed it first.
pub async fn update(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    version: i64,
    f: &NoticeFields<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE notices SET title = $4, body = $5, pinned = $6, expires_on = $7, \
             version = version + 1, updated_at = $8 \
             WHERE la_id = $1 AND id = $2 AND version = $3 AND removed_at IS NULL",
        )
        .bind(la_id)
        .bind(id)
        .bind(version)
        .bind(f.title)
        .bind(f.body)
        .bind(f.pinned)
        .bind(f.expires_on)
        .bind(now)
    )?;
    if changed == 1 { Ok(()) } else { Err(StoreError::StaleVersion) }
}

/// Takes the notice down; whether it was up.
pub async fn remove(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE notices SET removed_at = $3, updated_at = $3 \
             WHERE la_id = $1 AND id = $2 AND removed_at IS NULL",
        )
        .bind(la_id)
        .bind(id)
        .bind(now)
    )?;
    Ok(changed == 1)
}

/// A guidance document attached to a notice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attachment {
    pub id: Uuid,
    pub notice_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_at: DateTime<Utc>,
}

/// An attachment to store.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub id: Uuid,
    pub la_id: Uuid,
    pub notice_id: Uuid,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

const ATTACHMENT: &str = "SELECT a.id, a.notice_id, a.file_name, a.content_type, a.size_bytes, \
     a.sha256, a.storage_key, a.uploaded_at FROM notice_attachments a \
     JOIN notices n ON n.id = a.notice_id";

pub async fn attach(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO notice_attachments (id, la_id, notice_id, file_name, content_type, \
             size_bytes, sha256, storage_key, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(a.id)
        .bind(a.la_id)
        .bind(a.notice_id)
        .bind(a.file_name)
        .bind(a.content_type)
        .bind(a.size_bytes)
        .bind(a.sha256)
        .bind(a.storage_key)
        .bind(a.uploaded_by)
        .bind(a.uploaded_at)
    )?;
    Ok(())
}

/// Notices not taken down and, given `showing_on` ($2), not expired by then.
const UP: &str = "a.removed_at IS NULL AND n.removed_at IS NULL \
     AND ($2 IS NULL OR n.expires_on IS NULL OR n.expires_on >= $2)";

/// The attachments of the authority's notices that are up (and showing on
/// `showing_on`, if given), of one notice or of all (one query for the
/// whole board), oldest first.
pub async fn attachments(
    db: &Db,
    la_id: Uuid,
    showing_on: Option<NaiveDate>,
    notice_id: Option<Uuid>,
) -> Result<Vec<Attachment>, StoreError> {
    let sql = format!(
        "{ATTACHMENT} WHERE a.la_id = $1 AND {UP} AND ($3 IS NULL OR a.notice_id = $3) \
         ORDER BY a.uploaded_at, a.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(showing_on).bind(notice_id)
        .fetch_all(pool).await)?)
}

/// One attachment of a notice that is up (and showing on `showing_on`).
pub async fn attachment(
    db: &Db,
    la_id: Uuid,
    showing_on: Option<NaiveDate>,
    (notice_id, id): (Uuid, Uuid),
) -> Result<Attachment, StoreError> {
    let sql =
        format!("{ATTACHMENT} WHERE a.la_id = $1 AND {UP} AND a.notice_id = $3 AND a.id = $4");
    on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(showing_on).bind(notice_id).bind(id)
        .fetch_optional(pool).await)?
    .ok_or(StoreError::NotFound)
}

/// Takes an attachment off its notice (the file is kept, as audited).
pub async fn detach(
    tx: &mut Tx,
    la_id: Uuid,
    notice_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE notice_attachments SET removed_at = $4 \
             WHERE la_id = $1 AND notice_id = $2 AND id = $3 AND removed_at IS NULL",
        )
        .bind(la_id)
        .bind(notice_id)
        .bind(id)
        .bind(now)
    )?;
    Ok(changed == 1)
}
