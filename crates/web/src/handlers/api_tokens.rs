//! The authority's API tokens, for the Virtual School's administrator:
//! make one (its secret shown once, on the page that made it), see when
//! each was last used, revoke one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_service::FieldErrors;
use openpep_service::api_tokens::{NewToken, Scope};
use openpep_service::invitations::FormError;
use openpep_service::profile::uk_time;

use crate::components::{Cell, Choice, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/api_tokens.html")]
pub struct TokensPage {
    layout: Layout,
    errors: FieldErrors,
    tokens: Table,
    scopes: Vec<Choice>,
    token_name: String,
    scope: String,
    /// The token just made, shown this once.
    made: Option<(String, String)>,
    revoked: bool,
    calls_per_minute: i64,
}

#[derive(serde::Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
}

#[derive(serde::Deserialize, Default)]
pub struct RevokedQuery {
    #[serde(default)]
    revoked: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: TokenForm,
    errors: FieldErrors,
) -> Result<TokensPage, AppError> {
    let tokens = state.services.api_tokens(&user.actor).await?;
    let rows = tokens
        .iter()
        .map(|t| {
            let scope = Scope::from_code(&t.scopes).map_or("", Scope::label);
            let status = match t.revoked_at {
                Some(at) => Cell::text(format!("Revoked {}", uk_time(at))),
                None => Cell::button(
                    format!("/settings/api-tokens/{}/revoke", t.id),
                    "Revoke",
                    format!("the token {}", t.name),
                ),
            };
            vec![
                Cell::text(t.name.clone()).heading(),
                Cell::text(scope),
                Cell::text(format!("{}…", t.prefix)),
                Cell::text(uk_time(t.created_at)),
                Cell::text(t.last_used_at.map_or_else(|| "Never".to_owned(), uk_time)),
                status,
            ]
        })
        .collect();
    Ok(TokensPage {
        layout: Layout::for_user(user, "API tokens", "/settings").dev(state.config.dev_mode),
        errors,
        tokens: Table {
            caption: "Tokens".into(),
            caption_size: "m",
            head: ["Name", "May", "Starts with", "Made", "Last used", ""]
                .map(String::from)
                .to_vec(),
            rows,
            csrf: user.session.csrf_token.clone(),
        },
        scopes: [Scope::Read, Scope::ReadWrite]
            .into_iter()
            .map(|s| Choice::new(s.code(), s.label()))
            .collect(),
        token_name: form.name,
        scope: form.scope,
        made: None,
        revoked: false,
        calls_per_minute: state.services.api_calls_per_minute,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RevokedQuery>,
) -> Result<TokensPage, AppError> {
    let mut p = page(&state, &user, TokenForm::default(), FieldErrors::default()).await?;
    p.revoked = query.revoked.is_some();
    Ok(p)
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    match state.services.create_api_token(&user.actor, &form.name, &form.scope).await {
        // Shown here, once, never put in an address (the page is not cached).
        Ok(NewToken { token, secret }) => {
            let mut p = page(&state, &user, TokenForm::default(), FieldErrors::default()).await?;
            p.made = Some((token.name, secret));
            Ok(p.into_response())
        }
        Err(FormError::Invalid(errors)) => {
            let p = page(&state, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&token)?;
    state.services.revoke_api_token(&user.actor, id).await?;
    Ok(Redirect::to("/settings/api-tokens?revoked=1").into_response())
}
