//! Imports from the council's systems: children and care episodes in the
//! DfE's SSDA903 layout or an authority's own CSV, schools from GIAS, and
//! attendance. Every import is checked first (a dry run that changes
//! nothing); the import itself is all or nothing — a file with any row
//! refused changes nothing — and re-importing a file changes nothing.
//! Files are read a chunk of rows at a time, so a large file is never held
//! in memory, and what is already held is looked up a chunk at a time.

mod attendance;
mod children;
mod episodes;
mod export;
mod flow;
mod one_row;
pub mod reading;
mod schools;

use std::collections::HashMap;
use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use chrono::{DateTime, Utc};
use openpep_domain::ssda903::{EPISODE_COLUMNS, HEADER_COLUMNS, Problem, Row, missing_columns};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::{Json, truncate_to_micros};

use crate::{ServiceError, Services};
use reading::{Columns, Record, Sheet};

pub use export::AuthorityFiles;
pub use flow::{ImportUpload, ImportView, MAX_IMPORT_BYTES};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// SSDA903's Header table: one row a child.
    Children,
    /// SSDA903's Episodes table: one row a care episode.
    Episodes,
    /// An authority's own CSV of children, with a column mapping.
    LaChildren,
    /// GIAS's establishment file.
    Schools,
    /// Sessions by UPN, into each child's current PEP.
    Attendance,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Children,
        ImportKind::Episodes,
        ImportKind::LaChildren,
        ImportKind::Schools,
        ImportKind::Attendance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Children => "children",
            ImportKind::Episodes => "episodes",
            ImportKind::LaChildren => "la_children",
            ImportKind::Schools => "schools",
            ImportKind::Attendance => "attendance",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Children => "Children (SSDA903 Header)",
            ImportKind::Episodes => "Care episodes (SSDA903 Episodes)",
            ImportKind::LaChildren => "Children (the council's own CSV)",
            ImportKind::Schools => "Schools (GIAS establishment file)",
            ImportKind::Attendance => "Attendance",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            ImportKind::Children => {
                "CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB; add FORENAME and SURNAME for children new to OpenPEP"
            }
            ImportKind::Episodes => {
                "CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN"
            }
            ImportKind::LaChildren => {
                "Any columns: you choose which holds the child's ID, names, date of birth and sex"
            }
            ImportKind::Schools => {
                "The edubasealldata CSV: URN, LA (code), EstablishmentNumber, EstablishmentName…"
            }
            ImportKind::Attendance => "UPN, FROM, TO, POSSIBLE, ATTENDED, AUTHORISED, UNAUTHORISED",
        }
    }

    /// What a row is known by in the report.
    fn key_column(self) -> &'static str {
        match self {
            ImportKind::Children | ImportKind::Episodes | ImportKind::LaChildren => "CHILD",
            ImportKind::Schools => "URN",
            ImportKind::Attendance => "UPN",
        }
    }

    fn required_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Children => &HEADER_COLUMNS,
            ImportKind::Episodes => &EPISODE_COLUMNS,
            ImportKind::LaChildren => &[],
            ImportKind::Schools => &openpep_domain::gias::GIAS_COLUMNS,
            ImportKind::Attendance => &openpep_domain::attendance_csv::ATTENDANCE_COLUMNS,
        }
    }
}

/// Which of an LA CSV's columns (by header name) fills each field.
pub type Mapping = HashMap<String, String>;

/// How many rows of each kind a report lists (the counts cover them all).
pub const LISTED: usize = 1000;

/// One row refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: u64,
    /// The row's CHILD, URN or UPN, as the file gives it.
    pub key: String,
    pub column: String,
    pub reason: String,
}

/// One row that creates or changes a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub line: u64,
    pub key: String,
    /// "created", "updated" or "skipped".
    pub outcome: String,
    /// The fields an update changes (why, for a row skipped).
    pub fields: Vec<String>,
}

/// What an import did, or a dry run would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub refused: u64,
    /// Rows left alone on purpose (an attendance row for a PEP signed off).
    #[serde(default)]
    pub skipped: u64,
    /// Problems with the file as a whole (columns, encoding): no row is
    /// read when there are any.
    pub file_problems: Vec<String>,
    pub problems: Vec<RowProblem>,
    pub changes: Vec<RowChange>,
    /// The file's header row, as written.
    #[serde(default)]
    pub header: Vec<String>,
    /// For an LA CSV: the column each field was read from (as chosen, or
    /// guessed from the header).
    #[serde(default)]
    pub columns: Mapping,
}

impl ImportReport {
    /// Whether the file may be imported: readable, and no row refused.
    pub fn importable(&self) -> bool {
        self.file_problems.is_empty() && self.refused == 0
    }

    fn refuse(&mut self, line: u64, key: &str, problems: Vec<Problem>) {
        self.refused += 1;
        for p in problems {
            if self.problems.len() < LISTED {
                self.problems.push(RowProblem {
                    line,
                    key: key.to_owned(),
                    column: p.column.to_owned(),
                    reason: p.reason,
                });
            }
        }
    }

    fn refuse_one(&mut self, line: u64, key: &str, column: &'static str, reason: String) {
        self.refuse(line, key, vec![Problem { column, reason }]);
    }

    fn created(&mut self, line: u64, key: &str) {
        self.created += 1;
        self.list(line, key, "created", Vec::new());
    }

    fn updated(&mut self, line: u64, key: &str, fields: Vec<String>) {
        self.updated += 1;
        self.list(line, key, "updated", fields);
    }

    fn skipped(&mut self, line: u64, key: &str, why: &str) {
        self.skipped += 1;
        self.list(line, key, "skipped", vec![why.to_owned()]);
    }

    fn list(&mut self, line: u64, key: &str, outcome: &str, fields: Vec<String>) {
        if self.changes.len() < LISTED {
            self.changes.push(RowChange {
                line,
                key: key.to_owned(),
                outcome: outcome.to_owned(),
                fields,
            });
        }
    }
}

/// Who an import is for and by: a VS administrator in the browser, or the
/// server's operator at the command line (no user).
#[derive(Debug, Clone)]
pub struct Importer {
    pub la_id: Uuid,
    pub user_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub import_id: Uuid,
}

impl Importer {
    fn event(
        &self,
        action: &str,
        entity: (&str, Uuid),
        child_id: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> AuditEvent {
        AuditEvent {
            id: Uuid::now_v7(),
            la_id: Some(self.la_id),
            actor_user_id: self.user_id,
            action: action.into(),
            entity_type: entity.0.into(),
            entity_id: Some(entity.1),
            child_id,
            details: Json(json!({ "import": self.import_id })),
            request_id: self.request_id.clone(),
            occurred_at: at,
        }
    }
}

/// Rows a chunk: few enough to hold, many enough that lookups are few.
const CHUNK: usize = 500;

/// A chunk's rows, each with its line and its cells by column name.
type Chunk<'a> = Vec<(u64, Row<'a>)>;

/// What each kind keeps from chunk to chunk (the keys already seen, so a
/// duplicate in the file is refused wherever it falls).
enum Progress {
    Children(children::Seen),
    Episodes(episodes::Seen),
    Schools(schools::Seen),
    Attendance(attendance::Seen),
}

impl Services {
    /// Reads a file as `kind` and reports what importing it does; with
    /// `commit`, imports it if nothing is refused (all or nothing), in one
    /// transaction with the audit of every record changed.
    pub async fn run_import<R: Read>(
        &self,
        importer: &Importer,
        kind: ImportKind,
        mapping: &Mapping,
        source: R,
        commit: bool,
    ) -> Result<ImportReport, ServiceError> {
        let mut report = ImportReport::default();
        let mut sheet = match Sheet::open(source) {
            Ok(sheet) => sheet,
            Err(problem) => {
                report.file_problems.push(problem.message());
                return Ok(report);
            }
        };
        report.header.clone_from(&sheet.header);
        let columns = match columns_for(kind, &sheet.header, mapping, &mut report) {
            Ok(columns) => columns,
            Err(problems) => {
                report.file_problems = problems;
                return Ok(report);
            }
        };
        let (today, now) = (self.clock.today(), truncate_to_micros(self.clock.now()));
        let mut tx = if commit { self.db.begin().await? } else { self.db.begin_read().await? };
        let mut progress = match kind {
            ImportKind::Children | ImportKind::LaChildren => {
                Progress::Children(children::Seen::default())
            }
            ImportKind::Episodes => Progress::Episodes(episodes::Seen::default()),
            ImportKind::Schools => Progress::Schools(schools::Seen::default()),
            ImportKind::Attendance => Progress::Attendance(attendance::Seen::default()),
        };
        loop {
            let records = match sheet.next_chunk(CHUNK) {
                Ok(records) => records,
                Err(problem) => {
                    report.file_problems.push(problem.message());
                    break;
                }
            };
            if records.is_empty() {
                break;
            }
            report.rows += records.len() as u64;
            let chunk = chunk_of(&records, &columns, &sheet.header, kind, &mut report);
            // Once a row is refused nothing will be kept, so the rest is
            // only checked.
            let write = commit && report.importable();
            let step = Step { importer, today, now, write, layout: layout_of(kind) };
            match &mut progress {
                Progress::Children(seen) => {
                    children::chunk(&mut tx, &step, chunk, seen, &mut report).await?
                }
                Progress::Episodes(seen) => {
                    episodes::chunk(&mut tx, &step, chunk, seen, &mut report).await?
                }
                Progress::Schools(seen) => {
                    schools::chunk(&mut tx, &step, chunk, seen, &mut report).await?
                }
                Progress::Attendance(seen) => {
                    attendance::chunk(self, &mut tx, &step, chunk, seen, &mut report).await?
                }
            }
        }
        // A row refused for its cell count is reported as its chunk is read.
        report.problems.sort_by_key(|p| p.line);
        if commit && report.importable() {
            let mut event =
                importer.event("import.completed", ("import", importer.import_id), None, now);
            event.details = Json(json!({
                "import": importer.import_id,
                "kind": kind.code(),
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }));
            audit::record(&mut tx, &event).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(report)
    }
}

/// What every chunk of an import is done with.
struct Step<'a> {
    importer: &'a Importer,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
    /// Make the changes (the import), or only report them (a dry run, or
    /// an import already refused).
    write: bool,
    layout: openpep_domain::ssda903::Layout,
}

fn layout_of(kind: ImportKind) -> openpep_domain::ssda903::Layout {
    match kind {
        ImportKind::Children | ImportKind::Episodes => openpep_domain::ssda903::Layout::Ssda903,
        _ => openpep_domain::ssda903::Layout::LaCsv,
    }
}

/// Where each column is read from, or what is wrong with the header.
fn columns_for(
    kind: ImportKind,
    header: &[String],
    mapping: &Mapping,
    report: &mut ImportReport,
) -> Result<Columns, Vec<String>> {
    if kind == ImportKind::LaChildren {
        return la_columns(header, mapping, report);
    }
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let missing = missing_columns(&names, kind.required_columns());
    if missing.is_empty() {
        Ok(Columns::from_header(header))
    } else {
        Err(vec![format!(
            "The header row lacks the column{} {}: is this the {} file?",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            kind.label()
        )])
    }
}

/// An LA CSV's columns: the mapping given, or else the one guessed (kept
/// in the report, so the page can offer it to change).
fn la_columns(
    header: &[String],
    mapping: &Mapping,
    report: &mut ImportReport,
) -> Result<Columns, Vec<String>> {
    use openpep_domain::la_csv;
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut map: HashMap<&'static str, usize> =
        if mapping.is_empty() { la_csv::guess_mapping(&names) } else { HashMap::new() };
    let mut problems = Vec::new();
    for (key, column) in mapping {
        let Some(field) = la_csv::field(key) else { continue };
        if column.is_empty() {
            continue;
        }
        match header.iter().position(|h| h == column) {
            Some(i) => {
                map.insert(field.key, i);
            }
            None => {
                problems.push(format!("The file has no column \"{column}\" for {}", field.label))
            }
        }
    }
    report.columns =
        map.iter().map(|(field, &i)| ((*field).to_owned(), header[i].clone())).collect();
    for field in la_csv::unmapped_required(&map) {
        problems.push(format!("Choose the column that holds the {}", field.label.to_lowercase()));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Columns(map.into_iter().map(|(k, i)| (k.to_owned(), i)).collect()))
}

/// The chunk's rows by column name; a row with more or fewer cells than
/// the header is refused here.
fn chunk_of<'a>(
    records: &'a [Record],
    columns: &Columns,
    header: &[String],
    kind: ImportKind,
    report: &mut ImportReport,
) -> Chunk<'a> {
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        let row = columns.row(record);
        if record.cells.len() != header.len() {
            let key = row.get(kind.key_column()).map_or("", |v| v.trim()).to_owned();
            report.refuse_one(
                record.line,
                &key,
                "",
                format!(
                    "The row has {} cells; the header has {} columns (check for a comma that is not in quotes)",
                    record.cells.len(),
                    header.len()
                ),
            );
            continue;
        }
        rows.push((record.line, row));
    }
    rows
}

fn key_of(row: &Row<'_>, column: &str) -> String {
    row.get(column).map_or("", |v| v.trim()).to_owned()
}

/// The names of the columns whose values changed.
fn changed(columns: &[(&str, bool)]) -> Vec<String> {
    columns.iter().filter(|(_, changed)| *changed).map(|(name, _)| (*name).to_owned()).collect()
}
