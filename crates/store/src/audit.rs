//! The audit trail: who did what to which record, and who looked at which
//! child. Written in the same transaction as the change it records.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use crate::{Db, StoreError, Tx, on_db, on_tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: Uuid,
    pub la_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    /// What happened, e.g. "child.viewed", "user.signed_in".
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub child_id: Option<Uuid>,
    /// What changed. Never secrets; personal data only as the record holds it.
    pub details: Json<Value>,
    pub request_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

const INSERT: &str = "INSERT INTO audit_events (id, la_id, actor_user_id, action, entity_type, \
     entity_id, child_id, details, request_id, occurred_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

const COLUMNS: &str = "id, la_id, actor_user_id, action, entity_type, entity_id, child_id, \
     details, request_id, occurred_at";

macro_rules! bind_event {
    ($query:expr, $e:expr) => {
        $query
            .bind($e.id)
            .bind($e.la_id)
            .bind($e.actor_user_id)
            .bind(&$e.action)
            .bind(&$e.entity_type)
            .bind($e.entity_id)
            .bind($e.child_id)
            .bind(&$e.details)
            .bind(&$e.request_id)
            .bind($e.occurred_at)
    };
}

/// Records an event inside the transaction of the change it describes.
pub async fn record(tx: &mut Tx, e: &AuditEvent) -> Result<(), StoreError> {
    on_tx!(tx, conn => bind_event!(sqlx::query(INSERT), e).execute(conn).await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records an event that goes with no change, such as viewing a record.
pub async fn record_now(db: &Db, e: &AuditEvent) -> Result<(), StoreError> {
    on_db!(db, pool => bind_event!(sqlx::query(INSERT), e).execute(pool).await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The most recent events about one child, newest first.
pub async fn for_child(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE la_id = $1 AND child_id = $2 \
         ORDER BY occurred_at DESC, id DESC LIMIT $3"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(child_id)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// The most recent events by one person, newest first.
pub async fn by_actor(db: &Db, user_id: Uuid, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE actor_user_id = $1 \
         ORDER BY occurred_at DESC, id DESC LIMIT $2"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user_id).bind(limit).fetch_all(pool).await)?)
}

/// An event with its actor's name, for a record's history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct NamedEvent {
    pub id: Uuid,
    pub action: String,
    pub entity_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub details: Json<Value>,
    pub occurred_at: DateTime<Utc>,
}

/// Which of a child's events a history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// Every change and every view (the full history).
    Everything,
    /// Changes to the child's record; views and PEP changes (which have
    /// their own log, [`pep_log`]) left out.
    RecordChanges,
}

/// Whether the child's audit trail already holds `action` about `entity_id`
/// (for what must happen once, like telling the Virtual School).
pub async fn has_event(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    action: &str,
    entity_id: Uuid,
) -> Result<bool, StoreError> {
    let found: Option<(Uuid,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT id FROM audit_events \
         WHERE la_id = $1 AND child_id = $2 AND action = $3 AND entity_id = $4 LIMIT 1",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(action)
    .bind(entity_id)
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}

/// A child's history, newest first.
pub async fn child_history(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    history: History,
    limit: i64,
) -> Result<Vec<NamedEvent>, StoreError> {
    let filter = match history {
        History::Everything => "",
        History::RecordChanges => "AND e.action <> 'child.viewed' AND e.action NOT LIKE 'pep.%'",
    };
    let sql = format!(
        "SELECT e.id, e.action, e.entity_id, u.display_name AS actor_name, e.details, e.occurred_at \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         WHERE e.la_id = $1 AND e.child_id = $2 {filter} \
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT $3"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(child_id).bind(limit).fetch_all(pool).await)?,
    )
}

/// The changes to a child's PEPs, newest first: created, pages saved,
/// status moves (views are in the full history, not here).
pub async fn pep_log(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    limit: i64,
) -> Result<Vec<NamedEvent>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT e.id, e.action, e.entity_id, u.display_name AS actor_name, e.details, e.occurred_at \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         WHERE e.la_id = $1 AND e.child_id = $2 AND e.action LIKE 'pep.%' \
           AND e.action <> 'pep.viewed' \
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT $3",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}
