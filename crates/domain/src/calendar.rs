//! Working days: weekends, England and Wales bank holidays and LA closures.

use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{Datelike, NaiveDate, Weekday};

/// The years [`BANK_HOLIDAYS`] lists in full.
const FIRST_YEAR: i32 = 2018;
const LAST_YEAR: i32 = 2030;

/// England and Wales bank holidays, as (year, month, day), in date order.
/// Dates from 2028 on follow the usual rules and may change if the
/// government adds or moves a holiday.
const BANK_HOLIDAYS: &[(i32, u32, u32)] = &[
    (2018, 1, 1),   // Mon New Year's Day
    (2018, 3, 30),  // Fri Good Friday
    (2018, 4, 2),   // Mon Easter Monday
    (2018, 5, 7),   // Mon Early May bank holiday
    (2018, 5, 28),  // Mon Spring bank holiday
    (2018, 8, 27),  // Mon Summer bank holiday
    (2018, 12, 25), // Tue Christmas Day
    (2018, 12, 26), // Wed Boxing Day
    (2019, 1, 1),   // Tue New Year's Day
    (2019, 4, 19),  // Fri Good Friday
    (2019, 4, 22),  // Mon Easter Monday
    (2019, 5, 6),   // Mon Early May bank holiday
    (2019, 5, 27),  // Mon Spring bank holiday
    (2019, 8, 26),  // Mon Summer bank holiday
    (2019, 12, 25), // Wed Christmas Day
    (2019, 12, 26), // Thu Boxing Day
    (2020, 1, 1),   // Wed New Year's Day
    (2020, 4, 10),  // Fri Good Friday
    (2020, 4, 13),  // Mon Easter Monday
    (2020, 5, 8),   // Fri Early May bank holiday (VE day)
    (2020, 5, 25),  // Mon Spring bank holiday
    (2020, 8, 31),  // Mon Summer bank holiday
    (2020, 12, 25), // Fri Christmas Day
    (2020, 12, 28), // Mon Boxing Day (substitute day)
    (2021, 1, 1),   // Fri New Year's Day
    (2021, 4, 2),   // Fri Good Friday
    (2021, 4, 5),   // Mon Easter Monday
    (2021, 5, 3),   // Mon Early May bank holiday
    (2021, 5, 31),  // Mon Spring bank holiday
    (2021, 8, 30),  // Mon Summer bank holiday
    (2021, 12, 27), // Mon Christmas Day (substitute day)
    (2021, 12, 28), // Tue Boxing Day (substitute day)
    (2022, 1, 3),   // Mon New Year's Day (substitute day)
    (2022, 4, 15),  // Fri Good Friday
    (2022, 4, 18),  // Mon Easter Monday
    (2022, 5, 2),   // Mon Early May bank holiday
    (2022, 6, 2),   // Thu Spring bank holiday
    (2022, 6, 3),   // Fri Platinum Jubilee bank holiday
    (2022, 8, 29),  // Mon Summer bank holiday
    (2022, 9, 19),  // Mon Bank Holiday for the State Funeral of Queen Elizabeth II
    (2022, 12, 26), // Mon Boxing Day
    (2022, 12, 27), // Tue Christmas Day (substitute day)
    (2023, 1, 2),   // Mon New Year's Day (substitute day)
    (2023, 4, 7),   // Fri Good Friday
    (2023, 4, 10),  // Mon Easter Monday
    (2023, 5, 1),   // Mon Early May bank holiday
    (2023, 5, 8),   // Mon Bank holiday for the coronation of King Charles III
    (2023, 5, 29),  // Mon Spring bank holiday
    (2023, 8, 28),  // Mon Summer bank holiday
    (2023, 12, 25), // Mon Christmas Day
    (2023, 12, 26), // Tue Boxing Day
    (2024, 1, 1),   // Mon New Year's Day
    (2024, 3, 29),  // Fri Good Friday
    (2024, 4, 1),   // Mon Easter Monday
    (2024, 5, 6),   // Mon Early May bank holiday
    (2024, 5, 27),  // Mon Spring bank holiday
    (2024, 8, 26),  // Mon Summer bank holiday
    (2024, 12, 25), // Wed Christmas Day
    (2024, 12, 26), // Thu Boxing Day
    (2025, 1, 1),   // Wed New Year's Day
    (2025, 4, 18),  // Fri Good Friday
    (2025, 4, 21),  // Mon Easter Monday
    (2025, 5, 5),   // Mon Early May bank holiday
    (2025, 5, 26),  // Mon Spring bank holiday
    (2025, 8, 25),  // Mon Summer bank holiday
    (2025, 12, 25), // Thu Christmas Day
    (2025, 12, 26), // Fri Boxing Day
    (2026, 1, 1),   // Thu New Year's Day
    (2026, 4, 3),   // Fri Good Friday
    (2026, 4, 6),   // Mon Easter Monday
    (2026, 5, 4),   // Mon Early May bank holiday
    (2026, 5, 25),  // Mon Spring bank holiday
    (2026, 8, 31),  // Mon Summer bank holiday
    (2026, 12, 25), // Fri Christmas Day
    (2026, 12, 28), // Mon Boxing Day (substitute day)
    (2027, 1, 1),   // Fri New Year's Day
    (2027, 3, 26),  // Fri Good Friday
    (2027, 3, 29),  // Mon Easter Monday
    (2027, 5, 3),   // Mon Early May bank holiday
    (2027, 5, 31),  // Mon Spring bank holiday
    (2027, 8, 30),  // Mon Summer bank holiday
    (2027, 12, 27), // Mon Christmas Day (substitute day)
    (2027, 12, 28), // Tue Boxing Day (substitute day)
    (2028, 1, 3),   // Mon New Year's Day (substitute day)
    (2028, 4, 14),  // Fri Good Friday
    (2028, 4, 17),  // Mon Easter Monday
    (2028, 5, 1),   // Mon Early May bank holiday
    (2028, 5, 29),  // Mon Spring bank holiday
    (2028, 8, 28),  // Mon Summer bank holiday
    (2028, 12, 25), // Mon Christmas Day
    (2028, 12, 26), // Tue Boxing Day
    (2029, 1, 1),   // Mon New Year's Day
    (2029, 3, 30),  // Fri Good Friday
    (2029, 4, 2),   // Mon Easter Monday
    (2029, 5, 7),   // Mon Early May bank holiday
    (2029, 5, 28),  // Mon Spring bank holiday
    (2029, 8, 27),  // Mon Summer bank holiday
    (2029, 12, 25), // Tue Christmas Day
    (2029, 12, 26), // Wed Boxing Day
    (2030, 1, 1),   // Tue New Year's Day
    (2030, 4, 19),  // Fri Good Friday
    (2030, 4, 22),  // Mon Easter Monday
    (2030, 5, 6),   // Mon Early May bank holiday
    (2030, 5, 27),  // Mon Spring bank holiday
    (2030, 8, 26),  // Mon Summer bank holiday
    (2030, 12, 25), // Wed Christmas Day
    (2030, 12, 26), // Thu Boxing Day
];

/// Says which days count as working days for PEP timescales.
///
/// Every calendar skips Saturdays, Sundays and the closure days it is given.
/// [`england_and_wales`](Self::england_and_wales) also skips bank holidays for
/// the years it [`covers`](Self::covers); outside them it skips weekends and
/// closures only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDayCalendar {
    /// Weekdays that are not working days.
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingDayCalendar {
    /// Weekends and England and Wales bank holidays from 2018 to 2030.
    pub fn england_and_wales() -> WorkingDayCalendar {
        let holidays = BANK_HOLIDAYS
            .iter()
            .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            .collect();
        WorkingDayCalendar { holidays }
    }

    /// Also treats these days (an LA's closure days) as non-working.
    pub fn with_closures(mut self, closures: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(closures.into_iter().filter(|date| !is_weekend(*date)));
        self
    }

    /// Whether the bank holiday table covers the year of `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.holidays.contains(&date)
    }

    /// The date `n` working days after `date`: `add_working_days(friday, 1)`
    /// is the Monday after (if that is a working day).
    ///
    /// With `n = 0` it is `date` itself when that is a working day, else the
    /// next working day. So from a Saturday, both 0 and 1 working days on is
    /// the Monday. Saturates at the last date chrono can represent.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut current = date;
        let mut remaining = n;
        if self.is_working_day(current) && remaining == 0 {
            return current;
        }
        loop {
            let Some(next) = current.succ_opt() else {
                return current;
            };
            current = next;
            if self.is_working_day(current) {
                if remaining <= 1 {
                    return current;
                }
                remaining -= 1;
            }
        }
    }

    /// `date` itself when it is a working day, else the last working day
    /// before it: where a date set for a Saturday is brought forward to the
    /// Friday. Saturates at the first date chrono can represent.
    pub fn working_day_on_or_before(&self, date: NaiveDate) -> NaiveDate {
        let mut current = date;
        while !self.is_working_day(current) {
            let Some(previous) = current.pred_opt() else {
                return current;
            };
            current = previous;
        }
        current
    }

    /// The number of working days after `from` up to and including `to`;
    /// negative when `to` is before `from`. So for a working day `d`,
    /// `working_days_between(d, add_working_days(d, n)) == n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let holidays = self.holidays.range((Bound::Excluded(from), Bound::Included(to))).count();
        weekdays_after_until(from, to) - i64::try_from(holidays).unwrap_or(i64::MAX)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Monday-to-Friday days in `(from, to]`, for `from <= to`.
fn weekdays_after_until(from: NaiveDate, to: NaiveDate) -> i64 {
    let days = (to - from).num_days();
    let full_weeks = days / 7;
    let mut count = full_weeks * 5;
    let mut day = from + chrono::Duration::days(full_weeks * 7);
    while day < to {
        day = day.succ_opt().unwrap_or(to);
        if !is_weekend(day) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn calendar() -> WorkingDayCalendar {
        WorkingDayCalendar::england_and_wales()
    }

    #[test]
    fn known_bank_holidays() {
        let holidays = [
            date(2018, 3, 30),
            date(2019, 4, 22),
            date(2020, 5, 8),
            date(2020, 12, 28),
            date(2021, 12, 27),
            date(2021, 12, 28),
            date(2022, 1, 3),
            date(2022, 6, 2),
            date(2022, 6, 3),
            date(2022, 9, 19),
            date(2022, 12, 27),
            date(2023, 5, 8),
            date(2024, 3, 29),
            date(2024, 4, 1),
            date(2025, 8, 25),
            date(2026, 12, 28),
            date(2027, 3, 26),
            date(2030, 12, 26),
        ];
        for holiday in holidays {
            assert!(!calendar().is_working_day(holiday), "{holiday}");
        }
        // The early May holiday moved from Monday 4 May to VE day in 2020,
        // and the spring holiday from 30 May 2022 to the jubilee weekend.
        for working in [date(2020, 5, 4), date(2022, 5, 30), date(2023, 12, 27)] {
            assert!(calendar().is_working_day(working), "{working}");
        }
    }

    #[test]
    fn table_is_sorted_real_and_never_at_a_weekend() {
        let dates: Vec<NaiveDate> = BANK_HOLIDAYS.iter().map(|&(y, m, d)| date(y, m, d)).collect();
        assert!(dates.windows(2).all(|w| w[0] < w[1]));
        assert!(dates.iter().all(|d| !is_weekend(*d)));
        for year in FIRST_YEAR..=LAST_YEAR {
            let count = dates.iter().filter(|d| d.year() == year).count();
            assert!((8..=10).contains(&count), "{year}: {count}");
        }
    }

    /// Easter Sunday by the anonymous Gregorian algorithm.
    fn easter(y: i32) -> NaiveDate {
        let (a, b, c) = (y % 19, y / 100, y % 100);
        let (d, e) = (b / 4, b % 4);
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let (i, k) = (c / 4, c % 4);
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        date(y, month as u32, day as u32)
    }

    fn monday_on_or_after(d: NaiveDate) -> NaiveDate {
        d.iter_days().find(|d| d.weekday() == Weekday::Mon).unwrap()
    }

    /// May and August have 31 days, so their last Monday is on or after the 25th.
    fn last_monday_of(y: i32, m: u32) -> NaiveDate {
        monday_on_or_after(date(y, m, 25))
    }

    /// The usual rules, with the one-off changes of 2020, 2022 and 2023.
    fn derived(y: i32) -> Vec<NaiveDate> {
        let jan_1 = date(y, 1, 1);
        let new_year = if is_weekend(jan_1) { monday_on_or_after(jan_1) } else { jan_1 };
        let mut days = vec![
            new_year,
            easter(y) - chrono::Duration::days(2),
            easter(y) + chrono::Duration::days(1),
            monday_on_or_after(date(y, 5, 1)),
            last_monday_of(y, 5),
            last_monday_of(y, 8),
        ];
        let (christmas, boxing) = match date(y, 12, 25).weekday() {
            Weekday::Fri => (date(y, 12, 25), date(y, 12, 28)),
            Weekday::Sat => (date(y, 12, 27), date(y, 12, 28)),
            Weekday::Sun => (date(y, 12, 27), date(y, 12, 26)),
            _ => (date(y, 12, 25), date(y, 12, 26)),
        };
        days.extend([christmas, boxing]);
        match y {
            2020 => days[3] = date(2020, 5, 8),
            2022 => {
                days[4] = date(2022, 6, 2);
                days.extend([date(2022, 6, 3), date(2022, 9, 19)]);
            }
            2023 => days.push(date(2023, 5, 8)),
            _ => {}
        }
        days.sort();
        days
    }

    #[test]
    fn table_matches_the_rules() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let table: Vec<NaiveDate> = BANK_HOLIDAYS
                .iter()
                .filter(|(y, _, _)| *y == year)
                .map(|&(y, m, d)| date(y, m, d))
                .collect();
            assert_eq!(table, derived(year), "{year}");
        }
        assert_eq!(easter(2024), date(2024, 3, 31));
        assert_eq!(easter(2025), date(2025, 4, 20));
    }

    #[test]
    fn coverage() {
        let calendar = calendar();
        assert!(calendar.covers(date(2018, 1, 1)));
        assert!(calendar.covers(date(2030, 12, 31)));
        assert!(!calendar.covers(date(2017, 12, 31)));
        assert!(!calendar.covers(date(2031, 1, 1)));
        // Outside the table only weekends (and closures) are skipped.
        assert!(calendar.is_working_day(date(2031, 12, 25)));
        assert!(!calendar.is_working_day(date(2031, 12, 27)));
    }

    #[test]
    fn closures_are_not_working_days() {
        let inset = date(2025, 9, 1);
        let calendar = calendar().with_closures([inset, date(2025, 9, 6)]);
        assert!(!calendar.is_working_day(inset));
        assert_eq!(calendar.add_working_days(date(2025, 8, 29), 1), date(2025, 9, 2));
        assert_eq!(calendar.working_days_between(date(2025, 8, 29), date(2025, 9, 8)), 5);
    }

    #[test]
    fn adding_working_days() {
        let calendar = calendar();
        // Thursday before Easter 2024: Good Friday and Easter Monday skipped.
        assert_eq!(calendar.add_working_days(date(2024, 3, 28), 1), date(2024, 4, 2));
        // Ten working days from coming into care on Monday 2 September 2024.
        assert_eq!(calendar.add_working_days(date(2024, 9, 2), 10), date(2024, 9, 16));
        // Twenty working days from 1 December 2025 cross Christmas.
        assert_eq!(calendar.add_working_days(date(2025, 12, 1), 20), date(2025, 12, 31));
        let saturday = date(2025, 3, 1);
        assert_eq!(calendar.add_working_days(saturday, 0), date(2025, 3, 3));
        assert_eq!(calendar.add_working_days(saturday, 1), date(2025, 3, 3));
        assert_eq!(calendar.add_working_days(date(2025, 3, 3), 0), date(2025, 3, 3));
        assert_eq!(calendar.add_working_days(NaiveDate::MAX, 5), NaiveDate::MAX);
    }

    #[test]
    fn working_day_on_or_before() {
        let calendar = calendar();
        // A working day is itself; a Saturday goes back to the Friday.
        assert_eq!(calendar.working_day_on_or_before(date(2026, 3, 25)), date(2026, 3, 25));
        assert_eq!(calendar.working_day_on_or_before(date(2028, 3, 25)), date(2028, 3, 24));
        // Easter Monday 2026 goes back past the weekend and Good Friday.
        assert_eq!(calendar.working_day_on_or_before(date(2026, 4, 6)), date(2026, 4, 2));
        assert_eq!(calendar.working_day_on_or_before(NaiveDate::MIN), NaiveDate::MIN);
    }

    #[test]
    fn counting_working_days() {
        let calendar = calendar();
        assert_eq!(calendar.working_days_between(date(2024, 9, 2), date(2024, 9, 16)), 10);
        assert_eq!(calendar.working_days_between(date(2024, 9, 16), date(2024, 9, 2)), -10);
        assert_eq!(calendar.working_days_between(date(2024, 9, 2), date(2024, 9, 2)), 0);
        assert_eq!(calendar.working_days_between(date(2024, 3, 28), date(2024, 4, 2)), 1);
        // 2025 has 261 weekdays and 8 bank holidays.
        assert_eq!(calendar.working_days_between(date(2024, 12, 31), date(2025, 12, 31)), 253);
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (2010i32..2040, 1u32..=366)
            .prop_filter_map("real date", |(y, o)| NaiveDate::from_yo_opt(y, o))
    }

    fn slow_count(calendar: &WorkingDayCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| calendar.is_working_day(*d))
            .count() as i64
    }

    proptest! {
        #[test]
        fn result_is_a_working_day(d in any_date(), n in 0u32..2000) {
            let calendar = calendar();
            prop_assert!(calendar.is_working_day(calendar.add_working_days(d, n)));
        }

        #[test]
        fn adding_is_monotonic(d in any_date(), n in 0u32..1000, extra in 0u32..50) {
            let calendar = calendar();
            let a = calendar.add_working_days(d, n);
            let b = calendar.add_working_days(d, n + extra);
            prop_assert!(a <= b);
            prop_assert!(a >= d);
            if extra > 0 && n > 0 {
                prop_assert!(a < b);
            }
        }

        #[test]
        fn counting_undoes_adding(d in any_date(), n in 0u32..2000) {
            let calendar = calendar();
            prop_assume!(calendar.is_working_day(d));
            let later = calendar.add_working_days(d, n);
            prop_assert_eq!(calendar.working_days_between(d, later), i64::from(n));
        }

        #[test]
        fn counting_matches_day_by_day(a in any_date(), days in 0i64..400) {
            let calendar = calendar().with_closures([a + chrono::Duration::days(3)]);
            let b = a + chrono::Duration::days(days);
            prop_assert_eq!(calendar.working_days_between(a, b), slow_count(&calendar, a, b));
            prop_assert_eq!(calendar.working_days_between(b, a), -slow_count(&calendar, a, b));
        }
    }
}
