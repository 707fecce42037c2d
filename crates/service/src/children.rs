//! Reading children's records: "Your learners" and the child overview.
//! Every read goes through the actor's scope; every view of a record is
//! itself recorded.

use openpep_domain::{Action, Relationship};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::children::{self, Child, LearnerFilter, LearnerRow};
use openpep_store::peps::{self, Pep};
use openpep_store::placements::{self, CareEpisode, ChildWorkerView, SchoolPlacementView};
use openpep_store::{Json, Page, PageRequest};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, Services};

/// Everything the child overview shows, read in a fixed number of queries.
#[derive(Debug, Clone)]
pub struct ChildOverview {
    pub child: Child,
    pub schools: Vec<SchoolPlacementView>,
    pub care_episodes: Vec<CareEpisode>,
    pub workers: Vec<ChildWorkerView>,
    pub peps: Vec<Pep>,
    /// Everyone ever allocated to the child (for those who may see it).
    pub allocations: Vec<openpep_store::placements::Allocation>,
    /// Recent changes to the child's records.
    pub changes: Vec<openpep_store::audit::NamedEvent>,
    /// What the actor may do about this child.
    pub may: Vec<Action>,
}

pub const LEARNERS_PER_PAGE: u32 = 25;

impl Services {
    pub async fn learners(
        &self,
        actor: &Actor,
        search: Option<String>,
        page: u32,
    ) -> Result<Page<LearnerRow>, ServiceError> {
        let filter = LearnerFilter { search };
        let today = self.clock.today();
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
        let (schools, care_episodes, workers, peps, allocations, changes) = tokio::try_join!(
            placements::school_history(&self.db, child.la_id, child.id),
            placements::care_episodes(&self.db, child.la_id, child.id),
            placements::current_workers(&self.db, child.la_id, child.id, today),
            peps::for_child(&self.db, child.la_id, child.id),
            placements::allocations(&self.db, child.la_id, child.id),
            openpep_store::audit::child_history(&self.db, child.la_id, child.id, false, 10),
        )?;
        // Who worked with the child before is part of the full record only.
        let allocations =
            if may.contains(&Action::ViewChildRecord) { allocations } else { Vec::new() };
        self.record_view(actor, &child, "overview").await?;
        Ok(ChildOverview {
            child,
            schools,
            care_episodes,
            workers,
            peps,
            allocations,
            changes,
            may,
        })
    }

    async fn record_view(
        &self,
        actor: &Actor,
        child: &Child,
        page: &str,
    ) -> Result<(), ServiceError> {
        audit::record_now(
            &self.db,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: Some(child.la_id),
                actor_user_id: Some(actor.user_id),
                action: "child.viewed".into(),
                entity_type: "child".into(),
                entity_id: Some(child.id),
                child_id: Some(child.id),
                details: Json(json!({ "page": page, "role": actor.role.code() })),
                request_id: actor.request_id.clone(),
                occurred_at: self.clock.now(),
            },
        )
        .await?;
        Ok(())
    }
}
