//! Personal Education Plans: one a term, and more when a placement changes.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Db, Json, Page, PageRequest, StoreError, Tx, exec_tx, on_db, on_tx, one_row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pep {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    /// The year the academic year starts in (2025 for 2025/26).
    pub academic_year: i32,
    /// `Term::code()`.
    pub term: String,
    /// Why this PEP exists: "termly", "initial", "placement_change".
    pub reason: String,
    /// `PepStatus::code()`.
    pub status: String,
    pub due_on: NaiveDate,
    pub meeting_at: Option<DateTime<Utc>>,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What made this PEP, once per child (see `termly_trigger`).
    pub trigger_key: Option<String>,
    /// The template version the PEP was created with.
    pub template_id: Option<Uuid>,
    /// The school or setting the child attended when the PEP was created.
    pub school_id: Option<Uuid>,
    /// The next PEP meeting, agreed at this one.
    pub next_meeting_at: Option<DateTime<Utc>>,
    /// The designated teacher (or professional) who signed it off.
    pub signed_off_by: Option<Uuid>,
}

const COLUMNS: &str = "id, la_id, child_id, academic_year, term, reason, status, due_on, \
     meeting_at, signed_off_at, version, created_at, updated_at, trigger_key, template_id, \
     school_id, next_meeting_at, signed_off_by";

/// The trigger of a termly PEP: one per child per term.
pub fn termly_trigger(academic_year: i32, term: &str) -> String {
    format!("termly:{academic_year}:{term}")
}

/// Adds the PEP unless the child already has one with the same trigger;
/// whether it was added.
pub async fn create(tx: &mut Tx, p: &Pep) -> Result<bool, StoreError> {
    let added = exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO peps (id, la_id, child_id, academic_year, term, reason, status, due_on, \
             meeting_at, signed_off_at, version, created_at, updated_at, trigger_key, \
             template_id, school_id, next_meeting_at, signed_off_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18) \
             ON CONFLICT DO NOTHING",
        )
        .bind(p.id)
        .bind(p.la_id)
        .bind(p.child_id)
        .bind(p.academic_year)
        .bind(&p.term)
        .bind(&p.reason)
        .bind(&p.status)
        .bind(p.due_on)
        .bind(p.meeting_at)
        .bind(p.signed_off_at)
        .bind(p.version)
        .bind(p.created_at)
        .bind(p.updated_at)
        .bind(&p.trigger_key)
        .bind(p.template_id)
        .bind(p.school_id)
        .bind(p.next_meeting_at)
        .bind(p.signed_off_by)
    )?;
    Ok(added == 1)
}

pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<Pep, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM peps WHERE la_id = $1 AND id = $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound)
}

/// Moves the PEP to `status` if it is still at `from` (another save may
/// have moved it first; then nothing changes).
pub async fn set_status(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    from: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET status = $4, version = version + 1, updated_at = $5 \
             WHERE la_id = $1 AND id = $2 AND status = $3",
        )
        .bind(la_id)
        .bind(id)
        .bind(from)
        .bind(status)
        .bind(now)
    )?;
    Ok(changed == 1)
}

/// Sets (or, with `None`, clears) when the PEP's meeting is.
pub async fn set_meeting_at(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    meeting_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET meeting_at = $3, version = version + 1, updated_at = $4 \
             WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(id)
        .bind(meeting_at)
        .bind(now)
    )?;
    Ok(())
}

/// The child's PEP for the term that is not yet complete, if any (the
/// soonest due).
pub async fn open_in_term(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    academic_year: i32,
    term: &str,
) -> Result<Option<Pep>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM peps WHERE la_id = $1 AND child_id = $2 AND academic_year = $3 \
         AND term = $4 AND status NOT IN ('signed_off', 'quality_assured', 'returned_for_improvement') \
         ORDER BY due_on, id LIMIT 1"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(child_id)
        .bind(academic_year)
        .bind(term)
        .fetch_optional(conn)
        .await)?)
}

/// Makes an open PEP the one for a change of school: due by `due_on`,
/// about the new school.
pub async fn refocus_on_school_move(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    due_on: NaiveDate,
    school_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET reason = 'placement_change', due_on = $3, school_id = $4, \
             version = version + 1, updated_at = $5 WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(id)
        .bind(due_on)
        .bind(school_id)
        .bind(now)
    )?;
    one_row(done)
}

/// The child's PEPs, newest first. The caller has already checked scope.
pub async fn for_child(db: &Db, la_id: Uuid, child_id: Uuid) -> Result<Vec<Pep>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM peps WHERE la_id = $1 AND child_id = $2 \
         ORDER BY due_on DESC, created_at DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(child_id).fetch_all(pool).await)?)
}

/// Who a termly delegation is for. Dates of birth bound the ages (from the
/// LA's starting age to 18 on the first day of term); `today` decides who
/// is looked after.
#[derive(Debug, Clone)]
pub struct TermlyEligibility {
    pub la_id: Uuid,
    pub trigger_key: String,
    /// Born on or before this date: old enough.
    pub born_on_or_before: NaiveDate,
    /// Born after this date: not yet 18.
    pub born_after: NaiveDate,
    pub term_starts_on: NaiveDate,
    pub term_ends_on: NaiveDate,
    pub today: NaiveDate,
}

/// A child a delegation would give a PEP to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EligibleChild {
    pub child_id: Uuid,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    pub school_id: Option<Uuid>,
    pub school_name: Option<String>,
}

/// Children in care today, of PEP age, with no PEP for the term yet (an
/// initial or placement-change PEP due within the term counts as its PEP).
const ELIGIBLE_FROM: &str = "FROM children c \
     LEFT JOIN school_placements sp ON sp.child_id = c.id AND sp.started_on <= $6 \
       AND (sp.ended_on IS NULL OR sp.ended_on > $6) \
     LEFT JOIN schools s ON s.id = sp.school_id \
     WHERE c.la_id = $1 AND c.date_of_birth <= $2 AND c.date_of_birth > $3 \
     AND EXISTS (SELECT 1 FROM care_episodes ce WHERE ce.child_id = c.id \
       AND ce.started_on <= $6 AND (ce.ended_on IS NULL OR ce.ended_on > $6)) \
     AND NOT EXISTS (SELECT 1 FROM peps p WHERE p.child_id = c.id AND (p.trigger_key = $7 \
       OR (p.reason <> 'termly' AND p.due_on >= $4 AND p.due_on <= $5)))";

const ELIGIBLE_COLUMNS: &str = "c.id AS child_id, c.forename, c.surname, c.date_of_birth, \
     sp.school_id, s.name AS school_name";

macro_rules! bind_eligibility {
    ($query:expr, $e:expr) => {
        $query
            .bind($e.la_id)
            .bind($e.born_on_or_before)
            .bind($e.born_after)
            .bind($e.term_starts_on)
            .bind($e.term_ends_on)
            .bind($e.today)
            .bind(&$e.trigger_key)
    };
}

/// One page of the children a delegation would create PEPs for, by name.
pub async fn eligible_page(
    db: &Db,
    e: &TermlyEligibility,
    page: PageRequest,
) -> Result<Page<EligibleChild>, StoreError> {
    let order = match db {
        Db::Sqlite(_) => "c.sort_key",
        Db::Postgres(_) => "c.sort_key COLLATE \"C\"",
    };
    let sql = format!(
        "SELECT {ELIGIBLE_COLUMNS} {ELIGIBLE_FROM} ORDER BY {order}, c.id LIMIT $8 OFFSET $9"
    );
    let count_sql = format!("SELECT COUNT(*) {ELIGIBLE_FROM}");
    let (rows, total) = on_db!(db, pool => {
        let rows = bind_eligibility!(sqlx::query_as(&sql), e)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
        let total: i64 = bind_eligibility!(sqlx::query_scalar(&count_sql), e).fetch_one(pool).await?;
        (rows, total)
    });
    Ok(Page { rows, total })
}

/// Every child a delegation would create PEPs for, read in the delegating
/// transaction so that what is created is what was counted.
pub async fn eligible_all(
    tx: &mut Tx,
    e: &TermlyEligibility,
) -> Result<Vec<EligibleChild>, StoreError> {
    let sql = format!("SELECT {ELIGIBLE_COLUMNS} {ELIGIBLE_FROM} ORDER BY c.id");
    Ok(on_tx!(tx, conn => bind_eligibility!(sqlx::query_as(&sql), e).fetch_all(conn).await)?)
}

/// A child in care who has never had a PEP.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AwaitingInitialPep {
    pub child_id: Uuid,
    pub date_of_birth: NaiveDate,
    /// When the current period of care began.
    pub entered_care_on: NaiveDate,
    pub school_id: Option<Uuid>,
}

/// The authority's children in care on `today`, born within the range
/// (of PEP age), who have no PEP at all: each is owed an initial PEP.
pub async fn awaiting_initial_pep(
    db: &Db,
    la_id: Uuid,
    today: NaiveDate,
    born_on_or_before: NaiveDate,
    born_after: NaiveDate,
) -> Result<Vec<AwaitingInitialPep>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT c.id AS child_id, c.date_of_birth, \
           COALESCE(c.entered_care_on, ce.started_on) AS entered_care_on, sp.school_id \
         FROM children c \
         JOIN care_episodes ce ON ce.child_id = c.id AND ce.started_on <= $2 \
           AND (ce.ended_on IS NULL OR ce.ended_on > $2) \
         LEFT JOIN school_placements sp ON sp.child_id = c.id AND sp.started_on <= $2 \
           AND (sp.ended_on IS NULL OR sp.ended_on > $2) \
         WHERE c.la_id = $1 AND c.date_of_birth <= $3 AND c.date_of_birth > $4 \
           AND NOT EXISTS (SELECT 1 FROM peps p WHERE p.child_id = c.id) \
         ORDER BY c.id",
    )
    .bind(la_id)
    .bind(today)
    .bind(born_on_or_before)
    .bind(born_after)
    .fetch_all(pool)
    .await)?)
}

/// A page of a child's most recent PEP before `before_due`, to carry
/// forward into a new PEP.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PreviousPage {
    pub child_id: Uuid,
    pub page_key: String,
    pub answers: Json<Value>,
}

/// Each page as the child's latest PEP due before `before_due` that has it
/// left it (a page untouched in the last PEP comes from the one before):
/// of one child, or (`None`) of all the authority's children at once (one
/// query, not one per child).
pub async fn previous_pages(
    tx: &mut Tx,
    la_id: Uuid,
    before_due: NaiveDate,
    child_id: Option<Uuid>,
) -> Result<Vec<PreviousPage>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_as(PREVIOUS_PAGES)
        .bind(la_id)
        .bind(before_due)
        .bind(child_id)
        .fetch_all(conn)
        .await)?)
}

/// A page of one of a child's earlier PEPs, as the pages of a later PEP
/// show it: the latest of each page, and every page of the school year.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EarlierPage {
    pub page_key: String,
    pub answers: Json<Value>,
    /// The latest earlier PEP that has this page.
    pub latest: bool,
    /// From a PEP of the school year asked about.
    pub this_year: bool,
}

/// The pages of the child's PEPs due before `before_due` that a later PEP
/// shows beside its own: each page's latest version ([`previous_pages`])
/// and every page of `academic_year`, oldest first, in one query.
pub async fn earlier_pages(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    before_due: NaiveDate,
    academic_year: i32,
) -> Result<Vec<EarlierPage>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT page_key, answers, rn = 1 AS latest, academic_year = $4 AS this_year FROM \
           (SELECT pp.page_key, pp.answers, p.academic_year, p.due_on, p.created_at, \
              ROW_NUMBER() OVER (PARTITION BY pp.page_key \
                ORDER BY p.due_on DESC, p.created_at DESC) AS rn \
            FROM pep_pages pp JOIN peps p ON p.id = pp.pep_id \
            WHERE p.la_id = $1 AND pp.la_id = $1 AND p.child_id = $2 AND p.due_on < $3) l \
         WHERE rn = 1 OR academic_year = $4 ORDER BY due_on, created_at, page_key",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(before_due)
    .bind(academic_year)
    .fetch_all(pool)
    .await)?)
}

const PREVIOUS_PAGES: &str = "SELECT child_id, page_key, answers FROM \
       (SELECT p.child_id, pp.page_key, pp.answers, ROW_NUMBER() OVER \
          (PARTITION BY p.child_id, pp.page_key ORDER BY p.due_on DESC, p.created_at DESC) AS rn \
        FROM pep_pages pp JOIN peps p ON p.id = pp.pep_id \
        WHERE p.la_id = $1 AND pp.la_id = $1 AND p.due_on < $2 \
          AND ($3 IS NULL OR p.child_id = $3)) l \
     WHERE rn = 1 ORDER BY child_id, page_key";

/// A PEP in the authority's lists (due, overdue, meetings), with the child.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PepListRow {
    pub id: Uuid,
    pub child_id: Uuid,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    pub reason: String,
    pub status: String,
    pub due_on: NaiveDate,
    pub meeting_at: Option<DateTime<Utc>>,
    pub school_name: Option<String>,
    pub school_la_code: Option<String>,
    pub vs_priority: Option<String>,
    pub entered_care_on: Option<NaiveDate>,
    /// The child has a signed-off PEP (so is not new to the Virtual School).
    pub has_completed_pep: bool,
    /// Someone raised a professional disagreement about this PEP that the
    /// Virtual School has not yet resolved.
    pub disagreement_open: bool,
}

/// The authority's PEPs not yet complete of the children in care, soonest
/// due first: the list a VS officer works through before a deadline.
pub async fn open_for_authority(
    db: &Db,
    la_id: Uuid,
    today: NaiveDate,
) -> Result<Vec<PepListRow>, StoreError> {
    let sql = format!(
        "SELECT p.id, p.child_id, c.forename, c.surname, c.date_of_birth, p.reason, p.status, \
         p.due_on, p.meeting_at, s.name AS school_name, s.la_code AS school_la_code, \
         c.vs_priority, c.entered_care_on, EXISTS (SELECT 1 FROM peps d \
           WHERE d.child_id = p.child_id AND d.status IN ('signed_off', 'quality_assured')) \
           AS has_completed_pep, \
         EXISTS (SELECT 1 FROM pep_disagreements g WHERE g.pep_id = p.id \
           AND g.resolved_at IS NULL) AS disagreement_open \
         FROM peps p JOIN children c ON c.id = p.child_id \
         LEFT JOIN school_placements sp ON sp.child_id = c.id AND sp.started_on <= $2 \
           AND (sp.ended_on IS NULL OR sp.ended_on > $2) \
         LEFT JOIN schools s ON s.id = sp.school_id \
         WHERE p.la_id = $1 \
           AND p.status IN ('draft', 'in_progress', 'meeting_held', 'awaiting_sign_off') \
           AND {} \
         ORDER BY p.due_on, c.surname, c.forename, p.id",
        crate::children::in_care_on("$2")
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
    .bind(la_id)
    .bind(today)
    .fetch_all(pool)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delegation {
    pub id: Uuid,
    pub la_id: Uuid,
    pub academic_year: i32,
    pub term: String,
    pub due_on: NaiveDate,
    pub created_count: i32,
    pub run_by: Option<Uuid>,
    pub run_at: DateTime<Utc>,
}

pub async fn record_delegation(tx: &mut Tx, d: &Delegation) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO delegations (id, la_id, academic_year, term, due_on, created_count, \
             run_by, run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(d.id)
        .bind(d.la_id)
        .bind(d.academic_year)
        .bind(&d.term)
        .bind(d.due_on)
        .bind(d.created_count)
        .bind(d.run_by)
        .bind(d.run_at)
    )?;
    Ok(())
}

/// The authority's delegations, newest first.
pub async fn delegations(db: &Db, la_id: Uuid) -> Result<Vec<Delegation>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, la_id, academic_year, term, due_on, created_count, run_by, run_at \
         FROM delegations WHERE la_id = $1 ORDER BY run_at DESC, id DESC",
    )
    .bind(la_id)
    .fetch_all(pool)
    .await)?)
}

/// The child's PEP before this one (by due date): the one whose targets
/// this PEP's meeting reviews.
pub async fn previous(db: &Db, la_id: Uuid, pep: &Pep) -> Result<Option<Pep>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM peps WHERE la_id = $1 AND child_id = $2 AND id <> $3 \
         AND (due_on < $4 OR (due_on = $4 AND created_at < $5)) \
         ORDER BY due_on DESC, created_at DESC LIMIT 1"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(pep.child_id)
        .bind(pep.id)
        .bind(pep.due_on)
        .bind(pep.created_at)
        .fetch_optional(pool)
        .await)?)
}

/// Which of an authority's PEPs a list holds (each `None` is any).
#[derive(Debug, Clone, Default)]
pub struct PepFilter {
    pub child_id: Option<Uuid>,
    pub academic_year: Option<i32>,
    pub term: Option<String>,
    pub status: Option<String>,
}

/// A page of the authority's PEPs, newest due first (the API's list).
pub async fn page_for_authority(
    db: &Db,
    la_id: Uuid,
    filter: &PepFilter,
    page: crate::PageRequest,
) -> Result<crate::Page<Pep>, StoreError> {
    let condition = "la_id = $1 AND ($2 IS NULL OR child_id = $2) \
         AND ($3 IS NULL OR academic_year = $3) AND ($4 IS NULL OR term = $4) \
         AND ($5 IS NULL OR status = $5)";
    let rows_sql = format!(
        "SELECT {COLUMNS} FROM peps WHERE {condition} \
         ORDER BY due_on DESC, id LIMIT $6 OFFSET $7"
    );
    let count_sql = format!("SELECT COUNT(*) FROM peps WHERE {condition} AND $6 >= 0 AND $7 >= 0");
    macro_rules! binds {
        ($query:expr) => {
            $query
                .bind(la_id)
                .bind(filter.child_id)
                .bind(filter.academic_year)
                .bind(filter.term.as_deref())
                .bind(filter.status.as_deref())
                .bind(page.limit())
                .bind(page.offset())
        };
    }
    on_db!(db, pool => {
        let total: i64 = binds!(sqlx::query_scalar(&count_sql)).fetch_one(pool).await?;
        let rows = binds!(sqlx::query_as(&rows_sql)).fetch_all(pool).await?;
        Ok(crate::Page { rows, total })
    })
}
