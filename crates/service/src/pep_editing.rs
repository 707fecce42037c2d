//! Opening a PEP and editing its pages. Each page belongs to its owner
//! roles; others read it. Every save goes over the version its editor saw:
//! a save over someone else's is refused with both versions, never lost.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::pep_cycle::PepEvent;
use openpep_domain::template::{
    ChildFacts, Page as TemplatePage, PepTemplate, Question, QuestionKind,
};
use openpep_domain::{AcademicYear, Action, NcYear, PepStatus, Relationship, Role};
use openpep_store::StoreError;
use openpep_store::audit;
use openpep_store::children::Child;
use openpep_store::disagreements::{self, Disagreement};
use openpep_store::pep_pages::{self, PageWrite, PepPage};
use openpep_store::peps::{self, Pep};
use openpep_store::placements::{self, SchoolPlacementView};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Actor, FieldErrors, ServiceError, Services};

/// A PEP as addressed: the child's id and the PEP's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PepRef {
    pub child_id: Uuid,
    pub pep_id: Uuid,
}

/// A PEP as one person sees it.
#[derive(Debug, Clone)]
pub struct PepView {
    pub pep: Pep,
    pub child: Child,
    pub template: Arc<PepTemplate>,
    pub relationship: Relationship,
    pub facts: ChildFacts,
    pub school: Option<SchoolPlacementView>,
    /// Saved pages by key.
    pub pages: HashMap<String, PepPage>,
    /// The authority's section letters.
    pub letters: Vec<String>,
    pub role: Role,
    /// Professional disagreements raised about this PEP, oldest first.
    pub disagreements: Vec<Disagreement>,
}

/// The state of a page in the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageState {
    NotStarted,
    InProgress,
    Completed,
}

impl PageState {
    pub fn from_code(code: &str) -> PageState {
        match code {
            "completed" => PageState::Completed,
            "in_progress" => PageState::InProgress,
            _ => PageState::NotStarted,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PageState::NotStarted => "Not started",
            PageState::InProgress => "In progress",
            PageState::Completed => "Completed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TaskPage {
    pub key: String,
    pub title: String,
    pub owners: Vec<Role>,
    pub state: PageState,
    pub carried_forward: bool,
    pub may_edit: bool,
}

#[derive(Debug, Clone)]
pub struct TaskSection {
    pub letter: String,
    pub title: String,
    pub pages: Vec<TaskPage>,
}

/// (pages completed, pages that apply) of a task list.
pub fn progress(sections: &[TaskSection]) -> (usize, usize) {
    let pages = sections.iter().flat_map(|s| &s.pages);
    let done = pages.clone().filter(|p| p.state == PageState::Completed).count();
    (done, pages.count())
}

impl PepView {
    pub fn status(&self) -> PepStatus {
        PepStatus::from_code(&self.pep.status).unwrap_or(PepStatus::Draft)
    }

    /// Signed off (or later): nobody edits it any more.
    pub fn locked(&self) -> bool {
        self.status().after(PepEvent::Edited).is_err()
    }

    /// The social worker or the designated teacher (or professional) may
    /// raise a professional disagreement while the PEP is open and none is.
    pub fn may_raise_disagreement(&self) -> bool {
        let writes = |action| openpep_domain::allowed(self.role, action, self.relationship);
        !self.locked()
            && (writes(Action::EditPepCareSections) || writes(Action::EditPepEducationSections))
            && self.open_disagreement().is_none()
    }

    /// The Virtual School resolves disagreements.
    pub fn may_resolve_disagreement(&self) -> bool {
        self.relationship == Relationship::SameAuthority && self.role.sees_whole_authority()
    }

    pub fn open_disagreement(&self) -> Option<&Disagreement> {
        self.disagreements.iter().find(|d| d.is_open())
    }

    /// Whether this person may change the page: one of its owner roles, in
    /// a working relationship to the child (a team manager reads only).
    pub fn may_edit(&self, page: &TemplatePage) -> bool {
        !self.locked()
            && page.owned_by(self.role)
            && matches!(
                self.relationship,
                Relationship::SameAuthority
                    | Relationship::Allocated
                    | Relationship::SchoolStaff
                    | Relationship::Carer
                    | Relationship::Own
            )
    }

    /// The sections and pages that apply to this child, with their state.
    pub fn task_list(&self) -> Vec<TaskSection> {
        self.template
            .sections
            .iter()
            .enumerate()
            .map(|(i, section)| TaskSection {
                letter: self.letters.get(i).cloned().unwrap_or_else(|| (i + 1).to_string()),
                title: section.title.clone(),
                pages: section
                    .pages
                    .iter()
                    .filter(|p| p.applies_to(&self.facts))
                    .map(|p| {
                        let saved = self.pages.get(&p.key);
                        TaskPage {
                            key: p.key.clone(),
                            title: p.title.clone(),
                            owners: p.owners.clone(),
                            state: saved
                                .map_or(PageState::NotStarted, |s| PageState::from_code(&s.status)),
                            carried_forward: saved.is_some_and(|s| s.carried_forward),
                            may_edit: self.may_edit(p),
                        }
                    })
                    .collect(),
            })
            .filter(|s| !s.pages.is_empty())
            .collect()
    }

    pub fn page(&self, key: &str) -> Option<&TemplatePage> {
        self.template.page(key).filter(|p| p.applies_to(&self.facts))
    }
}

/// The questions a page asks. Typed pages (attendance, SDQ…) get their own
/// forms in later work; until then they take the owner's notes.
pub fn questions_of(page: &TemplatePage) -> Vec<Question> {
    if page.questions.is_empty() {
        vec![Question {
            key: "notes".into(),
            label: format!("{}: notes", page.title),
            hint: page.description.clone(),
            kind: QuestionKind::LongText,
            mandatory: false,
        }]
    } else {
        page.questions.clone()
    }
}

/// The answers as typed, by question key.
pub type Answers = BTreeMap<String, String>;

pub fn answers_of(value: &Value) -> Answers {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// A page as its editor sent it.
#[derive(Debug, Clone, Default)]
pub struct PageSubmission {
    /// The version the editor started from (0: the page was never saved).
    pub base_version: i64,
    pub answers: Answers,
    pub completed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub version: i64,
    pub saved_at: DateTime<Utc>,
}

/// Someone else saved the page after the editor opened it.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The PEP as it stands now, their version of the page included.
    pub view: PepView,
    pub theirs: PepPage,
    pub yours: PageSubmission,
}

/// Why a page was not saved. The form is shown again from what this
/// carries, without reading the PEP a second time.
#[derive(Debug)]
pub enum SaveError {
    Invalid(Box<PepView>, FieldErrors),
    Conflict(Box<Conflict>),
    /// Signed off: the PEP can no longer change.
    Locked,
    Service(ServiceError),
}

impl From<ServiceError> for SaveError {
    fn from(e: ServiceError) -> Self {
        SaveError::Service(e)
    }
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Service(e.into())
    }
}

/// The field name of a question on the page's form.
pub fn field_name(question_key: &str) -> String {
    format!("q_{question_key}")
}

/// Checks every answer; the normalised answers, or what is wrong.
fn check_answers(
    questions: &[Question],
    submission: &PageSubmission,
) -> Result<Value, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = serde_json::Map::new();
    for q in questions {
        let raw = submission.answers.get(&q.key).map(String::as_str).unwrap_or("");
        match q.check(raw) {
            Ok(value) => {
                if submission.completed && q.mandatory && value.trim().is_empty() {
                    errors.add(
                        &field_name(&q.key),
                        format!(
                            "Answer \u{201c}{}\u{201d} before marking the page as completed",
                            q.label
                        ),
                    );
                }
                out.insert(q.key.clone(), Value::String(value));
            }
            Err(message) => errors.add(&field_name(&q.key), message),
        }
    }
    if errors.is_empty() { Ok(Value::Object(out)) } else { Err(errors) }
}

fn conflict(mut view: PepView, theirs: PepPage, yours: PageSubmission) -> SaveError {
    view.pages.insert(theirs.page_key.clone(), theirs.clone());
    SaveError::Conflict(Box::new(Conflict { view, theirs, yours }))
}

/// What the child's situation means for which pages show.
fn facts_for(
    child: &Child,
    pep: &Pep,
    school: Option<&SchoolPlacementView>,
    la_code: &str,
) -> ChildFacts {
    let nc_year = NcYear::for_child(child.date_of_birth, AcademicYear(pep.academic_year));
    ChildFacts {
        nc_year,
        special_school: school
            .is_some_and(|s| s.school_type.to_ascii_lowercase().contains("special")),
        neet: school.is_none() && nc_year.value() >= 12,
        sen: matches!(child.sen_provision.as_deref(), Some("K" | "E")),
        out_of_authority: school.is_some_and(|s| s.school_la_code != la_code),
    }
}

fn current_school(schools: Vec<SchoolPlacementView>, on: NaiveDate) -> Option<SchoolPlacementView> {
    schools.into_iter().find(|s| s.is_current_on(on))
}

impl Services {
    /// The PEP of the child named in the address (a PEP of another child
    /// is not found), if the actor may read it. Not logged: callers log the
    /// view or audit the change.
    pub(crate) async fn load_pep(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<PepView, ServiceError> {
        let pep = peps::get(&self.db, actor.la_id, at.pep_id).await?;
        if pep.child_id != at.child_id {
            return Err(ServiceError::NotFound);
        }
        let (child, relationship) = self.child_access(actor, pep.child_id).await?;
        if !openpep_domain::allowed(actor.role, Action::ViewPep, relationship) {
            return Err(ServiceError::NotFound);
        }
        let (template, saved, schools, (settings, _), la, disagreements) = tokio::try_join!(
            self.template_of(actor.la_id, pep.template_id),
            async { Ok(pep_pages::for_pep(&self.db, actor.la_id, pep.id).await?) },
            async { Ok(placements::school_history(&self.db, actor.la_id, child.id).await?) },
            self.authority_settings(actor.la_id),
            async { Ok(openpep_store::authorities::get(&self.db, actor.la_id).await?) },
            async { Ok(disagreements::for_pep(&self.db, actor.la_id, pep.id).await?) },
        )?;
        // A PEP is about its term: one past its due date keeps the school
        // the child was at then, whatever happened since.
        let school = current_school(schools, self.clock.today().min(pep.due_on));
        let facts = facts_for(&child, &pep, school.as_ref(), &la.code);
        Ok(PepView {
            pep,
            child,
            template,
            relationship,
            facts,
            school,
            pages: saved.into_iter().map(|p| (p.page_key.clone(), p)).collect(),
            letters: settings.section_letters,
            role: actor.role,
            disagreements,
        })
    }

    /// The PEP, if the actor may read it; the view is logged.
    pub async fn open_pep(&self, actor: &Actor, at: PepRef) -> Result<PepView, ServiceError> {
        let view = self.load_pep(actor, at).await?;
        self.log_pep_view(actor, &view, None).await?;
        Ok(view)
    }

    /// One page of the PEP; the view is logged.
    pub async fn open_pep_page(
        &self,
        actor: &Actor,
        at: PepRef,
        page_key: &str,
    ) -> Result<PepView, ServiceError> {
        let view = self.load_pep(actor, at).await?;
        if view.page(page_key).is_none() {
            return Err(ServiceError::NotFound);
        }
        self.log_pep_view(actor, &view, Some(page_key)).await?;
        Ok(view)
    }

    async fn log_pep_view(
        &self,
        actor: &Actor,
        view: &PepView,
        page: Option<&str>,
    ) -> Result<(), ServiceError> {
        let details = json!({ "page": page, "role": actor.role.code() });
        let event = actor.event_about_child(
            "pep.viewed",
            ("pep", view.pep.id),
            view.child.id,
            details,
            self.clock.now(),
        );
        audit::record_now(&self.db, &event).await?;
        Ok(())
    }

    /// Saves a page over the version its editor saw. The same submission
    /// sent twice saves once; a save over someone else's is a `Conflict`.
    pub async fn save_pep_page(
        &self,
        actor: &Actor,
        at: PepRef,
        page_key: &str,
        submission: PageSubmission,
    ) -> Result<Saved, SaveError> {
        let view = self.load_pep(actor, at).await?;
        let pep_id = at.pep_id;
        let page = view.page(page_key).ok_or(ServiceError::NotFound)?;
        if view.locked() {
            return Err(SaveError::Locked);
        }
        if !view.may_edit(page) {
            return Err(ServiceError::Forbidden.into());
        }
        let questions = questions_of(page);
        let answers = match check_answers(&questions, &submission) {
            Ok(answers) => answers,
            Err(errors) => return Err(SaveError::Invalid(Box::new(view), errors)),
        };
        let status = if submission.completed { "completed" } else { "in_progress" };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let current = pep_pages::current_in(&mut tx, actor.la_id, pep_id, page_key).await?;
        let current_version = current.as_ref().map_or(0, |p| p.version);
        if current_version != submission.base_version {
            return match current {
                Some(theirs) if theirs.answers.0 == answers && theirs.status == status => {
                    Ok(Saved { version: theirs.version, saved_at: theirs.updated_at })
                }
                Some(theirs) => Err(conflict(view, theirs, submission)),
                None => Err(ServiceError::NotFound.into()),
            };
        }
        let write = PageWrite {
            la_id: actor.la_id,
            pep_id,
            page_key,
            expected_version: current_version,
            status,
            answers: &answers,
            by: actor.user_id,
            now,
        };
        let version = match pep_pages::save(&mut tx, &write, Uuid::now_v7()).await {
            Ok(v) => v,
            Err(StoreError::StaleVersion | StoreError::Duplicate { .. }) => {
                drop(tx);
                return Err(self.conflict_after_race(view, page_key, submission).await);
            }
            Err(e) => return Err(e.into()),
        };
        let before = view.status();
        if let Ok(after) = before.after(PepEvent::Edited)
            && after != before
        {
            peps::set_status(&mut tx, actor.la_id, pep_id, before.code(), after.code(), now)
                .await?;
        }
        let old = current.as_ref().map(|p| answers_of(&p.answers.0)).unwrap_or_default();
        let changed: Vec<String> = answers_of(&answers)
            .into_iter()
            .filter(|(k, v)| old.get(k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        let details =
            json!({ "page": page_key, "version": version, "status": status, "changed": changed });
        let event =
            actor.event_about_child("pep.page_saved", ("pep", pep_id), view.child.id, details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Saved { version, saved_at: now })
    }

    /// Two saves raced past the version check: report the winner's version.
    async fn conflict_after_race(
        &self,
        view: PepView,
        page_key: &str,
        yours: PageSubmission,
    ) -> SaveError {
        match pep_pages::get(&self.db, view.pep.la_id, view.pep.id, page_key).await {
            Ok(Some(theirs)) => conflict(view, theirs, yours),
            Ok(None) => ServiceError::NotFound.into(),
            Err(e) => e.into(),
        }
    }
}
