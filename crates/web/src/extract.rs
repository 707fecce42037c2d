//! Extractors: who is asking, and the request's id.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use openpep_domain::Role;
use openpep_service::Actor;
use openpep_store::sessions::SessionUser;

use crate::session::LoadedSession;
use crate::{AppError, AppState, REQUEST_ID_HEADER};

/// A signed-in person; handlers that take one redirect everyone else to
/// the sign-in page.
#[derive(Clone)]
pub struct CurrentUser {
    pub session: Arc<SessionUser>,
    pub actor: Actor,
    /// The idle timeout, for the page's timeout warning.
    pub idle_seconds: i64,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.actor.role
    }
}

fn request_id(parts: &Parts) -> Option<String> {
    parts.headers.get(&REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn current_user(parts: &Parts, state: &AppState) -> Option<CurrentUser> {
    let session = parts.extensions.get::<LoadedSession>()?.session.clone()?;
    let role = Role::from_code(&session.role)?;
    let actor = Actor {
        user_id: session.user_id,
        membership_id: session.membership_id,
        la_id: session.la_id,
        role,
        school_id: session.school_id,
        request_id: request_id(parts),
    };
    Some(CurrentUser { session, actor, idle_seconds: state.config.session.idle.num_seconds() })
}

/// A signed-in person who has agreed to the current terms: what every page
/// of the service takes.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = current_user(parts, state).ok_or(AppError::SignInRequired)?;
        if !user.session.agreed_terms {
            return Err(AppError::TermsRequired);
        }
        Ok(user)
    }
}

/// A signed-in person who may not have agreed to the terms yet: only for
/// the terms page and choosing an authority.
pub struct SignedIn(pub CurrentUser);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        current_user(parts, state).map(SignedIn).ok_or(AppError::SignInRequired)
    }
}

/// A signed-in person, or nobody.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(current_user(parts, state)))
    }
}

/// The client's address and the request's id, for throttling and audit.
pub struct ClientInfo(pub openpep_service::auth::Client);

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for")?.to_str().ok())
            .flatten()
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .and_then(|v| v.parse::<std::net::IpAddr>().ok());
        let address = match forwarded {
            Some(ip) => ip.to_string(),
            None => parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string()),
        };
        Ok(ClientInfo(openpep_service::auth::Client { address, request_id: request_id(parts) }))
    }
}
