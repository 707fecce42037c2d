//! The PEP's sign-off: the next meeting, each part marked completed, the
//! designated teacher's sign-off, the Virtual School's reopening, and the
//! archival PDFs.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::AuthorityAction;
use openpep_domain::meeting::when_label;
use openpep_domain::pages::attainment::Rag;
use openpep_domain::pages::uk_date;
use openpep_domain::sign_off::{self, Part};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::PepRef;
use openpep_service::sign_off::SignOffPage;
use serde::Deserialize;

use super::DoneQuery;
use super::peps::{pep_ref, pep_title};
use super::targets::{Sent, fill, sent};
use crate::components::{Cell, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::handlers::pep_page::BlockView;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/sign_off.html")]
pub struct SignOffView {
    layout: Layout,
    errors: FieldErrors,
    caption: String,
    back: String,
    base: String,
    status: Tag,
    overdue: bool,
    details: Vec<SummaryRow>,
    /// What stops parts being marked (or the PEP signed off).
    blockers: Vec<String>,
    may_set_next: bool,
    blocks: Vec<BlockView>,
    parts: Table,
    my_part: Option<String>,
    my_part_marked: bool,
    may_mark: bool,
    signs_off: bool,
    signed_off: bool,
    may_reopen: bool,
    reason: String,
    archives: Table,
    reopenings: Table,
    done: Option<String>,
    /// Returned for improvement: what to improve, on which pages.
    returned: Option<ReturnedView>,
    may_resubmit: bool,
    /// The Virtual School's quality assurance screen, for those who do it.
    quality: Option<String>,
}

/// An open return for improvement as the sign-off screen shows it.
pub struct ReturnedView {
    pub by: String,
    pub due: String,
    pub comments: String,
    /// (title, address) of each page reopened.
    pub pages: Vec<(String, String)>,
}

fn returned_view(page: &SignOffPage) -> Option<ReturnedView> {
    let r = page.open_return.as_ref()?;
    let v = &page.view;
    let pages = r
        .pages
        .0
        .iter()
        .filter_map(|key| v.page(key))
        .map(|p| (p.title.clone(), format!("{}/pages/{}", v.path(), p.key)))
        .collect();
    Some(ReturnedView {
        by: format!("{} on {}", r.returned_by_name, when_label(r.returned_at)),
        due: uk_date(r.due_on),
        comments: r.comments.clone(),
        pages,
    })
}

fn part_row(page: &SignOffPage, part: Part) -> Vec<Cell> {
    let state = match page.mark_of(part) {
        Some(m) => Cell::text(format!("by {} on {}", m.marked_by_name, when_label(m.marked_at)))
            .with_tag(Tag::new("Completed", TagColour::Green)),
        None => Cell::tag(Tag::new("Not yet", TagColour::Grey)),
    };
    vec![Cell::text(part.label()).heading(), state]
}

fn view(
    state: &AppState,
    user: &CurrentUser,
    page: &SignOffPage,
    sent: &Sent,
    errors: FieldErrors,
    reason: String,
    done: Option<String>,
) -> SignOffView {
    let v = &page.view;
    let child = v.child.full_name();
    let at = PepRef { child_id: v.child.id, pep_id: v.pep.id };
    let mut details = vec![SummaryRow::new(
        "PEP meeting",
        v.pep.meeting_at.map_or_else(|| "Not arranged yet".to_owned(), when_label),
    )];
    if let Some(due) = page.due_on {
        let due_text =
            if page.overdue() { format!("{} (overdue)", uk_date(due)) } else { uk_date(due) };
        details.push(SummaryRow::new("Sign-off due by", due_text));
    }
    details.push(SummaryRow::new(
        "Next PEP meeting",
        v.pep.next_meeting_at.map_or_else(|| "Not set yet".to_owned(), when_label),
    ));
    if let (Some(when), Some(by)) = (v.pep.signed_off_at, page.signed_off_by.as_ref()) {
        details.push(SummaryRow::new("Signed off", format!("by {by} on {}", when_label(when))));
    }
    if let Some(g) = &page.latest_grade {
        let grade = g.grade_label();
        let text = format!("{grade}, by {} on {}", g.graded_by_name, when_label(g.graded_at));
        let mut row = SummaryRow::new("Quality assurance", text);
        if let Some(rag) = g.progress_rag.as_deref().and_then(Rag::from_code) {
            row = row.with_hint(format!("Overall progress: {}", rag.text()));
        }
        details.push(row);
        if !g.comments.is_empty() {
            details.push(SummaryRow::new("The Virtual School's comments", g.comments.clone()));
        }
    }
    let readiness = page.readiness();
    let blockers = if page.signed_off() || page.returned() {
        Vec::new()
    } else {
        readiness.to_sign_off().iter().map(|b| b.message()).collect()
    };
    let meeting_on = page.meeting_on().unwrap_or(v.today);
    // Dates' errors move to their day box, where the summary links.
    let filled = fill(&sign_off::next_meeting_layout(meeting_on), sent, errors, true);
    let (blocks, errors) = (filled.blocks, filled.errors);
    let mut parts = Table {
        caption: "Each part marked completed".into(),
        caption_size: "m",
        head: vec!["Part".into(), "Completed".into()],
        rows: page.needed.iter().map(|p| part_row(page, *p)).collect(),
        csrf: String::new(),
    };
    if !page.needed.contains(&Part::YoungPerson) {
        parts.caption = "Each part marked completed (the child has no account of their own: the adults' parts cover their views)".into();
    }
    let archives = Table {
        caption: "The PEP as a PDF".into(),
        caption_size: "m",
        head: vec!["Version".into(), "Made".into(), "SHA-256".into(), "File".into()],
        rows: page
            .archives
            .iter()
            .map(|a| {
                let file = match (a.status.as_str(), &a.sha256) {
                    ("ready", Some(_)) if !page.may_download() => Cell::text("Made"),
                    ("ready", Some(_)) => Cell::link(
                        format!("Download version {} (PDF)", a.version),
                        format!("{}/pdf/{}", at.path(), a.version),
                    ),
                    ("failed", _) => Cell::tag(Tag::new("Could not be made", TagColour::Red)),
                    ("cancelled", _) => {
                        Cell::tag(Tag::new("Not made: the PEP was reopened", TagColour::Grey))
                    }
                    _ => Cell::tag(Tag::new("Being made", TagColour::Blue)),
                };
                let sha = a.sha256.as_deref().map_or("", |s| &s[..s.len().min(12)]);
                vec![
                    Cell::text(a.version.to_string()),
                    Cell::text(a.made_at.map_or_else(|| "Not yet".to_owned(), when_label)),
                    Cell::text(sha),
                    file,
                ]
            })
            .collect(),
        csrf: String::new(),
    };
    let reopenings = Table {
        caption: "Reopened by the Virtual School".into(),
        caption_size: "m",
        head: vec!["When".into(), "By".into(), "Reason".into()],
        rows: page
            .reopenings
            .iter()
            .rev()
            .map(|r| {
                vec![
                    Cell::text(when_label(r.reopened_at)),
                    Cell::text(r.reopened_by_name.clone()),
                    Cell::text(r.reason.clone()),
                ]
            })
            .collect(),
        csrf: String::new(),
    };
    let my_part = page.my_part();
    SignOffView {
        layout: Layout::for_user(user, &format!("Sign-off: {child}"), "/learners")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        caption: format!("{child}: {}", pep_title(v)),
        back: at.path(),
        base: at.path(),
        status: Tag::for_pep(Some(page.status()), false),
        overdue: page.overdue(),
        details,
        blockers,
        may_set_next: page.may_set_next(),
        blocks,
        parts,
        my_part: my_part.map(|p| p.label().to_lowercase()),
        my_part_marked: my_part.is_some_and(|p| page.mark_of(p).is_some()),
        may_mark: page.may_mark(),
        signs_off: page.signs_off(),
        signed_off: page.signed_off(),
        may_reopen: page.may_reopen(),
        reason,
        archives,
        reopenings,
        done,
        returned: returned_view(page),
        may_resubmit: page.may_resubmit(),
        quality: page.does_quality_assurance().then(|| format!("{}/quality", at.path())),
    }
}

fn saved_sent(page: &SignOffPage) -> Sent {
    Sent { fields: page.next_meeting_fields(), version: page.view.pep.version, add: None }
}

fn done_text(code: &str) -> Option<String> {
    Some(
        match code {
            "next" => "The next PEP meeting is saved.",
            "marked" => "Your part is marked completed.",
            "undone" => "Your part is no longer marked completed.",
            "signed" => "The PEP is signed off. Its PDF is being made, the next term's PEP is ready, and everyone has been told.",
            "reopened" => "The PEP is reopened. Its writers have been told.",
            "resubmitted" => "The improved PEP is back with the Virtual School. Its PDF is being made again.",
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
    let page = state.services.open_sign_off(&user.actor, pep_ref(&id, &pep)?).await?;
    let done = q.done.as_deref().and_then(done_text);
    let html =
        view(&state, &user, &page, &saved_sent(&page), FieldErrors::default(), String::new(), done);
    Ok(html.into_response())
}

/// After a refused change: the screen again with the errors and what was
/// typed.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    at: PepRef,
    sent: Option<&Sent>,
    errors: FieldErrors,
    reason: String,
) -> Result<Response, AppError> {
    let page = state.services.open_sign_off(&user.actor, at).await?;
    let saved = saved_sent(&page);
    let html = view(state, user, &page, sent.unwrap_or(&saved), errors, reason, None);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

fn done(at: PepRef, code: &str) -> Response {
    Redirect::to(&format!("{}/sign-off?done={code}", at.path())).into_response()
}

pub async fn set_next_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let sent = sent(fields);
    match state.services.set_next_meeting(&user.actor, at, &sent.fields).await {
        Ok(()) => Ok(done(at, "next")),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, Some(&sent), errors, String::new()).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    done: String,
}

pub async fn mark(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(f): Form<MarkForm>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let marking = f.done != "no";
    match state.services.mark_part(&user.actor, at, marking).await {
        Ok(()) => Ok(done(at, if marking { "marked" } else { "undone" })),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, None, errors, String::new()).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn sign_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.sign_off_pep(&user.actor, at).await {
        Ok(()) => Ok(done(at, "signed")),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, None, errors, String::new()).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReopenForm {
    #[serde(default)]
    reason: String,
}

pub async fn reopen(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(f): Form<ReopenForm>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.reopen_pep(&user.actor, at, &f.reason).await {
        Ok(()) => Ok(done(at, "reopened")),
        Err(FormError::Invalid(errors)) => refused(&state, &user, at, None, errors, f.reason).await,
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

/// The designated teacher or social worker sends the improved PEP back.
pub async fn resubmit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.resubmit_pep(&user.actor, at).await {
        Ok(()) if openpep_domain::may(user.actor.role, AuthorityAction::QualityAssurePeps) => {
            Ok(Redirect::to(&format!("{}/quality?done=taken_back", at.path())).into_response())
        }
        Ok(()) => Ok(done(at, "resubmitted")),
        Err(FormError::Invalid(errors)) => {
            refused(&state, &user, at, None, errors, String::new()).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

/// A version of the PEP's archival PDF (the download is logged).
pub async fn download_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, version)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let version: i64 = version.parse().map_err(|_| AppError::NotFound)?;
    let file = state.services.download_archive(&user.actor, at, version).await?;
    Ok(super::documents::file_response(file))
}
