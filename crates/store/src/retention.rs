//! Records past their retention date, listed for the Virtual School to
//! review: one row each time a child's records pass the date they were to
//! be kept to (the 75th birthday, then any later date a review set).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_db, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: Uuid,
    pub child_id: Uuid,
    pub forename: String,
    pub surname: String,
    pub date_of_birth: NaiveDate,
    pub retain_until: NaiveDate,
    pub listed_at: DateTime<Utc>,
    pub keep_until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Lists every child, of any authority, born on or before `born_by` (75
/// years before today) whose records are not already listed and waiting,
/// nor kept by a review to a date after `today`. Safe to run on several
/// nodes at once: a listing is unique by child and date. Returns how many
/// were listed.
pub async fn list_due(
    db: &Db,
    born_by: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    // Which date each is kept to: the latest a review set, else the 75th
    // birthday, worked out in Rust (date arithmetic differs by backend).
    let due: Vec<(Uuid, Uuid, NaiveDate, Option<NaiveDate>)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT c.id, c.la_id, c.date_of_birth, \
               (SELECT MAX(r.keep_until) FROM retention_reviews r WHERE r.child_id = c.id) \
             FROM children c WHERE c.date_of_birth <= $1 \
               AND NOT EXISTS (SELECT 1 FROM retention_reviews w WHERE w.child_id = c.id \
                 AND (w.decided_at IS NULL OR w.keep_until > $2))",
        )
        .bind(born_by)
        .bind(today)
        .fetch_all(pool)
        .await?
    });
    let mut listed = 0;
    for (child_id, la_id, born, kept_to) in due {
        let birthday = seventy_fifth_birthday(born);
        let retain_until = kept_to.map_or(birthday, |k| k.max(birthday));
        listed += exec_db!(
            db,
            sqlx::query(
                "INSERT INTO retention_reviews (id, la_id, child_id, retain_until, listed_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (child_id, retain_until) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(la_id)
            .bind(child_id)
            .bind(retain_until)
            .bind(now)
        )?;
    }
    Ok(listed)
}

/// The day a person born on `born` turns 75 (1 March for 29 February).
pub fn seventy_fifth_birthday(born: NaiveDate) -> NaiveDate {
    let year = born.year() + 75;
    born.with_year(year).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1)).unwrap_or(born)
}

/// The authority's listings: those waiting for a review first (oldest
/// first), then those reviewed (newest first).
pub async fn for_authority(db: &Db, la_id: Uuid) -> Result<Vec<ReviewRow>, StoreError> {
    on_db!(db, pool => Ok(sqlx::query_as(
        "SELECT r.id, r.child_id, c.forename, c.surname, c.date_of_birth, r.retain_until, \
           r.listed_at, r.keep_until, r.reason, u.display_name AS decided_by_name, r.decided_at \
         FROM retention_reviews r JOIN children c ON c.id = r.child_id \
         LEFT JOIN users u ON u.id = r.decided_by \
         WHERE r.la_id = $1 \
         ORDER BY CASE WHEN r.decided_at IS NULL THEN 0 ELSE 1 END, \
           CASE WHEN r.decided_at IS NULL THEN r.retain_until END, r.decided_at DESC, r.id",
    )
    .bind(la_id)
    .fetch_all(pool)
    .await?))
}

/// Records a review that keeps the records to `keep_until`; false if the
/// listing is not the authority's or was already reviewed.
pub async fn keep(
    tx: &mut Tx,
    la_id: Uuid,
    id: Uuid,
    keep_until: NaiveDate,
    reason: &str,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    let child: Option<Uuid> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE retention_reviews SET keep_until = $3, reason = $4, decided_by = $5, decided_at = $6 \
         WHERE la_id = $1 AND id = $2 AND decided_at IS NULL RETURNING child_id",
    )
    .bind(la_id)
    .bind(id)
    .bind(keep_until)
    .bind(reason)
    .bind(user_id)
    .bind(now)
    .fetch_optional(conn)
    .await?);
    Ok(child)
}
