//! The Virtual School's notice board: notices posted for everyone in the
//! authority, shown on their home page until they expire or come down.

use openpep_domain::AuthorityAction;
use openpep_domain::notices::{self, CheckedNotice};
use openpep_domain::pages::Fields;
use openpep_store::notices::{
    self as notice_rows, Attachment, NewAttachment, Notice, NoticeFields,
};
use openpep_store::{StoreError, audit};
use serde_json::json;
use uuid::Uuid;

use crate::documents::{Download, NewDocument, checked_file};
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

/// Notices with their attachments.
#[derive(Debug, Clone, Default)]
pub struct Board {
    pub notices: Vec<Notice>,
    pub attachments: Vec<Attachment>,
}

impl Board {
    pub fn attachments_of(&self, notice_id: Uuid) -> impl Iterator<Item = &Attachment> {
        self.attachments.iter().filter(move |a| a.notice_id == notice_id)
    }
}

impl Services {
    /// The notices showing today in the actor's authority, with their
    /// attachments (looked for only when a notice shows).
    pub async fn notice_board(&self, actor: &Actor) -> Result<Board, ServiceError> {
        let today = self.clock.today();
        let notices = notice_rows::showing(&self.db, actor.la_id, today).await?;
        if notices.is_empty() {
            return Ok(Board::default());
        }
        let attachments = notice_rows::attachments(&self.db, actor.la_id, Some(today), None);
        Ok(Board { notices, attachments: attachments.await? })
    }

    /// Every notice up, expired ones too, with their attachments, for those
    /// who post them.
    pub async fn notices_to_manage(&self, actor: &Actor) -> Result<Board, ServiceError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        let (notices, attachments) = tokio::try_join!(
            notice_rows::all(&self.db, actor.la_id),
            notice_rows::attachments(&self.db, actor.la_id, None, None),
        )?;
        Ok(Board { notices, attachments })
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

impl Services {
    /// A notice with its attachments, for those who post notices.
    pub async fn notice_attachments(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(Notice, Vec<Attachment>), ServiceError> {
        let notice = self.notice(actor, id).await?;
        let attachments = notice_rows::attachments(&self.db, actor.la_id, None, Some(id)).await?;
        Ok((notice, attachments))
    }

    /// The day notices must still show on for this person to see them:
    /// none for those who post them (they see expired ones too).
    fn showing_to(&self, actor: &Actor) -> Option<chrono::NaiveDate> {
        let posts = openpep_domain::may(actor.role, AuthorityAction::PostNotices);
        (!posts).then(|| self.clock.today())
    }

    /// Attaches a guidance document (PDF, Word, JPG or PNG) to a notice.
    pub async fn attach_to_notice(
        &self,
        actor: &Actor,
        notice_id: Uuid,
        sent: NewDocument,
    ) -> Result<Uuid, FormError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        notice_rows::get(&self.db, actor.la_id, notice_id).await?;
        let (file_type, file_name) =
            checked_file(&sent).map_err(|e| FormError::refused("file", e.to_string()))?;
        let id = Uuid::now_v7();
        let storage_key = format!("{}/notices/{id}", actor.la_id);
        let now = self.clock.now();
        let sha256 = crate::sessions::sha256_hex(&sent.bytes);
        let attachment = NewAttachment {
            id,
            la_id: actor.la_id,
            notice_id,
            file_name: &file_name,
            content_type: file_type.content_type(),
            size_bytes: i64::try_from(sent.bytes.len()).unwrap_or(i64::MAX),
            sha256: &sha256,
            storage_key: &storage_key,
            uploaded_by: actor.user_id,
            uploaded_at: now,
        };
        let details = json!({
            "notice": notice_id,
            "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes,
        });
        let event = actor.event("notice.attachment_added", ("notice_attachment", id), details, now);
        let record = async {
            let mut tx = self.db.begin().await?;
            notice_rows::attach(&mut tx, &attachment).await?;
            audit::record(&mut tx, &event).await?;
            tx.commit().await
        };
        let file = (storage_key.as_str(), sent.bytes.as_slice(), "a notice attachment");
        self.put_file_then_record(file, record).await?;
        Ok(id)
    }

    /// Takes an attachment off its notice.
    pub async fn detach_from_notice(
        &self,
        actor: &Actor,
        notice_id: Uuid,
        id: Uuid,
    ) -> Result<(), ServiceError> {
        self.authorise(actor, AuthorityAction::PostNotices)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if !notice_rows::detach(&mut tx, actor.la_id, notice_id, id, now).await? {
            return Err(ServiceError::NotFound);
        }
        let details = json!({ "notice": notice_id });
        let event =
            actor.event("notice.attachment_removed", ("notice_attachment", id), details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An attachment's bytes, for anyone in the authority, checked against
    /// the hash it was stored with.
    pub async fn download_notice_attachment(
        &self,
        actor: &Actor,
        notice_id: Uuid,
        id: Uuid,
    ) -> Result<Download, ServiceError> {
        let showing = self.showing_to(actor);
        let a = notice_rows::attachment(&self.db, actor.la_id, showing, (notice_id, id)).await?;
        let bytes =
            self.read_checked_file(&a.storage_key, &a.sha256, "a notice attachment").await?;
        Ok(Download { file_name: a.file_name, content_type: a.content_type, bytes })
    }
}
