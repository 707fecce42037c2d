//! Where a child lives and learns, and who works with them: care episodes,
//! school placements with their history, and the child's workers.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db, one_row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CareEpisode {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// SSDA903 legal status code, e.g. "C2".
    pub legal_status: String,
    /// SSDA903 placement type code, e.g. "U1" (foster placement with relative or friend).
    pub placement_type: String,
    pub placement_provider: Option<String>,
    /// The foster carer's or key worker's name.
    pub carer_name: Option<String>,
    /// Where the child lives: a town or area, never an address.
    pub lives_in: Option<String>,
    pub lives_in_la: bool,
    /// What the SSDA903 return says: why the episode began (RNE) and
    /// ended (REC), and Ofsted's URN of the placement.
    pub reason_new: Option<String>,
    pub reason_ended: Option<String>,
    pub placement_urn: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The columns of a care episode, in [`CareEpisode`]'s order.
pub(crate) const EPISODE_COLUMNS: &str = "id, la_id, child_id, started_on, ended_on, \
     legal_status, placement_type, placement_provider, carer_name, lives_in, lives_in_la, \
     reason_new, reason_ended, placement_urn, created_at";

impl CareEpisode {
    /// Whether the child is looked after under this episode on `date`.
    pub fn is_current_on(&self, date: NaiveDate) -> bool {
        self.started_on <= date && self.ended_on.is_none_or(|end| end > date)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SchoolPlacement {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub school_id: Uuid,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub reason_ended: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A school placement with the school's details, for display.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SchoolPlacementView {
    pub id: Uuid,
    pub school_id: Uuid,
    pub school_name: String,
    pub school_urn: i32,
    pub school_la_code: String,
    pub school_phase: String,
    /// GIAS type of establishment (tells special schools).
    pub school_type: String,
    pub ofsted_rating: Option<String>,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub reason_ended: Option<String>,
}

impl SchoolPlacementView {
    /// Whether the child is on this school's roll on `date`. A placement
    /// ends on the day the next one starts (as SSDA903 records episodes),
    /// so exactly one placement is current on the day of a move.
    pub fn is_current_on(&self, date: NaiveDate) -> bool {
        self.started_on <= date && self.ended_on.is_none_or(|end| end > date)
    }
}

/// A person working with a child in a role (social worker, designated
/// teacher, IRO…) from one date to another.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChildWorker {
    pub id: Uuid,
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_care_episode(tx: &mut Tx, e: &CareEpisode) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO care_episodes (id, la_id, child_id, started_on, ended_on, legal_status, \
         placement_type, placement_provider, carer_name, lives_in, lives_in_la, reason_new, \
         reason_ended, placement_urn, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(e.id)
        .bind(e.la_id)
        .bind(e.child_id)
        .bind(e.started_on)
        .bind(e.ended_on)
        .bind(&e.legal_status)
        .bind(&e.placement_type)
        .bind(&e.placement_provider)
        .bind(&e.carer_name)
        .bind(&e.lives_in)
        .bind(e.lives_in_la)
        .bind(&e.reason_new)
        .bind(&e.reason_ended)
        .bind(&e.placement_urn)
        .bind(e.created_at)
    )?;
    Ok(())
}

pub async fn insert_school_placement(tx: &mut Tx, p: &SchoolPlacement) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO school_placements (id, la_id, child_id, school_id, started_on, ended_on, \
         reason_ended, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(p.id)
        .bind(p.la_id)
        .bind(p.child_id)
        .bind(p.school_id)
        .bind(p.started_on)
        .bind(p.ended_on)
        .bind(&p.reason_ended)
        .bind(p.created_at)
    )?;
    Ok(())
}

pub async fn insert_child_worker(tx: &mut Tx, w: &ChildWorker) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO child_workers (id, la_id, child_id, user_id, role, started_on, ended_on, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(w.id)
        .bind(w.la_id)
        .bind(w.child_id)
        .bind(w.user_id)
        .bind(&w.role)
        .bind(w.started_on)
        .bind(w.ended_on)
        .bind(w.created_at)
    )?;
    Ok(())
}

/// Ends a child's worker relationship on the given date.
pub async fn end_child_worker(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    ended_on: NaiveDate,
) -> Result<(), StoreError> {
    let done = exec_tx!(tx, sqlx::query(
        "UPDATE child_workers SET ended_on = $3 WHERE la_id = $1 AND id = $2 AND ended_on IS NULL",
    )
    .bind(la_id)
    .bind(id)
    .bind(ended_on))?;
    one_row(done)
}

/// The child's school placements, newest first. The caller has already
/// checked the child is in scope.
pub async fn school_history(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
) -> Result<Vec<SchoolPlacementView>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT sp.id, sp.school_id, s.name AS school_name, s.urn AS school_urn, \
           s.la_code AS school_la_code, s.phase AS school_phase, s.establishment_type AS school_type, s.ofsted_rating, \
           sp.started_on, sp.ended_on, sp.reason_ended \
         FROM school_placements sp JOIN schools s ON s.id = sp.school_id \
         WHERE sp.la_id = $1 AND sp.child_id = $2 ORDER BY sp.started_on DESC, sp.id",
    )
    .bind(la_id)
    .bind(child_id)
    .fetch_all(pool)
    .await)?)
}

/// The child's care episodes, newest first.
pub async fn care_episodes(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
) -> Result<Vec<CareEpisode>, StoreError> {
    let sql = format!(
        "SELECT {EPISODE_COLUMNS} FROM care_episodes WHERE la_id = $1 AND child_id = $2 \
         ORDER BY started_on DESC, id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
    .bind(la_id)
    .bind(child_id)
    .fetch_all(pool)
    .await)?)
}

/// Corrects the details of a care episode (same placement, same start).
pub async fn correct_care_episode(tx: &mut Tx, e: &CareEpisode) -> Result<(), StoreError> {
    let done = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE care_episodes SET legal_status = $3, placement_type = $4, \
         placement_provider = $5, carer_name = $6, lives_in = $7, lives_in_la = $8 \
         WHERE la_id = $1 AND id = $2",
        )
        .bind(e.la_id)
        .bind(e.id)
        .bind(&e.legal_status)
        .bind(&e.placement_type)
        .bind(&e.placement_provider)
        .bind(&e.carer_name)
        .bind(&e.lives_in)
        .bind(e.lives_in_la)
    )?;
    one_row(done)
}

/// Saves what a return says of an episode already held (same child, same
/// start); the carer's name and where the child lives are OpenPEP's own.
pub async fn update_from_return(tx: &mut Tx, e: &CareEpisode) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE care_episodes SET ended_on = $3, legal_status = $4, placement_type = $5, \
         placement_provider = $6, lives_in_la = $7, reason_new = $8, reason_ended = $9, \
         placement_urn = $10 WHERE la_id = $1 AND id = $2",
        )
        .bind(e.la_id)
        .bind(e.id)
        .bind(e.ended_on)
        .bind(&e.legal_status)
        .bind(&e.placement_type)
        .bind(&e.placement_provider)
        .bind(e.lives_in_la)
        .bind(&e.reason_new)
        .bind(&e.reason_ended)
        .bind(&e.placement_urn)
    )?;
    one_row(changed)
}

/// Ends the child's open care episode on the day the next one starts.
pub async fn end_open_care_episode(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    ended_on: NaiveDate,
) -> Result<u64, StoreError> {
    Ok(exec_tx!(
        tx,
        sqlx::query(
            "UPDATE care_episodes SET ended_on = $3 \
         WHERE la_id = $1 AND child_id = $2 AND ended_on IS NULL",
        )
        .bind(la_id)
        .bind(child_id)
        .bind(ended_on)
    )?)
}

/// An allocation of a person to a child, with their name, for display.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Allocation {
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub display_name: String,
    pub email: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

/// Everyone ever allocated to the child: current first, then by role.
pub async fn allocations(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
) -> Result<Vec<Allocation>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT w.id, w.user_id, w.role, u.display_name, u.email, w.started_on, w.ended_on \
         FROM child_workers w JOIN users u ON u.id = w.user_id \
         WHERE w.la_id = $1 AND w.child_id = $2 \
         ORDER BY CASE WHEN w.ended_on IS NULL THEN 0 ELSE 1 END, w.role, w.started_on DESC",
    )
    .bind(la_id)
    .bind(child_id)
    .fetch_all(pool)
    .await)?)
}

/// One allocation of a child.
pub async fn allocation(
    db: &Db,
    la_id: Uuid,
    child_id: Uuid,
    id: Uuid,
) -> Result<Allocation, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT w.id, w.user_id, w.role, u.display_name, u.email, w.started_on, w.ended_on \
         FROM child_workers w JOIN users u ON u.id = w.user_id \
         WHERE w.la_id = $1 AND w.child_id = $2 AND w.id = $3",
    )
    .bind(la_id)
    .bind(child_id)
    .bind(id)
    .fetch_one(pool)
    .await)?)
}

/// Ends the child's open school placement on the day the next one starts;
/// how many placements it ended (0 or 1).
pub async fn end_current_school_placement(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    ended_on: NaiveDate,
    reason: &str,
) -> Result<u64, StoreError> {
    Ok(exec_tx!(
        tx,
        sqlx::query(
            "UPDATE school_placements SET ended_on = $3, reason_ended = $4 \
         WHERE la_id = $1 AND child_id = $2 AND ended_on IS NULL",
        )
        .bind(la_id)
        .bind(child_id)
        .bind(ended_on)
        .bind(reason)
    )?)
}

/// Ends the allocations of the child's designated teacher or professional
/// (they belong to the school the child has left).
pub async fn end_school_staff_allocations(
    tx: &mut Tx,
    la_id: Uuid,
    child_id: Uuid,
    ended_on: NaiveDate,
) -> Result<u64, StoreError> {
    Ok(exec_tx!(
        tx,
        sqlx::query(
            "UPDATE child_workers SET ended_on = $3 WHERE la_id = $1 AND child_id = $2 \
         AND ended_on IS NULL AND role IN ('designated_teacher', 'designated_professional')",
        )
        .bind(la_id)
        .bind(child_id)
        .bind(ended_on)
    )?)
}
