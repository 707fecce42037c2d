//! The authority's settings page: read by everyone's pages, changed by the
//! Virtual School administrator, versioned and audited.

use openpep_domain::AcademicYear;
use openpep_domain::chasing::{Cadence, DEFAULT_DAYS_BEFORE};
use openpep_domain::quality::Scheme;
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::term_dates::{YearForm, parse_year_form};
use openpep_domain::vs_involvement::InvolvementCriteria;
use openpep_domain::{AuthorityAction, Email};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::{Json, StoreError, settings};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// The settings form as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub initial_timescale: String,
    pub pep_from_age: String,
    pub section_letters: String,
    /// A `quality::Scheme` code.
    pub grading_scheme: String,
    pub sdq_threshold: String,
    pub sign_off_copies_to: String,
    /// The ticked criteria for the VS attending (see [`ATTEND_CRITERIA`]).
    pub vs_attends: Vec<String>,
    /// Year groups whose meetings the VS attends, like "6, 11".
    pub key_year_groups: String,
    /// A `chasing::Cadence` code.
    pub reminder_cadence: String,
    pub reminder_days_before: String,
}

/// The criteria for the Virtual School attending a PEP meeting, as the
/// settings form names them.
pub const ATTEND_CRITERIA: [(&str, &str); 5] = [
    ("new_to_virtual_school", "The child is new to the Virtual School"),
    ("school_move", "The child has moved school"),
    ("educated_outside_authority", "The child's school is outside the authority"),
    ("red_rated", "The Virtual School rates the case red"),
    (
        "professional_disagreement",
        "A social worker or designated teacher raises a professional disagreement",
    ),
];

/// The criteria as the form's ticked values.
pub fn attend_codes(c: &InvolvementCriteria) -> Vec<String> {
    let on = [
        c.new_to_virtual_school,
        c.school_move,
        c.educated_outside_authority,
        c.red_rated,
        c.professional_disagreement,
    ];
    ATTEND_CRITERIA
        .iter()
        .zip(on)
        .filter(|(_, on)| *on)
        .map(|((code, _), _)| (*code).to_owned())
        .collect()
}

fn key_year_groups(typed: &str, errors: &mut FieldErrors) -> Vec<i8> {
    let mut years = Vec::new();
    for part in typed.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i8>() {
            Ok(y) if (1..=13).contains(&y) => {
                if !years.contains(&y) {
                    years.push(y);
                }
            }
            _ => {
                errors.add(
                    "key_year_groups",
                    "Enter year groups as numbers from 1 to 13, separated by commas, like 6, 11",
                );
                return Vec::new();
            }
        }
    }
    years.sort_unstable();
    years
}

/// Checks the form; the settings, or what is wrong with which field.
pub fn check(form: &SettingsForm) -> Result<AuthoritySettings, FieldErrors> {
    let mut errors = FieldErrors::default();
    if !matches!(form.initial_timescale.as_str(), "ten_working_days" | "twenty_days") {
        errors.add("initial_timescale", "Select the timescale for initial PEPs");
    }
    let from_age = match form.pep_from_age.as_str() {
        "2" => 2,
        "3" => 3,
        _ => {
            errors.add("pep_from_age", "Select the age PEPs start from");
            2
        }
    };
    let letters: Vec<String> = form
        .section_letters
        .split([',', ' '])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_uppercase)
        .collect();
    if letters.is_empty() || letters.len() > 8 || letters.iter().any(|l| l.chars().count() > 2) {
        errors.add("section_letters", "Enter between 1 and 8 section letters, like A, B, C, D");
    }
    let scheme = Scheme::from_code(&form.grading_scheme);
    if scheme.is_none() {
        errors.add("grading_scheme", "Select the grades quality assurance gives");
    }
    let sdq = match form.sdq_threshold.trim().parse::<u8>() {
        Ok(n) if n <= 40 => n,
        Ok(_) | Err(_) if form.sdq_threshold.trim().is_empty() => {
            errors.add("sdq_threshold", "Enter the SDQ score that flags concern");
            17
        }
        _ => {
            errors.add("sdq_threshold", "The SDQ threshold must be a whole number from 0 to 40");
            17
        }
    };
    let copies = form.sign_off_copies_to.trim();
    let copies_to = if copies.is_empty() {
        None
    } else {
        match Email::parse(copies) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(_) => {
                errors.add(
                    "sign_off_copies_to",
                    "Enter an email address in the correct format, like name@example.com",
                );
                None
            }
        }
    };
    let cadence = Cadence::from_code(&form.reminder_cadence);
    if cadence.is_none() {
        errors.add("reminder_cadence", "Select how often reminders are sent");
    }
    let days_before = match form.reminder_days_before.trim().parse::<u32>() {
        Ok(n) if (1..=30).contains(&n) => n,
        _ if form.reminder_days_before.trim().is_empty() => {
            errors.add(
                "reminder_days_before",
                "Enter how many days before its deadline a PEP is due soon",
            );
            DEFAULT_DAYS_BEFORE
        }
        _ => {
            errors.add(
                "reminder_days_before",
                "The days before the deadline must be a whole number from 1 to 30",
            );
            DEFAULT_DAYS_BEFORE
        }
    };
    let ticked = |code: &str| form.vs_attends.iter().any(|c| c == code);
    if form.vs_attends.iter().any(|c| !ATTEND_CRITERIA.iter().any(|(code, _)| code == c)) {
        errors.add("vs_attends", "Select the criteria from the list");
    }
    let vs_attends = InvolvementCriteria {
        key_year_groups: key_year_groups(&form.key_year_groups, &mut errors),
        new_to_virtual_school: ticked("new_to_virtual_school"),
        school_move: ticked("school_move"),
        educated_outside_authority: ticked("educated_outside_authority"),
        red_rated: ticked("red_rated"),
        professional_disagreement: ticked("professional_disagreement"),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AuthoritySettings {
        vs_attends,
        initial_timescale: form.initial_timescale.clone(),
        pep_from_age: from_age,
        section_letters: letters,
        grading_scheme: scheme.unwrap_or_default(),
        reminder_cadence: cadence.unwrap_or_default(),
        reminder_days_before: days_before,
        sdq_threshold: sdq,
        sign_off_copies_to: copies_to,
        ..AuthoritySettings::default()
    })
}

/// Settings saved before the grading scheme was a choice listed their
/// grades: a list starting "Completed" was the completion scheme.
fn earlier_scheme(stored: &serde_json::Value) -> Option<Scheme> {
    if stored.get("grading_scheme").is_some() {
        return None;
    }
    let first = stored.get("qa_grades")?.as_array()?.first()?.as_str()?;
    first.eq_ignore_ascii_case("completed").then_some(Scheme::Completion)
}

impl Services {
    /// The authority's settings (defaults until first saved) and their version.
    pub async fn authority_settings(
        &self,
        la_id: Uuid,
    ) -> Result<(AuthoritySettings, i64), ServiceError> {
        match settings::get(&self.db, la_id).await? {
            Some(stored) => {
                let scheme = earlier_scheme(&stored.settings.0);
                let mut parsed: AuthoritySettings =
                    serde_json::from_value(stored.settings.0).unwrap_or_default();
                if let Some(scheme) = scheme {
                    parsed.grading_scheme = scheme;
                }
                Ok((parsed, stored.version))
            }
            None => Ok((AuthoritySettings::default(), 0)),
        }
    }

    pub async fn save_settings(
        &self,
        actor: &Actor,
        version: i64,
        form: &SettingsForm,
    ) -> Result<(), FormError> {
        self.authorise(actor, AuthorityAction::ManageSettings)?;
        let mut new = check(form).map_err(FormError::Invalid)?;
        let (old, _) = self.authority_settings(actor.la_id).await?;
        // Term dates have their own page; this form keeps them as they are.
        new.term_dates = old.term_dates.clone();
        self.store_settings(actor, version, &old, &new, "initial_timescale").await
    }

    /// Saves one academic year's term dates, PEP deadlines and delegation
    /// dates, checked field by field.
    pub async fn save_term_dates(
        &self,
        actor: &Actor,
        version: i64,
        year: AcademicYear,
        form: &YearForm,
    ) -> Result<(), FormError> {
        self.authorise(actor, AuthorityAction::ManageSettings)?;
        let dates = parse_year_form(year, form).map_err(|problems| {
            let mut errors = FieldErrors::default();
            for p in problems {
                errors.add(&p.name(), p.message);
            }
            FormError::Invalid(errors)
        })?;
        let (old, _) = self.authority_settings(actor.la_id).await?;
        let mut new = old.clone();
        new.upsert_year(dates);
        self.store_settings(actor, version, &old, &new, "autumn_starts_on").await
    }

    /// Stores the settings over `version`, audited with before and after.
    async fn store_settings(
        &self,
        actor: &Actor,
        version: i64,
        old: &AuthoritySettings,
        new: &AuthoritySettings,
        first_field: &str,
    ) -> Result<(), FormError> {
        let now = self.clock.now();
        let value = serde_json::to_value(new).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        match settings::save(&mut tx, actor.la_id, version, &value, actor.user_id, now).await {
            Ok(_) => {}
            Err(StoreError::StaleVersion) => {
                let mut errors = FieldErrors::default();
                errors.add(
                    first_field,
                    "Someone else changed the settings while you were editing. Check them and save again",
                );
                return Err(FormError::Invalid(errors));
            }
            Err(e) => return Err(e.into()),
        }
        let before = serde_json::to_value(old).unwrap_or_default();
        audit::record(
            &mut tx,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: Some(actor.la_id),
                actor_user_id: Some(actor.user_id),
                action: "settings.changed".into(),
                entity_type: "authority".into(),
                entity_id: Some(actor.la_id),
                child_id: None,
                details: Json(json!({ "before": before, "after": value })),
                request_id: actor.request_id.clone(),
                occurred_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_grade_lists_keep_their_scheme() {
        let completion = json!({ "qa_grades": ["Completed", "Good", "Management decision"] });
        assert_eq!(earlier_scheme(&completion), Some(Scheme::Completion));
        let ofsted = json!({ "qa_grades": ["Good", "Requires improvement to be good"] });
        assert_eq!(earlier_scheme(&ofsted), None);
        let chosen = json!({ "grading_scheme": "ofsted", "qa_grades": ["Completed"] });
        assert_eq!(earlier_scheme(&chosen), None);
    }
}
