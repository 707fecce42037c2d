//! Schools from GIAS's establishment file, matched by URN. Schools are
//! shared by every authority: the file updates what GIAS says of them.

use std::collections::HashMap;

use uuid::Uuid;

use openpep_domain::gias::{SchoolRow, check_school};
use openpep_store::Tx;
use openpep_store::schools::{self, School};

use super::{Chunk, ImportReport, Step, changed, key_of};
use crate::ServiceError;
use openpep_store::audit;

/// The URNs already read, with their lines.
#[derive(Default)]
pub(super) struct Seen {
    urns: HashMap<i32, u64>,
}

pub(super) async fn chunk(
    tx: &mut Tx,
    step: &Step<'_>,
    chunk: Chunk<'_>,
    seen: &mut Seen,
    report: &mut ImportReport,
) -> Result<(), ServiceError> {
    let mut checked: Vec<(u64, SchoolRow)> = Vec::new();
    for (line, row) in &chunk {
        match check_school(row) {
            Ok(s) => match seen.urns.get(&s.urn) {
                Some(first) => report.refuse_one(
                    *line,
                    &s.urn.to_string(),
                    "URN",
                    format!("appears again (first on line {first})"),
                ),
                None => {
                    seen.urns.insert(s.urn, *line);
                    checked.push((*line, s));
                }
            },
            Err(problems) => report.refuse(*line, &key_of(row, "URN"), problems),
        }
    }
    let urns: Vec<i32> = checked.iter().map(|(_, s)| s.urn).collect();
    let held: HashMap<i32, School> =
        schools::by_urns(tx, &urns).await?.into_iter().map(|s| (s.urn, s)).collect();
    let now = step.now;
    for (line, row) in checked {
        let key = row.urn.to_string();
        let before = held.get(&row.urn);
        let after = School {
            id: before.map_or_else(Uuid::now_v7, |b| b.id),
            urn: row.urn,
            laestab: row.laestab,
            name: row.name,
            phase: row.phase,
            establishment_type: row.establishment_type,
            la_code: row.la_code,
            postcode: row.postcode,
            ofsted_rating: row.ofsted_rating,
            ofsted_inspected_on: row.ofsted_inspected_on,
            is_open: row.is_open,
            created_at: before.map_or(now, |b| b.created_at),
            updated_at: before.map_or(now, |b| b.updated_at),
        };
        match before {
            None => {
                report.created(line, &key);
                if step.write {
                    schools::insert(tx, &after).await?;
                    audit::record(
                        tx,
                        &step.importer.event("school.imported", ("school", after.id), None, now),
                    )
                    .await?;
                }
            }
            Some(before) if *before == after => report.unchanged += 1,
            Some(before) => {
                report.updated(line, &key, changed_fields(before, &after));
                if step.write {
                    schools::update(tx, &School { updated_at: now, ..after.clone() }).await?;
                    let event = step.importer.event(
                        "school.updated_by_import",
                        ("school", after.id),
                        None,
                        now,
                    );
                    audit::record(tx, &event).await?;
                }
            }
        }
    }
    Ok(())
}

fn changed_fields(before: &School, after: &School) -> Vec<String> {
    changed(&[
        ("EstablishmentNumber", before.laestab != after.laestab),
        ("EstablishmentName", before.name != after.name),
        ("PhaseOfEducation (name)", before.phase != after.phase),
        ("TypeOfEstablishment (name)", before.establishment_type != after.establishment_type),
        ("LA (code)", before.la_code != after.la_code),
        ("Postcode", before.postcode != after.postcode),
        ("OfstedRating (name)", before.ofsted_rating != after.ofsted_rating),
        ("OfstedLastInsp", before.ofsted_inspected_on != after.ofsted_inspected_on),
        ("EstablishmentStatus (name)", before.is_open != after.is_open),
    ])
}
