//! Team managers' teams: the social workers whose caseloads they oversee.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

/// The current members of a manager's team in an authority.
pub async fn members(db: &Db, la_id: Uuid, manager_user_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT member_user_id FROM team_members WHERE la_id = $1 AND manager_user_id = $2 \
         AND ended_at IS NULL ORDER BY created_at",
    )
    .bind(la_id)
    .bind(manager_user_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn add(
    tx: &mut Tx,
    la_id: Uuid,
    manager_user_id: Uuid,
    member_user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "INSERT INTO team_members (id, la_id, manager_user_id, member_user_id, created_at, ended_at) \
         VALUES ($1, $2, $3, $4, $5, NULL)",
    )
    .bind(Uuid::now_v7())
    .bind(la_id)
    .bind(manager_user_id)
    .bind(member_user_id)
    .bind(now))?;
    Ok(())
}

pub async fn remove(
    tx: &mut Tx,
    la_id: Uuid,
    manager_user_id: Uuid,
    member_user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE team_members SET ended_at = $4 WHERE la_id = $1 AND manager_user_id = $2 \
         AND member_user_id = $3 AND ended_at IS NULL",
        )
        .bind(la_id)
        .bind(manager_user_id)
        .bind(member_user_id)
        .bind(now)
    )?;
    Ok(())
}
