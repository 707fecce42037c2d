//! Funding requests on targets and the Virtual School's decisions on them,
//! under the authority's own funding policy.

use std::collections::HashMap;

use openpep_domain::funding::budget::Totals;
use openpep_domain::funding::{
    DecisionInput, FundingPolicy, FundingStatus, RequestContext, RequestInput, check_decision,
    check_request,
};
use openpep_domain::{AcademicYear, Action, AuthorityAction, NcYear, Pence, Role, Term};
use openpep_store::StoreError;
use openpep_store::audit;
use openpep_store::funding::{
    self as funding_rows, Move, NewRequest, QueueFilter, RequestFields, RequestRow, StatusSum,
};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::pep_editing::{PepRef, field_errors, mark_edited};
use crate::targets::TargetsPage;
use crate::{Actor, FieldErrors, ServiceError, Services};

fn refused(field: &str, message: impl Into<String>) -> FormError {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    FormError::Invalid(errors)
}

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
                return Err(refused(
                    "form",
                    "Someone else changed the funding policy while you were editing it. Check it and make your change again",
                ));
            }
            Err(e) => return Err(ServiceError::from(e).into()),
        };
        let event = actor.event(
            "funding_policy.saved",
            ("authority", actor.la_id),
            json!({ "version": version, "change": what }),
            now,
        );
        audit::record(&mut tx, &event).await.map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(version)
    }

    /// A request's form on one of the PEP's targets; the view is logged.
    pub async fn funding_request_form(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Uuid,
        request: Option<Uuid>,
    ) -> Result<RequestForm, ServiceError> {
        let page = self.open_targets(actor, at).await?;
        let target = page.view.targets.iter().find(|t| t.id == target).cloned();
        let target = target.ok_or(ServiceError::NotFound)?;
        let request = match request {
            Some(id) => Some(
                page.requests
                    .iter()
                    .find(|r| r.id == id && r.target_id == target.id)
                    .cloned()
                    .ok_or(ServiceError::NotFound)?,
            ),
            None => None,
        };
        if request.is_none() && !may_request(&page) {
            return Err(ServiceError::Forbidden);
        }
        let (_, policy) = self.funding_policy(actor.la_id).await?;
        let nc_year = page.view.facts.nc_year;
        Ok(RequestForm { page, target, request, policy, nc_year })
    }

    /// Saves a request (new, or a draft or one sent back for more
    /// information) after checking it against the policy.
    pub async fn save_funding_request(
        &self,
        actor: &Actor,
        at: PepRef,
        target: Uuid,
        request: Option<Uuid>,
        base_version: i64,
        input: &RequestInput,
    ) -> Result<Uuid, FormError> {
        let page = self.load_targets(actor, at).await?;
        let view = &page.view;
        if view.locked() {
            return Err(refused(
                "form",
                "This PEP has been signed off: funding can no longer be asked for on its targets",
            ));
        }
        if !may_request(&page) {
            return Err(ServiceError::Forbidden.into());
        }
        let target = view.targets.iter().find(|t| t.id == target).ok_or(ServiceError::NotFound)?;
        let existing = match request {
            Some(id) => Some(
                page.requests
                    .iter()
                    .find(|r| r.id == id && r.target_id == target.id)
                    .ok_or(ServiceError::NotFound)?,
            ),
            None => None,
        };
        if let Some(row) = existing
            && !status_of(row).editable()
        {
            return Err(refused(
                "form",
                format!(
                    "This request is {}: it can no longer be changed",
                    status_of(row).label().to_lowercase()
                ),
            ));
        }
        let (_, policy) = self.funding_policy(actor.la_id).await?;
        let term = Term::from_code(&view.pep.term).unwrap_or(Term::Autumn);
        let so_far = funding_rows::category_total(
            &self.db,
            actor.la_id,
            view.child.id,
            view.pep.academic_year,
            &view.pep.term,
            input.category.trim(),
            existing.map(|r| r.id),
        )
        .await?;
        let ctx = RequestContext {
            policy: &policy,
            nc_year: view.facts.nc_year,
            year: AcademicYear(view.pep.academic_year),
            term,
            same_category_this_term: Pence::from_pence(so_far),
        };
        let checked =
            check_request(input, &ctx).map_err(|p| FormError::Invalid(field_errors(p)))?;
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
                        return Err(refused(
                            "form",
                            "Someone else changed this request while you were editing it. Check it and make your change again",
                        ));
                    }
                    Err(e) => return Err(ServiceError::from(e).into()),
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
                funding_rows::insert(&mut tx, &new).await.map_err(ServiceError::from)?;
                (id, "funding.requested")
            }
        };
        mark_edited(&mut tx, view, now).await.map_err(ServiceError::from)?;
        let details = json!({
            "target": target.id,
            "source": checked.source,
            "category": checked.category,
            "amount_pence": checked.amount.pence(),
        });
        let event =
            actor.event_about_child(action, ("funding_request", id), view.child.id, details, now);
        audit::record(&mut tx, &event).await.map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
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
        if view.locked() {
            return Err(refused(
                "form",
                "This PEP has been signed off: funding can no longer be asked for on its targets",
            ));
        }
        if !may_request(&page) {
            return Err(ServiceError::Forbidden.into());
        }
        let row = page.requests.iter().find(|r| r.id == request).ok_or(ServiceError::NotFound)?;
        if !status_of(row).may_submit() {
            return Err(refused(
                "form",
                format!("This request is already {}", status_of(row).label().to_lowercase()),
            ));
        }
        let (_, policy) = self.funding_policy(actor.la_id).await?;
        let so_far = funding_rows::category_total(
            &self.db,
            actor.la_id,
            view.child.id,
            view.pep.academic_year,
            &view.pep.term,
            &row.category,
            Some(row.id),
        )
        .await?;
        let input = RequestInput {
            source: row.source.clone(),
            purchase: row.purchase.clone(),
            category: row.category.clone(),
            amount: Pence::from_pence(row.amount_pence).to_string(),
            comments: row.comments.clone(),
        };
        let ctx = RequestContext {
            policy: &policy,
            nc_year: view.facts.nc_year,
            year: AcademicYear(view.pep.academic_year),
            term: Term::from_code(&view.pep.term).unwrap_or(Term::Autumn),
            same_category_this_term: Pence::from_pence(so_far),
        };
        if let Err(problems) = check_request(&input, &ctx) {
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
                return Err(refused("form", "This request has already been submitted"));
            }
            Err(e) => return Err(ServiceError::from(e).into()),
        }
        let details = json!({ "amount_pence": row.amount_pence, "category": row.category });
        let event = actor.event_about_child(
            "funding.submitted",
            ("funding_request", row.id),
            view.child.id,
            details,
            now,
        );
        audit::record(&mut tx, &event).await.map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
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
        let statuses = [status.code()];
        let filter = QueueFilter {
            statuses: &statuses,
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
            return Err(refused("requests", "Select the requests to decide"));
        }
        let mut rows = Vec::new();
        for id in ids {
            rows.push(
                funding_rows::get(&self.db, actor.la_id, *id)
                    .await?
                    .ok_or(ServiceError::NotFound)?,
            );
        }
        if rows.len() > 1 && input.kind == "part_approve" {
            return Err(refused(
                "kind",
                "Part-approve one request at a time, with the amount approved",
            ));
        }
        let mut decided = Decided::default();
        for row in rows {
            let decision = check_decision(input, Pence::from_pence(row.amount_pence))
                .map_err(|p| FormError::Invalid(field_errors(p)))?;
            if !status_of(&row).awaiting_decision() {
                decided.already.push(already_text(&row));
                continue;
            }
            let who = self.asked_by(&row).await?;
            let now = self.clock.now();
            let mut tx = self.db.begin().await?;
            let m = Move {
                la_id: actor.la_id,
                id: row.id,
                from: &[FundingStatus::Submitted.code()],
                to: decision.status().code(),
                by: actor.user_id,
                now,
            };
            match funding_rows::decide(
                &mut tx,
                &m,
                decision.approved.map(Pence::pence),
                &decision.note,
            )
            .await
            {
                Ok(()) => {}
                Err(StoreError::StaleVersion) => {
                    drop(tx);
                    let now_row = funding_rows::get(&self.db, actor.la_id, row.id)
                        .await?
                        .ok_or(ServiceError::NotFound)?;
                    decided.already.push(already_text(&now_row));
                    continue;
                }
                Err(e) => return Err(ServiceError::from(e).into()),
            }
            let link = format!(
                "{}/children/{}/peps/{}/targets",
                self.public_url, row.child_id, row.pep_id
            );
            for email in who {
                let content =
                    crate::mail::messages::funding_decision(decision.status().label(), &link);
                crate::auth::queue_mail(&mut tx, Some(actor.la_id), &email, content, now).await?;
            }
            let details = json!({
                "decision": decision.kind.code(),
                "approved_pence": decision.approved.map(Pence::pence),
                "amount_pence": row.amount_pence,
            });
            let event = actor.event_about_child(
                "funding.decided",
                ("funding_request", row.id),
                row.child_id,
                details,
                now,
            );
            audit::record(&mut tx, &event).await.map_err(ServiceError::from)?;
            tx.commit().await.map_err(ServiceError::from)?;
            decided.decided += 1;
        }
        Ok(decided)
    }

    /// The e-mail addresses of who asked for a request and who submitted it.
    async fn asked_by(&self, row: &RequestRow) -> Result<Vec<String>, ServiceError> {
        let ids = openpep_store::funding::askers(&self.db, row.id).await?;
        let mut emails = Vec::new();
        for id in ids {
            let user = openpep_store::users::get(&self.db, id).await?;
            if user.is_active && !emails.contains(&user.email) {
                emails.push(user.email);
            }
        }
        Ok(emails)
    }

    /// Records approved requests as paid.
    pub async fn pay_funding(&self, actor: &Actor, ids: &[Uuid]) -> Result<Decided, FormError> {
        if !openpep_domain::may(actor.role, AuthorityAction::PayFunding) {
            return Err(ServiceError::Forbidden.into());
        }
        if ids.is_empty() {
            return Err(refused("requests", "Select the requests that have been paid"));
        }
        let mut done = Decided::default();
        for id in ids {
            let row = funding_rows::get(&self.db, actor.la_id, *id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let now = self.clock.now();
            let mut tx = self.db.begin().await?;
            let m = Move {
                la_id: actor.la_id,
                id: row.id,
                from: &[FundingStatus::Approved.code(), FundingStatus::PartApproved.code()],
                to: FundingStatus::Paid.code(),
                by: actor.user_id,
                now,
            };
            match funding_rows::pay(&mut tx, &m).await {
                Ok(()) => {}
                Err(StoreError::StaleVersion) => {
                    done.already.push(already_text(&row));
                    continue;
                }
                Err(e) => return Err(ServiceError::from(e).into()),
            }
            let details = json!({ "paid_pence": row.approved_pence });
            let event = actor.event_about_child(
                "funding.paid",
                ("funding_request", row.id),
                row.child_id,
                details,
                now,
            );
            audit::record(&mut tx, &event).await.map_err(ServiceError::from)?;
            tx.commit().await.map_err(ServiceError::from)?;
            done.decided += 1;
        }
        Ok(done)
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
