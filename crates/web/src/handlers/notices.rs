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
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::notices::form_fields;
use openpep_store::notices::Notice;
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
}

impl NoticeView {
    pub fn of(n: &Notice) -> NoticeView {
        NoticeView {
            title: n.title.clone(),
            body: n.body.clone(),
            pinned: n.pinned,
            posted: format!("{}, {}", n.posted_by_name, uk_date(utc_to_london(n.posted_at).date())),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/notices.html")]
pub struct NoticesPage {
    layout: Layout,
    table: Table,
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let notices = state.services.notices_to_manage(&user.actor).await?;
    let today = state.services.clock.today();
    let table = Table {
        caption: "Notices".into(),
        caption_size: "m",
        head: ["Title", "Shows", "Posted by", ""].map(String::from).to_vec(),
        rows: notices
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
                    Cell::text(NoticeView::of(n).posted),
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
