//! Local authorities: the tenants. Each Virtual School belongs to one.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LocalAuthority {
    pub id: Uuid,
    /// The DfE's three-digit LA code, e.g. "938".
    pub code: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, la: &LocalAuthority) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO local_authorities (id, code, name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(la.id)
        .bind(&la.code)
        .bind(&la.name)
        .bind(la.created_at)
    )?;
    Ok(())
}

pub async fn get(db: &Db, id: Uuid) -> Result<LocalAuthority, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, code, name, created_at FROM local_authorities WHERE id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await)?)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<LocalAuthority>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, code, name, created_at FROM local_authorities WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await)?)
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM local_authorities")
        .fetch_one(pool)
        .await)?)
}

/// Every authority's id (for the worker's daily passes over each).
pub async fn ids(db: &Db) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar("SELECT id FROM local_authorities ORDER BY code")
        .fetch_all(pool)
        .await)?)
}
