//! The e-mail outbox: messages are written in the transaction of the change
//! that causes them and delivered later by the job worker, so a message is
//! never lost and never sent for a change that was rolled back.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_db, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEmail {
    pub id: Uuid,
    pub la_id: Option<Uuid>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    /// What the message is, e.g. "sign_in_code" (never its content).
    pub kind: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// A calendar invitation sent with the message (iCalendar text).
    pub calendar: Option<String>,
}

impl OutboxEmail {
    /// A message ready to be queued now.
    pub fn new(
        la_id: Option<Uuid>,
        to: &str,
        kind: &str,
        subject: String,
        body_text: String,
        now: DateTime<Utc>,
    ) -> OutboxEmail {
        OutboxEmail {
            id: Uuid::now_v7(),
            la_id,
            to_address: to.to_owned(),
            subject,
            body_text,
            kind: kind.to_owned(),
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            sent_at: None,
            failed_at: None,
            last_error: None,
            created_at: now,
            calendar: None,
        }
    }

    /// The message with a calendar invitation attached.
    pub fn with_calendar(self, ics: String) -> OutboxEmail {
        OutboxEmail { calendar: Some(ics), ..self }
    }
}

const COLUMNS: &str = "id, la_id, to_address, subject, body_text, kind, attempts, next_attempt_at, \
     locked_until, sent_at, failed_at, last_error, created_at, calendar";

pub async fn enqueue(tx: &mut Tx, e: &OutboxEmail) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO email_outbox (id, la_id, to_address, subject, body_text, kind, attempts, \
         next_attempt_at, locked_until, sent_at, failed_at, last_error, created_at, calendar) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(e.id)
        .bind(e.la_id)
        .bind(&e.to_address)
        .bind(&e.subject)
        .bind(&e.body_text)
        .bind(&e.kind)
        .bind(e.attempts)
        .bind(e.next_attempt_at)
        .bind(e.locked_until)
        .bind(e.sent_at)
        .bind(e.failed_at)
        .bind(&e.last_error)
        .bind(e.created_at)
        .bind(&e.calendar)
    )?;
    Ok(())
}

/// Takes up to `limit` due messages for this worker for `lease`: another
/// worker (on this node or another) will not take them until the lease ends.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<OutboxEmail>, StoreError> {
    let lock = crate::db::skip_locked(db);
    let sql = format!(
        "UPDATE email_outbox SET locked_until = $2, attempts = attempts + 1 WHERE id IN (\
           SELECT id FROM email_outbox \
           WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
             AND (locked_until IS NULL OR locked_until <= $1) \
           ORDER BY next_attempt_at, id LIMIT $3{lock}) \
         RETURNING {COLUMNS}"
    );
    let mut tx = db.begin().await?;
    let mut claimed: Vec<OutboxEmail> = crate::on_tx!(&mut tx, conn => sqlx::query_as(&sql)
        .bind(now)
        .bind(now + lease)
        .bind(limit)
        .fetch_all(conn)
        .await)?;
    tx.commit().await?;
    // RETURNING gives no order: send oldest first.
    claimed.sort_by_key(|e| (e.next_attempt_at, e.id));
    Ok(claimed)
}

pub async fn mark_sent(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    exec_db!(db, sqlx::query(
        "UPDATE email_outbox SET sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now))?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up when `None`.
pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    now: DateTime<Utc>,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let (next, failed) = match retry_at {
        Some(at) => (at, None),
        None => (now, Some(now)),
    };
    exec_db!(
        db,
        sqlx::query(
            "UPDATE email_outbox SET locked_until = NULL, last_error = $2, next_attempt_at = $3, \
         failed_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(next)
        .bind(failed)
    )?;
    Ok(())
}

/// The newest messages, all or to one address (the demo mailbox).
pub async fn recent(db: &Db, to: Option<&str>, limit: i64) -> Result<Vec<OutboxEmail>, StoreError> {
    let filter = if to.is_some() { "WHERE to_address = $2" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM email_outbox {filter} ORDER BY created_at DESC, id DESC LIMIT $1"
    );
    Ok(on_db!(db, pool => {
        let query = sqlx::query_as(&sql).bind(limit);
        let query = match to {
            Some(to) => query.bind(to),
            None => query,
        };
        query.fetch_all(pool).await
    })?)
}

pub async fn get(db: &Db, id: Uuid) -> Result<OutboxEmail, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM email_outbox WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?)
}
