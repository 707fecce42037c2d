//! The Virtual School records a child's care information: the placement
//! they live in, and what the school must know about consent and contact.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::placement_type::PLACEMENT_TYPES;
use openpep_service::FieldErrors;
use openpep_service::care::{CareForm, CareSaved};
use openpep_service::profile::uk_date;
use openpep_service::profiles::EditError;
use openpep_store::children::Child;
use serde::Deserialize;
use uuid::Uuid;

use crate::components::{Choice, DateValue};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct CareFields {
    #[serde(default)]
    version: String,
    #[serde(default)]
    placement_type: String,
    #[serde(default)]
    placement_provider: String,
    #[serde(default)]
    carer_name: String,
    #[serde(default)]
    lives_in: String,
    #[serde(default)]
    lives_in_la: String,
    #[serde(default, rename = "started-day")]
    started_day: String,
    #[serde(default, rename = "started-month")]
    started_month: String,
    #[serde(default, rename = "started-year")]
    started_year: String,
    #[serde(default)]
    delegated_authority: String,
    #[serde(default)]
    contact_restrictions: String,
    #[serde(default)]
    parental_responsibility: String,
    #[serde(default)]
    school_reports_to: String,
}

impl CareFields {
    fn from_form(version: i64, f: CareForm) -> CareFields {
        CareFields {
            version: version.to_string(),
            placement_type: f.placement_type,
            placement_provider: f.placement_provider,
            carer_name: f.carer_name,
            lives_in: f.lives_in,
            lives_in_la: f.lives_in_la,
            started_day: f.started.0,
            started_month: f.started.1,
            started_year: f.started.2,
            delegated_authority: f.delegated_authority,
            contact_restrictions: f.contact_restrictions,
            parental_responsibility: f.parental_responsibility,
            school_reports_to: f.school_reports_to,
        }
    }

    fn to_form(&self) -> CareForm {
        CareForm {
            placement_type: self.placement_type.clone(),
            placement_provider: self.placement_provider.clone(),
            carer_name: self.carer_name.clone(),
            lives_in: self.lives_in.clone(),
            lives_in_la: self.lives_in_la.clone(),
            started: (
                self.started_day.clone(),
                self.started_month.clone(),
                self.started_year.clone(),
            ),
            delegated_authority: self.delegated_authority.clone(),
            contact_restrictions: self.contact_restrictions.clone(),
            parental_responsibility: self.parental_responsibility.clone(),
            school_reports_to: self.school_reports_to.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/care.html")]
pub struct CarePage {
    layout: Layout,
    errors: FieldErrors,
    child_id: String,
    child_name: String,
    /// "In care since …", or that no placement is recorded.
    in_care: Option<String>,
    f: CareFields,
    started: DateValue,
    placement_types: Vec<Choice>,
    yes_no: Vec<Choice>,
}

fn page(
    state: &AppState,
    user: &CurrentUser,
    child: &Child,
    in_care: Option<String>,
    f: CareFields,
    errors: FieldErrors,
) -> CarePage {
    CarePage {
        layout: Layout::for_user(user, "Care information", "/children")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        child_id: child.id.to_string(),
        child_name: child.full_name(),
        in_care,
        started: DateValue {
            day: f.started_day.clone(),
            month: f.started_month.clone(),
            year: f.started_year.clone(),
        },
        placement_types: std::iter::once(Choice::new("", "Select the type of placement"))
            .chain(PLACEMENT_TYPES.iter().map(|(c, d)| Choice::new(*c, format!("{c} – {d}"))))
            .collect(),
        yes_no: vec![
            Choice::new("yes", "Yes, inside the authority"),
            Choice::new("no", "No, outside the authority"),
        ],
        f,
    }
}

async fn show_with(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    typed: Option<CareFields>,
    errors: FieldErrors,
) -> Result<CarePage, AppError> {
    let record = state.services.care_record(&user.actor, id).await?;
    let in_care = record.placement.as_ref().map(|p| {
        format!(
            "Current placement since {}. A later start date records a new placement.",
            uk_date(p.started_on)
        )
    });
    let fields = typed.unwrap_or_else(|| {
        CareFields::from_form(
            record.child.version,
            CareForm::from_record(&record.care, record.placement.as_ref()),
        )
    });
    Ok(page(state, user, &record.child, in_care, fields, errors))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<CarePage, AppError> {
    show_with(&state, &user, super::id_or_404(&id)?, None, FieldErrors::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(mut fields): Form<CareFields>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let version = fields.version.parse::<i64>().unwrap_or(-1);
    let result = state.services.save_care(&user.actor, id, version, &fields.to_form()).await;
    let unprocessable = |page: CarePage| {
        let mut response = page.into_response();
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        response
    };
    let saved = match result {
        Ok(CareSaved::Unchanged) => "",
        Ok(CareSaved::Updated) => "?saved=care",
        Ok(CareSaved::NewPlacement) => "?saved=placement",
        Ok(CareSaved::CameIntoCare) => "?saved=came_into_care",
        Err(EditError::Invalid(errors)) => {
            return Ok(unprocessable(show_with(&state, &user, id, Some(fields), errors).await?));
        }
        Err(EditError::Stale(current)) => {
            // Keep what they typed, over the version now saved.
            fields.version = current.version.to_string();
            let mut errors = FieldErrors::default();
            errors.add(
                "placement_type",
                "Someone else saved changes to this child's record while you were editing. Check what you typed, then save again",
            );
            return Ok(unprocessable(show_with(&state, &user, id, Some(fields), errors).await?));
        }
        Err(EditError::Service(e)) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!("/children/{id}{saved}")).into_response())
}
