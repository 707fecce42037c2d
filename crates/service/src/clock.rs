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

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
