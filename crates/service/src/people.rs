//! The authority's people, as its Virtual School manages them.

use openpep_domain::{AuthorityAction, search};
use openpep_store::schools::School;
use openpep_store::users::{self, Person};
use openpep_store::{authorities, schools};

use crate::{Actor, ServiceError, Services};

impl Services {
    pub async fn people(
        &self,
        actor: &Actor,
        query: Option<&str>,
    ) -> Result<Vec<Person>, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewPeople)?;
        let folded = query.map(search::fold);
        Ok(users::people(&self.db, actor.la_id, folded.as_deref()).await?)
    }

    /// The schools and settings the authority works with.
    pub async fn authority_schools(&self, actor: &Actor) -> Result<Vec<School>, ServiceError> {
        let la = authorities::get(&self.db, actor.la_id).await?;
        Ok(schools::for_authority(&self.db, la.id, &la.code).await?)
    }
}

impl Services {
    /// Which of these people are locked out of signing in now.
    pub async fn locked_out(
        &self,
        actor: &Actor,
        people: &[Person],
    ) -> Result<Vec<uuid::Uuid>, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewPeople)?;
        let locked = openpep_store::throttles::locked(&self.db, "email", self.clock.now()).await?;
        Ok(people
            .iter()
            .filter(|p| locked.contains(&crate::throttle::email_key(&p.email)))
            .map(|p| p.user_id)
            .collect())
    }

    /// Ends (or restores) a person's access to the actor's authority. A
    /// session acting in that membership ends at once.
    pub async fn set_access(
        &self,
        actor: &Actor,
        membership_id: uuid::Uuid,
        active: bool,
    ) -> Result<(), ServiceError> {
        self.authorise(actor, AuthorityAction::ManagePeople)?;
        if membership_id == actor.membership_id {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        users::set_membership_ended(&mut tx, actor.la_id, membership_id, (!active).then_some(now))
            .await?;
        let action = if active { "membership.restored" } else { "membership.ended" };
        openpep_store::audit::record(&mut tx, &people_event(actor, action, membership_id, now))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a lock on the person holding `membership_id` in the actor's authority.
    pub async fn unlock(
        &self,
        actor: &Actor,
        membership_id: uuid::Uuid,
    ) -> Result<(), ServiceError> {
        self.authorise(actor, AuthorityAction::UnlockAccounts)?;
        let person = users::person(&self.db, actor.la_id, membership_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let user_id = person.user_id;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        openpep_store::throttles::clear(
            &mut tx,
            "email",
            &crate::throttle::email_key(&person.email),
        )
        .await?;
        openpep_store::audit::record(&mut tx, &people_event(actor, "user.unlocked", user_id, now))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn people_event(
    actor: &Actor,
    action: &str,
    entity: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> openpep_store::audit::AuditEvent {
    openpep_store::audit::AuditEvent {
        id: uuid::Uuid::now_v7(),
        la_id: Some(actor.la_id),
        actor_user_id: Some(actor.user_id),
        action: action.into(),
        entity_type: "user".into(),
        entity_id: Some(entity),
        child_id: None,
        details: openpep_store::Json(serde_json::json!({})),
        request_id: actor.request_id.clone(),
        occurred_at: now,
    }
}

/// A team manager's team as the Virtual School sets it.
pub struct Team {
    pub manager: Person,
    pub social_workers: Vec<users::StaffMember>,
    pub members: Vec<uuid::Uuid>,
}

impl Services {
    /// The team of the manager holding `membership_id`.
    pub async fn team(
        &self,
        actor: &Actor,
        membership_id: uuid::Uuid,
    ) -> Result<Team, ServiceError> {
        self.authorise(actor, AuthorityAction::ManagePeople)?;
        let manager = users::person(&self.db, actor.la_id, membership_id)
            .await?
            .filter(|p| p.role == "team_manager")
            .ok_or(ServiceError::NotFound)?;
        let social_workers =
            users::staff_in_roles(&self.db, actor.la_id, &["social_worker"]).await?;
        let members = openpep_store::teams::members(&self.db, actor.la_id, manager.user_id).await?;
        Ok(Team { manager, social_workers, members })
    }

    /// Sets who is in a team manager's team: they see those social
    /// workers' caseloads from now on.
    pub async fn set_team(
        &self,
        actor: &Actor,
        membership_id: uuid::Uuid,
        wanted: &[uuid::Uuid],
    ) -> Result<(), ServiceError> {
        let team = self.team(actor, membership_id).await?;
        let manager_user_id = team.manager.user_id;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        for sw in &team.social_workers {
            let is_in = team.members.contains(&sw.user_id);
            let want = wanted.contains(&sw.user_id);
            if want && !is_in {
                openpep_store::teams::add(&mut tx, actor.la_id, manager_user_id, sw.user_id, now)
                    .await?;
            } else if is_in && !want {
                openpep_store::teams::remove(
                    &mut tx,
                    actor.la_id,
                    manager_user_id,
                    sw.user_id,
                    now,
                )
                .await?;
            }
        }
        let mut event = people_event(actor, "team.changed", manager_user_id, now);
        event.details = openpep_store::Json(serde_json::json!({
            "before": team.members,
            "after": wanted.iter().filter(|w| team.social_workers.iter().any(|s| s.user_id == **w)).collect::<Vec<_>>(),
        }));
        openpep_store::audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Services {
    /// One of the authority's memberships, as the people list shows it.
    pub async fn membership(
        &self,
        actor: &Actor,
        membership_id: uuid::Uuid,
    ) -> Result<Person, ServiceError> {
        self.authorise(actor, AuthorityAction::ManagePeople)?;
        users::person(&self.db, actor.la_id, membership_id).await?.ok_or(ServiceError::NotFound)
    }

    /// Changes the role someone holds in the actor's authority; their
    /// access changes at once. Nobody changes their own role.
    pub async fn change_role(
        &self,
        actor: &Actor,
        membership_id: uuid::Uuid,
        role: &str,
        school: &str,
    ) -> Result<(), crate::invitations::FormError> {
        use crate::invitations::{FormError, INVITABLE_ROLES};
        let person = self.membership(actor, membership_id).await?;
        if membership_id == actor.membership_id {
            return Err(FormError::Service(ServiceError::Forbidden));
        }
        let mut errors = crate::FieldErrors::default();
        let Some(new_role) =
            openpep_domain::Role::from_code(role).filter(|r| INVITABLE_ROLES.contains(r))
        else {
            errors.add("role", "Select the person's role");
            return Err(FormError::Invalid(errors));
        };
        let mut school_id = None;
        if new_role.works_at_a_school() {
            let known = self.authority_schools(actor).await?;
            match uuid::Uuid::parse_str(school).ok().filter(|id| known.iter().any(|s| s.id == *id))
            {
                Some(id) => school_id = Some(id),
                None => {
                    errors.add("school", "Select the school or setting they work at");
                    return Err(FormError::Invalid(errors));
                }
            }
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // They may hold (or once held) that role here already: the unique
        // index says so, on both backends.
        match users::set_membership_role(
            &mut tx,
            actor.la_id,
            membership_id,
            new_role.code(),
            school_id,
        )
        .await
        {
            Err(openpep_store::StoreError::Duplicate { .. }) => {
                errors.add("role", "They already hold that role here");
                return Err(FormError::Invalid(errors));
            }
            other => other?,
        }
        let mut event = people_event(actor, "membership.role_changed", person.user_id, now);
        event.details = openpep_store::Json(serde_json::json!({
            "role": { "before": person.role, "after": new_role.code() },
            "school": { "before": person.school_name, "after": school_id },
        }));
        openpep_store::audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
