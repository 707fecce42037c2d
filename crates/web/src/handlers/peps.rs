//! A PEP: its task list, and each page to read or edit. Pages save without
//! JavaScript; with it they autosave (the JSON route). A save over someone
//! else's version shows both to merge.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::Role;
use openpep_domain::template::{Question, QuestionKind};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::{
    Answers, Conflict, PageState, PageSubmission, PepRef, PepView, SaveError, answers_of,
    field_name, progress, questions_of,
};
use openpep_service::profile::{uk_date, uk_time};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::components::{Choice, SummaryRow, Tag, TagColour, TaskItem, TaskStatus};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

fn pep_ref(id: &str, pep: &str) -> Result<PepRef, AppError> {
    let child_id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let pep_id = Uuid::parse_str(pep).map_err(|_| AppError::NotFound)?;
    Ok(PepRef { child_id, pep_id })
}

fn pep_title(view: &PepView) -> String {
    let term = openpep_domain::Term::from_code(&view.pep.term).map_or("", |t| t.label());
    let kind = match view.pep.reason.as_str() {
        "initial" => "Initial PEP",
        "placement_change" => "Change of school PEP",
        _ => "PEP",
    };
    format!("{kind}: {term} term {}", openpep_domain::AcademicYear(view.pep.academic_year))
}

fn owners_text(owners: &[Role]) -> String {
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
    let disagreement = Uuid::parse_str(&disagreement).map_err(|_| AppError::NotFound)?;
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
    let base = format!("/children/{}/peps/{}", view.child.id, view.pep.id);
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
                    TaskItem::new(&p.title, Some(format!("{base}/pages/{}", p.key)), state_tag)
                        .with_hint(who)
                })
                .collect(),
        })
        .collect();
    let (completed, total) = progress(&tasks);
    let child_name = format!("{} {}", view.child.forename, view.child.surname);
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
        base,
    }
}

/// One question as the form shows it.
pub struct FieldView {
    /// "input", "textarea" or "radios".
    pub control: &'static str,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: String,
    pub choices: Vec<Choice>,
    pub classes: String,
    pub inputmode: String,
    /// On a merge: what the other person saved, if it differs.
    pub theirs: Option<String>,
}

impl FieldView {
    pub fn is(&self, control: &str) -> bool {
        self.control == control
    }
}

fn field_view(
    q: &Question,
    value: &str,
    errors: &FieldErrors,
    theirs: Option<String>,
) -> FieldView {
    let name = field_name(&q.key);
    let (control, classes, inputmode, hint_extra) = match &q.kind {
        QuestionKind::Text => ("input", "", "", ""),
        QuestionKind::LongText => ("textarea", "", "", ""),
        QuestionKind::YesNo => ("radios", "", "", ""),
        QuestionKind::Choice(_) => ("radios", "", "", ""),
        QuestionKind::Date => ("input", "govuk-input--width-10", "", "For example, 17/12/2026"),
        QuestionKind::Number => ("input", "govuk-input--width-5", "decimal", ""),
    };
    let choices = match &q.kind {
        QuestionKind::YesNo => vec![Choice::new("yes", "Yes"), Choice::new("no", "No")],
        QuestionKind::Choice(options) => {
            options.iter().map(|o| Choice::new(o.clone(), o.clone())).collect()
        }
        _ => Vec::new(),
    };
    let hint = match (q.hint.as_deref(), hint_extra) {
        (Some(h), "") => h.to_owned(),
        (Some(h), extra) => format!("{h}. {extra}"),
        (None, extra) => extra.to_owned(),
    };
    FieldView {
        control,
        error: errors.message(&name).to_owned(),
        name,
        label: q.label.clone(),
        hint,
        value: value.to_owned(),
        choices,
        classes: classes.to_owned(),
        inputmode: inputmode.to_owned(),
        theirs,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/pep_page.html")]
pub struct PepPageForm {
    layout: Layout,
    errors: FieldErrors,
    heading: String,
    caption: String,
    back: String,
    action: String,
    version: i64,
    fields: Vec<FieldView>,
    completed: String,
    may_edit: bool,
    readonly: Vec<SummaryRow>,
    owners: String,
    saved_note: String,
    carried_forward: bool,
    /// Set when showing a merge: who saved the other version, and when.
    conflict: Option<String>,
    locked: bool,
}

fn page_form(
    state: &AppState,
    user: &CurrentUser,
    view: &PepView,
    key: &str,
    submitted: Option<(&PageSubmission, FieldErrors)>,
    conflict: Option<&Conflict>,
) -> Result<PepPageForm, AppError> {
    let page = view.page(key).ok_or(AppError::NotFound)?;
    let saved = view.pages.get(key);
    let stored = saved.map(|p| answers_of(&p.answers.0)).unwrap_or_default();
    let theirs: Option<Answers> = conflict.map(|c| answers_of(&c.theirs.answers.0));
    let sent_version = submitted.as_ref().map(|(s, _)| s.base_version);
    let (answers, errors, completed): (Answers, FieldErrors, bool) = match submitted {
        Some((s, errors)) => (s.answers.clone(), errors, s.completed),
        None => {
            (stored.clone(), FieldErrors::default(), saved.is_some_and(|p| p.status == "completed"))
        }
    };
    let questions = questions_of(page);
    let fields = questions
        .iter()
        .map(|q| {
            let value = answers.get(&q.key).map(String::as_str).unwrap_or("");
            let their = theirs
                .as_ref()
                .map(|t| t.get(&q.key).cloned().unwrap_or_default())
                .filter(|t| t != value);
            field_view(q, value, &errors, their)
        })
        .collect();
    let readonly = questions
        .iter()
        .map(|q| {
            let v = stored.get(&q.key).cloned().unwrap_or_default();
            let v = match (&q.kind, v.as_str()) {
                (_, "") => "Not answered".to_owned(),
                (QuestionKind::YesNo, "yes") => "Yes".to_owned(),
                (QuestionKind::YesNo, "no") => "No".to_owned(),
                _ => v,
            };
            SummaryRow::new(q.label.clone(), v)
        })
        .collect();
    let version = match conflict {
        Some(c) => c.theirs.version,
        None => sent_version.unwrap_or_else(|| saved.map_or(0, |p| p.version)),
    };
    let saved_note = saved
        .filter(|p| !p.carried_forward)
        .map(|p| {
            format!(
                "Last saved by {} on {}",
                p.updated_by_name.clone().unwrap_or_else(|| "someone".into()),
                uk_time(p.updated_at)
            )
        })
        .unwrap_or_default();
    let conflict_note = conflict.map(|c| {
        format!(
            "{} saved this page on {} while you were editing it. Their answers are shown above yours where they differ. Check each answer, then save again.",
            c.theirs.updated_by_name.clone().unwrap_or_else(|| "Someone else".into()),
            uk_time(c.theirs.updated_at)
        )
    });
    let base = format!("/children/{}/peps/{}", view.child.id, view.pep.id);
    let child_name = format!("{} {}", view.child.forename, view.child.surname);
    let has_errors = !errors.is_empty() || conflict.is_some();
    Ok(PepPageForm {
        layout: Layout::for_user(user, &format!("{}: {child_name}", page.title), "/learners")
            .dev(state.config.dev_mode)
            .with_errors(has_errors),
        errors,
        heading: page.title.clone(),
        caption: format!("{child_name}: {}", pep_title(view)),
        action: format!("{base}/pages/{key}"),
        back: base,
        version,
        fields,
        completed: if completed { "yes".into() } else { "no".into() },
        may_edit: view.may_edit(page),
        readonly,
        owners: owners_text(&page.owners),
        saved_note,
        carried_forward: saved.is_some_and(|p| p.carried_forward),
        conflict: conflict_note,
        locked: view.locked(),
    })
}

pub async fn show_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, key)): Path<(String, String, String)>,
) -> Result<PepPageForm, AppError> {
    let at = pep_ref(&id, &pep)?;
    let view = state.services.open_pep_page(&user.actor, at, &key).await?;
    page_form(&state, &user, &view, &key, None, None)
}

/// The fields of a page's form.
fn submission(fields: Vec<(String, String)>) -> PageSubmission {
    let mut s = PageSubmission::default();
    for (name, value) in fields {
        if name == "version" {
            s.base_version = value.parse().unwrap_or(-1);
        } else if name == "completed" {
            s.completed = value == "yes";
        } else if let Some(key) = name.strip_prefix("q_") {
            s.answers.insert(key.to_owned(), value);
        }
    }
    s
}

pub async fn save_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, key)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let sent = submission(fields);
    match state.services.save_pep_page(&user.actor, at, &key, sent.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/peps/{pep}")).into_response()),
        Err(SaveError::Invalid(view, errors)) => {
            let form = page_form(&state, &user, &view, &key, Some((&sent, errors)), None)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
        Err(SaveError::Conflict(conflict)) => {
            let form = page_form(
                &state,
                &user,
                &conflict.view,
                &key,
                Some((&conflict.yours, FieldErrors::default())),
                Some(&conflict),
            )?;
            Ok((StatusCode::CONFLICT, form).into_response())
        }
        Err(SaveError::Locked) => {
            Ok(Redirect::to(&format!("/children/{id}/peps/{pep}")).into_response())
        }
        Err(SaveError::Service(e)) => Err(e.into()),
    }
}

/// The autosave route: the same save, answered in JSON for the page's script.
pub async fn autosave_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, key)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let sent = submission(fields);
    Ok(match state.services.save_pep_page(&user.actor, at, &key, sent).await {
        Ok(saved) => {
            let local = saved.saved_at.with_timezone(&chrono_tz::Europe::London);
            Json(json!({ "version": saved.version, "saved_at": local.format("%H:%M").to_string() }))
                .into_response()
        }
        Err(SaveError::Invalid(_, errors)) => {
            let list: Vec<_> =
                errors.0.iter().map(|e| json!({"field": e.field, "message": e.message})).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "errors": list }))).into_response()
        }
        Err(SaveError::Conflict(c)) => (
            StatusCode::CONFLICT,
            Json(json!({ "conflict": true, "by": c.theirs.updated_by_name })),
        )
            .into_response(),
        Err(SaveError::Locked) => {
            (StatusCode::CONFLICT, Json(json!({ "locked": true }))).into_response()
        }
        Err(SaveError::Service(e)) => return Err(e.into()),
    })
}

pub fn completed_choices() -> Vec<Choice> {
    vec![
        Choice::new("yes", "Yes, I've completed this page"),
        Choice::new("no", "No, I'll come back to it later"),
    ]
}
