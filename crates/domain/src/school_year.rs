//! Academic years, national curriculum (NC) years, phases and key stages.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::code::serde_via_code;

/// An English school year, 1 September to 31 August, named by the calendar
/// year in which it starts: `AcademicYear(2025)` is 2025/26.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AcademicYear(pub i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcademicYearError {
    #[error("Enter an academic year in the correct format, like 2025/26")]
    Format,
}

impl AcademicYear {
    pub fn containing(date: NaiveDate) -> AcademicYear {
        if date.month() >= 9 { AcademicYear(date.year()) } else { AcademicYear(date.year() - 1) }
    }

    /// 1 September. Years beyond chrono's range clamp to its first or last day.
    pub fn start(self) -> NaiveDate {
        date_or_clamp(self.0, 9, 1)
    }

    /// 31 August. Years beyond chrono's range clamp to its first or last day.
    pub fn end(self) -> NaiveDate {
        date_or_clamp(self.0.saturating_add(1), 8, 31)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        AcademicYear::containing(date) == self
    }

    pub fn next(self) -> AcademicYear {
        AcademicYear(self.0.saturating_add(1))
    }

    pub fn previous(self) -> AcademicYear {
        AcademicYear(self.0.saturating_sub(1))
    }

    /// Parses the `2025/26` form that [`Display`](fmt::Display) writes.
    pub fn parse(input: &str) -> Result<AcademicYear, AcademicYearError> {
        let (start, end) = input.trim().split_once('/').ok_or(AcademicYearError::Format)?;
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if start.len() != 4 || end.len() != 2 || !all_digits(start) || !all_digits(end) {
            return Err(AcademicYearError::Format);
        }
        let year: i32 = start.parse().map_err(|_| AcademicYearError::Format)?;
        if end != format!("{:02}", (year + 1) % 100) {
            return Err(AcademicYearError::Format);
        }
        Ok(AcademicYear(year))
    }
}

fn date_or_clamp(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.0, (i64::from(self.0) + 1).rem_euclid(100))
    }
}

/// A national curriculum year group: reception is 0, nursery -1, year 1 to
/// year 13 are 1 to 13. Values outside that range are kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NcYear(i8);

impl NcYear {
    pub const NURSERY: NcYear = NcYear(-1);
    pub const RECEPTION: NcYear = NcYear(0);

    pub const fn from_value(value: i8) -> NcYear {
        NcYear(value)
    }

    /// The year group a child born on `date_of_birth` is in during `year`:
    /// their age on the 31 August before it starts, minus 4.
    pub fn for_child(date_of_birth: NaiveDate, year: AcademicYear) -> NcYear {
        let birthday_after_31_august = date_of_birth.month() >= 9;
        let age = i64::from(year.0)
            - i64::from(date_of_birth.year())
            - i64::from(birthday_after_31_august);
        let value = (age - 4).clamp(i64::from(i8::MIN), i64::from(i8::MAX));
        NcYear(i8::try_from(value).unwrap_or_default())
    }

    /// The dates of birth of the children in year groups `from..=to`
    /// during `year`: from 1 September to 31 August, inclusive.
    pub fn births_between(
        from: NcYear,
        to: NcYear,
        year: AcademicYear,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let first = NaiveDate::from_ymd_opt(year.0 - i32::from(to.0) - 5, 9, 1)?;
        let last = NaiveDate::from_ymd_opt(year.0 - i32::from(from.0) - 4, 8, 31)?;
        Some((first, last))
    }

    pub const fn value(self) -> i8 {
        self.0
    }

    pub fn label(self) -> String {
        match self.0 {
            ..-1 => "Pre-nursery".to_owned(),
            -1 => "Nursery".to_owned(),
            0 => "Reception".to_owned(),
            14.. => "Year 14+".to_owned(),
            n => format!("Year {n}"),
        }
    }

    pub fn phase(self) -> Phase {
        match self.0 {
            ..=0 => Phase::EarlyYears,
            1..=6 => Phase::Primary,
            7..=11 => Phase::Secondary,
            12.. => Phase::Post16,
        }
    }

    pub fn key_stage(self) -> KeyStage {
        match self.0 {
            ..=0 => KeyStage::Eyfs,
            1..=2 => KeyStage::Ks1,
            3..=6 => KeyStage::Ks2,
            7..=9 => KeyStage::Ks3,
            10..=11 => KeyStage::Ks4,
            12.. => KeyStage::Post16,
        }
    }
}

impl fmt::Display for NcYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The phase of education, which decides the pages a PEP shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    EarlyYears,
    Primary,
    Secondary,
    Post16,
}

impl Phase {
    pub const ALL: [Phase; 4] =
        [Phase::EarlyYears, Phase::Primary, Phase::Secondary, Phase::Post16];

    pub fn code(self) -> &'static str {
        match self {
            Phase::EarlyYears => "early_years",
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Post16 => "post_16",
        }
    }

    pub fn from_code(code: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|phase| phase.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::EarlyYears => "Early years",
            Phase::Primary => "Primary",
            Phase::Secondary => "Secondary",
            Phase::Post16 => "Post-16",
        }
    }

    /// The year groups of the phase, inclusive (early years from 3 years
    /// before Reception, post-16 to Year 16).
    pub fn year_groups(self) -> (NcYear, NcYear) {
        let (from, to) = match self {
            Phase::EarlyYears => (-3, 0),
            Phase::Primary => (1, 6),
            Phase::Secondary => (7, 11),
            Phase::Post16 => (12, 16),
        };
        (NcYear(from), NcYear(to))
    }
}

serde_via_code!(Phase, "phase");

/// National curriculum key stages, with the early years foundation stage
/// before them and post-16 after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyStage {
    Eyfs,
    Ks1,
    Ks2,
    Ks3,
    Ks4,
    Post16,
}

impl KeyStage {
    pub const ALL: [KeyStage; 6] = [
        KeyStage::Eyfs,
        KeyStage::Ks1,
        KeyStage::Ks2,
        KeyStage::Ks3,
        KeyStage::Ks4,
        KeyStage::Post16,
    ];

    pub fn code(self) -> &'static str {
        match self {
            KeyStage::Eyfs => "eyfs",
            KeyStage::Ks1 => "ks1",
            KeyStage::Ks2 => "ks2",
            KeyStage::Ks3 => "ks3",
            KeyStage::Ks4 => "ks4",
            KeyStage::Post16 => "post_16",
        }
    }

    pub fn from_code(code: &str) -> Option<KeyStage> {
        KeyStage::ALL.into_iter().find(|stage| stage.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyStage::Eyfs => "Early years foundation stage",
            KeyStage::Ks1 => "Key stage 1",
            KeyStage::Ks2 => "Key stage 2",
            KeyStage::Ks3 => "Key stage 3",
            KeyStage::Ks4 => "Key stage 4",
            KeyStage::Post16 => "Post-16",
        }
    }
}

serde_via_code!(KeyStage, "key stage");

#[cfg(test)]
mod birth_range_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_birth_range_holds_exactly_its_year_groups(days in 0i64..9000, from in -2i8..14, span in 0i8..4) {
            let year = AcademicYear(2026);
            let to = NcYear::from_value(from.saturating_add(span));
            let dob = NaiveDate::from_ymd_opt(2002, 1, 1).unwrap() + chrono::TimeDelta::days(days);
            let (first, last) = NcYear::births_between(NcYear::from_value(from), to, year).unwrap();
            let nc = NcYear::for_child(dob, year).value();
            prop_assert_eq!(dob >= first && dob <= last, nc >= from && nc <= to.value());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn academic_year_runs_september_to_august() {
        assert_eq!(AcademicYear::containing(date(2025, 9, 1)), AcademicYear(2025));
        assert_eq!(AcademicYear::containing(date(2025, 8, 31)), AcademicYear(2024));
        assert_eq!(AcademicYear::containing(date(2026, 3, 15)), AcademicYear(2025));
        assert_eq!(AcademicYear(2025).start(), date(2025, 9, 1));
        assert_eq!(AcademicYear(2025).end(), date(2026, 8, 31));
        assert!(AcademicYear(2025).contains(date(2026, 7, 20)));
        assert!(!AcademicYear(2025).contains(date(2026, 9, 1)));
        assert_eq!(AcademicYear(2025).next(), AcademicYear(2026));
        assert_eq!(AcademicYear(2025).previous(), AcademicYear(2024));
    }

    #[test]
    fn academic_year_displays_and_parses() {
        assert_eq!(AcademicYear(2025).to_string(), "2025/26");
        assert_eq!(AcademicYear(1999).to_string(), "1999/00");
        assert_eq!(AcademicYear::parse("2025/26"), Ok(AcademicYear(2025)));
        assert_eq!(AcademicYear::parse(" 1999/00 "), Ok(AcademicYear(1999)));
        for bad in ["2025", "2025/27", "2025/2026", "25/26", "abcd/ef", "+202/26", ""] {
            assert_eq!(AcademicYear::parse(bad), Err(AcademicYearError::Format), "{bad}");
        }
    }

    #[test]
    fn extreme_academic_years_clamp() {
        assert_eq!(AcademicYear(i32::MAX).start(), NaiveDate::MAX);
        assert_eq!(AcademicYear(i32::MIN).end(), NaiveDate::MIN);
    }

    #[test]
    fn summer_and_autumn_birthdays_fall_either_side() {
        let year = AcademicYear(2024);
        let summer = NcYear::for_child(date(2020, 8, 31), year);
        let autumn = NcYear::for_child(date(2020, 9, 1), year);
        assert_eq!(summer, NcYear::RECEPTION);
        assert_eq!(summer.label(), "Reception");
        assert_eq!(autumn, NcYear::NURSERY);
        assert_eq!(autumn.label(), "Nursery");
    }

    #[test]
    fn nc_year_for_older_children() {
        let year = AcademicYear(2025);
        // Born 2014/15 school year: year 6 in 2025/26.
        assert_eq!(NcYear::for_child(date(2014, 9, 1), year).value(), 6);
        assert_eq!(NcYear::for_child(date(2015, 8, 31), year).value(), 6);
        assert_eq!(NcYear::for_child(date(2015, 9, 1), year).value(), 5);
        assert_eq!(NcYear::for_child(date(2008, 1, 1), year).value(), 13);
        assert_eq!(NcYear::for_child(date(2007, 1, 1), year).label(), "Year 14+");
        assert_eq!(NcYear::for_child(date(2023, 5, 1), year).label(), "Pre-nursery");
        assert_eq!(NcYear::for_child(date(1, 1, 1), year).value(), i8::MAX);
        assert_eq!(NcYear::for_child(date(9999, 1, 1), year).value(), i8::MIN);
    }

    #[test]
    fn labels() {
        let labels: Vec<String> = (-2..=14).map(|v| NcYear::from_value(v).label()).collect();
        assert_eq!(labels[0], "Pre-nursery");
        assert_eq!(labels[1], "Nursery");
        assert_eq!(labels[2], "Reception");
        assert_eq!(labels[3], "Year 1");
        assert_eq!(labels[9], "Year 7");
        assert_eq!(labels[15], "Year 13");
        assert_eq!(labels[16], "Year 14+");
        assert_eq!(NcYear::from_value(7).to_string(), "Year 7");
    }

    #[test]
    fn phases_and_key_stages() {
        let cases = [
            (-2, Phase::EarlyYears, KeyStage::Eyfs),
            (-1, Phase::EarlyYears, KeyStage::Eyfs),
            (0, Phase::EarlyYears, KeyStage::Eyfs),
            (1, Phase::Primary, KeyStage::Ks1),
            (2, Phase::Primary, KeyStage::Ks1),
            (3, Phase::Primary, KeyStage::Ks2),
            (6, Phase::Primary, KeyStage::Ks2),
            (7, Phase::Secondary, KeyStage::Ks3),
            (9, Phase::Secondary, KeyStage::Ks3),
            (10, Phase::Secondary, KeyStage::Ks4),
            (11, Phase::Secondary, KeyStage::Ks4),
            (12, Phase::Post16, KeyStage::Post16),
            (13, Phase::Post16, KeyStage::Post16),
            (15, Phase::Post16, KeyStage::Post16),
        ];
        for (value, phase, stage) in cases {
            let nc = NcYear::from_value(value);
            assert_eq!((nc.phase(), nc.key_stage()), (phase, stage), "{value}");
        }
    }

    #[test]
    fn phase_and_key_stage_codes_round_trip() {
        for phase in Phase::ALL {
            assert_eq!(Phase::from_code(phase.code()), Some(phase));
            let json = serde_json::to_string(&phase).unwrap();
            assert_eq!(serde_json::from_str::<Phase>(&json).unwrap(), phase);
        }
        for stage in KeyStage::ALL {
            assert_eq!(KeyStage::from_code(stage.code()), Some(stage));
            let json = serde_json::to_string(&stage).unwrap();
            assert_eq!(serde_json::from_str::<KeyStage>(&json).unwrap(), stage);
        }
        assert_eq!(Phase::EarlyYears.code(), "early_years");
        assert_eq!(Phase::EarlyYears.label(), "Early years");
        assert_eq!(KeyStage::Ks1.code(), "ks1");
        assert_eq!(KeyStage::Ks1.label(), "Key stage 1");
        assert_eq!(KeyStage::Post16.label(), "Post-16");
        assert_eq!(Phase::from_code("Primary"), None);
        assert!(serde_json::from_str::<KeyStage>("\"ks5\"").is_err());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1950i32..2100, 1u32..=366)
            .prop_filter_map("real date", |(y, ordinal)| NaiveDate::from_yo_opt(y, ordinal))
    }

    proptest! {
        #[test]
        fn academic_year_contains_its_dates(d in any_date()) {
            let year = AcademicYear::containing(d);
            prop_assert!(year.start() <= d && d <= year.end());
            prop_assert_eq!(AcademicYear::parse(&year.to_string()), Ok(year));
        }

        #[test]
        fn a_child_moves_up_one_year_each_year(dob in any_date(), start in 1950i32..2100) {
            let this = NcYear::for_child(dob, AcademicYear(start));
            let next = NcYear::for_child(dob, AcademicYear(start + 1));
            prop_assume!(this.value() > i8::MIN && next.value() < i8::MAX);
            prop_assert_eq!(i16::from(next.value()) - i16::from(this.value()), 1);
        }

        #[test]
        fn older_children_are_never_in_a_lower_year(a in any_date(), b in any_date(), start in 1950i32..2100) {
            let (older, younger) = if a <= b { (a, b) } else { (b, a) };
            let year = AcademicYear(start);
            prop_assert!(NcYear::for_child(older, year) >= NcYear::for_child(younger, year));
        }

        #[test]
        fn children_in_one_year_group_share_a_birth_year(dob in any_date()) {
            // Everyone born 1 Sep Y-1 .. 31 Aug Y is in the same year group.
            let cohort = AcademicYear::containing(dob);
            let year = AcademicYear(cohort.0 + 10);
            prop_assert_eq!(NcYear::for_child(dob, year), NcYear::for_child(cohort.start(), year));
            prop_assert_eq!(NcYear::for_child(dob, year), NcYear::for_child(cohort.end(), year));
        }
    }
}
