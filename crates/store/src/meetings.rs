//! PEP meetings: the arrangement (one a PEP, versioned, with the calendar's
//! SEQUENCE), who is invited and what each answered, and the history of
//! changes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub pep_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub place: String,
    pub video_link: String,
    pub chair: String,
    pub recorder: String,
    /// `MeetingStatus::code()`.
    pub status: String,
    pub sequence: i64,
    pub version: i64,
    pub reminded_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What an arrangement says, as written to its row.
#[derive(Debug, Clone)]
pub struct MeetingFields<'a> {
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub place: &'a str,
    pub video_link: &'a str,
    pub chair: &'a str,
    pub recorder: &'a str,
}

const MEETING: &str = "SELECT id, la_id, child_id, pep_id, starts_at, duration_minutes, place, \
     video_link, chair, recorder, status, sequence, version, reminded_at, updated_at FROM meetings";

/// The PEP's meeting, if one was ever arranged (cancelled ones too).
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Option<MeetingRow>, StoreError> {
    let sql = format!("{MEETING} WHERE la_id = $1 AND pep_id = $2");
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_optional(pool).await)?,
    )
}

/// Arranges the PEP's first meeting; `Duplicate` when someone arranged it
/// first.
pub async fn insert(
    tx: &mut Tx,
    id: Uuid,
    at: (Uuid, Uuid, Uuid),
    f: &MeetingFields<'_>,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (la_id, child_id, pep_id) = at;
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO meetings (id, la_id, child_id, pep_id, starts_at, duration_minutes, \
             place, video_link, chair, recorder, status, sequence, version, created_by, \
             created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', 0, 1, $11, $12, $11, $12)",
        )
        .bind(id)
        .bind(la_id)
        .bind(child_id)
        .bind(pep_id)
        .bind(f.starts_at)
        .bind(f.duration_minutes)
        .bind(f.place)
        .bind(f.video_link)
        .bind(f.chair)
        .bind(f.recorder)
        .bind(by)
        .bind(now)
    )?;
    Ok(())
}

/// A change to the arrangement, over the version its editor saw.
#[derive(Debug, Clone)]
pub struct Rewrite<'a> {
    pub la_id: Uuid,
    pub id: Uuid,
    pub expected_version: i64,
    pub fields: MeetingFields<'a>,
    /// `MeetingStatus::code()` after the change.
    pub status: &'a str,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

/// Rewrites the arrangement; the calendar's SEQUENCE goes up by one and
/// the reminder is due again. `StaleVersion` when someone changed it
/// first; the new version.
pub async fn update(tx: &mut Tx, w: &Rewrite<'_>) -> Result<i64, StoreError> {
    let f = &w.fields;
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE meetings SET starts_at = $4, duration_minutes = $5, place = $6, \
             video_link = $7, chair = $8, recorder = $9, status = $10, sequence = sequence + 1, \
             version = version + 1, reminded_at = NULL, updated_by = $11, updated_at = $12 \
             WHERE la_id = $1 AND id = $2 AND version = $3",
        )
        .bind(w.la_id)
        .bind(w.id)
        .bind(w.expected_version)
        .bind(f.starts_at)
        .bind(f.duration_minutes)
        .bind(f.place)
        .bind(f.video_link)
        .bind(f.chair)
        .bind(f.recorder)
        .bind(w.status)
        .bind(w.by)
        .bind(w.now)
    )?;
    if changed == 0 { Err(StoreError::StaleVersion) } else { Ok(w.expected_version + 1) }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InviteeRow {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub user_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    /// `InviteeRole::code()`.
    pub role: String,
    /// `Response::code()`.
    pub response: String,
    pub proposed_at: Option<DateTime<Utc>>,
    pub response_note: String,
    pub responded_at: Option<DateTime<Utc>>,
}

const INVITEE: &str = "SELECT id, meeting_id, user_id, name, email, role, response, proposed_at, \
     response_note, responded_at FROM meeting_invitees";

/// The meeting's invitees (not those taken off), in the order invited.
pub async fn invitees(
    db: &Db,
    la_id: Uuid,
    meeting_id: Uuid,
) -> Result<Vec<InviteeRow>, StoreError> {
    let sql = format!(
        "{INVITEE} WHERE la_id = $1 AND meeting_id = $2 AND removed_at IS NULL ORDER BY id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(meeting_id).fetch_all(pool).await)?)
}

/// Someone invited, as written.
#[derive(Debug, Clone)]
pub struct NewInvitee<'a> {
    pub id: Uuid,
    pub la_id: Uuid,
    pub meeting_id: Uuid,
    pub user_id: Option<Uuid>,
    pub name: &'a str,
    pub email: &'a str,
    pub role: &'a str,
}

/// Invites someone, or invites again someone taken off; a new time asks
/// everyone again (`reset`), otherwise an answer stands.
pub async fn invite(tx: &mut Tx, i: &NewInvitee<'_>, reset: bool) -> Result<(), StoreError> {
    let again = if reset {
        "response = 'needs_action', proposed_at = NULL, response_note = '', responded_at = NULL, "
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO meeting_invitees (id, la_id, meeting_id, user_id, name, email, role, \
         response, response_note) VALUES ($1, $2, $3, $4, $5, $6, $7, 'needs_action', '') \
         ON CONFLICT (meeting_id, email) DO UPDATE SET {again}user_id = excluded.user_id, \
         name = excluded.name, role = excluded.role, removed_at = NULL"
    );
    exec_tx!(
        tx,
        sqlx::query(&sql)
            .bind(i.id)
            .bind(i.la_id)
            .bind(i.meeting_id)
            .bind(i.user_id)
            .bind(i.name)
            .bind(i.email)
            .bind(i.role)
    )?;
    Ok(())
}

/// Takes off the invitee (a change left them out).
pub async fn uninvite(
    tx: &mut Tx,
    la_id: Uuid,
    invitee_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query("UPDATE meeting_invitees SET removed_at = $3 WHERE la_id = $1 AND id = $2")
            .bind(la_id)
            .bind(invitee_id)
            .bind(now)
    )?;
    Ok(())
}

/// An invitee's answer.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    pub la_id: Uuid,
    pub invitee_id: Uuid,
    /// Only the invited account may answer.
    pub user_id: Uuid,
    pub response: &'a str,
    pub proposed_at: Option<DateTime<Utc>>,
    pub note: &'a str,
    pub now: DateTime<Utc>,
}

/// Records the answer; `NotFound` unless it is this person's invitation.
pub async fn answer(tx: &mut Tx, a: &Answer<'_>) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE meeting_invitees SET response = $4, proposed_at = $5, response_note = $6, \
             responded_at = $7 WHERE la_id = $1 AND id = $2 AND user_id = $3 \
             AND removed_at IS NULL",
        )
        .bind(a.la_id)
        .bind(a.invitee_id)
        .bind(a.user_id)
        .bind(a.response)
        .bind(a.proposed_at)
        .bind(a.note)
        .bind(a.now)
    )?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// One invitation as the invitee's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationRow {
    pub invitee_id: Uuid,
    pub meeting_id: Uuid,
    pub child_id: Uuid,
    pub pep_id: Uuid,
    pub forename: String,
    pub surname: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub place: String,
    pub video_link: String,
    pub status: String,
    pub response: String,
    pub proposed_at: Option<DateTime<Utc>>,
}

/// The person's invitations in the authority to meetings from `since`,
/// soonest first.
pub async fn invitations_for(
    db: &Db,
    la_id: Uuid,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<InvitationRow>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT i.id AS invitee_id, m.id AS meeting_id, m.child_id, m.pep_id, c.forename, \
         c.surname, m.starts_at, m.duration_minutes, m.place, m.video_link, m.status, \
         i.response, i.proposed_at FROM meeting_invitees i \
         JOIN meetings m ON m.id = i.meeting_id JOIN children c ON c.id = m.child_id \
         WHERE i.la_id = $1 AND i.user_id = $2 AND i.removed_at IS NULL AND m.starts_at >= $3 \
         ORDER BY m.starts_at, m.id",
    )
    .bind(la_id)
    .bind(user_id)
    .bind(since)
    .fetch_all(pool)
    .await)?)
}

/// How many of the person's invitations to coming meetings are not yet
/// answered (for the navigation).
pub async fn unanswered_count(
    db: &Db,
    la_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM meeting_invitees i JOIN meetings m ON m.id = i.meeting_id \
         WHERE i.la_id = $1 AND i.user_id = $2 AND i.removed_at IS NULL \
         AND i.response = 'needs_action' AND m.status = 'scheduled' AND m.starts_at >= $3",
    )
    .bind(la_id)
    .bind(user_id)
    .bind(now)
    .fetch_one(pool)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeRow {
    pub change: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub reason: String,
    pub changed_by_name: String,
    pub changed_at: DateTime<Utc>,
}

/// The meeting's history, oldest first.
pub async fn changes(db: &Db, la_id: Uuid, meeting_id: Uuid) -> Result<Vec<ChangeRow>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT c.change, c.starts_at, c.place, c.reason, u.display_name AS changed_by_name, \
         c.changed_at FROM meeting_changes c JOIN users u ON u.id = c.changed_by \
         WHERE c.la_id = $1 AND c.meeting_id = $2 ORDER BY c.changed_at, c.id",
    )
    .bind(la_id)
    .bind(meeting_id)
    .fetch_all(pool)
    .await)?)
}

/// One change to record in the history.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub la_id: Uuid,
    pub meeting_id: Uuid,
    /// arranged, rescheduled, changed or cancelled.
    pub change: &'a str,
    pub starts_at: DateTime<Utc>,
    pub place: &'a str,
    pub reason: &'a str,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn record_change(tx: &mut Tx, c: &Change<'_>, id: Uuid) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO meeting_changes (id, la_id, meeting_id, change, starts_at, place, \
             reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(c.la_id)
        .bind(c.meeting_id)
        .bind(c.change)
        .bind(c.starts_at)
        .bind(c.place)
        .bind(c.reason)
        .bind(c.by)
        .bind(c.now)
    )?;
    Ok(())
}

/// Meetings arranged to start between `from` and `to` whose reminder has
/// not gone, across every authority (the worker's daily pass).
pub async fn due_reminders(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MeetingRow>, StoreError> {
    let sql = format!(
        "{MEETING} WHERE status = 'scheduled' AND reminded_at IS NULL \
         AND starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(from).bind(to).fetch_all(pool).await)?)
}

/// Marks the reminder sent; false when another worker got there first.
pub async fn mark_reminded(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query("UPDATE meetings SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
            .bind(id)
            .bind(now)
    )?;
    Ok(changed > 0)
}

/// The e-mail address of whoever first arranged the meeting.
pub async fn arranged_by(
    db: &Db,
    la_id: Uuid,
    meeting_id: Uuid,
) -> Result<Option<String>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT u.email FROM meetings m JOIN users u ON u.id = m.created_by \
         WHERE m.la_id = $1 AND m.id = $2",
    )
    .bind(la_id)
    .bind(meeting_id)
    .fetch_optional(pool)
    .await)?)
}

/// Records that the meeting took place, over the version its confirmer
/// saw; `StaleVersion` when it changed or was confirmed first.
pub async fn mark_held(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    expected_version: i64,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE meetings SET status = 'held', version = version + 1, updated_by = $4, \
             updated_at = $5 WHERE la_id = $1 AND id = $2 AND version = $3 \
             AND status = 'scheduled'",
        )
        .bind(la_id)
        .bind(id)
        .bind(expected_version)
        .bind(by)
        .bind(now)
    )?;
    if changed == 0 { Err(StoreError::StaleVersion) } else { Ok(()) }
}
