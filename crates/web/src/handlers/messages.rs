//! "Your messages": the inbox, a thread with its reply, and a new message
//! about a child.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::meeting::when_label;
use openpep_domain::messages::MessageKind;
use openpep_service::FieldErrors;
use openpep_service::inbox::{Recipient, THREADS_PER_PAGE, ThreadView};
use openpep_service::invitations::FormError;
use openpep_store::messages::ThreadRow;
use serde::Deserialize;

use crate::components::{Cell, Choice, Pagination, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    page: Option<u32>,
    read: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/messages.html")]
pub struct InboxPage {
    layout: Layout,
    table: Table,
    pagination: Pagination,
    unread: bool,
    done: Option<String>,
}

fn from_label(row: &ThreadRow) -> String {
    row.started_by.clone().unwrap_or_else(|| "OpenPEP".to_owned())
}

fn inbox_row(row: &ThreadRow) -> Vec<Cell> {
    let kind = MessageKind::from_code(&row.kind).unwrap_or(MessageKind::Message);
    let href = format!("/messages/{}", row.thread_id);
    let mut subject = if row.visible {
        Cell::link(row.subject.clone(), href)
    } else {
        Cell::link("About a child whose record you cannot see", href)
            .with_context(format!("(latest {})", when_label(row.last_at)))
    }
    .heading();
    if row.unread > 0 {
        subject = subject.with_tag(Tag::new("Unread", TagColour::Blue));
    }
    if !row.visible {
        // Nothing of it shows: not who wrote, nor how much.
        return vec![subject, Cell::text(""), Cell::text(""), Cell::text(""), Cell::text("")];
    }
    let about = row.child_name.clone().unwrap_or_default();
    let replies =
        if row.messages > 1 { format!(" ({} messages)", row.messages) } else { String::new() };
    vec![
        subject,
        Cell::text(about),
        Cell::text(format!("{}{replies}", kind.label())),
        Cell::text(from_label(row)),
        Cell::text(when_label(row.last_at)),
    ]
}

pub async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<InboxQuery>,
) -> Result<Response, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let threads = state.services.inbox(&user.actor, page).await?;
    let last_page = u32::try_from(threads.total.max(1) - 1).unwrap_or(0) / THREADS_PER_PAGE + 1;
    let unread = threads.rows.iter().any(|r| r.unread > 0) || user.session.unread_messages > 0;
    let done = q.read.map(|n| match n {
        0 => "There were no unread messages.".to_owned(),
        1 => "1 message marked as read.".to_owned(),
        n => format!("{n} messages marked as read."),
    });
    let table = Table {
        caption: "Messages and notifications".into(),
        caption_size: "m",
        head: ["Subject", "About", "Type", "From", "Latest"].map(String::from).to_vec(),
        rows: threads.rows.iter().map(inbox_row).collect(),
        csrf: String::new(),
    };
    Ok(InboxPage {
        layout: Layout::for_user(&user, "Your messages", "/messages").dev(state.config.dev_mode),
        table,
        pagination: Pagination::new(page, last_page, |n| format!("/messages?page={n}")),
        unread,
        done,
    }
    .into_response())
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let n = state.services.mark_all_messages_read(&user.actor).await?;
    Ok(Redirect::to(&format!("/messages?read={n}")).into_response())
}

/// One message as the thread shows it.
pub struct MessageView {
    pub from: String,
    pub sent: String,
    pub paragraphs: Vec<String>,
    pub link: Option<String>,
    pub mine: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/message_thread.html")]
pub struct ThreadPage {
    layout: Layout,
    thread_id: String,
    visible: bool,
    kind: &'static str,
    subject: String,
    child: Option<(String, String)>,
    people: String,
    messages: Vec<MessageView>,
    may_reply: bool,
    body: String,
    errors: FieldErrors,
    done: Option<&'static str>,
}

fn thread_page(
    state: &AppState,
    user: &CurrentUser,
    thread_id: &str,
    view: ThreadView,
    body: String,
    errors: FieldErrors,
    done: Option<&'static str>,
) -> ThreadPage {
    // The subject may name the child: it stays out of the browser's title.
    let layout = Layout::for_user(user, "Message", "/messages")
        .read(view.newly_read)
        .dev(state.config.dev_mode)
        .with_errors(!errors.is_empty());
    let messages = view
        .messages
        .iter()
        .map(|m| MessageView {
            from: m.sender_name.clone().unwrap_or_else(|| "OpenPEP".to_owned()),
            sent: when_label(m.sent_at),
            paragraphs: m.body.split('\n').map(str::to_owned).filter(|p| !p.is_empty()).collect(),
            link: m.link.clone(),
            mine: m.sender_id == Some(user.actor.user_id),
        })
        .collect();
    ThreadPage {
        layout,
        thread_id: thread_id.to_owned(),
        visible: view.visible,
        kind: view.kind.label(),
        subject: view.subject,
        child: view.child.map(|c| (c.full_name(), format!("/children/{}", c.id))),
        people: view.people.join(", "),
        messages,
        may_reply: view.may_reply,
        body,
        errors,
        done,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ThreadQuery {
    sent: Option<String>,
}

pub async fn show_thread(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(thread): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, AppError> {
    let thread_id = super::id_or_404(&thread)?;
    let view = state.services.message_thread(&user.actor, thread_id).await?;
    let done = q.sent.is_some().then_some("Your message has been sent.");
    let page =
        thread_page(&state, &user, &thread, view, String::new(), FieldErrors::default(), done);
    Ok(page.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

pub async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(thread): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, AppError> {
    let thread_id = super::id_or_404(&thread)?;
    match state.services.reply_to_thread(&user.actor, thread_id, &form.body).await {
        Ok(()) => Ok(Redirect::to(&format!("/messages/{thread}?sent=1")).into_response()),
        Err(FormError::Invalid(errors)) => {
            // Shown again as it was: not marked or logged a second time.
            let view = state.services.thread_view(&user.actor, thread_id).await?;
            let page = thread_page(&state, &user, &thread, view, form.body, errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/message_new.html")]
pub struct NewMessagePage {
    layout: Layout,
    child_id: String,
    name: String,
    people: Vec<Choice>,
    chosen: Vec<String>,
    subject: String,
    body: String,
    errors: FieldErrors,
}

fn choice(r: &Recipient) -> Choice {
    Choice::new(r.user_id.to_string(), r.name.clone()).with_hint(r.roles.join(", "))
}

#[derive(Debug, Default, Deserialize)]
pub struct NewMessageForm {
    #[serde(default)]
    to: Vec<String>,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    child: &str,
    form: NewMessageForm,
    errors: FieldErrors,
) -> Result<NewMessagePage, AppError> {
    let child_id = super::id_or_404(child)?;
    let (child, people) = state.services.message_recipients(&user.actor, child_id).await?;
    let name = child.full_name();
    // No name in the title: it stays out of the browser's history.
    let layout = Layout::for_user(user, "Send a message", "/messages")
        .dev(state.config.dev_mode)
        .with_errors(!errors.is_empty());
    Ok(NewMessagePage {
        layout,
        child_id: child.id.to_string(),
        name,
        people: people.iter().map(choice).collect(),
        chosen: form.to,
        subject: form.subject,
        body: form.body,
        errors,
    })
}

pub async fn show_new(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(child): Path<String>,
) -> Result<Response, AppError> {
    let page =
        new_page(&state, &user, &child, NewMessageForm::default(), FieldErrors::default()).await?;
    Ok(page.into_response())
}

pub async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(child): Path<String>,
    Form(form): Form<NewMessageForm>,
) -> Result<Response, AppError> {
    let child_id = super::id_or_404(&child)?;
    let sent = state
        .services
        .send_message(&user.actor, child_id, &form.to, &form.subject, &form.body)
        .await;
    match sent {
        Ok(thread) => Ok(Redirect::to(&format!("/messages/{thread}?sent=1")).into_response()),
        Err(FormError::Invalid(errors)) => {
            let page = new_page(&state, &user, &child, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
