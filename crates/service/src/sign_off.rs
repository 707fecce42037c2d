//! Signing a PEP off: the next meeting's date and time, each part marked
//! completed (and undone until the final sign-off), the designated
//! teacher's sign-off that locks the PEP, queues its archival PDF, makes
//! the next term's PEP and tells everyone; and the Virtual School's
//! reopening, with a reason.

use chrono::NaiveDate;
use openpep_domain::meeting::{utc_to_london, when_label};
use openpep_domain::pages::Fields;
use openpep_domain::pep_cycle::PepEvent;
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::sign_off::{self, Part, Readiness};
use openpep_domain::{
    AcademicYear, Action, PepStatus, Relationship, Role, Term, WorkingDayCalendar,
};
use openpep_store::archives::{self, Archive};
use openpep_store::meetings as meeting_rows;
use openpep_store::placements::{self, Allocation};
use openpep_store::sign_off::{self as sign_off_rows, PartMark, Reopening};
use openpep_store::targets as target_rows;
use openpep_store::{audit, peps, users};
use serde_json::json;

use crate::inbox::{self, About};
use crate::invitations::FormError;
use crate::mail::messages;
use crate::pep_creation::{NewPep, create_pep, previous_pages};
use crate::pep_editing::{PepRef, PepView, field_errors};
use crate::pep_templates::ensure_template;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// The sign-off screen: the PEP, each part's mark, the next meeting, when
/// sign-off is due, its reopenings and its PDFs.
#[derive(Debug, Clone)]
pub struct SignOffPage {
    pub view: PepView,
    pub marks: Vec<PartMark>,
    pub reopenings: Vec<Reopening>,
    /// The archival PDFs, newest first.
    pub archives: Vec<Archive>,
    pub needed: Vec<Part>,
    /// When sign-off is due, once the meeting's date is known.
    pub due_on: Option<NaiveDate>,
    /// Who signed it off, by name.
    pub signed_off_by: Option<String>,
    /// Returned for improvement: what to improve, by when, on which pages.
    pub open_return: Option<openpep_store::quality::ReturnRow>,
    /// Quality assured: the Virtual School's grade.
    pub latest_grade: Option<openpep_store::quality::GradeRow>,
    /// Everyone ever allocated to the child.
    workers: Vec<Allocation>,
    settings: AuthoritySettings,
}

impl SignOffPage {
    pub fn status(&self) -> PepStatus {
        self.view.status()
    }

    pub fn signed_off(&self) -> bool {
        self.status().is_complete()
    }

    pub fn readiness(&self) -> Readiness {
        Readiness {
            meeting_held: matches!(
                self.status(),
                PepStatus::MeetingHeld
                    | PepStatus::AwaitingSignOff
                    | PepStatus::ReturnedForImprovement
                    | PepStatus::SignedOff
                    | PepStatus::QualityAssured
            ),
            next_meeting_set: self.view.pep.next_meeting_at.is_some(),
            unanswered_prompts: self
                .view
                .unanswered_prompts()
                .iter()
                .map(|p| p.in_sentence())
                .collect(),
            needed: self.needed.clone(),
            marked: self.marks.iter().filter_map(|m| Part::from_code(&m.part)).collect(),
        }
    }

    pub fn mark_of(&self, part: Part) -> Option<&PartMark> {
        self.marks.iter().find(|m| m.part == part.code())
    }

    /// The part this person marks: their role's, when they work with the
    /// child (allocated, at the school, or the young person themself).
    pub fn my_part(&self) -> Option<Part> {
        let works_with = matches!(
            self.view.relationship,
            Relationship::Allocated | Relationship::SchoolStaff | Relationship::Own
        );
        Part::of_role(self.view.role).filter(|p| works_with && self.needed.contains(p))
    }

    /// Whether this person may mark (or undo) their part now.
    pub fn may_mark(&self) -> bool {
        self.my_part().is_some() && !self.signed_off() && !self.returned()
    }

    /// Returned for improvement and not yet sent back.
    pub fn returned(&self) -> bool {
        self.status() == PepStatus::ReturnedForImprovement
    }

    /// Whether this person may send the improved PEP back: the designated
    /// teacher or the social worker.
    pub fn may_resubmit(&self) -> bool {
        let may = |action| openpep_domain::allowed(self.view.role, action, self.view.relationship);
        self.returned() && (may(Action::SignOffPep) || may(Action::EditPepCareSections))
    }

    /// Whether this person may set the next meeting now.
    pub fn may_set_next(&self) -> bool {
        openpep_domain::allowed(self.view.role, Action::ArrangeMeeting, self.view.relationship)
            && !self.signed_off()
            && !self.returned()
    }

    /// Whether this person signs PEPs off (the designated teacher).
    pub fn signs_off(&self) -> bool {
        openpep_domain::allowed(self.view.role, Action::SignOffPep, self.view.relationship)
    }

    /// Whether this person may reopen the signed-off PEP (the VS).
    pub fn may_reopen(&self) -> bool {
        self.signed_off()
            && openpep_domain::allowed(
                self.view.role,
                Action::QualityAssurePep,
                self.view.relationship,
            )
    }

    /// Whether this person quality-assures PEPs (the Virtual School).
    pub fn does_quality_assurance(&self) -> bool {
        openpep_domain::allowed(self.view.role, Action::QualityAssurePep, self.view.relationship)
    }

    /// Whether this person may download the PDFs: they hold the whole
    /// record, so only those who see all of it.
    pub fn may_download(&self) -> bool {
        openpep_domain::allowed(self.view.role, Action::ViewChildRecord, self.view.relationship)
    }

    /// Sign-off is late.
    pub fn overdue(&self) -> bool {
        let due = match &self.open_return {
            // Returned: the improvements are what is due.
            Some(r) => Some(r.due_on),
            None if self.signed_off() => None,
            None => self.due_on,
        };
        due.is_some_and(|due| sign_off::is_overdue(due, self.view.today))
    }

    /// The next meeting as the form shows it.
    pub fn next_meeting_fields(&self) -> Fields {
        self.view.pep.next_meeting_at.map(sign_off::next_meeting_fields).unwrap_or_default()
    }

    /// The meeting's day, UK time.
    pub fn meeting_on(&self) -> Option<NaiveDate> {
        self.view.pep.meeting_at.map(|at| utc_to_london(at).date())
    }
}

/// The child's current social workers and school staff: who writes the
/// PEP and is told when it is signed off or reopened.
fn writers(workers: &[Allocation]) -> impl Iterator<Item = &Allocation> {
    workers
        .iter()
        .filter(|w| w.ended_on.is_none() && Role::from_code(&w.role).is_some_and(Role::writes_pep))
}

/// Whether the child has a young person's account: only then is their
/// part asked for.
fn young_person_has_account(workers: &[Allocation]) -> bool {
    workers.iter().any(|w| w.ended_on.is_none() && w.role == Role::YoungPerson.code())
}

fn refused(message: impl Into<String>) -> FormError {
    FormError::refused("form", message)
}

/// Another person moved the PEP on between reading it and changing it.
pub(crate) fn changed_meanwhile() -> FormError {
    refused("Someone else changed this PEP. Check it and try again")
}

/// What stops marking or signing off, each against the field to fix (the
/// next meeting's date, when this person `sets_next`), or else the button
/// pressed (`button`).
fn blocker_errors(blockers: &[sign_off::Blocker], button: &str, sets_next: bool) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for blocker in blockers {
        let field = match blocker {
            sign_off::Blocker::NoNextMeeting if sets_next => "q_next_date",
            _ => button,
        };
        errors.add(field, blocker.message());
    }
    errors
}

const SIGNED_OFF: &str = "This PEP has been signed off: only the Virtual School can reopen it";
const RETURNED: &str = "This PEP was returned for improvement: improve the pages named, then \
     send it back to the Virtual School";

impl Services {
    /// Tells the child's current writers (see [`writers`]), by e-mail and
    /// in their messages, of a change to the PEP: `content` takes the link
    /// to its sign-off page.
    pub(crate) async fn tell_writers(
        &self,
        tx: &mut openpep_store::Tx,
        workers: &[Allocation],
        view: &PepView,
        content: impl Fn(&str) -> messages::Content,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ServiceError> {
        let about = About { child_id: view.child.id, path: format!("{}/sign-off", view.path()) };
        let link = format!("{}{}", self.public_url, about.path);
        for w in writers(workers) {
            inbox::tell(tx, view.pep.la_id, &w.email, content(&link), &about, now).await?;
        }
        Ok(())
    }

    async fn load_sign_off(&self, actor: &Actor, at: PepRef) -> Result<SignOffPage, ServiceError> {
        let mut view = self.load_pep_to_save(actor, at).await?;
        let (la_id, pep_id, child_id) = (actor.la_id, view.pep.id, view.child.id);
        let (targets, marks, reopenings, archives, workers, (settings, _), returns, mut grades) = tokio::try_join!(
            async { Ok::<_, ServiceError>(target_rows::for_pep(&self.db, la_id, pep_id).await?) },
            async { Ok(sign_off_rows::marks(&self.db, la_id, pep_id).await?) },
            async { Ok(sign_off_rows::reopenings(&self.db, la_id, pep_id).await?) },
            async { Ok(archives::for_pep(&self.db, la_id, pep_id).await?) },
            async { Ok(placements::allocations(&self.db, la_id, child_id).await?) },
            self.authority_settings(la_id),
            async { Ok(openpep_store::quality::returns(&self.db, la_id, pep_id).await?) },
            async { Ok(openpep_store::quality::grades(&self.db, la_id, pep_id).await?) },
        )?;
        view.targets = targets;
        let view_status = view.status();
        let calendar = WorkingDayCalendar::england_and_wales();
        let due_on = view.pep.meeting_at.map(|at| {
            sign_off::due_on(utc_to_london(at).date(), settings.sign_off_school_days, &calendar)
        });
        let signed_off_by = match view.pep.signed_off_by {
            Some(id) => Some(users::get(&self.db, id).await?.display_name),
            None => None,
        };
        Ok(SignOffPage {
            needed: Part::needed(young_person_has_account(&workers)),
            view,
            marks,
            reopenings,
            archives,
            due_on,
            signed_off_by,
            open_return: returns
                .into_iter()
                .rev()
                .find(|r| r.is_open())
                .filter(|_| view_status == PepStatus::ReturnedForImprovement),
            latest_grade: grades.pop().filter(|_| view_status == PepStatus::QualityAssured),
            workers,
            settings,
        })
    }

    /// The sign-off screen; the view is logged.
    pub async fn open_sign_off(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<SignOffPage, ServiceError> {
        let page = self.load_sign_off(actor, at).await?;
        self.log_pep_view(actor, &page.view, Some("sign_off")).await?;
        Ok(page)
    }

    /// Sets the next PEP meeting: a UK date and time after this meeting
    /// and within six months of it.
    pub async fn set_next_meeting(
        &self,
        actor: &Actor,
        at: PepRef,
        fields: &Fields,
    ) -> Result<(), FormError> {
        let page = self.load_sign_off(actor, at).await?;
        if !openpep_domain::allowed(actor.role, Action::ArrangeMeeting, page.view.relationship) {
            return Err(ServiceError::NotFound.into());
        }
        if page.signed_off() {
            return Err(refused(SIGNED_OFF));
        }
        if page.returned() {
            return Err(refused(RETURNED));
        }
        let Some(this_meeting) = page.view.pep.meeting_at else {
            return Err(FormError::refused(
                "q_next_date",
                "Arrange this PEP's meeting before setting the next one",
            ));
        };
        let next = sign_off::check_next_meeting(fields, this_meeting)
            .map_err(|problems| FormError::Invalid(field_errors(problems)))?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        sign_off_rows::set_next_meeting(&mut tx, actor.la_id, page.view.pep.id, next, now).await?;
        let event = actor.event_about_child(
            "pep.next_meeting_set",
            ("pep", page.view.pep.id),
            page.view.child.id,
            json!({ "next_meeting_at": next }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks this person's part completed, or (`done` false) undoes it.
    /// The last part marked moves the PEP to "awaiting sign-off"; undoing
    /// one moves it back.
    pub async fn mark_part(&self, actor: &Actor, at: PepRef, done: bool) -> Result<(), FormError> {
        let page = self.load_sign_off(actor, at).await?;
        let Some(part) = page.my_part() else { return Err(ServiceError::NotFound.into()) };
        if page.signed_off() {
            return Err(refused(SIGNED_OFF));
        }
        if page.returned() {
            return Err(refused(RETURNED));
        }
        let readiness = page.readiness();
        if done {
            let blockers = readiness.to_mark();
            if !blockers.is_empty() {
                // The date box is there only for those who set it.
                let errors = blocker_errors(&blockers, "mark", page.may_set_next());
                return Err(FormError::Invalid(errors));
            }
        }
        let (la_id, pep_id) = (actor.la_id, page.view.pep.id);
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // Counted under the PEP's row lock: two last parts marked at once
        // still move it on.
        let from = sign_off_rows::hold(&mut tx, la_id, pep_id, now).await?;
        let changed = if done {
            sign_off_rows::mark(&mut tx, la_id, pep_id, part.code(), actor.user_id, now).await?
        } else {
            sign_off_rows::undo(&mut tx, la_id, pep_id, Some(part.code()), actor.user_id, now)
                .await?
                > 0
        };
        if !changed {
            return Ok(());
        }
        let standing = sign_off_rows::standing_parts(&mut tx, la_id, pep_id).await?;
        let all = page.needed.iter().all(|p| standing.iter().any(|s| s == p.code()));
        let event = match (done, all) {
            (true, true) => Some(PepEvent::PartsCompleted),
            (false, _) => Some(PepEvent::PartUndone),
            _ => None,
        };
        let from = PepStatus::from_code(&from).unwrap_or(page.status());
        if let Some(to) = event.and_then(|e| from.after(e).ok()) {
            peps::set_status(&mut tx, la_id, pep_id, from.code(), to.code(), now).await?;
        }
        let action = if done { "pep.part_completed" } else { "pep.part_undone" };
        let event = actor.event_about_child(
            action,
            ("pep", pep_id),
            page.view.child.id,
            json!({ "part": part.code() }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The designated teacher signs the PEP off: it is locked, its PDF is
    /// queued, the next term's PEP is made with its meeting set, and "PEP
    /// signed off" goes to the social worker, the school, the Virtual
    /// School and the authority's forwarding address.
    pub async fn sign_off_pep(&self, actor: &Actor, at: PepRef) -> Result<(), FormError> {
        let page = self.load_sign_off(actor, at).await?;
        if !page.signs_off() {
            return Err(ServiceError::NotFound.into());
        }
        if page.signed_off() {
            return Err(refused("This PEP has already been signed off"));
        }
        if page.returned() {
            return Err(refused(RETURNED));
        }
        let blockers = page.readiness().to_sign_off();
        if !blockers.is_empty() {
            let errors = blocker_errors(&blockers, "final", page.may_set_next());
            return Err(FormError::Invalid(errors));
        }
        // Set: `to_sign_off` refuses without it.
        let next_meeting = page.view.pep.next_meeting_at.unwrap_or_default();
        let view = &page.view;
        let (la_id, pep_id, child_id) = (actor.la_id, view.pep.id, view.child.id);
        let now = self.clock.now();
        let settings = &page.settings;
        // Read before the transaction: on SQLite it holds the write lock.
        let tell = self.signed_off_recipients(&page, actor.user_id).await?;
        let mut tx = self.db.begin().await?;
        if !sign_off_rows::sign_off(&mut tx, la_id, pep_id, actor.user_id, now).await? {
            return Err(refused(
                "Someone else changed this PEP's sign-off. Check it and try again",
            ));
        }
        let version =
            archives::queue(&mut tx, (la_id, child_id, pep_id), "signed_off", now).await?;
        let year = AcademicYear(view.pep.academic_year);
        let term = Term::from_code(&view.pep.term)
            .ok_or_else(|| ServiceError::Internal("a PEP with an unknown term".into()))?;
        let (next_year, next_term) = sign_off::next_term(year, term);
        let trigger = peps::termly_trigger(next_year.0, next_term.code());
        let due_on = settings
            .pep_deadline(next_year, next_term)
            .unwrap_or_else(|| utc_to_london(next_meeting).date());
        let (template_id, template) = ensure_template(&mut tx, la_id, now).await?;
        let previous = previous_pages(&mut tx, la_id, due_on, Some(child_id), &template).await?;
        let new = NewPep {
            la_id,
            child_id,
            school_id: view.pep.school_id,
            year: next_year,
            term: next_term,
            reason: "termly",
            trigger_key: trigger.clone(),
            due_on,
        };
        let created = create_pep(&mut tx, &new, template_id, &previous, Some(actor), now).await?;
        sign_off_rows::set_meeting_of(&mut tx, la_id, child_id, &trigger, next_meeting, now)
            .await?;
        let about = About { child_id, path: format!("{}/sign-off", page.view.path()) };
        let link = format!("{}{}", self.public_url, about.path);
        let content = messages::pep_signed_off(&link, &when_label(next_meeting));
        for email in tell {
            inbox::tell(&mut tx, la_id, &email, content.clone(), &about, now).await?;
        }
        let event = actor.event_about_child(
            "pep.signed_off",
            ("pep", pep_id),
            child_id,
            json!({
                "archive_version": version,
                "next_pep": { "academic_year": next_year.0, "term": next_term.code(), "created": created },
                "next_meeting_at": next_meeting,
            }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who hears "PEP signed off", each address once: the child's social workers
    /// and school staff, the VS officers invited to the meeting (else the
    /// Virtual School's heads), the signer, and the forwarding address.
    async fn signed_off_recipients(
        &self,
        page: &SignOffPage,
        signer: uuid::Uuid,
    ) -> Result<Vec<String>, ServiceError> {
        let la_id = page.view.pep.la_id;
        let invitees = match meeting_rows::for_pep(&self.db, la_id, page.view.pep.id).await? {
            Some(m) => meeting_rows::invitees(&self.db, la_id, m.id).await?,
            None => Vec::new(),
        };
        let mut to: Vec<String> = writers(&page.workers).map(|w| w.email.clone()).collect();
        to.extend(self.virtual_school_to_tell(la_id, &invitees).await?);
        let copies = page.settings.sign_off_copies_to.iter();
        to.extend(copies.filter(|c| !c.trim().is_empty()).cloned());
        to.push(users::get(&self.db, signer).await?.email);
        let mut seen = std::collections::HashSet::new();
        to.retain(|email| seen.insert(email.to_lowercase()));
        Ok(to)
    }

    /// The Virtual School reopens a signed-off PEP, with a reason: back to
    /// "meeting held", every part to be marked again.
    pub async fn reopen_pep(
        &self,
        actor: &Actor,
        at: PepRef,
        reason: &str,
    ) -> Result<(), FormError> {
        let page = self.load_sign_off(actor, at).await?;
        if !openpep_domain::allowed(actor.role, Action::QualityAssurePep, page.view.relationship) {
            return Err(ServiceError::NotFound.into());
        }
        if !page.signed_off() {
            return Err(refused("This PEP is not signed off"));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(FormError::refused("reason", "Enter why the PEP is being reopened"));
        }
        let from = page.status();
        if from.after(PepEvent::Reopened).is_err() {
            return Err(refused("This PEP cannot be reopened"));
        }
        let (la_id, pep_id, child_id) = (actor.la_id, page.view.pep.id, page.view.child.id);
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let reopened =
            sign_off_rows::reopen(&mut tx, la_id, pep_id, from.code(), reason, actor.user_id, now)
                .await?;
        if !reopened {
            return Err(changed_meanwhile());
        }
        sign_off_rows::undo(&mut tx, la_id, pep_id, None, actor.user_id, now).await?;
        self.tell_writers(&mut tx, &page.workers, &page.view, messages::pep_reopened, now).await?;
        let event = actor.event_about_child(
            "pep.reopened",
            ("pep", pep_id),
            child_id,
            json!({ "from": from.code(), "reason_length": reason.chars().count() }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
