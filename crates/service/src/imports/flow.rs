//! The import as the Virtual School's administrator works it in the
//! browser: upload a file, read the dry run's report (and, for the
//! council's own CSV, choose its columns), then import it. The file is
//! kept in the file store between the two, so any app node can finish it.
//! And the same from the command line, straight from a file on disk.

use std::io::{self, Read};
use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use openpep_domain::AuthorityAction;
use openpep_store::imports::{self as rows, ImportRecord};
use openpep_store::{Json, audit, authorities};

use super::{ImportKind, ImportReport, Importer, Mapping};
use crate::invitations::FormError;
use crate::sessions::{hex, sha256_hex};
use crate::{Actor, FieldErrors, ServiceError, Services};

/// The largest file taken in the browser. The command line takes any size.
pub const MAX_IMPORT_BYTES: usize = 35 * 1024 * 1024;

/// A file sent from the import page.
#[derive(Debug, Clone, Default)]
pub struct ImportUpload {
    pub kind: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub too_large: bool,
}

/// An import with its report (which holds, for an LA CSV, the file's
/// columns and the mapping in use).
#[derive(Debug, Clone)]
pub struct ImportView {
    pub record: ImportRecord,
    pub kind: ImportKind,
    pub report: ImportReport,
}

impl ImportView {
    /// Whether the administrator may import it now.
    pub fn may_import(&self) -> bool {
        self.record.status == "checked"
            && self.report.importable()
            && self.record.file_key.is_some()
    }
}

/// Reads through to a SHA-256 of everything read.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn file_key(la_id: Uuid, id: Uuid) -> String {
    format!("{la_id}/import-{id}")
}

fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(120).collect();
    if clean.trim().is_empty() { "import.csv".to_owned() } else { clean }
}

fn mapping_of(record: &ImportRecord) -> Mapping {
    serde_json::from_value(record.mapping.0.clone()).unwrap_or_default()
}

fn report_of(record: &ImportRecord) -> ImportReport {
    serde_json::from_value(record.report.0.clone()).unwrap_or_default()
}

impl Services {
    /// Checks an uploaded file (the dry run) and keeps it for the import;
    /// the new import's id.
    pub async fn check_import(
        &self,
        actor: &Actor,
        upload: ImportUpload,
    ) -> Result<Uuid, FormError> {
        self.authorise(actor, AuthorityAction::ImportData)?;
        let mut errors = FieldErrors::default();
        let kind = ImportKind::from_code(&upload.kind);
        if kind.is_none() {
            errors.add("kind", "Select what the file holds");
        }
        if upload.too_large {
            errors.add(
                "file",
                format!(
                    "The file must be smaller than {} MB: split it, or import it on the server with openpep import",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            );
        } else if upload.bytes.is_empty() {
            errors.add("file", "Select a CSV file");
        }
        let Some(kind) = kind.filter(|_| errors.is_empty()) else {
            return Err(FormError::Invalid(errors));
        };
        let id = Uuid::now_v7();
        let importer = Importer::acting(actor, id);
        let report = self
            .run_import(&importer, kind, &Mapping::new(), upload.bytes.as_slice(), false)
            .await?;
        let key = file_key(actor.la_id, id);
        self.files
            .put(&key, &upload.bytes)
            .await
            .map_err(|e| ServiceError::Internal(format!("keeping an import: {e}")))?;
        let record = ImportRecord {
            id,
            la_id: actor.la_id,
            kind: kind.code().to_owned(),
            file_name: safe_name(&upload.file_name),
            file_key: Some(key),
            file_sha256: sha256_hex(&upload.bytes),
            size_bytes: upload.bytes.len() as i64,
            mapping: Json(json!({})),
            status: "checked".to_owned(),
            rows_created: 0,
            rows_updated: 0,
            rows_unchanged: 0,
            rows_refused: 0,
            report: Json(json!({})),
            created_by: Some(actor.user_id),
            created_at: openpep_store::truncate_to_micros(self.clock.now()),
            imported_by: None,
            imported_at: None,
        };
        let record = with_report(record, &report);
        let mut tx = self.db.begin().await?;
        rows::insert(&mut tx, &record).await?;
        audit::record(
            &mut tx,
            &importer.event("import.checked", ("import", id), None, self.clock.now()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An import of the actor's authority, with its report.
    pub async fn import_view(&self, actor: &Actor, id: Uuid) -> Result<ImportView, ServiceError> {
        self.authorise(actor, AuthorityAction::ImportData)?;
        let record = rows::get(&self.db, actor.la_id, id).await?;
        let kind = ImportKind::from_code(&record.kind).ok_or(ServiceError::NotFound)?;
        let report = report_of(&record);
        Ok(ImportView { record, kind, report })
    }

    /// The authority's latest imports.
    pub async fn recent_imports(&self, actor: &Actor) -> Result<Vec<ImportRecord>, ServiceError> {
        self.authorise(actor, AuthorityAction::ImportData)?;
        Ok(rows::recent(&self.db, actor.la_id, 20).await?)
    }

    /// Checks an LA CSV again with the columns the administrator chose.
    pub async fn remap_import(
        &self,
        actor: &Actor,
        id: Uuid,
        mapping: Mapping,
    ) -> Result<(), ServiceError> {
        let view = self.import_view(actor, id).await?;
        let Some(key) =
            view.record.file_key.clone().filter(|_| view.kind == ImportKind::LaChildren)
        else {
            return Err(ServiceError::NotFound);
        };
        let bytes = self.kept_file(&key).await?;
        let importer = Importer::acting(actor, id);
        let report =
            self.run_import(&importer, view.kind, &mapping, bytes.as_slice(), false).await?;
        let record = ImportRecord {
            mapping: Json(serde_json::to_value(&mapping).unwrap_or_default()),
            ..with_report(view.record, &report)
        };
        // Checked again: the record is replaced with the new mapping's report.
        let mut tx = self.db.begin().await?;
        rows::remap(&mut tx, &record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports a checked file: all of it, or (if a row is now refused)
    /// none of it.
    pub async fn run_checked_import(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<ImportReport, ServiceError> {
        let view = self.import_view(actor, id).await?;
        let Some(key) = view.record.file_key.clone().filter(|_| view.record.status == "checked")
        else {
            return Ok(view.report);
        };
        let bytes = self.kept_file(&key).await?;
        let importer = Importer::acting(actor, id);
        let mapping = mapping_of(&view.record);
        let report =
            self.run_import(&importer, view.kind, &mapping, bytes.as_slice(), true).await?;
        let record = ImportRecord {
            status: if report.importable() { "imported" } else { "refused" }.to_owned(),
            imported_by: Some(actor.user_id),
            imported_at: Some(self.clock.now()),
            ..with_report(view.record, &report)
        };
        let mut tx = self.db.begin().await?;
        rows::mark_done(&mut tx, &record).await?;
        tx.commit().await?;
        // The file is no longer needed; a failure here leaves a stray file,
        // not a wrong record.
        let _ = self.files.delete(&key).await;
        Ok(report)
    }

    async fn kept_file(&self, key: &str) -> Result<Vec<u8>, ServiceError> {
        self.files
            .get(key)
            .await
            .map_err(|e| ServiceError::Internal(format!("an import's file: {e}")))
    }

    /// Imports a file from disk (the command line), streaming it: a dry
    /// run when `commit` is false. `as_email` names the VS administrator
    /// the import is made as; without it, no user (attendance needs one).
    pub async fn import_from_path(
        &self,
        la_code: &str,
        as_email: Option<&str>,
        kind: ImportKind,
        mapping: &Mapping,
        path: &Path,
        commit: bool,
    ) -> Result<(Uuid, ImportReport), ServiceError> {
        let la = authorities::by_code(&self.db, la_code).await?.ok_or_else(|| {
            ServiceError::Internal(format!("no authority with the code {la_code}"))
        })?;
        let user_id = match as_email {
            None => None,
            Some(email) => Some(self.administrator(la_code, email).await?.user_id),
        };
        if kind == ImportKind::Attendance && user_id.is_none() && commit {
            return Err(ServiceError::Internal(
                "an attendance import is made as a VS administrator: give --as EMAIL".into(),
            ));
        }
        let id = Uuid::now_v7();
        let importer = Importer { la_id: la.id, user_id, request_id: None, import_id: id };
        let file = std::fs::File::open(path)
            .map_err(|e| ServiceError::Internal(format!("{}: {e}", path.display())))?;
        let mut source = Hashing {
            inner: io::BufReader::with_capacity(1 << 16, file),
            hash: Sha256::new(),
            bytes: 0,
        };
        let report = self.run_import(&importer, kind, mapping, &mut source, commit).await?;
        // Whatever the reading stopped at, the checksum covers the file.
        io::copy(&mut source, &mut io::sink())
            .map_err(|e| ServiceError::Internal(format!("{}: {e}", path.display())))?;
        let now = openpep_store::truncate_to_micros(self.clock.now());
        let status = match (commit, report.importable()) {
            (false, _) => "checked",
            (true, true) => "imported",
            (true, false) => "refused",
        };
        let record = ImportRecord {
            id,
            la_id: la.id,
            kind: kind.code().to_owned(),
            file_name: safe_name(&path.to_string_lossy()),
            file_key: None,
            file_sha256: hex(&source.hash.finalize()),
            size_bytes: i64::try_from(source.bytes).unwrap_or(i64::MAX),
            mapping: Json(serde_json::to_value(mapping).unwrap_or_default()),
            status: status.to_owned(),
            rows_created: 0,
            rows_updated: 0,
            rows_unchanged: 0,
            rows_refused: 0,
            report: Json(json!({})),
            created_by: user_id,
            created_at: now,
            imported_by: commit.then_some(user_id).flatten(),
            imported_at: commit.then_some(now),
        };
        let mut tx = self.db.begin().await?;
        rows::insert(&mut tx, &with_report(record, &report)).await?;
        if !commit {
            audit::record(
                &mut tx,
                &importer.event("import.checked", ("import", id), None, self.clock.now()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok((id, report))
    }
}

impl Importer {
    /// A signed-in administrator's import.
    fn acting(actor: &Actor, import_id: Uuid) -> Importer {
        Importer {
            la_id: actor.la_id,
            user_id: Some(actor.user_id),
            request_id: actor.request_id.clone(),
            import_id,
        }
    }
}

fn with_report(record: ImportRecord, report: &ImportReport) -> ImportRecord {
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    ImportRecord {
        rows_created: count(report.created),
        rows_updated: count(report.updated),
        rows_unchanged: count(report.unchanged),
        rows_refused: count(report.refused),
        report: Json(serde_json::to_value(report).unwrap_or_default()),
        ..record
    }
}
