//! PEP meetings: when and where, who chairs and who records, who is
//! invited, and the calendar invitation each invitee is sent.
//!
//! Times are typed and shown in UK time (Europe/London) and stored in UTC,
//! so that a meeting keeps its hour across the clock changes.

pub mod answer;
pub mod arrange;
pub mod ics;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::London;

use crate::code::code_enum;

code_enum! {
    /// Who an invitee is to the child.
    InviteeRole, "invitee role" {
        SocialWorker => "social_worker", "Social worker";
        DesignatedTeacher => "designated_teacher", "Designated teacher";
        VsOfficer => "vs_officer", "Virtual School officer";
        Carer => "carer", "Carer";
        YoungPerson => "young_person", "Young person";
        Parent => "parent", "Parent";
        Iro => "iro", "Independent reviewing officer";
        Other => "other", "Someone else";
    }
}

code_enum! {
    /// An invitee's answer to the invitation.
    Response, "response" {
        NeedsAction => "needs_action", "Not answered yet";
        Accepted => "accepted", "Accepted";
        Declined => "declined", "Declined";
        Proposed => "proposed", "Proposed another time";
    }
}

code_enum! {
    /// Where a meeting is in its life.
    MeetingStatus, "meeting status" {
        Scheduled => "scheduled", "Arranged";
        Cancelled => "cancelled", "Cancelled";
        Held => "held", "Held";
    }
}

const TIME_FORMAT: &str = "Enter the time like 09:30 or 2:30pm";
const REAL_TIME: &str = "Enter a real time, like 09:30 or 2:30pm";

/// A time of day as typed: `09:30`, `9:30`, `14:05`, `9:30am`, `2:30pm`,
/// `9am`, `12pm` (midday), `midday`, `midnight`.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let typed: String =
        text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    if typed.is_empty() {
        return Err("Enter a time".to_owned());
    }
    match typed.as_str() {
        "midday" | "noon" => return Ok(NaiveTime::MIN + chrono::Duration::hours(12)),
        "midnight" => return Ok(NaiveTime::MIN),
        _ => {}
    }
    let (body, half) = split_suffix(&typed);
    let (hour, minute) = match body.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h, m),
        None if half.is_some() => (body, "00"),
        _ => return Err(TIME_FORMAT.to_owned()),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hour) || !digits(minute) {
        return Err(TIME_FORMAT.to_owned());
    }
    let (Ok(hour), Ok(minute)) = (hour.parse::<u32>(), minute.parse::<u32>()) else {
        return Err(TIME_FORMAT.to_owned());
    };
    let hour = match half {
        Some(_) if !(1..=12).contains(&hour) => return Err(REAL_TIME.to_owned()),
        Some(Half::Am) => hour % 12,
        Some(Half::Pm) => hour % 12 + 12,
        None => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(|| REAL_TIME.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Half {
    Am,
    Pm,
}

/// The time without its `am` or `pm` (also `a.m.`, `p.m.`).
fn split_suffix(typed: &str) -> (&str, Option<Half>) {
    for (suffix, half) in
        [("a.m.", Half::Am), ("p.m.", Half::Pm), ("am", Half::Am), ("pm", Half::Pm)]
    {
        if let Some(body) = typed.strip_suffix(suffix) {
            return (body, Some(half));
        }
    }
    (typed, None)
}

/// The moment a UK date and time stands for. A time the clocks skip in
/// spring is refused; a time they pass twice in autumn is the first, still
/// British Summer Time.
pub fn london_to_utc(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, String> {
    match London.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Ok(a.with_timezone(&Utc).min(b.with_timezone(&Utc))),
        LocalResult::None => Err(format!(
            "There is no {} on {}: the clocks go forward. Choose another time",
            time_label(time),
            crate::pages::uk_date(date)
        )),
    }
}

/// The UK date and time of a moment.
pub fn utc_to_london(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&London).naive_local()
}

/// A time of day in GOV.UK style: `10am`, `2:30pm`, `midday`, `midnight`.
pub fn time_label(time: NaiveTime) -> String {
    let (hour, minute) = (time.hour(), time.minute());
    match (hour, minute) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        _ => {
            let half = if hour < 12 { "am" } else { "pm" };
            let twelve = if hour % 12 == 0 { 12 } else { hour % 12 };
            if minute == 0 {
                format!("{twelve}{half}")
            } else {
                format!("{twelve}:{minute:02}{half}")
            }
        }
    }
}

/// Where a meeting is held, in a word: the place, or else the video link.
pub fn where_held<'a>(place: &'a str, video_link: &'a str) -> &'a str {
    if place.is_empty() { video_link } else { place }
}

/// When a meeting is, in UK time: `Tuesday 1 December 2026 at 10am`.
pub fn when_label(at: DateTime<Utc>) -> String {
    let local = utc_to_london(at);
    format!("{} at {}", local.format("%A %-d %B %Y"), time_label(local.time()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn times_are_read_in_the_ways_people_type_them() {
        let cases = [
            ("9:30", t(9, 30)),
            ("09:30", t(9, 30)),
            ("14:05", t(14, 5)),
            ("9:30am", t(9, 30)),
            ("2:30pm", t(14, 30)),
            (" 2:30 PM ", t(14, 30)),
            ("12pm", t(12, 0)),
            ("12am", t(0, 0)),
            ("12:15pm", t(12, 15)),
            ("9am", t(9, 0)),
            ("10 a.m.", t(10, 0)),
            ("midday", t(12, 0)),
            ("0:00", t(0, 0)),
            ("23:59", t(23, 59)),
        ];
        for (typed, want) in cases {
            assert_eq!(parse_time(typed), Ok(want), "{typed}");
        }
    }

    #[test]
    fn times_that_are_not_real_or_not_clear_are_refused() {
        assert_eq!(parse_time("").unwrap_err(), "Enter a time");
        for typed in ["9", "9.30", "930", "9:3", "nine", "9:30xm", ":30", "9:300", "-1:30"] {
            assert_eq!(parse_time(typed).unwrap_err(), TIME_FORMAT, "{typed}");
        }
        for typed in ["25:00", "24:00", "10:60", "13pm", "0am", "13:30pm"] {
            assert_eq!(parse_time(typed).unwrap_err(), REAL_TIME, "{typed}");
        }
    }

    #[test]
    fn uk_time_follows_the_clock_changes() {
        assert_eq!(london_to_utc(d(2026, 6, 10), t(10, 0)), Ok(utc("2026-06-10T09:00:00Z")));
        assert_eq!(london_to_utc(d(2026, 12, 1), t(10, 0)), Ok(utc("2026-12-01T10:00:00Z")));
        assert_eq!(utc_to_london(utc("2026-06-10T09:00:00Z")), d(2026, 6, 10).and_time(t(10, 0)));
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused() {
        assert_eq!(
            london_to_utc(d(2026, 3, 29), t(1, 30)).unwrap_err(),
            "There is no 1:30am on 29 March 2026: the clocks go forward. Choose another time"
        );
        assert_eq!(london_to_utc(d(2026, 3, 29), t(2, 0)), Ok(utc("2026-03-29T01:00:00Z")));
    }

    #[test]
    fn a_time_the_clocks_pass_twice_is_the_first() {
        // 1:30am on 25 October 2026 happens at 00:30Z (BST) and 01:30Z (GMT).
        assert_eq!(london_to_utc(d(2026, 10, 25), t(1, 30)), Ok(utc("2026-10-25T00:30:00Z")));
    }

    #[test]
    fn when_reads_in_gov_uk_style() {
        assert_eq!(when_label(utc("2026-12-01T10:00:00Z")), "Tuesday 1 December 2026 at 10am");
        assert_eq!(when_label(utc("2026-06-10T13:30:00Z")), "Wednesday 10 June 2026 at 2:30pm");
        assert_eq!(when_label(utc("2026-12-01T12:00:00Z")), "Tuesday 1 December 2026 at midday");
        assert_eq!(time_label(t(9, 5)), "9:05am");
        assert_eq!(time_label(t(0, 30)), "12:30am");
    }

    #[test]
    fn codes_have_their_labels() {
        assert_eq!(InviteeRole::from_code("iro"), Some(InviteeRole::Iro));
        assert_eq!(InviteeRole::VsOfficer.label(), "Virtual School officer");
        assert_eq!(Response::Proposed.label(), "Proposed another time");
        assert_eq!(MeetingStatus::Scheduled.label(), "Arranged");
        assert_eq!(InviteeRole::ALL.len(), 8);
    }
}
