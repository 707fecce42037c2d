//! The PEP meeting's arrangements (arrange, change, cancel) and each
//! person's PEP invitations (accept, decline, propose another time).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::meeting::{InviteeRole, utc_to_london, where_held};
use openpep_domain::meeting::{MeetingStatus, Response as Answer, answer, arrange, when_label};
use openpep_domain::pages::{Block, Control, FieldSpec};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::meetings::MeetingPage;
use openpep_service::pep_editing::PepRef;
use serde::Deserialize;

use super::peps::{pep_ref, pep_title};
use super::targets::{BlockForm, Sent, fill, sent};
use crate::components::{Cell, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};
use openpep_service::pep_editing::pep_path;

fn answer_tag(code: &str) -> Tag {
    let response = Answer::from_code(code).unwrap_or(Answer::NeedsAction);
    let colour = match response {
        Answer::Accepted => TagColour::Green,
        Answer::Declined => TagColour::Red,
        Answer::Proposed => TagColour::Yellow,
        Answer::NeedsAction => TagColour::Grey,
    };
    Tag::new(response.label(), colour)
}

/// "Tuesday 1 December 2026, 10am to 11am".
fn when_and_how_long(starts_at: chrono::DateTime<chrono::Utc>, minutes: i64) -> String {
    let ends = utc_to_london(starts_at + chrono::TimeDelta::minutes(minutes)).time();
    format!("{}, until {}", when_label(starts_at), openpep_domain::meeting::time_label(ends))
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/meeting_arrangements.html")]
pub struct ArrangementsPage {
    layout: Layout,
    errors: FieldErrors,
    caption: String,
    back: String,
    base: String,
    status: Option<Tag>,
    details: Vec<SummaryRow>,
    invitees: Table,
    history: Table,
    may_arrange: bool,
    may_confirm: bool,
    arranged: bool,
    version: i64,
    reason: String,
    done: Option<&'static str>,
}

fn arrangements_page(
    state: &AppState,
    user: &CurrentUser,
    page: &MeetingPage,
    errors: FieldErrors,
    reason: String,
    done: Option<&'static str>,
) -> ArrangementsPage {
    let view = &page.view;
    let child = view.child.full_name();
    let at = PepRef { child_id: view.child.id, pep_id: view.pep.id };
    let arranged = page.arranged();
    let mut details = Vec::new();
    if let Some(m) = arranged {
        details.push(SummaryRow::new("When", when_and_how_long(m.starts_at, m.duration_minutes)));
        if !m.place.is_empty() {
            details.push(SummaryRow::new("Where", m.place.clone()));
        }
        if !m.video_link.is_empty() {
            details.push(SummaryRow::new("Video link", m.video_link.clone()));
        }
        details.push(SummaryRow::new("Chair", m.chair.clone()));
        details.push(SummaryRow::new("Recording the meeting", m.recorder.clone()));
    }
    let invitees = Table {
        caption: "Who is invited".into(),
        caption_size: "m",
        head: vec!["Name".into(), "Invited as".into(), "Answer".into()],
        rows: page
            .invitees
            .iter()
            .map(|i| {
                let role = InviteeRole::from_code(&i.role).map_or("", |r| r.label());
                let mut answer = Cell::tag(answer_tag(&i.response));
                if let Some(at) = i.proposed_at {
                    answer.text = format!("Proposed {}", when_label(at));
                }
                if !i.response_note.is_empty() {
                    answer.text = format!("{} “{}”", answer.text, i.response_note).trim().into();
                }
                vec![Cell::text(i.name.clone()).heading(), Cell::text(role), answer]
            })
            .collect(),
        csrf: String::new(),
    };
    let history = Table {
        caption: "Changes to the meeting".into(),
        caption_size: "m",
        head: vec!["When".into(), "What".into(), "By".into(), "Reason".into()],
        rows: page
            .changes
            .iter()
            .rev()
            .map(|c| {
                let what = match c.change.as_str() {
                    "arranged" => format!("Arranged for {}", when_label(c.starts_at)),
                    "rescheduled" => format!("Moved to {}", when_label(c.starts_at)),
                    "cancelled" => "Cancelled".to_owned(),
                    _ => "Details changed".to_owned(),
                };
                vec![
                    Cell::text(when_label(c.changed_at)),
                    Cell::text(what),
                    Cell::text(c.changed_by_name.clone()),
                    Cell::text(c.reason.clone()),
                ]
            })
            .collect(),
        csrf: String::new(),
    };
    let status = page.meeting.as_ref().map(|m| {
        let status = MeetingStatus::from_code(&m.status).unwrap_or(MeetingStatus::Scheduled);
        let colour = match status {
            MeetingStatus::Cancelled => TagColour::Red,
            MeetingStatus::Held => TagColour::Green,
            MeetingStatus::Scheduled => TagColour::Blue,
        };
        Tag::new(status.label(), colour)
    });
    ArrangementsPage {
        layout: Layout::for_user(user, &format!("PEP meeting: {child}"), "/learners")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        caption: format!("{child}: {}", pep_title(view)),
        back: at.path(),
        base: at.path(),
        status,
        details,
        invitees,
        history,
        may_arrange: page.may_arrange(),
        may_confirm: page.may_confirm(state.services.clock.now()),
        arranged: arranged.is_some(),
        version: page.meeting.as_ref().map_or(0, |m| m.version),
        reason,
        done,
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, AppError> {
    let page = state.services.open_meeting(&user.actor, pep_ref(&id, &pep)?).await?;
    let done = q.saved.as_deref().map(|code| match code {
        "held" => "The meeting is confirmed as held. The Virtual School has been told.",
        "cancelled" => "The meeting is cancelled. Everyone invited has been told.",
        _ => "The meeting is saved and the invitations are on their way.",
    });
    let html = arrangements_page(&state, &user, &page, FieldErrors::default(), String::new(), done);
    Ok(html.into_response())
}

fn arrange_form(
    state: &AppState,
    user: &CurrentUser,
    page: &MeetingPage,
    sent: &Sent,
    errors: FieldErrors,
) -> BlockForm {
    let now = state.services.clock.now();
    let ctx = page.context(now, sent.add.clone());
    let mut blocks = arrange::layout(&sent.fields, &ctx);
    if page.arranged().is_some() {
        blocks.push(Block::field(
            FieldSpec::new("reason", "Why is the meeting changing? (optional)", Control::LongText)
                .hint("Kept in the meeting's history"),
        ));
    }
    let filled = fill(&blocks, sent, errors, page.may_arrange());
    let view = &page.view;
    let at = PepRef { child_id: view.child.id, pep_id: view.pep.id };
    let child = view.child.full_name();
    let heading =
        if page.arranged().is_some() { "Change the meeting" } else { "Arrange the meeting" };
    let back = (
        format!("{child}: {}", pep_title(view)),
        format!("{}/meeting", at.path()),
        "Back to the meeting",
    );
    let mut form = BlockForm {
        action: format!("{}/meeting/arrange", at.path()),
        button: "Save and send the invitations".into(),
        ..BlockForm::new(state, user, (heading, &format!("{heading}: {child}")), back, filled)
    };
    form.intro.push(
        "Everyone invited gets an e-mail with a calendar file. If you change the time, they are sent an update and asked again.".into(),
    );
    form
}

pub async fn show_arrange(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let page = state.services.open_meeting(&user.actor, pep_ref(&id, &pep)?).await?;
    let view = &page.view;
    if !openpep_domain::allowed(
        view.role,
        openpep_domain::Action::ArrangeMeeting,
        view.relationship,
    ) {
        return Err(AppError::NotFound);
    }
    // Signed off, or the meeting already held: nothing to change.
    if !page.may_arrange() {
        return Err(AppError::Forbidden);
    }
    let sent = Sent {
        fields: page.fields(),
        version: page.meeting.as_ref().map_or(0, |m| m.version),
        add: None,
    };
    Ok(arrange_form(&state, &user, &page, &sent, FieldErrors::default()).respond())
}

pub async fn arrange(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let sent = sent(fields);
    if sent.add.is_some() {
        let page = state.services.open_meeting(&user.actor, at).await?;
        return Ok(arrange_form(&state, &user, &page, &sent, FieldErrors::default()).respond());
    }
    match state.services.arrange_meeting(&user.actor, at, sent.version, &sent.fields).await {
        Ok(()) => Ok(Redirect::to(&format!("{}/meeting?saved=1", at.path())).into_response()),
        Err(FormError::Invalid(errors)) => {
            let page = state.services.open_meeting(&user.actor, at).await?;
            Ok(arrange_form(&state, &user, &page, &sent, errors).respond())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    reason: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(f): Form<CancelForm>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.cancel_meeting(&user.actor, at, f.version, &f.reason).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("{}/meeting?saved=cancelled", at.path())).into_response())
        }
        Err(FormError::Invalid(errors)) => {
            let page = state.services.open_meeting(&user.actor, at).await?;
            let html = arrangements_page(&state, &user, &page, errors, f.reason, None);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct HeldForm {
    #[serde(default)]
    version: i64,
}

pub async fn confirm_held(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(f): Form<HeldForm>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.confirm_meeting_held(&user.actor, at, f.version).await {
        Ok(()) => Ok(Redirect::to(&format!("{}/meeting?saved=held", at.path())).into_response()),
        Err(FormError::Invalid(errors)) => {
            let page = state.services.open_meeting(&user.actor, at).await?;
            let html = arrangements_page(&state, &user, &page, errors, String::new(), None);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/invitations.html")]
pub struct InvitationsPage {
    layout: Layout,
    rows: Vec<InvitationView>,
    answered: bool,
}

pub struct InvitationView {
    pub child: String,
    /// "Answer", or "Change your answer" once answered.
    pub link_text: String,
    /// The time proposed, when the answer was another time.
    pub proposed: String,
    pub pep_href: String,
    pub when: String,
    pub place: String,
    pub cancelled: bool,
    pub answer: Tag,
    pub href: String,
}

#[derive(Deserialize, Default)]
pub struct AnsweredQuery {
    #[serde(default)]
    answered: Option<String>,
}

pub async fn invitations(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<AnsweredQuery>,
) -> Result<Response, AppError> {
    let rows = state.services.my_invitations(&user.actor).await?;
    let rows = rows
        .into_iter()
        .map(|i| InvitationView {
            child: format!("{} {}", i.forename, i.surname),
            pep_href: pep_path(i.child_id, i.pep_id),
            when: when_and_how_long(i.starts_at, i.duration_minutes),
            place: if i.place.is_empty() { "By video".into() } else { i.place.clone() },
            cancelled: i.status == MeetingStatus::Cancelled.code(),
            answer: answer_tag(&i.response),
            link_text: if i.response == Answer::NeedsAction.code() {
                "Answer".into()
            } else {
                "Change your answer".into()
            },
            proposed: i.proposed_at.map(when_label).unwrap_or_default(),
            href: format!("/invitations/{}", i.invitee_id),
        })
        .collect();
    Ok(InvitationsPage {
        layout: Layout::for_user(&user, "PEP invitations", "/invitations")
            .dev(state.config.dev_mode),
        rows,
        answered: q.answered.is_some(),
    }
    .into_response())
}

fn answer_form(
    state: &AppState,
    user: &CurrentUser,
    invitation: &openpep_store::meetings::InvitationRow,
    sent: &Sent,
    errors: FieldErrors,
) -> BlockForm {
    let filled = fill(&answer::layout(), sent, errors, true);
    let back =
        ("PEP invitations".to_owned(), "/invitations".to_owned(), "Back to your invitations");
    let mut form = BlockForm {
        action: format!("/invitations/{}", invitation.invitee_id),
        button: "Send your answer".into(),
        ..BlockForm::new(
            state,
            user,
            ("Answer the invitation", "Answer a PEP invitation"),
            back,
            filled,
        )
    };
    form.layout = Layout::for_user(user, "Answer a PEP invitation", "/invitations")
        .dev(state.config.dev_mode)
        .with_errors(!form.errors.is_empty());
    form.context = vec![
        SummaryRow::new(
            "PEP meeting for",
            format!("{} {}", invitation.forename, invitation.surname),
        ),
        SummaryRow::new(
            "When",
            when_and_how_long(invitation.starts_at, invitation.duration_minutes),
        ),
        SummaryRow::new("Where", where_held(&invitation.place, &invitation.video_link)),
    ];
    form
}

async fn my_invitation(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<openpep_store::meetings::InvitationRow, AppError> {
    let id = super::id_or_404(id)?;
    let mine = state.services.my_invitations(&user.actor).await?;
    mine.into_iter().find(|i| i.invitee_id == id).ok_or(AppError::NotFound)
}

pub async fn show_answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let invitation = my_invitation(&state, &user, &id).await?;
    let mut fields = openpep_domain::pages::Fields::new();
    if invitation.response != Answer::NeedsAction.code() {
        fields.insert("response".into(), invitation.response.clone());
    }
    let sent = Sent { fields, version: 0, add: None };
    Ok(answer_form(&state, &user, &invitation, &sent, FieldErrors::default()).respond())
}

pub async fn save_answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let invitation = my_invitation(&state, &user, &id).await?;
    let sent = sent(fields);
    match state.services.answer_invitation(&user.actor, invitation.invitee_id, &sent.fields).await {
        Ok(()) => Ok(Redirect::to("/invitations?answered=1").into_response()),
        Err(FormError::Invalid(errors)) => {
            Ok(answer_form(&state, &user, &invitation, &sent, errors).respond())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
