//! Children looked after by an authority. Every read goes through a
//! [`ChildScope`], so a list or a record outside the caller's caseload is
//! simply not there.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use openpep_domain::search;

use crate::{ChildScope, Db, Page, PageRequest, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Child {
    pub id: Uuid,
    pub la_id: Uuid,
    pub forename: String,
    pub surname: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub ethnicity: Option<String>,
    /// "N" (none), "K" (SEN support) or "E" (an EHC plan); `None` unknown.
    pub sen_provision: Option<String>,
    pub upn: Option<String>,
    pub upn_unknown_reason: Option<String>,
    pub uln: Option<String>,
    pub legal_status: Option<String>,
    pub entered_care_on: Option<NaiveDate>,
    /// The end of their last care episode, once none is open.
    pub left_care_on: Option<NaiveDate>,
    pub vs_priority: Option<String>,
    /// The id the council's case-management system gives the child
    /// (SSDA903's CHILD), when the child came from an import.
    pub la_child_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One row of "Your learners".
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LearnerRow {
    pub id: Uuid,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    pub upn: Option<String>,
    pub school_name: Option<String>,
    pub social_worker: Option<String>,
    /// The status of the child's current PEP (the latest by due date).
    pub pep_status: Option<String>,
    pub pep_due_on: Option<NaiveDate>,
    pub left_care_on: Option<NaiveDate>,
}

/// What to look for in a list of learners.
#[derive(Debug, Clone, Default)]
pub struct LearnerFilter {
    /// Part of a name, or a whole UPN.
    pub search: Option<String>,
    /// Currently placed at this school.
    pub school_id: Option<Uuid>,
    /// Born on or after / on or before (how year groups and phases filter).
    pub born_from: Option<NaiveDate>,
    pub born_to: Option<NaiveDate>,
    /// Currently allocated to this social worker.
    pub social_worker: Option<Uuid>,
    /// The current PEP's status code, or "overdue".
    pub pep_status: Option<String>,
    pub care: CareFilter,
    pub sort: LearnerSort,
}

/// Whether a list of learners holds the children in care, those who have
/// left care, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CareFilter {
    #[default]
    InCare,
    Left,
    All,
}

impl CareFilter {
    pub fn code(self) -> &'static str {
        match self {
            CareFilter::InCare => "in",
            CareFilter::Left => "left",
            CareFilter::All => "all",
        }
    }

    /// The filter a code names; in care for any other.
    pub fn from_code(code: &str) -> CareFilter {
        match code {
            "left" => CareFilter::Left,
            "all" => CareFilter::All,
            _ => CareFilter::InCare,
        }
    }
}

/// The child `c` is in care on the day bound at `day` (e.g. "$3"): they
/// had not left by then. [`left_care_by`] is the same rule in Rust.
pub(crate) fn in_care_on(day: &str) -> String {
    format!("(c.left_care_on IS NULL OR c.left_care_on > {day})")
}

/// The day the child left care, if they had left by `day`.
pub fn left_care_by(left_care_on: Option<NaiveDate>, day: NaiveDate) -> Option<NaiveDate> {
    left_care_on.filter(|left| *left <= day)
}

/// How a list of learners is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LearnerSort {
    #[default]
    Name,
    /// Youngest first.
    Age,
    School,
    /// The current PEP's due date, soonest first.
    PepDue,
}

pub(crate) const COLUMNS: &str = "c.id, c.la_id, c.forename, c.surname, c.preferred_name, c.date_of_birth, \
     c.gender, c.ethnicity, c.sen_provision, c.upn, c.upn_unknown_reason, c.uln, c.legal_status, c.entered_care_on, \
     c.left_care_on, c.vs_priority, c.la_child_id, c.version, c.created_at, c.updated_at";

/// The part of a WHERE clause that keeps a query inside the scope.
/// Binds: $1 the LA, $2 the user, $3 today, $4 the role acted in, $5 the
/// school they act for (the last three unused for the whole authority).
pub(crate) fn scope_clause(scope: &ChildScope) -> &'static str {
    match scope {
        ChildScope::Authority { .. } => "c.la_id = $1",
        ChildScope::Caseload { .. } => {
            "c.la_id = $1 AND c.id IN (\
               SELECT cw.child_id FROM child_workers cw \
               WHERE cw.user_id = $2 AND cw.la_id = $1 AND cw.role = $4 AND cw.started_on <= $3 \
                 AND (cw.ended_on IS NULL OR cw.ended_on > $3) \
               UNION \
               SELECT sp.child_id FROM school_placements sp \
               WHERE sp.school_id = $5 AND sp.la_id = $1 AND sp.started_on <= $3 \
                 AND (sp.ended_on IS NULL OR sp.ended_on > $3) \
               UNION \
               SELECT tw.child_id FROM team_members t \
               JOIN child_workers tw ON tw.user_id = t.member_user_id AND tw.la_id = t.la_id \
               WHERE $4 = 'team_manager' AND t.manager_user_id = $2 AND t.la_id = $1 \
                 AND t.ended_at IS NULL AND tw.role = 'social_worker' AND tw.started_on <= $3 \
                 AND (tw.ended_on IS NULL OR tw.ended_on > $3))"
        }
    }
}

/// The values `scope_clause` binds as $2, $4 and $5.
pub(crate) fn scope_binds(scope: &ChildScope) -> (Uuid, &'static str, Option<Uuid>) {
    match *scope {
        ChildScope::Authority { .. } => (Uuid::nil(), "", None),
        ChildScope::Caseload { user_id, role, school_id, .. } => (user_id, role.code(), school_id),
    }
}

/// Binds the scope's five parameters ($1 to $5) to a query.
macro_rules! bind_scope {
    ($query:expr, $scope:expr, $today:expr) => {{
        let (user_id, role, school_id) = scope_binds($scope);
        $query.bind($scope.la_id()).bind(user_id).bind($today).bind(role).bind(school_id)
    }};
}
pub(crate) use bind_scope;

/// A LIKE pattern (with `ESCAPE '\'`) for text anywhere in a search key.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in search::fold(text).chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The keys a child is found and sorted by, computed here (not by SQL's
/// `LOWER`, which folds only ASCII on SQLite) so both backends agree.
pub(crate) fn keys(forename: &str, surname: &str, preferred: Option<&str>) -> (String, String) {
    let search_text = search::fold(&format!("{forename} {surname} {}", preferred.unwrap_or("")));
    let sort_key = format!("{}\u{1f}{}", search::fold(surname), search::fold(forename));
    (search_text, sort_key)
}

/// Byte order on both backends, whatever the database's collation.
pub(crate) fn sort_expression(db: &Db) -> &'static str {
    match db {
        Db::Postgres(_) => "c.sort_key COLLATE \"C\"",
        Db::Sqlite(_) => "c.sort_key",
    }
}

pub async fn insert(tx: &mut Tx, c: &Child) -> Result<(), StoreError> {
    let (search_text, sort_key) = keys(&c.forename, &c.surname, c.preferred_name.as_deref());
    exec_tx!(tx, sqlx::query(
        "INSERT INTO children (id, la_id, forename, surname, preferred_name, date_of_birth, gender, \
         ethnicity, upn, upn_unknown_reason, uln, legal_status, entered_care_on, vs_priority, \
         version, created_at, updated_at, search_text, sort_key, sen_provision, la_child_id, \
         left_care_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         $21, $22)",
    )
    .bind(c.id)
    .bind(c.la_id)
    .bind(&c.forename)
    .bind(&c.surname)
    .bind(&c.preferred_name)
    .bind(c.date_of_birth)
    .bind(&c.gender)
    .bind(&c.ethnicity)
    .bind(&c.upn)
    .bind(&c.upn_unknown_reason)
    .bind(&c.uln)
    .bind(&c.legal_status)
    .bind(c.entered_care_on)
    .bind(&c.vs_priority)
    .bind(c.version)
    .bind(c.created_at)
    .bind(c.updated_at)
    .bind(search_text)
    .bind(sort_key)
    .bind(&c.sen_provision)
    .bind(&c.la_child_id)
    .bind(c.left_care_on))?;
    Ok(())
}

/// One child, if the scope reaches them; otherwise `NotFound`.
pub async fn get(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
    id: Uuid,
) -> Result<Child, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM children c WHERE {} AND c.id = $6", scope_clause(scope));
    Ok(on_db!(db, pool => bind_scope!(sqlx::query_as(&sql), scope, today)
        .bind(id)
        .fetch_one(pool)
        .await)?)
}

/// "Your learners": the children in scope, filtered and sorted, one page
/// at a time.
pub async fn list_learners(
    db: &Db,
    scope: &ChildScope,
    today: NaiveDate,
    filter: &LearnerFilter,
    page: PageRequest,
) -> Result<Page<LearnerRow>, StoreError> {
    let search = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let pattern = search.map(like_pattern).unwrap_or_default();
    let upn = search.map(str::to_uppercase).unwrap_or_default();
    let status = filter.pep_status.clone().unwrap_or_default();
    let current_pep = "LEFT JOIN peps cur ON cur.id = (SELECT p.id FROM peps p WHERE p.child_id = c.id \
         ORDER BY p.due_on DESC, p.id DESC LIMIT 1)";
    // Without a status to match, counting needs no child's current PEP.
    let (by_status, count_join) = if status.is_empty() {
        ("$14 = ''", "")
    } else {
        (
            "(cur.status = $14 OR ($14 = 'overdue' AND cur.due_on < $3 \
               AND cur.status NOT IN ('signed_off', 'quality_assured', 'returned_for_improvement')))",
            current_pep,
        )
    };
    let in_care = in_care_on("$3");
    let condition = format!(
        "{} AND ($6 = '' OR c.search_text LIKE $6 ESCAPE '\\' OR c.upn = $7) \
         AND ($10 IS NULL OR EXISTS (SELECT 1 FROM school_placements f WHERE f.child_id = c.id \
           AND f.school_id = $10 AND f.started_on <= $3 AND (f.ended_on IS NULL OR f.ended_on > $3))) \
         AND ($11 IS NULL OR c.date_of_birth >= $11) AND ($12 IS NULL OR c.date_of_birth <= $12) \
         AND ($13 IS NULL OR EXISTS (SELECT 1 FROM child_workers f WHERE f.child_id = c.id \
           AND f.user_id = $13 AND f.role = 'social_worker' AND f.started_on <= $3 \
           AND (f.ended_on IS NULL OR f.ended_on > $3))) AND {by_status} \
         AND ($15 = 'all' OR ($15 = 'in' AND {in_care}) OR ($15 = 'left' AND NOT {in_care}))",
        scope_clause(scope)
    );
    let order = match filter.sort {
        LearnerSort::Name => sort_expression(db).to_owned(),
        LearnerSort::Age => format!("c.date_of_birth DESC, {}", sort_expression(db)),
        LearnerSort::School => format!("school_name, {}", sort_expression(db)),
        LearnerSort::PepDue => format!("cur.due_on NULLS LAST, {}", sort_expression(db)),
    };
    let rows_sql = format!(
        "SELECT c.id, c.forename, c.surname, c.date_of_birth, c.upn, \
           (SELECT s.name FROM school_placements sp JOIN schools s ON s.id = sp.school_id \
             WHERE sp.child_id = c.id AND sp.started_on <= $3 \
               AND (sp.ended_on IS NULL OR sp.ended_on > $3) \
             ORDER BY sp.started_on DESC LIMIT 1) AS school_name, \
           (SELECT u.display_name FROM child_workers w JOIN users u ON u.id = w.user_id \
             WHERE w.child_id = c.id AND w.role = 'social_worker' AND w.started_on <= $3 \
               AND (w.ended_on IS NULL OR w.ended_on > $3) \
             ORDER BY w.started_on DESC LIMIT 1) AS social_worker, \
           cur.status AS pep_status, cur.due_on AS pep_due_on, c.left_care_on \
         FROM children c {current_pep} WHERE {condition} \
         ORDER BY {order}, c.id LIMIT $8 OFFSET $9"
    );
    let count_sql = format!(
        "SELECT COUNT(*) FROM children c {count_join} WHERE {condition} \
         AND $8 >= 0 AND $9 >= 0"
    );
    macro_rules! filters {
        ($query:expr) => {
            bind_scope!($query, scope, today)
                .bind(&pattern)
                .bind(&upn)
                .bind(page.limit())
                .bind(page.offset())
                .bind(filter.school_id)
                .bind(filter.born_from)
                .bind(filter.born_to)
                .bind(filter.social_worker)
                .bind(&status)
                .bind(filter.care.code())
        };
    }
    on_db!(db, pool => {
        let total: i64 = filters!(sqlx::query_scalar(&count_sql)).fetch_one(pool).await?;
        let rows: Vec<LearnerRow> = filters!(sqlx::query_as(&rows_sql)).fetch_all(pool).await?;
        Ok(Page { rows, total })
    })
}

/// A child of the authority with what decides a person's access to them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChildAccess {
    #[sqlx(flatten)]
    pub child: Child,
    /// Currently allocated to the person in the role they act in.
    pub allocated: bool,
    /// Currently placed at the school the person acts for.
    pub at_their_school: bool,
    /// Allocated to a social worker in the person's team.
    pub in_their_team: bool,
}

/// A child of `la_id`, with the facts of how `user_id` acting as `role`
/// (for `school_id`) stands to them; `NotFound` for any other authority's
/// child.
pub async fn access(
    db: &Db,
    la_id: Uuid,
    user_id: Uuid,
    role: &str,
    school_id: Option<Uuid>,
    today: NaiveDate,
    id: Uuid,
) -> Result<ChildAccess, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, \
           EXISTS (SELECT 1 FROM child_workers cw WHERE cw.child_id = c.id AND cw.user_id = $2 \
             AND cw.role = $4 AND cw.started_on <= $3 \
             AND (cw.ended_on IS NULL OR cw.ended_on > $3)) AS allocated, \
           EXISTS (SELECT 1 FROM school_placements sp WHERE sp.child_id = c.id \
             AND sp.school_id = $5 AND sp.started_on <= $3 \
             AND (sp.ended_on IS NULL OR sp.ended_on > $3)) AS at_their_school, \
           EXISTS (SELECT 1 FROM team_members t \
             JOIN child_workers tw ON tw.user_id = t.member_user_id AND tw.la_id = t.la_id \
             WHERE tw.child_id = c.id AND t.manager_user_id = $2 AND t.la_id = $1 \
             AND t.ended_at IS NULL AND tw.role = 'social_worker' AND tw.started_on <= $3 \
             AND (tw.ended_on IS NULL OR tw.ended_on > $3)) AS in_their_team \
         FROM children c WHERE c.la_id = $1 AND c.id = $6"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(la_id)
        .bind(user_id)
        .bind(today)
        .bind(role)
        .bind(school_id)
        .bind(id)
        .fetch_one(pool)
        .await)?)
}

/// The profile fields the Virtual School edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildProfile {
    pub forename: String,
    pub surname: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub ethnicity: Option<String>,
    pub sen_provision: Option<String>,
    pub upn: Option<String>,
    pub upn_unknown_reason: Option<String>,
    pub uln: Option<String>,
    pub legal_status: Option<String>,
    pub entered_care_on: Option<NaiveDate>,
    pub vs_priority: Option<String>,
}

/// Saves a child's profile if nobody saved since `expected_version`;
/// returns the new version (`StaleVersion` otherwise).
pub async fn update_profile(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    expected_version: i64,
    p: &ChildProfile,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (search_text, sort_key) = keys(&p.forename, &p.surname, p.preferred_name.as_deref());
    let changed = exec_tx!(tx, sqlx::query(
        "UPDATE children SET forename = $4, surname = $5, preferred_name = $6, date_of_birth = $7, \
         gender = $8, upn = $9, upn_unknown_reason = $10, uln = $11, legal_status = $12, \
         entered_care_on = $13, vs_priority = $14, search_text = $15, sort_key = $16, \
         updated_at = $17, ethnicity = $18, sen_provision = $19, version = version + 1 \
         WHERE la_id = $1 AND id = $2 AND version = $3",
    )
    .bind(la_id)
    .bind(id)
    .bind(expected_version)
    .bind(&p.forename)
    .bind(&p.surname)
    .bind(&p.preferred_name)
    .bind(p.date_of_birth)
    .bind(&p.gender)
    .bind(&p.upn)
    .bind(&p.upn_unknown_reason)
    .bind(&p.uln)
    .bind(&p.legal_status)
    .bind(p.entered_care_on)
    .bind(&p.vs_priority)
    .bind(search_text)
    .bind(sort_key)
    .bind(now)
    .bind(&p.ethnicity)
    .bind(&p.sen_provision))?;
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(expected_version + 1)
}

impl Child {
    /// The name the child goes by: for the examples written with it.
    pub fn preferred_or_forename(&self) -> String {
        self.preferred_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| self.forename.clone())
    }

    /// "Forename Surname", as pages show the child.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.forename, self.surname)
    }
}

/// Sets the child's SEN provision (N, K or E) as the PEP's SEN page
/// records it; the profile's version moves on, so an open profile form
/// sees the change.
pub async fn set_sen_provision(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    sen_provision: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "UPDATE children SET sen_provision = $3, updated_at = $4, version = version + 1 \
             WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(id)
        .bind(sen_provision)
        .bind(now)
    )?;
    Ok(())
}

/// What the school and everyone at the PEP meeting must know about
/// consent and contact: kept on the child, changed with the care page.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ChildCare {
    /// What the carer may agree to without asking the social worker.
    pub delegated_authority: Option<String>,
    pub contact_restrictions: Option<String>,
    pub parental_responsibility: Option<String>,
    /// Who receives school reports (carer, parent, social worker…).
    pub school_reports_to: Option<String>,
}

/// The child's consent and contact information. The caller has already
/// checked the child is in scope.
pub async fn care(db: &Db, la_id: Uuid, id: Uuid) -> Result<ChildCare, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT delegated_authority, contact_restrictions, parental_responsibility,            school_reports_to FROM children WHERE la_id = $1 AND id = $2",
    )
    .bind(la_id)
    .bind(id)
    .fetch_one(pool)
    .await)?)
}

/// Saves the consent and contact information and, when the child comes
/// into care again, the date; only over `expected_version`.
pub async fn update_care(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    expected_version: i64,
    care: &ChildCare,
    entered_care_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = exec_tx!(tx, sqlx::query(
        "UPDATE children SET delegated_authority = $4, contact_restrictions = $5,          parental_responsibility = $6, school_reports_to = $7,          entered_care_on = COALESCE($8, entered_care_on), left_care_on = NULL, updated_at = $9, version = version + 1          WHERE la_id = $1 AND id = $2 AND version = $3",
    )
    .bind(la_id)
    .bind(id)
    .bind(expected_version)
    .bind(&care.delegated_authority)
    .bind(&care.contact_restrictions)
    .bind(&care.parental_responsibility)
    .bind(&care.school_reports_to)
    .bind(entered_care_on)
    .bind(now))?;
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(expected_version + 1)
}

impl Child {
    pub fn profile(&self) -> ChildProfile {
        ChildProfile {
            forename: self.forename.clone(),
            surname: self.surname.clone(),
            preferred_name: self.preferred_name.clone(),
            date_of_birth: self.date_of_birth,
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            sen_provision: self.sen_provision.clone(),
            upn: self.upn.clone(),
            upn_unknown_reason: self.upn_unknown_reason.clone(),
            uln: self.uln.clone(),
            legal_status: self.legal_status.clone(),
            entered_care_on: self.entered_care_on,
            vs_priority: self.vs_priority.clone(),
        }
    }
}

/// A page of the authority's children, by name (the API's list).
pub async fn page_for_authority(
    db: &Db,
    la_id: Uuid,
    page: PageRequest,
) -> Result<Page<Child>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM children c WHERE c.la_id = $1 \
         ORDER BY {}, c.id LIMIT $2 OFFSET $3",
        sort_expression(db)
    );
    on_db!(db, pool => {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM children WHERE la_id = $1")
            .bind(la_id)
            .fetch_one(pool)
            .await?;
        let rows = sqlx::query_as(&sql)
            .bind(la_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
        Ok(Page { rows, total })
    })
}

/// The authority's child with this council id.
pub async fn by_la_child_id(
    db: &Db,
    la_id: Uuid,
    la_child_id: &str,
) -> Result<Option<Child>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM children c WHERE c.la_id = $1 AND c.la_child_id = $2");
    on_db!(db, pool => Ok(sqlx::query_as(&sql).bind(la_id).bind(la_child_id).fetch_optional(pool).await?))
}
