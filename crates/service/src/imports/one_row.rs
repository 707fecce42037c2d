//! One record written through the import rules: the JSON API's writes
//! (a child, attendance, a school) are checked, matched, audited and
//! saved exactly as a one-row file of the same kind would be.

use uuid::Uuid;

use super::{ImportKind, ImportReport, Importer, Mapping};
use crate::{Actor, ServiceError, Services};

fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

impl Services {
    /// Imports one row of `kind`, given as (column, value) pairs in the
    /// import's own column names; an empty value keeps what is held.
    pub async fn import_one(
        &self,
        actor: &Actor,
        kind: ImportKind,
        row: &[(&str, String)],
    ) -> Result<ImportReport, ServiceError> {
        self.authorise(actor, openpep_domain::AuthorityAction::ImportData)?;
        let header: Vec<String> = row.iter().map(|(c, _)| cell(c)).collect();
        let values: Vec<String> = row.iter().map(|(_, v)| cell(v)).collect();
        let file = format!("{}\r\n{}\r\n", header.join(","), values.join(","));
        // An LA CSV's fields are named as its columns are.
        let mapping: Mapping = match kind {
            ImportKind::LaChildren => {
                row.iter().map(|(c, _)| ((*c).to_owned(), (*c).to_owned())).collect()
            }
            _ => Mapping::new(),
        };
        let importer = Importer {
            la_id: actor.la_id,
            user_id: Some(actor.user_id),
            request_id: actor.request_id.clone(),
            import_id: Uuid::now_v7(),
        };
        self.run_import(&importer, kind, &mapping, file.as_bytes(), true).await
    }
}
