//! Delegation: the Virtual School opens a term's PEPs for every eligible
//! child. It picks the term, sees how many PEPs will be created and for
//! whom, and confirms; running it again creates nothing twice.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::{AcademicYear, Term};
use openpep_service::FieldErrors;
use openpep_service::pep_creation::{DelegationError, DelegationPreview, PREVIEW_PER_PAGE};
use openpep_service::profile::{uk_date, uk_time};
use openpep_store::peps::Delegation;
use serde::Deserialize;

use crate::components::{Cell, Choice, Pagination, SummaryRow, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Deserialize, Default, Clone)]
pub struct TermFields {
    #[serde(default)]
    year: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    page: Option<u32>,
    /// After a delegation: how many PEPs it created.
    #[serde(default)]
    created: Option<u32>,
}

impl TermFields {
    fn parse(&self) -> Result<(AcademicYear, Term), FieldErrors> {
        let mut errors = FieldErrors::default();
        let year = self.year.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            errors.add("year", "Select the academic year");
        }
        let term = Term::from_code(&self.term);
        if term.is_none() {
            errors.add("term", "Select the term to delegate");
        }
        match (year, term) {
            (Some(y), Some(t)) => Ok((AcademicYear(y), t)),
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/delegate.html")]
pub struct DelegatePage {
    layout: Layout,
    errors: FieldErrors,
    f: TermFields,
    years: Vec<Choice>,
    terms: Vec<Choice>,
    done: Option<String>,
    history: Table,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/delegate_preview.html")]
pub struct PreviewPage {
    layout: Layout,
    heading: String,
    summary: Vec<SummaryRow>,
    total: i64,
    table: Table,
    pagination: Pagination,
    year: i32,
    term: &'static str,
}

fn term_label(year: i32, term: &str) -> String {
    let label = Term::from_code(term).map_or(term, |t| t.label());
    format!("{label} term {}", AcademicYear(year))
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    f: TermFields,
    errors: FieldErrors,
) -> Result<DelegatePage, AppError> {
    let this_year = AcademicYear::containing(state.services.clock.today());
    let delegations: Vec<Delegation> = state.services.delegations(&user.actor).await?;
    let done = match (f.created, f.parse()) {
        (Some(n), Ok((year, term))) => Some(format!(
            "{n} PEP{} created for the {}.",
            if n == 1 { "" } else { "s" },
            term_label(year.0, term.code()).to_lowercase()
        )),
        _ => None,
    };
    let rows = delegations
        .iter()
        .map(|d| {
            vec![
                Cell::text(term_label(d.academic_year, &d.term)).heading(),
                Cell::text(uk_date(d.due_on)),
                Cell::text(d.created_count.to_string()),
                Cell::text(uk_time(d.run_at)),
            ]
        })
        .collect();
    Ok(DelegatePage {
        layout: Layout::for_user(user, "Delegate a term's PEPs", "/peps")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        years: [this_year, this_year.next()]
            .iter()
            .map(|y| Choice::new(y.0.to_string(), y.to_string()))
            .collect(),
        terms: Term::ALL.iter().map(|t| Choice::new(t.code(), t.label())).collect(),
        f,
        done,
        history: Table {
            caption: "Delegations so far".into(),
            caption_size: "m",
            head: ["Term", "PEPs due", "PEPs created", "Delegated"].map(String::from).to_vec(),
            rows,
            csrf: String::new(),
        },
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<TermFields>,
) -> Result<DelegatePage, AppError> {
    form_page(&state, &user, f, FieldErrors::default()).await
}

fn refused(page: impl IntoResponse) -> Response {
    let mut response = page.into_response();
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// Checks the chosen term has dates, then shows what delegating it will do.
pub async fn choose(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<TermFields>,
) -> Result<Response, AppError> {
    let (year, term) = match f.parse() {
        Ok(chosen) => chosen,
        Err(errors) => return Ok(refused(form_page(&state, &user, f, errors).await?)),
    };
    match state.services.delegation_dates(&user.actor, year, term).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/peps/delegate/preview?year={}&term={}",
            year.0,
            term.code()
        ))
        .into_response()),
        Err(DelegationError::NoTermDates(message)) => {
            let mut errors = FieldErrors::default();
            errors.add("term", message);
            Ok(refused(form_page(&state, &user, f, errors).await?))
        }
        Err(DelegationError::Service(e)) => Err(e.into()),
    }
}

pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<TermFields>,
) -> Result<Response, AppError> {
    let Ok((year, term)) = f.parse() else {
        // No term chosen (a bookmark, say): the form to choose one.
        return Ok(form_page(&state, &user, f, FieldErrors::default()).await?.into_response());
    };
    let page = f.page.unwrap_or(1).max(1);
    let p: DelegationPreview =
        match state.services.delegation_preview(&user.actor, year, term, page).await {
            Ok(p) => p,
            Err(DelegationError::NoTermDates(_)) => {
                return Ok(Redirect::to("/peps/delegate").into_response());
            }
            Err(DelegationError::Service(e)) => return Err(e.into()),
        };
    let today = state.services.clock.today();
    let total = p.children.total;
    let last_page =
        u32::try_from((total + i64::from(PREVIEW_PER_PAGE) - 1) / i64::from(PREVIEW_PER_PAGE))
            .unwrap_or(1)
            .max(1);
    let rows = p
        .children
        .rows
        .iter()
        .map(|c| {
            vec![
                Cell::link(
                    format!("{} {}", c.forename, c.surname),
                    format!("/children/{}", c.child_id),
                )
                .heading(),
                Cell::text(
                    openpep_domain::NcYear::for_child(
                        c.date_of_birth,
                        AcademicYear::containing(today),
                    )
                    .label(),
                ),
                Cell::text(c.school_name.clone().unwrap_or_else(|| "No school place".into())),
            ]
        })
        .collect();
    let heading = format!("Delegate the {}", term_label(year.0, term.code()).to_lowercase());
    Ok(PreviewPage {
        layout: Layout::for_user(&user, &heading, "/peps").dev(state.config.dev_mode),
        summary: vec![
            SummaryRow::new("Term", format!("{} to {}", uk_date(p.starts_on), uk_date(p.ends_on))),
            SummaryRow::new("PEPs due by", uk_date(p.due_on)),
            SummaryRow::new("PEPs to create", total.to_string()),
        ],
        heading,
        total,
        table: Table {
            caption: format!("Children who will get a PEP ({total})"),
            caption_size: "m",
            head: ["Name", "Year group", "School or setting"].map(String::from).to_vec(),
            rows,
            csrf: String::new(),
        },
        pagination: Pagination::new(page, last_page, |n| {
            format!("/peps/delegate/preview?year={}&term={}&page={n}", year.0, term.code())
        }),
        year: year.0,
        term: term.code(),
    }
    .into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<TermFields>,
) -> Result<Response, AppError> {
    let Ok((year, term)) = f.parse() else {
        return Ok(Redirect::to("/peps/delegate").into_response());
    };
    match state.services.delegate(&user.actor, year, term).await {
        Ok(created) => Ok(Redirect::to(&format!(
            "/peps/delegate?year={}&term={}&created={created}",
            year.0,
            term.code()
        ))
        .into_response()),
        Err(DelegationError::NoTermDates(_)) => Ok(Redirect::to("/peps/delegate").into_response()),
        Err(DelegationError::Service(e)) => Err(e.into()),
    }
}
