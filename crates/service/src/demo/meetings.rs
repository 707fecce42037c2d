//! The demo's coming meetings: about half the PEPs under way this term
//! have their meeting arranged in the next few weeks, with the social
//! worker and the designated teacher invited and some of them answered.
//! Each PEP draws from its own stream.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use openpep_domain::PepStatus;
use openpep_domain::meeting::{london_to_utc, where_held};
use openpep_store::Tx;
use openpep_store::meetings::{self, Answer, Change, MeetingFields, NewInvitee};
use openpep_store::peps::{self, Pep};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use uuid::Uuid;

use super::{Author, Ids};
use crate::ServiceError;

pub(super) async fn arrange(
    tx: &mut Tx,
    pep: &Pep,
    author: &Author,
    today: NaiveDate,
    now: DateTime<Utc>,
    millis: u64,
) -> Result<(), ServiceError> {
    let seed = pep.id.as_u128() as u64;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6d65_6574);
    if !rng.random_bool(0.5) {
        return Ok(());
    }
    let mut ids = Ids { rng: StdRng::seed_from_u64(seed ^ 0x6d69_6473), millis };
    let mut day = today + TimeDelta::days(rng.random_range(2..24));
    // Meetings are held on school days.
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += TimeDelta::days(1);
    }
    let hour = [9, 10, 13, 14, 15][rng.random_range(0..5)];
    let time = NaiveTime::from_hms_opt(hour, if rng.random_bool(0.5) { 0 } else { 30 }, 0)
        .unwrap_or_default();
    let starts_at = london_to_utc(day, time).map_err(ServiceError::Internal)?;
    let by_video = rng.random_bool(0.3);
    let place = match (&author.school_name, by_video) {
        (Some(school), false) => format!("{school}, meeting room"),
        _ => String::new(),
    };
    let video_link = if place.is_empty() {
        "https://meet.example.org/pep-meeting".to_owned()
    } else {
        String::new()
    };
    let fields = MeetingFields {
        starts_at,
        duration_minutes: 60,
        place: &place,
        video_link: &video_link,
        chair: "The designated teacher",
        recorder: "The social worker",
    };
    let meeting_id = ids.next();
    let by = author.teacher.unwrap_or(author.social_worker);
    let arranged_at = now - TimeDelta::days(rng.random_range(1..10));
    meetings::insert(tx, meeting_id, (pep.la_id, pep.child_id, pep.id), &fields, by, arranged_at)
        .await?;
    let change = Change {
        la_id: pep.la_id,
        meeting_id,
        change: "arranged",
        starts_at,
        place: where_held(&place, &video_link),
        reason: "",
        by,
        now: arranged_at,
    };
    meetings::record_change(tx, &change, ids.next()).await?;
    let answered_at = arranged_at + TimeDelta::hours(3);
    // The one who arranged it is coming; the others may have answered.
    let answer = |user_id: Uuid| match rng.random_range(0..10) {
        _ if user_id == by => Some("accepted"),
        0..=4 => Some("accepted"),
        5 => Some("declined"),
        _ => None,
    };
    invite_everyone(tx, &mut ids, (pep, meeting_id), author, answered_at, answer).await?;
    peps::set_meeting_at(tx, pep.la_id, pep.id, Some(starts_at), now).await?;
    Ok(())
}

/// The meeting that took place (at the PEP's meeting time), with everyone
/// invited having accepted, confirmed as held by the designated teacher
/// (unless the PEP is still in progress: then it awaits confirmation).
pub(super) async fn held(
    tx: &mut Tx,
    pep: &Pep,
    author: &Author,
    now: DateTime<Utc>,
    millis: u64,
) -> Result<(), ServiceError> {
    let Some(starts_at) = pep.meeting_at else { return Ok(()) };
    let mut ids = Ids { rng: StdRng::seed_from_u64(pep.id.as_u128() as u64 ^ 0x6865_6c64), millis };
    let place =
        author.school_name.as_ref().map_or_else(String::new, |s| format!("{s}, meeting room"));
    let fields = MeetingFields {
        starts_at,
        duration_minutes: 60,
        place: &place,
        video_link: if place.is_empty() { "https://meet.example.org/pep-meeting" } else { "" },
        chair: "The designated teacher",
        recorder: "The social worker",
    };
    let meeting_id = ids.next();
    let by = author.teacher.unwrap_or(author.social_worker);
    let arranged_at = starts_at - TimeDelta::days(14);
    meetings::insert(tx, meeting_id, (pep.la_id, pep.child_id, pep.id), &fields, by, arranged_at)
        .await?;
    let answered_at = arranged_at + TimeDelta::hours(2);
    let all_come = |_| Some("accepted");
    invite_everyone(tx, &mut ids, (pep, meeting_id), author, answered_at, all_come).await?;
    if pep.status != PepStatus::InProgress.code() {
        meetings::mark_held(tx, pep.la_id, meeting_id, 1, by, now).await?;
    }
    Ok(())
}

/// Invites the child's social worker and teacher, each answering as
/// `answer` says (or not at all).
async fn invite_everyone(
    tx: &mut Tx,
    ids: &mut Ids,
    (pep, meeting_id): (&Pep, Uuid),
    author: &Author,
    answered_at: DateTime<Utc>,
    mut answer: impl FnMut(Uuid) -> Option<&'static str>,
) -> Result<(), ServiceError> {
    for (user_id, name, email, role) in &author.invitees {
        let invitee_id = ids.next();
        let new = NewInvitee {
            id: invitee_id,
            la_id: pep.la_id,
            meeting_id,
            user_id: Some(*user_id),
            name,
            email,
            role,
        };
        meetings::invite(tx, &new, false).await?;
        let Some(response) = answer(*user_id) else { continue };
        let answer = Answer {
            la_id: pep.la_id,
            invitee_id,
            user_id: *user_id,
            response,
            proposed_at: None,
            note: "",
            now: answered_at,
        };
        meetings::answer(tx, &answer).await?;
    }
    Ok(())
}
