use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// The time, injected so tests can stand on any day of the year.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in England, which is what statutory dates count in.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&London).date_naive()
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        openpep_store::truncate_to_micros(Utc::now())
    }
}

/// The system clock moved to another day, time of day still running: for
/// a demo on any day of the year (which PEPs are overdue on 26 March?).
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock {
    offset: chrono::TimeDelta,
}

impl ShiftedClock {
    /// A clock on which today is `today`.
    pub fn on(today: NaiveDate) -> ShiftedClock {
        ShiftedClock { offset: today - SystemClock.today() }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + self.offset
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_stands_on_the_day_it_was_given() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 26).unwrap();
        let clock = ShiftedClock::on(day);
        assert_eq!(clock.today(), day);
        assert!(clock.now() <= ShiftedClock::on(day).now());
    }
}
