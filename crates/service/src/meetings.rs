//! The PEP meeting's arrangements: arranging, moving and cancelling it,
//! the invitations (each an e-mail with a calendar file), the invitees'
//! answers, and the reminder two days before.

use chrono::{DateTime, TimeDelta, Utc};
use openpep_domain::meeting::answer;
use openpep_domain::meeting::arrange::{self, ArrangeContext, Arrangement, Candidate, Invitee};
use openpep_domain::meeting::ics::{Attendee, CalendarEvent, Method};
use openpep_domain::meeting::{InviteeRole, MeetingStatus, Response, when_label, where_held};
use openpep_domain::pages::Fields;
use openpep_domain::pep_cycle::PepEvent;
use openpep_domain::template::PageKind;
use openpep_domain::{Action, Role};
use openpep_store::meetings::{
    self as meeting_rows, Change, ChangeRow, InvitationRow, InviteeRow, MeetingFields, MeetingRow,
    NewInvitee, Rewrite,
};
use openpep_store::outbox::{self, OutboxEmail};
use openpep_store::{StoreError, Tx, audit, peps, placements, users};
use serde_json::json;
use uuid::Uuid;

use crate::inbox::About;
use crate::invitations::FormError;
use crate::mail::messages;
use crate::pep_editing::{PageSubmission, PepRef, PepView, field_errors, pep_path};
use crate::{Actor, ServiceError, Services};

/// The meeting page: the PEP, its meeting (if arranged), who is invited,
/// the history of changes, and who could be invited.
#[derive(Debug, Clone)]
pub struct MeetingPage {
    pub view: PepView,
    pub meeting: Option<MeetingRow>,
    pub invitees: Vec<InviteeRow>,
    pub changes: Vec<ChangeRow>,
    pub candidates: Vec<Candidate>,
}

impl MeetingPage {
    /// Whether this person may arrange, move or cancel the meeting now.
    pub fn may_arrange(&self) -> bool {
        openpep_domain::allowed(self.view.role, Action::ArrangeMeeting, self.view.relationship)
            && !self.view.locked()
            && !self.held()
    }

    /// The meeting was confirmed as held: its arrangements are history.
    pub fn held(&self) -> bool {
        self.meeting.as_ref().is_some_and(|m| m.status == MeetingStatus::Held.code())
    }

    /// Whether this person may confirm the meeting took place now.
    pub fn may_confirm(&self, now: DateTime<Utc>) -> bool {
        self.may_arrange() && self.arranged().is_some_and(|m| m.starts_at <= now)
    }

    /// The meeting, if it is arranged and not cancelled.
    pub fn arranged(&self) -> Option<&MeetingRow> {
        self.meeting.as_ref().filter(|m| m.status != MeetingStatus::Cancelled.code())
    }

    /// The arrangement as the form shows it: the current meeting's, with
    /// its invitees ticked or listed.
    pub fn fields(&self) -> Fields {
        self.arranged()
            .map(|m| arrange::fields_of(&stored_arrangement(m, &self.invitees)))
            .unwrap_or_default()
    }

    pub fn context(&self, now: DateTime<Utc>, add_entry: Option<String>) -> ArrangeContext {
        ArrangeContext { now, candidates: self.candidates.clone(), add_entry }
    }
}

/// How a role with access to the child is invited.
fn invitee_role(role: &str) -> Option<InviteeRole> {
    Some(match Role::from_code(role)? {
        Role::SocialWorker => InviteeRole::SocialWorker,
        Role::DesignatedTeacher | Role::DesignatedProfessional => InviteeRole::DesignatedTeacher,
        Role::VsHead | Role::VsOfficer => InviteeRole::VsOfficer,
        Role::Carer => InviteeRole::Carer,
        Role::YoungPerson => InviteeRole::YoungPerson,
        Role::Iro => InviteeRole::Iro,
        _ => InviteeRole::Other,
    })
}

const CHANGED: &str = "Someone else changed the meeting while you were editing it. Check it and make your change again";

impl Services {
    /// The meeting page; not logged.
    async fn load_meeting(&self, actor: &Actor, at: PepRef) -> Result<MeetingPage, ServiceError> {
        let view = self.load_pep_to_save(actor, at).await?;
        let la_id = actor.la_id;
        let meeting = meeting_rows::for_pep(&self.db, la_id, view.pep.id).await?;
        let meeting_id = meeting.as_ref().map(|m| m.id);
        let (invitees, changes, workers, officers) = tokio::try_join!(
            async {
                Ok::<_, ServiceError>(match meeting_id {
                    Some(id) => meeting_rows::invitees(&self.db, la_id, id).await?,
                    None => Vec::new(),
                })
            },
            async {
                Ok(match meeting_id {
                    Some(id) => meeting_rows::changes(&self.db, la_id, id).await?,
                    None => Vec::new(),
                })
            },
            async { Ok(placements::allocations(&self.db, la_id, view.child.id).await?) },
            async { Ok(users::staff_in_roles(&self.db, la_id, &["vs_officer", "vs_head"]).await?) },
        )?;
        let mut candidates: Vec<Candidate> = Vec::new();
        let current = workers.into_iter().filter(|w| w.ended_on.is_none());
        let people = current
            .map(|w| (w.user_id, w.display_name, w.email, w.role))
            .chain(officers.into_iter().map(|o| (o.user_id, o.display_name, o.email, o.role)));
        for (user_id, name, email, role) in people {
            let key = user_id.to_string();
            let Some(role) = invitee_role(&role) else { continue };
            if !candidates.iter().any(|c| c.key == key) {
                candidates.push(Candidate { key, name, role, email });
            }
        }
        Ok(MeetingPage { view, meeting, invitees, changes, candidates })
    }

    /// The meeting page; the view is logged.
    pub async fn open_meeting(
        &self,
        actor: &Actor,
        at: PepRef,
    ) -> Result<MeetingPage, ServiceError> {
        let page = self.load_meeting(actor, at).await?;
        self.log_pep_view(actor, &page.view, Some("meeting_arrangements")).await?;
        Ok(page)
    }

    /// Arranges the meeting, or changes it: the invitees each get an
    /// e-mail with the calendar file (an update, with a higher SEQUENCE,
    /// when it changes), and anyone left out a cancellation.
    pub async fn arrange_meeting(
        &self,
        actor: &Actor,
        at: PepRef,
        base_version: i64,
        fields: &Fields,
    ) -> Result<(), FormError> {
        let page = self.load_meeting(actor, at).await?;
        if !openpep_domain::allowed(actor.role, Action::ArrangeMeeting, page.view.relationship) {
            return Err(ServiceError::NotFound.into());
        }
        if page.view.locked() {
            return Err(FormError::refused(
                "form",
                "This PEP has been signed off: its meeting can no longer change",
            ));
        }
        if page.held() {
            return Err(FormError::refused(
                "form",
                "The meeting has taken place: its arrangements can no longer change",
            ));
        }
        let now = self.clock.now();
        let checked = arrange::check(fields, &page.context(now, None))
            .map_err(|p| FormError::Invalid(field_errors(p)))?;
        let f = MeetingFields {
            starts_at: checked.starts_at,
            duration_minutes: i64::from(checked.duration_minutes),
            place: &checked.place,
            video_link: &checked.video_link,
            chair: &checked.chair,
            recorder: &checked.recorder,
        };
        let la_id = actor.la_id;
        // Read before the transaction: it holds SQLite's write lock.
        let organiser = users::get(&self.db, actor.user_id).await?;
        let mut tx = self.db.begin().await?;
        let (meeting_id, change, sequence, moved) = match &page.meeting {
            None => {
                let id = Uuid::now_v7();
                let at = (la_id, page.view.child.id, page.view.pep.id);
                match meeting_rows::insert(&mut tx, id, at, &f, actor.user_id, now).await {
                    Ok(()) => {}
                    Err(StoreError::Duplicate { .. }) => {
                        return Err(FormError::refused("form", CHANGED));
                    }
                    Err(e) => return Err(e.into()),
                }
                (id, "arranged", 0, true)
            }
            Some(m) => {
                let rewrite = Rewrite {
                    la_id,
                    id: m.id,
                    expected_version: base_version,
                    fields: f.clone(),
                    status: MeetingStatus::Scheduled.code(),
                    by: actor.user_id,
                    now,
                };
                match meeting_rows::update(&mut tx, &rewrite).await {
                    Ok(_) => {}
                    Err(StoreError::StaleVersion) => {
                        return Err(FormError::refused("form", CHANGED));
                    }
                    Err(e) => return Err(e.into()),
                }
                let was_cancelled = m.status == MeetingStatus::Cancelled.code();
                let moved = was_cancelled || m.starts_at != checked.starts_at;
                let change = match (was_cancelled, moved) {
                    (true, _) => "arranged",
                    (false, true) => "rescheduled",
                    (false, false) => "changed",
                };
                (m.id, change, m.sequence + 1, moved)
            }
        };
        // Everyone invited is (re)written; a new time asks them all again.
        for invitee in &checked.invitees {
            let user_id = invitee.key.as_deref().and_then(|k| Uuid::parse_str(k).ok());
            let new = NewInvitee {
                id: Uuid::now_v7(),
                la_id,
                meeting_id,
                user_id,
                name: &invitee.name,
                email: &invitee.email,
                role: invitee.role.code(),
            };
            meeting_rows::invite(&mut tx, &new, moved).await?;
        }
        let left_out: Vec<&InviteeRow> = page
            .invitees
            .iter()
            .filter(|old| !checked.invitees.iter().any(|i| i.email == old.email))
            .collect();
        for old in &left_out {
            meeting_rows::uninvite(&mut tx, la_id, old.id, now).await?;
        }
        let reason = fields.get("reason").map(|r| r.trim()).unwrap_or_default();
        let record = Change {
            la_id,
            meeting_id,
            change,
            starts_at: checked.starts_at,
            place: where_held(&checked.place, &checked.video_link),
            reason,
            by: actor.user_id,
            now,
        };
        meeting_rows::record_change(&mut tx, &record, Uuid::now_v7()).await?;
        peps::set_meeting_at(&mut tx, la_id, page.view.pep.id, Some(checked.starts_at), now)
            .await?;
        let event = self.calendar_event(
            meeting_id,
            sequence,
            Method::Request,
            &checked,
            (&organiser.display_name, &organiser.email),
            now,
        );
        let link = format!("{}/invitations", self.public_url);
        let about = invitations_about(page.view.child.id);
        let when = when_label(checked.starts_at);
        for invitee in &checked.invitees {
            let content = match change {
                "arranged" => messages::meeting_invitation(&when, &link),
                _ => messages::meeting_changed(&when, &link),
            };
            queue(&mut tx, la_id, &invitee.email, content, Some(event.to_ics()), &about, now)
                .await?;
        }
        if !left_out.is_empty() {
            let cancelled = CalendarEvent { method: Method::Cancel, ..event.clone() };
            for old in left_out {
                let content = messages::meeting_cancelled(&when);
                let ics = Some(cancelled.to_ics());
                queue(&mut tx, la_id, &old.email, content, ics, &about, now).await?;
            }
        }
        let details = json!({
            "pep": page.view.pep.id,
            "change": change,
            "sequence": sequence,
            "invitees": checked.invitees.len(),
        });
        let event = actor.event_about_child(
            &format!("meeting.{change}"),
            ("meeting", meeting_id),
            page.view.child.id,
            details,
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Cancels the meeting: every invitee gets the calendar's cancellation.
    pub async fn cancel_meeting(
        &self,
        actor: &Actor,
        at: PepRef,
        base_version: i64,
        reason: &str,
    ) -> Result<(), FormError> {
        let page = self.load_meeting(actor, at).await?;
        if !page.may_arrange() {
            return Err(ServiceError::NotFound.into());
        }
        let Some(m) = page.arranged() else { return Err(ServiceError::NotFound.into()) };
        let reason = reason.trim();
        if reason.is_empty() {
            let mut errors = crate::FieldErrors::default();
            errors.add("reason", "Enter why the meeting is cancelled");
            return Err(FormError::Invalid(errors));
        }
        let now = self.clock.now();
        let la_id = actor.la_id;
        let f = MeetingFields {
            starts_at: m.starts_at,
            duration_minutes: m.duration_minutes,
            place: &m.place,
            video_link: &m.video_link,
            chair: &m.chair,
            recorder: &m.recorder,
        };
        let organiser = users::get(&self.db, actor.user_id).await?;
        let mut tx = self.db.begin().await?;
        let rewrite = Rewrite {
            la_id,
            id: m.id,
            expected_version: base_version,
            fields: f,
            status: MeetingStatus::Cancelled.code(),
            by: actor.user_id,
            now,
        };
        match meeting_rows::update(&mut tx, &rewrite).await {
            Ok(_) => {}
            Err(StoreError::StaleVersion) => return Err(FormError::refused("form", CHANGED)),
            Err(e) => return Err(e.into()),
        }
        let record = Change {
            la_id,
            meeting_id: m.id,
            change: "cancelled",
            starts_at: m.starts_at,
            place: &m.place,
            reason,
            by: actor.user_id,
            now,
        };
        meeting_rows::record_change(&mut tx, &record, Uuid::now_v7()).await?;
        peps::set_meeting_at(&mut tx, la_id, page.view.pep.id, None, now).await?;
        let arrangement = stored_arrangement(m, &page.invitees);
        let event = self.calendar_event(
            m.id,
            m.sequence + 1,
            Method::Cancel,
            &arrangement,
            (&organiser.display_name, &organiser.email),
            now,
        );
        let when = when_label(m.starts_at);
        let about = invitations_about(page.view.child.id);
        for invitee in &page.invitees {
            let content = messages::meeting_cancelled(&when);
            queue(&mut tx, la_id, &invitee.email, content, Some(event.to_ics()), &about, now)
                .await?;
        }
        let event = actor.event_about_child(
            "meeting.cancelled",
            ("meeting", m.id),
            page.view.child.id,
            json!({ "pep": page.view.pep.id, "sequence": m.sequence + 1 }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Confirms the meeting took place: the PEP moves on to sign-off and
    /// the Virtual School is told (the officers invited, or else the
    /// head).
    pub async fn confirm_meeting_held(
        &self,
        actor: &Actor,
        at: PepRef,
        base_version: i64,
    ) -> Result<(), FormError> {
        let page = self.load_meeting(actor, at).await?;
        if !openpep_domain::allowed(actor.role, Action::ArrangeMeeting, page.view.relationship) {
            return Err(ServiceError::NotFound.into());
        }
        let Some(m) = page.arranged() else { return Err(ServiceError::NotFound.into()) };
        let now = self.clock.now();
        if page.view.locked() {
            return Err(FormError::refused("form", "This PEP has been signed off"));
        }
        if m.status == MeetingStatus::Held.code() {
            return Err(FormError::refused(
                "form",
                "The meeting has already been confirmed as held",
            ));
        }
        if m.starts_at > now {
            return Err(FormError::refused(
                "form",
                format!(
                    "The meeting is on {}: confirm it once it has taken place",
                    when_label(m.starts_at)
                ),
            ));
        }
        let from = page.view.status();
        let to = from.after(PepEvent::MeetingConfirmed).map_err(|_| {
            FormError::refused("form", "This PEP has already moved past its meeting")
        })?;
        let la_id = actor.la_id;
        let tell = self.virtual_school_to_tell(la_id, &page.invitees).await?;
        let mut tx = self.db.begin().await?;
        match meeting_rows::mark_held(&mut tx, la_id, m.id, base_version, actor.user_id, now).await
        {
            Ok(()) => {}
            Err(StoreError::StaleVersion) => return Err(FormError::refused("form", CHANGED)),
            Err(e) => return Err(e.into()),
        }
        peps::set_status(&mut tx, la_id, page.view.pep.id, from.code(), to.code(), now).await?;
        let about = About { child_id: page.view.child.id, path: at.path() };
        let link = format!("{}{}", self.public_url, about.path);
        for email in &tell {
            queue(&mut tx, la_id, email, messages::meeting_held(&link), None, &about, now).await?;
        }
        let event = actor.event_about_child(
            "meeting.held",
            ("meeting", m.id),
            page.view.child.id,
            json!({ "pep": page.view.pep.id, "status": to.code() }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The calendar entry every invitee is sent. It names no child: the
    /// description says where to sign in to see who the meeting is about.
    fn calendar_event(
        &self,
        meeting_id: Uuid,
        sequence: i64,
        method: Method,
        a: &Arrangement,
        organiser: (&str, &str),
        now: DateTime<Utc>,
    ) -> CalendarEvent {
        let link = format!("{}/invitations", self.public_url);
        let location = where_held(&a.place, &a.video_link).to_owned();
        CalendarEvent {
            uid: format!("{meeting_id}@openpep"),
            sequence: u32::try_from(sequence).unwrap_or(0),
            method,
            stamp: now,
            starts_at: a.starts_at,
            ends_at: a.ends_at(),
            summary: "PEP meeting".into(),
            location,
            description: format!(
                "A Personal Education Plan meeting. Chair: {}. Recording: {}.{}\n\n\
                 Sign in to OpenPEP to see who it is about and to answer: {link}",
                a.chair,
                a.recorder,
                if a.video_link.is_empty() {
                    String::new()
                } else {
                    format!(" Video link: {}", a.video_link)
                }
            ),
            url: Some(link),
            organizer_name: organiser.0.to_owned(),
            organizer_email: organiser.1.to_owned(),
            attendees: a
                .invitees
                .iter()
                .map(|i| Attendee {
                    // The child, their carer or parent would name the child.
                    name: match i.role {
                        InviteeRole::YoungPerson | InviteeRole::Carer | InviteeRole::Parent => {
                            String::new()
                        }
                        _ => i.name.clone(),
                    },
                    email: i.email.clone(),
                    response: Response::NeedsAction,
                })
                .collect(),
        }
    }

    /// The person's invitations to meetings from yesterday on.
    pub async fn my_invitations(&self, actor: &Actor) -> Result<Vec<InvitationRow>, ServiceError> {
        let since = self.clock.now() - TimeDelta::days(1);
        Ok(meeting_rows::invitations_for(&self.db, actor.la_id, actor.user_id, since).await?)
    }

    /// How many invitations wait for the person's answer.
    pub async fn unanswered_invitations(&self, actor: &Actor) -> Result<i64, ServiceError> {
        let now = self.clock.now();
        Ok(meeting_rows::unanswered_count(&self.db, actor.la_id, actor.user_id, now).await?)
    }

    /// Records the person's answer to one of their invitations; someone
    /// else's invitation is not found. The one who arranged the meeting
    /// is told.
    pub async fn answer_invitation(
        &self,
        actor: &Actor,
        invitee_id: Uuid,
        fields: &Fields,
    ) -> Result<(), FormError> {
        let mine = self.my_invitations(actor).await?;
        let invitation =
            mine.iter().find(|i| i.invitee_id == invitee_id).ok_or(ServiceError::NotFound)?;
        if invitation.status != MeetingStatus::Scheduled.code() {
            return Err(FormError::refused("form", "This meeting has been cancelled"));
        }
        let now = self.clock.now();
        let checked =
            answer::check(fields, now).map_err(|p| FormError::Invalid(field_errors(p)))?;
        let arranger =
            meeting_rows::arranged_by(&self.db, actor.la_id, invitation.meeting_id).await?;
        let mut tx = self.db.begin().await?;
        let write = meeting_rows::Answer {
            la_id: actor.la_id,
            invitee_id,
            user_id: actor.user_id,
            response: checked.response.code(),
            proposed_at: checked.proposed_at,
            note: &checked.note,
            now,
        };
        meeting_rows::answer(&mut tx, &write).await.map_err(|e| match e {
            StoreError::NotFound => ServiceError::NotFound,
            e => e.into(),
        })?;
        if let Some(email) = arranger {
            let path = format!("{}/meeting", pep_path(invitation.child_id, invitation.pep_id));
            let link = format!("{}{path}", self.public_url);
            let about = About { child_id: invitation.child_id, path };
            let content = messages::meeting_answered(checked.response.label(), &link);
            queue(&mut tx, actor.la_id, &email, content, None, &about, now).await?;
        }
        let event = actor.event_about_child(
            "meeting.answered",
            ("meeting", invitation.meeting_id),
            invitation.child_id,
            json!({ "response": checked.response.code() }),
            now,
        );
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues the reminder for every meeting in the next two days whose
    /// reminder has not gone; how many meetings were reminded.
    pub async fn send_meeting_reminders(&self) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let due = meeting_rows::due_reminders(&self.db, now, now + TimeDelta::days(2)).await?;
        let mut sent = 0;
        for m in due {
            let invitees = meeting_rows::invitees(&self.db, m.la_id, m.id).await?;
            let mut tx = self.db.begin().await?;
            if !meeting_rows::mark_reminded(&mut tx, m.id, now).await? {
                continue;
            }
            let when = when_label(m.starts_at);
            let link = format!("{}/invitations", self.public_url);
            let about = invitations_about(m.child_id);
            for invitee in invitees.iter().filter(|i| i.response != Response::Declined.code()) {
                let content = messages::meeting_reminder(&when, &link);
                queue(&mut tx, m.la_id, &invitee.email, content, None, &about, now).await?;
            }
            tx.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }
}

/// The stored meeting as an arrangement (to send its cancellation).
fn stored_arrangement(m: &MeetingRow, invitees: &[InviteeRow]) -> Arrangement {
    Arrangement {
        starts_at: m.starts_at,
        duration_minutes: u32::try_from(m.duration_minutes).unwrap_or(60),
        place: m.place.clone(),
        video_link: m.video_link.clone(),
        chair: m.chair.clone(),
        recorder: m.recorder.clone(),
        invitees: invitees
            .iter()
            .map(|i| Invitee {
                key: i.user_id.map(|id| id.to_string()),
                name: i.name.clone(),
                email: i.email.clone(),
                role: InviteeRole::from_code(&i.role).unwrap_or(InviteeRole::Other),
            })
            .collect(),
    }
}

/// Queues the e-mail (with its calendar file) and puts its words in the
/// inbox of the authority's member it goes to.
async fn queue(
    tx: &mut Tx,
    la_id: Uuid,
    to: &str,
    content: messages::Content,
    calendar: Option<String>,
    about: &About,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::inbox::notify(tx, la_id, to, &content, about, now).await?;
    let email = OutboxEmail::new(Some(la_id), to, content.kind, content.subject, content.body, now);
    let email = match calendar {
        Some(ics) => email.with_calendar(ics),
        None => email,
    };
    outbox::enqueue(tx, &email).await
}

/// Invitations lead to the person's "PEP invitations".
fn invitations_about(child_id: Uuid) -> About {
    About { child_id, path: "/invitations".into() }
}

impl Services {
    /// Who at the Virtual School hears that the meeting was held or the PEP
    /// signed off: the officers invited to the meeting, or else its heads.
    pub(crate) async fn virtual_school_to_tell(
        &self,
        la_id: Uuid,
        invitees: &[InviteeRow],
    ) -> Result<Vec<String>, ServiceError> {
        let invited: Vec<String> = invitees
            .iter()
            .filter(|i| i.role == InviteeRole::VsOfficer.code())
            .map(|i| i.email.clone())
            .collect();
        if !invited.is_empty() {
            return Ok(invited);
        }
        let heads = users::staff_in_roles(&self.db, la_id, &["vs_head"]).await?;
        Ok(heads.into_iter().map(|h| h.email).collect())
    }

    /// What a page's form starts from before anyone writes it: the
    /// meeting record lists the invitees who accepted (or, if no one
    /// answered, everyone invited), beside anything already saved. `None`:
    /// the saved answers as they are.
    pub async fn page_start(
        &self,
        view: &PepView,
        page_key: &str,
    ) -> Result<Option<PageSubmission>, ServiceError> {
        use openpep_domain::pages::meeting_record::{
            AttendeeRole, attendee_names, prefill_present,
        };
        let saved = view.answers(page_key);
        let is_record = view.page(page_key).is_some_and(|p| p.kind == PageKind::Meeting);
        let written = saved.as_ref().is_some_and(|a| !attendee_names(a).is_empty());
        if !is_record || written {
            return Ok(None);
        }
        let (la_id, pep_id) = (view.pep.la_id, view.pep.id);
        let Some(meeting) = meeting_rows::for_pep(&self.db, la_id, pep_id).await? else {
            return Ok(None);
        };
        let invitees = meeting_rows::invitees(&self.db, la_id, meeting.id).await?;
        let accepted: Vec<&InviteeRow> =
            invitees.iter().filter(|i| i.response == Response::Accepted.code()).collect();
        let chosen = if accepted.is_empty() { invitees.iter().collect() } else { accepted };
        let people: Vec<(String, AttendeeRole)> = chosen
            .into_iter()
            .map(|i| {
                let role = AttendeeRole::from_code(&i.role).unwrap_or(AttendeeRole::Other);
                (i.name.clone(), role)
            })
            .collect();
        if people.is_empty() {
            return Ok(None);
        }
        let mut answers = prefill_present(&people);
        for (field, value) in saved.unwrap_or_default() {
            answers.entry(field).or_insert(value);
        }
        let base_version = view.pages.get(page_key).map_or(0, |p| p.version);
        Ok(Some(PageSubmission { base_version, answers, completed: false }))
    }
}
