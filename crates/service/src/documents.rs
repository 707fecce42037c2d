//! Documents on a child's record: uploaded to a PEP by the people working
//! on it, listed on the PEP and the child, downloaded only by those who may
//! see the child's PEPs, and every download logged.

use openpep_domain::pages::DocumentKind;
use openpep_domain::upload::{self, FileType, UploadError};
use openpep_domain::{Action, Relationship};
use openpep_store::audit;
use openpep_store::documents::{self, Document};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;

/// An upload's file checked by its bytes: its type, and a name safe to
/// offer in a download.
pub(crate) fn checked_file(sent: &NewDocument) -> Result<(FileType, String), UploadError> {
    let file_type =
        if sent.too_large { Err(UploadError::TooLarge) } else { upload::sniff(&sent.bytes) }?;
    Ok((file_type, upload::safe_file_name(&sent.file_name, file_type)))
}
use crate::pep_editing::PepRef;
use crate::{Actor, FieldErrors, ServiceError, Services};

/// An upload as the form sent it.
#[derive(Debug, Clone, Default)]
pub struct NewDocument {
    /// `DocumentKind::code()`.
    pub kind: String,
    pub title: String,
    /// The name the file had on the uploader's computer.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The file was larger than the limit and was not kept.
    pub too_large: bool,
}

/// A downloaded document: what it is and its bytes.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

const MAX_TITLE: usize = 150;

/// Who may read a document of the child's: those who see the full record
/// read every one; carers and the young person (who see the PEP but not
/// the record) the child's views and what they uploaded themselves.
pub(crate) fn may_read(actor: &Actor, relationship: Relationship, kind: &str, by: Uuid) -> bool {
    openpep_domain::allowed(actor.role, Action::ViewChildRecord, relationship)
        || kind == DocumentKind::ChildViews.code()
        || by == actor.user_id
}

impl Services {
    /// Whether the actor may add documents to the PEP: checked before an
    /// upload's body is read.
    pub async fn may_upload_document(&self, actor: &Actor, at: PepRef) -> Result<(), ServiceError> {
        let view = self.load_pep_to_save(actor, at).await?;
        if view.may_upload() { Ok(()) } else { Err(ServiceError::Forbidden) }
    }

    /// Adds a document to the PEP, if the actor works on it.
    pub async fn upload_document(
        &self,
        actor: &Actor,
        at: PepRef,
        sent: NewDocument,
    ) -> Result<Uuid, FormError> {
        let view = self.load_pep_to_save(actor, at).await?;
        if !view.may_upload() {
            return Err(ServiceError::Forbidden.into());
        }
        let mut errors = FieldErrors::default();
        let kind = DocumentKind::from_code(&sent.kind);
        match kind {
            None => errors.add("kind", "Select what the document is"),
            Some(kind) if !view.upload_kinds().contains(&kind) => {
                errors.add("kind", "You can upload the child's views here: select that")
            }
            Some(_) => {}
        }
        let title = sent.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.chars().count() > MAX_TITLE {
            errors.add("title", format!("The title must be {MAX_TITLE} characters or fewer"));
        }
        let file = match checked_file(&sent) {
            Ok(file) => Some(file),
            Err(e) => {
                errors.add("file", e.to_string());
                None
            }
        };
        let (Some(kind), Some((file_type, file_name)), true) = (kind, file, errors.is_empty())
        else {
            return Err(FormError::Invalid(errors));
        };
        let title = if title.is_empty() {
            file_name.rsplit_once('.').map_or(file_name.clone(), |(stem, _)| stem.to_owned())
        } else {
            title
        };
        let id = Uuid::now_v7();
        let storage_key = format!("{}/{id}", actor.la_id);
        let now = self.clock.now();
        let document = Document {
            id,
            la_id: actor.la_id,
            child_id: view.child.id,
            pep_id: Some(view.pep.id),
            kind: kind.code().to_owned(),
            title,
            file_name,
            content_type: file_type.content_type().to_owned(),
            size_bytes: i64::try_from(sent.bytes.len()).unwrap_or(i64::MAX),
            sha256: crate::sessions::sha256_hex(&sent.bytes),
            storage_key,
            uploaded_by: actor.user_id,
            uploaded_at: now,
        };
        let details = json!({
            "pep": view.pep.id,
            "kind": document.kind,
            "content_type": document.content_type,
            "size_bytes": document.size_bytes,
        });
        let event = actor.event_about_child(
            "document.uploaded",
            ("document", id),
            view.child.id,
            details,
            now,
        );
        let record = async {
            let mut tx = self.db.begin().await?;
            documents::insert(&mut tx, &document).await?;
            audit::record(&mut tx, &event).await?;
            tx.commit().await
        };
        let file = (document.storage_key.as_str(), sent.bytes.as_slice(), "a document");
        self.put_file_then_record(file, record).await?;
        Ok(id)
    }

    /// A document's bytes, for those who may see the child's PEPs; every
    /// download is logged.
    pub async fn download_document(
        &self,
        actor: &Actor,
        child_id: Uuid,
        document_id: Uuid,
    ) -> Result<Download, ServiceError> {
        let (child, relationship) = self.child_access(actor, child_id).await?;
        if !openpep_domain::allowed(actor.role, Action::ViewPep, relationship) {
            return Err(ServiceError::NotFound);
        }
        let document = documents::get(&self.db, actor.la_id, document_id)
            .await?
            .filter(|d| d.child_id == child.id)
            .filter(|d| may_read(actor, relationship, &d.kind, d.uploaded_by))
            .ok_or(ServiceError::NotFound)?;
        let bytes = self
            .files
            .get(&document.storage_key)
            .await
            .map_err(|e| ServiceError::Internal(format!("reading a document: {e}")))?;
        let details = json!({ "pep": document.pep_id, "role": actor.role.code() });
        let event = actor.event_about_child(
            "document.downloaded",
            ("document", document.id),
            child.id,
            details,
            self.clock.now(),
        );
        audit::record_now(&self.db, &event).await?;
        Ok(Download { file_name: document.file_name, content_type: document.content_type, bytes })
    }
}
