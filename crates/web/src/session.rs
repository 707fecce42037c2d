//! Loads the session named by the cookie once per request. No cookie, no
//! database work: anonymous requests never create a session row.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use openpep_store::sessions::SessionUser;

use crate::{AppError, AppState};

pub const SESSION_COOKIE: &str = "openpep_session";

/// The request's session, if it has a live one; and whether the browser
/// sent a session cookie that no longer opens one (timed out, signed out
/// elsewhere, or forged).
#[derive(Clone)]
pub struct LoadedSession {
    pub session: Option<Arc<SessionUser>>,
    pub stale_cookie: bool,
}

pub async fn load(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let mut stale_cookie = false;
    let session = match jar.get(SESSION_COOKIE) {
        None => None,
        Some(cookie) => {
            match state.services.load_session(state.config.session, cookie.value()).await {
                Ok(Some(found)) => Some(Arc::new(found)),
                Ok(None) => {
                    stale_cookie = true;
                    None
                }
                Err(e) => return AppError::from(e).into_response(),
            }
        }
    };
    request.extensions_mut().insert(LoadedSession { session, stale_cookie });
    let mut response = next.run(request).await;
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(SESSION_COOKIE.as_bytes()));
    if stale_cookie
        && !sets_session
        && let Ok(value) = removal_cookie(state.config.tls).to_string().parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure on TLS, no expiry
/// (it goes when the browser closes; the server enforces the timeouts).
pub fn session_cookie(token: String, tls: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(tls)
        .build()
}

pub fn removal_cookie(tls: bool) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), tls);
    cookie.make_removal();
    cookie
}
