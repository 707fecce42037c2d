//! The iCalendar invitation (RFC 5545, with the iTIP methods of RFC 5546)
//! attached to each invitee's email: a request, sent again with a higher
//! sequence when the meeting moves, or a cancellation.
//!
//! Written by hand: one event, all times in UTC, so no VTIMEZONE is needed.

use chrono::{DateTime, Utc};

use super::Response;

const PRODID: &str = "-//OpenPEP//PEP meetings//EN";
/// RFC 5545 3.1: lines of at most 75 octets, not counting the line break.
const MAX_LINE: usize = 75;

/// What the invitation asks of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the event, or update it when the sequence is higher.
    Request,
    /// Remove the event.
    Cancel,
}

impl Method {
    /// The iCalendar name: `REQUEST`, `CANCEL`.
    pub fn code(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

impl Response {
    /// The iCalendar participation status. Someone who proposed another
    /// time has not accepted this one, so still needs to act.
    pub fn partstat(self) -> &'static str {
        match self {
            Response::NeedsAction | Response::Proposed => "NEEDS-ACTION",
            Response::Accepted => "ACCEPTED",
            Response::Declined => "DECLINED",
        }
    }
}

/// Someone the invitation is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub email: String,
    pub response: Response,
}

/// One meeting as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// The same for every version of the meeting, so that calendars update
    /// the event rather than add another.
    pub uid: String,
    /// 0 at first; one more for each reschedule or the cancellation.
    pub sequence: u32,
    pub method: Method,
    /// When this version was made.
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// A link to the meeting (the video call, or its page).
    pub url: Option<String>,
    pub organizer_name: String,
    pub organizer_email: String,
    pub attendees: Vec<Attendee>,
}

impl CalendarEvent {
    /// The `.ics` text: CRLF line ends, long lines folded.
    pub fn to_ics(&self) -> String {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            format!("PRODID:{}", text(PRODID)),
            "VERSION:2.0".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{}", self.method.code()),
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", text(&self.uid)),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", stamp(self.stamp)),
            format!("DTSTART:{}", stamp(self.starts_at)),
            format!("DTEND:{}", stamp(self.ends_at)),
            format!("SUMMARY:{}", text(&self.summary)),
        ];
        if !self.location.trim().is_empty() {
            lines.push(format!("LOCATION:{}", text(&self.location)));
        }
        if !self.description.trim().is_empty() {
            lines.push(format!("DESCRIPTION:{}", text(&self.description)));
        }
        if let Some(url) = self.url.as_deref().map(uri).filter(|u| !u.is_empty()) {
            lines.push(format!("URL:{url}"));
        }
        lines.push(format!(
            "ORGANIZER;CN={}:mailto:{}",
            param(&self.organizer_name),
            uri(&self.organizer_email)
        ));
        let rsvp = if self.method == Method::Request { "TRUE" } else { "FALSE" };
        for a in &self.attendees {
            // An attendee may be listed without a name (see `Attendee`).
            let cn =
                if a.name.is_empty() { String::new() } else { format!("CN={};", param(&a.name)) };
            lines.push(format!(
                "ATTENDEE;{cn}ROLE=REQ-PARTICIPANT;PARTSTAT={};RSVP={rsvp}:mailto:{}",
                a.response.partstat(),
                uri(&a.email)
            ));
        }
        let status = match self.method {
            Method::Request => "CONFIRMED",
            Method::Cancel => "CANCELLED",
        };
        lines.push(format!("STATUS:{status}"));
        lines.push("TRANSP:OPAQUE".to_owned());
        lines.push("END:VEVENT".to_owned());
        lines.push("END:VCALENDAR".to_owned());
        let mut out = String::new();
        for line in &lines {
            fold(line, &mut out);
        }
        out
    }
}

/// A UTC date-time: `20261201T100000Z`.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value, escaped (RFC 5545 3.3.11); line breaks become `\n` and
/// other control characters are dropped.
fn text(value: &str) -> String {
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value, always quoted: a quote cannot be escaped there, so it
/// becomes an apostrophe.
fn param(value: &str) -> String {
    let inner: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    format!("\"{}\"", inner.trim())
}

/// A URI or address value: no escaping, so nothing that could break the
/// line.
fn uri(value: &str) -> String {
    value.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect()
}

/// Appends `line` folded into lines of at most 75 octets, each ended by
/// CRLF, a continuation starting with a space. A fold never splits a
/// character, and never leaves a space or tab at the end of a line, where some
/// readers would trim it.
fn fold(line: &str, out: &mut String) {
    let mut rest = line;
    let mut limit = MAX_LINE;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let kept = rest[..cut].trim_end_matches([' ', '\t']).len();
        if kept > 0 {
            cut = kept;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The space that starts a continuation counts.
        limit = MAX_LINE - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use ical::parser::ical::component::{IcalCalendar, IcalEvent};
    use ical::property::Property;
    use proptest::prelude::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "meeting-0192f3a4@openpep.example.org".into(),
            sequence: 0,
            method: Method::Request,
            stamp: at("2026-11-23T18:00:00Z"),
            starts_at: at("2026-12-01T10:00:00Z"),
            ends_at: at("2026-12-01T11:00:00Z"),
            summary: "PEP meeting for R.B.".into(),
            location: "Meeting room 2, Oakfield School".into(),
            description: "Autumn PEP meeting.\nChair: Priya Shah; record: Sam Taylor".into(),
            url: Some("https://meet.example.org/pep-abc".into()),
            organizer_name: "Priya Shah".into(),
            organizer_email: "p.shah@example.org".into(),
            attendees: vec![
                Attendee {
                    name: "Sam Taylor".into(),
                    email: "sam.taylor@example.org".into(),
                    response: Response::NeedsAction,
                },
                Attendee {
                    name: "Lee, Chris".into(),
                    email: "chris.lee@example.net".into(),
                    response: Response::Accepted,
                },
            ],
        }
    }

    /// Reads the text back with the `ical` crate: one calendar, one event.
    fn parse(ics: &str) -> IcalCalendar {
        let mut calendars = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
        let calendar = calendars.next().expect("a calendar").expect("it parses");
        assert!(calendars.next().is_none());
        assert_eq!(calendar.events.len(), 1);
        calendar
    }

    fn value<'a>(props: &'a [Property], name: &str) -> &'a str {
        let found = props.iter().find(|p| p.name == name);
        found.and_then(|p| p.value.as_deref()).unwrap_or_else(|| panic!("no {name}"))
    }

    fn param_of<'a>(p: &'a Property, name: &str) -> &'a str {
        let params = p.params.as_deref().unwrap_or_default();
        let found = params.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.join(",")).map_or("", |_| found.unwrap().1[0].as_str())
    }

    fn attendees(event: &IcalEvent) -> Vec<&Property> {
        event.properties.iter().filter(|p| p.name == "ATTENDEE").collect()
    }

    /// The TEXT escapes undone, as a calendar program reads them.
    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                },
                (c, false) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn a_request_parses_with_everything_a_calendar_needs() {
        let ics = event().to_ics();
        let calendar = parse(&ics);
        assert_eq!(value(&calendar.properties, "VERSION"), "2.0");
        assert_eq!(value(&calendar.properties, "PRODID"), PRODID);
        assert_eq!(value(&calendar.properties, "CALSCALE"), "GREGORIAN");
        assert_eq!(value(&calendar.properties, "METHOD"), "REQUEST");
        let e = &calendar.events[0];
        assert_eq!(value(&e.properties, "UID"), "meeting-0192f3a4@openpep.example.org");
        assert_eq!(value(&e.properties, "SEQUENCE"), "0");
        assert_eq!(value(&e.properties, "DTSTAMP"), "20261123T180000Z");
        assert_eq!(value(&e.properties, "DTSTART"), "20261201T100000Z");
        assert_eq!(value(&e.properties, "DTEND"), "20261201T110000Z");
        assert_eq!(value(&e.properties, "SUMMARY"), "PEP meeting for R.B.");
        assert_eq!(value(&e.properties, "URL"), "https://meet.example.org/pep-abc");
        assert_eq!(value(&e.properties, "STATUS"), "CONFIRMED");
        let organizer = e.properties.iter().find(|p| p.name == "ORGANIZER").unwrap();
        assert_eq!(organizer.value.as_deref(), Some("mailto:p.shah@example.org"));
        assert_eq!(param_of(organizer, "CN"), "Priya Shah");
        let people = attendees(e);
        assert_eq!(people.len(), 2);
        assert_eq!(people[0].value.as_deref(), Some("mailto:sam.taylor@example.org"));
        assert_eq!(param_of(people[0], "CN"), "Sam Taylor");
        assert_eq!(param_of(people[0], "ROLE"), "REQ-PARTICIPANT");
        assert_eq!(param_of(people[0], "PARTSTAT"), "NEEDS-ACTION");
        assert_eq!(param_of(people[0], "RSVP"), "TRUE");
        // A comma in a name stays inside the quoted parameter.
        assert_eq!(param_of(people[1], "CN"), "Lee, Chris");
        assert_eq!(param_of(people[1], "PARTSTAT"), "ACCEPTED");
    }

    #[test]
    fn lines_end_in_crlf_and_fit_75_octets() {
        let ics = event().to_ics();
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
        assert!(ics.split("\r\n").all(|line| line.len() <= MAX_LINE));
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nPRODID:"));
    }

    #[test]
    fn text_is_escaped_and_reads_back_the_same() {
        let mut e = event();
        e.summary = "PEP: review, part 1; C:\\Reports".into();
        e.location = "Room 2, Oakfield; back entrance".into();
        e.description = "Line one\r\nLine two\nLine three".into();
        let ics = e.to_ics();
        assert!(ics.contains("SUMMARY:PEP: review\\, part 1\\; C:\\\\Reports\r\n"));
        let parsed = parse(&ics);
        let props = &parsed.events[0].properties;
        assert_eq!(unescape(value(props, "SUMMARY")), e.summary);
        assert_eq!(unescape(value(props, "LOCATION")), e.location);
        assert_eq!(value(props, "DESCRIPTION"), "Line one\\nLine two\\nLine three");
        assert_eq!(unescape(value(props, "DESCRIPTION")), "Line one\nLine two\nLine three");
    }

    #[test]
    fn long_lines_fold_between_characters_and_unfold_the_same() {
        let mut e = event();
        e.description = "Café — naïve ☕ plan, agreed; ".repeat(12).trim_end().to_owned();
        e.attendees[0].name = "Ngozi Adaeze-Oluwaseun Featherstonehaugh-Montgomery-Smythe".into();
        let ics = e.to_ics();
        let physical: Vec<&str> = ics.split("\r\n").collect();
        assert!(physical.iter().all(|line| line.len() <= MAX_LINE));
        assert!(physical.iter().filter(|l| l.starts_with(' ')).count() > 5);
        assert!(physical.iter().all(|l| !l.ends_with(' ')));
        let parsed = parse(&ics);
        let event = &parsed.events[0];
        assert_eq!(unescape(value(&event.properties, "DESCRIPTION")), e.description);
        assert_eq!(param_of(attendees(event)[0], "CN"), e.attendees[0].name);
    }

    #[test]
    fn a_reschedule_is_a_request_with_a_higher_sequence() {
        let mut e = event();
        e.sequence = 1;
        e.stamp = at("2026-11-25T09:00:00Z");
        e.starts_at = at("2026-12-03T14:30:00Z");
        e.ends_at = at("2026-12-03T15:30:00Z");
        let parsed = parse(&e.to_ics());
        assert_eq!(value(&parsed.properties, "METHOD"), "REQUEST");
        let props = &parsed.events[0].properties;
        assert_eq!(value(props, "UID"), event().uid);
        assert_eq!(value(props, "SEQUENCE"), "1");
        assert_eq!(value(props, "DTSTART"), "20261203T143000Z");
        assert_eq!(value(props, "STATUS"), "CONFIRMED");
    }

    #[test]
    fn a_cancellation_cancels_the_same_event() {
        let mut e = event();
        e.method = Method::Cancel;
        e.sequence = 2;
        let ics = e.to_ics();
        assert!(ics.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(ics.contains("\r\nSTATUS:CANCELLED\r\n"));
        let parsed = parse(&ics);
        assert_eq!(value(&parsed.properties, "METHOD"), "CANCEL");
        let props = &parsed.events[0].properties;
        assert_eq!(value(props, "UID"), event().uid);
        assert_eq!(value(props, "SEQUENCE"), "2");
        assert_eq!(value(props, "STATUS"), "CANCELLED");
        assert_eq!(attendees(&parsed.events[0]).len(), 2);
        assert_eq!(param_of(attendees(&parsed.events[0])[0], "RSVP"), "FALSE");
    }

    #[test]
    fn empty_location_and_link_are_left_out_and_quotes_kept_out_of_names() {
        let mut e = event();
        e.location = " ".into();
        e.url = None;
        e.organizer_name = "Priya \"PS\" Shah".into();
        let ics = e.to_ics();
        assert!(!ics.contains("LOCATION") && !ics.contains("URL:"));
        assert!(ics.contains("ORGANIZER;CN=\"Priya 'PS' Shah\":mailto:p.shah@example.org\r\n"));
        assert_eq!(Response::Proposed.partstat(), "NEEDS-ACTION");
        assert_eq!(Response::Declined.partstat(), "DECLINED");
    }

    proptest! {
        #[test]
        fn any_text_round_trips(summary in "[a-zA-Z0-9 ,;:\\\\\né☕\t]{0,300}") {
            // The `ical` parser trims the ends of a value and drops colons
            // at its start: limits of that reader, not of the format.
            let summary = summary.trim().to_owned();
            prop_assume!(!summary.is_empty() && !summary.starts_with(':'));
            let mut e = event();
            e.summary = summary.clone();
            let ics = e.to_ics();
            prop_assert!(ics.split("\r\n").all(|line| line.len() <= MAX_LINE));
            let parsed = parse(&ics);
            prop_assert_eq!(unescape(value(&parsed.events[0].properties, "SUMMARY")), summary);
        }
    }
}
