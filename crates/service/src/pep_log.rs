//! A child's PEP change log, in words: which PEP, who, and what changed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::template::PepTemplate;
use openpep_store::audit::NamedEvent;
use openpep_store::peps::Pep;
use uuid::Uuid;

use crate::profile::uk_date;
use crate::{ServiceError, Services};

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PepLogEntry {
    pub occurred_at: DateTime<Utc>,
    /// Who did it; `None` for OpenPEP itself (a PEP raised by the worker).
    pub who: Option<String>,
    pub pep_id: Option<Uuid>,
    pub what: String,
}

/// Why a PEP exists, in words.
pub fn reason_label(reason: &str) -> &'static str {
    match reason {
        "initial" => "Initial PEP",
        "placement_change" => "Change of placement",
        _ => "Termly review",
    }
}

fn describe(event: &NamedEvent, template: Option<&PepTemplate>) -> String {
    let details = &event.details.0;
    let text = |key: &str| details.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    match event.action.as_str() {
        "pep.created" => {
            let due = text("due_on").parse::<NaiveDate>().map(uk_date).unwrap_or_default();
            format!("Created ({}), due {due}", reason_label(text("reason")))
        }
        "pep.page_saved" => {
            let key = text("page");
            let title = template
                .and_then(|t| t.page(key))
                .map_or_else(|| key.to_owned(), |p| p.title.clone());
            match text("status") {
                "completed" => format!("Saved “{title}” and marked it completed"),
                _ => format!("Saved “{title}”"),
            }
        }
        _ => "Changed the PEP".to_owned(),
    }
}

impl Services {
    /// The log's lines, with page titles from each PEP's own template.
    pub(crate) async fn describe_pep_log(
        &self,
        la_id: Uuid,
        peps: &[Pep],
        events: Vec<NamedEvent>,
    ) -> Result<Vec<PepLogEntry>, ServiceError> {
        let mut templates: HashMap<Uuid, Arc<PepTemplate>> = HashMap::new();
        for pep in peps {
            if events.iter().any(|e| e.entity_id == Some(pep.id)) {
                templates.insert(pep.id, self.template_of(la_id, pep.template_id).await?);
            }
        }
        Ok(events
            .into_iter()
            .map(|e| PepLogEntry {
                what: describe(&e, e.entity_id.and_then(|id| templates.get(&id)).map(|t| &**t)),
                occurred_at: e.occurred_at,
                who: e.actor_name,
                pep_id: e.entity_id,
            })
            .collect())
    }
}
