//! What the cohort dashboards count, read a few rows a child: the children
//! in care in a person's scope with their school and social worker today, their
//! PEPs, the pages of one term's PEPs that hold figures, and their funding
//! requests. Every query is scoped to the authority (and the person's
//! caseload) through `scope_clause`, on indexed columns.

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::ChildScope;
use serde_json::Value;
use uuid::Uuid;

use crate::children::{bind_scope, in_care_on, scope_binds, scope_clause};
use crate::{Db, Json, StoreError, on_db};

/// A child in scope, as they are on `today`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CohortChild {
    pub id: Uuid,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    /// The school or setting they attend (none: no school place).
    pub school_id: Option<Uuid>,
    pub social_worker_id: Option<Uuid>,
}

pub async fn cohort(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
) -> Result<Vec<CohortChild>, StoreError> {
    let sql = cohort_sql(scope);
    Ok(on_db!(db, pool => bind_scope!(sqlx::query_as(&sql), scope, today)
        .fetch_all(pool)
        .await)?)
}

fn cohort_sql(scope: &ChildScope) -> String {
    format!(
        "SELECT c.id, c.forename, c.surname, c.date_of_birth, \
           (SELECT sp.school_id FROM school_placements sp WHERE sp.child_id = c.id \
             AND sp.started_on <= $3 AND (sp.ended_on IS NULL OR sp.ended_on > $3) \
             ORDER BY sp.started_on DESC LIMIT 1) AS school_id, \
           (SELECT w.user_id FROM child_workers w WHERE w.child_id = c.id \
             AND w.role = 'social_worker' AND w.started_on <= $3 \
             AND (w.ended_on IS NULL OR w.ended_on > $3) \
             ORDER BY w.started_on DESC LIMIT 1) AS social_worker_id \
         FROM children c WHERE {} AND {} ORDER BY c.id",
        scope_clause(scope),
        in_care_on("$3")
    )
}

/// A PEP of a child in scope, with the grade it stands at and, for the
/// chosen term's, the school the child was at when it was due.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CohortPep {
    pub id: Uuid,
    pub child_id: Uuid,
    pub academic_year: i32,
    pub term: String,
    pub reason: String,
    pub status: String,
    pub due_on: NaiveDate,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub template_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    /// `quality::Grade` code of the newest grade.
    pub grade: Option<String>,
}

/// The PEPs of the children in scope; the school is looked up for the
/// PEPs of `term` alone (the grades by school count that term's).
pub async fn peps(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
    (academic_year, term): (i32, &str),
) -> Result<Vec<CohortPep>, StoreError> {
    let sql = peps_sql(scope);
    Ok(on_db!(db, pool => bind_scope!(sqlx::query_as(&sql), scope, today)
        .bind(academic_year)
        .bind(term)
        .fetch_all(pool)
        .await)?)
}

/// `column` names a child in scope: the scope's children are found once
/// through the authority's index, not joined to each row.
fn in_scope(column: &str, scope: &ChildScope) -> String {
    format!(
        "{column} IN (SELECT c.id FROM children c WHERE {} AND {})",
        scope_clause(scope),
        in_care_on("$3")
    )
}

fn peps_sql(scope: &ChildScope) -> String {
    format!(
        "SELECT p.id, p.child_id, p.academic_year, p.term, p.reason, p.status, p.due_on, \
           p.signed_off_at, p.template_id, \
           CASE WHEN p.academic_year = $6 AND p.term = $7 THEN \
             (SELECT sp.school_id FROM school_placements sp WHERE sp.child_id = p.child_id \
               AND sp.started_on <= p.due_on ORDER BY sp.started_on DESC LIMIT 1) END AS school_id, \
           p.grade \
         FROM peps p WHERE p.la_id = $1 AND {} ORDER BY p.child_id, p.due_on, p.id",
        in_scope("p.child_id", scope)
    )
}

/// A saved page of a PEP.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CohortPage {
    pub pep_id: Uuid,
    pub page_key: String,
    pub answers: Json<Value>,
}

/// The pages named `keys` of the term's PEPs of the children in scope.
pub async fn pages(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
    (academic_year, term): (i32, &str),
    keys: &[String],
) -> Result<Vec<CohortPage>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = pages_sql(scope, keys.len());
    on_db!(db, pool => {
        let mut query =
            bind_scope!(sqlx::query_as(&sql), scope, today).bind(academic_year).bind(term);
        for key in keys {
            query = query.bind(key);
        }
        Ok(query.fetch_all(pool).await?)
    })
}

fn pages_sql(scope: &ChildScope, keys: usize) -> String {
    let placeholders: Vec<String> = (0..keys).map(|i| format!("${}", i + 8)).collect();
    format!(
        "SELECT pp.pep_id, pp.page_key, pp.answers FROM peps p \
         JOIN pep_pages pp ON pp.pep_id = p.id \
         WHERE p.la_id = $1 AND p.academic_year = $6 AND p.term = $7 AND {} \
           AND pp.page_key IN ({}) ORDER BY pp.pep_id, pp.page_key",
        in_scope("p.child_id", scope),
        placeholders.join(", ")
    )
}

/// A funding request of a child in scope.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CohortFunding {
    pub child_id: Uuid,
    /// The school the child was at when it was asked for.
    pub school_id: Option<Uuid>,
    pub academic_year: i32,
    pub term: String,
    pub source: String,
    pub status: String,
    pub amount_pence: i64,
    pub approved_pence: Option<i64>,
}

/// The funding requests of the children in scope for one term.
pub async fn funding(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
    (academic_year, term): (i32, &str),
) -> Result<Vec<CohortFunding>, StoreError> {
    let sql = funding_sql(scope);
    Ok(on_db!(db, pool => bind_scope!(sqlx::query_as(&sql), scope, today)
        .bind(academic_year)
        .bind(term)
        .fetch_all(pool)
        .await)?)
}

fn funding_sql(scope: &ChildScope) -> String {
    format!(
        "SELECT f.child_id, f.school_id, f.academic_year, f.term, f.source, f.status, \
           f.amount_pence, f.approved_pence \
         FROM funding_requests f \
         WHERE f.la_id = $1 AND f.academic_year = $6 AND f.term = $7 AND {} ORDER BY f.id",
        in_scope("f.child_id", scope)
    )
}

/// How the database runs each dashboard query for `scope`: (the query's
/// name, its plan), for the benchmark's report.
pub async fn plans(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
    (academic_year, term): (i32, &str),
    keys: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    let queries = [
        ("cohort", cohort_sql(scope), false),
        ("peps", peps_sql(scope), true),
        ("pages", pages_sql(scope, keys.len()), true),
        ("funding", funding_sql(scope), true),
    ];
    // The same parameters as the query itself; expands once per backend.
    macro_rules! bound {
        ($sql:expr, $name:expr, $termly:expr) => {{
            let mut query = bind_scope!(sqlx::query_as($sql), scope, today);
            if $termly {
                query = query.bind(academic_year).bind(term);
            }
            if $name == "pages" {
                for key in keys {
                    query = query.bind(key);
                }
            }
            query
        }};
    }
    let mut plans = Vec::new();
    for (name, sql, termly) in queries {
        let lines: Vec<String> = match db {
            Db::Sqlite(pool) => {
                let sql = format!("EXPLAIN QUERY PLAN {sql}");
                let rows: Vec<(i64, i64, i64, String)> =
                    bound!(&sql, name, termly).fetch_all(pool).await?;
                // Indented by depth, as the sqlite3 shell shows it.
                let mut depth: Vec<(i64, usize)> = Vec::new();
                rows.into_iter()
                    .map(|(id, parent, _, detail)| {
                        let level =
                            depth.iter().find(|(i, _)| *i == parent).map_or(0, |(_, d)| d + 1);
                        depth.push((id, level));
                        format!("{}{detail}", "  ".repeat(level))
                    })
                    .collect()
            }
            Db::Postgres(pool) => {
                let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
                let rows: Vec<(String,)> = bound!(&sql, name, termly).fetch_all(pool).await?;
                rows.into_iter().map(|(line,)| line).collect()
            }
        };
        plans.push((name.to_owned(), lines.join("\n")));
    }
    Ok(plans)
}

/// Each social worker's team manager in the authority: (worker, manager).
pub async fn teams(db: &Db, la_id: Uuid) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT member_user_id, manager_user_id FROM team_members \
         WHERE la_id = $1 AND ended_at IS NULL ORDER BY created_at",
    )
    .bind(la_id)
    .fetch_all(pool)
    .await)?)
}
