//! The person's own account: agreeing to the terms, choosing an authority.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::Role;
use openpep_service::FieldErrors;
use openpep_service::account::{AccountError, TERMS_STATEMENTS, TERMS_VERSION};
use serde::Deserialize;
use uuid::Uuid;

use crate::components::Choice;
use crate::extract::{ClientInfo, SignedIn};
use crate::handlers::home::home_for;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/terms.html")]
pub struct TermsPage {
    layout: Layout,
    errors: FieldErrors,
    statements: Vec<Choice>,
    ticked: Vec<String>,
    version: &'static str,
}

#[derive(Deserialize, Default)]
pub struct TermsForm {
    #[serde(default)]
    agree: Vec<String>,
}

fn terms_page(
    state: &AppState,
    user: &SignedIn,
    errors: FieldErrors,
    ticked: Vec<String>,
) -> TermsPage {
    let mut layout =
        Layout::for_user(&user.0, "Before you start", "/terms").dev(state.config.dev_mode);
    // Until they agree, there is nowhere else to go.
    layout.nav.clear();
    TermsPage {
        layout: layout.with_errors(!errors.is_empty()),
        errors,
        statements: TERMS_STATEMENTS.iter().map(|(code, text)| Choice::new(*code, *text)).collect(),
        ticked,
        version: TERMS_VERSION,
    }
}

pub async fn show_terms(State(state): State<AppState>, user: SignedIn) -> Response {
    if user.0.session.agreed_terms {
        return Redirect::to(home_for(user.0.role())).into_response();
    }
    terms_page(&state, &user, FieldErrors::default(), Vec::new()).into_response()
}

pub async fn agree_terms(
    State(state): State<AppState>,
    user: SignedIn,
    ClientInfo(client): ClientInfo,
    Form(form): Form<TermsForm>,
) -> Result<Response, AppError> {
    match state.services.agree_to_terms(&user.0.session, &form.agree, client.request_id).await {
        Ok(()) => Ok(Redirect::to(home_for(user.0.role())).into_response()),
        Err(AccountError::Invalid(errors)) => {
            let mut response = terms_page(&state, &user, errors, form.agree).into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(AccountError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/choose_authority.html")]
pub struct ChooseAuthorityPage {
    layout: Layout,
    errors: FieldErrors,
    choices: Vec<Choice>,
    current: String,
}

#[derive(Deserialize, Default)]
pub struct ChooseForm {
    #[serde(default)]
    membership: String,
}

async fn choose_page(
    state: &AppState,
    user: &SignedIn,
    errors: FieldErrors,
) -> Result<ChooseAuthorityPage, AppError> {
    let choices = state.services.membership_choices(user.0.session.user_id).await?;
    let choices = choices
        .into_iter()
        .map(|c| {
            let role = Role::from_code(&c.role).map_or("Unknown role", Role::label);
            let choice = Choice::new(c.id.to_string(), c.la_name.clone());
            match c.school_name {
                Some(school) => choice.with_hint(format!("{role}, {school}")),
                None => choice.with_hint(role),
            }
        })
        .collect();
    let layout =
        Layout::for_user(&user.0, "Which authority are you working for?", "/choose-authority")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty());
    Ok(ChooseAuthorityPage {
        layout,
        errors,
        choices,
        current: user.0.session.membership_id.to_string(),
    })
}

pub async fn show_choose(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<ChooseAuthorityPage, AppError> {
    choose_page(&state, &user, FieldErrors::default()).await
}

pub async fn choose(
    State(state): State<AppState>,
    user: SignedIn,
    ClientInfo(client): ClientInfo,
    Form(form): Form<ChooseForm>,
) -> Result<Response, AppError> {
    let chosen = Uuid::parse_str(&form.membership).ok();
    let result = match chosen {
        Some(id) => state.services.switch_membership(&user.0.session, id, client.request_id).await,
        None => Err(openpep_service::ServiceError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(openpep_service::ServiceError::NotFound) => {
            let mut errors = FieldErrors::default();
            errors.add("membership", "Select the authority you are working for");
            let mut response = choose_page(&state, &user, errors).await?.into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// Keeps an idle session alive (the timeout warning's "Stay signed in").
/// Loading the session has already marked it used.
pub async fn keep_alive(crate::extract::MaybeUser(user): crate::extract::MaybeUser) -> Response {
    let status = if user.is_some() {
        axum::http::StatusCode::NO_CONTENT
    } else {
        axum::http::StatusCode::UNAUTHORIZED
    };
    (status, [(axum::http::header::CACHE_CONTROL, "no-store")]).into_response()
}
