//! "Your messages": messages and notifications, each delivered to its
//! recipients and its sender, read one person's inbox at a time.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::children::{bind_scope, scope_binds, scope_clause};
use crate::{ChildScope, Db, Page, PageRequest, StoreError, Tx, exec_tx, on_db, on_tx};

/// A message to store, with the thread it belongs to.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub id: Uuid,
    pub la_id: Uuid,
    /// The thread's first message; `id` itself when it starts one.
    pub thread_id: Uuid,
    pub child_id: Option<Uuid>,
    /// `None`: a notification from OpenPEP itself.
    pub sender_id: Option<Uuid>,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub sent_at: DateTime<Utc>,
}

/// Stores the message and delivers it to each recipient (unread) and to
/// its sender (read).
pub async fn insert(tx: &mut Tx, m: &NewMessage<'_>, to: &[Uuid]) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO messages (id, la_id, thread_id, child_id, sender_id, kind, subject, body, \
             link, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(m.id)
        .bind(m.la_id)
        .bind(m.thread_id)
        .bind(m.child_id)
        .bind(m.sender_id)
        .bind(m.kind)
        .bind(m.subject)
        .bind(m.body)
        .bind(m.link)
        .bind(m.sent_at)
    )?;
    let sender = m.sender_id.map(|id| (id, Some(m.sent_at)));
    let recipients = to.iter().filter(|id| Some(**id) != m.sender_id).map(|id| (*id, None));
    for (user_id, read_at) in sender.into_iter().chain(recipients) {
        exec_tx!(
            tx,
            sqlx::query(
                "INSERT INTO message_deliveries (message_id, user_id, la_id, thread_id, sent_at, \
                 read_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(m.id)
            .bind(user_id)
            .bind(m.la_id)
            .bind(m.thread_id)
            .bind(m.sent_at)
            .bind(read_at)
        )?;
    }
    Ok(())
}

/// Who has something unread in the thread, as the transaction sees it
/// (the others hear by e-mail that a message is waiting).
pub async fn unread_in(tx: &mut Tx, la_id: Uuid, thread_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM message_deliveries \
         WHERE la_id = $1 AND thread_id = $2 AND read_at IS NULL",
    )
    .bind(la_id)
    .bind(thread_id)
    .fetch_all(conn)
    .await)?)
}

/// One thread as a person's inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThreadRow {
    pub thread_id: Uuid,
    pub kind: String,
    pub subject: String,
    pub child_id: Option<Uuid>,
    pub child_name: Option<String>,
    /// Whether the person may still see the child (or it is about no child).
    pub visible: bool,
    pub last_at: DateTime<Utc>,
    pub unread: i64,
    pub messages: i64,
    /// Who started it; `None` for a notification.
    pub started_by: Option<String>,
}

/// The person's threads in the authority, latest first; `scope` is the
/// membership they act in (whose children they may still see).
pub async fn inbox(
    db: &Db,
    scope: &ChildScope,
    user_id: Uuid,
    today: NaiveDate,
    page: PageRequest,
) -> Result<Page<ThreadRow>, StoreError> {
    let rows_sql = format!(
        "SELECT r.id AS thread_id, r.kind, r.subject, r.child_id, \
           CASE WHEN ch.id IS NULL THEN NULL \
             ELSE COALESCE(ch.preferred_name, ch.forename) || ' ' || ch.surname END AS child_name, \
           (r.child_id IS NULL OR r.child_id IN (SELECT c.id FROM children c WHERE {scope})) \
             AS visible, \
           t.last_at, t.unread, t.messages, u.display_name AS started_by \
         FROM (SELECT d.thread_id, MAX(d.sent_at) AS last_at, \
                 SUM(CASE WHEN d.read_at IS NULL THEN 1 ELSE 0 END) AS unread, \
                 COUNT(*) AS messages \
               FROM message_deliveries d WHERE d.user_id = $6 AND d.la_id = $1 \
               GROUP BY d.thread_id) t \
         JOIN messages r ON r.id = t.thread_id \
         LEFT JOIN children ch ON ch.id = r.child_id \
         LEFT JOIN users u ON u.id = r.sender_id \
         ORDER BY t.last_at DESC, r.id DESC LIMIT $7 OFFSET $8",
        scope = scope_clause(scope)
    );
    on_db!(db, pool => {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT thread_id) FROM message_deliveries \
             WHERE user_id = $1 AND la_id = $2",
        )
        .bind(user_id)
        .bind(scope.la_id())
        .fetch_one(pool)
        .await?;
        let rows: Vec<ThreadRow> = bind_scope!(sqlx::query_as(&rows_sql), scope, today)
            .bind(user_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
        Ok(Page { rows, total })
    })
}

/// One message of a thread, as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub child_id: Option<Uuid>,
    pub sender_id: Option<Uuid>,
    pub sender_name: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The messages of a thread delivered to the person, oldest first; empty
/// if none was.
pub async fn thread(
    db: &Db,
    la_id: Uuid,
    user_id: Uuid,
    thread_id: Uuid,
) -> Result<Vec<MessageRow>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT m.id, m.thread_id, m.kind, m.subject, m.body, m.link, m.child_id, m.sender_id, \
           u.display_name AS sender_name, m.sent_at, d.read_at \
         FROM message_deliveries d JOIN messages m ON m.id = d.message_id \
         LEFT JOIN users u ON u.id = m.sender_id \
         WHERE d.user_id = $1 AND d.la_id = $2 AND d.thread_id = $3 \
         ORDER BY m.sent_at, m.id",
    )
    .bind(user_id)
    .bind(la_id)
    .bind(thread_id)
    .fetch_all(pool)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Participant {
    pub user_id: Uuid,
    pub display_name: String,
}

/// Everyone a thread's messages went to or came from, by name.
pub async fn participants(
    db: &Db,
    la_id: Uuid,
    thread_id: Uuid,
) -> Result<Vec<Participant>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name FROM users u WHERE u.id IN \
         (SELECT d.user_id FROM message_deliveries d WHERE d.la_id = $1 AND d.thread_id = $2) \
         ORDER BY LOWER(u.display_name)",
    )
    .bind(la_id)
    .bind(thread_id)
    .fetch_all(pool)
    .await)?)
}

/// Someone who may be sent a message about a child.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Contact {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: String,
}

/// Everyone with access to the child today who may message about them:
/// those allocated (social worker, designated teacher or professional,
/// IRO, carer, the young person), the designated teachers and
/// professionals of the school the child attends, and the Virtual School.
/// Each by name; a person in two roles is listed in each.
pub async fn contacts_for_child(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    today: NaiveDate,
) -> Result<Vec<Contact>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, u.email, cw.role \
         FROM child_workers cw JOIN users u ON u.id = cw.user_id \
         WHERE cw.la_id = $1 AND cw.child_id = $2 AND cw.started_on <= $3 \
           AND (cw.ended_on IS NULL OR cw.ended_on > $3) AND u.is_active \
           AND cw.role IN ('social_worker', 'designated_teacher', 'designated_professional', \
             'iro', 'carer', 'young_person') \
           AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = cw.user_id \
             AND m.la_id = cw.la_id AND m.role = cw.role AND m.ended_at IS NULL) \
         UNION \
         SELECT u.id, u.display_name, u.email, m.role \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         JOIN school_placements sp ON sp.school_id = m.school_id AND sp.la_id = m.la_id \
         WHERE m.la_id = $1 AND sp.child_id = $2 AND m.ended_at IS NULL AND u.is_active \
           AND m.role IN ('designated_teacher', 'designated_professional') \
           AND sp.started_on <= $3 AND (sp.ended_on IS NULL OR sp.ended_on > $3) \
         UNION \
         SELECT u.id, u.display_name, u.email, m.role \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.la_id = $1 AND m.ended_at IS NULL AND u.is_active \
           AND m.role IN ('vs_head', 'vs_officer', 'vs_admin') \
         ORDER BY 4, 2",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(today)
    .fetch_all(pool)
    .await)?)
}

/// The active member of the authority with this e-mail address, if any:
/// who also hears of a notification in OpenPEP.
pub async fn member_with_email(
    tx: &mut Tx,
    la_id: Uuid,
    email: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.email = $2 AND u.is_active AND EXISTS \
         (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.la_id = $1 \
           AND m.ended_at IS NULL)",
    )
    .bind(la_id)
    .bind(email.trim().to_lowercase())
    .fetch_optional(conn)
    .await)?)
}

/// Marks what the person was sent in the thread (`None`: in every
/// thread of the authority) as read; how many were unread.
pub async fn mark_read(
    tx: &mut Tx,
    la_id: Uuid,
    user_id: Uuid,
    thread_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(exec_tx!(
        tx,
        sqlx::query(
            "UPDATE message_deliveries SET read_at = $4 \
             WHERE user_id = $1 AND la_id = $2 AND ($3 IS NULL OR thread_id = $3) \
               AND read_at IS NULL",
        )
        .bind(user_id)
        .bind(la_id)
        .bind(thread_id)
        .bind(at)
    )?)
}
