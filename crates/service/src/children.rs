//! Reading children's records: "Your learners" and the child overview.
//! Every read goes through the actor's scope; every view of a record is
//! itself recorded.

use std::collections::HashMap;

use openpep_domain::vs_involvement::InvolvementCriteria;
use openpep_domain::{AcademicYear, Action, NcYear, Phase, Relationship};
use openpep_store::audit;
use openpep_store::children::{
    self, CareFilter, Child, ChildCare, LearnerFilter, LearnerRow, LearnerSort,
};
use openpep_store::peps::{self, Pep};
use openpep_store::placements::{self, Allocation, CareEpisode, SchoolPlacementView};
use openpep_store::{Page, PageRequest};
use serde_json::json;
use uuid::Uuid;

use crate::pep_log::PepLogEntry;
use crate::{Actor, ServiceError, Services};

/// Everything the child overview shows, read in a fixed number of queries.
#[derive(Debug, Clone)]
pub struct ChildOverview {
    pub child: Child,
    pub schools: Vec<SchoolPlacementView>,
    pub care_episodes: Vec<CareEpisode>,
    /// The people working with the child today (key contacts).
    pub workers: Vec<Allocation>,
    pub peps: Vec<Pep>,
    /// Everyone ever allocated to the child (for those who may see it).
    pub allocations: Vec<openpep_store::placements::Allocation>,
    /// Recent changes to the child's records.
    pub changes: Vec<openpep_store::audit::NamedEvent>,
    /// Recent changes to the child's PEPs.
    pub pep_log: Vec<PepLogEntry>,
    /// Consent and contact information (for those who see the full record).
    pub care: Option<ChildCare>,
    /// What the actor may do about this child.
    pub may: Vec<Action>,
    /// The code of the child's authority (to tell schools outside it).
    pub la_code: String,
    /// The authority's criteria for the VS attending a PEP meeting.
    pub vs_attends: InvolvementCriteria,
    /// A professional disagreement about one of the child's PEPs is open.
    pub disagreement_open: bool,
    /// Attendance and SDQ across the child's PEPs, oldest first (for those
    /// who may see PEPs).
    pub measures: Vec<PepMeasures>,
    /// The child's documents, newest first (for those who may see PEPs).
    pub documents: Vec<openpep_store::documents::DocumentRow>,
    /// The authority's SDQ threshold, for the SDQ chart.
    pub sdq_threshold: u8,
}

/// What one PEP recorded of the figures followed across PEPs.
#[derive(Debug, Clone)]
pub struct PepMeasures {
    pub pep: Pep,
    pub attendance: Option<openpep_domain::pages::attendance::Attendance>,
    pub sdq: Option<openpep_domain::pages::sdq::Sdq>,
}

pub const LEARNERS_PER_PAGE: u32 = 25;

/// What a person asks "Your learners" for, in the words of the page.
#[derive(Debug, Clone, Default)]
pub struct LearnerQuery {
    pub search: Option<String>,
    pub school: Option<Uuid>,
    pub phase: Option<Phase>,
    pub year_group: Option<NcYear>,
    pub social_worker: Option<Uuid>,
    /// A PEP status code, or "overdue".
    pub pep_status: Option<String>,
    /// In care (the default), left care, or both.
    pub care: CareFilter,
    pub sort: LearnerSort,
}

impl LearnerQuery {
    /// The store's filter: year groups and phases become ranges of birth dates.
    fn filter(&self, year: AcademicYear) -> LearnerFilter {
        let groups = match (self.year_group, self.phase) {
            (Some(y), _) => Some((y, y)),
            (None, Some(phase)) => Some(phase.year_groups()),
            (None, None) => None,
        };
        let born = groups.and_then(|(from, to)| NcYear::births_between(from, to, year));
        LearnerFilter {
            search: self.search.clone(),
            school_id: self.school,
            born_from: born.map(|b| b.0),
            born_to: born.map(|b| b.1),
            social_worker: self.social_worker,
            pep_status: self.pep_status.clone(),
            care: self.care,
            sort: self.sort,
        }
    }
}

impl Services {
    pub async fn learners(
        &self,
        actor: &Actor,
        query: &LearnerQuery,
        page: u32,
    ) -> Result<Page<LearnerRow>, ServiceError> {
        let today = self.clock.today();
        let filter = query.filter(AcademicYear::containing(today));
        Ok(children::list_learners(
            &self.db,
            &actor.scope(),
            today,
            &filter,
            PageRequest::new(page, LEARNERS_PER_PAGE),
        )
        .await?)
    }

    /// The child of the actor's authority and how the actor stands to them.
    pub async fn child_access(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<(Child, Relationship), ServiceError> {
        let school = actor.school_id.filter(|_| actor.role.works_at_a_school());
        let found = children::access(
            &self.db,
            actor.la_id,
            actor.user_id,
            actor.role.code(),
            school,
            self.clock.today(),
            child_id,
        )
        .await?;
        let relationship = Relationship::from_facts(
            actor.role,
            true,
            found.allocated,
            found.at_their_school,
            found.in_their_team,
        );
        Ok((found.child, relationship))
    }

    /// The one check every route about a child goes through: the child of
    /// the actor's authority, if the permission table lets the actor's role,
    /// in its relationship to the child, take `action`. Otherwise
    /// `NotFound`: nobody learns whether a child they may not see exists.
    pub async fn child_for(
        &self,
        actor: &Actor,
        child_id: Uuid,
        action: Action,
    ) -> Result<Child, ServiceError> {
        let (child, relationship) = self.child_access(actor, child_id).await?;
        if openpep_domain::allowed(actor.role, action, relationship) {
            Ok(child)
        } else {
            Err(ServiceError::NotFound)
        }
    }

    /// The child's overview, if the actor may see them; the view is logged.
    pub async fn child_overview(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<ChildOverview, ServiceError> {
        let today = self.clock.today();
        let (child, relationship) = self.child_access(actor, child_id).await?;
        if !openpep_domain::allowed(actor.role, Action::ViewChildOverview, relationship) {
            return Err(ServiceError::NotFound);
        }
        let may: Vec<Action> =
            openpep_domain::permission::allowed_actions(actor.role, relationship).collect();
        let (schools, care_episodes, peps, allocations, changes, pep_events, care) = tokio::try_join!(
            placements::school_history(&self.db, child.la_id, child.id),
            placements::care_episodes(&self.db, child.la_id, child.id),
            peps::for_child(&self.db, child.la_id, child.id),
            placements::allocations(&self.db, child.la_id, child.id),
            openpep_store::audit::child_history(
                &self.db,
                child.la_id,
                child.id,
                openpep_store::audit::History::RecordChanges,
                10,
            ),
            openpep_store::audit::pep_log(&self.db, child.la_id, child.id, 100),
            children::care(&self.db, child.la_id, child.id),
        )?;
        let pep_log = self.describe_pep_log(child.la_id, &peps, pep_events).await?;
        // The key contacts are the allocations current today.
        let mut workers: Vec<Allocation> = allocations
            .iter()
            .filter(|a| a.started_on <= today && a.ended_on.is_none_or(|end| end > today))
            .cloned()
            .collect();
        workers.sort_by(|a, b| (&a.role, &a.display_name).cmp(&(&b.role, &b.display_name)));
        // Who worked with the child before is part of the full record only.
        let full_record = may.contains(&Action::ViewChildRecord);
        let allocations = if full_record { allocations } else { Vec::new() };
        let care = full_record.then_some(care);
        let (la, (settings, _), disagreement_open) = tokio::try_join!(
            async { Ok(openpep_store::authorities::get(&self.db, child.la_id).await?) },
            self.authority_settings(child.la_id),
            async {
                Ok(openpep_store::disagreements::open_for_child(&self.db, child.la_id, child.id)
                    .await?)
            },
        )?;
        let (measures, documents) = if may.contains(&Action::ViewPep) {
            let (measures, documents) =
                tokio::try_join!(self.pep_measures(&child, &peps), async {
                    Ok(openpep_store::documents::for_child(&self.db, child.la_id, child.id).await?)
                },)?;
            let readable = |d: &openpep_store::documents::DocumentRow| {
                crate::documents::may_read(actor, relationship, &d.kind, d.uploaded_by)
            };
            (measures, documents.into_iter().filter(readable).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        self.record_view(actor, &child, "overview").await?;
        Ok(ChildOverview {
            child,
            schools,
            care_episodes,
            workers,
            peps,
            allocations,
            changes,
            pep_log,
            care,
            may,
            la_code: la.code,
            vs_attends: settings.vs_attends,
            disagreement_open,
            measures,
            documents,
            sdq_threshold: settings.sdq_threshold,
        })
    }

    /// Attendance and SDQ of each of the child's PEPs that recorded them.
    async fn pep_measures(
        &self,
        child: &Child,
        peps: &[Pep],
    ) -> Result<Vec<PepMeasures>, ServiceError> {
        use openpep_domain::pages::{attendance::Attendance, sdq::Sdq};
        use openpep_domain::template::PageKind;
        // Each PEP's own template (from the cache of versions) says which of
        // its pages hold attendance and the SDQ.
        let mut templates: HashMap<Option<Uuid>, _> = HashMap::new();
        for pep in peps {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                templates.entry(pep.template_id)
            {
                slot.insert(self.template_of(child.la_id, pep.template_id).await?);
            }
        }
        let key_of = |pep: &Pep, kind| {
            templates[&pep.template_id]
                .pages()
                .find(|(_, _, p)| p.kind == kind)
                .map(|(_, _, p)| p.key.clone())
        };
        let mut wanted: Vec<String> = peps
            .iter()
            .flat_map(|pep| [key_of(pep, PageKind::Attendance), key_of(pep, PageKind::Sdq)])
            .flatten()
            .collect();
        wanted.sort();
        wanted.dedup();
        let pages =
            openpep_store::pep_pages::of_child(&self.db, child.la_id, child.id, &wanted).await?;
        let mut out: Vec<PepMeasures> = peps
            .iter()
            .map(|pep| {
                let of = |kind| {
                    let key = key_of(pep, kind)?;
                    pages
                        .iter()
                        .find(|p| p.pep_id == pep.id && p.page_key == key)
                        .map(|p| crate::pep_editing::answers_of(&p.answers.0))
                };
                PepMeasures {
                    pep: pep.clone(),
                    attendance: of(PageKind::Attendance).as_ref().and_then(Attendance::read),
                    sdq: of(PageKind::Sdq).as_ref().and_then(Sdq::read),
                }
            })
            .filter(|m| m.attendance.is_some() || m.sdq.is_some())
            .collect();
        out.sort_by_key(|m| m.pep.due_on);
        Ok(out)
    }

    pub(crate) async fn record_view(
        &self,
        actor: &Actor,
        child: &Child,
        page: &str,
    ) -> Result<(), ServiceError> {
        let details = json!({ "page": page, "role": actor.role.code() });
        let event = actor.event_about_child(
            "child.viewed",
            ("child", child.id),
            child.id,
            details,
            self.clock.now(),
        );
        audit::record_now(&self.db, &event).await?;
        Ok(())
    }
}

/// The choices "Your learners" offers to filter by.
pub struct LearnerFilterOptions {
    /// Schools and settings of the authority, by name.
    pub schools: Vec<(Uuid, String)>,
    pub social_workers: Vec<(Uuid, String)>,
}

impl Services {
    pub async fn learner_filter_options(
        &self,
        actor: &Actor,
    ) -> Result<LearnerFilterOptions, ServiceError> {
        let schools = self.authority_schools(actor).await?;
        let sws =
            openpep_store::users::staff_in_roles(&self.db, actor.la_id, &["social_worker"]).await?;
        Ok(LearnerFilterOptions {
            schools: schools.into_iter().map(|s| (s.id, s.name)).collect(),
            social_workers: sws.into_iter().map(|s| (s.user_id, s.display_name)).collect(),
        })
    }
}
