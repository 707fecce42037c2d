//! Quality assurance: the Virtual School's queue of signed-off PEPs, and
//! one PEP's completeness check, grade, return for improvement and officer.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::completeness::Outcome;
use openpep_domain::meeting::when_label;
use openpep_domain::pages::attainment::Rag;
use openpep_domain::pages::uk_date;
use openpep_domain::{AcademicYear, NcYear, Term};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::{PepRef, pep_path};
use openpep_service::quality::{
    CheckPage, GradeForm, QUEUE_PER_PAGE, QualityPage, QueueView, ReturnForm,
};
use serde::Deserialize;

use super::DoneQuery;
use super::cohort_filters::{FilterChoices, FilterQuery};
use super::peps::{pep_ref, pep_title};
use crate::components::{Cell, Choice, DateValue, Pagination, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/quality_queue.html")]
pub struct QueuePage {
    layout: Layout,
    errors: FieldErrors,
    query: FilterQuery,
    filtered: bool,
    choices: FilterChoices,
    /// (label, address, current) of each view.
    views: Vec<(String, String, bool)>,
    table: Table,
    pagination: Pagination,
    total: i64,
    returned: bool,
}

pub async fn show_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FilterQuery>,
) -> Result<Response, AppError> {
    let checked = state.services.check_filter(&user.actor, &query.form()).await?;
    let view = if query.view == "returned" { QueueView::Returned } else { QueueView::Waiting };
    let returned = view == QueueView::Returned;
    let view_code = if returned { "returned" } else { "" };
    let mut table = Table {
        caption: if returned {
            "Returned for improvement".into()
        } else {
            "Signed off, waiting for quality assurance".into()
        },
        caption_size: "m",
        head: ["Child", "PEP", "School or setting", "Year group", "Signed off", "Officer"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
        csrf: String::new(),
    };
    if returned {
        table.head[4] = "Improvements due".into();
    }
    let mut total = 0;
    let mut pagination = Pagination::default();
    let errors = checked.errors.clone();
    if errors.is_empty() {
        let page = query.page();
        let found = state.services.qa_queue(&user.actor, view, &checked.filter, page).await?;
        total = found.total;
        let last = Pagination::page_count(found.total, QUEUE_PER_PAGE);
        pagination = Pagination::new(page.min(last), last, |n| query.url("/quality", view_code, n));
        table.rows = found
            .rows
            .iter()
            .map(|r| {
                let term = Term::from_code(&r.term).map_or("", |t| t.label());
                let year = AcademicYear(r.academic_year);
                let mut pep = Cell::text(format!("{term} term {year}"));
                if r.returns > 0 {
                    pep = pep.with_tag(Tag::new(
                        format!("Returned {}", times(r.returns)),
                        TagColour::Orange,
                    ));
                }
                let when = if returned {
                    r.return_due_on.map_or_else(String::new, uk_date)
                } else {
                    r.signed_off_at.map_or_else(String::new, |at| uk_date(at.date_naive()))
                };
                vec![
                    Cell::link(
                        format!("{} {}", r.forename, r.surname),
                        format!("{}/quality", pep_path(r.child_id, r.pep_id)),
                    )
                    .heading(),
                    pep,
                    Cell::text(r.school_name.clone().unwrap_or_else(|| "No school".into())),
                    Cell::text(NcYear::for_child(r.date_of_birth, year).label()),
                    Cell::text(when),
                    Cell::text(r.qa_officer_name.clone().unwrap_or_else(|| "Not given yet".into())),
                ]
            })
            .collect();
    }
    let views = vec![
        ("Waiting".to_owned(), query.url("/quality", "", 1), !returned),
        ("Returned for improvement".to_owned(), query.url("/quality", "returned", 1), returned),
    ];
    let page = QueuePage {
        layout: Layout::for_user(&user, "Quality assurance", "/quality")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        filtered: query.filtered(),
        choices: FilterChoices::new(&checked.options),
        views,
        table,
        pagination,
        total,
        returned,
        query,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok((status, page).into_response())
}

fn times(n: i64) -> String {
    if n == 1 { "once".to_owned() } else { format!("{n} times") }
}

/// One item of the completeness check as the screen shows it.
pub struct CheckView {
    pub label: String,
    pub tag: Tag,
    /// The page to fix it on.
    pub page: Option<CheckPage>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/quality.html")]
pub struct QualityView {
    layout: Layout,
    errors: FieldErrors,
    caption: String,
    status: Tag,
    back: String,
    base: String,
    done: Option<String>,
    details: Vec<SummaryRow>,
    checks: Vec<CheckView>,
    failing: usize,
    waiting: bool,
    returned: bool,
    returned_before: bool,
    initial: bool,
    grades: Vec<Choice>,
    rags: Vec<Choice>,
    pages: Vec<Choice>,
    officers: Vec<Choice>,
    history: Table,
    g: GradeFields,
    r: ReturnFields,
    due: DateValue,
    officer: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct GradeFields {
    #[serde(default)]
    grade: String,
    #[serde(default)]
    comments: String,
    #[serde(default)]
    progress_rag: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReturnFields {
    #[serde(default)]
    return_comments: String,
    #[serde(default, rename = "due_on-day")]
    day: String,
    #[serde(default, rename = "due_on-month")]
    month: String,
    #[serde(default, rename = "due_on-year")]
    year: String,
    #[serde(default)]
    pages: Vec<String>,
}

fn history(page: &QualityPage) -> Table {
    let mut rows: Vec<(chrono::DateTime<chrono::Utc>, Vec<Cell>)> = Vec::new();
    for g in &page.grades {
        let grade = g.grade_label();
        let rag = g
            .progress_rag
            .as_deref()
            .and_then(Rag::from_code)
            .map(|r| format!(" Overall progress: {}.", r.text()))
            .unwrap_or_default();
        rows.push((
            g.graded_at,
            vec![
                Cell::text(when_label(g.graded_at)),
                Cell::text(format!("Graded: {grade}")),
                Cell::text(g.graded_by_name.clone()),
                Cell::text(format!("{}{rag}", g.comments).trim().to_owned()),
            ],
        ));
    }
    for r in &page.returns {
        let back = match (&r.resubmitted_by_name, r.resubmitted_at) {
            (Some(by), Some(at)) => format!(" Sent back by {by} on {}.", when_label(at)),
            _ => String::new(),
        };
        rows.push((
            r.returned_at,
            vec![
                Cell::text(when_label(r.returned_at)),
                Cell::text(format!("Returned for improvement, due {}", uk_date(r.due_on))),
                Cell::text(r.returned_by_name.clone()),
                Cell::text(format!("{}{back}", r.comments)),
            ],
        ));
    }
    rows.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    Table {
        caption: "Quality assurance history".into(),
        caption_size: "m",
        head: ["When", "What", "By", "Comments"].map(String::from).to_vec(),
        rows: rows.into_iter().map(|(_, cells)| cells).collect(),
        csrf: String::new(),
    }
}

fn render(
    state: &AppState,
    user: &CurrentUser,
    page: &QualityPage,
    errors: FieldErrors,
    g: GradeFields,
    r: ReturnFields,
    done: Option<String>,
) -> QualityView {
    let v = &page.view;
    let at = PepRef { child_id: v.child.id, pep_id: v.pep.id };
    let checks: Vec<CheckView> = page
        .checklist
        .iter()
        .filter(|c| c.item.outcome != Outcome::NotApplicable)
        .map(|c| CheckView {
            label: c.item.label.to_owned(),
            tag: match c.item.outcome {
                Outcome::Pass => Tag::new("Done", TagColour::Green),
                _ => Tag::new("Missing", TagColour::Red),
            },
            page: c.page.clone(),
        })
        .collect();
    let failing = page.checklist.iter().filter(|c| c.item.outcome == Outcome::Fail).count();
    let school_rag = page.school_rag.map_or_else(|| "Not recorded".to_owned(), Rag::text);
    let mut details = vec![
        SummaryRow::new(
            "School or setting",
            page.school_name.clone().unwrap_or_else(|| "No school place".to_owned()),
        ),
        SummaryRow::new("Year group", v.facts.nc_year.label()),
        SummaryRow::new(
            "Signed off",
            v.pep.signed_off_at.map_or_else(|| "Not yet".to_owned(), when_label),
        ),
        SummaryRow::new("The school's overall progress judgement", school_rag),
        SummaryRow::new(
            "Checked by",
            page.officer
                .as_ref()
                .map_or_else(|| "Not given to anyone yet".to_owned(), |o| o.1.clone()),
        ),
    ];
    if let Some(latest) = page.grades.last().filter(|_| !page.waiting()) {
        let grade = latest.grade_label();
        details.push(SummaryRow::new("Grade", grade.to_owned()));
    }
    let grades = page
        .grade_choices()
        .into_iter()
        .map(|(grade, blocked)| {
            let choice = Choice::new(grade.code(), grade.label());
            match blocked {
                Some(why) => choice.with_hint(why),
                None => choice,
            }
        })
        .collect();
    let rags = Rag::ALL.iter().map(|r| Choice::new(r.code(), r.text())).collect();
    let failing_pages = page.failing_pages();
    let mut r = r;
    if r.pages.is_empty() && errors.is_empty() {
        r.pages = failing_pages;
    }
    let mut g = g;
    if g.progress_rag.is_empty() && errors.is_empty() {
        g.progress_rag = page.school_rag.map(|r| r.code().to_owned()).unwrap_or_default();
    }
    let due = DateValue::new(r.day.clone(), r.month.clone(), r.year.clone());
    let mut officers = vec![Choice::new("", "No one")];
    officers
        .extend(page.officers.iter().map(|(id, name)| Choice::new(id.to_string(), name.clone())));
    let child = v.child.full_name();
    QualityView {
        layout: Layout::for_user(user, "Quality assurance of a PEP", "/quality")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        caption: format!("{child}: {}", pep_title(v)),
        status: Tag::for_pep(Some(page.status()), false),
        back: "/quality".into(),
        base: at.path(),
        done,
        details,
        checks,
        failing,
        waiting: page.waiting(),
        returned: page.open_return().is_some(),
        returned_before: page.returned_before(),
        initial: page.initial(),
        grades,
        rags,
        pages: page.returnable_pages().into_iter().map(|(k, t)| Choice::new(k, t)).collect(),
        officers,
        history: history(page),
        g,
        r,
        due,
        officer: page.officer.as_ref().map(|o| o.0.to_string()).unwrap_or_default(),
    }
}

fn done_text(code: &str) -> Option<String> {
    Some(
        match code {
            "graded" => "The PEP is quality assured. Its PDF is being made again with the grade, and the designated teacher and social worker have been told.",
            "returned" => "The PEP is returned for improvement. The designated teacher and social worker have been told what to improve and by when.",
            "officer" => "The officer checking this PEP is saved.",
            "taken_back" => "The PEP is back in the queue, as it was when returned.",
            _ => return None,
        }
        .to_owned(),
    )
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let page = state.services.open_quality(&user.actor, pep_ref(&id, &pep)?).await?;
    let done = q.done.as_deref().and_then(done_text);
    let html = render(
        &state,
        &user,
        &page,
        FieldErrors::default(),
        GradeFields::default(),
        ReturnFields::default(),
        done,
    );
    Ok(html.into_response())
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    at: PepRef,
    errors: FieldErrors,
    g: GradeFields,
    r: ReturnFields,
) -> Result<Response, AppError> {
    let page = state.services.quality_view(&user.actor, at).await?;
    let html = render(state, user, &page, errors, g, r, None);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

fn done(at: PepRef, code: &str) -> Response {
    Redirect::to(&format!("{}/quality?done={code}", at.path())).into_response()
}

pub async fn grade(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(g): Form<GradeFields>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let form = GradeForm {
        grade: g.grade.clone(),
        comments: g.comments.clone(),
        progress_rag: g.progress_rag.clone(),
    };
    match state.services.grade_pep(&user.actor, at, &form).await {
        Ok(()) => Ok(done(at, "graded")),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, errors, g, ReturnFields::default()).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn return_for_improvement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(r): Form<ReturnFields>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let form = ReturnForm {
        comments: r.return_comments.clone(),
        day: r.day.clone(),
        month: r.month.clone(),
        year: r.year.clone(),
        pages: r.pages.clone(),
    };
    match state.services.return_pep(&user.actor, at, &form).await {
        Ok(()) => Ok(done(at, "returned")),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, errors, GradeFields::default(), r).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct OfficerFields {
    #[serde(default)]
    officer: String,
}

pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(f): Form<OfficerFields>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.assign_quality(&user.actor, at, &f.officer).await {
        Ok(()) => Ok(done(at, "officer")),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, errors, GradeFields::default(), ReturnFields::default())
                .await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
