//! The demo mailbox: what the service has e-mailed, readable in the
//! browser, so a person trying the demo can read their sign-in code. Only
//! in demo and development mode.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use openpep_store::outbox::OutboxEmail;
use serde::Deserialize;

use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/mailbox.html")]
pub struct MailboxPage {
    layout: Layout,
    to: String,
    emails: Vec<OutboxEmail>,
}

#[derive(Deserialize, Default)]
pub struct MailboxQuery {
    #[serde(default)]
    to: String,
}

pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<MailboxQuery>,
) -> Result<MailboxPage, AppError> {
    if !state.config.dev_mode {
        return Err(AppError::NotFound);
    }
    let to = query.to.trim().to_lowercase();
    let filter = (!to.is_empty()).then_some(to.as_str());
    let emails = state.services.demo_mailbox(filter).await?;
    Ok(MailboxPage { layout: Layout::plain("Demo mailbox").dev(true), to, emails })
}
