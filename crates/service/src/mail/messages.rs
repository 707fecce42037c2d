//! The words of every e-mail the service sends. Plain text, short, in the
//! GOV.UK voice; never a child's name or any detail of a record.

/// The sign-off of every e-mail about a child: they never name them.
const NO_NAMES: &str =
    "To keep the child's information safe, this e-mail does not say who they are.";

/// A message ready for the outbox.
#[derive(Debug, Clone)]
pub struct Content {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

pub fn sign_in_code(code: &str, minutes: i64) -> Content {
    Content {
        kind: "sign_in_code",
        subject: format!("{code} is your OpenPEP sign-in code"),
        body: format!(
            "Your OpenPEP sign-in code is {code}\n\n\
             Enter it on the sign-in page. It works once, for {minutes} minutes.\n\n\
             If you did not try to sign in, someone may know your password: change it, and \
             tell your Virtual School.\n"
        ),
    }
}

pub fn account_locked(minutes: i64) -> Content {
    Content {
        kind: "account_locked",
        subject: "Your OpenPEP account has been locked".into(),
        body: format!(
            "Someone entered the wrong password for your OpenPEP account too many times, so we \
             have locked it for {minutes} minutes.\n\n\
             If this was you, wait and try again, or reset your password. If it was not you, \
             tell your Virtual School: they can also unlock your account.\n"
        ),
    }
}

pub fn invitation(la_name: &str, role: &str, link: &str, days: i64) -> Content {
    Content {
        kind: "invitation",
        subject: format!("You have been invited to OpenPEP by {la_name}"),
        body: format!(
            "{la_name}'s Virtual School has invited you to use OpenPEP, its service for \
             children's Personal Education Plans, as a {role}.\n\n\
             To set up your account, open this link:\n{link}\n\n\
             The link works once, for {days} days. If you were not expecting this, you can ignore \
             this email.\n"
        ),
    }
}

pub fn added_to_authority(la_name: &str, role: &str, link: &str, days: i64) -> Content {
    Content {
        kind: "invitation",
        subject: format!("{la_name} has given you access in OpenPEP"),
        body: format!(
            "{la_name}'s Virtual School has invited you to work with its children in OpenPEP, \
             as a {role}. You already have an OpenPEP account.\n\n\
             To accept, open this link:\n{link}\n\n\
             The link works once, for {days} days.\n"
        ),
    }
}

pub fn password_reset(link: &str) -> Content {
    Content {
        kind: "password_reset",
        subject: "Reset your OpenPEP password".into(),
        body: format!(
            "Someone asked to reset the password of your OpenPEP account.\n\n\
             To choose a new password, open this link:\n{link}\n\n\
             The link works once, for 1 hour. When you reset your password, you are signed out \
             everywhere. If you did not ask for this, you can ignore this email.\n"
        ),
    }
}

pub fn permanent_exclusion(link: &str) -> Content {
    Content {
        kind: "permanent_exclusion",
        subject: "A permanent exclusion has been recorded on a PEP".into(),
        body: format!(
            "A school has recorded a permanent exclusion for a child the Virtual School looks \
             after. The child will need a new school place or alternative provision from the \
             sixth school day.\n\n\
             Sign in to see the record:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn funding_decision(decision: &str, link: &str) -> Content {
    Content {
        kind: "funding_decision",
        subject: format!("Funding request: {}", decision.to_lowercase()),
        body: format!(
            "The Virtual School has made a decision on a funding request you made on a PEP \
             target: {}.\n\n\
             Sign in to see the decision and any comments:\n{link}\n\n\
             {NO_NAMES}\n",
            decision.to_lowercase()
        ),
    }
}

pub fn meeting_invitation(when: &str, link: &str) -> Content {
    Content {
        kind: "meeting_invitation",
        subject: format!("Invitation: PEP meeting, {when}"),
        body: format!(
            "You are invited to a Personal Education Plan (PEP) meeting on {when}.\n\n\
             The calendar file attached adds it to your calendar. Sign in to see who the \
             meeting is about, and to accept, decline or propose another time:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn meeting_changed(when: &str, link: &str) -> Content {
    Content {
        kind: "meeting_changed",
        subject: format!("Changed: PEP meeting, now {when}"),
        body: format!(
            "A Personal Education Plan (PEP) meeting you are invited to has changed. It is now \
             on {when}.\n\n\
             The calendar file attached updates your calendar. Sign in to see the details and \
             to answer again:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn meeting_cancelled(when: &str) -> Content {
    Content {
        kind: "meeting_cancelled",
        subject: format!("Cancelled: PEP meeting, {when}"),
        body: format!(
            "The Personal Education Plan (PEP) meeting on {when} is cancelled, or you are no \
             longer invited to it.\n\n\
             The calendar file attached removes it from your calendar.\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn meeting_answered(response: &str, link: &str) -> Content {
    Content {
        kind: "meeting_answered",
        subject: format!("PEP meeting invitation: {}", response.to_lowercase()),
        body: format!(
            "Someone you invited to a Personal Education Plan (PEP) meeting has answered: \
             {}.\n\n\
             Sign in to see who, and any time they proposed:\n{link}\n\n\
             {NO_NAMES}\n",
            response.to_lowercase()
        ),
    }
}

pub fn meeting_reminder(when: &str, link: &str) -> Content {
    Content {
        kind: "meeting_reminder",
        subject: format!("Reminder: PEP meeting, {when}"),
        body: format!(
            "This is a reminder of the Personal Education Plan (PEP) meeting on {when}.\n\n\
             Sign in to see the details:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn meeting_held(link: &str) -> Content {
    Content {
        kind: "meeting_held",
        subject: "A PEP meeting has taken place".into(),
        body: format!(
            "A Personal Education Plan (PEP) meeting you were invited to, or that your Virtual \
             School oversees, has been confirmed as held. The PEP now moves to sign-off.\n\n\
             Sign in to see it:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn pep_signed_off(link: &str, next_meeting: &str) -> Content {
    Content {
        kind: "pep_signed_off",
        subject: "PEP signed off".into(),
        body: format!(
            "A Personal Education Plan (PEP) you work on has been signed off by the designated \
             teacher. It can no longer be changed, and its PDF is being made.\n\n\
             The next PEP meeting is on {next_meeting}; the next term's PEP is ready to start.\n\n\
             Sign in to see it:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

pub fn pep_reopened(link: &str) -> Content {
    Content {
        kind: "pep_reopened",
        subject: "A signed-off PEP has been reopened".into(),
        body: format!(
            "The Virtual School has reopened a Personal Education Plan (PEP) you work on, \
             with a reason you can read on the PEP. Each part must be marked completed again \
             and the PEP signed off again.\n\n\
             Sign in to see it:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

/// The Virtual School returned a signed-off PEP for improvement by `due`.
pub fn pep_returned(link: &str, due: &str) -> Content {
    Content {
        kind: "returned_for_improvement",
        subject: "A PEP has been returned for improvement".into(),
        body: format!(
            "The Virtual School has checked a Personal Education Plan (PEP) you work on and \
             returned it for improvement. Its comments say what to improve, on the pages it \
             has reopened, by {due}. When the pages are improved, send the PEP back to the \
             Virtual School from its sign-off page.\n\n\
             Sign in to see what needs to improve:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

/// The improved PEP is back with the Virtual School.
pub fn pep_resubmitted(link: &str) -> Content {
    Content {
        kind: "pep_resubmitted",
        subject: "An improved PEP is ready to check".into(),
        body: format!(
            "A Personal Education Plan (PEP) you returned for improvement has been improved \
             and sent back. It is in the quality assurance queue again.\n\n\
             Sign in to check it:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

/// The Virtual School graded a PEP.
pub fn pep_graded(link: &str, grade: &str) -> Content {
    Content {
        kind: "pep_quality_assured",
        subject: "A PEP has been quality assured".into(),
        body: format!(
            "The Virtual School has quality assured a Personal Education Plan (PEP) you work \
             on. Its grade is: {grade}.\n\n\
             Sign in to read its comments:\n{link}\n\n\
             {NO_NAMES}\n"
        ),
    }
}

/// One person's digest of their PEPs that are overdue or due within `days`.
pub fn pep_reminder(overdue: usize, due_soon: usize, days: u32, link: &str) -> Content {
    let plural = |n: usize| if n == 1 { "PEP" } else { "PEPs" };
    let mut lines = Vec::new();
    if overdue > 0 {
        lines.push(format!("- {overdue} {} overdue", plural(overdue)));
    }
    if due_soon > 0 {
        lines.push(format!("- {due_soon} {} due in the next {days} days", plural(due_soon)));
    }
    Content {
        kind: "overdue_reminder",
        subject: "Reminder: Personal Education Plans to finish".into(),
        body: format!(
            "Some Personal Education Plans (PEPs) of children you work with need finishing:\n\n\
             {}\n\n\
             Sign in to see which, and what each still needs:\n{link}\n\n\
             {NO_NAMES}\n",
            lines.join("\n")
        ),
    }
}

pub fn message_waiting(link: &str) -> Content {
    Content {
        kind: "message_waiting",
        subject: "You have a new message in OpenPEP".into(),
        body: format!(
            "Someone working with a child you support has sent you a message in OpenPEP.\n\n\
             Sign in to read it and reply:\n{link}\n\n\
             We do not put messages in e-mails, to keep children's information safe.\n"
        ),
    }
}

/// The words of an e-mail as "Your messages" shows them: without its link
/// (the message has its own) or the line about names (it names the child
/// to those who may see them).
pub fn for_inbox(body: &str) -> String {
    const CALENDAR: &str = "The calendar file attached";
    body.split("\n\n")
        .map(|p| {
            // The link goes; the sentence leading to it ends with a full stop.
            let words: Vec<&str> = p.lines().filter(|l| !l.contains("://")).collect();
            let mut p = words.join("\n").trim().to_owned();
            if p.starts_with(CALENDAR) {
                p = p.split_once(". ").map_or_else(String::new, |(_, rest)| rest.to_owned());
            }
            if p.ends_with(':') {
                p.pop();
                p.push('.');
            }
            // Already signed in: the message links to it.
            match p.strip_prefix("Sign in to ") {
                Some("see it.") => String::new(),
                Some(rest) => format!("Open it in OpenPEP to {rest}"),
                None => p,
            }
        })
        .filter(|p| !p.is_empty() && p != NO_NAMES)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inbox_keeps_the_words_without_the_link_or_the_names_line() {
        let content = pep_signed_off("https://pep.example/children/1", "3 June 2027 at 10:00");
        let text = for_inbox(&content.body);
        assert!(
            text.starts_with("A Personal Education Plan (PEP) you work on has been signed off")
        );
        assert!(text.contains("The next PEP meeting is on 3 June 2027 at 10:00"));
        assert!(!text.contains("https://"));
        assert!(!text.contains("does not say who they are"));
        let invited =
            for_inbox(&meeting_invitation("Tuesday 1 December 2026 at 10am", "https://x").body);
        assert!(invited.ends_with(
            "Open it in OpenPEP to see who the meeting is about, and to accept, decline or propose another time."
        ));
        assert!(!invited.contains("calendar file"));
        let waiting = message_waiting("https://pep.example/messages/1");
        assert!(!waiting.body.to_lowercase().contains("child's name"));
    }
}
