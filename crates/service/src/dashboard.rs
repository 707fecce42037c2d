//! The cohort dashboards: the Virtual School's figures for the whole
//! authority, and the same figures for a designated teacher's school or a
//! social worker's caseload. Every figure is a table (drawn as a chart on
//! the page, exported as CSV and XLSX), counted in `openpep_domain`'s
//! dashboard rules from a few scoped queries: no query a child.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::dashboard::{
    AttendanceSummary, InitialTimeliness, PepFact, in_date, sdq_bands, share,
};
use openpep_domain::funding::Totals;
use openpep_domain::funding::request::FundingStatus;
use openpep_domain::pages::Fields;
use openpep_domain::pages::attainment::{self, Rag};
use openpep_domain::pages::attendance::Attendance;
use openpep_domain::pages::exclusions::{permanently_excluded, suspensions};
use openpep_domain::pages::part_time::PartTime;
use openpep_domain::pages::sdq::Sdq;
use openpep_domain::quality::Grade;
use openpep_domain::template::PageKind;
use openpep_domain::{
    AcademicYear, AuthorityAction, ChildScope, NcYear, Pence, PepStatus, Phase, Role, Term,
};
use openpep_store::dashboard::{self as rows, CohortChild, CohortPep};
use uuid::Uuid;

use crate::cohort_filter::{
    CohortFilter, FilterForm, FilterOptions, check_filter_against, filter_terms,
};
use crate::pep_editing::{answers_of, pep_path};
use crate::{Actor, FieldErrors, ServiceError, Services};

/// Whose figures a dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashboardView {
    /// The Virtual School: every child of the authority.
    Authority,
    /// A designated teacher or professional: the children at their school.
    School(String),
    /// A social worker or team manager: their caseload or their team's.
    Caseload,
}

/// Where a child goes to school, against the authority's own area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    InAuthority,
    OutOfAuthority,
}

/// The dashboard's filters as the address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardForm {
    pub filter: FilterForm,
    /// A team manager's id: the children of their team's social workers.
    pub team: String,
    /// "in" or "out" of the authority's area.
    pub location: String,
}

/// The filters as checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DashboardFilter {
    pub cohort: CohortFilter,
    pub team: Option<Uuid>,
    pub location: Option<Location>,
}

/// What the filters offer.
#[derive(Debug, Clone, Default)]
pub struct DashboardOptions {
    pub cohort: FilterOptions,
    /// Team managers: (id, "Team of Name").
    pub teams: Vec<(Uuid, String)>,
}

/// One value in a table: kept typed so the page, the CSV and the
/// spreadsheet each show it their own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    Text(String),
    Count(usize),
    /// A percentage; none when there is nothing to divide by.
    Percent(Option<f64>),
    Money(Pence),
    Number(f64),
}

impl Figure {
    /// As the page shows it.
    pub fn display(&self) -> String {
        match self {
            Figure::Text(t) => t.clone(),
            Figure::Count(n) => n.to_string(),
            Figure::Percent(Some(p)) => format!("{p:.1}%"),
            Figure::Percent(None) => "No data".to_owned(),
            Figure::Money(p) => p.to_string(),
            Figure::Number(n) => format!("{n:.1}"),
        }
    }

    /// As a spreadsheet reads it: plain numbers, pounds as 1234.50.
    pub fn raw(&self) -> String {
        match self {
            Figure::Text(t) => t.clone(),
            Figure::Count(n) => n.to_string(),
            Figure::Percent(Some(p)) => format!("{p:.1}"),
            Figure::Percent(None) => String::new(),
            Figure::Money(p) => format!("{:.2}", p.pence() as f64 / 100.0),
            Figure::Number(n) => format!("{n:.1}"),
        }
    }

    pub fn is_numeric(&self) -> bool {
        !matches!(self, Figure::Text(_))
    }

    /// The value a chart draws.
    pub fn value(&self) -> Option<f64> {
        match self {
            Figure::Text(_) | Figure::Percent(None) => None,
            Figure::Count(n) => Some(*n as f64),
            Figure::Percent(Some(p)) | Figure::Number(p) => Some(*p),
            Figure::Money(p) => Some(p.pence() as f64 / 100.0),
        }
    }
}

/// How a table is drawn: bars labelled by one column, of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSpec {
    pub label: usize,
    pub value: usize,
    /// The bars are percentages (drawn to 100).
    pub percent: bool,
}

/// One of the dashboard's tables.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureTable {
    /// Its name in export addresses: `status`, `attendance`.
    pub key: &'static str,
    pub title: &'static str,
    /// What it counts, in a sentence.
    pub about: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Figure>>,
    pub chart: Option<ChartSpec>,
    /// A link for each row's first cell (the overdue list's PEPs).
    pub links: Vec<Option<String>>,
    /// The PEP a row chases (the overdue list's "Send reminder").
    pub chase: Vec<Option<Uuid>>,
}

impl FigureTable {
    fn new(
        key: &'static str,
        title: &'static str,
        about: impl Into<String>,
        head: &[&str],
    ) -> Self {
        FigureTable {
            key,
            title,
            about: about.into(),
            head: head.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            chart: None,
            links: Vec::new(),
            chase: Vec::new(),
        }
    }

    fn chart(mut self, label: usize, value: usize, percent: bool) -> Self {
        self.chart = Some(ChartSpec { label, value, percent });
        self
    }

    fn row(&mut self, cells: Vec<Figure>) {
        self.rows.push(cells);
    }
}

/// The dashboard: its filters, and its tables once the filters are right.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub view: DashboardView,
    pub errors: FieldErrors,
    pub options: DashboardOptions,
    /// "Autumn term 2026/27": the term the PEP figures are for.
    pub term_label: String,
    pub children: usize,
    pub tables: Vec<FigureTable>,
    /// The Virtual School may send reminders from the overdue list.
    pub may_chase: bool,
    /// When the figures were worked out (a node keeps them a minute).
    pub worked_out_at: DateTime<Utc>,
}

impl Dashboard {
    /// The table named `key`, taken out to export.
    pub fn into_table(self, key: &str) -> Option<FigureTable> {
        self.tables.into_iter().find(|t| t.key == key)
    }
}

/// Who may see a dashboard, and whose.
pub fn view_for(role: Role) -> Option<ViewKind> {
    if openpep_domain::may(role, AuthorityAction::ViewAuthorityReports) {
        return Some(ViewKind::Authority);
    }
    match role {
        Role::DesignatedTeacher | Role::DesignatedProfessional => Some(ViewKind::School),
        Role::SocialWorker | Role::TeamManager => Some(ViewKind::Caseload),
        _ => None,
    }
}

/// [`DashboardView`] without the school's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    Authority,
    School,
    Caseload,
}

/// What the figures are counted from.
struct Facts<'a> {
    today: NaiveDate,
    term: (AcademicYear, Term),
    /// The children the filters keep.
    children: Vec<&'a CohortChild>,
    peps: Vec<&'a CohortPep>,
    /// The term's PEP of each child kept, with its pages by kind.
    pages: HashMap<Uuid, HashMap<PageKind, Fields>>,
    schools: &'a Schools,
}

fn fact(p: &CohortPep) -> PepFact {
    PepFact {
        status: PepStatus::from_code(&p.status).unwrap_or(PepStatus::Draft),
        initial: p.reason == "initial",
        due_on: p.due_on,
        signed_off_on: p.signed_off_at.map(|t| t.date_naive()),
    }
}

fn nc_year(child: &CohortChild, year: AcademicYear) -> NcYear {
    NcYear::for_child(child.date_of_birth, year)
}

fn term_label(year: AcademicYear, term: Term) -> String {
    format!("{} term {year}", term.label())
}

impl Facts<'_> {
    fn year(&self) -> AcademicYear {
        self.term.0
    }

    fn phase(&self, child: &CohortChild) -> Phase {
        nc_year(child, self.year()).phase()
    }

    fn pages_of(&self, child: Uuid, kind: PageKind) -> Option<&Fields> {
        self.pages.get(&child)?.get(&kind)
    }

    fn school_name(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.schools.get(&id))
            .map_or_else(|| "No school place".to_owned(), |(name, _)| name.clone())
    }

    fn in_date(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "in_date",
            "Children with an in-date PEP",
            "A child's PEP is in date when they have one and none is past its deadline.",
            &["Children", "Number", "Share"],
        )
        .chart(0, 2, true);
        let mut by_child: HashMap<Uuid, Vec<PepFact>> = HashMap::new();
        for p in &self.peps {
            by_child.entry(p.child_id).or_default().push(fact(p));
        }
        let total = self.children.len();
        let yes = self
            .children
            .iter()
            .filter(|c| in_date(by_child.get(&c.id).map_or(&[], Vec::as_slice), self.today))
            .count();
        let pct = |n: usize| Figure::Percent(share(n, total));
        t.row(vec![Figure::Text("With an in-date PEP".into()), Figure::Count(yes), pct(yes)]);
        t.row(vec![
            Figure::Text("Without one".into()),
            Figure::Count(total - yes),
            pct(total - yes),
        ]);
        t
    }

    fn initial(&self) -> FigureTable {
        let (year, term) = self.term;
        let mut t = FigureTable::new(
            "initial",
            "Initial PEPs within timescale",
            format!(
                "Initial PEPs due in the {} whose deadline has passed.",
                term_label(year, term).to_lowercase()
            ),
            &["Initial PEPs", "Number", "Share"],
        )
        .chart(0, 1, false);
        let facts: Vec<PepFact> = self
            .peps
            .iter()
            .filter(|p| p.academic_year == year.0 && p.term == term.code())
            .map(|p| fact(p))
            .collect();
        let timely = InitialTimeliness::of(&facts, self.today);
        let due = timely.due();
        for (label, n) in [
            ("Signed off on time", timely.on_time),
            ("Signed off late", timely.late),
            ("Not yet signed off", timely.outstanding),
        ] {
            t.row(vec![
                Figure::Text(label.into()),
                Figure::Count(n),
                Figure::Percent(share(n, due)),
            ]);
        }
        t
    }

    fn status(&self) -> FigureTable {
        let (year, term) = self.term;
        let mut t = FigureTable::new(
            "status",
            "PEPs by status",
            format!(
                "The {}'s PEPs. A PEP past its deadline and not signed off shows as overdue.",
                term_label(year, term).to_lowercase()
            ),
            &["Status", "PEPs"],
        )
        .chart(0, 1, false);
        let mut counts: BTreeMap<Option<PepStatus>, usize> = BTreeMap::new();
        for p in self.peps.iter().filter(|p| p.academic_year == year.0 && p.term == term.code()) {
            *counts.entry(fact(p).shown_status(self.today)).or_default() += 1;
        }
        for status in PepStatus::ALL {
            let n = counts.get(&Some(status)).copied().unwrap_or(0);
            t.row(vec![Figure::Text(status.label().into()), Figure::Count(n)]);
        }
        let overdue = counts.get(&None).copied().unwrap_or(0);
        t.row(vec![Figure::Text("Overdue".into()), Figure::Count(overdue)]);
        t
    }

    fn overdue(&self, responsible: &HashMap<Uuid, String>, may_chase: bool) -> FigureTable {
        let mut t = FigureTable::new(
            "overdue",
            "Overdue PEPs",
            "Every PEP past its deadline and not signed off, the latest first.",
            &["Child", "School or setting", "Due", "Days overdue", "Responsible"],
        );
        let names: HashMap<Uuid, &CohortChild> = self.children.iter().map(|c| (c.id, *c)).collect();
        let mut late: Vec<&&CohortPep> =
            self.peps.iter().filter(|p| fact(p).overdue(self.today)).collect();
        late.sort_by_key(|p| (std::cmp::Reverse((self.today - p.due_on).num_days()), p.id));
        for p in late {
            let Some(child) = names.get(&p.child_id) else { continue };
            t.row(vec![
                Figure::Text(format!("{} {}", child.forename, child.surname)),
                Figure::Text(self.school_name(child.school_id)),
                Figure::Text(crate::profile::uk_short_date(p.due_on)),
                Figure::Count((self.today - p.due_on).num_days().max(0) as usize),
                Figure::Text(
                    responsible.get(&p.id).cloned().unwrap_or_else(|| "Nobody allocated".into()),
                ),
            ]);
            t.links.push(Some(pep_path(p.child_id, p.id)));
            t.chase.push(may_chase.then_some(p.id));
        }
        t
    }

    /// Each graded-or-waiting PEP's grade column (the last: not yet
    /// graded), with the school and term it counts under.
    fn graded(&self, grades: &[Grade]) -> Vec<(&CohortPep, usize)> {
        let waiting =
            |s: &str| matches!(s, "signed_off" | "returned_for_improvement" | "quality_assured");
        self.peps
            .iter()
            .filter(|p| waiting(&p.status))
            .map(|p| {
                let graded = p.grade.as_deref().and_then(Grade::from_code);
                let column = graded.and_then(|g| grades.iter().position(|x| *x == g));
                (*p, column.unwrap_or(grades.len()))
            })
            .collect()
    }

    fn grade_head<'a>(first: &'a str, grades: &[Grade]) -> Vec<&'a str> {
        let mut head = vec![first];
        head.extend(grades.iter().map(|g| g.label()));
        head.push("Not yet graded");
        head
    }

    fn grades_by_school(&self, grades: &[Grade]) -> FigureTable {
        let (year, term) = self.term;
        let mut t = FigureTable::new(
            "grades",
            "Quality assurance grades by school",
            format!(
                "The {}'s signed-off PEPs by the grade the Virtual School gave, by the school the child was at.",
                term_label(year, term).to_lowercase()
            ),
            &Self::grade_head("School or setting", grades),
        );
        let mut counts: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (p, column) in self.graded(grades) {
            if p.academic_year != year.0 || p.term != term.code() {
                continue;
            }
            let slot = counts
                .entry(self.school_name(p.school_id))
                .or_insert_with(|| vec![0; grades.len() + 1]);
            slot[column] += 1;
        }
        for (school, n) in counts {
            let mut row = vec![Figure::Text(school)];
            row.extend(n.into_iter().map(Figure::Count));
            t.row(row);
        }
        t
    }

    fn grades_by_term(&self, grades: &[Grade]) -> FigureTable {
        let mut t = FigureTable::new(
            "grades_by_term",
            "Quality assurance grades by term",
            "Every term's signed-off PEPs by the grade the Virtual School gave, the latest term first.",
            &Self::grade_head("Term", grades),
        );
        let mut counts: BTreeMap<(Reverse<i32>, Reverse<usize>), Vec<usize>> = BTreeMap::new();
        for (p, column) in self.graded(grades) {
            let Some(term) = Term::from_code(&p.term) else { continue };
            let index = Term::ALL.iter().position(|t| *t == term).unwrap_or(0);
            let slot = counts
                .entry((Reverse(p.academic_year), Reverse(index)))
                .or_insert_with(|| vec![0; grades.len() + 1]);
            slot[column] += 1;
        }
        for ((Reverse(year), Reverse(index)), n) in counts {
            let mut row = vec![Figure::Text(term_label(AcademicYear(year), Term::ALL[index]))];
            row.extend(n.into_iter().map(Figure::Count));
            t.row(row);
        }
        t
    }

    fn progress(&self) -> FigureTable {
        let mut head = vec!["Phase", "Subject"];
        head.extend(Rag::ALL.iter().map(|r| r.label()));
        let mut t = FigureTable::new(
            "progress",
            "Progress by phase and subject",
            "The progress judgement of each subject on the term's PEPs.",
            &head,
        );
        let mut counts: BTreeMap<(Phase, String), [usize; 5]> = BTreeMap::new();
        for child in &self.children {
            let Some(fields) = self.pages_of(child.id, PageKind::Attainment) else { continue };
            for entry in attainment::subjects(fields) {
                let Some(rag) = entry.rag() else { continue };
                let i = Rag::ALL.iter().position(|r| *r == rag).unwrap_or(0);
                let subject = entry.subject.trim().to_owned();
                counts.entry((self.phase(child), subject)).or_default()[i] += 1;
            }
        }
        for ((phase, subject), n) in counts {
            let mut row = vec![Figure::Text(phase.label().into()), Figure::Text(subject)];
            row.extend(n.into_iter().map(Figure::Count));
            t.row(row);
        }
        t
    }

    fn attendance(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "attendance",
            "Attendance",
            "From the attendance recorded on the term's PEPs. Persistent absence: 10% or more of sessions missed; severe: 50% or more.",
            &["Phase", "Children with a record", "Attendance", "Persistently absent", "Severely absent"],
        )
        .chart(0, 2, true);
        let mut by_phase: BTreeMap<Phase, AttendanceSummary> = BTreeMap::new();
        let mut all = AttendanceSummary::default();
        for child in &self.children {
            let Some(a) = self.pages_of(child.id, PageKind::Attendance).and_then(Attendance::read)
            else {
                continue;
            };
            by_phase.entry(self.phase(child)).or_default().add(&a);
            all.add(&a);
        }
        let row = |label: &str, s: &AttendanceSummary| {
            vec![
                Figure::Text(label.to_owned()),
                Figure::Count(s.children),
                Figure::Percent(s.percent()),
                Figure::Count(s.persistent),
                Figure::Count(s.severe),
            ]
        };
        for (phase, s) in &by_phase {
            t.row(row(phase.label(), s));
        }
        t.row(row("All", &all));
        t
    }

    fn suspensions(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "suspensions",
            "Suspensions and exclusions",
            "From the exclusions page of the term's PEPs.",
            &["Measure", "Number"],
        );
        let (mut children, mut count, mut sessions, mut permanent) = (0, 0, 0u32, 0);
        for child in &self.children {
            let Some(fields) = self.pages_of(child.id, PageKind::Exclusions) else { continue };
            let list = suspensions(fields);
            if !list.is_empty() {
                children += 1;
            }
            count += list.len();
            sessions += list.iter().map(|(_, s)| s).sum::<u32>();
            if permanently_excluded(fields) {
                permanent += 1;
            }
        }
        t.row(vec![Figure::Text("Children suspended".into()), Figure::Count(children)]);
        t.row(vec![Figure::Text("Suspensions".into()), Figure::Count(count)]);
        t.row(vec![
            Figure::Text("School days lost".into()),
            Figure::Number(f64::from(sessions) / 2.0),
        ]);
        t.row(vec![Figure::Text("Permanently excluded".into()), Figure::Count(permanent)]);
        t
    }

    fn part_time(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "part_time",
            "Part-time timetables",
            "Part-time timetables and alternative provision on the term's PEPs.",
            &["Measure", "Children"],
        );
        let (mut active, mut long, mut past_end) = (0, 0, 0);
        for child in &self.children {
            let Some(p) =
                self.pages_of(child.id, PageKind::PartTimeTimetable).and_then(PartTime::read)
            else {
                continue;
            };
            if p.past_end(self.today) {
                past_end += 1;
                continue;
            }
            active += 1;
            if p.longer_than_six_weeks(self.today) {
                long += 1;
            }
        }
        t.row(vec![Figure::Text("Active".into()), Figure::Count(active)]);
        t.row(vec![Figure::Text("Active for more than 6 weeks".into()), Figure::Count(long)]);
        t.row(vec![Figure::Text("Past their end date".into()), Figure::Count(past_end)]);
        t
    }

    fn sdq(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "sdq",
            "SDQ bands",
            "The total difficulties score on the term's PEPs, by band.",
            &["Band", "Children"],
        )
        .chart(0, 1, false);
        let bands = self
            .children
            .iter()
            .filter_map(|c| self.pages_of(c.id, PageKind::Sdq).and_then(Sdq::read))
            .map(|s| s.band());
        for (band, n) in sdq_bands(bands) {
            t.row(vec![Figure::Text(band.label().into()), Figure::Count(n)]);
        }
        t
    }

    /// The term's requests (already chosen) by school, against a budget
    /// of `allowance` for each child there now.
    fn funding(
        &self,
        requests: &[&rows::CohortFunding],
        allowance: &dyn Fn(&CohortChild) -> Pence,
    ) -> FigureTable {
        let mut t = FigureTable::new(
            "funding",
            "Pupil Premium Plus by school",
            "The term's requests by the school the child was at, against a budget of each child's termly allowance for the children there now.",
            &["School or setting", "Term", "Budget", "Requested", "Approved", "Paid", "Left"],
        );
        let mut schools: BTreeMap<String, (Totals, Option<Pence>)> = BTreeMap::new();
        for r in requests {
            let status = FundingStatus::from_code(&r.status).unwrap_or(FundingStatus::Draft);
            let (sums, _) = schools.entry(self.school_name(r.school_id)).or_default();
            sums.add(
                status,
                Pence::from_pence(r.amount_pence),
                r.approved_pence.map(Pence::from_pence),
            );
        }
        for child in &self.children {
            let (_, budget) = schools.entry(self.school_name(child.school_id)).or_default();
            let sum = budget.unwrap_or_default();
            *budget = Some(sum.checked_add(allowance(child)).unwrap_or(sum));
        }
        let term = term_label(self.term.0, self.term.1);
        let not_set = || Figure::Text("Not set".into());
        for (school, (sums, budget)) in schools {
            t.row(vec![
                Figure::Text(school),
                Figure::Text(term.clone()),
                budget.map_or_else(not_set, Figure::Money),
                Figure::Money(sums.requested),
                Figure::Money(sums.approved),
                Figure::Money(sums.paid),
                budget.map_or_else(not_set, |b| Figure::Money(sums.remaining(b))),
            ]);
        }
        t
    }

    fn education(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "education",
            "Children without a school place or NEET",
            "Children with no school or setting today: of school age, or in year 12 or 13 and not in education, employment or training.",
            &["Measure", "Children"],
        );
        let (mut no_place, mut neet) = (0, 0);
        for child in self.children.iter().filter(|c| c.school_id.is_none()) {
            let year = NcYear::for_child(child.date_of_birth, AcademicYear::containing(self.today));
            if year.value() >= 12 {
                neet += 1;
            } else if year.value() >= 0 {
                no_place += 1;
            }
        }
        t.row(vec![
            Figure::Text("No school place (reception to year 11)".into()),
            Figure::Count(no_place),
        ]);
        t.row(vec![Figure::Text("NEET (year 12 and 13)".into()), Figure::Count(neet)]);
        t
    }

    fn destinations(&self) -> FigureTable {
        let mut t = FigureTable::new(
            "destinations",
            "Year 11 intended destinations",
            "The intended post-16 course on the 14 to 19 page of year 11's PEPs this term.",
            &["Intended course", "Young people"],
        );
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut unknown = 0;
        for child in self.children.iter().filter(|c| nc_year(c, self.year()).value() == 11) {
            let course = self
                .pages_of(child.id, PageKind::Careers)
                .and_then(|f| f.get("intended_course"))
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty());
            match course {
                Some(course) => *counts.entry(course).or_default() += 1,
                None => unknown += 1,
            }
        }
        for (course, n) in counts {
            t.row(vec![Figure::Text(course), Figure::Count(n)]);
        }
        t.row(vec![Figure::Text("Not yet recorded".into()), Figure::Count(unknown)]);
        t
    }
}

/// Each school's name and the code of the authority it is in, by id.
type Schools = HashMap<Uuid, (String, String)>;

/// What the filters compare a child with.
struct Places<'a> {
    year: AcademicYear,
    /// Each social worker's team manager.
    teams: &'a HashMap<Uuid, Uuid>,
    schools: &'a Schools,
    la_code: &'a str,
}

/// Keeps the children the filters ask for.
fn keeps(child: &CohortChild, filter: &DashboardFilter, places: &Places<'_>) -> bool {
    let Places { year, teams, schools, la_code } = *places;
    let f = &filter.cohort;
    if f.school.is_some() && child.school_id != f.school {
        return false;
    }
    if let Some((from, to)) = f.year_groups() {
        let nc = nc_year(child, year);
        if nc < from || nc > to {
            return false;
        }
    }
    if let Some(team) = filter.team {
        let manager = child.social_worker_id.and_then(|sw| teams.get(&sw));
        if manager != Some(&team) {
            return false;
        }
    }
    if let Some(location) = filter.location {
        let school_la = child.school_id.and_then(|s| schools.get(&s)).map(|(_, la)| la.as_str());
        let inside = school_la == Some(la_code);
        let wanted = location == Location::InAuthority;
        // A child without a school place is in neither.
        if school_la.is_none() || inside != wanted {
            return false;
        }
    }
    true
}

/// The filters' choices: every school of the authority for the Virtual
/// School, a teacher's own school, none for a caseload.
fn dashboard_options(
    kind: ViewKind,
    own_school: Option<Uuid>,
    schools: &[openpep_store::schools::School],
    today: NaiveDate,
) -> FilterOptions {
    let offered = schools
        .iter()
        .filter(|s| match kind {
            ViewKind::Authority => true,
            ViewKind::School => Some(s.id) == own_school,
            ViewKind::Caseload => false,
        })
        .map(|s| (s.id, s.name.clone()))
        .collect();
    FilterOptions { terms: filter_terms(today), schools: offered, officers: Vec::new() }
}

/// Checks the dashboard's filters against the choices offered: the team
/// and location filters are the Virtual School's alone.
fn check_dashboard_form(
    kind: ViewKind,
    own_school: Option<Uuid>,
    form: &DashboardForm,
    options: FilterOptions,
    teams: &[(Uuid, String)],
) -> (DashboardFilter, FieldErrors, FilterOptions) {
    let mut cohort_form = form.filter.clone();
    cohort_form.officer.clear();
    let checked = check_filter_against(&cohort_form, options);
    let mut errors = checked.errors;
    let school = form.filter.school.trim();
    if kind == ViewKind::School && !school.is_empty() && Uuid::parse_str(school).ok() != own_school
    {
        errors = FieldErrors::default();
        errors.add("school", "You can see the figures of your own school only");
    }
    let mut filter = DashboardFilter { cohort: checked.filter, ..DashboardFilter::default() };
    if kind == ViewKind::Authority {
        let team = form.team.trim();
        if !team.is_empty() {
            filter.team =
                Uuid::parse_str(team).ok().filter(|id| teams.iter().any(|(t, _)| t == id));
            if filter.team.is_none() {
                errors.add("team", "Select a social work team from the list");
            }
        }
        filter.location = match form.location.trim() {
            "" => None,
            "in" => Some(Location::InAuthority),
            "out" => Some(Location::OutOfAuthority),
            _ => {
                errors.add("location", "Select in or out of the authority");
                None
            }
        };
    }
    (filter, errors, checked.options)
}

impl Services {
    /// The dashboard for the person's role, filtered; an unknown filter is
    /// refused (nothing is counted) and said against its field.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        form: &DashboardForm,
    ) -> Result<Dashboard, ServiceError> {
        let kind = view_for(actor.role).ok_or(ServiceError::Forbidden)?;
        let today = self.clock.today();
        // Everything the figures depend on: whose children, what may be
        // done with them, the filters and the day.
        let key =
            format!("{}|{:?}|{}|{form:?}|{today}", actor.la_id, actor.scope(), actor.role.code());
        if let Some(kept) = self.dashboards.get(&key) {
            return Ok((*kept).clone());
        }
        let _turn = self.dashboards.turn(&key).await;
        // Someone may have worked it out while this waited.
        if let Some(kept) = self.dashboards.get(&key) {
            return Ok((*kept).clone());
        }
        let dashboard = self.work_out_dashboard(actor, form, kind, today).await?;
        if dashboard.errors.is_empty() {
            self.dashboards.put(key, Arc::new(dashboard.clone()));
        }
        Ok(dashboard)
    }

    async fn work_out_dashboard(
        &self,
        actor: &Actor,
        form: &DashboardForm,
        kind: ViewKind,
        today: NaiveDate,
    ) -> Result<Dashboard, ServiceError> {
        let la = openpep_store::authorities::get(&self.db, actor.la_id).await?;
        let all_schools = openpep_store::schools::for_authority(&self.db, la.id, &la.code).await?;
        let schools: Schools =
            all_schools.iter().map(|s| (s.id, (s.name.clone(), s.la_code.clone()))).collect();
        let team_rows = rows::teams(&self.db, actor.la_id).await?;
        let managers: HashSet<Uuid> = team_rows.iter().map(|(_, m)| *m).collect();
        let staff =
            openpep_store::users::staff_in_roles(&self.db, actor.la_id, &["team_manager"]).await?;
        let teams: Vec<(Uuid, String)> = staff
            .into_iter()
            .filter(|s| managers.contains(&s.user_id))
            .map(|s| (s.user_id, format!("Team of {}", s.display_name)))
            .collect();
        let options = dashboard_options(kind, actor.school_id, &all_schools, today);
        let (filter, errors, options) =
            check_dashboard_form(kind, actor.school_id, form, options, &teams);
        let view = match kind {
            ViewKind::Authority => DashboardView::Authority,
            ViewKind::School => DashboardView::School(
                actor
                    .school_id
                    .and_then(|s| schools.get(&s))
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default(),
            ),
            ViewKind::Caseload => DashboardView::Caseload,
        };
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        let term = filter.cohort.term.unwrap_or_else(|| settings.term_of(today));
        let mut dashboard = Dashboard {
            view,
            errors,
            options: DashboardOptions { cohort: options, teams },
            term_label: term_label(term.0, term.1),
            children: 0,
            tables: Vec::new(),
            may_chase: openpep_domain::may(actor.role, AuthorityAction::ChasePeps),
            worked_out_at: self.clock.now(),
        };
        if !dashboard.errors.is_empty() {
            return Ok(dashboard);
        }
        let scope = actor.scope();
        let cohort = rows::cohort(&self.db, &scope, today).await?;
        let team_of: HashMap<Uuid, Uuid> = team_rows.into_iter().collect();
        let places = Places { year: term.0, teams: &team_of, schools: &schools, la_code: &la.code };
        let kept: Vec<&CohortChild> =
            cohort.iter().filter(|c| keeps(c, &filter, &places)).collect();
        let kept_ids: HashSet<Uuid> = kept.iter().map(|c| c.id).collect();
        let all_peps = rows::peps(&self.db, &scope, today, (term.0.0, term.1.code())).await?;
        let peps: Vec<&CohortPep> =
            all_peps.iter().filter(|p| kept_ids.contains(&p.child_id)).collect();
        let pages = self.term_pages(&scope, today, term, &peps, actor.la_id).await?;
        let facts = Facts { today, term, children: kept, peps, pages, schools: &schools };
        let responsible = self.responsible_names(actor.la_id, today).await?;
        let (_, policy) = self.funding_policy(actor.la_id).await?;
        let (year, term_now) = term;
        let funding_rows =
            rows::funding(&self.db, &scope, today, (year.0, term_now.code())).await?;
        let requests: Vec<&rows::CohortFunding> =
            funding_rows.iter().filter(|r| kept_ids.contains(&r.child_id)).collect();
        let allowance = |child: &CohortChild| {
            let nc = NcYear::for_child(child.date_of_birth, year);
            policy
                .sources_for(nc)
                .into_iter()
                .filter(|s| s.code == "pp_plus" || s.code == "eypp")
                .filter_map(|s| s.allowance(year, term_now))
                .fold(Pence::ZERO, |a, b| a.checked_add(b).unwrap_or(a))
        };
        dashboard.children = facts.children.len();
        dashboard.tables = vec![
            facts.in_date(),
            facts.initial(),
            facts.status(),
            facts.overdue(&responsible, dashboard.may_chase),
            facts.grades_by_school(settings.grading_scheme.grades()),
            facts.grades_by_term(settings.grading_scheme.grades()),
            facts.progress(),
            facts.attendance(),
            facts.suspensions(),
            facts.part_time(),
            facts.sdq(),
            facts.funding(&requests, &allowance),
            facts.education(),
            facts.destinations(),
        ];
        if kind == ViewKind::Authority {
            dashboard.tables.push(reminders_table(
                &openpep_store::reminders::runs(&self.db, actor.la_id, 10).await?,
            ));
        }
        Ok(dashboard)
    }

    /// The pages that hold figures of each child's PEPs of `term`, by kind.
    async fn term_pages(
        &self,
        scope: &ChildScope,
        today: NaiveDate,
        (year, term): (AcademicYear, Term),
        peps: &[&CohortPep],
        la_id: Uuid,
    ) -> Result<HashMap<Uuid, HashMap<PageKind, Fields>>, ServiceError> {
        const KINDS: [PageKind; 6] = [
            PageKind::Attendance,
            PageKind::Exclusions,
            PageKind::PartTimeTimetable,
            PageKind::Attainment,
            PageKind::Sdq,
            PageKind::Careers,
        ];
        let in_term: Vec<&&CohortPep> =
            peps.iter().filter(|p| p.academic_year == year.0 && p.term == term.code()).collect();
        // Each template version names its pages: kind by key, per version.
        let mut kinds: HashMap<Option<Uuid>, HashMap<String, PageKind>> = HashMap::new();
        for p in &in_term {
            if kinds.contains_key(&p.template_id) {
                continue;
            }
            let template = self.template_of(la_id, p.template_id).await?;
            let by_key = template
                .pages()
                .filter(|(_, _, page)| KINDS.contains(&page.kind))
                .map(|(_, _, page)| (page.key.clone(), page.kind))
                .collect();
            kinds.insert(p.template_id, by_key);
        }
        let mut keys: Vec<String> = kinds.values().flat_map(|k| k.keys().cloned()).collect();
        keys.sort();
        keys.dedup();
        let saved = rows::pages(&self.db, scope, today, (year.0, term.code()), &keys).await?;
        let pep_of: HashMap<Uuid, &&CohortPep> = in_term.iter().map(|p| (p.id, *p)).collect();
        let mut out: HashMap<Uuid, HashMap<PageKind, Fields>> = HashMap::new();
        for page in saved {
            let Some(pep) = pep_of.get(&page.pep_id) else { continue };
            let Some(kind) = kinds.get(&pep.template_id).and_then(|k| k.get(&page.page_key)) else {
                continue;
            };
            // A child with two PEPs in a term (a school move): the later one.
            let slot = out.entry(pep.child_id).or_default();
            slot.insert(*kind, answers_of(&page.answers.0));
        }
        Ok(out)
    }
}

/// The reminders sent about late PEPs, newest first.
pub fn reminders_table(runs: &[openpep_store::reminders::RunRow]) -> FigureTable {
    let mut t = FigureTable::new(
        "reminders",
        "Reminders sent",
        "The nightly digests and the reminders sent by hand about late PEPs.",
        &["When", "How", "People reminded", "PEPs"],
    );
    for r in runs {
        let how = match (r.kind.as_str(), &r.run_by_name) {
            ("schedule", _) => "The nightly digest".to_owned(),
            (_, Some(name)) => format!("Sent by {name}"),
            _ => "Sent by hand".to_owned(),
        };
        t.row(vec![
            Figure::Text(openpep_domain::meeting::when_label(r.run_at)),
            Figure::Text(how),
            Figure::Count(r.people as usize),
            Figure::Count(r.peps as usize),
        ]);
    }
    t
}

impl Services {
    /// Records a download of a dashboard table (which, in what format, how
    /// many rows): the overdue list names children.
    pub async fn record_export(
        &self,
        actor: &Actor,
        table: &str,
        format: &str,
        rows: usize,
    ) -> Result<(), ServiceError> {
        let event = actor.event(
            "dashboard.exported",
            ("local_authority", actor.la_id),
            serde_json::json!({ "table": table, "format": format, "rows": rows }),
            self.clock.now(),
        );
        openpep_store::audit::record_now(&self.db, &event).await?;
        Ok(())
    }
}
