//! Professional disagreements about a PEP: the social worker or the
//! designated teacher raises one, the Virtual School should then attend the
//! meeting (by the authority's criteria), and resolves it.

use openpep_store::StoreError;
use openpep_store::audit;
use openpep_store::disagreements::{self, NewDisagreement};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::pep_editing::PepRef;
use crate::{Actor, FieldErrors, ServiceError, Services};

const MAX_NOTE: usize = 2000;

fn required_text(field: &str, typed: &str, missing: &str) -> Result<String, FormError> {
    let text = typed.trim();
    let mut errors = FieldErrors::default();
    if text.is_empty() {
        errors.add(field, missing);
    } else if text.chars().count() > MAX_NOTE {
        errors.add(field, format!("Keep it to {MAX_NOTE} characters or fewer"));
    }
    if errors.is_empty() { Ok(text.to_owned()) } else { Err(FormError::Invalid(errors)) }
}

impl Services {
    /// Raises a professional disagreement about the PEP.
    pub async fn raise_disagreement(
        &self,
        actor: &Actor,
        at: PepRef,
        note: &str,
    ) -> Result<(), FormError> {
        let view = self.load_pep(actor, at).await?;
        if !view.may_raise_disagreement() {
            return Err(ServiceError::Forbidden.into());
        }
        let note = required_text("disagreement", note, "Describe the disagreement")?;
        let now = self.clock.now();
        let id = Uuid::now_v7();
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        disagreements::raise(
            &mut tx,
            &NewDisagreement {
                id,
                la_id: actor.la_id,
                pep_id: view.pep.id,
                child_id: view.child.id,
                note: &note,
                raised_by: actor.user_id,
                raised_at: now,
            },
        )
        .await
        .map_err(|e| match e {
            // Someone raised one at the same moment.
            StoreError::Duplicate { .. } => ServiceError::Forbidden,
            e => e.into(),
        })?;
        self.record_disagreement(&mut tx, actor, &view.pep, "pep.disagreement_raised", id).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(())
    }

    /// The Virtual School resolves the PEP's open disagreement.
    pub async fn resolve_disagreement(
        &self,
        actor: &Actor,
        at: PepRef,
        id: Uuid,
        resolution: &str,
    ) -> Result<(), FormError> {
        let view = self.load_pep(actor, at).await?;
        if !view.may_resolve_disagreement() {
            return Err(ServiceError::Forbidden.into());
        }
        let resolution =
            required_text("resolution", resolution, "Say how the disagreement was resolved")?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        disagreements::resolve(
            &mut tx,
            actor.la_id,
            view.pep.id,
            id,
            &resolution,
            actor.user_id,
            now,
        )
        .await
        .map_err(ServiceError::from)?;
        self.record_disagreement(&mut tx, actor, &view.pep, "pep.disagreement_resolved", id)
            .await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(())
    }

    /// The audit row: which disagreement, never its words (they may name
    /// people; the record holds them).
    async fn record_disagreement(
        &self,
        tx: &mut openpep_store::Tx,
        actor: &Actor,
        pep: &openpep_store::peps::Pep,
        action: &str,
        id: Uuid,
    ) -> Result<(), ServiceError> {
        let details = json!({ "disagreement": id });
        let event = actor.event_about_child(
            action,
            ("pep", pep.id),
            pep.child_id,
            details,
            self.clock.now(),
        );
        audit::record(tx, &event).await.map_err(|e: StoreError| e.into())
    }
}
