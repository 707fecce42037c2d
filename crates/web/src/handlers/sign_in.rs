//! Signing in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use openpep_service::FieldErrors;
use openpep_service::auth::{SignInError, WRONG_CREDENTIALS};
use openpep_service::sessions::random_token;
use serde::Deserialize;

use crate::csrf::{CSRF_COOKIE, csrf_cookie};
use crate::extract::{MaybeUser, RequestId};
use crate::handlers::home::home_for;
use crate::layout::Layout;
use crate::session::{SESSION_COOKIE, removal_cookie, session_cookie};
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: FieldErrors,
    email: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    timed_out: Option<String>,
}

impl SignInQuery {
    fn notice(&self) -> Option<&'static str> {
        if self.timed_out.is_some() {
            Some("You were signed out, so what you sent was not saved. Sign in to carry on.")
        } else if self.signed_out.is_some() {
            Some("You have signed out.")
        } else {
            None
        }
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The pre-sign-in CSRF token: the cookie's, or a new one set now.
fn csrf_token(jar: CookieJar, tls: bool) -> (CookieJar, String) {
    match jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 43) {
        Some(token) => (jar, token),
        None => {
            let token = random_token();
            (jar.add(csrf_cookie(token.clone(), tls)), token)
        }
    }
}

fn page(
    state: &AppState,
    token: &str,
    email: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> SignInPage {
    SignInPage {
        layout: Layout::plain("Sign in")
            .csrf(token)
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        email,
        notice,
    }
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(query): Query<SignInQuery>,
    jar: CookieJar,
) -> Response {
    if let Some(user) = user {
        return Redirect::to(home_for(user.role())).into_response();
    }
    let (jar, token) = csrf_token(jar, state.config.tls);
    (jar, page(&state, &token, String::new(), FieldErrors::default(), query.notice()))
        .into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    // A session already in the browser is ended: sign-in always starts a
    // new one, so a session id fixed before sign-in is worth nothing.
    if let Some(old) = jar.get(SESSION_COOKIE) {
        state.services.end_session(old.value()).await?;
    }
    let result =
        state.services.sign_in(state.config.session, &form.email, &form.password, request_id).await;
    match result {
        Ok(signed_in) => {
            let jar = jar
                .add(session_cookie(signed_in.session.token, state.config.tls))
                .remove(csrf_cookie(String::new(), state.config.tls));
            Ok((jar, Redirect::to(home_for(signed_in.role))).into_response())
        }
        Err(SignInError::Service(e)) => Err(e.into()),
        Err(failure) => {
            let errors = match failure {
                SignInError::Invalid(errors) => errors,
                _ => {
                    let mut errors = FieldErrors::default();
                    errors.add("email", WRONG_CREDENTIALS);
                    errors
                }
            };
            let (jar, token) = csrf_token(jar, state.config.tls);
            let mut response =
                (jar, page(&state, &token, form.email, errors, None)).into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        state.services.end_session(cookie.value()).await?;
    }
    let jar = jar.add(removal_cookie(state.config.tls));
    Ok((jar, Redirect::to("/sign-in?signed_out=1")).into_response())
}
