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
        "placement_change" => "Change of school",
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
        "pep.disagreement_raised" => "Raised a professional disagreement".to_owned(),
        "pep.refocused_on_school_move" => {
            let due = text("due_on").parse::<NaiveDate>().map(uk_date).unwrap_or_default();
            format!("Now the PEP for the change of school, due {due}")
        }
        "pep.disagreement_resolved" => "Resolved the professional disagreement".to_owned(),
        _ => "Changed the PEP".to_owned(),
    }
}

/// Lines the overview shows.
pub const LOG_LINES: usize = 15;

/// Autosave writes a page every few seconds while someone types: one line
/// for each run of saves of the same page by the same person (the newest,
/// which says whether they completed it).
fn collapse_autosaves(events: Vec<NamedEvent>) -> Vec<NamedEvent> {
    let page_of = |e: &NamedEvent| {
        (e.action == "pep.page_saved")
            .then(|| (e.entity_id, e.actor_name.clone(), e.details.0.get("page").cloned()))
    };
    let mut kept: Vec<NamedEvent> = Vec::new();
    for event in events {
        let same_run = page_of(&event)
            .is_some_and(|key| kept.last().and_then(page_of).is_some_and(|newer| newer == key));
        if !same_run {
            kept.push(event);
        }
    }
    kept
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
        Ok(collapse_autosaves(events)
            .into_iter()
            .take(LOG_LINES)
            .map(|e| PepLogEntry {
                what: describe(&e, e.entity_id.and_then(|id| templates.get(&id)).map(|t| &**t)),
                occurred_at: e.occurred_at,
                who: e.actor_name,
                pep_id: e.entity_id,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use openpep_store::Json;
    use serde_json::json;

    use super::*;

    fn saved(who: &str, page: &str, minute: u32) -> NamedEvent {
        NamedEvent {
            id: Uuid::now_v7(),
            action: "pep.page_saved".into(),
            entity_id: Some(Uuid::nil()),
            actor_name: Some(who.into()),
            details: Json(json!({ "page": page, "status": "in_progress" })),
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 23, 10, minute, 0).unwrap(),
        }
    }

    #[test]
    fn a_run_of_autosaves_is_one_line_and_other_changes_stay() {
        // Newest first, as the store returns them.
        let events = vec![
            saved("Sam", "meeting", 9),
            saved("Sam", "meeting", 8),
            saved("Sam", "meeting", 7),
            saved("Ali", "meeting", 6),
            saved("Sam", "meeting", 5),
            saved("Sam", "care_update", 4),
        ];
        let kept: Vec<_> = collapse_autosaves(events)
            .iter()
            .map(|e| (e.actor_name.clone().unwrap(), e.occurred_at.format("%M").to_string()))
            .collect();
        let expected = [("Sam", "09"), ("Ali", "06"), ("Sam", "05"), ("Sam", "04")];
        assert_eq!(kept, expected.map(|(w, m)| (w.to_string(), m.to_string())));
    }

    #[test]
    fn events_read_as_plain_english() {
        let mut created = saved("Sam", "", 1);
        created.action = "pep.created".into();
        created.details = Json(json!({ "reason": "initial", "due_on": "2026-12-07" }));
        assert_eq!(describe(&created, None), "Created (Initial PEP), due 7 December 2026");
        let template = openpep_domain::template::default_template();
        let mut done = saved("Sam", "meeting", 2);
        done.details = Json(json!({ "page": "meeting", "status": "completed" }));
        assert_eq!(
            describe(&done, Some(&template)),
            "Saved “The PEP meeting” and marked it completed"
        );
        assert_eq!(describe(&saved("Sam", "gone", 3), Some(&template)), "Saved “gone”");
    }
}
