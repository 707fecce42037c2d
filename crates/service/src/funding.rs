//! Funding requests on targets and the Virtual School's decisions on them,
//! under the authority's own funding policy.

use std::collections::HashMap;

use openpep_domain::funding::budget::Totals;
use openpep_domain::funding::{
    CheckedRequest, Decision, DecisionInput, DecisionKind, FundingPolicy, FundingStatus,
    RequestContext, RequestInput, check_decision, check_request,
};
use openpep_domain::pages::Problems;
use openpep_domain::{AcademicYear, Action, AuthorityAction, NcYear, Pence, Role, Term};
use openpep_store::StoreError;
use openpep_store::audit;
use openpep_store::funding::{
    self as funding_rows, Move, NewRequest, QueueFilter, RequestFields, RequestRow, StatusSum,
};
use openpep_store::targets::TargetRow;
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::pep_editing::{PepRef, PepView, field_errors, mark_edited};
use crate::targets::TargetsPage;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// A request's form: the targets page it hangs on, its target, the request
/// when it exists, and the policy it is checked by.
#[derive(Debug, Clone)]
pub struct RequestForm {
    pub page: TargetsPage,
    pub target: openpep_store::targets::TargetRow,
    pub request: Option<RequestRow>,
    pub policy: FundingPolicy,
    pub nc_year: NcYear,
}

impl RequestForm {
    /// Whether this person may change and submit the request.
    pub fn may_change(&self) -> bool {
        !self.page.view.locked()
            && may_request(&self.page)
            && self.request.as_ref().is_none_or(|r| status_of(r).editable())
    }
}

/// The target a request is on and the request itself: a new request's
/// target, or an existing request (and its target). Either must be the
/// PEP's own.
fn find_request(
    page: &TargetsPage,
    target: Option<Uuid>,
    request: Option<Uuid>,
) -> Result<(&TargetRow, Option<&RequestRow>), ServiceError> {
    let request = match request {
        Some(id) => Some(page.requests.iter().find(|r| r.id == id).ok_or(ServiceError::NotFound)?),
        None => None,
    };
    let target_id = request.map(|r| r.target_id).or(target).ok_or(ServiceError::NotFound)?;
    if target.is_some_and(|t| t != target_id) {
        return Err(ServiceError::NotFound);
    }
    let target = page.view.targets.iter().find(|t| t.id == target_id);
    Ok((target.ok_or(ServiceError::NotFound)?, request))
}

/// Refuses funding on a signed-off PEP, or asked for by someone who may not.
fn may_ask(page: &TargetsPage) -> Result<(), FormError> {
    if page.view.locked() {
        return Err(FormError::refused(
            "form",
            "This PEP has been signed off: funding can no longer be asked for on its targets",
        ));
    }
    may_request_here(page)?;
    Ok(())
}

/// Refuses asking for funding to someone whose role may not (hidden, as
/// a route they may not use is) or who cannot change these targets.
fn may_request_here(page: &TargetsPage) -> Result<(), ServiceError> {
    let view = &page.view;
    if !openpep_domain::allowed(view.role, Action::RequestFunding, view.relationship) {
        return Err(ServiceError::NotFound);
    }
    if !page.may_edit() {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

pub fn status_of(row: &RequestRow) -> FundingStatus {
    FundingStatus::from_code(&row.status).unwrap_or(FundingStatus::Draft)
}

/// Whether this person may ask for funding on the PEP's targets.
pub fn may_request(page: &TargetsPage) -> bool {
    let view = &page.view;
    openpep_domain::allowed(view.role, Action::RequestFunding, view.relationship) && page.may_edit()
}

/// The approval queue as the Virtual School filters it.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub status: Option<FundingStatus>,
    pub school_id: Option<Uuid>,
    pub year: Option<AcademicYear>,
    pub term: Option<Term>,
    pub category: Option<String>,
    pub min: Option<Pence>,
    pub max: Option<Pence>,
}

/// One request in the queue, with the child's funding so far.
#[derive(Debug, Clone)]
pub struct QueuedRequest {
    pub row: RequestRow,
    /// The child's requests this term and this year (this one included).
    pub this_term: Totals,
    pub this_year: Totals,
    /// What the policy allows a child of this source a term, if it says.
    pub allowance: Option<Pence>,
}

#[derive(Debug, Clone)]
pub struct FundingQueue {
    pub requests: Vec<QueuedRequest>,
    pub policy: FundingPolicy,
    /// The year's requests by school and term.
    pub by_school: Vec<StatusSum>,
    pub year: AcademicYear,
}

/// What moving a request on does besides its status.
enum Step<'a> {
    /// The Virtual School's decision, e-mailed to who asked.
    Decide {
        decision: &'a Decision,
        tell: &'a [&'a str],
    },
    Pay,
}

/// What a decision on several requests did.
#[derive(Debug, Clone, Default)]
pub struct Decided {
    pub decided: usize,
    /// Requests someone else decided first, by child: told, not changed.
    pub already: Vec<String>,
}

const QUEUE_LIMIT: i64 = 500;

impl Services {
    /// The authority's funding policy and its version (0: the standard
    /// policy, never saved).
    pub async fn funding_policy(&self, la_id: Uuid) -> Result<(i64, FundingPolicy), ServiceError> {
        match funding_rows::current_policy(&self.db, la_id).await? {
            Some((version, value)) => serde_json::from_value(value)
                .map(|p| (version, p))
                .map_err(|e| ServiceError::Internal(format!("funding policy: {e}"))),
            None => Ok((0, FundingPolicy::standard())),
        }
    }

    /// Saves a new version of the policy over the one the admin saw.
    pub async fn save_funding_policy(
        &self,
        actor: &Actor,
        expected_version: i64,
        policy: &FundingPolicy,
        what: &str,
    ) -> Result<i64, FormError> {
        if !openpep_domain::may(actor.role, AuthorityAction::ManageSettings) {
            return Err(ServiceError::Forbidden.into());
        }
        policy.check().map_err(|p| FormError::Invalid(field_errors(p)))?;
        let value = serde_json::to_value(policy)
            .map_err(|e| ServiceError::Internal(format!("funding policy: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let version = match funding_rows::save_policy(
            &mut tx,
            actor.la_id,
            expected_version,
            &value,
            Some(actor.user_id),
            now,
        )
        .await
        {
            Ok(v) => v,
            Err(StoreError::StaleVersion) => {
                return Err(FormError::refused(
                    "form",
                    "Someone else changed the funding policy while you were editing it. Check it and make your change again",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let event = actor.event(
            "funding_policy.saved",
            ("authority", actor.la_id),
            json!({ "version": version, "change": what }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A request's form: a new one on a target of the PEP, or the request
    /// (its target found from it); the view is logged.
    pub async fn funding_request_form(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Option<Uuid>,
        request: Option<Uuid>,
    ) -> Result<RequestForm, ServiceError> {
        let page = self.open_targets(actor, at).await?;
        let (target, request) = find_request(&page, target, request)?;
        let (target, request) = (target.clone(), request.cloned());
        if request.is_none() {
            may_request_here(&page)?;
        }
        let (_, policy) = self.funding_policy(actor.la_id).await?;
        let nc_year = page.view.facts.nc_year;
        Ok(RequestForm { page, target, request, policy, nc_year })
    }

    /// Checks a request against the authority's policy, counting what the
    /// child already has in its purpose this term (the request itself
    /// left out) towards the cap.
    async fn check_against_policy(
        &self,
        view: &PepView,
        input: &RequestInput,
        except: Option<Uuid>,
    ) -> Result<Result<CheckedRequest, Problems>, ServiceError> {
        let pep = &view.pep;
        let (_, policy) = self.funding_policy(pep.la_id).await?;
        let so_far = funding_rows::category_total(
            &self.db,
            pep.la_id,
            view.child.id,
            pep.academic_year,
            &pep.term,
            input.category.trim(),
            except,
        )
        .await?;
        let ctx = RequestContext {
            policy: &policy,
            nc_year: view.facts.nc_year,
            year: AcademicYear(pep.academic_year),
            term: Term::from_code(&pep.term).unwrap_or(Term::Autumn),
            same_category_this_term: Pence::from_pence(so_far),
        };
        Ok(check_request(input, &ctx))
    }

    /// Saves a request (new, or a draft or one sent back for more
    /// information) after checking it against the policy.
    pub async fn save_funding_request(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Option<Uuid>,
        request: Option<Uuid>,
        base_version: i64,
        input: &RequestInput,
    ) -> Result<Uuid, FormError> {
        let page = self.load_targets(actor, at).await?;
        let view = &page.view;
        may_ask(&page)?;
        let (target, existing) = find_request(&page, target, request)?;
        if let Some(row) = existing
            && !status_of(row).editable()
        {
            return Err(FormError::refused(
                "form",
                format!(
                    "This request is {}: it can no longer be changed",
                    status_of(row).label().to_lowercase()
                ),
            ));
        }
        let checked = self
            .check_against_policy(view, input, existing.map(|r| r.id))
            .await?
            .map_err(|p| FormError::Invalid(field_errors(p)))?;
        let fields = RequestFields {
            source: &checked.source,
            purchase: &checked.purchase,
            category: &checked.category,
            amount_pence: checked.amount.pence(),
            comments: &checked.comments,
            discretionary: checked.discretionary,
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let (id, action) = match existing {
            Some(row) => {
                match funding_rows::update(&mut tx, actor.la_id, row.id, base_version, &fields, now)
                    .await
                {
                    Ok(_) => (row.id, "funding.updated"),
                    Err(StoreError::StaleVersion) => {
                        return Err(FormError::refused(
                            "form",
                            "Someone else changed this request while you were editing it. Check it and make your change again",
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => {
                let id = Uuid::now_v7();
                let new = NewRequest {
                    id,
                    la_id: actor.la_id,
                    child_id: view.child.id,
                    pep_id: view.pep.id,
                    target_id: target.id,
                    school_id: view.school.as_ref().map(|s| s.school_id),
                    academic_year: view.pep.academic_year,
                    term: &view.pep.term,
                    fields,
                    by: actor.user_id,
                    now,
                };
                funding_rows::insert(&mut tx, &new).await?;
                (id, "funding.requested")
            }
        };
        mark_edited(&mut tx, view, now).await?;
        let details = json!({
            "target": target.id,
            "source": checked.source,
            "category": checked.category,
            "amount_pence": checked.amount.pence(),
        });
        let event =
            actor.event_about_child(action, ("funding_request", id), view.child.id, details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// "Submit funding request": to the Virtual School for a decision. The
    /// request is checked against today's policy first.
    pub async fn submit_funding_request(
        &self,
        actor: &Actor,
        at: PepRef,
        request: Uuid,
    ) -> Result<(), FormError> {
        let page = self.load_targets(actor, at).await?;
        let view = &page.view;
        may_ask(&page)?;
        let row = page.requests.iter().find(|r| r.id == request).ok_or(ServiceError::NotFound)?;
        if !status_of(row).may_submit() {
            return Err(FormError::refused(
                "form",
                format!("This request is already {}", status_of(row).label().to_lowercase()),
            ));
        }
        let input = RequestInput {
            source: row.source.clone(),
            purchase: row.purchase.clone(),
            category: row.category.clone(),
            amount: Pence::from_pence(row.amount_pence).to_string(),
            comments: row.comments.clone(),
        };
        if let Err(problems) = self.check_against_policy(view, &input, Some(row.id)).await? {
            let mut errors = FieldErrors::default();
            for (_, message) in problems.0 {
                errors.add("form", message);
            }
            return Err(FormError::Invalid(errors));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let m = Move {
            la_id: actor.la_id,
            id: row.id,
            from: &[FundingStatus::Draft.code(), FundingStatus::MoreInformation.code()],
            to: FundingStatus::Submitted.code(),
            by: actor.user_id,
            now,
        };
        match funding_rows::submit(&mut tx, &m).await {
            Ok(()) => {}
            Err(StoreError::StaleVersion) => {
                return Err(FormError::refused("form", "This request has already been submitted"));
            }
            Err(e) => return Err(e.into()),
        }
        let details = json!({ "amount_pence": row.amount_pence, "category": row.category });
        let event = actor.event_about_child(
            "funding.submitted",
            ("funding_request", row.id),
            view.child.id,
            details,
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The Virtual School's queue of requests, with each child's funding so
    /// far and the year's totals by school.
    pub async fn funding_queue(
        &self,
        actor: &Actor,
        q: &QueueQuery,
    ) -> Result<FundingQueue, ServiceError> {
        if !openpep_domain::may(actor.role, AuthorityAction::DecideFunding)
            && !openpep_domain::may(actor.role, AuthorityAction::PayFunding)
        {
            return Err(ServiceError::Forbidden);
        }
        let year = q.year.unwrap_or_else(|| AcademicYear::containing(self.clock.today()));
        let status = q.status.unwrap_or(FundingStatus::Submitted);
        let filter = QueueFilter {
            status: status.code(),
            school_id: q.school_id,
            academic_year: Some(year.0),
            term: q.term.map(Term::code),
            category: q.category.as_deref(),
            min_pence: q.min.map(Pence::pence),
            max_pence: q.max.map(Pence::pence),
            limit: QUEUE_LIMIT,
        };
        let rows = funding_rows::queue(&self.db, actor.la_id, &filter).await?;
        let children: Vec<Uuid> = {
            let mut ids: Vec<Uuid> = rows.iter().map(|r| r.child_id).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let ((_, policy), sums, by_school) = tokio::try_join!(
            self.funding_policy(actor.la_id),
            async {
                Ok(funding_rows::sums_for_children(&self.db, actor.la_id, year.0, &children)
                    .await?)
            },
            async {
                Ok::<_, ServiceError>(
                    funding_rows::sums_by_school(&self.db, actor.la_id, year.0).await?,
                )
            },
        )?;
        let mut per_child: HashMap<Uuid, Vec<&StatusSum>> = HashMap::new();
        for s in &sums {
            if let Some(id) = s.key_id {
                per_child.entry(id).or_default().push(s);
            }
        }
        let requests = rows
            .into_iter()
            .map(|row| {
                let mut this_term = Totals::default();
                let mut this_year = Totals::default();
                for s in per_child.get(&row.child_id).into_iter().flatten() {
                    let totals = totals_of(s);
                    if s.term == row.term {
                        this_term.merge(totals);
                    }
                    this_year.merge(totals);
                }
                let allowance = Term::from_code(&row.term).and_then(|term| {
                    policy.source(&row.source).and_then(|s| s.allowance(year, term))
                });
                QueuedRequest { row, this_term, this_year, allowance }
            })
            .collect();
        Ok(FundingQueue { requests, policy, by_school, year })
    }

    /// Decides requests awaiting a decision, each on its own: one someone
    /// else decided first is left as they decided it and reported. The
    /// person who asked is e-mailed the decision.
    pub async fn decide_funding(
        &self,
        actor: &Actor,
        ids: &[Uuid],
        input: &DecisionInput,
    ) -> Result<Decided, FormError> {
        if !openpep_domain::may(actor.role, AuthorityAction::DecideFunding) {
            return Err(ServiceError::Forbidden.into());
        }
        if ids.is_empty() {
            return Err(FormError::refused("requests", "Select the requests to decide"));
        }
        let rows = self.requests(actor, ids).await?;
        if rows.len() > 1 && input.kind == DecisionKind::PartApprove.code() {
            return Err(FormError::refused(
                "kind",
                "Part-approve one request at a time, with the amount approved",
            ));
        }
        // Every decision is checked before any is recorded. The queue's
        // fields are named plainly (no page prefix).
        let mut decisions = Vec::new();
        for row in &rows {
            let decision = check_decision(input, Pence::from_pence(row.amount_pence))
                .map_err(|p| FormError::Invalid(FieldErrors::from_problems(p)))?;
            decisions.push(decision);
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let askers = funding_rows::askers(&self.db, actor.la_id, &ids).await?;
        let mut done = Decided::default();
        for (row, decision) in rows.iter().zip(&decisions) {
            let tell: Vec<&str> =
                askers.iter().filter(|(id, _)| *id == row.id).map(|(_, e)| e.as_str()).collect();
            let step = Step::Decide { decision, tell: &tell };
            self.move_request(actor, row, &[FundingStatus::Submitted], step, &mut done).await?;
        }
        Ok(done)
    }

    /// Records approved requests as paid.
    pub async fn pay_funding(&self, actor: &Actor, ids: &[Uuid]) -> Result<Decided, FormError> {
        if !openpep_domain::may(actor.role, AuthorityAction::PayFunding) {
            return Err(ServiceError::Forbidden.into());
        }
        if ids.is_empty() {
            return Err(FormError::refused("requests", "Select the requests that have been paid"));
        }
        let mut done = Decided::default();
        let approved = [FundingStatus::Approved, FundingStatus::PartApproved];
        for row in self.requests(actor, ids).await? {
            self.move_request(actor, &row, &approved, Step::Pay, &mut done).await?;
        }
        Ok(done)
    }

    /// The authority's requests by id, in one query; any not found (or of
    /// another authority) is `NotFound`.
    async fn requests(&self, actor: &Actor, ids: &[Uuid]) -> Result<Vec<RequestRow>, ServiceError> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        let rows = funding_rows::get_many(&self.db, actor.la_id, &ids).await?;
        if rows.len() != ids.len() {
            return Err(ServiceError::NotFound);
        }
        Ok(rows)
    }

    /// Moves one request on from one of `from`, in its own transaction with
    /// its audit row (and, for a decision, the e-mails to who asked). One
    /// someone else moved first is left as they left it and reported.
    async fn move_request(
        &self,
        actor: &Actor,
        row: &RequestRow,
        from: &[FundingStatus],
        step: Step<'_>,
        done: &mut Decided,
    ) -> Result<(), FormError> {
        let from: Vec<&str> = from.iter().map(|s| s.code()).collect();
        let to = match &step {
            Step::Decide { decision, .. } => decision.status(),
            Step::Pay => FundingStatus::Paid,
        };
        let now = self.clock.now();
        let m = Move {
            la_id: actor.la_id,
            id: row.id,
            from: &from,
            to: to.code(),
            by: actor.user_id,
            now,
        };
        let mut tx = self.db.begin().await?;
        let moved = match &step {
            Step::Decide { decision, .. } => {
                let approved = decision.approved.map(Pence::pence);
                funding_rows::decide(&mut tx, &m, approved, &decision.note).await
            }
            Step::Pay => funding_rows::pay(&mut tx, &m).await,
        };
        match moved {
            Ok(()) => {}
            Err(StoreError::StaleVersion) => {
                drop(tx);
                let now_row = funding_rows::get(&self.db, actor.la_id, row.id).await?;
                done.already.push(already_text(now_row.as_ref().unwrap_or(row)));
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        let (action, details) = match step {
            Step::Decide { decision, tell } => {
                let path = format!(
                    "{}/funding/{}",
                    crate::pep_editing::pep_path(row.child_id, row.pep_id),
                    row.id
                );
                let link = format!("{}{path}", self.public_url);
                let about = crate::inbox::About { child_id: row.child_id, path };
                for email in tell {
                    let content = crate::mail::messages::funding_decision(to.label(), &link);
                    crate::inbox::tell(&mut tx, actor.la_id, email, content, &about, now).await?;
                }
                let details = json!({
                    "decision": decision.kind.code(),
                    "approved_pence": decision.approved.map(Pence::pence),
                    "amount_pence": row.amount_pence,
                });
                ("funding.decided", details)
            }
            Step::Pay => ("funding.paid", json!({ "paid_pence": row.approved_pence })),
        };
        let entity = ("funding_request", row.id);
        let event = actor.event_about_child(action, entity, row.child_id, details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        done.decided += 1;
        Ok(())
    }

    /// The child's funding requests, for their overview; only for those who
    /// see the child's full record.
    pub async fn child_funding(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<Vec<RequestRow>, ServiceError> {
        let (_, relationship) = self.child_access(actor, child_id).await?;
        if !openpep_domain::allowed(actor.role, Action::ViewChildRecord, relationship) {
            return Ok(Vec::new());
        }
        Ok(funding_rows::for_child(&self.db, actor.la_id, child_id).await?)
    }
}

fn totals_of(s: &StatusSum) -> Totals {
    let mut t = Totals::default();
    let status = FundingStatus::from_code(&s.status).unwrap_or(FundingStatus::Draft);
    // Each row is a sum: added once with its totals, counted as its requests.
    t.add(status, Pence::from_pence(s.amount_pence), Some(Pence::from_pence(s.approved_pence)));
    t.count = u32::try_from(s.requests).unwrap_or(u32::MAX);
    t
}

fn already_text(row: &RequestRow) -> String {
    let by = row.decided_by_name.clone().unwrap_or_else(|| "someone else".into());
    format!(
        "{}'s request for {} was already {} by {by}",
        row.child_name,
        Pence::from_pence(row.amount_pence),
        status_of(row).label().to_lowercase()
    )
}

/// The roles that see the queue's link in the navigation.
pub fn sees_funding_queue(role: Role) -> bool {
    openpep_domain::may(role, AuthorityAction::DecideFunding)
        || openpep_domain::may(role, AuthorityAction::PayFunding)
}
