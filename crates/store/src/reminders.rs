//! Chasing late PEPs: who is responsible for each PEP due soon or overdue,
//! each run of reminders and each digest it sent.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db, on_tx};

/// A PEP to chase and one person responsible for it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChasedRow {
    pub pep_id: Uuid,
    pub child_id: Uuid,
    pub status: String,
    /// The PEP's deadline, or its open return's due date.
    pub due_on: NaiveDate,
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `Role::code()` of their allocation.
    pub role: String,
}

/// The authority's PEPs not yet complete and due by `until` (all of them,
/// or only `pep`), each with the child's social workers (allocated on
/// `today`) and the designated teachers of the school they attend, who
/// can still sign in. A child who has left care is not chased for.
/// Every status but signed off and quality assured, listed so that the
/// authority's (status, due date) index finds the open PEPs alone.
const OPEN_STATUSES: &str =
    "'draft', 'in_progress', 'meeting_held', 'awaiting_sign_off', 'returned_for_improvement'";

fn chased_sql() -> String {
    let due = "COALESCE((SELECT r.due_on FROM pep_returns r WHERE r.pep_id = p.id \
         AND r.resubmitted_at IS NULL ORDER BY r.returned_at DESC LIMIT 1), p.due_on)";
    let open = format!(
        "p.la_id = $1 AND p.status IN ({OPEN_STATUSES}) AND {due} <= $3 \
         AND ($4 IS NULL OR p.id = $4) \
         AND EXISTS (SELECT 1 FROM children c WHERE c.id = p.child_id AND {})",
        crate::children::in_care_on("$2")
    );
    let cols = format!(
        "p.id AS pep_id, p.child_id, p.status, {due} AS due_on, u.id AS user_id, u.email, \
         u.display_name"
    );
    // Social workers by allocation; designated teachers by the school the
    // child attends.
    format!(
        "SELECT {cols}, w.role FROM peps p \
         JOIN child_workers w ON w.child_id = p.child_id AND w.role = 'social_worker' \
           AND w.started_on <= $2 AND (w.ended_on IS NULL OR w.ended_on > $2) \
         JOIN users u ON u.id = w.user_id AND u.is_active \
         WHERE {open} AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id \
           AND m.la_id = $1 AND m.role = w.role AND m.ended_at IS NULL) \
         UNION ALL \
         SELECT {cols}, m.role FROM peps p \
         JOIN school_placements sp ON sp.child_id = p.child_id AND sp.started_on <= $2 \
           AND (sp.ended_on IS NULL OR sp.ended_on > $2) \
         JOIN memberships m ON m.la_id = $1 AND m.school_id = sp.school_id \
           AND m.role IN ('designated_teacher', 'designated_professional') AND m.ended_at IS NULL \
         JOIN users u ON u.id = m.user_id AND u.is_active \
         WHERE {open} \
         ORDER BY user_id, pep_id"
    )
}

/// Who to remind, inside the run's transaction (see `chased_sql`).
pub async fn chased(
    tx: &mut Tx,
    la_id: Uuid,
    (today, until): (NaiveDate, NaiveDate),
    pep: Option<Uuid>,
) -> Result<Vec<ChasedRow>, StoreError> {
    let sql = chased_sql();
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(today)
        .bind(until)
        .bind(pep)
        .fetch_all(conn)
        .await)?)
}

/// Who is responsible for each PEP due by `until`, for the overdue list.
pub async fn responsible(
    db: &Db,
    la_id: Uuid,
    today: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<ChasedRow>, StoreError> {
    let sql = chased_sql();
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(today)
        .bind(until)
        .bind(None::<Uuid>)
        .fetch_all(pool)
        .await)?)
}

/// When each PEP of the authority was last chased by hand.
pub async fn last_reminded(db: &Db, la_id: Uuid) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError> {
    let sql = "SELECT pep_id, MAX(run_at) FROM reminder_runs \
               WHERE la_id = $1 AND pep_id IS NOT NULL GROUP BY pep_id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(la_id).fetch_all(pool).await)?)
}

/// A run about to start: the nightly one (`pep` and `by` empty) or one
/// by hand about a PEP.
#[derive(Debug, Clone, Copy)]
pub struct NewRun {
    pub la_id: Uuid,
    pub run_on: NaiveDate,
    pub kind: &'static str,
    pub pep_id: Option<Uuid>,
    pub by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Starts a run; `None` when the nightly job already ran for `run_on`,
/// or someone already chased the PEP that day.
pub async fn start_run(tx: &mut Tx, run: NewRun) -> Result<Option<Uuid>, StoreError> {
    let id = Uuid::now_v7();
    let added = exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO reminder_runs \
             (id, la_id, run_on, kind, pep_id, people, peps, run_by, run_at) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(run.la_id)
        .bind(run.run_on)
        .bind(run.kind)
        .bind(run.pep_id)
        .bind(run.by)
        .bind(run.at)
    )?;
    Ok((added == 1).then_some(id))
}

/// Records how many people a run reached about how many PEPs.
pub async fn finish_run(
    tx: &mut Tx,
    run_id: Uuid,
    people: i64,
    peps: i64,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query("UPDATE reminder_runs SET people = $2, peps = $3 WHERE id = $1")
            .bind(run_id)
            .bind(people)
            .bind(peps)
    )?;
    Ok(())
}

/// Records one digest sent.
pub async fn record_sent(
    tx: &mut Tx,
    (la_id, run_id, user_id): (Uuid, Uuid, Uuid),
    overdue: i64,
    due_soon: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO reminders_sent (id, la_id, run_id, user_id, overdue, due_soon, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(la_id)
        .bind(run_id)
        .bind(user_id)
        .bind(overdue)
        .bind(due_soon)
        .bind(at)
    )?;
    Ok(())
}

/// A run of reminders, as the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunRow {
    pub id: Uuid,
    pub run_on: NaiveDate,
    pub kind: String,
    pub people: i64,
    pub peps: i64,
    pub run_by_name: Option<String>,
    pub run_at: DateTime<Utc>,
}

/// The authority's latest runs, newest first.
pub async fn runs(db: &Db, la_id: Uuid, limit: i64) -> Result<Vec<RunRow>, StoreError> {
    let sql = "SELECT r.id, r.run_on, r.kind, r.people, r.peps, u.display_name AS run_by_name, \
               r.run_at FROM reminder_runs r LEFT JOIN users u ON u.id = r.run_by \
               WHERE r.la_id = $1 ORDER BY r.run_at DESC, r.id DESC LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(la_id).bind(limit).fetch_all(pool).await)?)
}

#[cfg(test)]
mod tests {
    use openpep_domain::PepStatus;

    #[test]
    fn the_open_statuses_are_every_status_but_the_signed_off_ones() {
        let open: Vec<String> = PepStatus::ALL
            .iter()
            .filter(|s| !matches!(s, PepStatus::SignedOff | PepStatus::QualityAssured))
            .map(|s| format!("'{}'", s.code()))
            .collect();
        assert_eq!(super::OPEN_STATUSES, open.join(", "));
    }
}
