//! Term dates, PEP deadlines and delegation dates, one academic year at a
//! time, on the authority's settings.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::term_dates::{TermDateField, YearForm, field_name};
use openpep_domain::{AcademicYear, AuthorityAction, Term};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;

use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

/// One date field of the form.
pub struct DateField {
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: String,
}

pub struct TermFieldset {
    pub legend: String,
    pub fields: Vec<DateField>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/term_dates.html")]
pub struct TermDatesPage {
    layout: Layout,
    errors: FieldErrors,
    year: String,
    year_value: i32,
    version: i64,
    terms: Vec<TermFieldset>,
}

fn parse_year(year: &str) -> Result<AcademicYear, AppError> {
    year.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .map(AcademicYear)
        .ok_or(AppError::NotFound)
}

fn page(
    state: &AppState,
    user: &CurrentUser,
    year: AcademicYear,
    version: i64,
    form: &YearForm,
    errors: FieldErrors,
) -> TermDatesPage {
    let terms = Term::ALL
        .iter()
        .map(|&term| TermFieldset {
            legend: format!("{} term", term.label()),
            fields: TermDateField::ALL
                .iter()
                .map(|&field| {
                    let name = field_name(term, field);
                    let mut label = field.label().to_owned();
                    if let Some(first) = label.get_mut(0..1) {
                        first.make_ascii_uppercase();
                    }
                    DateField {
                        error: errors.message(&name).to_owned(),
                        value: form.get(term, field).to_owned(),
                        label,
                        name,
                    }
                })
                .collect(),
        })
        .collect();
    let title = format!("Term dates {year}");
    TermDatesPage {
        layout: Layout::for_user(user, &title, "/settings")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        year: year.to_string(),
        year_value: year.0,
        version,
        terms,
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<TermDatesPage, AppError> {
    state.services.authorise(&user.actor, AuthorityAction::ManageSettings)?;
    let year = parse_year(&year)?;
    let (settings, version) = state.services.authority_settings(user.actor.la_id).await?;
    let form = settings.dates_for(year).map(YearForm::from_dates).unwrap_or_default();
    Ok(page(&state, &user, year, version, &form, FieldErrors::default()))
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    let version = fields
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let form = YearForm::from_fields(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match state.services.save_term_dates(&user.actor, version, year, &form).await {
        Ok(()) => Ok(Redirect::to("/settings?saved=terms").into_response()),
        Err(FormError::Invalid(errors)) => {
            let mut response = page(&state, &user, year, version, &form, errors).into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
