//! Children from the SSDA903 Header table or an LA CSV, matched by the
//! council's id for them (CHILD), or by UPN for a child already in OpenPEP
//! without one. A cell left empty keeps what OpenPEP holds.

use std::collections::HashMap;

use uuid::Uuid;

use openpep_domain::ssda903::{ChildRow, Problem, check_child};
use openpep_store::children::{self, Child, ChildProfile};
use openpep_store::imports::{self, ChildKey, OpenPlacement};
use openpep_store::placements::{self, SchoolPlacement};
use openpep_store::schools::School;
use openpep_store::{StoreError, Tx};

use super::{Chunk, ImportReport, Step, changed, key_of};
use crate::ServiceError;
use openpep_store::audit;

/// The CHILD ids and UPNs already read, with their lines.
#[derive(Default)]
pub(super) struct Seen {
    children: HashMap<String, u64>,
    upns: HashMap<String, u64>,
}

pub(super) async fn chunk(
    tx: &mut Tx,
    step: &Step<'_>,
    chunk: Chunk<'_>,
    seen: &mut Seen,
    report: &mut ImportReport,
) -> Result<(), ServiceError> {
    let la_id = step.importer.la_id;
    let mut checked: Vec<(u64, ChildRow)> = Vec::new();
    for (line, row) in &chunk {
        let key = key_of(row, "CHILD");
        let mut problems = match check_child(row, step.layout) {
            Ok(child) => {
                let mut problems = Vec::new();
                if let Some(first) = seen.children.get(&child.child) {
                    problems
                        .push(problem("CHILD", format!("appears again (first on line {first})")));
                }
                if let Some(upn) = &child.upn
                    && let Some(first) = seen.upns.get(upn.as_str())
                {
                    problems
                        .push(problem("UPN", format!("is given to another child on line {first}")));
                }
                if problems.is_empty() {
                    seen.children.insert(child.child.clone(), *line);
                    if let Some(upn) = &child.upn {
                        seen.upns.insert(upn.as_str().to_owned(), *line);
                    }
                    checked.push((*line, child));
                }
                problems
            }
            Err(problems) => problems,
        };
        if !problems.is_empty() {
            problems.dedup();
            report.refuse(*line, &key, problems);
        }
    }

    let ids: Vec<String> = checked.iter().map(|(_, c)| c.child.clone()).collect();
    let upns: Vec<String> =
        checked.iter().filter_map(|(_, c)| c.upn.as_ref().map(|u| u.as_str().to_owned())).collect();
    let urns: Vec<i32> = checked.iter().filter_map(|(_, c)| c.school.map(|s| s.urn)).collect();
    let by_id: HashMap<String, Child> = imports::children_by(tx, la_id, ChildKey::CouncilId, &ids)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.la_child_id.clone()?, c)))
        .collect();
    let by_upn: HashMap<String, Child> = imports::children_by(tx, la_id, ChildKey::Upn, &upns)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.upn.clone()?, c)))
        .collect();
    let schools: HashMap<i32, School> =
        openpep_store::schools::by_urns(tx, &urns).await?.into_iter().map(|s| (s.urn, s)).collect();
    let held_ids: Vec<Uuid> = by_id.values().chain(by_upn.values()).map(|c| c.id).collect();
    let open: HashMap<Uuid, OpenPlacement> = imports::open_placements(tx, la_id, &held_ids)
        .await?
        .into_iter()
        .map(|p| (p.child_id, p))
        .collect();

    for (line, row) in checked {
        let upn = row.upn.as_ref().map(|u| u.as_str().to_owned());
        let upn_holder = upn.as_ref().and_then(|u| by_upn.get(u));
        let matched = by_id.get(&row.child).or(upn_holder.filter(|h| h.la_child_id.is_none()));
        let mut problems = Vec::new();
        if let Some(holder) = upn_holder
            && matched.is_none_or(|m| m.id != holder.id)
        {
            problems.push(problem(
                "UPN",
                match &holder.la_child_id {
                    Some(other) => format!("is already held by child {other}"),
                    None => "is already held by another child in OpenPEP".to_owned(),
                },
            ));
        }
        if matched.is_none() && (row.forename.is_none() || row.surname.is_none()) {
            problems.push(problem(
                if row.forename.is_none() { "FORENAME" } else { "SURNAME" },
                "is needed for a child new to OpenPEP: the SSDA903 return has no names, so add FORENAME and SURNAME columns",
            ));
        }
        let school = match row.school {
            Some(s) => match schools.get(&s.urn) {
                Some(school) => Some((school, s.started_on.unwrap_or(step.today))),
                None => {
                    problems.push(problem(
                        "SCHOOL_URN",
                        format!(
                            "{} is not a school OpenPEP knows: import the GIAS file first",
                            s.urn
                        ),
                    ));
                    None
                }
            },
            None => None,
        };
        let current = matched.and_then(|c| open.get(&c.id));
        let move_school = school.filter(|(s, _)| current.is_none_or(|p| p.school_id != s.id));
        if let (Some((_, started)), Some(current)) = (move_school, current)
            && started <= current.started_on
        {
            problems.push(problem(
                "SCHOOL_START",
                "must be after the child started at the school OpenPEP has them at",
            ));
        }
        if !problems.is_empty() {
            report.refuse(line, &row.child, problems);
            continue;
        }
        let child_id = match matched {
            None => {
                report.created(line, &row.child);
                let child = new_child(step, &row);
                if step.write {
                    children::insert(tx, &child).await?;
                    let event = step.importer.event(
                        "child.imported",
                        ("child", child.id),
                        Some(child.id),
                        step.now,
                    );
                    audit::record(tx, &event).await?;
                }
                child.id
            }
            Some(held) => {
                let profile = merged(held, &row);
                let mut fields = changed_fields(&held.profile(), &profile);
                let link = held.la_child_id.as_deref() != Some(row.child.as_str());
                if link {
                    fields.push("CHILD".to_owned());
                }
                if move_school.is_some() {
                    fields.push("SCHOOL_URN".to_owned());
                }
                if fields.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.updated(line, &row.child, fields.clone());
                    if step.write {
                        update(tx, step, held, &profile, link.then_some(&row.child), fields)
                            .await?;
                    }
                }
                held.id
            }
        };
        if let (Some((school, started_on)), true) = (move_school, step.write) {
            let placement = SchoolPlacement {
                id: Uuid::now_v7(),
                la_id: step.importer.la_id,
                child_id,
                school_id: school.id,
                started_on,
                ended_on: None,
                reason_ended: None,
                created_at: step.now,
            };
            if current.is_some() {
                placements::end_current_school_placement(
                    tx,
                    placement.la_id,
                    child_id,
                    started_on,
                    "School move",
                )
                .await?;
                placements::end_school_staff_allocations(tx, placement.la_id, child_id, started_on)
                    .await?;
            }
            placements::insert_school_placement(tx, &placement).await?;
        }
    }
    Ok(())
}

fn problem(column: &'static str, reason: impl Into<String>) -> Problem {
    Problem { column, reason: reason.into() }
}

fn new_child(step: &Step<'_>, row: &ChildRow) -> Child {
    let now = step.now;
    Child {
        id: Uuid::now_v7(),
        la_id: step.importer.la_id,
        forename: row.forename.clone().unwrap_or_default(),
        surname: row.surname.clone().unwrap_or_default(),
        preferred_name: row.preferred_name.clone(),
        date_of_birth: row.date_of_birth,
        gender: row.gender.to_owned(),
        ethnicity: row.ethnicity.clone(),
        sen_provision: None,
        upn: row.upn.as_ref().map(|u| u.as_str().to_owned()),
        upn_unknown_reason: row.upn_unknown_reason.clone(),
        uln: None,
        legal_status: None,
        entered_care_on: None,
        left_care_on: None,
        vs_priority: None,
        la_child_id: Some(row.child.clone()),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The profile with what the row gives; a cell left empty keeps what is
/// held.
fn merged(held: &Child, row: &ChildRow) -> ChildProfile {
    let mut p = held.profile();
    if let Some(f) = &row.forename {
        p.forename.clone_from(f);
    }
    if let Some(s) = &row.surname {
        p.surname.clone_from(s);
    }
    if row.preferred_name.is_some() {
        p.preferred_name.clone_from(&row.preferred_name);
    }
    p.date_of_birth = row.date_of_birth;
    row.gender.clone_into(&mut p.gender);
    if row.ethnicity.is_some() {
        p.ethnicity.clone_from(&row.ethnicity);
    }
    if let Some(upn) = &row.upn {
        p.upn = Some(upn.as_str().to_owned());
        p.upn_unknown_reason = None;
    } else if row.upn_unknown_reason.is_some() {
        p.upn = None;
        p.upn_unknown_reason.clone_from(&row.upn_unknown_reason);
    }
    p
}

/// The columns whose values differ, by the file's names.
fn changed_fields(before: &ChildProfile, after: &ChildProfile) -> Vec<String> {
    changed(&[
        ("FORENAME", before.forename != after.forename),
        ("SURNAME", before.surname != after.surname),
        ("PREFERRED_NAME", before.preferred_name != after.preferred_name),
        ("DOB", before.date_of_birth != after.date_of_birth),
        ("SEX", before.gender != after.gender),
        ("ETHNIC", before.ethnicity != after.ethnicity),
        ("UPN", before.upn != after.upn || before.upn_unknown_reason != after.upn_unknown_reason),
    ])
}

async fn update(
    tx: &mut Tx,
    step: &Step<'_>,
    held: &Child,
    profile: &ChildProfile,
    link: Option<&String>,
    fields: Vec<String>,
) -> Result<(), ServiceError> {
    let la_id = step.importer.la_id;
    let now = step.now;
    if *profile != held.profile() {
        children::update_profile(tx, la_id, held.id, held.version, profile, now).await.map_err(
            |e| match e {
                // Another change landed since the chunk was read.
                StoreError::StaleVersion => ServiceError::Busy,
                other => other.into(),
            },
        )?;
    }
    if let Some(la_child_id) = link {
        imports::set_la_child_id(tx, la_id, held.id, la_child_id, now).await?;
    }
    let mut event =
        step.importer.event("child.updated_by_import", ("child", held.id), Some(held.id), now);
    event.details = openpep_store::Json(serde_json::json!({
        "import": step.importer.import_id,
        "fields": fields,
    }));
    Ok(audit::record(tx, &event).await?)
}
