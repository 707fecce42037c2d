//! A signed-in person's own account: the terms they agree to, and which of
//! their authorities (memberships) they act in.

use openpep_store::Json;
use openpep_store::audit::{self, AuditEvent};
use openpep_store::sessions::{self, SessionUser};
use openpep_store::terms::{self, Agreement};
use openpep_store::users::{self, MembershipChoice};
use serde_json::json;
use uuid::Uuid;

use crate::{FieldErrors, ServiceError, Services};

/// The version of the terms in force. Changing it asks everyone again.
pub const TERMS_VERSION: &str = "2026-11";

/// What a person agrees to before first use (field name, statement).
pub const TERMS_STATEMENTS: [(&str, &str); 5] = [
    ("authorised", "I am an authorised user of this service"),
    ("permission", "I have my organisation's permission to access this service"),
    ("acceptable_use", "I will follow the acceptable use policy"),
    ("terms", "I agree to the terms and conditions"),
    ("cookies", "I agree to the use of cookies that this service needs to work"),
];

#[derive(Debug)]
pub enum AccountError {
    Invalid(FieldErrors),
    Service(ServiceError),
}

impl From<ServiceError> for AccountError {
    fn from(e: ServiceError) -> Self {
        AccountError::Service(e)
    }
}

impl From<openpep_store::StoreError> for AccountError {
    fn from(e: openpep_store::StoreError) -> Self {
        AccountError::Service(e.into())
    }
}

impl Services {
    /// Records agreement to the current terms; every statement must be ticked.
    pub async fn agree_to_terms(
        &self,
        session: &SessionUser,
        ticked: &[String],
        request_id: Option<String>,
    ) -> Result<(), AccountError> {
        let missing: Vec<_> =
            TERMS_STATEMENTS.iter().filter(|(code, _)| !ticked.iter().any(|t| t == code)).collect();
        if !missing.is_empty() {
            let mut errors = FieldErrors::default();
            errors.add("agree", "Confirm each statement to use the service");
            return Err(AccountError::Invalid(errors));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let agreement = Agreement {
            id: Uuid::now_v7(),
            user_id: session.user_id,
            version: TERMS_VERSION.into(),
            agreed_at: now,
        };
        terms::agree(&mut tx, &agreement).await?;
        audit::record(
            &mut tx,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: Some(session.la_id),
                actor_user_id: Some(session.user_id),
                action: "user.agreed_terms".into(),
                entity_type: "user".into(),
                entity_id: Some(session.user_id),
                child_id: None,
                details: Json(json!({ "version": TERMS_VERSION })),
                request_id,
                occurred_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn membership_choices(
        &self,
        user_id: Uuid,
    ) -> Result<Vec<MembershipChoice>, ServiceError> {
        Ok(users::membership_choices(&self.db, user_id).await?)
    }

    /// Acts in another of the person's memberships from now on, and
    /// remembers it for next time.
    pub async fn switch_membership(
        &self,
        session: &SessionUser,
        membership_id: Uuid,
        request_id: Option<String>,
    ) -> Result<(), ServiceError> {
        let choices = users::membership_choices(&self.db, session.user_id).await?;
        let Some(chosen) = choices.iter().find(|c| c.id == membership_id) else {
            return Err(ServiceError::NotFound);
        };
        sessions::set_membership(&self.db, &session.id, chosen.id).await?;
        let mut tx = self.db.begin().await?;
        users::set_last_membership(&mut tx, session.user_id, chosen.id).await?;
        audit::record(
            &mut tx,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: Some(chosen.la_id),
                actor_user_id: Some(session.user_id),
                action: "user.chose_authority".into(),
                entity_type: "membership".into(),
                entity_id: Some(chosen.id),
                child_id: None,
                details: Json(json!({ "role": chosen.role })),
                request_id,
                occurred_at: self.clock.now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
