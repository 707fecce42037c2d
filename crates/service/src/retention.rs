//! Retention: a young person's records are kept to their 75th birthday.
//! Each night the worker lists the records past that date; the Virtual
//! School's administrator reviews each listing. Nothing is deleted by the
//! job, and a review that keeps the records says until when and why.

use chrono::{Datelike, Months};
use openpep_domain::AuthorityAction;
use openpep_store::audit;
use openpep_store::retention::{self, ReviewRow};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// How long a review may keep records for, in years.
pub const KEEP_FOR_YEARS: [u32; 3] = [1, 2, 5];
const MAX_REASON: usize = 1000;

impl Services {
    /// Lists every child whose records passed their retention date and are
    /// not already listed; the worker runs it once a day.
    pub async fn list_past_retention(&self) -> Result<u64, ServiceError> {
        let today = self.clock.today();
        let born_by = today
            .with_year(today.year() - 75)
            .or_else(|| today.pred_opt()?.with_year(today.year() - 75))
            .ok_or_else(|| ServiceError::Internal("no date 75 years ago".into()))?;
        Ok(retention::list_due(&self.db, born_by, today, self.clock.now()).await?)
    }

    /// The authority's records past retention, waiting and reviewed.
    pub async fn retention_reviews(&self, actor: &Actor) -> Result<Vec<ReviewRow>, ServiceError> {
        self.authorise(actor, AuthorityAction::ReviewRetention)?;
        Ok(retention::for_authority(&self.db, actor.la_id).await?)
    }

    /// Keeps a child's records for `years` more, for `reason`; audited
    /// against the child. A listing already reviewed is not found.
    pub async fn keep_records(
        &self,
        actor: &Actor,
        review_id: Uuid,
        years: &str,
        reason: &str,
    ) -> Result<(), FormError> {
        self.authorise(actor, AuthorityAction::ReviewRetention).map_err(FormError::Service)?;
        let mut errors = FieldErrors::default();
        let years = years.parse::<u32>().ok().filter(|y| KEEP_FOR_YEARS.contains(y));
        if years.is_none() {
            errors.add("years", "Choose how long to keep the records for");
        }
        let reason = reason.trim();
        if reason.is_empty() {
            errors.add(
                "reason",
                "Enter why the records are kept past the young person's 75th birthday",
            );
        } else if reason.chars().count() > MAX_REASON {
            errors.add("reason", format!("The reason must be {MAX_REASON} characters or fewer"));
        }
        let Some(years) = years.filter(|_| errors.is_empty()) else {
            return Err(FormError::Invalid(errors));
        };
        let today = self.clock.today();
        let keep_until = today.checked_add_months(Months::new(12 * years)).ok_or_else(|| {
            FormError::Service(ServiceError::Internal("date out of range".into()))
        })?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await.map_err(|e| FormError::Service(e.into()))?;
        let child = retention::keep(
            &mut tx,
            actor.la_id,
            review_id,
            keep_until,
            reason,
            actor.user_id,
            now,
        )
        .await
        .map_err(|e| FormError::Service(e.into()))?
        .ok_or(FormError::Service(ServiceError::NotFound))?;
        let event = actor.event_about_child(
            "child.retention_reviewed",
            ("retention_review", review_id),
            child,
            json!({ "keep_until": keep_until, "years": years }),
            now,
        );
        audit::record(&mut tx, &event).await.map_err(|e| FormError::Service(e.into()))?;
        tx.commit().await.map_err(|e| FormError::Service(e.into()))?;
        Ok(())
    }
}
