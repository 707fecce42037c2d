//! Attendance by UPN into the attendance page of each child's current
//! PEP. A PEP signed off (or with the Virtual School) is left as it is:
//! the row is skipped, and the report says so.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use openpep_domain::AcademicYear;
use openpep_domain::PepStatus;
use openpep_domain::Term;
use openpep_domain::attendance_csv::{AttendanceRow, check_attendance};
use openpep_domain::pages::uk_date;
use openpep_domain::pep_cycle::PepEvent;
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::template::PageKind;
use openpep_store::children::Child;
use openpep_store::imports::{self, ChildKey, CurrentPep, SavedPage};
use openpep_store::pep_pages::{self, PageWrite};
use openpep_store::{Tx, peps};

use super::{Chunk, ImportReport, Step, key_of};
use crate::{ServiceError, Services};
use openpep_store::audit;

/// The UPNs already read, with their lines; the authority's settings (for
/// its term dates), read with the first chunk.
#[derive(Default)]
pub(super) struct Seen {
    upns: HashMap<String, u64>,
    settings: Option<AuthoritySettings>,
}

pub(super) async fn chunk(
    services: &Services,
    tx: &mut Tx,
    step: &Step<'_>,
    chunk: Chunk<'_>,
    seen: &mut Seen,
    report: &mut ImportReport,
) -> Result<(), ServiceError> {
    let la_id = step.importer.la_id;
    let mut checked: Vec<(u64, AttendanceRow)> = Vec::new();
    for (line, row) in &chunk {
        match check_attendance(row) {
            Ok(a) => {
                let upn = a.upn.as_str().to_owned();
                if let Some(first) = seen.upns.get(&upn) {
                    report.refuse_one(
                        *line,
                        &upn,
                        "UPN",
                        format!("appears again (first on line {first})"),
                    );
                } else {
                    seen.upns.insert(upn, *line);
                    checked.push((*line, a));
                }
            }
            Err(problems) => report.refuse(*line, &key_of(row, "UPN"), problems),
        }
    }
    let upns: Vec<String> = checked.iter().map(|(_, a)| a.upn.as_str().to_owned()).collect();
    let children: HashMap<String, Child> = imports::children_by(tx, la_id, ChildKey::Upn, &upns)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.upn.clone()?, c)))
        .collect();
    let child_ids: Vec<Uuid> = children.values().map(|c| c.id).collect();
    let current: HashMap<Uuid, CurrentPep> = imports::current_peps(tx, la_id, &child_ids)
        .await?
        .into_iter()
        .map(|p| (p.child_id, p))
        .collect();
    // Each template version names its attendance page.
    let mut page_key: HashMap<Option<Uuid>, Option<String>> = HashMap::new();
    for pep in current.values() {
        if let std::collections::hash_map::Entry::Vacant(slot) = page_key.entry(pep.template_id) {
            let template = services.template_of(la_id, pep.template_id).await?;
            slot.insert(
                template
                    .pages()
                    .find(|(_, _, page)| page.kind == PageKind::Attendance)
                    .map(|(_, _, page)| page.key.clone()),
            );
        }
    }
    let pep_ids: Vec<Uuid> = current.values().map(|p| p.id).collect();
    let mut keys: Vec<String> = page_key.values().flatten().cloned().collect();
    keys.sort();
    keys.dedup();
    let saved: HashMap<(Uuid, String), SavedPage> =
        imports::saved_pages(tx, la_id, &pep_ids, &keys)
            .await?
            .into_iter()
            .map(|p| ((p.pep_id, p.page_key.clone()), p))
            .collect();
    if seen.settings.is_none() {
        seen.settings = Some(services.authority_settings(la_id).await?.0);
    }
    let Some(settings) = &seen.settings else { return Ok(()) };

    for (line, row) in checked {
        let upn = row.upn.as_str().to_owned();
        let Some(child) = children.get(&upn) else {
            report.refuse_one(
                line,
                &upn,
                "UPN",
                "is not the UPN of a child of the authority in OpenPEP".to_owned(),
            );
            continue;
        };
        let pep = current.get(&child.id);
        let key = pep.and_then(|p| page_key.get(&p.template_id).cloned().flatten());
        let (Some(pep), Some(key)) = (pep, key) else {
            report.skipped(line, &upn, "the child has no PEP with an attendance page yet");
            continue;
        };
        let status = PepStatus::from_code(&pep.status);
        let open = status.is_some_and(|s| {
            s != PepStatus::ReturnedForImprovement && s.after(PepEvent::Edited).is_ok()
        });
        if !open {
            report.skipped(
                line,
                &upn,
                "the child's current PEP is signed off, so it is left as it is",
            );
            continue;
        }
        let term_dates = Term::from_code(&pep.term)
            .and_then(|t| settings.term_dates(AcademicYear(pep.academic_year), t).ok());
        if let Some(dates) = term_dates
            && (row.from < dates.starts_on || row.to > dates.ends_on)
        {
            report.refuse_one(
                line,
                &upn,
                "FROM",
                format!(
                    "the period must be within the current PEP's term, {} to {}",
                    uk_date(dates.starts_on),
                    uk_date(dates.ends_on)
                ),
            );
            continue;
        }
        if row.to > step.today {
            report.refuse_one(line, &upn, "TO", "must be today or in the past".to_owned());
            continue;
        }
        let before = saved.get(&(pep.id, key.clone()));
        let mut answers = match before.map(|p| &p.answers.0) {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        let figures = [
            ("from", json!(row.from.format("%Y-%m-%d").to_string())),
            ("to", json!(row.to.format("%Y-%m-%d").to_string())),
            ("possible", json!(row.possible.to_string())),
            ("attended", json!(row.attended.to_string())),
            ("authorised", json!(row.authorised.to_string())),
            ("unauthorised", json!(row.unauthorised.to_string())),
        ];
        let changed: Vec<String> = figures
            .iter()
            .filter(|(k, v)| answers.get(*k) != Some(v))
            .map(|(k, _)| k.to_uppercase())
            .collect();
        if changed.is_empty() {
            report.unchanged += 1;
            continue;
        }
        for (k, v) in figures {
            answers.insert(k.to_owned(), v);
        }
        if before.is_some() {
            report.updated(line, &upn, changed);
        } else {
            report.created(line, &upn);
        }
        if !step.write {
            continue;
        }
        let Some(by) = step.importer.user_id else {
            return Err(ServiceError::Internal(
                "an attendance import needs the user it is made as".into(),
            ));
        };
        let answers = Value::Object(answers);
        let now = step.now;
        let write = PageWrite {
            la_id,
            pep_id: pep.id,
            page_key: &key,
            expected_version: before.map_or(0, |p| p.version),
            status: before.map_or("in_progress", |p| p.status.as_str()),
            answers: &answers,
            by,
            now,
        };
        pep_pages::save(tx, &write, Uuid::now_v7()).await?;
        if let Some(s) = status
            && let Ok(after) = s.after(PepEvent::Edited)
            && after != s
        {
            peps::set_status(tx, la_id, pep.id, s.code(), after.code(), now).await?;
        }
        let event = step.importer.event(
            "pep.attendance_imported",
            ("pep", pep.id),
            Some(child.id),
            step.now,
        );
        audit::record(tx, &event).await?;
    }
    Ok(())
}
