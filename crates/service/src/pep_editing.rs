//! Opening a PEP and editing its pages. Each page belongs to its owner
//! roles; others read it. Every save goes over the version its editor saw:
//! a save over someone else's is refused with both versions, never lost.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::pages::{
    self, DocumentKind, Fields, PageContext, Prompt, PromptSources, SchoolSpell,
};
use openpep_domain::pep_cycle::PepEvent;
use openpep_domain::template::{
    ChildFacts, Page as TemplatePage, PageKind, PepTemplate, Question, QuestionKind,
};
use openpep_domain::term_dates::TermDates;
use openpep_domain::{AcademicYear, Action, NcYear, PepStatus, Relationship, Role, Term};
use openpep_store::StoreError;
use openpep_store::audit;
use openpep_store::children::Child;
use openpep_store::disagreements::{self, Disagreement};
use openpep_store::documents::{self, DocumentRow};
use openpep_store::pep_pages::{self, PageWrite, PepPage};
use openpep_store::peps::{self, Pep};
use openpep_store::placements::{self, SchoolPlacementView};
use openpep_store::quality;
use openpep_store::targets::{self as target_rows, TargetRow};
use openpep_store::users::{StaffMember, VS_OFFICERS, staff_in_roles};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Actor, FieldErrors, ServiceError, Services};

/// The audit action of telling the Virtual School of a permanent exclusion.
const PERMANENT_EXCLUSION: &str = "exclusion.permanent_recorded";

/// A PEP as addressed: the child's id and the PEP's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PepRef {
    pub child_id: Uuid,
    pub pep_id: Uuid,
}

/// Where a PEP lives in the service: `/children/{child}/peps/{pep}`.
pub fn pep_path(child_id: Uuid, pep_id: Uuid) -> String {
    format!("/children/{child_id}/peps/{pep_id}")
}

impl PepRef {
    pub fn path(&self) -> String {
        pep_path(self.child_id, self.pep_id)
    }
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
    /// Each page's answers on the child's earlier PEPs (the latest that
    /// has it), shown beside this PEP's. Not loaded to save a page.
    pub previous: HashMap<String, Fields>,
    /// Each page's answers on the earlier PEPs of this school year, oldest
    /// first. Not loaded to save a page.
    pub earlier_this_year: HashMap<String, Vec<Fields>>,
    /// The PEP's documents, newest first.
    pub documents: Vec<DocumentRow>,
    /// The child's school placements, newest first.
    pub schools: Vec<SchoolPlacementView>,
    pub term_dates: Option<TermDates>,
    pub sdq_threshold: u8,
    pub today: NaiveDate,
    /// The PEP's targets, in order. Loaded to show the PEP, and to save
    /// only what needs them (the targets, the sign-off).
    pub targets: Vec<TargetRow>,
    /// Returned for improvement: the pages the return reopened, the only
    /// ones that may change until it is sent back.
    pub reopened_pages: Option<Vec<String>>,
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
    pub kind: PageKind,
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

/// (pages completed, pages that apply) of a task list. The documents
/// folder is a list, not a page to complete.
pub fn progress(sections: &[TaskSection]) -> (usize, usize) {
    let pages = sections.iter().flat_map(|s| &s.pages).filter(|p| p.kind != PageKind::Documents);
    let done = pages.clone().filter(|p| p.state == PageState::Completed).count();
    (done, pages.count())
}

impl PepView {
    /// The PEP's address (see [`pep_path`]).
    pub fn path(&self) -> String {
        pep_path(self.child.id, self.pep.id)
    }

    pub fn status(&self) -> PepStatus {
        PepStatus::from_code(&self.pep.status).unwrap_or(PepStatus::Draft)
    }

    /// The child's first PEP: attainment only, no progress judged yet.
    pub fn is_initial(&self) -> bool {
        self.pep.reason == "initial"
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

    /// The Virtual School resolves disagreements: those who judge PEPs
    /// (not its administrators).
    pub fn may_resolve_disagreement(&self) -> bool {
        openpep_domain::allowed(self.role, Action::QualityAssurePep, self.relationship)
    }

    pub fn open_disagreement(&self) -> Option<&Disagreement> {
        self.disagreements.iter().find(|d| d.is_open())
    }

    /// Whether this person may change the page: one of its owner roles, in
    /// a working relationship to the child (a team manager reads only).
    pub fn may_edit(&self, page: &TemplatePage) -> bool {
        !self.locked()
            && self.reopened_pages.as_ref().is_none_or(|keys| keys.contains(&page.key))
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

    /// Anyone who may change a page of the PEP may add documents to it,
    /// if its template has a documents page.
    pub fn may_upload(&self) -> bool {
        // A returned PEP changes only on the pages reopened.
        self.reopened_pages.is_none()
            && self.page_of_kind(PageKind::Documents).is_some()
            && self.template.pages_for(&self.facts).any(|(_, _, page)| self.may_edit(page))
    }

    /// What this person may upload: those who see the child's full record
    /// any kind; carers and the young person the child's views.
    pub fn upload_kinds(&self) -> Vec<DocumentKind> {
        if openpep_domain::allowed(self.role, Action::ViewChildRecord, self.relationship) {
            DocumentKind::ALL.to_vec()
        } else {
            vec![DocumentKind::ChildViews]
        }
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
                            kind: p.kind,
                            title: p.title.clone(),
                            owners: p.owners.clone(),
                            state: if p.kind == PageKind::SignOff {
                                self.sign_off_state()
                            } else {
                                saved.map_or(PageState::NotStarted, |s| {
                                    PageState::from_code(&s.status)
                                })
                            },
                            carried_forward: saved.is_some_and(|s| s.carried_forward),
                            may_edit: self.may_edit(p),
                        }
                    })
                    .collect(),
            })
            .filter(|s| !s.pages.is_empty())
            .collect()
    }

    /// The sign-off has no saved answers: its state is the PEP's.
    fn sign_off_state(&self) -> PageState {
        match self.status() {
            PepStatus::SignedOff | PepStatus::QualityAssured => PageState::Completed,
            PepStatus::MeetingHeld
            | PepStatus::AwaitingSignOff
            | PepStatus::ReturnedForImprovement => PageState::InProgress,
            PepStatus::Draft | PepStatus::InProgress => PageState::NotStarted,
        }
    }

    pub fn page(&self, key: &str) -> Option<&TemplatePage> {
        self.template.page(key).filter(|p| p.applies_to(&self.facts))
    }

    /// The first page of a kind this child's PEP shows.
    pub fn page_of_kind(&self, kind: PageKind) -> Option<&TemplatePage> {
        self.template.pages_for(&self.facts).map(|(_, _, page)| page).find(|page| page.kind == kind)
    }

    /// A page's saved answers.
    pub fn answers(&self, key: &str) -> Option<Fields> {
        self.pages.get(key).map(|p| answers_of(&p.answers.0))
    }

    /// The questions of a page that is not typed: a free-text page's own;
    /// for the others the owner's notes until they get their own forms.
    /// The targets page has its own screens.
    pub fn questions(&self, page: &TemplatePage) -> Vec<Question> {
        match page.kind {
            PageKind::FreeText => page.questions.clone(),
            PageKind::Targets => Vec::new(),
            _ => vec![notes_question(page)],
        }
    }

    /// The targets other pages ask for: attendance below 90%, an SDQ total
    /// at or above the authority's threshold, a subject whose progress is
    /// less than good.
    pub fn prompts(&self) -> Vec<Prompt> {
        let answers = |kind| self.page_of_kind(kind).and_then(|p| self.answers(&p.key));
        let (attendance, sdq, attainment) =
            (answers(PageKind::Attendance), answers(PageKind::Sdq), answers(PageKind::Attainment));
        pages::prompts(PromptSources {
            attendance: attendance.as_ref(),
            sdq: sdq.as_ref(),
            attainment: attainment.as_ref(),
            sdq_threshold: self.sdq_threshold,
        })
    }

    /// The prompts no target of the PEP has been written for yet.
    pub fn unanswered_prompts(&self) -> Vec<Prompt> {
        self.prompts()
            .into_iter()
            .filter(|p| !self.targets.iter().any(|t| t.prompt.as_deref() == Some(p.key.as_str())))
            .collect()
    }

    /// What a typed page needs to know beyond its answers.
    pub fn page_context(&self, page: &TemplatePage, add_entry: Option<String>) -> PageContext {
        let mut school_history: Vec<SchoolSpell> = self
            .schools
            .iter()
            .map(|s| SchoolSpell {
                school: s.school_name.clone(),
                from: s.started_on,
                until: s.ended_on,
                reason: s.reason_ended.clone(),
            })
            .collect();
        school_history.reverse();
        PageContext {
            nc_year: self.facts.nc_year,
            special_school: self.facts.special_school,
            initial: self.is_initial(),
            academic_year: AcademicYear(self.pep.academic_year),
            term: Term::from_code(&self.pep.term).unwrap_or(Term::Autumn),
            term_dates: self.term_dates,
            today: self.today,
            sdq_threshold: self.sdq_threshold,
            previous: self.previous.get(&page.key).cloned(),
            earlier_this_year: self.earlier_this_year.get(&page.key).cloned().unwrap_or_default(),
            add_entry,
            questions: page.questions.clone(),
            school_history,
            documents: self
                .documents
                .iter()
                .filter_map(|d| DocumentKind::from_code(&d.kind))
                .collect(),
        }
    }
}

/// The notes question of a page the product has no form for yet.
pub fn notes_question(page: &TemplatePage) -> Question {
    Question {
        key: "notes".into(),
        label: format!("{}: notes", page.title),
        hint: page.description.clone(),
        kind: QuestionKind::LongText,
        mandatory: false,
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

/// A form's problems as its field errors, each named as the form's
/// blocks name their fields (`q_…`).
pub fn problems_as_errors(problems: pages::Problems) -> FieldErrors {
    field_errors(problems)
}

/// A typed page's problems as the form's field errors.
pub(crate) fn field_errors(problems: pages::Problems) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, message) in problems.0 {
        errors.add(&field_name(&field), message);
    }
    errors
}

/// A page's answers as stored.
pub(crate) fn to_value(fields: Fields) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

/// Checks a page's answers by its kind; the normalised answers, or what is
/// wrong.
fn check_page(
    view: &PepView,
    page: &TemplatePage,
    submission: &PageSubmission,
) -> Result<Value, FieldErrors> {
    let ctx = view.page_context(page, None);
    if let Some(checked) = pages::check(page.kind, &submission.answers, &ctx, submission.completed)
    {
        return checked.map(to_value).map_err(field_errors);
    }
    check_answers(&view.questions(page), submission)
}

/// A change to a PEP that has not been worked on yet puts it in progress.
pub(crate) async fn mark_edited(
    tx: &mut openpep_store::Tx,
    view: &PepView,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let before = view.status();
    if let Ok(after) = before.after(PepEvent::Edited)
        && after != before
    {
        peps::set_status(tx, view.pep.la_id, view.pep.id, before.code(), after.code(), now).await?;
    }
    Ok(())
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

fn current_school(schools: &[SchoolPlacementView], on: NaiveDate) -> Option<SchoolPlacementView> {
    schools.iter().find(|s| s.is_current_on(on)).cloned()
}

/// The post-16 status page says the young person is not in education,
/// employment or training.
fn post_16_neet(template: &PepTemplate, saved: &[PepPage]) -> bool {
    let Some(page) = template.page("post_16_status") else { return false };
    saved.iter().filter(|p| p.page_key == page.key).any(|p| {
        answers_of(&p.answers.0).get("status").is_some_and(|s| s.starts_with("Not in education"))
    })
}

impl Services {
    /// The PEP of the child named in the address (a PEP of another child
    /// is not found), if the actor may read it, with everything its pages
    /// show. Not logged: callers log the view or audit the change.
    pub(crate) async fn load_pep(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<PepView, ServiceError> {
        let mut view = self.load_pep_to_save(actor, at).await?;
        self.load_shown(&mut view).await?;
        Ok(view)
    }

    /// [`load_pep`](Self::load_pep) without what only the form shows (the
    /// earlier PEPs' answers, the disagreements): what a save checks.
    pub(crate) async fn load_pep_to_save(
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
        let readable = |d: &DocumentRow| {
            crate::documents::may_read(actor, relationship, &d.kind, d.uploaded_by)
        };
        self.assemble_view(pep, child, (actor.role, relationship), readable).await
    }

    /// The PEP as the whole Virtual School sees it, for a job with no one
    /// signed in (the archival PDF).
    pub(crate) async fn load_pep_for_authority(
        &self,
        la_id: Uuid,
        pep_id: Uuid,
    ) -> Result<PepView, ServiceError> {
        let pep = peps::get(&self.db, la_id, pep_id).await?;
        let scope = openpep_domain::ChildScope::Authority { la_id };
        let child =
            openpep_store::children::get(&self.db, &scope, self.clock.today(), pep.child_id)
                .await?;
        let whole = (Role::VsHead, Relationship::SameAuthority);
        let mut view = self.assemble_view(pep, child, whole, |_| true).await?;
        view.targets = target_rows::for_pep(&self.db, la_id, pep_id).await?;
        Ok(view)
    }

    async fn assemble_view(
        &self,
        pep: Pep,
        child: Child,
        (role, relationship): (Role, Relationship),
        readable: impl Fn(&DocumentRow) -> bool,
    ) -> Result<PepView, ServiceError> {
        let la_id = pep.la_id;
        let (template, saved, schools, (settings, _), la, documents) = tokio::try_join!(
            self.template_of(la_id, pep.template_id),
            async { Ok(pep_pages::for_pep(&self.db, la_id, pep.id).await?) },
            async { Ok(placements::school_history(&self.db, la_id, child.id).await?) },
            self.authority_settings(la_id),
            async { Ok(openpep_store::authorities::get(&self.db, la_id).await?) },
            async { Ok(documents::for_pep(&self.db, la_id, pep.id).await?) },
        )?;
        let documents = documents.into_iter().filter(|d| readable(d)).collect();
        let reopened_pages = if pep.status == PepStatus::ReturnedForImprovement.code() {
            Some(quality::reopened_pages(&self.db, la_id, pep.id).await?.unwrap_or_default())
        } else {
            None
        };
        let today = self.clock.today();
        // A PEP is about its term: one past its due date keeps the school
        // the child was at then, whatever happened since.
        let school = current_school(&schools, today.min(pep.due_on));
        let mut facts = facts_for(&child, &pep, school.as_ref(), &la.code);
        facts.neet = facts.neet || post_16_neet(&template, &saved);
        let year = AcademicYear(pep.academic_year);
        let term_dates = Term::from_code(&pep.term)
            .and_then(|term| settings.term_dates(year, term).ok().copied());
        Ok(PepView {
            pep,
            child,
            template,
            relationship,
            facts,
            school,
            pages: saved.into_iter().map(|p| (p.page_key.clone(), p)).collect(),
            letters: settings.section_letters,
            role,
            disagreements: Vec::new(),
            previous: HashMap::new(),
            earlier_this_year: HashMap::new(),
            documents,
            schools,
            term_dates,
            sdq_threshold: settings.sdq_threshold,
            today,
            targets: Vec::new(),
            reopened_pages,
        })
    }

    /// Adds to a view loaded to save what showing it needs.
    async fn load_shown(&self, view: &mut PepView) -> Result<(), ServiceError> {
        let (la_id, pep) = (view.pep.la_id, &view.pep);
        let (earlier, disagreements, targets) = tokio::try_join!(
            peps::earlier_pages(&self.db, la_id, pep.child_id, pep.due_on, pep.academic_year),
            disagreements::for_pep(&self.db, la_id, pep.id),
            target_rows::for_pep(&self.db, la_id, pep.id),
        )?;
        view.targets = targets;
        for page in earlier {
            let answers = answers_of(&page.answers.0);
            if page.this_year {
                view.earlier_this_year
                    .entry(page.page_key.clone())
                    .or_default()
                    .push(answers.clone());
            }
            if page.latest {
                view.previous.insert(page.page_key, answers);
            }
        }
        view.disagreements = disagreements;
        Ok(())
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

    /// The PEP's page of a kind (its documents), if the actor may read
    /// it; the view is logged as a view of that page.
    pub async fn open_pep_page_of_kind(
        &self,
        actor: &Actor,
        at: PepRef,
        kind: PageKind,
    ) -> Result<PepView, ServiceError> {
        let view = self.load_pep(actor, at).await?;
        let key = view.page_of_kind(kind).map(|p| p.key.clone()).ok_or(ServiceError::NotFound)?;
        self.log_pep_view(actor, &view, Some(&key)).await?;
        Ok(view)
    }

    pub(crate) async fn log_pep_view(
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
        // The form is shown again only when the save is refused: only then
        // does it need what the pages show beside their answers.
        match self.save_page(actor, at, page_key, submission).await {
            Err(SaveError::Invalid(mut view, errors)) => {
                self.load_shown(&mut view).await?;
                Err(SaveError::Invalid(view, errors))
            }
            Err(SaveError::Conflict(mut conflict)) => {
                self.load_shown(&mut conflict.view).await?;
                Err(SaveError::Conflict(conflict))
            }
            other => other,
        }
    }

    async fn save_page(
        &self,
        actor: &Actor,
        at: PepRef,
        page_key: &str,
        submission: PageSubmission,
    ) -> Result<Saved, SaveError> {
        let mut view = self.load_pep_to_save(actor, at).await?;
        let pep_id = at.pep_id;
        let kind = view.page(page_key).ok_or(ServiceError::NotFound)?.kind;
        // Only the targets page and the sign-off look at the targets.
        if matches!(kind, PageKind::Targets | PageKind::SignOff) {
            view.targets = target_rows::for_pep(&self.db, actor.la_id, pep_id).await?;
        }
        let page = view.page(page_key).ok_or(ServiceError::NotFound)?;
        if view.locked() {
            return Err(SaveError::Locked);
        }
        if !view.may_edit(page) {
            return Err(ServiceError::Forbidden.into());
        }
        let answers = match check_page(&view, page, &submission) {
            Ok(answers) => answers,
            Err(errors) => return Err(SaveError::Invalid(Box::new(view), errors)),
        };
        if page.kind == PageKind::Targets && submission.completed {
            let unfinished = self.targets_unfinished(&view).await?;
            if !unfinished.is_empty() {
                let mut errors = FieldErrors::default();
                for problem in unfinished {
                    errors.add("completed", format!("{problem} before marking the page completed"));
                }
                return Err(SaveError::Invalid(Box::new(view), errors));
            }
        }
        let status = if submission.completed { "completed" } else { "in_progress" };
        let vs_to_tell = self.vs_to_tell(&view, page, &answers).await?;
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
        mark_edited(&mut tx, &view, now).await?;
        let old = current.as_ref().map(|p| answers_of(&p.answers.0)).unwrap_or_default();
        let new = answers_of(&answers);
        self.after_page_saved(&mut tx, actor, &view, page, &new, &vs_to_tell).await?;
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

    /// Who to tell of a permanent exclusion the page records: the Virtual
    /// School's heads and officers, once per PEP (looked up before the
    /// save's transaction).
    async fn vs_to_tell(
        &self,
        view: &PepView,
        page: &TemplatePage,
        answers: &Value,
    ) -> Result<Vec<StaffMember>, ServiceError> {
        let child = &view.child;
        let excluded = page.kind == PageKind::Exclusions
            && pages::exclusions::permanently_excluded(&answers_of(answers));
        if !excluded
            || audit::has_event(&self.db, child.la_id, child.id, PERMANENT_EXCLUSION, view.pep.id)
                .await?
        {
            return Ok(Vec::new());
        }
        Ok(staff_in_roles(&self.db, child.la_id, VS_OFFICERS).await?)
    }

    /// What a page's answers change beyond the page: the SEN page keeps the
    /// child's SEN provision in step; a permanent exclusion is sent to
    /// `vs_to_tell` at once.
    async fn after_page_saved(
        &self,
        tx: &mut openpep_store::Tx,
        actor: &Actor,
        view: &PepView,
        page: &TemplatePage,
        new: &Fields,
        vs_to_tell: &[StaffMember],
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let child = &view.child;
        match page.kind {
            // The school keeps the SEN register: its SEN page, not only the
            // profile form, sets the child's provision.
            PageKind::Sen => {
                let Some(code) = pages::sen::provision_code(new) else { return Ok(()) };
                if child.sen_provision.as_deref() == Some(code) {
                    return Ok(());
                }
                openpep_store::children::set_sen_provision(
                    tx,
                    child.la_id,
                    child.id,
                    Some(code),
                    now,
                )
                .await?;
                // As the profile form records its changes.
                let details =
                    json!({ "sen_provision": { "before": child.sen_provision, "after": code } });
                let event = actor.event_about_child(
                    "child.updated",
                    ("child", child.id),
                    child.id,
                    details,
                    now,
                );
                audit::record(tx, &event).await?;
            }
            PageKind::Exclusions if !vs_to_tell.is_empty() => {
                let path = format!("{}/pages/{}", pep_path(child.id, view.pep.id), page.key);
                let link = format!("{}{path}", self.public_url);
                let about = crate::inbox::About { child_id: child.id, path };
                for person in vs_to_tell {
                    let content = crate::mail::messages::permanent_exclusion(&link);
                    crate::inbox::tell(tx, child.la_id, &person.email, content, &about, now)
                        .await?;
                }
                let details = json!({ "page": page.key, "told": vs_to_tell.len() });
                let event = actor.event_about_child(
                    PERMANENT_EXCLUSION,
                    ("pep", view.pep.id),
                    child.id,
                    details,
                    now,
                );
                audit::record(tx, &event).await?;
            }
            _ => {}
        }
        Ok(())
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
