//! The sign-in throttle's rules: how many failures in what window lock an
//! e-mail address or a client address, and for how long.

use chrono::{DateTime, TimeDelta, Utc};
use openpep_store::throttles::Throttle;

/// Failures are counted within this window.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// The first lock; each further lock of the same subject lasts twice as long.
pub const FIRST_LOCK: TimeDelta = TimeDelta::minutes(15);
const LONGEST_LOCK: TimeDelta = TimeDelta::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The e-mail address typed (its hash): one person's account.
    Email,
    /// The client's network address: one machine trying many accounts.
    Address,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Email => "email",
            Scope::Address => "address",
        }
    }

    /// Failures in the window that lock the subject.
    pub fn limit(self) -> i32 {
        match self {
            Scope::Email => 5,
            Scope::Address => 20,
        }
    }
}

/// The subject an e-mail address's failures are counted under (its hash:
/// addresses typed by mistake may be someone else's).
pub fn email_key(email: &str) -> String {
    crate::sessions::sha256_hex(email)
}

/// Until when the subject is locked, if it is.
pub fn locked_until(throttle: Option<&Throttle>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    throttle.and_then(|t| t.locked_until).filter(|until| *until > now)
}

/// The throttle after one more failure, and whether that failure locked it.
pub fn after_failure(
    previous: Option<Throttle>,
    scope: Scope,
    subject: &str,
    now: DateTime<Utc>,
) -> (Throttle, bool) {
    let mut t = previous.unwrap_or_else(|| Throttle {
        scope: scope.code().into(),
        subject: subject.into(),
        failures: 0,
        window_started_at: now,
        locked_until: None,
        locks: 0,
        updated_at: now,
    });
    if now - t.window_started_at > WINDOW {
        t.failures = 0;
        t.window_started_at = now;
    }
    t.failures += 1;
    t.updated_at = now;
    let locks_now = t.failures >= scope.limit();
    if locks_now {
        let factor = 1i32.checked_shl(t.locks.clamp(0, 16) as u32).unwrap_or(i32::MAX);
        let lock = FIRST_LOCK.checked_mul(factor).unwrap_or(LONGEST_LOCK).min(LONGEST_LOCK);
        t.locked_until = Some(now + lock);
        t.locks += 1;
        t.failures = 0;
        t.window_started_at = now;
    }
    (t, locks_now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn five_failures_in_the_window_lock_for_fifteen_minutes() {
        let mut t = None;
        for n in 1..=4 {
            let (next, locked) = after_failure(t, Scope::Email, "h", at(n));
            assert!(!locked);
            assert_eq!(locked_until(Some(&next), at(n)), None);
            t = Some(next);
        }
        let (next, locked) = after_failure(t, Scope::Email, "h", at(5));
        assert!(locked);
        assert_eq!(next.locked_until, Some(at(20)));
        assert_eq!(locked_until(Some(&next), at(19)), Some(at(20)));
        assert_eq!(locked_until(Some(&next), at(20)), None);
    }

    #[test]
    fn failures_outside_the_window_start_again() {
        let (t, _) = after_failure(None, Scope::Email, "h", at(0));
        let (t, _) = after_failure(Some(t), Scope::Email, "h", at(1));
        let (t, _) = after_failure(Some(t), Scope::Email, "h", at(30));
        assert_eq!(t.failures, 1);
    }

    #[test]
    fn each_lock_lasts_longer_up_to_a_day() {
        let mut t = None;
        let mut lengths = Vec::new();
        let mut now = at(0);
        for _ in 0..8 {
            loop {
                let (next, locked) = after_failure(t, Scope::Email, "h", now);
                t = Some(next.clone());
                if locked {
                    lengths.push((next.locked_until.unwrap() - now).num_minutes());
                    now = next.locked_until.unwrap();
                    break;
                }
            }
        }
        assert_eq!(lengths, [15, 30, 60, 120, 240, 480, 960, 1440]);
    }

    #[test]
    fn an_address_may_fail_more_often_than_an_account() {
        let mut t = None;
        for n in 1..20 {
            let (next, locked) = after_failure(t, Scope::Address, "10.0.0.1", at(0));
            assert!(!locked, "{n}");
            t = Some(next);
        }
        assert!(after_failure(t, Scope::Address, "10.0.0.1", at(0)).1);
    }
}
