//! The authority's PEP template: the default until a VS administrator
//! uploads their own; every upload is checked and becomes a new version.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use openpep_domain::AuthorityAction;
use openpep_domain::template::{PepTemplate, TemplateError, TemplateFormat, default_template};
use openpep_store::audit;
use openpep_store::templates::{self, StoredTemplate, TemplateVersion};
use openpep_store::{Json, StoreError, Tx};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, Services};

/// Why an upload was not taken.
#[derive(Debug)]
pub enum UploadError {
    /// Nothing was chosen, or the file is not TOML or JSON.
    NoFile(String),
    /// What is wrong, by line and key.
    Invalid(Vec<TemplateError>),
    Service(ServiceError),
}

impl From<ServiceError> for UploadError {
    fn from(e: ServiceError) -> Self {
        UploadError::Service(e)
    }
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Service(e.into())
    }
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    NewVersion(i64),
    /// The file is the current version already (e.g. sent twice).
    Unchanged(i64),
}

/// Checked templates by authority and id (see `Services::templates`).
#[derive(Clone, Default)]
pub(crate) struct TemplateCache(Arc<RwLock<HashMap<TemplateKey, Arc<PepTemplate>>>>);

/// (authority, template version id)
type TemplateKey = (Uuid, Uuid);

impl TemplateCache {
    fn get(&self, key: TemplateKey) -> Option<Arc<PepTemplate>> {
        self.0.read().ok()?.get(&key).cloned()
    }

    fn keep(&self, key: TemplateKey, template: Arc<PepTemplate>) {
        if let Ok(mut map) = self.0.write() {
            map.insert(key, template);
        }
    }
}

/// The longest template file taken (a full template is ~20 KB).
pub const MAX_TEMPLATE_BYTES: usize = 512 * 1024;

/// The stored template, read back through the same checks as an upload.
pub(crate) fn read_template(stored: &StoredTemplate) -> Result<PepTemplate, ServiceError> {
    openpep_domain::template::parse_json(&stored.template.0.to_string()).map_err(|errors| {
        ServiceError::Internal(format!("stored template {} unreadable: {errors:?}", stored.version))
    })
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// The authority's newest template in the transaction, storing the default
/// as version 1 if it has none yet.
pub(crate) async fn ensure_template(
    tx: &mut Tx,
    la_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Uuid, PepTemplate), ServiceError> {
    if let Some(stored) = templates::current_in(tx, la_id).await? {
        return Ok((stored.id, read_template(&stored)?));
    }
    let template = default_template();
    let stored = StoredTemplate {
        id: Uuid::now_v7(),
        la_id,
        version: 1,
        name: template.name.clone(),
        format: "toml".into(),
        source: template.to_toml(),
        template: Json(serde_json::to_value(&template).map_err(internal)?),
        uploaded_by: None,
        created_at: now,
    };
    templates::insert(tx, &stored).await?;
    Ok((stored.id, template))
}

impl Services {
    /// The template new PEPs are made with, and its version number (the
    /// default, not yet stored, is version 0).
    pub async fn current_template(
        &self,
        la_id: Uuid,
    ) -> Result<(PepTemplate, i64, String), ServiceError> {
        match templates::current(&self.db, la_id).await? {
            Some(stored) => Ok((read_template(&stored)?, stored.version, stored.source)),
            None => {
                let template = default_template();
                let source = template.to_toml();
                Ok((template, 0, source))
            }
        }
    }

    /// The template a PEP was created with, read and checked once per
    /// version and app node.
    pub async fn template_of(
        &self,
        la_id: Uuid,
        template_id: Option<Uuid>,
    ) -> Result<Arc<PepTemplate>, ServiceError> {
        let Some(id) = template_id else {
            return Ok(openpep_domain::template::shared_default_template());
        };
        if let Some(template) = self.templates.get((la_id, id)) {
            return Ok(template);
        }
        let template = Arc::new(read_template(&templates::get(&self.db, la_id, id).await?)?);
        self.templates.keep((la_id, id), Arc::clone(&template));
        Ok(template)
    }

    pub async fn template_versions(
        &self,
        actor: &Actor,
    ) -> Result<Vec<TemplateVersion>, ServiceError> {
        self.authorise(actor, AuthorityAction::ManageTemplates)?;
        Ok(templates::versions(&self.db, actor.la_id).await?)
    }

    /// One version's file as uploaded, to download.
    pub async fn template_source(
        &self,
        actor: &Actor,
        version: i64,
    ) -> Result<StoredTemplate, ServiceError> {
        self.authorise(actor, AuthorityAction::ManageTemplates)?;
        Ok(templates::by_version(&self.db, actor.la_id, version).await?)
    }

    /// Checks an uploaded template and stores it as the next version.
    pub async fn upload_template(
        &self,
        actor: &Actor,
        file_name: &str,
        source: &str,
    ) -> Result<Uploaded, UploadError> {
        self.authorise(actor, AuthorityAction::ManageTemplates)?;
        let Some(format) = TemplateFormat::from_file_name(file_name) else {
            return Err(UploadError::NoFile(
                "The selected file must be a .toml or .json file".into(),
            ));
        };
        if source.trim().is_empty() {
            return Err(UploadError::NoFile("The selected file is empty".into()));
        }
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(UploadError::NoFile(
                "The selected file must be smaller than 512 KB".into(),
            ));
        }
        let template =
            openpep_domain::template::parse(source, format).map_err(UploadError::Invalid)?;
        let value = serde_json::to_value(&template).map_err(internal)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let current = templates::current_in(&mut tx, actor.la_id).await?;
        if let Some(current) = &current
            && current.template.0 == value
        {
            return Ok(Uploaded::Unchanged(current.version));
        }
        let version = current.map_or(1, |c| c.version + 1);
        let stored = StoredTemplate {
            id: Uuid::now_v7(),
            la_id: actor.la_id,
            version,
            name: template.name.clone(),
            format: match format {
                TemplateFormat::Toml => "toml".into(),
                TemplateFormat::Json => "json".into(),
            },
            source: source.to_owned(),
            template: Json(value),
            uploaded_by: Some(actor.user_id),
            created_at: now,
        };
        templates::insert(&mut tx, &stored).await?;
        let details = json!({ "version": version, "name": stored.name, "format": stored.format });
        let event = actor.event("template.uploaded", ("pep_template", stored.id), details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Uploaded::NewVersion(version))
    }
}
