//! Quality assurance of signed-off PEPs: the queue, the automatic
//! completeness check, the grade with the confirmed progress judgement,
//! and the return for improvement that the designated teacher and social
//! worker answer by sending the improved PEP back.

use openpep_domain::DateOfBirth;
use openpep_domain::completeness::{self, Item, PepFacts};
use openpep_domain::pages::attainment::{self, Rag};
use openpep_domain::pages::{ATTENDANCE_PROMPT, DocumentKind, Prompt, uk_date};
use openpep_domain::pep_cycle::PepEvent;
use openpep_domain::quality::{self as rules, Grade, Scheme};
use openpep_domain::targets::TargetStatus;
use openpep_domain::template::PageKind;
use openpep_domain::{Action, AuthorityAction, PepStatus, Term};
use openpep_store::funding::{self as funding_rows, RequestRow};
use openpep_store::quality::{self as rows, GradeRow, NewGrade, NewReturn, QueueFilter, QueueRow};
use openpep_store::targets as target_rows;
use openpep_store::{Page, PageRequest, archives, audit, placements, users};
use serde_json::json;
use uuid::Uuid;

use crate::cohort_filter::CohortFilter;
use crate::inbox::{self, About};
use crate::invitations::FormError;
use crate::mail::messages;
use crate::pep_editing::{PageState, PepRef, PepView};
use crate::sign_off::changed_meanwhile;
use crate::targets::shows_carers_role;
use crate::{Actor, FieldErrors, ServiceError, Services};

pub const QUEUE_PER_PAGE: u32 = 25;

/// Which part of the queue to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueView {
    /// Signed off, waiting for quality assurance.
    #[default]
    Waiting,
    /// Returned for improvement, waiting for the school and social worker.
    Returned,
}

impl QueueView {
    pub fn status(self) -> PepStatus {
        match self {
            QueueView::Waiting => PepStatus::SignedOff,
            QueueView::Returned => PepStatus::ReturnedForImprovement,
        }
    }
}

/// One item of the completeness check with the page to fix it on.
#[derive(Debug, Clone)]
pub struct CheckItem {
    pub item: Item,
    /// The page of this PEP to fix it on, if the template has one.
    pub page: Option<CheckPage>,
}

/// A page of the PEP an item of the check is about.
#[derive(Debug, Clone)]
pub struct CheckPage {
    pub key: String,
    pub title: String,
    pub href: String,
}

/// The quality assurance screen of one PEP.
#[derive(Debug, Clone)]
pub struct QualityPage {
    pub view: PepView,
    pub checklist: Vec<CheckItem>,
    /// Oldest first; the last stands.
    pub grades: Vec<GradeRow>,
    pub returns: Vec<rows::ReturnRow>,
    pub officer: Option<(Uuid, String)>,
    /// The Virtual School's officers and heads, to give the PEP to.
    pub officers: Vec<(Uuid, String)>,
    pub scheme: Scheme,
    /// The school's overall progress judgement on the attainment page.
    pub school_rag: Option<Rag>,
    /// The school or setting the PEP was written at.
    pub school_name: Option<String>,
}

impl QualityPage {
    pub fn status(&self) -> PepStatus {
        self.view.status()
    }

    /// Signed off and waiting: it may be graded or returned.
    pub fn waiting(&self) -> bool {
        self.status() == PepStatus::SignedOff
    }

    pub fn returned_before(&self) -> bool {
        !self.returns.is_empty()
    }

    pub fn open_return(&self) -> Option<&rows::ReturnRow> {
        self.returns.last().filter(|r| r.is_open())
    }

    /// An initial PEP has no progress judgement to confirm.
    pub fn initial(&self) -> bool {
        self.view.is_initial()
    }

    /// The grades the scheme offers now, with why one cannot be chosen yet.
    pub fn grade_choices(&self) -> Vec<(Grade, Option<&'static str>)> {
        self.scheme
            .grades()
            .iter()
            .map(|g| {
                let blocked = (*g == Grade::RequiresImprovement && !self.returned_before())
                    .then_some("Only after the PEP has been returned for improvement once");
                (*g, blocked)
            })
            .collect()
    }

    /// The pages a return may reopen: every page of the PEP but the
    /// sign-off and the documents folder, as (key, title).
    pub fn returnable_pages(&self) -> Vec<(String, String)> {
        self.view
            .template
            .pages_for(&self.view.facts)
            .map(|(_, _, page)| page)
            .filter(|p| !matches!(p.kind, PageKind::SignOff | PageKind::Documents))
            // Only those told of the return, who send it back, improve it.
            .filter(|p| p.owners.iter().any(|r| r.writes_pep()))
            .map(|p| (p.key.clone(), p.title.clone()))
            .collect()
    }

    /// The pages of the failing items, to tick on the return form first.
    pub fn failing_pages(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .checklist
            .iter()
            .filter(|c| c.item.outcome == completeness::Outcome::Fail)
            .filter_map(|c| c.page.as_ref())
            .map(|p| p.key.clone())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// Whether a page of the PEP was marked completed.
fn completed(view: &PepView, kind: PageKind) -> bool {
    view.page_of_kind(kind).is_some_and(|p| page_completed(view, &p.key))
}

fn page_completed(view: &PepView, key: &str) -> bool {
    view.pages.get(key).is_some_and(|p| PageState::from_code(&p.status) == PageState::Completed)
}

/// The page asking the transition question, if the PEP shows one.
fn transition_page(view: &PepView) -> Option<&openpep_domain::template::Page> {
    view.template
        .pages_for(&view.facts)
        .map(|(_, _, page)| page)
        .find(|p| p.questions.iter().any(|q| q.key == "transition"))
}

/// Joined a new school in the six months before the PEP fell due, having
/// been at another before.
fn new_setting(view: &PepView) -> bool {
    let since = view.pep.due_on - chrono::TimeDelta::days(183);
    view.schools.len() > 1
        && view
            .school
            .as_ref()
            .is_some_and(|s| s.started_on > since && s.started_on <= view.pep.due_on)
}

/// What the completeness check needs to know, read from the PEP (its
/// targets loaded). `unreviewed`: the previous PEP's targets not reviewed,
/// `None` when it had none.
pub fn facts(view: &PepView, unreviewed: Option<usize>, requests: &[RequestRow]) -> PepFacts {
    let agreed = view.targets.iter().filter(|t| t.status == TargetStatus::Agreed.code());
    let on = view.pep.meeting_at.map_or(view.pep.due_on, |at| at.date_naive());
    let attendance = |prompts: Vec<Prompt>| prompts.iter().any(|p| p.key == ATTENDANCE_PROMPT);
    let attendance_target_needed = attendance(view.prompts());
    PepFacts {
        phase: Some(view.facts.nc_year.phase()),
        nc_year: Some(view.facts.nc_year),
        age: DateOfBirth::from_record(view.child.date_of_birth).age_on(on),
        term: Term::from_code(&view.pep.term),
        initial: view.is_initial(),
        has_sen: view.facts.sen,
        new_setting: new_setting(view),
        attendance_recorded: completed(view, PageKind::Attendance),
        timetable_confirmed: completed(view, PageKind::PartTimeTimetable),
        sen_page_done: completed(view, PageKind::Sen),
        health_done: completed(view, PageKind::Health),
        sdq_done: completed(view, PageKind::Sdq),
        child_views: completed(view, PageKind::ChildViews)
            || view.documents.iter().any(|d| d.kind == DocumentKind::ChildViews.code()),
        carer_views: completed(view, PageKind::CarerViews),
        careers_done: completed(view, PageKind::Careers),
        progress_recorded: completed(view, PageKind::Attainment),
        smart_targets: agreed.clone().count(),
        carer_target: agreed.clone().any(shows_carers_role),
        attendance_target_needed,
        attendance_target: attendance_target_needed && !attendance(view.unanswered_prompts()),
        funded_targets_costed: requests.iter().all(|r| r.amount_pence > 0),
        previous_targets_reviewed: unreviewed.map(|n| n == 0),
        meeting_recorded: completed(view, PageKind::Meeting),
        transition_planned: transition_page(view)
            .and_then(|p| view.answers(&p.key))
            .is_some_and(|a| a.get("transition").is_some_and(|t| !t.trim().is_empty())),
        post_16_plans: completed(view, PageKind::Careers),
    }
}

/// The check's items, each with the page of this PEP to fix it on.
pub fn checklist(view: &PepView, facts: &PepFacts) -> Vec<CheckItem> {
    completeness::check(facts)
        .into_iter()
        .map(|item| {
            let page = if item.key == "transition" {
                transition_page(view)
            } else {
                view.page_of_kind(item.page)
            };
            let page = page.map(|p| CheckPage {
                key: p.key.clone(),
                title: p.title.clone(),
                href: format!("{}/pages/{}", view.path(), p.key),
            });
            CheckItem { item, page }
        })
        .collect()
}

/// The grade form as typed.
#[derive(Debug, Clone, Default)]
pub struct GradeForm {
    pub grade: String,
    pub comments: String,
    /// An `attainment::Rag` code.
    pub progress_rag: String,
}

/// The return form as typed.
#[derive(Debug, Clone, Default)]
pub struct ReturnForm {
    pub comments: String,
    pub day: String,
    pub month: String,
    pub year: String,
    /// The page keys to reopen.
    pub pages: Vec<String>,
}

/// The fields the return's errors link to: its date's day box and its
/// comments (the grade form has "comments").
pub const DUE_FIELD: &str = "due_on-day";
pub const RETURN_COMMENTS: &str = "return_comments";

fn not_waiting(page: &QualityPage) -> FormError {
    let message = match page.status() {
        PepStatus::QualityAssured => "This PEP has already been quality assured",
        PepStatus::ReturnedForImprovement => {
            "This PEP is with the school and social worker to improve"
        }
        _ => "This PEP is not signed off, so it cannot be quality assured yet",
    };
    FormError::refused("form", message)
}

impl Services {
    /// The queue: a page of the authority's PEPs waiting for quality
    /// assurance (or returned), the longest waiting first.
    pub async fn qa_queue(
        &self,
        actor: &Actor,
        view: QueueView,
        filter: &CohortFilter,
        page: u32,
    ) -> Result<Page<QueueRow>, ServiceError> {
        self.authorise(actor, AuthorityAction::QualityAssurePeps)?;
        let groups = filter.year_groups();
        let store_filter = QueueFilter {
            status: view.status().code().to_owned(),
            academic_year: filter.term.map(|(y, _)| y.0),
            term: filter.term.map(|(_, t)| t.code().to_owned()),
            school_id: filter.school,
            nc_from: groups.map(|g| i32::from(g.0.value())),
            nc_to: groups.map(|g| i32::from(g.1.value())),
            officer: filter.officer,
        };
        let request = PageRequest::new(page, QUEUE_PER_PAGE);
        Ok(rows::queue(&self.db, actor.la_id, &store_filter, request).await?)
    }

    async fn load_quality(&self, actor: &Actor, at: PepRef) -> Result<QualityPage, ServiceError> {
        // Not the earlier PEPs' answers the forms show: only the targets.
        let mut view = self.load_pep_to_save(actor, at).await?;
        if !openpep_domain::allowed(actor.role, Action::QualityAssurePep, view.relationship) {
            return Err(ServiceError::NotFound);
        }
        let la_id = actor.la_id;
        let pep_id = view.pep.id;
        view.targets = target_rows::for_pep(&self.db, la_id, pep_id).await?;
        let (grades, returns, officer, requests, unreviewed, (settings, _), staff, school) = tokio::try_join!(
            async { Ok::<_, ServiceError>(rows::grades(&self.db, la_id, pep_id).await?) },
            async { Ok(rows::returns(&self.db, la_id, pep_id).await?) },
            async { Ok(rows::officer_of(&self.db, la_id, pep_id).await?) },
            async { Ok(funding_rows::for_pep(&self.db, la_id, pep_id).await?) },
            self.unreviewed_previous_targets(&view),
            self.authority_settings(la_id),
            async { Ok(users::staff_in_roles(&self.db, la_id, users::VS_OFFICERS).await?) },
            async {
                Ok(match view.pep.school_id {
                    Some(id) => Some(openpep_store::schools::get(&self.db, id).await?.name),
                    None => None,
                })
            },
        )?;
        let facts = facts(&view, unreviewed, &requests);
        let school_rag = view
            .page_of_kind(PageKind::Attainment)
            .and_then(|p| view.answers(&p.key))
            .and_then(|a| attainment::overall(&a));
        let officers: Vec<(Uuid, String)> =
            staff.into_iter().map(|s| (s.user_id, s.display_name)).collect();
        Ok(QualityPage {
            checklist: checklist(&view, &facts),
            officer: officer.and_then(|id| officers.iter().find(|(o, _)| *o == id).cloned()),
            view,
            grades,
            returns,
            officers,
            scheme: settings.grading_scheme,
            school_rag,
            school_name: school,
        })
    }

    /// The quality assurance screen; the view is logged.
    pub async fn open_quality(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<QualityPage, ServiceError> {
        let page = self.load_quality(actor, at).await?;
        self.log_pep_view(actor, &page.view, Some("quality")).await?;
        Ok(page)
    }

    /// [`open_quality`](Self::open_quality) to show a refused form again:
    /// not logged a second time.
    pub async fn quality_view(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<QualityPage, ServiceError> {
        self.load_quality(actor, at).await
    }

    /// Gives the PEP to a Virtual School officer (`officer` an id, or
    /// empty for no one).
    pub async fn assign_quality(
        &self,
        actor: &Actor,
        at: PepRef,
        officer: &str,
    ) -> Result<(), FormError> {
        let page = self.load_quality(actor, at).await?;
        let chosen = match officer.trim() {
            "" => None,
            id => match Uuid::parse_str(id)
                .ok()
                .filter(|id| page.officers.iter().any(|o| o.0 == *id))
            {
                Some(id) => Some(id),
                None => {
                    return Err(FormError::refused("officer", "Select an officer from the list"));
                }
            },
        };
        if page.officer.as_ref().map(|o| o.0) == chosen {
            return Ok(());
        }
        let now = self.clock.now();
        let (la_id, pep_id) = (actor.la_id, page.view.pep.id);
        let mut tx = self.db.begin().await?;
        if !rows::assign(&mut tx, la_id, pep_id, chosen, now).await? {
            return Err(FormError::refused(
                "officer",
                "Only PEPs waiting for quality assurance or being improved can be given to an officer",
            ));
        }
        let event = actor.event_about_child(
            "pep.qa_assigned",
            ("pep", pep_id),
            page.view.child.id,
            json!({ "officer": chosen }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grades the PEP by the authority's scheme, with the overall progress
    /// judgement confirmed: "quality assured", its PDF made again with the
    /// grade, and the designated teacher and social worker told.
    pub async fn grade_pep(
        &self,
        actor: &Actor,
        at: PepRef,
        form: &GradeForm,
    ) -> Result<(), FormError> {
        let page = self.load_quality(actor, at).await?;
        if !page.waiting() {
            return Err(not_waiting(&page));
        }
        let checked =
            rules::check_grade(page.scheme, &form.grade, &form.comments, page.returned_before());
        let rag = Rag::from_code(form.progress_rag.trim());
        let mut errors = match &checked {
            Ok(_) => FieldErrors::default(),
            Err(problems) => FieldErrors::from_problems(problems.clone()),
        };
        if rag.is_none() && !page.initial() {
            errors.add("progress_rag", "Confirm the overall progress judgement");
        }
        let checked = match checked {
            Ok(checked) if errors.is_empty() => checked,
            _ => return Err(FormError::Invalid(errors)),
        };
        let rag = rag.filter(|_| !page.initial());
        let view = &page.view;
        let (la_id, pep_id, child_id) = (actor.la_id, view.pep.id, view.child.id);
        let workers = placements::allocations(&self.db, la_id, child_id).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let grade = NewGrade {
            la_id,
            pep_id,
            scheme: page.scheme.code(),
            grade: checked.grade.code(),
            comments: &checked.comments,
            progress_rag: rag.map(|r| r.code()),
            by: actor.user_id,
            at: now,
        };
        if !rows::grade(&mut tx, &grade).await? {
            return Err(changed_meanwhile());
        }
        let version =
            archives::queue(&mut tx, (la_id, child_id, pep_id), "quality_assured", now).await?;
        let graded = |link: &str| messages::pep_graded(link, checked.grade.label());
        self.tell_writers(&mut tx, &workers, view, graded, now).await?;
        let event = actor.event_about_child(
            "pep.quality_assured",
            ("pep", pep_id),
            child_id,
            json!({
                "grade": checked.grade.code(),
                "scheme": page.scheme.code(),
                "progress_rag": rag.map(|r| r.code()),
                "school_rag": page.school_rag.map(|r| r.code()),
                "archive_version": version,
            }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns the PEP for improvement: the comments and the due date go to
    /// the designated teacher and social worker, and the named pages open
    /// again for them.
    pub async fn return_pep(
        &self,
        actor: &Actor,
        at: PepRef,
        form: &ReturnForm,
    ) -> Result<(), FormError> {
        let page = self.load_quality(actor, at).await?;
        if !page.waiting() {
            return Err(not_waiting(&page));
        }
        let today = self.clock.today();
        let blank = [&form.day, &form.month, &form.year].iter().all(|p| p.trim().is_empty());
        let mut errors = FieldErrors::default();
        let due_on = if blank {
            None
        } else {
            match crate::allocations::parse_date(&form.day, &form.month, &form.year) {
                Ok(date) => Some(date),
                Err(message) => {
                    errors.add(
                        DUE_FIELD,
                        message.replace("The date", "The date the improvements are due"),
                    );
                    None
                }
            }
        };
        // A date that could not be read has its own error already.
        let checked = rules::check_return(&form.comments, due_on, today);
        if let Err(problems) = &checked {
            for (field, message) in problems.0.clone() {
                // The page's grade form has its own comments box.
                let field = match field.as_str() {
                    "due_on" => DUE_FIELD.to_owned(),
                    "comments" => RETURN_COMMENTS.to_owned(),
                    _ => field,
                };
                if errors.get(&field).is_none() {
                    errors.add(&field, message);
                }
            }
        }
        let offered = page.returnable_pages();
        let mut pages: Vec<String> = Vec::new();
        for key in &form.pages {
            if !offered.iter().any(|(k, _)| k == key) {
                errors.add("pages", "Select pages from the list");
                break;
            }
            if !pages.contains(key) {
                pages.push(key.clone());
            }
        }
        if pages.is_empty() && errors.get("pages").is_none() {
            errors.add("pages", "Select the pages to improve");
        }
        let checked = match checked {
            Ok(checked) if errors.is_empty() => checked,
            _ => return Err(FormError::Invalid(errors)),
        };
        let view = &page.view;
        let (la_id, pep_id, child_id) = (actor.la_id, view.pep.id, view.child.id);
        let workers = placements::allocations(&self.db, la_id, child_id).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let new = NewReturn {
            la_id,
            pep_id,
            comments: &checked.comments,
            due_on: checked.due_on,
            pages: &pages,
            by: actor.user_id,
            at: now,
        };
        if !rows::return_for_improvement(&mut tx, &new).await? {
            return Err(changed_meanwhile());
        }
        // The officer who returned it sees it through, unless it has one.
        if page.officer.is_none() {
            rows::assign(&mut tx, la_id, pep_id, Some(actor.user_id), now).await?;
        }
        let due = uk_date(checked.due_on);
        let returned = |link: &str| messages::pep_returned(link, &due);
        self.tell_writers(&mut tx, &workers, view, returned, now).await?;
        let event = actor.event_about_child(
            "pep.returned_for_improvement",
            ("pep", pep_id),
            child_id,
            json!({
                "due_on": checked.due_on,
                "pages": pages,
                "comments_length": checked.comments.chars().count(),
            }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The designated teacher or social worker sends the improved PEP back
    /// once every reopened page is marked completed (or the Virtual School
    /// takes it back as it is): signed off again, its PDF made again, and
    /// the officer checking it told.
    pub async fn resubmit_pep(&self, actor: &Actor, at: PepRef) -> Result<(), FormError> {
        let view = self.load_pep_to_save(actor, at).await?;
        let may = |action| openpep_domain::allowed(actor.role, action, view.relationship);
        let withdrawn = may(Action::QualityAssurePep);
        if !(withdrawn || may(Action::SignOffPep) || may(Action::EditPepCareSections)) {
            return Err(ServiceError::NotFound.into());
        }
        if view.status().after(PepEvent::Resubmitted).is_err() {
            return Err(FormError::refused("form", "This PEP is not waiting to be improved"));
        }
        if !withdrawn {
            let unfinished: Vec<String> = view
                .reopened_pages
                .iter()
                .flatten()
                .filter_map(|key| view.page(key))
                .filter(|p| !page_completed(&view, &p.key))
                .map(|p| {
                    format!(
                        "Mark \u{2018}{}\u{2019} as completed before sending the PEP back",
                        p.title
                    )
                })
                .collect();
            if !unfinished.is_empty() {
                let mut errors = FieldErrors::default();
                for message in unfinished {
                    errors.add("resubmit", message);
                }
                return Err(FormError::Invalid(errors));
            }
        }
        let (la_id, pep_id, child_id) = (actor.la_id, view.pep.id, view.child.id);
        let returned_by = rows::returns(&self.db, la_id, pep_id)
            .await?
            .into_iter()
            .rev()
            .find(|r| r.is_open())
            .map(|r| r.returned_by);
        // The officer checking it now, else the one who returned it.
        let officer = rows::officer_of(&self.db, la_id, pep_id).await?.or(returned_by);
        let tell = match officer.filter(|_| !withdrawn) {
            Some(id) => Some(users::get(&self.db, id).await?.email),
            None => None,
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if !rows::resubmit(&mut tx, la_id, pep_id, actor.user_id, now).await? {
            return Err(changed_meanwhile());
        }
        let version =
            archives::queue(&mut tx, (la_id, child_id, pep_id), "resubmitted", now).await?;
        if let Some(email) = tell {
            let about = About { child_id, path: format!("{}/quality", view.path()) };
            let link = format!("{}{}", self.public_url, about.path);
            inbox::tell(&mut tx, la_id, &email, messages::pep_resubmitted(&link), &about, now)
                .await?;
        }
        let action = if withdrawn { "pep.return_withdrawn" } else { "pep.resubmitted" };
        let event = actor.event_about_child(
            action,
            ("pep", pep_id),
            child_id,
            json!({ "archive_version": version }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
