//! The demo's messages: a conversation about the cycle child between the
//! demo social worker, the designated teacher and a Virtual School officer,
//! so that "Your messages" opens on something believable.

use chrono::{DateTime, TimeDelta, Utc};
use openpep_domain::messages::MessageKind;
use openpep_store::Tx;
use openpep_store::messages::{self as message_rows, NewMessage};
use uuid::Uuid;

use super::Ids;
use crate::ServiceError;

/// Who writes to whom about the child.
pub(super) struct Circle {
    pub la_id: Uuid,
    pub child_id: Uuid,
    pub social_worker: Uuid,
    pub teacher: Uuid,
    pub officer: Uuid,
}

struct Line {
    from: Uuid,
    body: &'static str,
    hours_ago: i64,
}

pub(super) async fn conversation(
    tx: &mut Tx,
    ids: &mut Ids,
    c: &Circle,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let everyone = [c.social_worker, c.teacher, c.officer];
    let before = [
        Line {
            from: c.social_worker,
            body: "I will bring the carer's notes on homework to the PEP meeting. Could we look \
                   again at the reading support? The carer says the evening reading has helped.",
            hours_ago: 24 * 6,
        },
        Line {
            from: c.teacher,
            body: "Yes. The reading group runs on Tuesdays and Thursdays; I will bring the \
                   latest reading age so we can set the next target from it.",
            hours_ago: 24 * 6 - 3,
        },
        Line {
            from: c.officer,
            body: "Thank you both. If the target needs tutoring, the request for Pupil Premium \
                   Plus can go in straight after the meeting.",
            hours_ago: 24 * 5,
        },
    ];
    thread(tx, ids, c, "Before the PEP meeting", &before, &everyone, now).await?;
    let after = [Line {
        from: c.teacher,
        body: "I am writing up the meeting record this week. Once it is done, could you mark \
               your part completed so that I can sign the PEP off?",
        hours_ago: 20,
    }];
    let two = [c.social_worker, c.teacher];
    thread(tx, ids, c, "The meeting record and sign-off", &after, &two, now).await
}

/// One thread among `people`; everything but its last message is read.
async fn thread(
    tx: &mut Tx,
    ids: &mut Ids,
    c: &Circle,
    subject: &str,
    lines: &[Line],
    people: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let thread_id = ids.next();
    for (i, line) in lines.iter().enumerate() {
        let sent_at = now - TimeDelta::hours(line.hours_ago);
        let message = NewMessage {
            id: if i == 0 { thread_id } else { ids.next() },
            la_id: c.la_id,
            thread_id,
            child_id: Some(c.child_id),
            sender_id: Some(line.from),
            kind: MessageKind::Message.code(),
            subject,
            body: line.body,
            link: None,
            sent_at,
        };
        message_rows::insert(tx, &message, people).await?;
        if i + 1 < lines.len() {
            let read_at = sent_at + TimeDelta::hours(1);
            for person in people {
                message_rows::mark_read(tx, c.la_id, *person, Some(thread_id), read_at).await?;
            }
        }
    }
    Ok(())
}
