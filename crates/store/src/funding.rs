//! Funding requests, which hang on targets, and each authority's funding
//! policy. A request moves on only from the status its mover saw: two
//! officers deciding at once cannot both win.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::db::placeholders;
use crate::{Db, Json, StoreError, Tx, exec_tx, on_db, on_tx};

/// A request as lists and forms show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RequestRow {
    pub id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub pep_id: Uuid,
    pub target_id: Uuid,
    pub target: String,
    pub school_id: Option<Uuid>,
    pub school_name: Option<String>,
    pub academic_year: i32,
    pub term: String,
    pub source: String,
    pub purchase: String,
    pub category: String,
    pub amount_pence: i64,
    pub comments: String,
    pub discretionary: bool,
    /// `FundingStatus::code()`.
    pub status: String,
    pub approved_pence: Option<i64>,
    pub decision_note: Option<String>,
    pub version: i64,
    pub created_by_name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "SELECT f.id, f.child_id, \
     c.forename || ' ' || c.surname AS child_name, f.pep_id, f.target_id, \
     t.description AS target, f.school_id, s.name AS school_name, f.academic_year, f.term, \
     f.source, f.purchase, f.category, f.amount_pence, f.comments, f.discretionary, f.status, \
     f.approved_pence, f.decision_note, f.version, cu.display_name AS created_by_name, \
     f.submitted_at, du.display_name AS decided_by_name, f.decided_at, f.paid_at \
     FROM funding_requests f \
     JOIN children c ON c.id = f.child_id \
     JOIN targets t ON t.id = f.target_id \
     JOIN users cu ON cu.id = f.created_by \
     LEFT JOIN users du ON du.id = f.decided_by \
     LEFT JOIN schools s ON s.id = f.school_id";

/// The PEP's requests, oldest first.
pub async fn for_pep(db: &Db, la_id: Uuid, pep_id: Uuid) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!("{SELECT} WHERE f.la_id = $1 AND f.pep_id = $2 ORDER BY f.created_at, f.id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(pep_id).fetch_all(pool).await)?)
}

/// Every request made for the child, newest first.
pub async fn for_child(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE f.la_id = $1 AND f.child_id = $2 \
         ORDER BY f.academic_year DESC, f.created_at DESC, f.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(child_id).fetch_all(pool).await)?)
}

pub async fn get(db: &Db, la_id: Uuid, id: Uuid) -> Result<Option<RequestRow>, StoreError> {
    let sql = format!("{SELECT} WHERE f.la_id = $1 AND f.id = $2");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(id).fetch_optional(pool).await)?)
}

/// Which requests the approval queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter<'a> {
    /// `FundingStatus::code()`.
    pub status: &'a str,
    pub school_id: Option<Uuid>,
    pub academic_year: Option<i32>,
    pub term: Option<&'a str>,
    pub category: Option<&'a str>,
    pub min_pence: Option<i64>,
    pub max_pence: Option<i64>,
    pub limit: i64,
}

/// The authority's requests in a status, oldest submitted first.
pub async fn queue(
    db: &Db,
    la_id: Uuid,
    filter: &QueueFilter<'_>,
) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE f.la_id = $1 \
         AND f.status = $2 \
         AND ($3 IS NULL OR f.school_id = $3) \
         AND ($4 IS NULL OR f.academic_year = $4) \
         AND ($5 IS NULL OR f.term = $5) \
         AND ($6 IS NULL OR f.category = $6) \
         AND ($7 IS NULL OR f.amount_pence >= $7) \
         AND ($8 IS NULL OR f.amount_pence <= $8) \
         ORDER BY f.submitted_at, f.created_at, f.id LIMIT $9"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(filter.status)
        .bind(filter.school_id)
        .bind(filter.academic_year)
        .bind(filter.term)
        .bind(filter.category)
        .bind(filter.min_pence)
        .bind(filter.max_pence)
        .bind(filter.limit)
        .fetch_all(pool)
        .await)?)
}

/// Sums of requests grouped by a key (a school, a term), status by status.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatusSum {
    pub key_id: Option<Uuid>,
    pub key_name: Option<String>,
    pub term: String,
    pub status: String,
    pub requests: i64,
    pub amount_pence: i64,
    pub approved_pence: i64,
}

/// The year's requests by school, term and status.
pub async fn sums_by_school(
    db: &Db,
    la_id: Uuid,
    academic_year: i32,
) -> Result<Vec<StatusSum>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT f.school_id AS key_id, s.name AS key_name, f.term, f.status, \
         COUNT(*) AS requests, CAST(SUM(f.amount_pence) AS BIGINT) AS amount_pence, \
         CAST(COALESCE(SUM(f.approved_pence), 0) AS BIGINT) AS approved_pence \
         FROM funding_requests f LEFT JOIN schools s ON s.id = f.school_id \
         WHERE f.la_id = $1 AND f.academic_year = $2 \
         GROUP BY f.school_id, s.name, f.term, f.status ORDER BY s.name, f.term, f.status",
    )
    .bind(la_id)
    .bind(academic_year)
    .fetch_all(pool)
    .await)?)
}

/// The children's requests of the year by child, term and status: what each
/// queued request's child has had so far.
pub async fn sums_for_children(
    db: &Db,
    la_id: Uuid,
    academic_year: i32,
    children: &[Uuid],
) -> Result<Vec<StatusSum>, StoreError> {
    if children.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(3, children.len());
    let sql = format!(
        "SELECT f.child_id AS key_id, NULL AS key_name, f.term, f.status, COUNT(*) AS requests, \
         CAST(SUM(f.amount_pence) AS BIGINT) AS amount_pence, \
         CAST(COALESCE(SUM(f.approved_pence), 0) AS BIGINT) AS approved_pence \
         FROM funding_requests f WHERE f.la_id = $1 AND f.academic_year = $2 \
         AND f.child_id IN ({list}) GROUP BY f.child_id, f.term, f.status"
    );
    Ok(on_db!(db, pool => {
        let mut q = sqlx::query_as(&sql).bind(la_id).bind(academic_year);
        for id in children {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await
    })?)
}

/// What the child has asked for in a category this term, in requests not
/// declined, leaving one out (the one being edited): for the policy's cap.
pub async fn category_total(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    academic_year: i32,
    term: &str,
    category: &str,
    except: Option<Uuid>,
) -> Result<i64, StoreError> {
    let total: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(SUM(COALESCE(approved_pence, amount_pence)) AS BIGINT) \
         FROM funding_requests WHERE la_id = $1 AND child_id = $2 AND academic_year = $3 \
         AND term = $4 AND category = $5 AND status <> 'declined' AND ($6 IS NULL OR id <> $6)",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(academic_year)
    .bind(term)
    .bind(category)
    .bind(except)
    .fetch_one(pool)
    .await)?;
    Ok(total.unwrap_or(0))
}

/// What a request asks for.
#[derive(Debug, Clone)]
pub struct RequestFields<'a> {
    pub source: &'a str,
    pub purchase: &'a str,
    pub category: &'a str,
    pub amount_pence: i64,
    pub comments: &'a str,
    pub discretionary: bool,
}

#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub pep_id: Uuid,
    pub target_id: Uuid,
    pub school_id: Option<Uuid>,
    pub academic_year: i32,
    pub term: &'a str,
    pub fields: RequestFields<'a>,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, r: &NewRequest<'_>) -> Result<(), StoreError> {
    let f = &r.fields;
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO funding_requests (id, la_id, child_id, pep_id, target_id, school_id, \
             academic_year, term, source, purchase, category, amount_pence, comments, \
             discretionary, status, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', 1, \
             $15, $16, $16)",
        )
        .bind(r.id)
        .bind(r.la_id)
        .bind(r.child_id)
        .bind(r.pep_id)
        .bind(r.target_id)
        .bind(r.school_id)
        .bind(r.academic_year)
        .bind(r.term)
        .bind(f.source)
        .bind(f.purchase)
        .bind(f.category)
        .bind(f.amount_pence)
        .bind(f.comments)
        .bind(f.discretionary)
        .bind(r.by)
        .bind(r.now)
    )?;
    Ok(())
}

/// Rewrites a request not yet decided, over the version its editor saw.
pub async fn update(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    expected_version: i64,
    f: &RequestFields<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE funding_requests SET source = $4, purchase = $5, category = $6, \
             amount_pence = $7, comments = $8, discretionary = $9, version = version + 1, \
             updated_at = $10 WHERE la_id = $1 AND id = $2 AND version = $3 \
             AND status IN ('draft', 'more_information')",
        )
        .bind(la_id)
        .bind(id)
        .bind(expected_version)
        .bind(f.source)
        .bind(f.purchase)
        .bind(f.category)
        .bind(f.amount_pence)
        .bind(f.comments)
        .bind(f.discretionary)
        .bind(now)
    )?;
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(expected_version + 1)
}

/// A move of a request from one status to the next.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub la_id: Uuid,
    pub id: Uuid,
    /// The statuses it may move from: a move from any other (someone got
    /// there first) changes nothing and is `StaleVersion`.
    pub from: &'a [&'a str],
    pub to: &'a str,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

/// Submits the request to the Virtual School.
pub async fn submit(tx: &mut Tx, m: &Move<'_>) -> Result<(), StoreError> {
    moved(tx, m, "submitted_by = $5, submitted_at = $6", None, None).await
}

/// Records the Virtual School's decision.
pub async fn decide(
    tx: &mut Tx,
    m: &Move<'_>,
    approved_pence: Option<i64>,
    note: &str,
) -> Result<(), StoreError> {
    moved(
        tx,
        m,
        "decided_by = $5, decided_at = $6, approved_pence = $7, decision_note = $8",
        approved_pence,
        Some(note),
    )
    .await
}

/// Records that the approved amount was paid.
pub async fn pay(tx: &mut Tx, m: &Move<'_>) -> Result<(), StoreError> {
    moved(tx, m, "paid_by = $5, paid_at = $6", None, None).await
}

async fn moved(
    tx: &mut Tx,
    m: &Move<'_>,
    set: &str,
    approved_pence: Option<i64>,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let from = m.from.join(",");
    let sql = format!(
        "UPDATE funding_requests SET status = $4, {set}, version = version + 1, updated_at = $6 \
         WHERE la_id = $1 AND id = $2 AND (',' || $3 || ',') LIKE ('%,' || status || ',%')"
    );
    let changed = on_tx!(tx, conn => {
        let q = sqlx::query(&sql).bind(m.la_id).bind(m.id).bind(&from).bind(m.to).bind(m.by).bind(m.now);
        let q = if note.is_some() { q.bind(approved_pence).bind(note) } else { q };
        q.execute(conn).await.map(|r| r.rows_affected())
    })?;
    if changed == 0 { Err(StoreError::StaleVersion) } else { Ok(()) }
}

/// The authority's current funding policy: its version and the policy as
/// JSON. `None` until one is saved.
pub async fn current_policy(db: &Db, la_id: Uuid) -> Result<Option<(i64, Value)>, StoreError> {
    let row: Option<(i64, Json<Value>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT version, policy FROM funding_policies WHERE la_id = $1 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(la_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(v, Json(p))| (v, p)))
}

/// Saves a new version of the policy over `expected_version` (0: none
/// yet); `StaleVersion` when someone saved first.
pub async fn save_policy(
    tx: &mut Tx,
    la_id: Uuid,
    expected_version: i64,
    policy: &Value,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let version = expected_version + 1;
    let result = exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO funding_policies (id, la_id, version, policy, saved_by, saved_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(la_id)
        .bind(version)
        .bind(Json(policy))
        .bind(by)
        .bind(now)
    );
    match result {
        Ok(_) => Ok(version),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::StaleVersion),
        Err(e) => Err(e.into()),
    }
}

/// The authority's requests among `ids`, in one query.
pub async fn get_many(db: &Db, la_id: Uuid, ids: &[Uuid]) -> Result<Vec<RequestRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SELECT} WHERE f.la_id = $1 AND f.id IN ({}) ORDER BY f.submitted_at, f.id",
        placeholders(2, ids.len())
    );
    Ok(on_db!(db, pool => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await
    })?)
}

/// For each of the requests, the e-mail addresses of the active people
/// who wrote or submitted it: those told of a decision.
pub async fn askers(db: &Db, la_id: Uuid, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT f.id, u.email FROM funding_requests f \
         JOIN users u ON u.id = f.created_by OR u.id = f.submitted_by \
         WHERE f.la_id = $1 AND u.is_active AND f.id IN ({}) ORDER BY f.id, u.email",
        placeholders(2, ids.len())
    );
    Ok(on_db!(db, pool => {
        let mut q = sqlx::query_as(&sql).bind(la_id);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await
    })?)
}
