//! One error policy: every failure becomes a GOV.UK-style page. Internal
//! errors show a reference and log the detail under it; the user never sees
//! a stack trace or an SQL message.

use std::any::Any;

use askama::Template;
use axum::body::Body;
use axum::http::{Response as HttpResponse, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use openpep_service::ServiceError;

use crate::layout::Layout;

#[derive(Debug)]
pub enum AppError {
    /// Not there, or not for this user: the two look the same.
    NotFound,
    Forbidden,
    /// No session: go and sign in.
    SignInRequired,
    /// Signed in, but the current terms are not agreed yet.
    TermsRequired,
    /// Too much at once: try again in a moment.
    Busy,
    /// The database cannot be reached.
    Unavailable(String),
    Internal(String),
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::Busy => AppError::Busy,
            ServiceError::Unavailable(detail) => AppError::Unavailable(detail),
            ServiceError::Internal(detail) => AppError::Internal(detail),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    paragraphs: Vec<String>,
    sign_in_link: bool,
}

fn error_page(status: StatusCode, heading: &'static str, paragraphs: Vec<String>) -> Response {
    let page = ErrorPage {
        layout: Layout::plain(heading),
        heading,
        paragraphs,
        sign_in_link: status == StatusCode::FORBIDDEN,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, heading).into_response()
        }
    }
}

pub fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        vec![
            "If you typed the web address, check it is correct.".into(),
            "If you pasted the web address, check you copied the entire address.".into(),
            "If you followed a link to a child's record, you may not have access to it. \
             Contact your Virtual School if you think you should."
                .into(),
        ],
    )
}

/// A role may not use the page or take the action.
pub fn forbidden() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "You do not have permission to do that",
        vec![
            "Your role does not allow this page or action, so nothing was changed.".into(),
            "If you think you should be able to, contact your Virtual School.".into(),
        ],
    )
}

/// A form without a valid CSRF token: expired, or not from this service.
pub fn form_expired() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "You cannot do that",
        vec![
            "The form you sent has expired or did not come from this service, so nothing was \
             changed."
                .into(),
            "Go back, reload the page and try again. If you were signed out, sign in again.".into(),
        ],
    )
}

/// A request body over the limit of its path: for uploads, a file far
/// too large for the form to say so itself.
pub fn too_large(path: &str) -> Response {
    if crate::is_upload(path) {
        let mb = openpep_domain::upload::MAX_UPLOAD_BYTES / (1024 * 1024);
        return error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is too large",
            vec![
                format!("Files must be smaller than {mb} MB, so nothing was uploaded."),
                "Go back and choose a smaller file. A scanned document can often be saved at a \
                 lower resolution."
                    .into(),
            ],
        );
    }
    error_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "What you sent is too large",
        vec!["Nothing was changed. Go back, shorten what you typed and try again.".into()],
    )
}

fn internal(detail: &str) -> Response {
    let reference = uuid::Uuid::now_v7().simple().to_string()[20..].to_uppercase();
    tracing::error!(reference = %reference, error = %detail, "internal error");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        vec![
            "Try again later. Nothing you entered in the last step has been saved.".into(),
            format!(
                "If you contact your Virtual School about this, give them this reference: {reference}"
            ),
        ],
    )
}

/// The database is stopped or unreachable: GOV.UK's "service
/// unavailable" page, with a hint of when to try again.
fn unavailable(detail: &str) -> Response {
    tracing::warn!(error = %detail, "database unavailable");
    let mut response = error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sorry, the service is unavailable",
        vec![
            "You will be able to use the service again in a few minutes.".into(),
            "Nothing you entered in the last step has been saved: go back and send it again then."
                .into(),
        ],
    );
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => not_found(),
            AppError::Forbidden => forbidden(),
            AppError::SignInRequired => Redirect::to("/sign-in").into_response(),
            AppError::TermsRequired => Redirect::to("/terms").into_response(),
            AppError::Busy => error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, the service is busy",
                vec!["Wait a minute, then try again. Nothing was changed.".into()],
            ),
            AppError::Unavailable(detail) => unavailable(&detail),
            AppError::Internal(detail) => internal(&detail),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// A panic in a handler becomes the 500 page, never a dropped connection.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> HttpResponse<Body> {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".to_owned());
    internal(&format!("panic: {detail}"))
}
