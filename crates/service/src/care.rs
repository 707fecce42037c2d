//! The child's care information: the placement they live in, and what the
//! school must know about consent and contact. A placement with a new start
//! date is a new care episode (the old one ends that day); a child with no
//! open episode comes into care, and an initial PEP falls due.

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::{Action, placement_type};
use openpep_store::audit;
use openpep_store::children::{self, Child, ChildCare};
use openpep_store::placements::{self, CareEpisode};
use openpep_store::{StoreError, Tx};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::allocations::parse_date;
use crate::pep_creation::{DueWithinTimescale, raise_pep};
use crate::profile::uk_date;
use crate::profiles::{EditError, changed_fields, fields_of};
use crate::{Actor, FieldErrors, ServiceError, Services};

/// The care information form as typed.
#[derive(Debug, Clone, Default)]
pub struct CareForm {
    pub placement_type: String,
    pub placement_provider: String,
    pub carer_name: String,
    pub lives_in: String,
    /// "yes" or "no".
    pub lives_in_la: String,
    pub started: (String, String, String),
    pub delegated_authority: String,
    pub contact_restrictions: String,
    pub parental_responsibility: String,
    pub school_reports_to: String,
}

impl CareForm {
    /// The form filled in from what is recorded.
    pub fn from_record(care: &ChildCare, placement: Option<&CareEpisode>) -> CareForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut form = CareForm {
            delegated_authority: text(&care.delegated_authority),
            contact_restrictions: text(&care.contact_restrictions),
            parental_responsibility: text(&care.parental_responsibility),
            school_reports_to: text(&care.school_reports_to),
            ..CareForm::default()
        };
        if let Some(p) = placement {
            form.placement_type = p.placement_type.clone();
            form.placement_provider = text(&p.placement_provider);
            form.carer_name = text(&p.carer_name);
            form.lives_in = text(&p.lives_in);
            form.lives_in_la = if p.lives_in_la { "yes" } else { "no" }.into();
            form.started = (
                p.started_on.format("%-d").to_string(),
                p.started_on.format("%-m").to_string(),
                p.started_on.format("%Y").to_string(),
            );
        }
        form
    }
}

/// The child, their consent and contact information, and the placement
/// they live in now (if they are in care).
#[derive(Debug, Clone)]
pub struct CareRecord {
    pub child: Child,
    pub care: ChildCare,
    pub placement: Option<CareEpisode>,
}

/// The placement as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placement {
    placement_type: String,
    provider: Option<String>,
    carer_name: Option<String>,
    lives_in: Option<String>,
    lives_in_la: bool,
    started_on: NaiveDate,
}

/// What saving the care information did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CareSaved {
    /// Nothing differed from the record.
    Unchanged,
    /// Details corrected; the placement is the same.
    Updated,
    /// A new placement from its start date.
    NewPlacement,
    /// The child came into care; an initial PEP is due (when they are of
    /// PEP age: younger children get theirs when they reach it).
    CameIntoCare,
}

fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    typed: &str,
    what: &str,
    max: usize,
) -> Option<String> {
    let typed = typed.trim();
    if typed.chars().count() > max {
        errors.add(field, format!("{what} must be {max} characters or fewer"));
    }
    (!typed.is_empty()).then(|| typed.to_owned())
}

/// Checks the form against the child and their current placement.
fn check(
    form: &CareForm,
    child: &Child,
    current: Option<&CareEpisode>,
    today: NaiveDate,
) -> Result<(ChildCare, Placement), FieldErrors> {
    let mut errors = FieldErrors::default();
    if placement_type::describe(&form.placement_type).is_none() {
        errors.add("placement_type", "Select the type of placement");
    }
    let provider = optional_text(
        &mut errors,
        "placement_provider",
        &form.placement_provider,
        "The provider",
        200,
    );
    let carer_name =
        optional_text(&mut errors, "carer_name", &form.carer_name, "The carer's name", 200);
    let lives_in = optional_text(&mut errors, "lives_in", &form.lives_in, "Where they live", 200);
    let lives_in_la = match form.lives_in_la.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("lives_in_la", "Select whether the child lives inside the authority");
            None
        }
    };
    let (d, m, y) = &form.started;
    let started_on = match parse_date(d, m, y) {
        Ok(date) if date < child.date_of_birth => {
            errors.add(
                "started-day",
                format!(
                    "The placement start date must be on or after the child's date of birth, {}",
                    uk_date(child.date_of_birth)
                ),
            );
            None
        }
        Ok(date) if date > today => {
            errors.add("started-day", "The placement start date must be today or in the past");
            None
        }
        Ok(date) if current.is_some_and(|c| date < c.started_on) => {
            let since = current.map(|c| uk_date(c.started_on)).unwrap_or_default();
            errors.add(
                "started-day",
                format!(
                    "The placement start date must be on or after the start of the current placement, {since}"
                ),
            );
            None
        }
        Ok(date) => Some(date),
        Err(message) => {
            errors.add("started-day", message);
            None
        }
    };
    let care = ChildCare {
        delegated_authority: optional_text(
            &mut errors,
            "delegated_authority",
            &form.delegated_authority,
            "Delegated authority",
            2000,
        ),
        contact_restrictions: optional_text(
            &mut errors,
            "contact_restrictions",
            &form.contact_restrictions,
            "Contact restrictions",
            2000,
        ),
        parental_responsibility: optional_text(
            &mut errors,
            "parental_responsibility",
            &form.parental_responsibility,
            "Parental responsibility",
            500,
        ),
        school_reports_to: optional_text(
            &mut errors,
            "school_reports_to",
            &form.school_reports_to,
            "Who receives school reports",
            500,
        ),
    };
    match (lives_in_la, started_on, errors.is_empty()) {
        (Some(lives_in_la), Some(started_on), true) => Ok((
            care,
            Placement {
                placement_type: form.placement_type.clone(),
                provider,
                carer_name,
                lives_in,
                lives_in_la,
                started_on,
            },
        )),
        _ => Err(errors),
    }
}

fn care_json(care: &ChildCare) -> Map<String, Value> {
    fields_of(json!({
        "delegated_authority": care.delegated_authority,
        "contact_restrictions": care.contact_restrictions,
        "parental_responsibility": care.parental_responsibility,
        "school_reports_to": care.school_reports_to,
    }))
}

fn placement_json(p: &Placement) -> Map<String, Value> {
    fields_of(json!({
        "placement_type": p.placement_type,
        "placement_provider": p.provider,
        "carer_name": p.carer_name,
        "lives_in": p.lives_in,
        "lives_in_la": p.lives_in_la,
        "started_on": p.started_on,
    }))
}

fn recorded(e: &CareEpisode) -> Placement {
    Placement {
        placement_type: e.placement_type.clone(),
        provider: e.placement_provider.clone(),
        carer_name: e.carer_name.clone(),
        lives_in: e.lives_in.clone(),
        lives_in_la: e.lives_in_la,
        started_on: e.started_on,
    }
}

/// Whether the child is of PEP age on `date` (from the LA's starting age
/// to their 18th birthday).
pub(crate) fn of_pep_age(
    settings: &AuthoritySettings,
    date_of_birth: NaiveDate,
    on: NaiveDate,
) -> bool {
    let age = on.years_since(date_of_birth).unwrap_or(0);
    age >= u32::from(settings.pep_from_age) && age < 18
}

impl Services {
    /// The child's care information, for those who may change it; the
    /// view is logged.
    pub async fn care_record(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<CareRecord, ServiceError> {
        let record = self.read_care(actor, child_id).await?;
        self.record_view(actor, &record.child, "care").await?;
        Ok(record)
    }

    async fn read_care(&self, actor: &Actor, child_id: Uuid) -> Result<CareRecord, ServiceError> {
        let child = self.child_for(actor, child_id, Action::EditChildProfile).await?;
        let (care, episodes) = tokio::try_join!(
            children::care(&self.db, child.la_id, child.id),
            placements::care_episodes(&self.db, child.la_id, child.id),
        )?;
        let placement = episodes.into_iter().find(|e| e.ended_on.is_none());
        Ok(CareRecord { child, care, placement })
    }

    /// Saves the care information over the child's `version`.
    pub async fn save_care(
        &self,
        actor: &Actor,
        child_id: Uuid,
        version: i64,
        form: &CareForm,
    ) -> Result<CareSaved, EditError> {
        let record = self.read_care(actor, child_id).await?;
        let today = self.clock.today();
        let (care, placement) = check(form, &record.child, record.placement.as_ref(), today)
            .map_err(EditError::Invalid)?;
        if record.child.version != version {
            return Err(EditError::Stale(Box::new(record.child)));
        }
        let came_into_care = record.placement.is_none();
        let new_episode =
            record.placement.as_ref().is_none_or(|p| p.started_on != placement.started_on);
        if new_episode && record.child.legal_status.is_none() {
            let mut errors = FieldErrors::default();
            errors.add(
                "placement_type",
                "Record the child's legal status in their details before recording a placement",
            );
            return Err(EditError::Invalid(errors));
        }
        let mut diff = changed_fields(&care_json(&record.care), &care_json(&care));
        let before = record.placement.as_ref().map(recorded);
        let placement_diff = changed_fields(
            &before.as_ref().map(placement_json).unwrap_or_default(),
            &placement_json(&placement),
        );
        if diff.is_empty() && placement_diff.is_empty() && before.is_some() {
            return Ok(CareSaved::Unchanged);
        }
        diff.extend(placement_diff);
        let now = self.clock.now();
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        let mut tx = self.db.begin().await?;
        let entered = came_into_care.then_some(placement.started_on);
        match children::update_care(
            &mut tx,
            actor.la_id,
            record.child.id,
            version,
            &care,
            entered,
            now,
        )
        .await
        {
            Ok(_) => {}
            Err(StoreError::StaleVersion) => {
                tx.rollback().await?;
                let current = self.child_for(actor, child_id, Action::EditChildProfile).await?;
                return Err(EditError::Stale(Box::new(current)));
            }
            Err(e) => return Err(e.into()),
        }
        let episode = CareEpisode {
            id: record
                .placement
                .as_ref()
                .filter(|_| !new_episode)
                .map_or_else(Uuid::now_v7, |p| p.id),
            la_id: actor.la_id,
            child_id: record.child.id,
            started_on: placement.started_on,
            ended_on: None,
            legal_status: record
                .placement
                .as_ref()
                .filter(|_| !new_episode)
                .map(|p| p.legal_status.clone())
                .or_else(|| record.child.legal_status.clone())
                .unwrap_or_default(),
            placement_type: placement.placement_type.clone(),
            placement_provider: placement.provider.clone(),
            carer_name: placement.carer_name.clone(),
            lives_in: placement.lives_in.clone(),
            lives_in_la: placement.lives_in_la,
            reason_new: None,
            reason_ended: None,
            placement_urn: None,
            created_at: now,
        };
        if new_episode {
            placements::end_open_care_episode(
                &mut tx,
                actor.la_id,
                record.child.id,
                placement.started_on,
            )
            .await?;
            placements::insert_care_episode(&mut tx, &episode).await?;
        } else {
            placements::correct_care_episode(&mut tx, &episode).await?;
        }
        let saved = if came_into_care {
            self.initial_pep_on_entry(
                &mut tx,
                &settings,
                &record.child,
                placement.started_on,
                actor,
                now,
            )
            .await?;
            CareSaved::CameIntoCare
        } else if new_episode {
            CareSaved::NewPlacement
        } else {
            CareSaved::Updated
        };
        let action = match saved {
            CareSaved::CameIntoCare => "child.came_into_care",
            CareSaved::NewPlacement => "child.placement_changed",
            _ => "child.care_updated",
        };
        let event = actor.event_about_child(
            action,
            ("care_episode", episode.id),
            record.child.id,
            Value::Object(diff),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The initial PEP of a child who has just come into care, due within
    /// the LA's timescale, if they are of PEP age.
    async fn initial_pep_on_entry(
        &self,
        tx: &mut Tx,
        settings: &AuthoritySettings,
        child: &Child,
        entered_on: NaiveDate,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        if !of_pep_age(settings, child.date_of_birth, entered_on) {
            return Ok(());
        }
        let school = placements::school_history(&self.db, child.la_id, child.id)
            .await?
            .into_iter()
            .find(|s| s.is_current_on(entered_on))
            .map(|s| s.school_id);
        raise_pep(
            tx,
            settings,
            DueWithinTimescale {
                la_id: child.la_id,
                child_id: child.id,
                school_id: school,
                reason: "initial",
                trigger_key: format!("initial:{entered_on}"),
                starts_on: entered_on,
            },
            Some(actor),
            now,
        )
        .await?;
        Ok(())
    }
}
