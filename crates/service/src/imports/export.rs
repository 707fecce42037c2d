//! The authority's children, care episodes and schools written back out
//! in the layouts the importers read: the SSDA903 Header (with FORENAME
//! and SURNAME) and Episodes, the council's CSV with each child's school,
//! and GIAS rows for the schools its children attend. Importing them into
//! an empty authority rebuilds the same records.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use uuid::Uuid;

use openpep_store::imports as rows;
use openpep_store::schools;

use crate::{ServiceError, Services};

/// The files, as CSV text.
#[derive(Debug, Clone, Default)]
pub struct AuthorityFiles {
    pub header: Vec<u8>,
    pub episodes: Vec<u8>,
    pub la_children: Vec<u8>,
    pub schools: Vec<u8>,
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn csv_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("writing CSV: {e}"))
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new())
}

fn done(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ServiceError> {
    let mut bytes = w.into_inner().map_err(csv_error)?;
    bytes.flush().map_err(csv_error)?;
    Ok(bytes)
}

impl Services {
    /// The authority's records as import files (children without the
    /// council's id get OpenPEP's own as CHILD).
    pub async fn authority_files(&self, la_id: Uuid) -> Result<AuthorityFiles, ServiceError> {
        let children = rows::all_children(&self.db, la_id).await?;
        let episodes = rows::all_episodes(&self.db, la_id).await?;
        let placements: HashMap<Uuid, rows::PlacementAt> =
            rows::all_open_placements(&self.db, la_id)
                .await?
                .into_iter()
                .map(|p| (p.child_id, p))
                .collect();
        let key: HashMap<Uuid, String> = children
            .iter()
            .map(|c| (c.id, c.la_child_id.clone().unwrap_or_else(|| c.id.to_string())))
            .collect();

        let mut header = writer();
        let mut la_csv = writer();
        header
            .write_record([
                "CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB", "FORENAME", "SURNAME",
            ])
            .map_err(csv_error)?;
        la_csv
            .write_record([
                "Child ID",
                "First name",
                "Last name",
                "Date of birth",
                "Gender",
                "UPN",
                "School URN",
                "School start date",
            ])
            .map_err(csv_error)?;
        for c in &children {
            let sex = match c.gender.as_str() {
                "male" => "1",
                "female" => "2",
                _ => "U",
            };
            let upn = c.upn.clone().or_else(|| c.upn_unknown_reason.clone()).unwrap_or_default();
            let id = &key[&c.id];
            header
                .write_record([
                    id.as_str(),
                    sex,
                    &dmy(c.date_of_birth),
                    c.ethnicity.as_deref().unwrap_or(""),
                    &upn,
                    "",
                    "",
                    &c.forename,
                    &c.surname,
                ])
                .map_err(csv_error)?;
            let school = placements.get(&c.id);
            la_csv
                .write_record([
                    id.as_str(),
                    &c.forename,
                    &c.surname,
                    &c.date_of_birth.format("%Y-%m-%d").to_string(),
                    &c.gender,
                    &upn,
                    &school.map(|s| s.urn.to_string()).unwrap_or_default(),
                    &school.map(|s| dmy(s.started_on)).unwrap_or_default(),
                ])
                .map_err(csv_error)?;
        }

        let mut eps = writer();
        eps.write_record(openpep_domain::ssda903::EPISODE_COLUMNS.iter().chain(&["PL_LOCATION"]))
            .map_err(csv_error)?;
        for e in &episodes {
            let Some(id) = key.get(&e.child_id) else { continue };
            eps.write_record([
                id.as_str(),
                &dmy(e.started_on),
                e.reason_new.as_deref().unwrap_or("S"),
                &e.legal_status,
                "N1",
                &e.placement_type,
                e.placement_provider.as_deref().unwrap_or(""),
                &e.ended_on.map(dmy).unwrap_or_default(),
                // X1: the episode ended and another began (the code for a change
                // of placement or status), when OpenPEP was not told why.
                e.reason_ended.as_deref().unwrap_or(if e.ended_on.is_some() { "X1" } else { "" }),
                "",
                "",
                "",
                e.placement_urn.as_deref().unwrap_or(""),
                if e.lives_in_la { "IN" } else { "OUT" },
            ])
            .map_err(csv_error)?;
        }

        let la = openpep_store::authorities::get(&self.db, la_id).await?;
        let mut gias = writer();
        gias.write_record([
            "URN",
            "LA (code)",
            "EstablishmentNumber",
            "EstablishmentName",
            "TypeOfEstablishment (name)",
            "PhaseOfEducation (name)",
            "EstablishmentStatus (name)",
            "Postcode",
            "OfstedRating (name)",
            "OfstedLastInsp",
        ])
        .map_err(csv_error)?;
        for s in schools::for_authority(&self.db, la_id, &la.code).await? {
            let number = s.laestab.as_deref().and_then(|l| l.get(3..)).unwrap_or("");
            gias.write_record([
                s.urn.to_string().as_str(),
                &s.la_code,
                number,
                &s.name,
                &s.establishment_type,
                &s.phase,
                if s.is_open { "Open" } else { "Closed" },
                s.postcode.as_deref().unwrap_or(""),
                s.ofsted_rating.as_deref().unwrap_or(""),
                &s.ofsted_inspected_on
                    .map(|d| d.format("%d-%m-%Y").to_string())
                    .unwrap_or_default(),
            ])
            .map_err(csv_error)?;
        }
        Ok(AuthorityFiles {
            header: done(header)?,
            episodes: done(eps)?,
            la_children: done(la_csv)?,
            schools: done(gias)?,
        })
    }
}
