//! Recording a change of school: the old placement ends, the old school's
//! designated teacher loses access, a placement-change PEP falls due.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::school_moves::SchoolMoveForm;
use serde::Deserialize;
use uuid::Uuid;

use crate::components::{Choice, DateValue};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/school_move.html")]
pub struct SchoolMovePage {
    layout: Layout,
    errors: FieldErrors,
    child_id: String,
    child_name: String,
    current: String,
    schools: Vec<Choice>,
    f: SchoolMoveFields,
    started: DateValue,
}

#[derive(Deserialize, Default, Clone)]
pub struct SchoolMoveFields {
    #[serde(default)]
    school_id: String,
    #[serde(default, rename = "started-day")]
    day: String,
    #[serde(default, rename = "started-month")]
    month: String,
    #[serde(default, rename = "started-year")]
    year: String,
    #[serde(default)]
    reason: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    f: SchoolMoveFields,
    errors: FieldErrors,
) -> Result<SchoolMovePage, AppError> {
    let (child, current) = state.services.school_move_context(&user.actor, id).await?;
    let current = current.unwrap_or_else(|| "No school place".to_owned());
    let mut schools = vec![Choice::new("", "Select a school or setting")];
    schools.extend(
        state
            .services
            .authority_schools(&user.actor)
            .await?
            .into_iter()
            .map(|s| Choice::new(s.id.to_string(), format!("{} ({})", s.name, s.phase))),
    );
    Ok(SchoolMovePage {
        layout: Layout::for_user(user, "Record a change of school", "/learners")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        child_id: id.to_string(),
        child_name: child.full_name(),
        current,
        schools,
        started: DateValue::new(f.day.clone(), f.month.clone(), f.year.clone()),
        f,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<SchoolMovePage, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    page(&state, &user, id, SchoolMoveFields::default(), FieldErrors::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<SchoolMoveFields>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let form = SchoolMoveForm {
        school_id: f.school_id.clone(),
        day: f.day.clone(),
        month: f.month.clone(),
        year: f.year.clone(),
        reason: f.reason.clone(),
    };
    match state.services.change_school(&user.actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}?saved=school")).into_response()),
        Err(FormError::Invalid(errors)) => {
            let mut response = page(&state, &user, id, f, errors).await?.into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
