//! Care episodes from the SSDA903 Episodes table, matched to a child by
//! CHILD and to an episode held by its start (DECOM). The child's legal
//! status and the day they came into care follow their episodes.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use openpep_domain::ssda903::{EpisodeRow, Problem, check_episode};
use openpep_store::Tx;
use openpep_store::children::Child;
use openpep_store::imports::{self, ChildKey};
use openpep_store::placements::{self, CareEpisode};

use super::{Chunk, ImportReport, Step, changed, key_of};
use crate::ServiceError;
use openpep_store::audit;

/// The (CHILD, DECOM) pairs already read, with their lines.
#[derive(Default)]
pub(super) struct Seen {
    episodes: HashMap<(String, NaiveDate), u64>,
}

pub(super) async fn chunk(
    tx: &mut Tx,
    step: &Step<'_>,
    chunk: Chunk<'_>,
    seen: &mut Seen,
    report: &mut ImportReport,
) -> Result<(), ServiceError> {
    let la_id = step.importer.la_id;
    let mut checked: Vec<(u64, EpisodeRow)> = Vec::new();
    for (line, row) in &chunk {
        match check_episode(row) {
            Ok(e) => {
                let key = (e.child.clone(), e.started_on);
                if let Some(first) = seen.episodes.get(&key) {
                    report.refuse_one(
                        *line,
                        &e.child,
                        "DECOM",
                        format!("the child has another episode starting that day (line {first})"),
                    );
                } else {
                    seen.episodes.insert(key, *line);
                    checked.push((*line, e));
                }
            }
            Err(problems) => report.refuse(*line, &key_of(row, "CHILD"), problems),
        }
    }
    let mut ids: Vec<String> = checked.iter().map(|(_, e)| e.child.clone()).collect();
    ids.sort();
    ids.dedup();
    let children: HashMap<String, Child> =
        imports::children_by(tx, la_id, ChildKey::CouncilId, &ids)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.la_child_id.clone()?, c)))
            .collect();
    let child_ids: Vec<Uuid> = children.values().map(|c| c.id).collect();
    let held: HashMap<(Uuid, NaiveDate), CareEpisode> = imports::episodes_of(tx, la_id, &child_ids)
        .await?
        .into_iter()
        .map(|e| ((e.child_id, e.started_on), e))
        .collect();
    let mut touched = HashSet::new();
    for (line, row) in checked {
        let Some(child) = children.get(&row.child) else {
            report.refuse(
                line,
                &row.child,
                vec![Problem {
                    column: "CHILD",
                    reason: format!(
                        "{} is not a child in OpenPEP: import the Header file (or the council's CSV of children) first",
                        row.child
                    ),
                }],
            );
            continue;
        };
        let before = held.get(&(child.id, row.started_on));
        let after = CareEpisode {
            id: before.map_or_else(Uuid::now_v7, |b| b.id),
            la_id,
            child_id: child.id,
            started_on: row.started_on,
            ended_on: row.ended_on,
            legal_status: row.legal_status.code().to_owned(),
            placement_type: row.placement.clone(),
            placement_provider: row
                .provider
                .clone()
                .or_else(|| before.and_then(|b| b.placement_provider.clone())),
            lives_in_la: row
                .inside_authority
                .or_else(|| before.map(|b| b.lives_in_la))
                .unwrap_or(false),
            carer_name: before.and_then(|b| b.carer_name.clone()),
            lives_in: before.and_then(|b| b.lives_in.clone()),
            reason_new: Some(row.reason_new.clone()),
            reason_ended: row.reason_ended.clone(),
            placement_urn: row.placement_urn.clone(),
            created_at: before.map_or(step.now, |b| b.created_at),
        };
        match before {
            None => {
                report.created(line, &row.child);
                if step.write {
                    placements::insert_care_episode(tx, &after).await?;
                }
            }
            Some(before) if *before == after => report.unchanged += 1,
            Some(before) => {
                report.updated(line, &row.child, changed_fields(before, &after));
                if step.write {
                    placements::update_from_return(tx, &after).await?;
                }
            }
        }
        if step.write && before != Some(&after) {
            touched.insert(child.id);
            let action = if before.is_none() {
                "care_episode.imported"
            } else {
                "care_episode.updated_by_import"
            };
            let event =
                step.importer.event(action, ("care_episode", after.id), Some(child.id), step.now);
            audit::record(tx, &event).await?;
        }
    }
    for child_id in touched {
        imports::sync_care_from_episodes(tx, la_id, child_id, step.now).await?;
    }
    Ok(())
}

fn changed_fields(before: &CareEpisode, after: &CareEpisode) -> Vec<String> {
    changed(&[
        ("DEC", before.ended_on != after.ended_on),
        ("LS", before.legal_status != after.legal_status),
        ("PLACE", before.placement_type != after.placement_type),
        ("PLACE_PROVIDER", before.placement_provider != after.placement_provider),
        ("PL_LOCATION", before.lives_in_la != after.lives_in_la),
        ("RNE", before.reason_new != after.reason_new),
        ("REC", before.reason_ended != after.reason_ended),
        ("URN", before.placement_urn != after.placement_urn),
    ])
}
