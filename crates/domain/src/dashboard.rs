//! The Virtual School's cohort figures, as its corporate parenting board
//! and Ofsted ask for them: PEPs in date and on time, attendance, SDQ
//! bands. Each is worked out here from plain facts so that the dashboard,
//! its exports and its tests count the same way.

use chrono::NaiveDate;

use crate::pages::attendance::Attendance;
use crate::pages::sdq::Band;
use crate::pep::PepStatus;
use crate::pep_cycle::is_overdue;

/// What a figure needs of a PEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PepFact {
    pub status: PepStatus,
    pub initial: bool,
    pub due_on: NaiveDate,
    pub signed_off_on: Option<NaiveDate>,
}

impl PepFact {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.status, self.due_on, today)
    }

    /// How a PEP shows in the counts by status: an open PEP past its
    /// deadline shows as overdue (`None`).
    pub fn shown_status(&self, today: NaiveDate) -> Option<PepStatus> {
        (!self.overdue(today)).then_some(self.status)
    }
}

/// A child has an in-date PEP when they have a PEP and none of theirs is
/// overdue: the last one was held in time and the next is not yet late (a
/// child new to care whose initial PEP is not yet due counts as in date).
pub fn in_date(peps: &[PepFact], today: NaiveDate) -> bool {
    !peps.is_empty() && !peps.iter().any(|p| p.overdue(today))
}

/// How the initial PEPs due so far went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InitialTimeliness {
    /// Signed off on or before the deadline.
    pub on_time: usize,
    /// Signed off after it.
    pub late: usize,
    /// Past the deadline and not yet signed off.
    pub outstanding: usize,
}

impl InitialTimeliness {
    /// Counts the initial PEPs among `peps` whose deadline is past.
    pub fn of<'a>(peps: impl IntoIterator<Item = &'a PepFact>, today: NaiveDate) -> Self {
        let mut t = InitialTimeliness::default();
        for p in peps.into_iter().filter(|p| p.initial && p.due_on < today) {
            match p.signed_off_on {
                Some(on) if on <= p.due_on => t.on_time += 1,
                Some(_) => t.late += 1,
                None => t.outstanding += 1,
            }
        }
        t
    }

    pub fn due(&self) -> usize {
        self.on_time + self.late + self.outstanding
    }
}

/// A cohort's attendance: sessions pooled across the children with a
/// record, and how many are persistently or severely absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttendanceSummary {
    pub children: usize,
    pub possible: u64,
    pub attended: u64,
    pub persistent: usize,
    pub severe: usize,
}

impl AttendanceSummary {
    pub fn add(&mut self, a: &Attendance) {
        self.children += 1;
        self.possible += u64::from(a.possible);
        self.attended += u64::from(a.attended);
        // Severe absence is persistent absence too.
        if a.persistent_absence() {
            self.persistent += 1;
        }
        if a.severe_absence() {
            self.severe += 1;
        }
    }

    /// The share of possible sessions attended, as a percentage.
    pub fn percent(&self) -> Option<f64> {
        (self.possible > 0).then(|| self.attended as f64 * 100.0 / self.possible as f64)
    }
}

/// Children in each SDQ band, best first.
pub fn sdq_bands(bands: impl IntoIterator<Item = Band>) -> [(Band, usize); 4] {
    let mut counts = [
        (Band::CloseToAverage, 0),
        (Band::SlightlyRaised, 0),
        (Band::High, 0),
        (Band::VeryHigh, 0),
    ];
    for band in bands {
        if let Some(slot) = counts.iter_mut().find(|(b, _)| *b == band) {
            slot.1 += 1;
        }
    }
    counts
}

/// `n` of `total` as a percentage; none of nothing.
pub fn share(n: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| n as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        let y = if m >= 9 { 2026 } else { 2027 };
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn pep(status: PepStatus, due: NaiveDate, signed: Option<NaiveDate>) -> PepFact {
        PepFact { status, initial: false, due_on: due, signed_off_on: signed }
    }

    #[test]
    fn in_date_means_a_pep_and_none_late() {
        let today = day(11, 23);
        let held = pep(PepStatus::SignedOff, day(10, 1), Some(day(9, 30)));
        let next = pep(PepStatus::InProgress, day(12, 4), None);
        let late = pep(PepStatus::Draft, day(11, 20), None);
        let returned = pep(PepStatus::ReturnedForImprovement, day(11, 1), Some(day(10, 30)));
        assert!(in_date(&[held, next], today));
        assert!(in_date(&[next], today), "a first PEP not yet due");
        assert!(!in_date(&[held, late], today));
        assert!(in_date(&[returned], today), "a return has its own due date");
        assert!(!in_date(&[], today), "no PEP at all");
    }

    #[test]
    fn initial_peps_are_on_time_late_or_outstanding() {
        let today = day(11, 23);
        let initial =
            |due, signed| PepFact { initial: true, ..pep(PepStatus::SignedOff, due, signed) };
        let peps = [
            initial(day(10, 10), Some(day(10, 10))),
            initial(day(10, 10), Some(day(10, 12))),
            PepFact { status: PepStatus::Draft, ..initial(day(11, 1), None) },
            // Not yet due, and not an initial PEP: not counted.
            PepFact { status: PepStatus::Draft, ..initial(day(12, 1), None) },
            pep(PepStatus::SignedOff, day(10, 1), Some(day(10, 20))),
        ];
        let t = InitialTimeliness::of(&peps, today);
        assert_eq!((t.on_time, t.late, t.outstanding, t.due()), (1, 1, 1, 3));
    }

    #[test]
    fn attendance_pools_sessions_and_counts_absence() {
        let record = |possible, attended| Attendance { from: None, to: None, possible, attended };
        let mut s = AttendanceSummary::default();
        s.add(&record(100, 95));
        s.add(&record(100, 85));
        s.add(&record(100, 40));
        assert_eq!((s.children, s.persistent, s.severe), (3, 2, 1));
        assert_eq!(s.percent(), Some(220.0 * 100.0 / 300.0));
        assert_eq!(AttendanceSummary::default().percent(), None);
    }

    #[test]
    fn bands_and_shares() {
        let counts = sdq_bands([Band::High, Band::High, Band::CloseToAverage]);
        assert_eq!(counts[0], (Band::CloseToAverage, 1));
        assert_eq!(counts[2], (Band::High, 2));
        assert_eq!(share(1, 3).map(|p| format!("{p:.0}%")).as_deref(), Some("33%"));
        assert_eq!(share(0, 0), None, "nothing to divide by");
    }
}
