//! The Virtual School keeps each child's profile: checked as typed, saved
//! only over the version the editor saw, every changed field audited.

use chrono::NaiveDate;
use openpep_domain::{
    Action, DateOfBirth, DatePart, LegalStatus, Uln, UnknownUpnReason, Upn, ethnicity,
};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::children::{self, Child, ChildProfile};
use openpep_store::{Json, StoreError};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::allocations::parse_date;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// The profile form as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub forename: String,
    pub surname: String,
    pub preferred_name: String,
    pub dob: (String, String, String),
    pub gender: String,
    /// A DfE ethnicity code, or "" when not recorded.
    pub ethnicity: String,
    /// "N", "K", "E", or "" when not known.
    pub sen_provision: String,
    pub upn: String,
    pub upn_unknown_reason: String,
    pub uln: String,
    pub legal_status: String,
    pub entered_care: (String, String, String),
    pub vs_priority: String,
}

#[derive(Debug)]
pub enum EditError {
    Invalid(FieldErrors),
    /// Someone saved first: here is the record as it is now.
    Stale(Box<Child>),
    Service(ServiceError),
}

impl From<ServiceError> for EditError {
    fn from(e: ServiceError) -> Self {
        EditError::Service(e)
    }
}

impl From<StoreError> for EditError {
    fn from(e: StoreError) -> Self {
        EditError::Service(e.into())
    }
}

/// Special educational needs provision, as the school census codes it.
pub const SEN_PROVISION: [(&str, &str); 4] = [
    ("", "Not known"),
    ("N", "No special educational needs"),
    ("K", "SEN support"),
    ("E", "Education, health and care (EHC) plan"),
];

pub const GENDERS: [(&str, &str); 3] =
    [("female", "Female"), ("male", "Male"), ("other", "Other or not known")];

fn part_id(part: DatePart) -> &'static str {
    match part {
        DatePart::Day => "dob-day",
        DatePart::Month => "dob-month",
        DatePart::Year => "dob-year",
    }
}

fn name(errors: &mut FieldErrors, field: &str, typed: &str, what: &str) -> String {
    let typed = typed.trim();
    if typed.is_empty() {
        errors.add(field, format!("Enter the child's {what}"));
    } else if typed.chars().count() > 100 {
        errors.add(field, format!("The child's {what} must be 100 characters or fewer"));
    }
    typed.to_owned()
}

/// Checks the form; the profile to save, or what is wrong.
pub fn check(form: &ProfileForm, today: NaiveDate) -> Result<ChildProfile, FieldErrors> {
    let mut errors = FieldErrors::default();
    let forename = name(&mut errors, "forename", &form.forename, "first name");
    let surname = name(&mut errors, "surname", &form.surname, "last name");
    let preferred = form.preferred_name.trim();
    let dob = match DateOfBirth::parse(&form.dob.0, &form.dob.1, &form.dob.2, today) {
        Ok(d) => Some(d.date()),
        Err(e) => {
            errors.add(part_id(e.field()), e.to_string());
            None
        }
    };
    if !GENDERS.iter().any(|(code, _)| *code == form.gender) {
        errors.add("gender", "Select the child's gender");
    }
    let sen_provision = match form.sen_provision.as_str() {
        "" => None,
        code @ ("N" | "K" | "E") => Some(code.to_owned()),
        _ => {
            errors.add("sen_provision", "Select the child's special educational needs provision");
            None
        }
    };
    let ethnicity = match form.ethnicity.as_str() {
        "" => None,
        code => {
            if ethnicity::describe(code).is_none() {
                errors.add("ethnicity", "Select the child's ethnicity from the list");
            }
            Some(code.to_owned())
        }
    };
    let (upn, reason) = if form.upn.trim().is_empty() {
        match UnknownUpnReason::from_code(&form.upn_unknown_reason) {
            Some(r) => (None, Some(r.code().to_owned())),
            None => {
                errors.add("upn", "Enter the child's UPN, or select why it is not known");
                (None, None)
            }
        }
    } else {
        match Upn::parse(&form.upn) {
            Ok(u) => (Some(u.as_str().to_owned()), None),
            Err(e) => {
                errors.add("upn", e.to_string());
                (None, None)
            }
        }
    };
    let uln = if form.uln.trim().is_empty() {
        None
    } else {
        match Uln::parse(&form.uln) {
            Ok(u) => Some(u.as_str().to_owned()),
            Err(e) => {
                errors.add("uln", e.to_string());
                None
            }
        }
    };
    let legal_status = if form.legal_status.is_empty() {
        None
    } else {
        let status = LegalStatus::from_code(&form.legal_status).map(|s| s.code().to_owned());
        if status.is_none() {
            errors.add("legal_status", "Select the child's legal status");
        }
        status
    };
    let (d, m, y) = &form.entered_care;
    let entered_care_on = if d.trim().is_empty() && m.trim().is_empty() && y.trim().is_empty() {
        None
    } else {
        match parse_date(d, m, y) {
            Ok(date) if date > today => {
                errors.add(
                    "entered-day",
                    "The date they came into care must be today or in the past",
                );
                None
            }
            Ok(date) if dob.is_some_and(|b| date < b) => {
                errors.add(
                    "entered-day",
                    "The date they came into care must be after their date of birth",
                );
                None
            }
            Ok(date) => Some(date),
            Err(message) => {
                errors.add("entered-day", message);
                None
            }
        }
    };
    let vs_priority = match form.vs_priority.as_str() {
        "" | "none" => None,
        p @ ("amber" | "red") => Some(p.to_owned()),
        _ => {
            errors.add("vs_priority", "Select the Virtual School priority");
            None
        }
    };
    match dob {
        Some(date_of_birth) if errors.is_empty() => Ok(ChildProfile {
            forename,
            surname,
            preferred_name: (!preferred.is_empty()).then(|| preferred.to_owned()),
            date_of_birth,
            gender: form.gender.clone(),
            ethnicity,
            sen_provision,
            upn,
            upn_unknown_reason: reason,
            uln,
            legal_status,
            entered_care_on,
            vs_priority,
        }),
        _ => Err(errors),
    }
}

fn changes(before: &ChildProfile, after: &ChildProfile) -> Map<String, Value> {
    changed_fields(&profile_json(before), &profile_json(after))
}

/// A JSON object's fields (none for anything else).
pub(crate) fn fields_of(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The fields that differ, as `{field: {before, after}}` (for the audit);
/// a field missing on one side is `null` there.
pub(crate) fn changed_fields(b: &Map<String, Value>, a: &Map<String, Value>) -> Map<String, Value> {
    let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
    keys.filter(|k| b.get(*k) != a.get(*k))
        .map(|k| (k.clone(), json!({ "before": b.get(k), "after": a.get(k) })))
        .collect()
}

fn profile_json(p: &ChildProfile) -> Map<String, Value> {
    fields_of(json!({
        "forename": p.forename, "surname": p.surname, "preferred_name": p.preferred_name,
        "date_of_birth": p.date_of_birth, "gender": p.gender, "ethnicity": p.ethnicity, "sen_provision": p.sen_provision, "upn": p.upn,
        "upn_unknown_reason": p.upn_unknown_reason, "uln": p.uln, "legal_status": p.legal_status,
        "entered_care_on": p.entered_care_on, "vs_priority": p.vs_priority,
    }))
}

impl Services {
    /// The child, for the profile form (if the actor may edit it).
    pub async fn child_for_edit(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<Child, ServiceError> {
        let child = self.child_for(actor, child_id, Action::EditChildProfile).await?;
        self.record_view(actor, &child, "edit").await?;
        Ok(child)
    }

    /// Saves the profile over `version`; returns the new version.
    pub async fn edit_child(
        &self,
        actor: &Actor,
        child_id: Uuid,
        version: i64,
        form: &ProfileForm,
    ) -> Result<i64, EditError> {
        let child = self.child_for(actor, child_id, Action::EditChildProfile).await?;
        let profile = check(form, self.clock.today()).map_err(EditError::Invalid)?;
        if child.version != version {
            return Err(EditError::Stale(Box::new(child)));
        }
        let diff = changes(&child.profile(), &profile);
        if diff.is_empty() {
            return Ok(version);
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let saved =
            match children::update_profile(&mut tx, child.la_id, child.id, version, &profile, now)
                .await
            {
                Ok(v) => v,
                Err(StoreError::StaleVersion) => {
                    tx.rollback().await?;
                    let current = self.child_for(actor, child_id, Action::EditChildProfile).await?;
                    return Err(EditError::Stale(Box::new(current)));
                }
                Err(StoreError::Duplicate { .. }) => {
                    tx.rollback().await?;
                    let mut errors = FieldErrors::default();
                    errors.add("upn", "Another child of this authority already has this UPN");
                    return Err(EditError::Invalid(errors));
                }
                Err(e) => return Err(e.into()),
            };
        audit::record(
            &mut tx,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: Some(child.la_id),
                actor_user_id: Some(actor.user_id),
                action: "child.updated".into(),
                entity_type: "child".into(),
                entity_id: Some(child.id),
                child_id: Some(child.id),
                details: Json(Value::Object(diff)),
                request_id: actor.request_id.clone(),
                occurred_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProfileForm {
        ProfileForm {
            forename: "Ava".into(),
            surname: "Nolan".into(),
            dob: ("4".into(), "5".into(), "2015".into()),
            gender: "female".into(),
            upn: "B801200005001".into(),
            legal_status: "C2".into(),
            entered_care: ("1".into(), "9".into(), "2020".into()),
            ..ProfileForm::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn messages(f: ProfileForm) -> Vec<(String, String)> {
        check(&f, today()).unwrap_err().0.into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn a_good_profile_passes() {
        let p = check(&form(), today()).unwrap();
        assert_eq!(p.upn.as_deref(), Some("B801200005001"));
        assert_eq!(p.entered_care_on, NaiveDate::from_ymd_opt(2020, 9, 1));
        assert_eq!(p.ethnicity, None);
        let p = check(&ProfileForm { ethnicity: "MWBA".into(), ..form() }, today()).unwrap();
        assert_eq!(p.ethnicity.as_deref(), Some("MWBA"));
    }

    #[test]
    fn sen_provision_is_a_census_code() {
        let p = check(&ProfileForm { sen_provision: "E".into(), ..form() }, today()).unwrap();
        assert_eq!(p.sen_provision.as_deref(), Some("E"));
        assert_eq!(
            messages(ProfileForm { sen_provision: "EHCP".into(), ..form() }),
            [(
                "sen_provision".to_string(),
                "Select the child's special educational needs provision".to_string()
            )]
        );
    }

    #[test]
    fn an_ethnicity_not_on_the_list_is_refused() {
        assert_eq!(
            messages(ProfileForm { ethnicity: "White".into(), ..form() }),
            [("ethnicity".to_string(), "Select the child's ethnicity from the list".to_string())]
        );
    }

    #[test]
    fn bad_input_is_named_by_field() {
        let wrong_letter = ProfileForm { upn: "A801200005001".into(), ..form() };
        assert_eq!(messages(wrong_letter)[0].0, "upn");
        let future = ProfileForm { dob: ("1".into(), "1".into(), "2030".into()), ..form() };
        assert_eq!(
            messages(future),
            [("dob-day".to_string(), "Date of birth must be in the past".to_string())]
        );
        let too_old = ProfileForm { dob: ("1".into(), "1".into(), "1990".into()), ..form() };
        assert_eq!(messages(too_old)[0].0, "dob-day");
        let before_birth =
            ProfileForm { entered_care: ("1".into(), "1".into(), "2014".into()), ..form() };
        assert_eq!(messages(before_birth)[0].0, "entered-day");
        let no_upn = ProfileForm { upn: String::new(), ..form() };
        assert_eq!(messages(no_upn)[0].0, "upn");
        let reason = ProfileForm { upn: String::new(), upn_unknown_reason: "UN2".into(), ..form() };
        assert_eq!(check(&reason, today()).unwrap().upn_unknown_reason.as_deref(), Some("UN2"));
    }

    #[test]
    fn only_changed_fields_are_recorded() {
        let before = check(&form(), today()).unwrap();
        let after = ChildProfile { surname: "Nolan-Reid".into(), ..before.clone() };
        let diff = changes(&before, &after);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff["surname"], json!({ "before": "Nolan", "after": "Nolan-Reid" }));
    }
}
