//! A change of school: the old placement ends, the old school's designated
//! teacher loses access, and a placement-change PEP falls due within the
//! LA's initial timescale.

use chrono::TimeDelta;
use openpep_domain::Action;
use openpep_store::audit;
use openpep_store::children::Child;
use openpep_store::placements::{self, SchoolPlacement};
use openpep_store::{peps, schools};
use serde_json::json;
use uuid::Uuid;

use crate::allocations::parse_date;
use crate::invitations::FormError;
use crate::pep_creation::{DueWithinTimescale, due_within_timescale, raise_pep};
use crate::{Actor, FieldErrors, Services};

/// The "Change school" form as typed.
#[derive(Debug, Clone, Default)]
pub struct SchoolMoveForm {
    pub school_id: String,
    pub day: String,
    pub month: String,
    pub year: String,
    pub reason: String,
}

/// What a school move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolMoved {
    pub school_name: String,
    pub pep_due_on: chrono::NaiveDate,
    /// A new PEP was made; `false` when the term's open PEP became the PEP
    /// for the move.
    pub pep_created: bool,
}

impl Services {
    /// The child and the name of their current school, for the form.
    pub async fn school_move_context(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<(Child, Option<String>), crate::ServiceError> {
        let child = self.child_for(actor, child_id, Action::EditChildProfile).await?;
        self.record_view(actor, &child, "school").await?;
        let history = placements::school_history(&self.db, actor.la_id, child.id).await?;
        let current = history.into_iter().find(|p| p.ended_on.is_none()).map(|p| p.school_name);
        Ok((child, current))
    }

    pub async fn change_school(
        &self,
        actor: &Actor,
        child_id: Uuid,
        form: &SchoolMoveForm,
    ) -> Result<SchoolMoved, FormError> {
        let child = self.child_for(actor, child_id, Action::EditChildProfile).await?;
        let mut errors = FieldErrors::default();
        let school = match Uuid::parse_str(form.school_id.trim()) {
            Ok(id) => schools::get(&self.db, id).await.ok(),
            Err(_) => None,
        };
        if school.is_none() {
            errors.add("school_id", "Select the new school or setting");
        }
        let history = placements::school_history(&self.db, actor.la_id, child.id).await?;
        let current = history.iter().find(|p| p.ended_on.is_none());
        let today = self.clock.today();
        let started_on = match parse_date(&form.day, &form.month, &form.year) {
            Ok(date) if date < child.date_of_birth => {
                errors.add("started-day", "The start date must be after the child's date of birth");
                None
            }
            Ok(date) if current.is_some_and(|c| date <= c.started_on) => {
                errors.add(
                    "started-day",
                    "The start date must be after the start of the current school placement",
                );
                None
            }
            Ok(date) if date > today + TimeDelta::days(366) => {
                errors.add("started-day", "The start date must be within the next year");
                None
            }
            Ok(date) => Some(date),
            Err(message) => {
                errors.add("started-day", message);
                None
            }
        };
        if let (Some(s), Some(c)) = (&school, current)
            && s.id == c.school_id
        {
            errors.add("school_id", "The child already attends this school");
        }
        let reason = form.reason.trim();
        if reason.chars().count() > 200 {
            errors.add("reason", "The reason must be 200 characters or fewer");
        }
        let (Some(school), Some(started_on), true) = (school, started_on, errors.is_empty()) else {
            return Err(FormError::Invalid(errors));
        };
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // Access and the placement end as the new school's roll begins.
        let left_on = started_on;
        let reason_ended = if reason.is_empty() { "School move" } else { reason };
        placements::end_current_school_placement(
            &mut tx,
            actor.la_id,
            child.id,
            left_on,
            reason_ended,
        )
        .await?;
        let staff_ended =
            placements::end_school_staff_allocations(&mut tx, actor.la_id, child.id, left_on)
                .await?;
        let placement = SchoolPlacement {
            id: Uuid::now_v7(),
            la_id: actor.la_id,
            child_id: child.id,
            school_id: school.id,
            started_on,
            ended_on: None,
            reason_ended: None,
            created_at: now,
        };
        placements::insert_school_placement(&mut tx, &placement).await?;
        // The term's PEP, if still open, becomes the PEP for the move (one
        // PEP a term, written with the new school); otherwise a new one.
        let (year, term) = settings.term_of(started_on);
        let open = peps::open_in_term(&mut tx, actor.la_id, child.id, year.0, term.code()).await?;
        let (due_on, pep_created) = match open {
            Some(pep) => {
                let due_on = due_within_timescale(&settings, started_on);
                peps::refocus_on_school_move(&mut tx, actor.la_id, pep.id, due_on, school.id, now)
                    .await?;
                let details = json!({ "due_on": due_on, "before": pep.due_on });
                let event = actor.event_about_child(
                    "pep.refocused_on_school_move",
                    ("pep", pep.id),
                    child.id,
                    details,
                    now,
                );
                audit::record(&mut tx, &event).await?;
                (due_on, false)
            }
            None => {
                let pep = DueWithinTimescale {
                    la_id: actor.la_id,
                    child_id: child.id,
                    school_id: Some(school.id),
                    reason: "placement_change",
                    trigger_key: format!("placement:{}", placement.id),
                    starts_on: started_on,
                };
                raise_pep(&mut tx, &settings, pep, Some(actor), now).await?
            }
        };
        let details = json!({
            "from": current.map(|c| c.school_name.clone()),
            "to": school.name,
            "started_on": started_on,
            "reason": reason_ended,
            "school_staff_access_ended": staff_ended,
        });
        let event = actor.event_about_child(
            "child.school_changed",
            ("school_placement", placement.id),
            child.id,
            details,
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(SchoolMoved { school_name: school.name, pep_due_on: due_on, pep_created })
    }
}
