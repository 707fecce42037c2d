//! Signing a PEP off after its meeting: each part (the social worker's,
//! the school's and the young person's) is marked completed, the next
//! meeting is set within the statutory six months, and then the designated
//! teacher signs the whole PEP off. Sign-off falls due a number of school
//! days after the meeting.

use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::calendar::WorkingDayCalendar;
use crate::code::code_enum;
use crate::meeting::{london_to_utc, parse_time, utc_to_london};
use crate::pages::input::Reader;
use crate::pages::{Block, Control, FieldSpec, Fields, Problems, uk_date};
use crate::pep::Term;
use crate::role::Role;
use crate::school_year::AcademicYear;

/// How long after the meeting sign-off is due, when the authority has not
/// said: ten school days.
pub const DEFAULT_SCHOOL_DAYS: u32 = 10;

/// The statutory longest gap between two PEP meetings.
const MAX_MONTHS_TO_NEXT: u32 = 6;

code_enum! {
    /// A part of the PEP that its writer marks completed.
    Part, "sign-off part" {
        SocialWorker => "social_worker", "Social worker";
        School => "school", "Designated teacher or professional";
        YoungPerson => "young_person", "Young person";
    }
}

impl Part {
    /// The part a person in `role` marks, if any.
    pub fn of_role(role: Role) -> Option<Part> {
        match role {
            Role::SocialWorker => Some(Part::SocialWorker),
            Role::DesignatedTeacher | Role::DesignatedProfessional => Some(Part::School),
            Role::YoungPerson => Some(Part::YoungPerson),
            _ => None,
        }
    }

    /// The parts a PEP needs: the young person's only when they have an
    /// account to mark it with (a young child's views are gathered by the
    /// adults, whose parts cover them).
    pub fn needed(young_person_has_account: bool) -> Vec<Part> {
        Part::ALL
            .iter()
            .copied()
            .filter(|part| *part != Part::YoungPerson || young_person_has_account)
            .collect()
    }
}

/// The term after `term` of `year`: the next PEP's.
pub fn next_term(year: AcademicYear, term: Term) -> (AcademicYear, Term) {
    match term {
        Term::Autumn => (year, Term::Spring),
        Term::Spring => (year, Term::Summer),
        Term::Summer => (year.next(), Term::Autumn),
    }
}

/// When sign-off is due: `school_days` working days after the meeting.
pub fn due_on(meeting_on: NaiveDate, school_days: u32, calendar: &WorkingDayCalendar) -> NaiveDate {
    calendar.add_working_days(meeting_on, school_days)
}

/// Whether sign-off is late on `today` (the due day itself is not).
pub fn is_overdue(due_on: NaiveDate, today: NaiveDate) -> bool {
    today > due_on
}

/// The latest day the next meeting may be on: six months after this one.
pub fn latest_next_meeting(this_meeting_on: NaiveDate) -> NaiveDate {
    this_meeting_on.checked_add_months(Months::new(MAX_MONTHS_TO_NEXT)).unwrap_or(this_meeting_on)
}

/// Reads the next meeting's `next_date` (a date input) and `next_time`
/// (HH:MM, UK time): after this meeting, and within six months of it.
pub fn check_next_meeting(
    fields: &Fields,
    this_meeting: DateTime<Utc>,
) -> Result<DateTime<Utc>, Problems> {
    let mut r = Reader::new(fields);
    let date = r.date("next_date", "the date of the next PEP meeting");
    r.require(true, "next_date", "Enter the date of the next PEP meeting");
    let typed = r.text("next_time", "the time of the next PEP meeting");
    let time = if typed.is_empty() {
        r.problem("next_time", "Enter the time of the next PEP meeting, like 09:30 or 14:00");
        None
    } else {
        parse_time(&typed).map_err(|message| r.problem("next_time", message)).ok()
    };
    let at = match (date, time) {
        (Some(date), Some(time)) => {
            london_to_utc(date, time).map_err(|message| r.problem("next_time", message)).ok()
        }
        _ => None,
    };
    if let (Some(at), Some(date)) = (at, date) {
        let this_day = utc_to_london(this_meeting).date();
        let latest = latest_next_meeting(this_day);
        if at <= this_meeting {
            r.problem(
                "next_date",
                format!("The next PEP meeting must be after this one, on {}", uk_date(this_day)),
            );
        } else if date > latest {
            r.problem(
                "next_date",
                format!(
                    "The next PEP meeting must be within 6 months of this one: on or before {}",
                    uk_date(latest)
                ),
            );
        }
    }
    let problems = std::mem::take(&mut r.problems);
    match at {
        Some(at) if problems.is_empty() => Ok(at),
        _ => Err(problems),
    }
}

/// The next meeting as the form shows it.
pub fn next_meeting_fields(at: DateTime<Utc>) -> Fields {
    let local = utc_to_london(at);
    Fields::from([
        ("next_date".to_owned(), local.date().format("%Y-%m-%d").to_string()),
        ("next_time".to_owned(), local.time().format("%H:%M").to_string()),
    ])
}

/// The next meeting's form.
pub fn next_meeting_layout(this_meeting_on: NaiveDate) -> Vec<Block> {
    vec![
        Block::field(FieldSpec::new("next_date", "Date", Control::Date).hint(format!(
            "Within 6 months of this meeting: on or before {}. For example, 27 3 2027",
            uk_date(latest_next_meeting(this_meeting_on))
        ))),
        Block::field(
            FieldSpec::new("next_time", "Time", Control::Short)
                .hint("For example, 09:30 or 14:00. UK time."),
        ),
    ]
}

/// Why a part cannot be marked completed, or the PEP signed off, yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The meeting has not been confirmed as held.
    MeetingNotHeld,
    /// The next meeting's date and time are not set.
    NoNextMeeting,
    /// A prompt on the targets page has no target (its words, in a sentence).
    Prompt(String),
    /// Parts not yet marked completed (final sign-off only).
    PartsUnmarked(Vec<Part>),
}

impl Blocker {
    /// What the person must do, in GOV.UK words.
    pub fn message(&self) -> String {
        match self {
            Blocker::MeetingNotHeld => {
                "Confirm the PEP meeting took place before marking parts completed".to_owned()
            }
            Blocker::NoNextMeeting => "Enter the date and time of the next PEP meeting".to_owned(),
            Blocker::Prompt(prompt) => format!("Write the {prompt} on the targets page"),
            Blocker::PartsUnmarked(parts) => {
                let names: Vec<String> = parts.iter().map(|p| p.label().to_lowercase()).collect();
                format!(
                    "Every part must be marked completed first: not yet the {}",
                    names.join(" or the ")
                )
            }
        }
    }
}

/// What sign-off knows of the PEP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub meeting_held: bool,
    pub next_meeting_set: bool,
    /// Prompts with no target, in a sentence ("attendance target").
    pub unanswered_prompts: Vec<String>,
    pub needed: Vec<Part>,
    pub marked: Vec<Part>,
}

impl Readiness {
    /// What stops a part being marked completed.
    pub fn to_mark(&self) -> Vec<Blocker> {
        let mut blockers = Vec::new();
        if !self.meeting_held {
            blockers.push(Blocker::MeetingNotHeld);
        }
        if !self.next_meeting_set {
            blockers.push(Blocker::NoNextMeeting);
        }
        blockers.extend(self.unanswered_prompts.iter().cloned().map(Blocker::Prompt));
        blockers
    }

    pub fn unmarked(&self) -> Vec<Part> {
        self.needed.iter().copied().filter(|p| !self.marked.contains(p)).collect()
    }

    /// What stops the final sign-off.
    pub fn to_sign_off(&self) -> Vec<Blocker> {
        let mut blockers = self.to_mark();
        let unmarked = self.unmarked();
        if !unmarked.is_empty() {
            blockers.push(Blocker::PartsUnmarked(unmarked));
        }
        blockers
    }

    /// Every needed part is marked.
    pub fn all_marked(&self) -> bool {
        self.unmarked().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn this_meeting() -> DateTime<Utc> {
        // Thursday 3 December 2026, 2:30pm GMT.
        Utc.with_ymd_and_hms(2026, 12, 3, 14, 30, 0).unwrap()
    }

    fn form(date: &str, time: &str) -> Fields {
        Fields::from([
            ("next_date".to_owned(), date.to_owned()),
            ("next_time".to_owned(), time.to_owned()),
        ])
    }

    #[test]
    fn the_next_meeting_is_a_uk_time_within_six_months() {
        let at = check_next_meeting(&form("2027-03-18", "09:30"), this_meeting()).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2027, 3, 18, 9, 30, 0).unwrap());
        // British Summer Time: 9:30am is 8:30 UTC.
        let at = check_next_meeting(&form("2027-06-03", "9:30"), this_meeting()).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2027, 6, 3, 8, 30, 0).unwrap());
        let fields = next_meeting_fields(at);
        assert_eq!(fields["next_date"], "2027-06-03");
        assert_eq!(fields["next_time"], "09:30");
    }

    #[test]
    fn a_next_meeting_eight_months_away_or_before_this_one_is_refused() {
        let problems =
            check_next_meeting(&form("2027-08-03", "10:00"), this_meeting()).unwrap_err();
        assert_eq!(
            problems.message("next_date"),
            Some(
                "The next PEP meeting must be within 6 months of this one: on or before 3 June 2027"
            )
        );
        let problems =
            check_next_meeting(&form("2026-12-03", "09:00"), this_meeting()).unwrap_err();
        assert_eq!(
            problems.message("next_date"),
            Some("The next PEP meeting must be after this one, on 3 December 2026")
        );
    }

    #[test]
    fn the_time_must_be_a_real_time() {
        let problems =
            check_next_meeting(&form("2027-03-18", "25:00"), this_meeting()).unwrap_err();
        assert!(problems.message("next_time").is_some());
        let problems = check_next_meeting(&form("2027-03-18", "9"), this_meeting()).unwrap_err();
        assert!(problems.message("next_time").is_some());
        let problems = check_next_meeting(&form("", ""), this_meeting()).unwrap_err();
        assert_eq!(problems.message("next_date"), Some("Enter the date of the next PEP meeting"));
        assert_eq!(
            problems.message("next_time"),
            Some("Enter the time of the next PEP meeting, like 09:30 or 14:00")
        );
    }

    #[test]
    fn sign_off_is_due_ten_school_days_after_the_meeting() {
        let calendar = WorkingDayCalendar::england_and_wales();
        let meeting = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        // Ten working days from Thursday 3 December, over two weekends.
        let due = due_on(meeting, DEFAULT_SCHOOL_DAYS, &calendar);
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 12, 17).unwrap());
        assert!(!is_overdue(due, due));
        assert!(is_overdue(due, due.succ_opt().unwrap()));
    }

    #[test]
    fn the_next_pep_is_the_next_terms() {
        let y = AcademicYear(2026);
        assert_eq!(next_term(y, Term::Autumn), (y, Term::Spring));
        assert_eq!(next_term(y, Term::Summer), (AcademicYear(2027), Term::Autumn));
    }

    #[test]
    fn parts_follow_roles_and_the_young_persons_account() {
        assert_eq!(Part::of_role(Role::DesignatedProfessional), Some(Part::School));
        assert_eq!(Part::of_role(Role::Carer), None);
        assert_eq!(Part::needed(false), vec![Part::SocialWorker, Part::School]);
        assert_eq!(Part::needed(true).len(), 3);
    }

    #[test]
    fn readiness_lists_what_blocks_marking_and_signing_off() {
        let mut ready = Readiness {
            meeting_held: true,
            next_meeting_set: false,
            unanswered_prompts: vec!["attendance target".into()],
            needed: Part::needed(true),
            marked: vec![Part::SocialWorker],
        };
        assert_eq!(
            ready.to_mark(),
            vec![Blocker::NoNextMeeting, Blocker::Prompt("attendance target".into())]
        );
        ready.next_meeting_set = true;
        ready.unanswered_prompts.clear();
        assert!(ready.to_mark().is_empty());
        let blockers = ready.to_sign_off();
        assert_eq!(blockers, vec![Blocker::PartsUnmarked(vec![Part::School, Part::YoungPerson])]);
        assert_eq!(
            blockers[0].message(),
            "Every part must be marked completed first: not yet the designated teacher or professional or the young person"
        );
        ready.marked = Part::needed(true);
        assert!(ready.all_marked() && ready.to_sign_off().is_empty());
    }
}
