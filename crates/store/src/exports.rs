//! What bulk exports read: the cohort a row a child (streamed, never held
//! whole), and the PDFs of a term's signed-off PEPs.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{Db, StoreError, on_db};

/// One child of the cohort export, with their current school, social
/// worker and PEP.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CohortRow {
    pub la_child_id: Option<String>,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub ethnicity: Option<String>,
    pub upn: Option<String>,
    pub legal_status: Option<String>,
    pub entered_care_on: Option<NaiveDate>,
    /// Empty while the child is in care.
    pub left_care_on: Option<NaiveDate>,
    pub sen_provision: Option<String>,
    pub school_urn: Option<i32>,
    pub school_name: Option<String>,
    pub social_worker: Option<String>,
    pub pep_academic_year: Option<i32>,
    pub pep_term: Option<String>,
    pub pep_status: Option<String>,
    pub pep_due_on: Option<NaiveDate>,
    pub pep_signed_off_at: Option<DateTime<Utc>>,
}

/// Sends the authority's children, by name, into `rows` as the database
/// returns them; stops early if the receiver is gone. A failure part-way
/// is sent as the last item, so the reader never takes a short list for
/// the whole.
pub async fn cohort(
    db: &Db,
    la_id: Uuid,
    today: NaiveDate,
    rows: mpsc::Sender<Result<CohortRow, StoreError>>,
) {
    if let Err(e) = send_cohort(db, la_id, today, &rows).await {
        let _ = rows.send(Err(e)).await;
    }
}

async fn send_cohort(
    db: &Db,
    la_id: Uuid,
    today: NaiveDate,
    rows: &mpsc::Sender<Result<CohortRow, StoreError>>,
) -> Result<(), StoreError> {
    let sort = crate::children::sort_expression(db);
    let sql = format!(
        "SELECT c.la_child_id, c.forename, c.surname, c.date_of_birth, c.gender, c.ethnicity, \
           c.upn, c.legal_status, c.entered_care_on, c.left_care_on, c.sen_provision, \
           s.urn AS school_urn, s.name AS school_name, \
           (SELECT u.display_name FROM child_workers w JOIN users u ON u.id = w.user_id \
             WHERE w.child_id = c.id AND w.role = 'social_worker' AND w.started_on <= $2 \
               AND (w.ended_on IS NULL OR w.ended_on > $2) \
             ORDER BY w.started_on DESC LIMIT 1) AS social_worker, \
           cur.academic_year AS pep_academic_year, cur.term AS pep_term, \
           cur.status AS pep_status, cur.due_on AS pep_due_on, \
           cur.signed_off_at AS pep_signed_off_at \
         FROM children c \
         LEFT JOIN school_placements sp ON sp.id = (SELECT p.id FROM school_placements p \
           WHERE p.child_id = c.id AND p.started_on <= $2 \
             AND (p.ended_on IS NULL OR p.ended_on > $2) ORDER BY p.started_on DESC LIMIT 1) \
         LEFT JOIN schools s ON s.id = sp.school_id \
         LEFT JOIN peps cur ON cur.id = (SELECT p.id FROM peps p WHERE p.child_id = c.id \
           ORDER BY p.due_on DESC, p.id DESC LIMIT 1) \
         WHERE c.la_id = $1 ORDER BY {sort}, c.id"
    );
    on_db!(db, pool => {
        let mut stream = sqlx::query_as::<_, CohortRow>(&sql).bind(la_id).bind(today).fetch(pool);
        while let Some(row) = stream.try_next().await? {
            if rows.send(Ok(row)).await.is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// The newest ready PDF of a signed-off PEP, with who it is about.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TermArchive {
    pub pep_id: Uuid,
    pub child_id: Uuid,
    pub la_child_id: Option<String>,
    pub forename: String,
    pub surname: String,
    pub version: i64,
    pub file_key: String,
    pub sha256: String,
}

/// The newest ready PDF of each of the term's PEPs, by child's name.
pub async fn term_archives(
    db: &Db,
    la_id: Uuid,
    academic_year: i32,
    term: &str,
) -> Result<Vec<TermArchive>, StoreError> {
    let sort = crate::children::sort_expression(db);
    let sql = format!(
        "SELECT a.pep_id, a.child_id, c.la_child_id, c.forename, c.surname, a.version, \
           a.file_key, a.sha256 \
         FROM peps p JOIN pep_archives a ON a.pep_id = p.id JOIN children c ON c.id = p.child_id \
         WHERE p.la_id = $1 AND p.academic_year = $2 AND p.term = $3 AND a.la_id = $1 \
           AND p.status IN ('signed_off', 'quality_assured') \
           AND a.status = 'ready' AND a.file_key IS NOT NULL AND a.sha256 IS NOT NULL \
           AND a.version = (SELECT MAX(b.version) FROM pep_archives b \
             WHERE b.pep_id = p.id AND b.status = 'ready') \
         ORDER BY {sort}, c.id, p.id"
    );
    on_db!(db, pool => Ok(sqlx::query_as(&sql)
        .bind(la_id)
        .bind(academic_year)
        .bind(term)
        .fetch_all(pool)
        .await?))
}
