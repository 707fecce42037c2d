//! Data out, in bulk: a term's signed-off PEPs as one zip of PDFs for the
//! council's case-management system, the cohort a row a child, and one
//! young person's records (see [`records`]). Each download is audited.

mod records;
mod zip_stream;

pub use records::RECORDS_README;
pub use zip_stream::{ByteStream, Part, safe_name};

use openpep_domain::{AcademicYear, AuthorityAction, Term};
use openpep_store::audit;
use openpep_store::exports::{self as rows, CohortRow};
use serde_json::json;
use tokio::sync::mpsc;

use crate::{Actor, ServiceError, Services};

/// A term the exports page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermChoice {
    pub year: AcademicYear,
    pub term: Term,
}

impl TermChoice {
    pub fn code(&self) -> String {
        format!("{}-{}", self.year.0, self.term.code())
    }

    pub fn from_code(code: &str) -> Option<TermChoice> {
        let (year, term) = code.split_once('-')?;
        Some(TermChoice { year: AcademicYear(year.parse().ok()?), term: Term::from_code(term)? })
    }

    pub fn label(&self) -> String {
        format!("{} term {}", self.term.label(), self.year)
    }

    fn previous(self) -> TermChoice {
        match self.term {
            Term::Autumn => TermChoice { year: AcademicYear(self.year.0 - 1), term: Term::Summer },
            Term::Spring => TermChoice { year: self.year, term: Term::Autumn },
            Term::Summer => TermChoice { year: self.year, term: Term::Spring },
        }
    }
}

/// A zip on its way: its file name, how many entries, and its bytes.
pub struct ZipDownload {
    pub file_name: String,
    pub entries: usize,
    pub bytes: ByteStream,
}

/// How many terms back the exports page goes.
const TERMS_OFFERED: usize = 6;

impl Services {
    /// The terms whose PEPs can be downloaded: this one and the five before.
    pub async fn export_terms(&self, actor: &Actor) -> Result<Vec<TermChoice>, ServiceError> {
        self.authorise(actor, AuthorityAction::ExportData)?;
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        let (year, term) = settings.term_of(self.clock.today());
        let first = TermChoice { year, term };
        Ok(std::iter::successors(Some(first), |t| Some(t.previous())).take(TERMS_OFFERED).collect())
    }

    /// The newest PDF of every PEP of the term that has one, as one zip.
    /// Each file is named by the council's id for the child, their name
    /// and the term, as case-management uploads expect.
    pub async fn term_pdfs_zip(
        &self,
        actor: &Actor,
        choice: TermChoice,
    ) -> Result<ZipDownload, ServiceError> {
        self.authorise(actor, AuthorityAction::ExportData)?;
        let archives =
            rows::term_archives(&self.db, actor.la_id, choice.year.0, choice.term.code()).await?;
        let term = format!("{} {}", choice.term.label(), choice.year.0);
        let mut seen = std::collections::HashSet::new();
        let parts: Vec<Part> = archives
            .into_iter()
            .map(|a| {
                let id = a.la_child_id.clone().unwrap_or_else(|| a.child_id.simple().to_string());
                let mut name = safe_name(&format!("{id} {} {} {term}", a.surname, a.forename));
                // Two PEPs of one child in a term (a school move): both kept.
                if !seen.insert(name.clone()) {
                    name = format!("{name} {}", a.pep_id.simple());
                }
                Part::Stored {
                    name: format!("{name}.pdf"),
                    key: a.file_key,
                    sha256: a.sha256,
                    what: "a PEP PDF",
                }
            })
            .collect();
        let entries = parts.len();
        let event = actor.event(
            "export.pep_pdfs",
            ("local_authority", actor.la_id),
            json!({ "academic_year": choice.year.0, "term": choice.term.code(), "pdfs": entries }),
            self.clock.now(),
        );
        audit::record_now(&self.db, &event).await?;
        Ok(ZipDownload {
            file_name: format!("openpep-peps-{}.zip", choice.code()),
            entries,
            bytes: zip_stream::zip_stream(self.clone(), parts),
        })
    }

    /// The authority's children a row each, streamed from the database as
    /// the download is sent; the download is audited with its format.
    pub async fn cohort_rows(
        &self,
        actor: &Actor,
        format: &str,
    ) -> Result<mpsc::Receiver<Result<CohortRow, openpep_store::StoreError>>, ServiceError> {
        self.authorise(actor, AuthorityAction::ExportData)?;
        let event = actor.event(
            "export.cohort",
            ("local_authority", actor.la_id),
            json!({ "format": format }),
            self.clock.now(),
        );
        audit::record_now(&self.db, &event).await?;
        let (sender, receiver) = mpsc::channel(256);
        let (db, la_id, today) = (self.db.clone(), actor.la_id, self.clock.today());
        tokio::spawn(async move { rows::cohort(&db, la_id, today, sender).await });
        Ok(receiver)
    }
}
