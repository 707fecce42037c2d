//! "Your messages": messages about a child between the people working with
//! them, and OpenPEP's own notifications (invitations, decisions, sign-offs,
//! reminders), each in one person's inbox.

use uuid::Uuid;

use crate::code::code_enum;
use crate::pages::Problems;

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 150;
/// The longest message, in characters.
pub const BODY_MAX: usize = 5_000;

code_enum! {
    /// What a message is: one person's message, or a notification. The
    /// label is how the inbox names it.
    MessageKind, "message kind" {
        Message => "message", "Message";
        MeetingInvitation => "meeting_invitation", "Meeting invitation";
        MeetingChanged => "meeting_changed", "Meeting changed";
        MeetingCancelled => "meeting_cancelled", "Meeting cancelled";
        MeetingAnswered => "meeting_answered", "Invitation answered";
        MeetingReminder => "meeting_reminder", "Meeting reminder";
        MeetingHeld => "meeting_held", "Meeting held";
        FundingDecision => "funding_decision", "Funding decision";
        SignedOff => "pep_signed_off", "PEP signed off";
        Reopened => "pep_reopened", "PEP reopened";
        PermanentExclusion => "permanent_exclusion", "Permanent exclusion";
        ReturnedForImprovement => "returned_for_improvement", "Returned for improvement";
        Resubmitted => "pep_resubmitted", "PEP improved";
        QualityAssured => "pep_quality_assured", "PEP quality assured";
        OverdueReminder => "overdue_reminder", "Reminder";
    }
}

impl MessageKind {
    /// Whether people write it (and so can reply to it).
    pub fn is_conversation(self) -> bool {
        self == MessageKind::Message
    }
}

/// A new message as checked: who it goes to, its subject and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMessage {
    pub to: Vec<Uuid>,
    pub subject: String,
    pub body: String,
}

/// Checks a new message: `to` the ids ticked (each one of `may_receive`),
/// a subject and the message. Problems are under `to`, `subject` and
/// `body`.
pub fn check_new(
    to: &[String],
    subject: &str,
    body: &str,
    may_receive: &[Uuid],
) -> Result<CheckedMessage, Problems> {
    let mut problems = Problems::default();
    let mut chosen = Vec::new();
    for id in to {
        match Uuid::parse_str(id.trim()) {
            Ok(id) if may_receive.contains(&id) => {
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            _ => problems.add("to", "Choose people from the list"),
        }
    }
    if to.is_empty() {
        problems.add("to", "Choose who the message is for");
    }
    let subject = subject.trim();
    if subject.is_empty() {
        problems.add("subject", "Enter a subject");
    } else if subject.chars().count() > SUBJECT_MAX {
        problems.add("subject", format!("The subject must be {SUBJECT_MAX} characters or fewer"));
    } else if subject.contains(['\r', '\n']) {
        problems.add("subject", "The subject must be one line");
    }
    let body = check_body(body, &mut problems);
    if problems.is_empty() {
        Ok(CheckedMessage { to: chosen, subject: subject.to_owned(), body })
    } else {
        Err(problems)
    }
}

/// Checks a reply's text (under `body`).
pub fn check_reply(body: &str) -> Result<String, Problems> {
    let mut problems = Problems::default();
    let body = check_body(body, &mut problems);
    if problems.is_empty() { Ok(body) } else { Err(problems) }
}

fn check_body(body: &str, problems: &mut Problems) -> String {
    let body = body.trim();
    if body.is_empty() {
        problems.add("body", "Enter your message");
    } else if body.chars().count() > BODY_MAX {
        problems.add("body", format!("The message must be {BODY_MAX} characters or fewer"));
    }
    body.replace("\r\n", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid) {
        (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3))
    }

    #[test]
    fn a_message_to_people_who_may_receive_it() {
        let (a, b, _) = ids();
        let to = [a.to_string(), b.to_string(), a.to_string()];
        let checked = check_new(&to, "  Tutoring  ", "Can we meet?\r\nThanks", &[a, b]).unwrap();
        assert_eq!(checked.to, vec![a, b]);
        assert_eq!(checked.subject, "Tutoring");
        assert_eq!(checked.body, "Can we meet?\nThanks");
    }

    #[test]
    fn nobody_chosen_or_someone_outside_the_list_is_refused() {
        let (a, _, c) = ids();
        let problems = check_new(&[], "Hello", "Hi", &[a]).unwrap_err();
        assert_eq!(problems.message("to"), Some("Choose who the message is for"));
        let problems = check_new(&[c.to_string()], "Hello", "Hi", &[a]).unwrap_err();
        assert_eq!(problems.message("to"), Some("Choose people from the list"));
        let problems = check_new(&["not-an-id".into()], "Hello", "Hi", &[a]).unwrap_err();
        assert_eq!(problems.message("to"), Some("Choose people from the list"));
    }

    #[test]
    fn subject_and_body_are_required_and_bounded() {
        let (a, _, _) = ids();
        let to = [a.to_string()];
        let problems = check_new(&to, " ", "\n", &[a]).unwrap_err();
        assert_eq!(problems.message("subject"), Some("Enter a subject"));
        assert_eq!(problems.message("body"), Some("Enter your message"));
        let long = "x".repeat(SUBJECT_MAX + 1);
        let problems = check_new(&to, &long, "Hi", &[a]).unwrap_err();
        assert_eq!(
            problems.message("subject"),
            Some("The subject must be 150 characters or fewer")
        );
        let problems = check_reply(&"y".repeat(BODY_MAX + 1)).unwrap_err();
        assert_eq!(problems.message("body"), Some("The message must be 5000 characters or fewer"));
        assert_eq!(check_reply(" Thanks \r\n").unwrap(), "Thanks");
    }

    #[test]
    fn kinds_round_trip_and_only_messages_take_replies() {
        for &kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.is_conversation(), kind == MessageKind::Message);
        }
    }
}
