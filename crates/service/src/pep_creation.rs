//! How PEPs come into being: a termly PEP for every eligible child when the
//! Virtual School delegates a term, and a PEP due within the LA's initial
//! timescale when a child comes into care, reaches the LA's starting age
//! or changes school. Creating is idempotent: each PEP
//! has a trigger, and a child never gets two PEPs for one trigger.

use std::collections::HashMap;

use chrono::{DateTime, Months, NaiveDate, Utc};
use openpep_domain::pep_cycle::initial_pep_due;
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::template::PepTemplate;
use openpep_domain::term_dates::TermDates;
use openpep_domain::{AcademicYear, AuthorityAction, PepStatus, Term, WorkingDayCalendar};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::pep_pages;
use openpep_store::peps::{self, Delegation, EligibleChild, Pep, TermlyEligibility};
use openpep_store::{Json, Page, PageRequest, Tx};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::pep_templates::ensure_template;
use crate::{Actor, ServiceError, Services};

/// Children shown on each page of a delegation's preview.
pub const PREVIEW_PER_PAGE: u32 = 50;

/// What a delegation will do, shown before the VS confirms it.
#[derive(Debug, Clone)]
pub struct DelegationPreview {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub due_on: NaiveDate,
    pub children: Page<EligibleChild>,
}

#[derive(Debug)]
pub enum DelegationError {
    /// The term has no dates in the settings: what to do about it.
    NoTermDates(String),
    Service(ServiceError),
}

impl From<ServiceError> for DelegationError {
    fn from(e: ServiceError) -> Self {
        DelegationError::Service(e)
    }
}

impl From<openpep_store::StoreError> for DelegationError {
    fn from(e: openpep_store::StoreError) -> Self {
        DelegationError::Service(e.into())
    }
}

/// A PEP to create for one child.
pub(crate) struct NewPep<'a> {
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub school_id: Option<Uuid>,
    pub year: AcademicYear,
    pub term: Term,
    pub reason: &'a str,
    pub trigger_key: String,
    pub due_on: NaiveDate,
}

/// The previous PEP's pages for each child, by page key.
pub(crate) type PreviousPages = HashMap<Uuid, Vec<(String, Value)>>;

pub(crate) async fn previous_pages(
    tx: &mut Tx,
    la_id: Uuid,
    before_due: NaiveDate,
    child_id: Option<Uuid>,
    template: &PepTemplate,
) -> Result<PreviousPages, ServiceError> {
    let mut by_child: PreviousPages = HashMap::new();
    for row in peps::previous_pages(tx, la_id, before_due, child_id).await? {
        if template.page(&row.page_key).is_some_and(|p| p.carry_forward) {
            by_child.entry(row.child_id).or_default().push((row.page_key, row.answers.0));
        }
    }
    Ok(by_child)
}

/// Creates the PEP unless its trigger already made one, carrying forward
/// the pages that rarely change; whether it was created.
pub(crate) async fn create_pep(
    tx: &mut Tx,
    new: &NewPep<'_>,
    template_id: Uuid,
    previous: &PreviousPages,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let pep = Pep {
        id: Uuid::now_v7(),
        la_id: new.la_id,
        child_id: new.child_id,
        academic_year: new.year.0,
        term: new.term.code().into(),
        reason: new.reason.into(),
        status: PepStatus::Draft.code().into(),
        due_on: new.due_on,
        meeting_at: None,
        signed_off_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
        trigger_key: Some(new.trigger_key.clone()),
        template_id: Some(template_id),
        school_id: new.school_id,
        next_meeting_at: None,
        signed_off_by: None,
    };
    if !peps::create(tx, &pep).await? {
        return Ok(false);
    }
    for (key, answers) in previous.get(&new.child_id).into_iter().flatten() {
        pep_pages::insert_carried_forward(tx, Uuid::now_v7(), new.la_id, pep.id, key, answers, now)
            .await?;
    }
    audit::record(
        tx,
        &AuditEvent {
            id: Uuid::now_v7(),
            la_id: Some(new.la_id),
            actor_user_id: actor.map(|a| a.user_id),
            action: "pep.created".into(),
            entity_type: "pep".into(),
            entity_id: Some(pep.id),
            child_id: Some(new.child_id),
            details: Json(json!({
                "reason": new.reason,
                "academic_year": new.year.0,
                "term": new.term.code(),
                "due_on": new.due_on,
            })),
            request_id: actor.and_then(|a| a.request_id.clone()),
            occurred_at: now,
        },
    )
    .await?;
    Ok(true)
}

/// A PEP for one child outside delegation (an initial PEP, or one for a
/// new school), due within the LA's initial timescale from `starts_on`.
pub(crate) struct DueWithinTimescale<'a> {
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub school_id: Option<Uuid>,
    pub reason: &'a str,
    pub trigger_key: String,
    pub starts_on: NaiveDate,
}

/// The due date of a PEP that starts on `starts_on` by the LA's timescale.
pub(crate) fn due_within_timescale(
    settings: &AuthoritySettings,
    starts_on: NaiveDate,
) -> NaiveDate {
    initial_pep_due(starts_on, settings.timescale(), &WorkingDayCalendar::england_and_wales())
}

/// Creates the PEP (unless its trigger already made one) with the pages
/// that carry forward from the child's previous PEP; its due date and
/// whether it was created.
pub(crate) async fn raise_pep(
    tx: &mut Tx,
    settings: &AuthoritySettings,
    pep: DueWithinTimescale<'_>,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<(NaiveDate, bool), ServiceError> {
    let due_on = due_within_timescale(settings, pep.starts_on);
    let (template_id, template) = ensure_template(tx, pep.la_id, now).await?;
    let previous = previous_pages(tx, pep.la_id, due_on, Some(pep.child_id), &template).await?;
    let (year, term) = settings.term_of(pep.starts_on);
    let new = NewPep {
        la_id: pep.la_id,
        child_id: pep.child_id,
        school_id: pep.school_id,
        year,
        term,
        reason: pep.reason,
        trigger_key: pep.trigger_key,
        due_on,
    };
    let created = create_pep(tx, &new, template_id, &previous, actor, now).await?;
    Ok((due_on, created))
}

fn term_dates(
    settings: &AuthoritySettings,
    year: AcademicYear,
    term: Term,
) -> Result<TermDates, DelegationError> {
    settings
        .term_dates(year, term)
        .copied()
        .map_err(|e| DelegationError::NoTermDates(e.to_string()))
}

fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years)).unwrap_or(date)
}

impl Services {
    /// The term's dates, or why it cannot be delegated yet (the form's
    /// check, before any child is counted).
    pub async fn delegation_dates(
        &self,
        actor: &Actor,
        year: AcademicYear,
        term: Term,
    ) -> Result<TermDates, DelegationError> {
        self.authorise(actor, AuthorityAction::DelegatePeps)?;
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        term_dates(&settings, year, term)
    }

    /// The term's dates and who is eligible, or why the term cannot be
    /// delegated yet.
    async fn eligibility(
        &self,
        la_id: Uuid,
        year: AcademicYear,
        term: Term,
    ) -> Result<(TermlyEligibility, NaiveDate), DelegationError> {
        let (settings, _) = self.authority_settings(la_id).await?;
        let dates = term_dates(&settings, year, term)?;
        let eligibility = TermlyEligibility {
            la_id,
            trigger_key: peps::termly_trigger(year.0, term.code()),
            born_on_or_before: years_before(dates.starts_on, u32::from(settings.pep_from_age)),
            born_after: years_before(dates.starts_on, 18),
            term_starts_on: dates.starts_on,
            term_ends_on: dates.ends_on,
            today: self.clock.today(),
        };
        Ok((eligibility, dates.pep_deadline))
    }

    /// Who a delegation of the term would give a PEP to, before it runs.
    pub async fn delegation_preview(
        &self,
        actor: &Actor,
        year: AcademicYear,
        term: Term,
        page: u32,
    ) -> Result<DelegationPreview, DelegationError> {
        self.authorise(actor, AuthorityAction::DelegatePeps)?;
        let (eligibility, due_on) = self.eligibility(actor.la_id, year, term).await?;
        let children =
            peps::eligible_page(&self.db, &eligibility, PageRequest::new(page, PREVIEW_PER_PAGE))
                .await?;
        Ok(DelegationPreview {
            starts_on: eligibility.term_starts_on,
            ends_on: eligibility.term_ends_on,
            due_on,
            children,
        })
    }

    /// Creates the term's PEP for every eligible child in one transaction;
    /// how many it created. Running it again creates only those missing.
    pub async fn delegate(
        &self,
        actor: &Actor,
        year: AcademicYear,
        term: Term,
    ) -> Result<u32, DelegationError> {
        self.authorise(actor, AuthorityAction::DelegatePeps)?;
        let (eligibility, due_on) = self.eligibility(actor.la_id, year, term).await?;
        let started = std::time::Instant::now();
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let (template_id, template) = ensure_template(&mut tx, actor.la_id, now).await?;
        let children = peps::eligible_all(&mut tx, &eligibility).await?;
        let previous = previous_pages(&mut tx, actor.la_id, due_on, None, &template).await?;
        let mut created = 0u32;
        for child in &children {
            let new = NewPep {
                la_id: actor.la_id,
                child_id: child.child_id,
                school_id: child.school_id,
                year,
                term,
                reason: "termly",
                trigger_key: eligibility.trigger_key.clone(),
                due_on,
            };
            if create_pep(&mut tx, &new, template_id, &previous, Some(actor), now).await? {
                created += 1;
            }
        }
        let delegation = Delegation {
            id: Uuid::now_v7(),
            la_id: actor.la_id,
            academic_year: year.0,
            term: term.code().into(),
            due_on,
            created_count: i32::try_from(created).unwrap_or(i32::MAX),
            run_by: Some(actor.user_id),
            run_at: now,
        };
        peps::record_delegation(&mut tx, &delegation).await?;
        let details = json!({
            "academic_year": year.0,
            "term": term.code(),
            "created": created,
            "due_on": due_on,
        });
        let event = actor.event("peps.delegated", ("delegation", delegation.id), details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(
            created,
            eligible = children.len(),
            millis = started.elapsed().as_millis() as u64,
            "term delegated"
        );
        Ok(created)
    }

    pub async fn delegations(&self, actor: &Actor) -> Result<Vec<Delegation>, ServiceError> {
        self.authorise(actor, AuthorityAction::DelegatePeps)?;
        Ok(peps::delegations(&self.db, actor.la_id).await?)
    }
}

impl Services {
    /// Raises an initial PEP for every child in care who is of PEP age and
    /// has never had one: chiefly children who have just reached the LA's
    /// starting age (2 or 3). Each is due within the LA's timescale from
    /// the day they came into care or reached that age, whichever is later.
    /// The worker runs this once a day; running it again creates nothing.
    /// How many PEPs it created.
    pub async fn raise_initial_peps(&self) -> Result<usize, ServiceError> {
        let today = self.clock.today();
        let now = self.clock.now();
        let mut created = 0;
        for la_id in openpep_store::authorities::ids(&self.db).await? {
            let (settings, _) = self.authority_settings(la_id).await?;
            let from_age = u32::from(settings.pep_from_age);
            let owed = peps::awaiting_initial_pep(
                &self.db,
                la_id,
                today,
                years_before(today, from_age),
                years_before(today, 18),
            )
            .await?;
            if owed.is_empty() {
                continue;
            }
            let mut tx = self.db.begin().await?;
            for child in owed {
                let of_age = child
                    .date_of_birth
                    .checked_add_months(Months::new(12 * from_age))
                    .unwrap_or(child.date_of_birth);
                let starts_on = child.entered_care_on.max(of_age);
                let pep = DueWithinTimescale {
                    la_id,
                    child_id: child.child_id,
                    school_id: child.school_id,
                    reason: "initial",
                    trigger_key: format!("initial:{starts_on}"),
                    starts_on,
                };
                if raise_pep(&mut tx, &settings, pep, None, now).await?.1 {
                    created += 1;
                }
            }
            tx.commit().await?;
        }
        if created > 0 {
            tracing::info!(created, "initial PEPs raised");
        }
        Ok(created)
    }
}
