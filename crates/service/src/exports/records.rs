//! A young person's records, as a subject access request answers it: one
//! zip with every PDF of their PEPs, every document uploaded about them,
//! and `record.json`, every row held about them table by table.

use openpep_domain::Action;
use openpep_store::audit;
use openpep_store::held::{self, HeldRows};
use serde_json::{Value, json};
use uuid::Uuid;

use super::ZipDownload;
use super::zip_stream::{Part, zip_stream};
use crate::{Actor, ServiceError, Services};

/// What the zip's README.txt says first.
pub const RECORDS_README: &str = "\
This zip holds everything OpenPEP keeps about one young person:

  record.json   every record about them, table by table, as stored
  peps/         the PDF of each signed-off PEP (each version)
  documents/    every document uploaded to their record

Dates and times are in UTC. Ids link the records to one another (a PEP's
pages carry the PEP's id). People are named by their account's id; the
Virtual School can say who each is.
";

fn rows_of<'a>(held: &'a [HeldRows], table: &str) -> &'a [serde_json::Map<String, Value>] {
    held.iter().find(|h| h.table == table).map_or(&[], |h| h.rows.as_slice())
}

fn text<'a>(row: &'a serde_json::Map<String, Value>, column: &str) -> &'a str {
    row.get(column).and_then(Value::as_str).unwrap_or("")
}

/// The PDFs of the PEPs and the uploaded documents among the rows held.
fn files_of(held: &[HeldRows]) -> Vec<Part> {
    let peps = rows_of(held, "peps");
    let term_of = |pep_id: &str| {
        peps.iter().find(|p| text(p, "id") == pep_id).map_or_else(
            || "PEP".to_owned(),
            |p| format!("{} {}", p.get("academic_year").unwrap_or(&Value::Null), text(p, "term")),
        )
    };
    let pdfs =
        rows_of(held, "pep_archives").iter().filter(|a| text(a, "status") == "ready").map(|a| {
            let version = a.get("version").and_then(Value::as_i64).unwrap_or(0);
            Part::Stored {
                name: format!(
                    "peps/{} {} v{version}.pdf",
                    term_of(text(a, "pep_id")),
                    text(a, "id")
                ),
                key: text(a, "file_key").to_owned(),
                sha256: text(a, "sha256").to_owned(),
                what: "a PEP PDF",
            }
        });
    let documents = rows_of(held, "documents").iter().map(|d| Part::Stored {
        name: format!(
            "documents/{} {} {}",
            text(d, "uploaded_at").get(..10).unwrap_or(""),
            text(d, "id"),
            text(d, "file_name")
        ),
        key: text(d, "storage_key").to_owned(),
        sha256: text(d, "sha256").to_owned(),
        what: "a document",
    });
    pdfs.chain(documents).collect()
}

impl Services {
    /// Everything held about a child of the authority, as one zip. Who made
    /// it and when is audited against the child.
    pub async fn child_records_zip(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<ZipDownload, ServiceError> {
        let child = self.child_for(actor, child_id, Action::ExportChildRecords).await?;
        let held = held::about_child(&self.db, child.id).await?;
        let now = self.clock.now();
        let files = files_of(&held);
        let record = json!({
            "made_at": now.to_rfc3339(),
            "made_by": actor.user_id.to_string(),
            "child_id": child.id.to_string(),
            "held": held.iter().map(|h| (h.table.clone(), Value::from(h.rows.iter().cloned().map(Value::Object).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>(),
        });
        let record = serde_json::to_vec_pretty(&record)
            .map_err(|e| ServiceError::Internal(format!("record.json: {e}")))?;
        let event = actor.event_about_child(
            "child.records_exported",
            ("child", child.id),
            child.id,
            json!({
                "files": files.len(),
                "tables": held.len(),
                "rows": held.iter().map(|h| h.rows.len()).sum::<usize>(),
            }),
            now,
        );
        audit::record_now(&self.db, &event).await?;
        let mut parts = vec![
            Part::Made { name: "README.txt".into(), bytes: RECORDS_README.as_bytes().to_vec() },
            Part::Made { name: "record.json".into(), bytes: record },
        ];
        parts.extend(files);
        Ok(ZipDownload {
            file_name: format!(
                "openpep-records-{}-{}.zip",
                child.la_child_id.as_deref().unwrap_or("child"),
                self.clock.today()
            ),
            entries: parts.len(),
            bytes: zip_stream(self.clone(), parts),
        })
    }
}
