//! Who works with a child: the Virtual School allocates social workers,
//! designated teachers and professionals, IROs and careers advisers, with
//! dates; ending an allocation ends the access it gave. Carers and young
//! people are invited to one child.

use chrono::NaiveDate;
use openpep_domain::{Action, Role};
use openpep_store::Json;
use openpep_store::audit::{self, AuditEvent, History, NamedEvent};
use openpep_store::placements::{self, Allocation, ChildWorker};
use openpep_store::users::{self, StaffMember};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// The roles the Virtual School allocates to a child.
pub const ALLOCATABLE_ROLES: [Role; 5] = [
    Role::SocialWorker,
    Role::DesignatedTeacher,
    Role::DesignatedProfessional,
    Role::Iro,
    Role::CareersAdviser,
];

#[derive(Debug, Clone, Default)]
pub struct AllocateForm {
    /// "role:user-id", as the page's list of people offers them.
    pub person: String,
    pub day: String,
    pub month: String,
    pub year: String,
}

fn child_event(
    actor: &Actor,
    child_id: Uuid,
    action: &str,
    entity_id: Uuid,
    details: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> AuditEvent {
    AuditEvent {
        id: Uuid::now_v7(),
        la_id: Some(actor.la_id),
        actor_user_id: Some(actor.user_id),
        action: action.into(),
        entity_type: "allocation".into(),
        entity_id: Some(entity_id),
        child_id: Some(child_id),
        details: Json(details),
        request_id: actor.request_id.clone(),
        occurred_at: now,
    }
}

/// A date typed as three fields, or what is wrong with it.
pub fn parse_date(day: &str, month: &str, year: &str) -> Result<NaiveDate, &'static str> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Err("Enter the date");
    }
    let parsed = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>());
    match parsed {
        (Ok(d), Ok(m), Ok(y)) if y.to_string().len() == 4 => {
            NaiveDate::from_ymd_opt(y, m, d).ok_or("The date must be a real date")
        }
        _ => Err("The date must be a real date, like 1 9 2026"),
    }
}

impl Services {
    /// The people who work or worked with a child (if the actor may see
    /// the child's record).
    pub async fn allocations(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<Vec<Allocation>, ServiceError> {
        let child = self.child_for(actor, child_id, Action::ViewChildRecord).await?;
        Ok(placements::allocations(&self.db, child.la_id, child.id).await?)
    }

    /// Who the Virtual School can allocate to a child.
    pub async fn allocatable_staff(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<Vec<StaffMember>, ServiceError> {
        self.child_for(actor, child_id, Action::ManageAllocations).await?;
        let roles: Vec<&str> = ALLOCATABLE_ROLES.iter().map(|r| r.code()).collect();
        Ok(users::staff_in_roles(&self.db, actor.la_id, &roles).await?)
    }

    pub async fn allocate(
        &self,
        actor: &Actor,
        child_id: Uuid,
        form: &AllocateForm,
    ) -> Result<(), FormError> {
        let child = self.child_for(actor, child_id, Action::ManageAllocations).await?;
        let mut errors = FieldErrors::default();
        let chosen = form.person.split_once(':').and_then(|(role, id)| {
            Some((
                Role::from_code(role).filter(|r| ALLOCATABLE_ROLES.contains(r))?,
                Uuid::parse_str(id).ok()?,
            ))
        });
        let person = match chosen {
            Some((role, user_id))
                if users::holds_role(&self.db, actor.la_id, user_id, role.code()).await? =>
            {
                Some((role, user_id))
            }
            _ => {
                errors.add("person", "Select the person to allocate");
                None
            }
        };
        let today = self.clock.today();
        let from = match parse_date(&form.day, &form.month, &form.year) {
            Ok(date) if date > today + chrono::TimeDelta::days(366) => {
                errors.add("from-day", "The date must be within the next year");
                None
            }
            Ok(date) if date < child.date_of_birth => {
                errors.add("from-day", "The date must be after the child's date of birth");
                None
            }
            Ok(date) => Some(date),
            Err(message) => {
                errors.add("from-day", message);
                None
            }
        };
        let (Some((role, user_id)), Some(from)) = (person, from) else {
            return Err(FormError::Invalid(errors));
        };
        let current = placements::allocations(&self.db, child.la_id, child.id).await?;
        if current
            .iter()
            .any(|a| a.user_id == user_id && a.role == role.code() && a.ended_on.is_none())
        {
            errors.add("person", "This person is already allocated to the child in that role");
            return Err(FormError::Invalid(errors));
        }
        let now = self.clock.now();
        let worker = ChildWorker {
            id: Uuid::now_v7(),
            la_id: child.la_id,
            child_id: child.id,
            user_id,
            role: role.code().into(),
            started_on: from,
            ended_on: None,
            created_at: now,
        };
        let mut tx = self.db.begin().await?;
        placements::insert_child_worker(&mut tx, &worker).await?;
        let details =
            json!({ "role": role.code(), "user_id": user_id, "from": from, "before": null });
        audit::record(
            &mut tx,
            &child_event(actor, child.id, "allocation.started", worker.id, details, now),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends an allocation today: the person's access through it ends.
    pub async fn end_allocation(
        &self,
        actor: &Actor,
        child_id: Uuid,
        allocation_id: Uuid,
    ) -> Result<(), ServiceError> {
        let child = self.child_for(actor, child_id, Action::ManageAllocations).await?;
        let allocation =
            placements::allocation(&self.db, child.la_id, child.id, allocation_id).await?;
        if allocation.ended_on.is_some() {
            return Ok(());
        }
        let now = self.clock.now();
        let today = self.clock.today();
        let mut tx = self.db.begin().await?;
        placements::end_child_worker(&mut tx, child.la_id, allocation.id, today).await?;
        let details = json!({ "role": allocation.role, "user_id": allocation.user_id,
            "ended_on": { "before": null, "after": today } });
        audit::record(
            &mut tx,
            &child_event(actor, child.id, "allocation.ended", allocation.id, details, now),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A child's history for the Virtual School: every change and view.
    pub async fn child_history(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<(openpep_store::children::Child, Vec<NamedEvent>), ServiceError> {
        let child = self.child_for(actor, child_id, Action::ViewChildAuditLog).await?;
        let events =
            audit::child_history(&self.db, child.la_id, child.id, History::Everything, 500).await?;
        Ok((child, events))
    }
}
