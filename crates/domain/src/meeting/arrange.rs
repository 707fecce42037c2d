//! The form that arranges (or reschedules) a PEP meeting: when, how long,
//! where or by video, who chairs and who records, and who is invited.
//!
//! People who already work with the child are ticked from a list (the
//! `invite` field: their keys joined by commas, as the web sends a group of
//! ticks; `invite_<key>` = `yes` is read too). Anyone else, a parent where
//! appropriate, is invited by name and email in the `other` list.

use chrono::{DateTime, Months, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{InviteeRole, london_to_utc, parse_time, utc_to_london};
use crate::email::{Email, EmailError};
use crate::pages::input::{Reader, list};
use crate::pages::{Block, Control, FieldSpec, Fields, Opt, PageContext, Problems, entries};

/// The list of people invited by email on the form.
pub const OTHERS: &str = "other";
/// The field of ticked people who already work with the child.
pub const INVITE: &str = "invite";

const MAX_OTHERS: usize = 20;
const MAX_MONTHS_AHEAD: u32 = 12;
const DURATIONS: [(u32, &str); 5] = [
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 hour"),
    (90, "1 hour 30 minutes"),
    (120, "2 hours"),
];

/// Someone with access to the child's record who can be ticked to invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What identifies them in the form, such as a user id. No commas.
    pub key: String,
    pub name: String,
    pub role: InviteeRole,
    pub email: String,
}

/// What the form needs beyond its fields.
#[derive(Debug, Clone)]
pub struct ArrangeContext {
    /// The meeting must be after this.
    pub now: DateTime<Utc>,
    pub candidates: Vec<Candidate>,
    /// The list to show one more blank entry in ([`OTHERS`]).
    pub add_entry: Option<String>,
}

/// Someone invited to the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    /// The candidate's key; `None` for someone invited by email.
    pub key: Option<String>,
    pub name: String,
    /// Lowercased, as [`Email`] keeps it.
    pub email: String,
    pub role: InviteeRole,
}

/// A meeting's arrangements as checked, ready to store and send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrangement {
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub place: String,
    /// An `https://` address, or empty.
    pub video_link: String,
    pub chair: String,
    pub recorder: String,
    pub invitees: Vec<Invitee>,
}

impl Arrangement {
    /// When the meeting is due to end.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + chrono::Duration::minutes(i64::from(self.duration_minutes))
    }
}

fn duration_options() -> Vec<Opt> {
    DURATIONS.iter().map(|(minutes, label)| Opt::new(minutes.to_string(), *label)).collect()
}

fn other_roles() -> Vec<Opt> {
    [InviteeRole::Parent, InviteeRole::Other]
        .iter()
        .map(|r| Opt::new(r.code(), r.label()))
        .collect()
}

/// Checks the form. Every problem is keyed by the field to fix.
pub fn check(fields: &Fields, ctx: &ArrangeContext) -> Result<Arrangement, Problems> {
    let mut r = Reader::new(fields);
    let starts_at = read_when(&mut r, ctx);
    let duration = r.choice("duration", "how long the meeting will be", &duration_options());
    r.require(true, "duration", "Select how long the meeting will be");
    let place = r.text("place", "where the meeting will be");
    let video_link = read_video_link(&mut r);
    if place.is_empty() && video_link.is_empty() && !r.problems.has("video_link") {
        r.problem("place", "Enter where the meeting will be, or a video link");
    }
    let chair = r.text("chair", "who will chair the meeting");
    r.require(true, "chair", "Enter who will chair the meeting");
    let recorder = r.text("recorder", "who will record the meeting");
    r.require(true, "recorder", "Enter who will record the meeting");
    let mut invitees = read_ticked(&mut r, fields, ctx);
    invitees.extend(read_others(&mut r, fields, &invitees));
    if invitees.is_empty() && entries(fields, OTHERS).is_empty() && !r.problems.has(INVITE) {
        r.problem(INVITE, "Select who to invite, or invite someone by email");
    }
    let duration_minutes = duration.and_then(|d| d.parse::<u32>().ok());
    match (starts_at, duration_minutes) {
        (Some(starts_at), Some(duration_minutes)) if r.problems.is_empty() => Ok(Arrangement {
            starts_at,
            duration_minutes,
            place,
            video_link,
            chair,
            recorder,
            invitees,
        }),
        _ => Err(r.problems),
    }
}

/// The moment the meeting starts: a UK date and time, in the future and
/// within 12 months.
fn read_when(r: &mut Reader, ctx: &ArrangeContext) -> Option<DateTime<Utc>> {
    let date = r.date("date", "the date of the meeting");
    r.require(true, "date", "Enter the date of the meeting");
    let time = read_time(r);
    let starts_at = match london_to_utc(date?, time?) {
        Ok(at) => at,
        Err(message) => {
            r.problem("time", message);
            return None;
        }
    };
    let latest = ctx.now.checked_add_months(Months::new(MAX_MONTHS_AHEAD)).unwrap_or(ctx.now);
    if starts_at <= ctx.now {
        r.problem("date", "The meeting must be in the future");
        return None;
    }
    if starts_at > latest {
        r.problem("date", "The meeting must be within the next 12 months");
        return None;
    }
    Some(starts_at)
}

fn read_time(r: &mut Reader) -> Option<NaiveTime> {
    let typed = r.text("time", "the time of the meeting");
    if typed.is_empty() {
        r.problem("time", "Enter the time of the meeting");
        return None;
    }
    match parse_time(&typed) {
        Ok(time) => {
            r.out.insert("time".to_owned(), time.format("%H:%M").to_string());
            Some(time)
        }
        Err(message) => {
            r.problem("time", message);
            None
        }
    }
}

fn read_video_link(r: &mut Reader) -> String {
    let link = r.text("video_link", "the video link");
    if link.is_empty() || r.problems.has("video_link") {
        return link;
    }
    let host = link
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .and_then(|_| link.get(8..))
        .unwrap_or_default();
    if host.is_empty() || host.starts_with('/') || link.contains(char::is_whitespace) {
        r.problem(
            "video_link",
            "Enter a video link that starts with https://, like https://meet.example.org/abc",
        );
    }
    link
}

/// The keys of the people ticked, in the order they were sent.
fn ticked_keys(fields: &Fields) -> Vec<String> {
    let listed = fields.get(INVITE).map_or("", String::as_str).split(',');
    let one_by_one = fields.iter().filter_map(|(name, value)| {
        let key = name.strip_prefix(INVITE)?.strip_prefix('_')?;
        value.trim().eq_ignore_ascii_case("yes").then_some(key)
    });
    let mut keys: Vec<String> = Vec::new();
    for key in listed.chain(one_by_one).map(str::trim).filter(|k| !k.is_empty()) {
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
    }
    keys
}

fn read_ticked(r: &mut Reader, fields: &Fields, ctx: &ArrangeContext) -> Vec<Invitee> {
    let keys = ticked_keys(fields);
    r.out.insert(INVITE.to_owned(), keys.join(","));
    let mut invitees = Vec::new();
    for key in keys {
        let Some(person) = ctx.candidates.iter().find(|c| c.key == key) else {
            r.problem(INVITE, "Select people from the list");
            continue;
        };
        match Email::parse(&person.email) {
            Ok(email) if invitees.iter().any(|i: &Invitee| i.email == email.as_str()) => {
                r.problem(INVITE, already_invited(&email));
            }
            Ok(email) => invitees.push(Invitee {
                key: Some(person.key.clone()),
                name: person.name.clone(),
                email: email.as_str().to_owned(),
                role: person.role,
            }),
            Err(_) => r.problem(
                INVITE,
                format!(
                    "There is no email address for {} that an invitation can be sent to: \
                     invite them by email below",
                    person.name
                ),
            ),
        }
    }
    invitees
}

/// The people invited by email; `ticked`: those invited already, whose
/// addresses may not be given again.
fn read_others(r: &mut Reader, fields: &Fields, ticked: &[Invitee]) -> Vec<Invitee> {
    let sent = entries(fields, OTHERS);
    if sent.len() > MAX_OTHERS {
        r.problem(OTHERS, format!("You can invite up to {MAX_OTHERS} people by email"));
    }
    let mut invitees = Vec::new();
    for (saved, (index, _)) in sent.iter().enumerate() {
        let name = |field: &str| crate::pages::entry_name(OTHERS, *index, field);
        let n = saved + 1;
        let person = r.text(&name("name"), &format!("the name of person {n}"));
        if person.is_empty() {
            r.problem(&name("name"), format!("Enter the name of person {n}"));
        }
        let role = r.choice(&name("role"), &format!("who person {n} is"), &other_roles());
        if role.is_none() && !r.problems.has(&name("role")) {
            r.problem(
                &name("role"),
                format!("Select whether person {n} is a parent or someone else"),
            );
        }
        let typed = r.text(&name("email"), &format!("the email address of person {n}"));
        let taken = |email: &Email| {
            ticked.iter().chain(&invitees).any(|i: &Invitee| i.email == email.as_str())
        };
        let email = match Email::parse(&typed) {
            Ok(email) if taken(&email) => {
                r.problem(&name("email"), already_invited(&email));
                None
            }
            Ok(email) => Some(email),
            Err(error) => {
                r.problem(&name("email"), email_message(&error, n));
                None
            }
        };
        let role = role.and_then(|code| InviteeRole::from_code(&code));
        if let (Some(email), Some(role)) = (email, role) {
            invitees.push(Invitee {
                key: None,
                name: person,
                email: email.as_str().to_owned(),
                role,
            });
        }
    }
    invitees
}

fn email_message(error: &EmailError, n: usize) -> String {
    match error {
        EmailError::Empty => format!("Enter the email address of person {n}"),
        EmailError::Format => format!(
            "Enter the email address of person {n} in the correct format, like name@example.com"
        ),
        EmailError::TooLong => {
            format!("The email address of person {n} must be 254 characters or fewer")
        }
    }
}

fn already_invited(email: &Email) -> String {
    format!("{email} is already invited: invite each person once")
}

/// The form's fields for an arranged meeting: to reschedule it, or to
/// arrange the next one like it.
pub fn fields_of(a: &Arrangement) -> Fields {
    let local = utc_to_london(a.starts_at);
    let mut f = Fields::from([
        ("date".to_owned(), local.format("%Y-%m-%d").to_string()),
        ("time".to_owned(), local.format("%H:%M").to_string()),
        ("duration".to_owned(), a.duration_minutes.to_string()),
        ("place".to_owned(), a.place.clone()),
        ("video_link".to_owned(), a.video_link.clone()),
        ("chair".to_owned(), a.chair.clone()),
        ("recorder".to_owned(), a.recorder.clone()),
    ]);
    let keys: Vec<&str> = a.invitees.iter().filter_map(|i| i.key.as_deref()).collect();
    f.insert(INVITE.to_owned(), keys.join(","));
    let others = a.invitees.iter().filter(|i| i.key.is_none());
    for (index, invitee) in others.enumerate() {
        let name = |field: &str| crate::pages::entry_name(OTHERS, index, field);
        f.insert(name("name"), invitee.name.clone());
        f.insert(name("email"), invitee.email.clone());
        f.insert(name("role"), invitee.role.code().to_owned());
    }
    f
}

/// The form as blocks, filled from `fields`.
pub fn layout(fields: &Fields, ctx: &ArrangeContext) -> Vec<Block> {
    let mut blocks = vec![
        Block::field(FieldSpec::new("date", "Date", Control::Date).hint("For example, 27 3 2027")),
        Block::field(
            FieldSpec::new("time", "Time", Control::Short)
                .hint("For example, 09:30 or 2:30pm. UK time."),
        ),
        Block::field(FieldSpec::new(
            "duration",
            "How long will the meeting be?",
            Control::Radios(duration_options()),
        )),
        Block::field(
            FieldSpec::new("place", "Where", Control::Text)
                .hint("For example, the school's meeting room. Leave blank if it is only online."),
        ),
        Block::field(
            FieldSpec::new("video_link", "Video link (optional)", Control::Text)
                .hint("The address of the video call, starting with https://"),
        ),
        Block::field(FieldSpec::new("chair", "Who will chair the meeting", Control::Text)),
        Block::field(
            FieldSpec::new("recorder", "Who will record the meeting", Control::Text)
                .hint("Agree who chairs and who records before the meeting"),
        ),
        Block::Heading {
            text: "Who to invite".into(),
            hint: Some("Each person gets an email with an invitation for their calendar.".into()),
        },
    ];
    blocks.push(candidates_block(ctx));
    blocks.push(Block::Heading {
        text: "Invite someone by email".into(),
        hint: Some(
            "Someone who does not use OpenPEP: a parent, where appropriate, or another \
             professional."
                .into(),
        ),
    });
    let today = utc_to_london(ctx.now).date();
    let page_ctx = PageContext::blank(today, ctx.add_entry.clone());
    blocks.extend(list(
        fields,
        &page_ctx,
        OTHERS,
        "Person",
        false,
        |i| {
            let name = |field: &str| crate::pages::entry_name(OTHERS, i, field);
            vec![
                FieldSpec::new(name("name"), "Full name", Control::Text),
                FieldSpec::new(name("email"), "Email address", Control::Text),
                FieldSpec::new(name("role"), "Who they are", Control::Radios(other_roles())),
            ]
        },
        ("Invite someone by email", "Invite someone else by email"),
    ));
    blocks
}

/// The people who work with the child, as a group of ticks (the codebase's
/// many-choice control), or a line saying there is no one yet.
fn candidates_block(ctx: &ArrangeContext) -> Block {
    if ctx.candidates.is_empty() {
        return Block::Paragraph(
            "No one else has access to this child's record yet: invite people by email.".into(),
        );
    }
    let options = ctx
        .candidates
        .iter()
        .map(|c| Opt::new(c.key.clone(), format!("{} ({})", c.name, c.role.label())))
        .collect();
    Block::field(
        FieldSpec::new(INVITE, "People who work with the child", Control::Pictures(options))
            .hint("Select all that apply"),
    )
}

/// `fields` with the ticked people in [`INVITE`], however they were sent:
/// what [`layout`] shows ticked.
pub fn with_ticks_joined(fields: &Fields) -> Fields {
    let mut out: Fields = fields
        .iter()
        .filter(|(name, _)| !name.starts_with(&format!("{INVITE}_")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert(INVITE.to_owned(), ticked_keys(fields).join(","));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::fields;

    fn now() -> DateTime<Utc> {
        "2026-11-23T18:00:00Z".parse().unwrap()
    }

    fn candidate(key: &str, name: &str, role: InviteeRole, email: &str) -> Candidate {
        Candidate { key: key.into(), name: name.into(), role, email: email.into() }
    }

    fn ctx() -> ArrangeContext {
        ArrangeContext {
            now: now(),
            candidates: vec![
                candidate("u1", "Sam Taylor", InviteeRole::SocialWorker, "Sam.Taylor@example.org"),
                candidate("u2", "Priya Shah", InviteeRole::DesignatedTeacher, "p.shah@example.org"),
                candidate("u3", "Alex Morgan", InviteeRole::Carer, "alex.morgan@example.org"),
                candidate("u4", "Jo Reed", InviteeRole::Iro, "not an address"),
            ],
            add_entry: None,
        }
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("date", "1/12/2026"),
            ("time", "10am"),
            ("duration", "60"),
            ("place", "Meeting room 2, Oakfield School"),
            ("video_link", ""),
            ("chair", "Priya Shah"),
            ("recorder", "Sam Taylor"),
            ("invite", "u1,u2"),
            ("other_0_name", "Chris Lee"),
            ("other_0_email", "chris.lee@example.net"),
            ("other_0_role", "parent"),
        ]
    }

    fn with(changes: &[(&'static str, &'static str)]) -> Result<Arrangement, Problems> {
        let mut pairs = good();
        pairs.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
        pairs.extend_from_slice(changes);
        check(&fields(&pairs), &ctx())
    }

    fn refused(changes: &[(&'static str, &'static str)], field: &str) -> String {
        let problems = with(changes).unwrap_err();
        problems.message(field).map(str::to_owned).unwrap_or_else(|| panic!("{problems:?}"))
    }

    #[test]
    fn a_good_form_is_checked_and_round_trips() {
        let a = check(&fields(&good()), &ctx()).unwrap();
        assert_eq!(a.starts_at, "2026-12-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(a.ends_at(), "2026-12-01T11:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(a.duration_minutes, 60);
        assert_eq!(a.invitees.len(), 3);
        assert_eq!(a.invitees[0].key.as_deref(), Some("u1"));
        assert_eq!(a.invitees[0].email, "sam.taylor@example.org");
        assert_eq!(a.invitees[0].role, InviteeRole::SocialWorker);
        assert_eq!(a.invitees[1].role, InviteeRole::DesignatedTeacher);
        assert_eq!(
            a.invitees[2],
            Invitee {
                key: None,
                name: "Chris Lee".into(),
                email: "chris.lee@example.net".into(),
                role: InviteeRole::Parent,
            }
        );
        assert_eq!(check(&fields_of(&a), &ctx()).unwrap(), a);
    }

    #[test]
    fn ticks_may_come_one_field_each() {
        let a = with(&[("invite", ""), ("invite_u2", "yes"), ("invite_u3", "yes")]).unwrap();
        let keys: Vec<_> = a.invitees.iter().filter_map(|i| i.key.as_deref()).collect();
        assert_eq!(keys, ["u2", "u3"]);
        let joined = with_ticks_joined(&fields(&[("invite_u2", "yes"), ("invite_u3", "no")]));
        assert_eq!(joined, fields(&[("invite", "u2")]));
    }

    #[test]
    fn the_meeting_is_in_the_next_12_months() {
        assert_eq!(
            refused(&[("date", "23/11/2026"), ("time", "9:00")], "date"),
            "The meeting must be in the future"
        );
        assert_eq!(
            refused(&[("date", "23/12/2027")], "date"),
            "The meeting must be within the next 12 months"
        );
        assert!(with(&[("date", "23/11/2027"), ("time", "9:00")]).is_ok());
        assert_eq!(refused(&[("date", "")], "date"), "Enter the date of the meeting");
        assert_eq!(
            refused(&[("date", "31/11/2026")], "date"),
            "The date of the meeting must be a real date"
        );
    }

    #[test]
    fn the_time_is_a_real_uk_time() {
        assert_eq!(
            refused(&[("time", "25:00")], "time"),
            "Enter a real time, like 09:30 or 2:30pm"
        );
        assert_eq!(refused(&[("time", "9")], "time"), "Enter the time like 09:30 or 2:30pm");
        assert_eq!(refused(&[("time", "")], "time"), "Enter the time of the meeting");
        assert_eq!(
            refused(&[("date", "28/3/2027"), ("time", "1:15am")], "time"),
            "There is no 1:15am on 28 March 2027: the clocks go forward. Choose another time"
        );
        let summer = with(&[("date", "10/6/2027"), ("time", "2:30pm")]).unwrap();
        assert_eq!(summer.starts_at, "2027-06-10T13:30:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn the_meeting_has_a_place_or_a_secure_link() {
        assert_eq!(
            refused(&[("place", "")], "place"),
            "Enter where the meeting will be, or a video link"
        );
        let link =
            "Enter a video link that starts with https://, like https://meet.example.org/abc";
        assert_eq!(refused(&[("video_link", "http://meet.example.org/x")], "video_link"), link);
        assert_eq!(refused(&[("video_link", "https://")], "video_link"), link);
        assert_eq!(refused(&[("video_link", "meet.example.org/x")], "video_link"), link);
        let online =
            with(&[("place", ""), ("video_link", "https://meet.example.org/pep-abc")]).unwrap();
        assert_eq!(online.video_link, "https://meet.example.org/pep-abc");
        let long = "x".repeat(501);
        let problems = check(&fields(&[("place", long.as_str())]), &ctx()).unwrap_err();
        assert_eq!(
            problems.message("place"),
            Some("Where the meeting will be must be 500 characters or fewer")
        );
    }

    #[test]
    fn the_chair_and_recorder_are_named_and_the_duration_chosen() {
        assert_eq!(refused(&[("chair", " ")], "chair"), "Enter who will chair the meeting");
        assert_eq!(refused(&[("recorder", "")], "recorder"), "Enter who will record the meeting");
        assert_eq!(refused(&[("duration", "")], "duration"), "Select how long the meeting will be");
        assert_eq!(
            refused(&[("duration", "50")], "duration"),
            "Select how long the meeting will be from the list"
        );
    }

    #[test]
    fn someone_is_invited_and_no_one_twice() {
        let no_one: Vec<_> =
            good().into_iter().filter(|(k, _)| !k.starts_with("other") && *k != "invite").collect();
        let problems = check(&fields(&no_one), &ctx()).unwrap_err();
        assert_eq!(
            problems.message("invite"),
            Some("Select who to invite, or invite someone by email")
        );
        assert_eq!(
            refused(&[("other_0_email", "chris.lee@")], "other_0_email"),
            "Enter the email address of person 1 in the correct format, like name@example.com"
        );
        assert_eq!(
            refused(
                &[
                    ("other_4_name", "Sam T"),
                    ("other_4_email", "SAM.taylor@example.org"),
                    ("other_4_role", "other")
                ],
                "other_4_email"
            ),
            "sam.taylor@example.org is already invited: invite each person once"
        );
        assert_eq!(
            refused(
                &[
                    ("other_1_name", "Chris"),
                    ("other_1_email", "chris.lee@example.net"),
                    ("other_1_role", "parent")
                ],
                "other_1_email"
            ),
            "chris.lee@example.net is already invited: invite each person once"
        );
        assert_eq!(refused(&[("invite", "u1,u9")], "invite"), "Select people from the list");
        assert!(
            refused(&[("invite", "u4")], "invite")
                .starts_with("There is no email address for Jo Reed")
        );
        assert_eq!(
            refused(&[("other_0_name", ""), ("other_0_role", "")], "other_0_name"),
            "Enter the name of person 1"
        );
        assert_eq!(
            refused(&[("other_0_role", "")], "other_0_role"),
            "Select whether person 1 is a parent or someone else"
        );
        assert_eq!(
            refused(&[("other_0_role", "carer")], "other_0_role"),
            "Select who person 1 is from the list"
        );
    }

    #[test]
    fn a_removed_person_is_not_invited() {
        let a = with(&[("other_0_remove", "yes")]).unwrap();
        assert_eq!(a.invitees.len(), 2);
    }

    #[test]
    fn the_form_lists_candidates_and_grows_the_email_list() {
        let blocks = layout(&fields(&good()), &ctx());
        let invite = Block::flatten(&blocks).into_iter().find_map(|b| match b {
            Block::Field(spec) if spec.name == INVITE => Some(spec.clone()),
            _ => None,
        });
        let invite = invite.unwrap();
        assert_eq!(invite.control.options().len(), 4);
        assert_eq!(invite.control.options()[0].label, "Sam Taylor (Social worker)");
        assert_eq!(
            invite.control.display("u1,u2"),
            "Sam Taylor (Social worker), Priya Shah (Designated teacher)"
        );
        let entries = |b: &[Block]| b.iter().filter(|b| matches!(b, Block::Entry { .. })).count();
        assert_eq!(entries(&blocks), 1);
        assert_eq!(entries(&layout(&Fields::new(), &ctx())), 0);
        let more = ArrangeContext { add_entry: Some(OTHERS.into()), ..ctx() };
        assert_eq!(entries(&layout(&fields(&good()), &more)), 2);
        let time = Block::flatten(&blocks).into_iter().find_map(|b| match b {
            Block::Field(spec) if spec.name == "time" => spec.hint.clone(),
            _ => None,
        });
        assert_eq!(time.as_deref(), Some("For example, 09:30 or 2:30pm. UK time."));
        let nobody = ArrangeContext { candidates: Vec::new(), ..ctx() };
        assert!(layout(&Fields::new(), &nobody).iter().any(|b| matches!(b, Block::Paragraph(_))));
    }
}
