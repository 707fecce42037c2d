//! Quality assurance of signed-off PEPs: the queue the Virtual School works
//! through, who checks each PEP, the grades given and the returns for
//! improvement.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Db, Json, Page, PageRequest, StoreError, Tx, exec_tx, on_db};

/// The year group of a PEP's child in the PEP's academic year (`p` the
/// PEP, `c` the child): their age on the 31 August before it, minus 4.
pub(crate) fn nc_year_sql(db: &Db) -> &'static str {
    match db {
        Db::Postgres(_) => {
            "(p.academic_year - CAST(EXTRACT(YEAR FROM c.date_of_birth) AS INTEGER) \
             - CASE WHEN EXTRACT(MONTH FROM c.date_of_birth) >= 9 THEN 1 ELSE 0 END - 4)"
        }
        Db::Sqlite(_) => {
            "(p.academic_year - CAST(strftime('%Y', c.date_of_birth) AS INTEGER) \
             - CASE WHEN CAST(strftime('%m', c.date_of_birth) AS INTEGER) >= 9 THEN 1 ELSE 0 END \
             - 4)"
        }
    }
}

/// Which of the authority's PEPs the queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `PepStatus::code()`: "signed_off" (waiting), "returned_for_improvement".
    pub status: String,
    pub academic_year: Option<i32>,
    pub term: Option<String>,
    pub school_id: Option<Uuid>,
    /// Year groups, inclusive.
    pub nc_from: Option<i32>,
    pub nc_to: Option<i32>,
    /// `Some(None)`: no officer yet; `Some(Some(id))`: that officer's.
    pub officer: Option<Option<Uuid>>,
}

/// A PEP in the queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueueRow {
    pub pep_id: Uuid,
    pub child_id: Uuid,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    pub academic_year: i32,
    pub term: String,
    pub reason: String,
    pub status: String,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub school_name: Option<String>,
    pub qa_officer_id: Option<Uuid>,
    pub qa_officer_name: Option<String>,
    /// How many times it has been returned for improvement.
    pub returns: i64,
    /// The latest return's due date.
    pub return_due_on: Option<NaiveDate>,
}

/// A page of the queue, the longest waiting first.
pub async fn queue(
    db: &Db,
    la_id: Uuid,
    filter: &QueueFilter,
    page: PageRequest,
) -> Result<Page<QueueRow>, StoreError> {
    let nc_year = nc_year_sql(db);
    let officer_any = filter.officer.is_none();
    let officer = filter.officer.flatten();
    let condition = format!(
        "p.la_id = $1 AND p.status = $2 \
         AND ($3 IS NULL OR p.academic_year = $3) AND ($4 IS NULL OR p.term = $4) \
         AND ($5 IS NULL OR p.school_id = $5) \
         AND ($6 IS NULL OR {nc_year} >= $6) AND ($7 IS NULL OR {nc_year} <= $7) \
         AND ($8 OR ($9 IS NULL AND p.qa_officer_id IS NULL) OR p.qa_officer_id = $9)"
    );
    let rows_sql = format!(
        "SELECT p.id AS pep_id, p.child_id, c.forename, c.surname, c.date_of_birth, \
         p.academic_year, p.term, p.reason, p.status, p.signed_off_at, s.name AS school_name, \
         p.qa_officer_id, u.display_name AS qa_officer_name, \
         (SELECT COUNT(*) FROM pep_returns r WHERE r.pep_id = p.id) AS returns, \
         (SELECT r.due_on FROM pep_returns r WHERE r.pep_id = p.id \
           ORDER BY r.returned_at DESC LIMIT 1) AS return_due_on \
         FROM peps p JOIN children c ON c.id = p.child_id \
         LEFT JOIN schools s ON s.id = p.school_id \
         LEFT JOIN users u ON u.id = p.qa_officer_id \
         WHERE {condition} \
         ORDER BY p.signed_off_at, p.due_on, p.id LIMIT $10 OFFSET $11"
    );
    let count_sql = format!(
        "SELECT COUNT(*) FROM peps p JOIN children c ON c.id = p.child_id WHERE {condition} \
         AND $10 >= 0 AND $11 >= 0"
    );
    macro_rules! filters {
        ($query:expr) => {
            $query
                .bind(la_id)
                .bind(&filter.status)
                .bind(filter.academic_year)
                .bind(&filter.term)
                .bind(filter.school_id)
                .bind(filter.nc_from)
                .bind(filter.nc_to)
                .bind(officer_any)
                .bind(officer)
                .bind(page.limit())
                .bind(page.offset())
        };
    }
    on_db!(db, pool => {
        let total: i64 = filters!(sqlx::query_scalar(&count_sql)).fetch_one(pool).await?;
        let rows: Vec<QueueRow> = filters!(sqlx::query_as(&rows_sql)).fetch_all(pool).await?;
        Ok(Page { rows, total })
    })
}

/// Gives the PEPs to `officer` (or, with `None`, to no one); how many
/// changed. Only PEPs still waiting or returned change hands.
pub async fn assign(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    officer: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET qa_officer_id = $3, updated_at = $4 \
             WHERE la_id = $1 AND id = $2 \
             AND status IN ('signed_off', 'returned_for_improvement')",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(officer)
        .bind(now)
    )?;
    Ok(changed == 1)
}

/// Who checks the PEP, if anyone yet.
pub async fn officer_of(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    let sql = "SELECT qa_officer_id FROM peps WHERE la_id = $1 AND id = $2";
    let found: Option<Option<Uuid>> = on_db!(db, pool => {
        sqlx::query_scalar(sql).bind(la_id).bind(pep_id).fetch_optional(pool).await
    })?;
    found.ok_or(StoreError::NotFound)
}

/// A grade given.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GradeRow {
    pub scheme: String,
    pub grade: String,
    pub comments: String,
    pub progress_rag: Option<String>,
    pub graded_by: Uuid,
    pub graded_by_name: String,
    pub graded_at: DateTime<Utc>,
}

impl GradeRow {
    /// The grade as people read it ("Good"); an unknown code as stored.
    pub fn grade_label(&self) -> &str {
        openpep_domain::quality::Grade::from_code(&self.grade).map_or(&self.grade, |g| g.label())
    }
}

/// A grade to record.
#[derive(Debug, Clone)]
pub struct NewGrade<'a> {
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub scheme: &'a str,
    pub grade: &'a str,
    pub comments: &'a str,
    pub progress_rag: Option<&'a str>,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

/// Grades the PEP if it is still signed off and waiting: "quality assured",
/// the grade kept; whether it was.
pub async fn grade(tx: &mut Tx, g: &NewGrade<'_>) -> Result<bool, StoreError> {
    if !crate::peps::set_status(tx, g.la_id, g.pep_id, "signed_off", "quality_assured", g.at)
        .await?
    {
        return Ok(false);
    }
    insert_grade(tx, g).await?;
    Ok(true)
}

/// Keeps a grade (the demo's history; [`grade`] for a PEP being graded).
pub async fn insert_grade(tx: &mut Tx, g: &NewGrade<'_>) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_grades (id, la_id, pep_id, scheme, grade, comments, progress_rag, \
             graded_by, graded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(g.la_id)
        .bind(g.pep_id)
        .bind(g.scheme)
        .bind(g.grade)
        .bind(g.comments)
        .bind(g.progress_rag)
        .bind(g.by)
        .bind(g.at)
    )?;
    // The newest grade stands, whatever order the grades were kept in.
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE peps SET grade = (SELECT g.grade FROM pep_grades g WHERE g.pep_id = peps.id \
             ORDER BY g.graded_at DESC, g.id DESC LIMIT 1) WHERE la_id = $1 AND id = $2",
        )
        .bind(g.la_id)
        .bind(g.pep_id)
    )?;
    Ok(())
}

/// The PEP's grades, oldest first.
pub async fn grades(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<GradeRow>, StoreError> {
    let sql = "SELECT g.scheme, g.grade, g.comments, g.progress_rag, g.graded_by, \
               u.display_name AS graded_by_name, g.graded_at \
               FROM pep_grades g JOIN users u ON u.id = g.graded_by \
               WHERE g.la_id = $1 AND g.pep_id = $2 ORDER BY g.graded_at, g.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// A return for improvement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReturnRow {
    pub id: Uuid,
    pub comments: String,
    pub due_on: NaiveDate,
    /// The page keys it reopened.
    pub pages: Json<Vec<String>>,
    pub returned_by: Uuid,
    pub returned_by_name: String,
    pub returned_at: DateTime<Utc>,
    pub resubmitted_by_name: Option<String>,
    pub resubmitted_at: Option<DateTime<Utc>>,
}

impl ReturnRow {
    pub fn is_open(&self) -> bool {
        self.resubmitted_at.is_none()
    }
}

/// A return to record.
#[derive(Debug, Clone)]
pub struct NewReturn<'a> {
    pub la_id: Uuid,
    pub pep_id: Uuid,
    pub comments: &'a str,
    pub due_on: NaiveDate,
    pub pages: &'a [String],
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

/// Returns the PEP for improvement if it is still signed off and waiting;
/// whether it was.
pub async fn return_for_improvement(tx: &mut Tx, r: &NewReturn<'_>) -> Result<bool, StoreError> {
    let to = "returned_for_improvement";
    if !crate::peps::set_status(tx, r.la_id, r.pep_id, "signed_off", to, r.at).await? {
        return Ok(false);
    }
    insert_return(tx, r, None).await?;
    Ok(true)
}

/// Keeps a return, sent back (`resubmitted`: by whom, when) or not (the
/// demo's history; [`return_for_improvement`] for a PEP being returned).
pub async fn insert_return(
    tx: &mut Tx,
    r: &NewReturn<'_>,
    resubmitted: Option<(Uuid, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO pep_returns (id, la_id, pep_id, comments, due_on, pages, returned_by, \
             returned_at, resubmitted_by, resubmitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(Uuid::now_v7())
        .bind(r.la_id)
        .bind(r.pep_id)
        .bind(r.comments)
        .bind(r.due_on)
        .bind(Json(r.pages))
        .bind(r.by)
        .bind(r.at)
        .bind(resubmitted.map(|(by, _)| by))
        .bind(resubmitted.map(|(_, at)| at))
    )?;
    Ok(())
}

/// The improved PEP goes back to the queue: signed off again, its open
/// return closed; whether it was still returned.
pub async fn resubmit(
    tx: &mut Tx,
    la_id: Uuid,
    pep_id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let from = "returned_for_improvement";
    if !crate::peps::set_status(tx, la_id, pep_id, from, "signed_off", now).await? {
        return Ok(false);
    }
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE pep_returns SET resubmitted_by = $3, resubmitted_at = $4 \
             WHERE la_id = $1 AND pep_id = $2 AND resubmitted_at IS NULL",
        )
        .bind(la_id)
        .bind(pep_id)
        .bind(by)
        .bind(now)
    )?;
    Ok(true)
}

/// The PEP's returns, oldest first.
pub async fn returns(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<ReturnRow>, StoreError> {
    let sql = "SELECT r.id, r.comments, r.due_on, r.pages, r.returned_by, \
               u.display_name AS returned_by_name, r.returned_at, \
               v.display_name AS resubmitted_by_name, r.resubmitted_at \
               FROM pep_returns r JOIN users u ON u.id = r.returned_by \
               LEFT JOIN users v ON v.id = r.resubmitted_by \
               WHERE r.la_id = $1 AND r.pep_id = $2 ORDER BY r.returned_at, r.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// The pages the PEP's open return reopened (`None`: no open return).
pub async fn reopened_pages(
    db: &Db,
    la_id: Uuid,
    pep_id: Uuid,
) -> Result<Option<Vec<String>>, StoreError> {
    let found: Option<Json<Vec<String>>> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT pages FROM pep_returns WHERE la_id = $1 AND pep_id = $2 \
         AND resubmitted_at IS NULL ORDER BY returned_at DESC LIMIT 1",
    )
    .bind(la_id)
    .bind(pep_id)
    .fetch_optional(pool)
    .await)?;
    Ok(found.map(|j| j.0))
}
