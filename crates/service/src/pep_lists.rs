//! The Virtual School's working lists: every PEP not yet signed off, which
//! of them are overdue on the injected "today", and the meetings the VS
//! should attend by the authority's criteria.

use crate::{Actor, ServiceError, Services};
use chrono::NaiveDate;
use openpep_domain::pep_cycle::is_overdue_code;
use openpep_domain::vs_involvement::{AttendReason, InvolvementCriteria, InvolvementFacts};
use openpep_domain::{AcademicYear, AuthorityAction, NcYear};
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
            // A child's next meeting only, not every open PEP of theirs.
            PepListKind::VsToAttend => item.next_for_child && !item.attend.is_empty(),
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
    /// The child's soonest-due open PEP (the next meeting).
    pub next_for_child: bool,
}

/// What decides whether the VS attends a child's next PEP meeting, as the
/// child's record and PEP list hold it.
#[derive(Debug, Clone, Copy)]
pub struct MeetingFacts<'a> {
    pub has_completed_pep: bool,
    /// Why the PEP is due ("placement_change" is a school move).
    pub pep_reason: Option<&'a str>,
    /// The code of the authority the child's school is in.
    pub school_la_code: Option<&'a str>,
    /// The code of the authority that looks after the child.
    pub la_code: &'a str,
    pub vs_priority: Option<&'a str>,
    pub nc_year: NcYear,
    /// A professional disagreement is open.
    pub professional_disagreement: bool,
}

/// Why the VS should attend the meeting, by the authority's criteria
/// (empty: it need not).
pub fn attend_reasons(criteria: &InvolvementCriteria, f: &MeetingFacts<'_>) -> Vec<AttendReason> {
    let facts = InvolvementFacts {
        new_to_virtual_school: !f.has_completed_pep,
        school_move: f.pep_reason == Some("placement_change"),
        educated_outside_authority: f.school_la_code.is_some_and(|c| c != f.la_code),
        red_rated: f.vs_priority == Some("red"),
        professional_disagreement: f.professional_disagreement,
        year_group: Some(f.nc_year),
    };
    criteria.reasons(&facts)
}

fn item(
    row: PepListRow,
    today: NaiveDate,
    la_code: &str,
    criteria: &InvolvementCriteria,
) -> PepListItem {
    let nc_year = NcYear::for_child(row.date_of_birth, AcademicYear::containing(row.due_on));
    let attend = attend_reasons(
        criteria,
        &MeetingFacts {
            has_completed_pep: row.has_completed_pep,
            pep_reason: Some(&row.reason),
            school_la_code: row.school_la_code.as_deref(),
            la_code,
            vs_priority: row.vs_priority.as_deref(),
            nc_year,
            professional_disagreement: row.disagreement_open,
        },
    );
    PepListItem {
        overdue: is_overdue_code(&row.status, row.due_on, today),
        nc_year,
        attend,
        next_for_child: false,
        row,
    }
}

impl Services {
    /// The authority's open PEPs, soonest due first, each with whether it
    /// is overdue today and why the VS should attend its meeting.
    pub async fn open_peps(&self, actor: &Actor) -> Result<Vec<PepListItem>, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewAuthorityReports)?;
        let today = self.clock.today();
        let la = openpep_store::authorities::get(&self.db, actor.la_id).await?;
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        let rows = peps::open_for_authority(&self.db, actor.la_id, today).await?;
        // Rows come soonest due first: the first of each child's is next.
        let mut seen = std::collections::HashSet::new();
        Ok(rows
            .into_iter()
            .map(|row| {
                let first = seen.insert(row.child_id);
                PepListItem {
                    next_for_child: first,
                    ..item(row, today, &la.code, &settings.vs_attends)
                }
            })
            .collect())
    }
}
