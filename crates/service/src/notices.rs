//! The Virtual School's notice board: notices posted for everyone in the
//! authority, shown on their home page until they expire or come down.

use openpep_domain::AuthorityAction;
use openpep_domain::notices::{self, CheckedNotice};
use openpep_domain::pages::Fields;
use openpep_store::notices::{self as notice_rows, Notice, NoticeFields};
use openpep_store::{StoreError, audit};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::{Actor, FieldErrors, ServiceError, Services};

fn row_fields(n: &CheckedNotice) -> NoticeFields<'_> {
    NoticeFields { title: &n.title, body: &n.body, pinned: n.pinned, expires_on: n.expires_on }
}

/// A stored notice as its form shows it.
pub fn form_fields(n: &Notice) -> Fields {
    notices::fields_of(&CheckedNotice {
        title: n.title.clone(),
        body: n.body.clone(),
        pinned: n.pinned,
        expires_on: n.expires_on,
    })
}

impl Services {
    /// The notices showing today in the actor's authority.
    pub async fn notice_board(&self, actor: &Actor) -> Result<Vec<Notice>, ServiceError> {
        Ok(notice_rows::showing(&self.db, actor.la_id, self.clock.today()).await?)
    }

    /// Every notice up, expired ones too, for those who post them.
    pub async fn notices_to_manage(&self, actor: &Actor) -> Result<Vec<Notice>, ServiceError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        Ok(notice_rows::all(&self.db, actor.la_id).await?)
    }

    pub async fn notice(&self, actor: &Actor, id: Uuid) -> Result<Notice, ServiceError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        Ok(notice_rows::get(&self.db, actor.la_id, id).await?)
    }

    /// Posts a notice (`id` None) or changes one over the version seen.
    pub async fn save_notice(
        &self,
        actor: &Actor,
        id: Option<Uuid>,
        version: i64,
        fields: &Fields,
    ) -> Result<Uuid, FormError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        let checked = notices::check(fields, self.clock.today())
            .map_err(|p| FormError::Invalid(crate::pep_editing::problems_as_errors(p)))?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let (id, action) = match id {
            None => {
                let id = Uuid::now_v7();
                notice_rows::insert(
                    &mut tx,
                    id,
                    actor.la_id,
                    &row_fields(&checked),
                    actor.user_id,
                    now,
                )
                .await?;
                (id, "notice.posted")
            }
            Some(id) => {
                match notice_rows::update(
                    &mut tx,
                    actor.la_id,
                    id,
                    version,
                    &row_fields(&checked),
                    now,
                )
                .await
                {
                    Ok(()) => {}
                    Err(StoreError::StaleVersion) => {
                        let mut errors = FieldErrors::default();
                        errors.add(
                            "q_title",
                            "Someone else changed this notice while you were editing it. Check it and make your change again",
                        );
                        return Err(FormError::Invalid(errors));
                    }
                    Err(e) => return Err(e.into()),
                }
                (id, "notice.changed")
            }
        };
        let details = json!({ "pinned": checked.pinned, "expires_on": checked.expires_on });
        audit::record(&mut tx, &actor.event(action, ("notice", id), details, now)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Takes a notice down.
    pub async fn remove_notice(&self, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if !notice_rows::remove(&mut tx, actor.la_id, id, now).await? {
            return Err(ServiceError::NotFound);
        }
        audit::record(&mut tx, &actor.event("notice.removed", ("notice", id), json!({}), now))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
