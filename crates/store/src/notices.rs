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
