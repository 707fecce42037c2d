//! A typical England pattern of term dates, PEP deadlines and delegation
//! days, for authorities that have not entered their own.
//!
//! Terms (close to what many English authorities publish):
//! - **Autumn** starts on the first working day on or after 3 September
//!   and ends on the last working day on or before 20 December.
//! - **Spring** starts on the first working day on or after 4 January and
//!   ends on the last working day before Good Friday, or on the first
//!   Friday of April when Easter is late (so in late March or early April).
//! - **Summer** starts after two weeks (ten weekdays) of Easter holiday, on
//!   a Monday, or the Tuesday when that Monday is Easter Monday; it ends on
//!   the last weekday on or before 22 July.
//!
//! No term starts on a Friday (it moves to the Monday) or ends on a Monday
//! (it moves back to the Friday).
//!
//! PEP deadlines are 17 December, 25 March and 15 July (seed 004). One that
//! falls at a weekend or on a bank holiday is brought forward to the working
//! day before, not put back: a deadline is a day work must be done by, the
//! seed's deadlines are all Fridays, and a 17 December deadline put back to
//! the Monday could fall after the end of term.
//!
//! Delegation follows seed 004 and DOMAIN.md rather than the first day of
//! term: autumn PEPs in the last week of the summer holidays and summer
//! PEPs in the last week of the Easter holidays (the Monday, or the next
//! working day when it is a bank holiday), spring PEPs on the first day
//! back after Christmas.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};

use super::{AcademicYearDates, TermDates};
use crate::calendar::WorkingDayCalendar;
use crate::pep::Term;
use crate::school_year::AcademicYear;

/// Years the Gregorian Easter rule and chrono both cover, with room for
/// the year after.
const YEARS: std::ops::RangeInclusive<i32> = 1583..=9998;

pub(super) fn typical(year: AcademicYear) -> Option<AcademicYearDates> {
    if !YEARS.contains(&year.0) {
        return None;
    }
    let (first, second) = (year.0, year.0 + 1);
    let easter = easter_sunday(second)?;
    let good_friday = easter - TimeDelta::days(2);
    let easter_monday = easter + TimeDelta::days(1);
    // Beyond the bank holiday table, Easter still closes schools.
    let calendar =
        WorkingDayCalendar::england_and_wales().with_closures([good_friday, easter_monday]);
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let deadline = |y, m, d| day(y, m, d).map(|date| calendar.working_day_on_or_before(date));

    let autumn_starts = term_start(&calendar, day(first, 9, 3)?);
    let autumn = TermDates {
        term: Term::Autumn,
        starts_on: autumn_starts,
        ends_on: term_end(&calendar, day(first, 12, 20)?),
        pep_deadline: deadline(first, 12, 17)?,
        delegation_on: week_before(&calendar, autumn_starts),
    };

    let spring_starts = term_start(&calendar, day(second, 1, 4)?);
    let first_friday_of_april = on_or_after(day(second, 4, 1)?, Weekday::Fri);
    let spring_ends = calendar
        .working_day_on_or_before(good_friday - TimeDelta::days(1))
        .min(first_friday_of_april);
    let spring = TermDates {
        term: Term::Spring,
        starts_on: spring_starts,
        ends_on: spring_ends,
        pep_deadline: deadline(second, 3, 25)?,
        delegation_on: spring_starts,
    };

    let summer_starts = after_easter_holiday(&calendar, spring_ends);
    let summer = TermDates {
        term: Term::Summer,
        starts_on: summer_starts,
        ends_on: term_end(&calendar, day(second, 7, 22)?),
        pep_deadline: deadline(second, 7, 15)?,
        delegation_on: week_before(&calendar, summer_starts),
    };

    Some(AcademicYearDates { year, terms: [autumn, spring, summer] })
}

/// The first working day on or after `date`, moved on to the next Monday
/// (or working day after it) rather than start a term on a Friday.
fn term_start(calendar: &WorkingDayCalendar, date: NaiveDate) -> NaiveDate {
    let start = calendar.add_working_days(date, 0);
    if start.weekday() == Weekday::Fri {
        calendar.add_working_days(on_or_after(start, Weekday::Mon), 0)
    } else {
        start
    }
}

/// The last working day on or before `date`, moved back to the Friday (or
/// working day before it) rather than end a term on a Monday.
fn term_end(calendar: &WorkingDayCalendar, date: NaiveDate) -> NaiveDate {
    let end = calendar.working_day_on_or_before(date);
    if end.weekday() == Weekday::Mon {
        calendar.working_day_on_or_before(end - TimeDelta::days(3))
    } else {
        end
    }
}

/// The first day of summer term: the Monday after ten weekdays of holiday
/// (bank holidays count as holiday), or the working day after that Monday
/// when it is Easter Monday.
fn after_easter_holiday(calendar: &WorkingDayCalendar, spring_ends: NaiveDate) -> NaiveDate {
    let last_weekday_of_holiday = spring_ends
        .iter_days()
        .skip(1)
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
        .nth(9)
        .unwrap_or(spring_ends);
    let monday = on_or_after(last_weekday_of_holiday + TimeDelta::days(1), Weekday::Mon);
    calendar.add_working_days(monday, 0)
}

/// The Monday of the week before the week `term_starts` is in (or the
/// working day after it): the last week of the holiday before a term.
fn week_before(calendar: &WorkingDayCalendar, term_starts: NaiveDate) -> NaiveDate {
    let monday = term_starts.week(Weekday::Mon).first_day();
    calendar.add_working_days(monday - TimeDelta::days(7), 0)
}

/// The first `weekday` on or after `date`.
fn on_or_after(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date + TimeDelta::days(i64::from(ahead))
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm).
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let (a, b, c) = (year % 19, year / 100, year % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = u32::try_from((h + l - 7 * m + 114) / 31).ok()?;
    let day = u32::try_from((h + l - 7 * m + 114) % 31 + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// (start, end, deadline, delegation) for each term.
    fn rows(year: i32) -> Vec<[NaiveDate; 4]> {
        let dates = AcademicYearDates::typical(AcademicYear(year)).unwrap();
        dates
            .terms
            .iter()
            .map(|t| [t.starts_on, t.ends_on, t.pep_deadline, t.delegation_on])
            .collect()
    }

    #[test]
    fn typical_2025_26() {
        assert_eq!(
            rows(2025),
            [
                // Delegated Tuesday 26 August: Monday 25th is a bank holiday.
                [date(2025, 9, 3), date(2025, 12, 19), date(2025, 12, 17), date(2025, 8, 26)],
                [date(2026, 1, 5), date(2026, 4, 2), date(2026, 3, 25), date(2026, 1, 5)],
                [date(2026, 4, 20), date(2026, 7, 22), date(2026, 7, 15), date(2026, 4, 13)],
            ]
        );
    }

    #[test]
    fn typical_2026_27() {
        assert_eq!(
            rows(2026),
            [
                [date(2026, 9, 3), date(2026, 12, 18), date(2026, 12, 17), date(2026, 8, 24)],
                // Good Friday is 26 March 2027: spring ends on Thursday the 25th.
                [date(2027, 1, 4), date(2027, 3, 25), date(2027, 3, 25), date(2027, 1, 4)],
                [date(2027, 4, 12), date(2027, 7, 22), date(2027, 7, 15), date(2027, 4, 5)],
            ]
        );
    }

    #[test]
    fn typical_2027_28() {
        assert_eq!(
            rows(2027),
            [
                // 3 September is a Friday: term starts on the Monday, and 20
                // December is a Monday: term ends on the Friday before.
                // Delegated Tuesday 31 August, after the bank holiday.
                [date(2027, 9, 6), date(2027, 12, 17), date(2027, 12, 17), date(2027, 8, 31)],
                // 3 January 2028 is a bank holiday. 25 March is a Saturday.
                // Easter is late (16 April): spring ends on the first Friday
                // of April and summer starts after Easter Monday.
                [date(2028, 1, 4), date(2028, 4, 7), date(2028, 3, 24), date(2028, 1, 4)],
                // Delegated Tuesday 18 April, the day after Easter Monday.
                [date(2028, 4, 24), date(2028, 7, 21), date(2028, 7, 14), date(2028, 4, 18)],
            ]
        );
    }

    #[test]
    fn summer_starts_the_day_after_easter_monday_when_easter_is_late() {
        // Easter 20 April 2025: spring ends Friday 4 April, summer starts
        // Tuesday 22 April, as many authorities had it.
        let rows = rows(2024);
        assert_eq!(rows[1][1], date(2025, 4, 4));
        assert_eq!(rows[2][0], date(2025, 4, 22));
        assert_eq!(rows[2][3], date(2025, 4, 14));
    }

    #[test]
    fn easter() {
        let known = [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25)];
        for (y, m, d) in known {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)));
        }
        // Good Friday and Easter Monday are bank holidays in the table.
        let calendar = WorkingDayCalendar::england_and_wales();
        for y in 2018..=2030 {
            let easter = easter_sunday(y).unwrap();
            assert!(!calendar.is_working_day(easter - TimeDelta::days(2)), "{y}");
            assert!(!calendar.is_working_day(easter + TimeDelta::days(1)), "{y}");
        }
    }

    #[test]
    fn typical_dates_always_pass_the_checks() {
        for year in (1990..=2100).chain([1583, 9998]) {
            let dates = AcademicYearDates::typical(AcademicYear(year)).unwrap();
            assert_eq!(dates.check(), Ok(()), "{year}");
            let calendar = WorkingDayCalendar::england_and_wales();
            for term in &dates.terms {
                for day in [term.starts_on, term.ends_on, term.pep_deadline, term.delegation_on] {
                    assert!(calendar.is_working_day(day), "{year} {term:?}");
                }
                assert_ne!(term.starts_on.weekday(), Weekday::Fri, "{year} {term:?}");
                assert_ne!(term.ends_on.weekday(), Weekday::Mon, "{year} {term:?}");
                // The holiday before a term belongs to it, so delegation
                // does too.
                assert_eq!(dates.term_of(term.delegation_on), Some(term.term), "{year}");
            }
        }
    }

    #[test]
    fn no_typical_dates_outside_the_gregorian_calendar_or_chrono() {
        for year in [1582, 9999, i32::MIN, i32::MAX] {
            assert_eq!(AcademicYearDates::typical(AcademicYear(year)), None, "{year}");
        }
    }
}
