//! The Virtual School edits a child's profile.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::ethnicity::ETHNICITIES;
use openpep_domain::{LegalStatus, UnknownUpnReason};
use openpep_service::FieldErrors;
use openpep_service::profile::uk_date;
use openpep_service::profiles::{EditError, GENDERS, ProfileForm, SEN_PROVISION};
use openpep_store::children::Child;
use serde::Deserialize;

use crate::components::{Choice, DateValue, SummaryRow};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct ProfileFields {
    #[serde(default)]
    version: String,
    #[serde(default)]
    forename: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    preferred_name: String,
    #[serde(default, rename = "dob-day")]
    dob_day: String,
    #[serde(default, rename = "dob-month")]
    dob_month: String,
    #[serde(default, rename = "dob-year")]
    dob_year: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    sen_provision: String,
    #[serde(default)]
    upn: String,
    #[serde(default)]
    upn_unknown_reason: String,
    #[serde(default)]
    uln: String,
    #[serde(default)]
    legal_status: String,
    #[serde(default, rename = "entered-day")]
    entered_day: String,
    #[serde(default, rename = "entered-month")]
    entered_month: String,
    #[serde(default, rename = "entered-year")]
    entered_year: String,
    #[serde(default)]
    vs_priority: String,
}

impl ProfileFields {
    fn from_child(c: &Child) -> ProfileFields {
        let (ed, em, ey) = match c.entered_care_on {
            Some(d) => (
                d.format("%-d").to_string(),
                d.format("%-m").to_string(),
                d.format("%Y").to_string(),
            ),
            None => Default::default(),
        };
        ProfileFields {
            version: c.version.to_string(),
            forename: c.forename.clone(),
            surname: c.surname.clone(),
            preferred_name: c.preferred_name.clone().unwrap_or_default(),
            dob_day: c.date_of_birth.format("%-d").to_string(),
            dob_month: c.date_of_birth.format("%-m").to_string(),
            dob_year: c.date_of_birth.format("%Y").to_string(),
            gender: c.gender.clone(),
            ethnicity: c.ethnicity.clone().unwrap_or_default(),
            sen_provision: c.sen_provision.clone().unwrap_or_default(),
            upn: c.upn.clone().unwrap_or_default(),
            upn_unknown_reason: c.upn_unknown_reason.clone().unwrap_or_default(),
            uln: c.uln.clone().unwrap_or_default(),
            legal_status: c.legal_status.clone().unwrap_or_default(),
            entered_day: ed,
            entered_month: em,
            entered_year: ey,
            vs_priority: c.vs_priority.clone().unwrap_or_default(),
        }
    }

    fn to_form(&self) -> ProfileForm {
        ProfileForm {
            forename: self.forename.clone(),
            surname: self.surname.clone(),
            preferred_name: self.preferred_name.clone(),
            dob: (self.dob_day.clone(), self.dob_month.clone(), self.dob_year.clone()),
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            sen_provision: self.sen_provision.clone(),
            upn: self.upn.clone(),
            upn_unknown_reason: self.upn_unknown_reason.clone(),
            uln: self.uln.clone(),
            legal_status: self.legal_status.clone(),
            entered_care: (
                self.entered_day.clone(),
                self.entered_month.clone(),
                self.entered_year.clone(),
            ),
            vs_priority: self.vs_priority.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/edit_child.html")]
pub struct EditPage {
    layout: Layout,
    errors: FieldErrors,
    child_id: String,
    child_name: String,
    f: ProfileFields,
    dob: DateValue,
    entered: DateValue,
    genders: Vec<Choice>,
    ethnicities: Vec<Choice>,
    sen: Vec<Choice>,
    reasons: Vec<Choice>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    /// Someone else's saved version, when they saved first.
    theirs: Vec<SummaryRow>,
}

fn page(
    state: &AppState,
    user: &CurrentUser,
    child: &Child,
    f: ProfileFields,
    errors: FieldErrors,
    theirs: Vec<SummaryRow>,
) -> EditPage {
    let dob =
        DateValue { day: f.dob_day.clone(), month: f.dob_month.clone(), year: f.dob_year.clone() };
    let entered = DateValue {
        day: f.entered_day.clone(),
        month: f.entered_month.clone(),
        year: f.entered_year.clone(),
    };
    EditPage {
        layout: Layout::for_user(user, "Change details", "/children")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty() || !theirs.is_empty()),
        errors,
        child_id: child.id.to_string(),
        child_name: child.full_name(),
        dob,
        entered,
        genders: GENDERS.iter().map(|(c, l)| Choice::new(*c, *l)).collect(),
        sen: SEN_PROVISION.iter().map(|(c, l)| Choice::new(*c, *l)).collect(),
        ethnicities: std::iter::once(Choice::new("", "Not recorded"))
            .chain(ETHNICITIES.iter().map(|(c, d)| Choice::new(*c, *d)))
            .collect(),
        reasons: std::iter::once(Choice::new("", "Select a reason"))
            .chain(
                UnknownUpnReason::ALL
                    .iter()
                    .map(|r| Choice::new(r.code(), format!("{}: {}", r.code(), r.description()))),
            )
            .collect(),
        statuses: std::iter::once(Choice::new("", "Not recorded"))
            .chain(
                LegalStatus::ALL
                    .iter()
                    .map(|s| Choice::new(s.code(), format!("{} – {}", s.code(), s.description()))),
            )
            .collect(),
        priorities: vec![
            Choice::new("", "None"),
            Choice::new("amber", "Amber"),
            Choice::new("red", "Red: the Virtual School attends"),
        ],
        f,
        theirs,
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<EditPage, AppError> {
    let child = state.services.child_for_edit(&user.actor, super::id_or_404(&id)?).await?;
    let fields = ProfileFields::from_child(&child);
    Ok(page(&state, &user, &child, fields, FieldErrors::default(), Vec::new()))
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(mut fields): Form<ProfileFields>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let version = fields.version.parse::<i64>().unwrap_or(-1);
    let result = state.services.edit_child(&user.actor, id, version, &fields.to_form()).await;
    let unprocessable = |page: EditPage| {
        let mut response = page.into_response();
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        response
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(EditError::Invalid(errors)) => {
            let child = state.services.child_for_edit(&user.actor, id).await?;
            Ok(unprocessable(page(&state, &user, &child, fields, errors, Vec::new())))
        }
        Err(EditError::Stale(current)) => {
            // Keep what they typed; show what was saved meanwhile; saving
            // again (now over the current version) is their informed choice.
            let theirs = vec![
                SummaryRow::new("First name", current.forename.clone()),
                SummaryRow::new("Last name", current.surname.clone()),
                SummaryRow::new("Date of birth", uk_date(current.date_of_birth)),
                SummaryRow::new("UPN", current.upn.clone().unwrap_or_else(|| "Not known".into())),
                SummaryRow::new(
                    "Legal status",
                    current.legal_status.clone().unwrap_or_else(|| "Not recorded".into()),
                ),
                SummaryRow::new(
                    "Priority",
                    current.vs_priority.clone().unwrap_or_else(|| "None".into()),
                ),
            ];
            fields.version = current.version.to_string();
            let mut errors = FieldErrors::default();
            errors.add(
                "forename",
                "Someone else saved changes to these details while you were editing. Check their version below, then save yours again",
            );
            Ok(unprocessable(page(&state, &user, &current, fields, errors, theirs)))
        }
        Err(EditError::Service(e)) => Err(e.into()),
    }
}
