//! A PEP: its task list, and each page to read or edit. Pages save without
//! JavaScript; with it they autosave (the JSON route). A save over someone
//! else's version shows both to merge.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::template::PageKind;
use openpep_domain::{PepStatus, Role};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::{PageState, PepRef, PepView, progress};
use openpep_service::profile::{uk_date, uk_time};
use serde::Deserialize;

use crate::components::{SummaryRow, Tag, TagColour, TaskItem, TaskStatus};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

pub(super) fn pep_ref(id: &str, pep: &str) -> Result<PepRef, AppError> {
    let child_id = super::id_or_404(id)?;
    let pep_id = super::id_or_404(pep)?;
    Ok(PepRef { child_id, pep_id })
}

fn meeting_link(view: &PepView) -> String {
    let may_arrange = openpep_domain::allowed(
        view.role,
        openpep_domain::Action::ArrangeMeeting,
        view.relationship,
    ) && !view.locked();
    match (view.pep.meeting_at.is_some(), may_arrange) {
        (true, _) => "See the meeting arrangements and who is coming".into(),
        (false, true) => "Arrange the PEP meeting".into(),
        (false, false) => "The PEP meeting has not been arranged yet".into(),
    }
}

pub(super) fn pep_title(view: &PepView) -> String {
    let term = openpep_domain::Term::from_code(&view.pep.term).map_or("", |t| t.label());
    let kind = match view.pep.reason.as_str() {
        "initial" => "Initial PEP",
        "placement_change" => "Change of school PEP",
        _ => "PEP",
    };
    format!("{kind}: {term} term {}", openpep_domain::AcademicYear(view.pep.academic_year))
}

pub(super) fn owners_text(owners: &[Role]) -> String {
    let names: Vec<&str> = owners.iter().map(|r| r.label()).collect();
    names.join(" or ")
}

pub struct TaskSectionView {
    pub heading: String,
    pub id_prefix: String,
    pub items: Vec<TaskItem>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/pep.html")]
pub struct PepPage {
    layout: Layout,
    child_name: String,
    child_href: String,
    heading: String,
    summary: Vec<SummaryRow>,
    status_tag: Tag,
    sections: Vec<TaskSectionView>,
    completed: usize,
    total: usize,
    locked: bool,
    /// The words of the link to the meeting's arrangements.
    meeting_link: String,
    errors: FieldErrors,
    base: String,
    /// Raised and resolved disagreements, oldest first.
    disagreements: Vec<DisagreementView>,
    may_raise: bool,
    /// The open disagreement the Virtual School may resolve.
    to_resolve: Option<String>,
    /// What was typed, kept when it is refused.
    typed: DisagreementFields,
}

/// A disagreement as the PEP page shows it.
pub struct DisagreementView {
    pub raised: String,
    pub note: String,
    pub resolved: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct DisagreementFields {
    #[serde(default)]
    disagreement: String,
    #[serde(default)]
    resolution: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
) -> Result<PepPage, AppError> {
    let at = pep_ref(&id, &pep)?;
    let view = state.services.open_pep(&user.actor, at).await?;
    Ok(render(&state, &user, &view, FieldErrors::default(), DisagreementFields::default()))
}

/// The PEP again, with what was typed and what is wrong with it.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    at: PepRef,
    errors: FieldErrors,
    typed: DisagreementFields,
) -> Result<Response, AppError> {
    let view = state.services.open_pep(&user.actor, at).await?;
    let mut response = render(state, user, &view, errors, typed).into_response();
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

pub async fn raise_disagreement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(typed): Form<DisagreementFields>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.raise_disagreement(&user.actor, at, &typed.disagreement).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/children/{id}/peps/{pep}#disagreements")).into_response())
        }
        Err(FormError::Invalid(errors)) => refused(&state, &user, at, errors, typed).await,
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn resolve_disagreement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, disagreement)): Path<(String, String, String)>,
    Form(typed): Form<DisagreementFields>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let disagreement = super::id_or_404(&disagreement)?;
    match state
        .services
        .resolve_disagreement(&user.actor, at, disagreement, &typed.resolution)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/children/{id}/peps/{pep}#disagreements")).into_response())
        }
        Err(FormError::Invalid(errors)) => refused(&state, &user, at, errors, typed).await,
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

fn render(
    state: &AppState,
    user: &CurrentUser,
    view: &PepView,
    errors: FieldErrors,
    typed: DisagreementFields,
) -> PepPage {
    let today = state.services.clock.today();
    let status = view.status();
    let overdue = openpep_domain::pep_cycle::is_overdue(status, view.pep.due_on, today);
    let base = view.path();
    let tasks = view.task_list();
    let sections = tasks
        .iter()
        .enumerate()
        .map(|(i, section)| TaskSectionView {
            heading: format!("{}. {}", section.letter, section.title),
            id_prefix: format!("section-{}", i + 1),
            items: section
                .pages
                .iter()
                .map(|p| {
                    let state_tag = match p.state {
                        PageState::Completed => TaskStatus::Text(p.state.label().into()),
                        PageState::InProgress if p.carried_forward => {
                            TaskStatus::Tag(Tag::new("Carried forward: check", TagColour::Yellow))
                        }
                        PageState::InProgress => {
                            TaskStatus::Tag(Tag::new(p.state.label(), TagColour::LightBlue))
                        }
                        PageState::NotStarted => {
                            TaskStatus::Tag(Tag::new(p.state.label(), TagColour::Blue))
                        }
                    };
                    let who = if p.may_edit {
                        format!("{} (you can edit)", owners_text(&p.owners))
                    } else {
                        owners_text(&p.owners)
                    };
                    if p.kind == PageKind::Documents {
                        let n = view.documents.len();
                        let count = match n {
                            0 => "None yet".to_owned(),
                            1 => "1 document".to_owned(),
                            n => format!("{n} documents"),
                        };
                        return TaskItem::new(
                            &p.title,
                            Some(format!("{base}/documents")),
                            TaskStatus::Text(count),
                        )
                        .with_hint("Anyone working on the PEP can add documents");
                    }
                    if p.kind == PageKind::SignOff {
                        return TaskItem::new(
                            &p.title,
                            Some(format!("{base}/sign-off")),
                            sign_off_status(view.status()),
                        )
                        .with_hint(who);
                    }
                    TaskItem::new(&p.title, Some(format!("{base}/pages/{}", p.key)), state_tag)
                        .with_hint(who)
                })
                .collect(),
        })
        .collect();
    let (completed, total) = progress(&tasks);
    let child_name = view.child.full_name();
    let heading = pep_title(view);
    let disagreements = view
        .disagreements
        .iter()
        .map(|d| DisagreementView {
            raised: format!("Raised by {} on {}", d.raised_by_name, uk_time(d.raised_at)),
            note: d.note.clone(),
            resolved: d.resolved_at.map(|at| {
                (
                    format!(
                        "Resolved by {} on {}",
                        d.resolved_by_name.clone().unwrap_or_default(),
                        uk_time(at)
                    ),
                    d.resolution.clone().unwrap_or_default(),
                )
            }),
        })
        .collect();
    let to_resolve = view
        .open_disagreement()
        .filter(|_| view.may_resolve_disagreement())
        .map(|d| format!("{base}/disagreements/{}/resolve", d.id));
    let mut summary = vec![
        SummaryRow::new("Due", uk_date(view.pep.due_on)),
        SummaryRow::new(
            "School or setting",
            view.school.as_ref().map_or("No school place".into(), |s| s.school_name.clone()),
        ),
        SummaryRow::new("Year group", view.facts.nc_year.label()),
    ];
    if let Some(t) = view.pep.meeting_at {
        summary.push(SummaryRow::new("Meeting", uk_time(t)));
    }
    PepPage {
        layout: Layout::for_user(user, &format!("{heading}: {child_name}"), "/learners")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        disagreements,
        may_raise: view.may_raise_disagreement(),
        to_resolve,
        typed,
        child_href: format!("/children/{}", view.child.id),
        child_name,
        heading,
        summary,
        status_tag: Tag::for_pep(Some(status), overdue),
        sections,
        completed,
        total,
        locked: view.locked(),
        meeting_link: meeting_link(view),
        base,
    }
}

/// The sign-off's state follows the PEP's status, not a saved page.
fn sign_off_status(status: PepStatus) -> TaskStatus {
    match status {
        PepStatus::SignedOff | PepStatus::QualityAssured => TaskStatus::Text("Signed off".into()),
        PepStatus::AwaitingSignOff => {
            TaskStatus::Tag(Tag::new("Ready to sign off", TagColour::Yellow))
        }
        PepStatus::MeetingHeld | PepStatus::ReturnedForImprovement => {
            TaskStatus::Tag(Tag::new("In progress", TagColour::LightBlue))
        }
        PepStatus::Draft | PepStatus::InProgress => {
            TaskStatus::Tag(Tag::new("After the meeting", TagColour::Grey))
        }
    }
}
