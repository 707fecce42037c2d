//! The targets page: a PEP's SMART targets with their actions, written as
//! drafts before the meeting and agreed at it; the meeting's review of the
//! previous PEP's targets; what the SMART coach makes of each.

use openpep_domain::funding::request::FundingStatus;
use openpep_domain::pages::{Fields, Prompt};
use openpep_domain::targets::form::{self, CheckedTarget, Due, TargetContext, TermEnd, term_ends};
use openpep_domain::targets::review::{self, CheckedReview};
use openpep_domain::targets::smart::{self, Coaching};
use openpep_domain::targets::{AreaOfNeed, Outcome, TargetStatus, Who};
use openpep_domain::template::{Page as TemplatePage, PageKind};
use openpep_domain::{AcademicYear, Term};
use openpep_store::StoreError;
use openpep_store::audit;
use openpep_store::funding::{self as funding_rows, RequestRow};
use openpep_store::peps::{self, Pep};
use openpep_store::targets::{
    self as target_rows, NewTarget, ReviewRow, ReviewWrite, TargetFields, TargetRow,
};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::pep_editing::{PepRef, PepView, field_errors, mark_edited};
use crate::{Actor, ServiceError, Services};

/// The targets page as one person sees it.
#[derive(Debug, Clone)]
pub struct TargetsPage {
    pub view: PepView,
    /// The PEP before this one, whose targets this meeting reviews.
    pub previous: Option<Pep>,
    pub previous_targets: Vec<TargetRow>,
    /// The reviews made at this PEP's meeting.
    pub reviews: Vec<ReviewRow>,
    /// The funding requests on this PEP's targets.
    pub requests: Vec<RequestRow>,
    /// The funding requests on the previous PEP's targets.
    pub previous_requests: Vec<RequestRow>,
    pub term_ends: Vec<TermEnd>,
}

impl TargetsPage {
    pub fn page(&self) -> Option<&TemplatePage> {
        self.view.page_of_kind(PageKind::Targets)
    }

    pub fn may_edit(&self) -> bool {
        self.page().is_some_and(|p| self.view.may_edit(p))
    }

    pub fn review_of(&self, target: Uuid) -> Option<&ReviewRow> {
        self.reviews.iter().find(|r| r.target_id == target)
    }

    pub fn requests_on(&self, target: Uuid) -> impl Iterator<Item = &RequestRow> {
        self.requests.iter().chain(&self.previous_requests).filter(move |r| r.target_id == target)
    }

    /// The previous PEP's targets not yet reviewed at this meeting.
    pub fn unreviewed(&self) -> usize {
        self.previous_targets.iter().filter(|t| self.review_of(t.id).is_none()).count()
    }

    /// What stops the targets page being marked completed, in words.
    pub fn unfinished(&self) -> Vec<String> {
        unfinished(&self.view, self.unreviewed())
    }
}

/// Whether the target is about the carer's role or gives the carer an
/// action.
pub(crate) fn shows_carers_role(t: &TargetRow) -> bool {
    t.area == AreaOfNeed::CarerRole.code()
        || t.actions.0.iter().any(|a| a.who() == Some(Who::Carer))
}

/// What a good PEP's targets need before the page is completed: two
/// targets, one showing the carer's role, one for each prompt, every
/// target agreed, and the previous PEP's targets reviewed.
fn unfinished(view: &PepView, unreviewed: usize) -> Vec<String> {
    let targets = &view.targets;
    let mut out = Vec::new();
    if targets.len() < 2 {
        out.push("Write at least two targets".to_owned());
    }
    let carer = targets.iter().any(shows_carers_role);
    if !carer {
        out.push("Write a target that shows the carer's role, or give the carer an action".into());
    }
    for prompt in view.unanswered_prompts() {
        out.push(format!("Write the {}", prompt.in_sentence()));
    }
    let drafts = targets.iter().filter(|t| t.status == TargetStatus::Draft.code()).count();
    if drafts > 0 {
        out.push(format!(
            "Agree the {drafts} draft target{} at the meeting",
            if drafts == 1 { "" } else { "s" }
        ));
    }
    if unreviewed > 0 {
        out.push(format!(
            "Review the {unreviewed} target{} from the last PEP",
            if unreviewed == 1 { "" } else { "s" }
        ));
    }
    out
}

/// A stored target as the form checked it.
pub fn checked(row: &TargetRow) -> CheckedTarget {
    let due = match (&row.due_term, row.due_on) {
        (Some(code), ends_on) => {
            Due::EndOfTerm(TermEnd { code: code.clone(), label: row.due_label.clone(), ends_on })
        }
        (None, Some(date)) => Due::On(date),
        (None, None) => Due::EndOfTerm(TermEnd {
            code: String::new(),
            label: row.due_label.clone(),
            ends_on: None,
        }),
    };
    CheckedTarget {
        area: AreaOfNeed::from_code(&row.area).unwrap_or(AreaOfNeed::Other),
        description: row.description.clone(),
        starting_point: row.starting_point.clone(),
        success_measure: row.success_measure.clone(),
        due,
        actions: row.actions.0.clone(),
        status: TargetStatus::from_code(&row.status).unwrap_or(TargetStatus::Draft),
    }
}

/// What the SMART coach makes of a stored target.
pub fn coaching(row: &TargetRow) -> Coaching {
    smart::coach(&checked(row).text())
}

/// The target as its row stores it.
pub(crate) fn target_fields(t: &CheckedTarget) -> TargetFields<'_> {
    let (due_on, due_term) = match &t.due {
        Due::On(date) => (Some(*date), None),
        Due::EndOfTerm(end) => (end.ends_on, Some(end.code.as_str())),
    };
    TargetFields {
        area: t.area.code(),
        description: &t.description,
        starting_point: &t.starting_point,
        success_measure: &t.success_measure,
        due_on,
        due_term,
        due_label: "",
        actions: &t.actions,
        status: t.status.code(),
    }
}

/// A target to save from its form.
#[derive(Debug, Clone, Default)]
pub struct TargetSubmission {
    /// The version the editor started from (0 for a new target).
    pub base_version: i64,
    pub fields: Fields,
    /// The prompt a new target is written for.
    pub prompt: Option<String>,
}

/// Refuses a change to the targets of a signed-off PEP, or by someone
/// who does not complete the targets page.
fn may_change_targets(view: &PepView) -> Result<(), FormError> {
    let page = view.page_of_kind(PageKind::Targets).ok_or(ServiceError::NotFound)?;
    if view.locked() {
        return Err(FormError::refused("form", LOCKED));
    }
    if !view.may_edit(page) {
        return Err(ServiceError::Forbidden.into());
    }
    Ok(())
}

const LOCKED: &str = "This PEP has been signed off: its targets can no longer change";
const CHANGED: &str = "Someone else changed this target while you were editing it. Check it and make your change again";

impl Services {
    /// The targets page with everything it shows; not logged.
    pub(crate) async fn load_targets(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<TargetsPage, ServiceError> {
        let mut view = self.load_pep_to_save(actor, at).await?;
        if view.page_of_kind(PageKind::Targets).is_none() {
            return Err(ServiceError::NotFound);
        }
        let la_id = actor.la_id;
        let previous = peps::previous(&self.db, la_id, &view.pep).await?;
        let previous_id = previous.as_ref().map(|p| p.id);
        let (targets, previous_targets, reviews, requests, previous_requests, term_ends) = tokio::try_join!(
            async { Ok(target_rows::for_pep(&self.db, la_id, view.pep.id).await?) },
            async {
                Ok::<_, ServiceError>(match previous_id {
                    Some(id) => target_rows::for_pep(&self.db, la_id, id).await?,
                    None => Vec::new(),
                })
            },
            async { Ok(target_rows::reviews_in(&self.db, la_id, view.pep.id).await?) },
            async { Ok(funding_rows::for_pep(&self.db, la_id, view.pep.id).await?) },
            async {
                Ok(match previous_id {
                    Some(id) => funding_rows::for_pep(&self.db, la_id, id).await?,
                    None => Vec::new(),
                })
            },
            self.term_ends_for(&view),
        )?;
        view.targets = targets;
        Ok(TargetsPage {
            view,
            previous,
            previous_targets,
            reviews,
            requests,
            previous_requests,
            term_ends,
        })
    }

    /// The PEP with its targets, if this person may change them now.
    async fn targets_to_change(&self, actor: &Actor, at: PepRef) -> Result<PepView, FormError> {
        let mut view = self.load_pep_to_save(actor, at).await?;
        view.targets = target_rows::for_pep(&self.db, actor.la_id, at.pep_id).await?;
        may_change_targets(&view)?;
        Ok(view)
    }

    /// The ends of terms a target of this PEP may be due by.
    async fn term_ends_for(&self, view: &PepView) -> Result<Vec<TermEnd>, ServiceError> {
        let (settings, _) = self.authority_settings(view.pep.la_id).await?;
        let term = Term::from_code(&view.pep.term).unwrap_or(Term::Autumn);
        Ok(term_ends(AcademicYear(view.pep.academic_year), term, |y, t| {
            settings.term_dates(y, t).ok().map(|d| d.ends_on)
        }))
    }

    /// The targets page; the view is logged.
    pub async fn open_targets(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<TargetsPage, ServiceError> {
        let page = self.load_targets(actor, at).await?;
        let key = page.page().map(|p| p.key.clone());
        self.log_pep_view(actor, &page.view, key.as_deref()).await?;
        Ok(page)
    }

    /// What a target's form needs: the page, and the target being changed.
    pub fn target_context(&self, page: &TargetsPage, add_entry: Option<String>) -> TargetContext {
        TargetContext { today: page.view.today, term_ends: page.term_ends.clone(), add_entry }
    }

    /// Saves a new target (`target` None) or changes one of the PEP's.
    pub async fn save_target(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Option<Uuid>,
        sent: &TargetSubmission,
    ) -> Result<Uuid, FormError> {
        let view = self.targets_to_change(actor, at).await?;
        let existing = match target {
            Some(id) => {
                Some(view.targets.iter().find(|t| t.id == id).ok_or(ServiceError::NotFound)?)
            }
            None => None,
        };
        let ctx = TargetContext {
            today: view.today,
            term_ends: self.term_ends_for(&view).await?,
            add_entry: None,
        };
        let checked =
            form::check(&sent.fields, &ctx).map_err(|p| FormError::Invalid(field_errors(p)))?;
        let label = checked.due.label();
        let fields = TargetFields { due_label: &label, ..target_fields(&checked) };
        let prompt =
            sent.prompt.as_deref().filter(|key| view.prompts().iter().any(|p| p.key == *key));
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let (id, action) = match existing {
            Some(row) => {
                match target_rows::update(
                    &mut tx,
                    actor.la_id,
                    row.id,
                    sent.base_version,
                    &fields,
                    actor.user_id,
                    now,
                )
                .await
                {
                    Ok(_) => {}
                    Err(StoreError::StaleVersion) => {
                        return Err(FormError::refused("form", CHANGED));
                    }
                    Err(e) => return Err(e.into()),
                }
                (row.id, "target.updated")
            }
            None => {
                let id = Uuid::now_v7();
                let new = NewTarget {
                    id,
                    la_id: actor.la_id,
                    child_id: view.child.id,
                    pep_id: view.pep.id,
                    fields,
                    prompt,
                    carried_from: None,
                    by: actor.user_id,
                    now,
                };
                target_rows::insert(&mut tx, &new).await?;
                (id, "target.created")
            }
        };
        mark_edited(&mut tx, &view, now).await?;
        let details = json!({
            "pep": view.pep.id,
            "area": checked.area.code(),
            "status": checked.status.code(),
            "actions": checked.actions.len(),
            "prompt": prompt,
        });
        let event = actor.event_about_child(action, ("target", id), view.child.id, details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks every draft target that has its starting point and measure
    /// agreed, as the meeting does; how many were.
    pub async fn agree_targets(&self, actor: &Actor, at: PepRef) -> Result<u64, FormError> {
        let view = self.targets_to_change(actor, at).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let agreed =
            target_rows::agree_all(&mut tx, actor.la_id, view.pep.id, actor.user_id, now).await?;
        if agreed > 0 {
            mark_edited(&mut tx, &view, now).await?;
            let event = actor.event_about_child(
                "target.agreed",
                ("pep", view.pep.id),
                view.child.id,
                json!({ "agreed": agreed }),
                now,
            );
            audit::record(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(agreed)
    }

    /// Removes a target that has no funding asked for beyond a draft.
    pub async fn delete_target(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Uuid,
        base_version: i64,
    ) -> Result<(), FormError> {
        let view = self.targets_to_change(actor, at).await?;
        let row = view.targets.iter().find(|t| t.id == target).ok_or(ServiceError::NotFound)?;
        let requests = funding_rows::for_pep(&self.db, actor.la_id, view.pep.id).await?;
        let asked = requests.iter().filter(|r| r.target_id == target).any(|r| {
            FundingStatus::from_code(&r.status).is_some_and(|s| s != FundingStatus::Draft)
        });
        if asked {
            return Err(FormError::refused(
                "form",
                "This target has funding that has been submitted to the Virtual School, so it cannot be removed",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        match target_rows::delete(&mut tx, actor.la_id, row.id, base_version, actor.user_id, now)
            .await
        {
            Ok(()) => {}
            Err(StoreError::StaleVersion) => return Err(FormError::refused("form", CHANGED)),
            Err(e) => return Err(e.into()),
        }
        let event = actor.event_about_child(
            "target.deleted",
            ("target", row.id),
            view.child.id,
            json!({ "pep": view.pep.id }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the meeting's review of one of the previous PEP's targets. A
    /// target carried forward is copied into this PEP, linked to it.
    pub async fn review_target(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Uuid,
        base_version: i64,
        fields: &Fields,
    ) -> Result<(), FormError> {
        let page = self.load_targets(actor, at).await?;
        let view = &page.view;
        may_change_targets(view)?;
        let old =
            page.previous_targets.iter().find(|t| t.id == target).ok_or(ServiceError::NotFound)?;
        let funded = funded(page.requests_on(target));
        let checked =
            review::check(fields, funded).map_err(|p| FormError::Invalid(field_errors(p)))?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let write = ReviewWrite {
            la_id: actor.la_id,
            pep_id: view.pep.id,
            target_id: target,
            expected_version: base_version,
            outcome: checked.outcome.code(),
            impact: &checked.impact,
            evidence: &checked.evidence,
            spend_impact: &checked.spend_impact,
            by: actor.user_id,
            now,
        };
        match target_rows::save_review(&mut tx, &write, Uuid::now_v7()).await {
            Ok(_) => {}
            Err(StoreError::StaleVersion) => {
                return Err(FormError::refused(
                    "form",
                    "Someone else reviewed this target while you were editing it. Check their review and make your change again",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let carried = checked.outcome == Outcome::CarriedForward
            && !view.targets.iter().any(|t| t.carried_from == Some(target));
        if carried {
            self.carry_forward(&mut tx, actor, &page, old, now).await?;
        }
        mark_edited(&mut tx, view, now).await?;
        let details = json!({
            "pep": view.pep.id,
            "outcome": checked.outcome.code(),
            "funded": funded,
            "carried_forward": carried,
        });
        let event = actor.event_about_child(
            "target.reviewed",
            ("target", target),
            view.child.id,
            details,
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Copies a target into this PEP as a draft linked to the original; a
    /// due date already past becomes the end of this PEP's term.
    async fn carry_forward(
        &self,
        tx: &mut openpep_store::Tx,
        actor: &Actor,
        page: &TargetsPage,
        old: &TargetRow,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), FormError> {
        let view = &page.view;
        let mut copy = checked(old);
        copy.status = TargetStatus::Draft;
        let past = copy.due.date().is_none_or(|d| d < view.today);
        if past && let Some(end) = page.term_ends.first() {
            copy.due = Due::EndOfTerm(end.clone());
        }
        let label = copy.due.label();
        let id = Uuid::now_v7();
        let new = NewTarget {
            id,
            la_id: actor.la_id,
            child_id: view.child.id,
            pep_id: view.pep.id,
            fields: TargetFields { due_label: &label, ..target_fields(&copy) },
            prompt: None,
            carried_from: Some(old.id),
            by: actor.user_id,
            now,
        };
        if !target_rows::insert(tx, &new).await? {
            return Ok(()); // carried already by someone else at the same moment
        }
        let event = actor.event_about_child(
            "target.carried_forward",
            ("target", id),
            view.child.id,
            json!({ "pep": view.pep.id, "from": old.id }),
            now,
        );
        audit::record(tx, &event).await?;
        Ok(())
    }

    /// The targets page's problems that stop it being completed.
    pub(crate) async fn targets_unfinished(
        &self,
        view: &PepView,
    ) -> Result<Vec<String>, ServiceError> {
        let unreviewed = self.unreviewed_previous_targets(view).await?.unwrap_or(0);
        Ok(unfinished(view, unreviewed))
    }

    /// How many of the previous PEP's targets this PEP's meeting has not
    /// reviewed; `None` when the previous PEP had none (or there is none).
    pub(crate) async fn unreviewed_previous_targets(
        &self,
        view: &PepView,
    ) -> Result<Option<usize>, ServiceError> {
        let la_id = view.pep.la_id;
        let Some(previous) = peps::previous(&self.db, la_id, &view.pep).await? else {
            return Ok(None);
        };
        let (old, reviews) = tokio::try_join!(
            target_rows::for_pep(&self.db, la_id, previous.id),
            target_rows::reviews_in(&self.db, la_id, view.pep.id),
        )?;
        let unreviewed =
            old.iter().filter(|t| !reviews.iter().any(|r| r.target_id == t.id)).count();
        Ok((!old.is_empty()).then_some(unreviewed))
    }
}

/// Whether any of a target's requests had money approved.
pub fn funded<'a>(mut requests: impl Iterator<Item = &'a RequestRow>) -> bool {
    requests.any(|r| FundingStatus::from_code(&r.status).is_some_and(|s| s.counts_as_approved()))
}

/// The prompt a target was written for, if it still applies.
pub fn prompt_of<'a>(prompts: &'a [Prompt], row: &TargetRow) -> Option<&'a Prompt> {
    prompts.iter().find(|p| row.prompt.as_deref() == Some(p.key.as_str()))
}

/// A review's form fields as stored.
pub fn review_fields(row: &ReviewRow) -> Fields {
    review::fields_of(&CheckedReview {
        outcome: Outcome::from_code(&row.outcome).unwrap_or(Outcome::NotAchieved),
        impact: row.impact.clone(),
        evidence: row.evidence.clone(),
        spend_impact: row.spend_impact.clone(),
    })
}
