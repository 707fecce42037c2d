//! Registering from an invitation, and resetting a forgotten password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use openpep_service::FieldErrors;
use openpep_service::invitations::{FormError, InvitationView, RegisterForm};
use serde::Deserialize;

use crate::extract::ClientInfo;
use crate::handlers::sign_in::csrf_token;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/register.html")]
pub struct RegisterPage {
    layout: Layout,
    errors: FieldErrors,
    invitation: InvitationView,
    full_name: String,
    action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/message.html")]
pub struct MessagePage {
    layout: Layout,
    heading: String,
    paragraphs: Vec<String>,
    link: Option<(&'static str, &'static str)>,
}

fn message(
    state: &AppState,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&'static str, &'static str)>,
) -> MessagePage {
    MessagePage {
        layout: Layout::plain(heading).dev(state.config.dev_mode),
        heading: heading.to_owned(),
        paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
        link,
    }
}

fn unprocessable(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// `/register` without an invitation: accounts are by invitation only.
pub async fn without_invitation(State(state): State<AppState>) -> MessagePage {
    message(
        &state,
        "You need an invitation",
        &[
            "OpenPEP accounts are set up by invitation from a Virtual School.",
            "If you work with a child in care and need access, contact the Virtual School of the \
             council that looks after the child. They will email you an invitation.",
        ],
        Some(("/sign-in", "Sign in if you already have an account")),
    )
}

fn invitation_closed(state: &AppState) -> Response {
    let page = message(
        state,
        "This invitation link cannot be used",
        &[
            "The link may have expired (they work for 7 days), or it has already been used.",
            "Ask the Virtual School that invited you to send a new invitation.",
        ],
        Some(("/sign-in", "Sign in if you have already set up your account")),
    );
    let mut response = page.into_response();
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}

#[derive(Deserialize, Default)]
pub struct RegisterFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn register_page(
    state: &AppState,
    token: &str,
    csrf: &str,
    invitation: InvitationView,
    name: String,
    errors: FieldErrors,
) -> RegisterPage {
    let title =
        if invitation.existing_account { "Accept your invitation" } else { "Set up your account" };
    RegisterPage {
        layout: Layout::plain(title)
            .csrf(csrf)
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        invitation,
        full_name: name,
        action: format!("/register/{token}"),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let Some(invitation) = state.services.invitation(&token).await? else {
        return Ok(invitation_closed(&state));
    };
    let (jar, csrf) = csrf_token(jar, state.config.tls);
    let name = invitation.display_name.clone();
    Ok((jar, register_page(&state, &token, &csrf, invitation, name, FieldErrors::default()))
        .into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientInfo(client): ClientInfo,
    jar: CookieJar,
    Form(fields): Form<RegisterFields>,
) -> Result<Response, AppError> {
    let form = RegisterForm { name: fields.name.clone(), password: fields.password };
    match state.services.accept_invitation(&token, &form, client.request_id).await {
        Ok(Some(())) => Ok(Redirect::to("/sign-in?registered=1").into_response()),
        Ok(None) => Ok(invitation_closed(&state)),
        Err(FormError::Invalid(errors)) => {
            let Some(invitation) = state.services.invitation(&token).await? else {
                return Ok(invitation_closed(&state));
            };
            let (jar, csrf) = csrf_token(jar, state.config.tls);
            Ok(unprocessable((
                jar,
                register_page(&state, &token, &csrf, invitation, fields.name, errors),
            )))
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/forgot_password.html")]
pub struct ForgotPage {
    layout: Layout,
    errors: FieldErrors,
    email: String,
}

#[derive(Deserialize, Default)]
pub struct EmailField {
    #[serde(default)]
    email: String,
}

pub async fn show_forgot(State(state): State<AppState>, jar: CookieJar) -> Response {
    let (jar, csrf) = csrf_token(jar, state.config.tls);
    let page = ForgotPage {
        layout: Layout::plain("Reset your password").csrf(&csrf).dev(state.config.dev_mode),
        errors: FieldErrors::default(),
        email: String::new(),
    };
    (jar, page).into_response()
}

pub async fn forgot(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    jar: CookieJar,
    Form(field): Form<EmailField>,
) -> Result<Response, AppError> {
    match state.services.request_password_reset(&field.email, client.request_id).await {
        Ok(email) => {
            let text = format!(
                "If {email} has an OpenPEP account, we have sent it a link to reset the password. \
                 The link works once, for 1 hour."
            );
            let mut page =
                message(&state, "Check your email", &[], Some(("/sign-in", "Back to sign in")));
            page.paragraphs = vec![
                text,
                "If no email arrives, check your spam folder, or contact your Virtual School."
                    .into(),
            ];
            Ok(page.into_response())
        }
        Err(FormError::Invalid(errors)) => {
            let (jar, csrf) = csrf_token(jar, state.config.tls);
            let page = ForgotPage {
                layout: Layout::plain("Reset your password")
                    .csrf(&csrf)
                    .dev(state.config.dev_mode)
                    .with_errors(true),
                errors,
                email: field.email,
            };
            Ok(unprocessable((jar, page)))
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/reset_password.html")]
pub struct ResetPage {
    layout: Layout,
    errors: FieldErrors,
    action: String,
}

#[derive(Deserialize, Default)]
pub struct PasswordField {
    #[serde(default)]
    password: String,
}

fn reset_link_closed(state: &AppState) -> Response {
    let page = message(
        state,
        "This reset link cannot be used",
        &[
            "The link may have expired (they work for 1 hour), or it has already been used. Ask for a new one.",
        ],
        Some(("/forgot-password", "Reset your password")),
    );
    let mut response = page.into_response();
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}

pub async fn show_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if !state.services.reset_link_open(&token).await? {
        return Ok(reset_link_closed(&state));
    }
    let (jar, csrf) = csrf_token(jar, state.config.tls);
    let page = ResetPage {
        layout: Layout::plain("Choose a new password").csrf(&csrf).dev(state.config.dev_mode),
        errors: FieldErrors::default(),
        action: format!("/reset-password/{token}"),
    };
    Ok((jar, page).into_response())
}

pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientInfo(client): ClientInfo,
    jar: CookieJar,
    Form(field): Form<PasswordField>,
) -> Result<Response, AppError> {
    match state.services.reset_password(&token, &field.password, client.request_id).await {
        Ok(true) => Ok(Redirect::to("/sign-in?reset=1").into_response()),
        Ok(false) => Ok(reset_link_closed(&state)),
        Err(FormError::Invalid(errors)) => {
            let (jar, csrf) = csrf_token(jar, state.config.tls);
            let page = ResetPage {
                layout: Layout::plain("Choose a new password")
                    .csrf(&csrf)
                    .dev(state.config.dev_mode)
                    .with_errors(true),
                errors,
                action: format!("/reset-password/{token}"),
            };
            Ok(unprocessable((jar, page)))
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
