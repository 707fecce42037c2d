//! Agreements to the terms of use, one row per person per version.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Agreement {
    pub id: Uuid,
    pub user_id: Uuid,
    pub version: String,
    pub agreed_at: DateTime<Utc>,
}

/// Records an agreement (agreeing twice to one version changes nothing).
pub async fn agree(tx: &mut Tx, a: &Agreement) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "INSERT INTO terms_agreements (id, user_id, version, agreed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, version) DO NOTHING",
    )
    .bind(a.id)
    .bind(a.user_id)
    .bind(&a.version)
    .bind(a.agreed_at))?;
    Ok(())
}

pub async fn for_user(db: &Db, user_id: Uuid) -> Result<Vec<Agreement>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, user_id, version, agreed_at FROM terms_agreements WHERE user_id = $1 \
         ORDER BY agreed_at",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn has_agreed(db: &Db, user_id: Uuid, version: &str) -> Result<bool, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM terms_agreements WHERE user_id = $1 AND version = $2)",
    )
    .bind(user_id)
    .bind(version)
    .fetch_one(pool)
    .await)?)
}
