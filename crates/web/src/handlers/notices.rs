//! The Virtual School's notice board: posting, changing and taking down
//! notices (shown on everyone's home page, see `learners`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::meeting::utc_to_london;
use openpep_domain::notices::shows_on;
use openpep_domain::pages::uk_date;
use openpep_domain::upload::{FileType, MAX_UPLOAD_BYTES};
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::notices::{Board, form_fields};
use openpep_store::notices::{Attachment, Notice};
use uuid::Uuid;

use super::targets::{BlockForm, Sent, fill, sent};
use crate::components::{Cell, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

/// How a notice shows on the board.
pub struct NoticeView {
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub posted: String,
    /// Each attachment's name, link and type and size in words.
    pub attachments: Vec<(String, String, String)>,
}

impl NoticeView {
    /// The notices of the board as the home page shows them.
    pub fn board(board: &Board) -> Vec<NoticeView> {
        let view = |n: &Notice| NoticeView {
            title: n.title.clone(),
            body: n.body.clone(),
            pinned: n.pinned,
            posted: posted(n),
            attachments: board
                .attachments_of(n.id)
                .map(|a| (a.file_name.clone(), attachment_href(a), attachment_label(a)))
                .collect(),
        };
        board.notices.iter().map(view).collect()
    }
}

/// Who posted the notice, and when.
fn posted(n: &Notice) -> String {
    format!("{}, {}", n.posted_by_name, uk_date(utc_to_london(n.posted_at).date()))
}

fn attachment_href(a: &Attachment) -> String {
    format!("/notices/{}/attachments/{}", a.notice_id, a.id)
}

fn attachment_label(a: &Attachment) -> String {
    let kind = FileType::from_content_type(&a.content_type).map_or("File", FileType::label);
    format!("{kind}, {}", super::documents::size_text(a.size_bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/notices.html")]
pub struct NoticesPage {
    layout: Layout,
    table: Table,
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let board = state.services.notices_to_manage(&user.actor).await?;
    let today = state.services.clock.today();
    let table = Table {
        caption: "Notices".into(),
        caption_size: "m",
        head: ["Title", "Shows", "Posted by", "Attachments", ""].map(String::from).to_vec(),
        rows: board
            .notices
            .iter()
            .map(|n| {
                let mut shows = match n.expires_on {
                    _ if !shows_on(n.expires_on, today) => {
                        Cell::tag(Tag::new("Expired", TagColour::Grey))
                    }
                    Some(day) => Cell::text(format!("Until {}", uk_date(day))),
                    None => Cell::text("Until taken down"),
                };
                if n.pinned {
                    shows = shows.with_tag(Tag::new("Pinned", TagColour::Blue));
                }
                vec![
                    Cell::link(n.title.clone(), format!("/notices/{}", n.id)).heading(),
                    shows,
                    Cell::text(posted(n)),
                    Cell::link(
                        match board.attachments_of(n.id).count() {
                            0 => "Add".to_owned(),
                            k => format!("{k} (change)"),
                        },
                        format!("/notices/{}/attachments", n.id),
                    )
                    .with_context(format!("attachments of {}", n.title)),
                    Cell::button(format!("/notices/{}/remove", n.id), "Take down", n.title.clone()),
                ]
            })
            .collect(),
        csrf: user.session.csrf_token.clone(),
    };
    let layout = Layout::for_user(&user, "Notice board", "/notices").dev(state.config.dev_mode);
    Ok(NoticesPage { layout, table }.into_response())
}

fn form(
    state: &AppState,
    user: &CurrentUser,
    id: Option<Uuid>,
    sent: &Sent,
    errors: FieldErrors,
) -> BlockForm {
    let filled = fill(&openpep_domain::notices::layout(), sent, errors, true);
    let heading = if id.is_some() { "Change the notice" } else { "Post a notice" };
    let back = ("Notice board".to_owned(), "/notices".to_owned(), "Back to the notice board");
    BlockForm {
        action: id.map_or_else(|| "/notices/new".to_owned(), |id| format!("/notices/{id}")),
        button: "Save the notice".into(),
        ..BlockForm::new(state, user, (heading, heading), back, filled)
    }
}

pub async fn show_new(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    state.services.authorise(&user.actor, openpep_domain::AuthorityAction::PostNotices)?;
    let fields = [("pinned".to_owned(), "no".to_owned())].into_iter().collect();
    let sent = Sent { fields, version: 0, add: None };
    Ok(form(&state, &user, None, &sent, FieldErrors::default()).respond())
}

pub async fn show_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let notice = state.services.notice(&user.actor, id).await?;
    let sent = Sent { fields: form_fields(&notice), version: notice.version, add: None };
    Ok(form(&state, &user, Some(id), &sent, FieldErrors::default()).respond())
}

async fn save(
    state: AppState,
    user: CurrentUser,
    id: Option<Uuid>,
    fields: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let sent = sent(fields);
    match state.services.save_notice(&user.actor, id, sent.version, &sent.fields).await {
        Ok(_) => Ok(Redirect::to("/notices").into_response()),
        Err(FormError::Invalid(errors)) => Ok(form(&state, &user, id, &sent, errors).respond()),
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save(state, user, None, fields).await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    save(state, user, Some(id), fields).await
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.services.remove_notice(&user.actor, super::id_or_404(&id)?).await?;
    Ok(Redirect::to("/notices").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/notice_attachments.html")]
pub struct AttachmentsPage {
    layout: Layout,
    notice_id: String,
    title: String,
    table: Table,
    error: String,
    file_hint: String,
    added: bool,
}

async fn attachments_page(
    state: &AppState,
    user: &CurrentUser,
    notice_id: Uuid,
    error: String,
    added: bool,
) -> Result<AttachmentsPage, AppError> {
    let (notice, attachments) = state.services.notice_attachments(&user.actor, notice_id).await?;
    let rows = attachments
        .iter()
        .map(|a| {
            let remove = format!("{}/remove", attachment_href(a));
            vec![
                Cell::link(a.file_name.clone(), attachment_href(a)).heading(),
                Cell::text(attachment_label(a)),
                Cell::button(remove, "Remove", a.file_name.clone()),
            ]
        })
        .collect();
    let layout = Layout::for_user(user, "Attachments", "/notices")
        .dev(state.config.dev_mode)
        .with_errors(!error.is_empty());
    Ok(AttachmentsPage {
        layout,
        notice_id: notice_id.to_string(),
        title: notice.title,
        table: Table {
            caption: "Attached documents".into(),
            caption_size: "m",
            head: ["Document", "Type and size", ""].map(String::from).to_vec(),
            rows,
            csrf: user.session.csrf_token.clone(),
        },
        error,
        file_hint: format!(
            "A PDF, Word document (DOCX), JPG or PNG, smaller than {} MB",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
        added,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AddedQuery {
    added: Option<String>,
}

pub async fn show_attachments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<AddedQuery>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let added = q.added.is_some();
    Ok(attachments_page(&state, &user, id, String::new(), added).await?.into_response())
}

pub async fn attach(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let notice_id = super::id_or_404(&id)?;
    // Who may attach is known before the file is read.
    state.services.notice(&user.actor, notice_id).await?;
    let path = format!("/notices/{notice_id}/attachments");
    let Some(sent) = super::documents::read_form(multipart).await else {
        return Ok(crate::error::too_large(&path));
    };
    match state.services.attach_to_notice(&user.actor, notice_id, sent).await {
        Ok(_) => Ok(Redirect::to(&format!("{path}?added=1")).into_response()),
        Err(FormError::Invalid(errors)) => {
            let error = errors.message("file").to_owned();
            let page = attachments_page(&state, &user, notice_id, error, false).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn detach(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let notice_id = super::id_or_404(&id)?;
    let attachment = super::id_or_404(&attachment)?;
    state.services.detach_from_notice(&user.actor, notice_id, attachment).await?;
    Ok(Redirect::to(&format!("/notices/{notice_id}/attachments")).into_response())
}

pub async fn download_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let notice_id = super::id_or_404(&id)?;
    let attachment = super::id_or_404(&attachment)?;
    let file =
        state.services.download_notice_attachment(&user.actor, notice_id, attachment).await?;
    Ok(super::documents::file_response(file))
}
