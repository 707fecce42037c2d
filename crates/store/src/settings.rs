//! Each authority's settings, one JSON document with a version.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Db, Json, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredSettings {
    pub la_id: Uuid,
    pub settings: Json<Value>,
    pub version: i64,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

pub async fn get(db: &Db, la_id: Uuid) -> Result<Option<StoredSettings>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT la_id, settings, version, updated_by, updated_at FROM authority_settings \
         WHERE la_id = $1",
    )
    .bind(la_id)
    .fetch_optional(pool)
    .await)?)
}

/// Saves the settings over `expected_version` (0: none saved yet);
/// `StaleVersion` if someone saved first.
pub async fn save(
    tx: &mut Tx,
    la_id: Uuid,
    expected_version: i64,
    settings: &Value,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let doc = Json(settings);
    let changed =
        if expected_version == 0 {
            exec_tx!(tx, sqlx::query(
            "INSERT INTO authority_settings (la_id, settings, version, updated_by, updated_at) \
             VALUES ($1, $2, 1, $3, $4) ON CONFLICT (la_id) DO NOTHING",
        )
        .bind(la_id)
        .bind(doc)
        .bind(by)
        .bind(now))?
        } else {
            exec_tx!(tx, sqlx::query(
            "UPDATE authority_settings SET settings = $3, version = version + 1, updated_by = $4, \
             updated_at = $5 WHERE la_id = $1 AND version = $2",
        )
        .bind(la_id)
        .bind(expected_version)
        .bind(doc)
        .bind(by)
        .bind(now))?
        };
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(expected_version + 1)
}
