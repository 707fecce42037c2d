//! The authority's settings, for the Virtual School administrator.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::chasing::Cadence;
use openpep_domain::quality::Scheme;
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::{AcademicYear, AuthorityAction};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::profile::uk_short_date;
use openpep_service::settings::{ATTEND_CRITERIA, SettingsForm, attend_codes};
use serde::Deserialize;

use crate::components::{Choice, SummaryRow};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct SettingsFields {
    #[serde(default)]
    version: String,
    #[serde(default)]
    initial_timescale: String,
    #[serde(default)]
    pep_from_age: String,
    #[serde(default)]
    section_letters: String,
    #[serde(default)]
    grading_scheme: String,
    #[serde(default)]
    sdq_threshold: String,
    #[serde(default)]
    sign_off_copies_to: String,
    #[serde(default)]
    vs_attends: Vec<String>,
    #[serde(default)]
    key_year_groups: String,
    #[serde(default)]
    reminder_cadence: String,
    #[serde(default)]
    reminder_days_before: String,
}

impl SettingsFields {
    fn from_settings(s: &AuthoritySettings, version: i64) -> SettingsFields {
        SettingsFields {
            version: version.to_string(),
            initial_timescale: s.initial_timescale.clone(),
            pep_from_age: s.pep_from_age.to_string(),
            section_letters: s.section_letters.join(", "),
            grading_scheme: s.grading_scheme.code().to_owned(),
            reminder_cadence: s.reminder_cadence.code().to_owned(),
            reminder_days_before: s.reminder_days_before.to_string(),
            sdq_threshold: s.sdq_threshold.to_string(),
            sign_off_copies_to: s.sign_off_copies_to.clone().unwrap_or_default(),
            vs_attends: attend_codes(&s.vs_attends),
            key_year_groups: s
                .vs_attends
                .key_year_groups
                .iter()
                .map(i8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/settings.html")]
pub struct SettingsPage {
    layout: Layout,
    errors: FieldErrors,
    f: SettingsFields,
    timescales: Vec<Choice>,
    ages: Vec<Choice>,
    schemes: Vec<Choice>,
    cadences: Vec<Choice>,
    criteria: Vec<Choice>,
    saved: bool,
    /// Each academic year's term dates, to view and change.
    years: Vec<SummaryCardView>,
    /// The year after the last shown, to add its dates: (name, address).
    add_year: (String, String),
}

/// One academic year's dates on the settings page.
pub struct SummaryCardView {
    pub title: String,
    pub href: String,
    pub rows: Vec<SummaryRow>,
}

fn year_cards(settings: &AuthoritySettings, today: chrono::NaiveDate) -> Vec<SummaryCardView> {
    let this_year = AcademicYear::containing(today);
    let mut years: Vec<AcademicYear> = settings.term_dates.iter().map(|y| y.year).collect();
    for y in [this_year, this_year.next()] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.retain(|y| y.0 >= this_year.0 - 1);
    years.sort();
    years
        .into_iter()
        .map(|year| {
            let rows = match settings.dates_for(year) {
                Some(dates) => dates
                    .terms
                    .iter()
                    .map(|t| {
                        SummaryRow::new(
                            format!("{} term", t.term.label()),
                            format!(
                                "{} to {}",
                                uk_short_date(t.starts_on),
                                uk_short_date(t.ends_on)
                            ),
                        )
                        .with_hint(format!(
                            "PEPs delegated {}, due {}",
                            uk_short_date(t.delegation_on),
                            uk_short_date(t.pep_deadline)
                        ))
                    })
                    .collect(),
                None => vec![SummaryRow::new(
                    "Dates",
                    "Not set: PEPs cannot be delegated for this year",
                )],
            };
            SummaryCardView {
                title: format!("Academic year {year}"),
                href: format!("/settings/terms/{}", year.0),
                rows,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn page(
    state: &AppState,
    user: &CurrentUser,
    f: SettingsFields,
    errors: FieldErrors,
    saved: bool,
    settings: &AuthoritySettings,
) -> SettingsPage {
    SettingsPage {
        layout: Layout::for_user(user, "Settings", "/settings")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        f,
        timescales: vec![
            Choice::new("ten_working_days", "Within 10 working days").with_hint(
                "Statutory guidance: initiated within 10 working days of coming into care",
            ),
            Choice::new("twenty_days", "Within 20 days").with_hint("A PEP meeting within 20 days"),
        ],
        ages: vec![Choice::new("2", "From age 2"), Choice::new("3", "From age 3")],
        schemes: Scheme::ALL.iter().map(|s| Choice::new(s.code(), s.label())).collect(),
        cadences: Cadence::ALL.iter().map(|c| Choice::new(c.code(), c.label())).collect(),
        criteria: ATTEND_CRITERIA.iter().map(|(code, text)| Choice::new(*code, *text)).collect(),
        saved,
        add_year: {
            let last = settings
                .term_dates
                .iter()
                .map(|y| y.year)
                .chain([AcademicYear::containing(state.services.clock.today()).next()])
                .max()
                .unwrap_or_else(|| AcademicYear::containing(state.services.clock.today()));
            (last.next().to_string(), format!("/settings/terms/{}", last.next().0))
        },
        years: year_cards(settings, state.services.clock.today()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SavedQuery>,
) -> Result<SettingsPage, AppError> {
    state.services.authorise(&user.actor, AuthorityAction::ManageSettings)?;
    let (settings, version) = state.services.authority_settings(user.actor.la_id).await?;
    let fields = SettingsFields::from_settings(&settings, version);
    Ok(page(&state, &user, fields, FieldErrors::default(), query.saved.is_some(), &settings))
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<SettingsFields>,
) -> Result<Response, AppError> {
    let form = SettingsForm {
        initial_timescale: fields.initial_timescale.clone(),
        pep_from_age: fields.pep_from_age.clone(),
        section_letters: fields.section_letters.clone(),
        grading_scheme: fields.grading_scheme.clone(),
        reminder_cadence: fields.reminder_cadence.clone(),
        reminder_days_before: fields.reminder_days_before.clone(),
        sdq_threshold: fields.sdq_threshold.clone(),
        sign_off_copies_to: fields.sign_off_copies_to.clone(),
        vs_attends: fields.vs_attends.clone(),
        key_year_groups: fields.key_year_groups.clone(),
    };
    let version = fields.version.parse::<i64>().unwrap_or(-1);
    match state.services.save_settings(&user.actor, version, &form).await {
        Ok(()) => Ok(Redirect::to("/settings?saved=1").into_response()),
        Err(FormError::Invalid(errors)) => {
            let (settings, _) = state.services.authority_settings(user.actor.la_id).await?;
            let mut response =
                page(&state, &user, fields, errors, false, &settings).into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
