//! Signing in (password, then a code) and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use openpep_service::FieldErrors;
use openpep_service::auth::{CodeError, SecondStep, SignInError, WRONG_CREDENTIALS};
use openpep_service::sessions::random_token;
use serde::Deserialize;

use crate::csrf::{CSRF_COOKIE, csrf_cookie};
use crate::extract::{ClientInfo, MaybeUser};
use crate::handlers::home::home_for;
use crate::layout::Layout;
use crate::session::{SESSION_COOKIE, removal_cookie, session_cookie};
use crate::{AppError, AppState};

/// The cookie that carries a pending sign-in to its second step.
const CHALLENGE_COOKIE: &str = "openpep_challenge";

fn challenge_cookie(token: String, tls: bool) -> Cookie<'static> {
    Cookie::build((CHALLENGE_COOKIE, token))
        .path("/sign-in")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(tls)
        .build()
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: FieldErrors,
    email: String,
    notice: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/sign_in_code.html")]
struct CodePage {
    layout: Layout,
    errors: FieldErrors,
    code: String,
    /// Where the code went; None when it comes from an authenticator app.
    sent_to: Option<String>,
    resent: bool,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    timed_out: Option<String>,
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    too_many: Option<String>,
    #[serde(default)]
    registered: Option<String>,
    #[serde(default)]
    reset: Option<String>,
}

impl SignInQuery {
    fn notice(&self) -> Option<&'static str> {
        if self.timed_out.is_some() {
            Some(
                "You were signed out because you had not used OpenPEP for a while. Sign in to carry on.",
            )
        } else if self.expired.is_some() {
            Some("Your code has expired. Sign in again to get a new code.")
        } else if self.too_many.is_some() {
            Some("You entered a wrong code too many times. Sign in again to get a new code.")
        } else if self.registered.is_some() {
            Some("Your account is ready. Sign in to continue.")
        } else if self.reset.is_some() {
            Some("Your password has been changed. Sign in with your new password.")
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

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    resent: Option<String>,
}

/// The pre-sign-in CSRF token: the cookie's, or a new one set now.
pub fn csrf_token(jar: CookieJar, tls: bool) -> (CookieJar, String) {
    match jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 43) {
        Some(token) => (jar, token),
        None => {
            let token = random_token();
            (jar.add(csrf_cookie(token.clone(), tls)), token)
        }
    }
}

fn sign_in_page(
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

fn unprocessable(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
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
    (jar, sign_in_page(&state, &token, String::new(), FieldErrors::default(), query.notice()))
        .into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    // A session already in the browser is ended: sign-in always starts a
    // new one, so a session id fixed before sign-in is worth nothing.
    let jar = match jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        Some(old) => {
            state.services.end_session(&old).await?;
            jar.add(removal_cookie(state.config.tls))
        }
        None => jar,
    };
    let result = state.services.sign_in(&form.email, &form.password, &client).await;
    let errors = match result {
        Ok(accepted) => {
            let jar = jar.add(challenge_cookie(accepted.token, state.config.tls));
            return Ok((jar, Redirect::to("/sign-in/code")).into_response());
        }
        Err(SignInError::Service(e)) => return Err(e.into()),
        Err(SignInError::Invalid(errors)) => errors,
        Err(SignInError::WrongCredentials) => {
            let mut errors = FieldErrors::default();
            errors.add("email", WRONG_CREDENTIALS);
            errors
        }
        Err(SignInError::Locked(wait)) => {
            let minutes = (wait.num_seconds() + 59) / 60;
            let mut errors = FieldErrors::default();
            errors.add(
                "email",
                format!(
                    "You have tried to sign in too many times. Wait {minutes} minute{}, then try \
                     again, or contact your Virtual School",
                    if minutes == 1 { "" } else { "s" }
                ),
            );
            errors
        }
    };
    let (jar, token) = csrf_token(jar, state.config.tls);
    Ok(unprocessable((jar, sign_in_page(&state, &token, form.email, errors, None))))
}

fn code_page(
    state: &AppState,
    token: &str,
    step: SecondStep,
    code: String,
    errors: FieldErrors,
    resent: bool,
) -> CodePage {
    let (title, sent_to) = match step {
        SecondStep::EmailCode { sent_to } => ("Check your email", Some(sent_to)),
        SecondStep::Authenticator => ("Enter the code from your authenticator app", None),
    };
    CodePage {
        layout: Layout::plain(title)
            .csrf(token)
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        code,
        sent_to,
        resent,
    }
}

pub async fn show_code(
    State(state): State<AppState>,
    Query(query): Query<CodeQuery>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let Some(challenge) = jar.get(CHALLENGE_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let Some(step) = state.services.pending_step(&challenge).await? else {
        return Ok(Redirect::to("/sign-in?expired=1").into_response());
    };
    let (jar, token) = csrf_token(jar, state.config.tls);
    let page = code_page(
        &state,
        &token,
        step,
        String::new(),
        FieldErrors::default(),
        query.resent.is_some(),
    );
    Ok((jar, page).into_response())
}

pub async fn submit_code(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(challenge) = jar.get(CHALLENGE_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let result =
        state.services.verify_code(state.config.session, &challenge, &form.code, &client).await;
    let errors = match result {
        Ok(signed_in) => {
            let jar = jar
                .add(session_cookie(signed_in.session.token, state.config.tls))
                .remove(challenge_cookie(String::new(), state.config.tls))
                .remove(csrf_cookie(String::new(), state.config.tls));
            let next = if signed_in.memberships > 1 {
                "/choose-authority"
            } else if !signed_in.agreed_terms {
                "/terms"
            } else {
                home_for(signed_in.role)
            };
            return Ok((jar, Redirect::to(next)).into_response());
        }
        Err(CodeError::Service(e)) => return Err(e.into()),
        Err(CodeError::Expired) => return Ok(Redirect::to("/sign-in?expired=1").into_response()),
        Err(CodeError::TooManyTries) => {
            let jar = jar.remove(challenge_cookie(String::new(), state.config.tls));
            return Ok((jar, Redirect::to("/sign-in?too_many=1")).into_response());
        }
        Err(CodeError::Invalid(errors) | CodeError::Wrong(errors)) => errors,
    };
    let Some(step) = state.services.pending_step(&challenge).await? else {
        return Ok(Redirect::to("/sign-in?expired=1").into_response());
    };
    let (jar, token) = csrf_token(jar, state.config.tls);
    Ok(unprocessable((jar, code_page(&state, &token, step, form.code, errors, false))))
}

pub async fn resend_code(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let Some(challenge) = jar.get(CHALLENGE_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if state.services.resend_code(&challenge).await? {
        Ok(Redirect::to("/sign-in/code?resent=1").into_response())
    } else {
        Ok(Redirect::to("/sign-in?expired=1").into_response())
    }
}

pub async fn sign_out(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        state.services.end_session(cookie.value()).await?;
    }
    let jar = jar.add(removal_cookie(state.config.tls));
    Ok((jar, Redirect::to("/sign-in?signed_out=1")).into_response())
}
