//! The Virtual School's working lists: every PEP not yet signed off, which
//! of them are overdue on the injected "today", and the meetings the VS
//! should attend by the authority's criteria.

use crate::{Actor, ServiceError, Services};
use chrono::NaiveDate;
use openpep_domain::pep_cycle::is_overdue;
use openpep_domain::vs_involvement::{AttendReason, InvolvementCriteria, InvolvementFacts};
use openpep_domain::{AcademicYear, AuthorityAction, NcYear, PepStatus};
use openpep_store::peps::{self, PepListRow};

/// Which PEPs a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PepListKind {
    #[default]
    Open,
    Overdue,
    VsToAttend,
}

impl PepListKind {
    pub fn includes(self, item: &PepListItem) -> bool {
        match self {
            PepListKind::Open => true,
            PepListKind::Overdue => item.overdue,
            PepListKind::VsToAttend => !item.attend.is_empty(),
        }
    }

    pub fn from_code(code: &str) -> PepListKind {
        match code {
            "overdue" => PepListKind::Overdue,
            "attend" => PepListKind::VsToAttend,
            _ => PepListKind::Open,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PepListItem {
    pub row: PepListRow,
    pub nc_year: NcYear,
    pub overdue: bool,
    /// Why the VS should attend the meeting (empty: it need not).
    pub attend: Vec<AttendReason>,
}

/// Why the VS should attend this PEP's meeting.
pub fn attend_reasons(row: &PepListRow, nc_year: NcYear, la_code: &str) -> Vec<AttendReason> {
    let facts = InvolvementFacts {
        new_to_virtual_school: !row.has_completed_pep,
        school_move: row.reason == "placement_change",
        educated_outside_authority: row.school_la_code.as_deref().is_some_and(|c| c != la_code),
        red_rated: row.vs_priority.as_deref() == Some("red"),
        professional_disagreement: false,
        year_group: Some(nc_year),
    };
    InvolvementCriteria::default().reasons(&facts)
}

fn item(row: PepListRow, today: NaiveDate, la_code: &str) -> PepListItem {
    let status = PepStatus::from_code(&row.status).unwrap_or(PepStatus::Draft);
    let nc_year = NcYear::for_child(row.date_of_birth, AcademicYear::containing(row.due_on));
    let attend = attend_reasons(&row, nc_year, la_code);
    PepListItem { overdue: is_overdue(status, row.due_on, today), nc_year, attend, row }
}

impl Services {
    /// The authority's open PEPs, soonest due first, each with whether it
    /// is overdue today and why the VS should attend its meeting.
    pub async fn open_peps(&self, actor: &Actor) -> Result<Vec<PepListItem>, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewAuthorityReports)?;
        let today = self.clock.today();
        let la = openpep_store::authorities::get(&self.db, actor.la_id).await?;
        let rows = peps::open_for_authority(&self.db, actor.la_id).await?;
        Ok(rows.into_iter().map(|row| item(row, today, &la.code)).collect())
    }
}
