//! The person's profile, "Your account": their details, signed-in sessions
//! (and signing out of the others), recent activity, and setting up or
//! turning off an authenticator app.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_service::FieldErrors;
use openpep_service::profile::{
    AuthenticatorError, AuthenticatorForm, AuthenticatorSetup, Profile, uk_time,
};
use serde::Deserialize;

use crate::components::{Cell, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/profile.html")]
pub struct ProfilePage {
    layout: Layout,
    banner: Option<&'static str>,
    details: Vec<SummaryRow>,
    sessions: Table,
    other_sessions: bool,
    activity: Table,
    authenticator: Vec<SummaryRow>,
    authenticator_on: bool,
}

#[derive(Deserialize, Default)]
pub struct ProfileQuery {
    #[serde(default)]
    done: String,
}

/// The success banner after a change, by a fixed code (nothing from the
/// query string is shown as it came).
fn banner(done: &str) -> Option<&'static str> {
    match done {
        "sessions-ended" => Some("You have signed out of all other sessions"),
        "authenticator-on" => {
            Some("Your authenticator app is set up. Use it for the code when you sign in")
        }
        "authenticator-off" => {
            Some("Your authenticator app is turned off. We will email you a code when you sign in")
        }
        _ => None,
    }
}

fn details(profile: &Profile) -> Vec<SummaryRow> {
    let role = profile.role.map_or("Unknown role", openpep_domain::Role::label);
    let role = match &profile.school_name {
        Some(school) => format!("{role}, {school}"),
        None => role.to_owned(),
    };
    vec![
        SummaryRow::new("Name", profile.display_name.clone()),
        SummaryRow::new("Email address", profile.email.clone()),
        SummaryRow::new("Role", role),
        SummaryRow::new("Authority", profile.la_name.clone()),
    ]
}

fn sessions(profile: &Profile) -> Table {
    Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["Signed in", "Last active"].map(String::from).to_vec(),
        rows: profile
            .sessions
            .iter()
            .map(|s| {
                let mut started = Cell::text(uk_time(s.started));
                if s.current {
                    started.tags.push(Tag::new("This device", TagColour::Blue));
                }
                vec![started, Cell::text(uk_time(s.last_active))]
            })
            .collect(),
    }
}

fn activity(profile: &Profile) -> Table {
    Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["What you did", "When"].map(String::from).to_vec(),
        rows: profile
            .activity
            .iter()
            .map(|a| vec![Cell::text(a.what), Cell::text(uk_time(a.when))])
            .collect(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ProfileQuery>,
) -> Result<ProfilePage, AppError> {
    let profile = state.services.profile(&user.session, state.config.session).await?;
    let status = if profile.authenticator_on { "On" } else { "Off" };
    let hint = if profile.authenticator_on {
        "You sign in with a code from your authenticator app"
    } else {
        "You sign in with a code we email you"
    };
    Ok(ProfilePage {
        layout: Layout::for_user(&user, "Your account", "/account").dev(state.config.dev_mode),
        banner: banner(&query.done),
        details: details(&profile),
        sessions: sessions(&profile),
        other_sessions: profile.sessions.iter().any(|s| !s.current),
        activity: activity(&profile),
        authenticator: vec![SummaryRow::new("Status", status).with_hint(hint)],
        authenticator_on: profile.authenticator_on,
    })
}

pub async fn end_other_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Redirect, AppError> {
    state.services.end_other_sessions(&user.session, user.actor.request_id.clone()).await?;
    Ok(Redirect::to("/account?done=sessions-ended"))
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/authenticator.html")]
pub struct AuthenticatorPage {
    layout: Layout,
    errors: FieldErrors,
    setup: AuthenticatorSetup,
    /// The QR code of the setup's URI, as inline SVG.
    qr_svg: String,
    code: String,
}

#[derive(Deserialize, Default)]
pub struct AuthenticatorFields {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    code: String,
}

fn authenticator_page(
    state: &AppState,
    user: &CurrentUser,
    setup: AuthenticatorSetup,
    code: String,
    errors: FieldErrors,
) -> Result<AuthenticatorPage, AppError> {
    let qr_svg = qr_svg(&setup.uri)?;
    Ok(AuthenticatorPage {
        layout: Layout::for_user(user, "Set up an authenticator app", "/account")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        setup,
        qr_svg,
        code,
    })
}

/// The QR code an authenticator app scans, as an SVG image with a text
/// alternative.
fn qr_svg(uri: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#0b0c0c"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline in HTML: no XML declaration, and a name for assistive technology.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR code to scan with your authenticator app\" focusable=\"false\"",
        1,
    ))
}

pub async fn show_authenticator(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    match state.services.new_authenticator(&user.session).await? {
        Some(setup) => {
            Ok(authenticator_page(&state, &user, setup, String::new(), FieldErrors::default())?
                .into_response())
        }
        None => Ok(Redirect::to("/account").into_response()),
    }
}

pub async fn enable_authenticator(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<AuthenticatorFields>,
) -> Result<Response, AppError> {
    let form = AuthenticatorForm {
        secret: fields.secret,
        signature: fields.signature,
        code: fields.code.clone(),
    };
    let request_id = user.actor.request_id.clone();
    match state.services.enable_authenticator(&user.session, &form, request_id).await {
        Ok(()) => Ok(Redirect::to("/account?done=authenticator-on").into_response()),
        Err(AuthenticatorError::AlreadyOn) => Ok(Redirect::to("/account").into_response()),
        Err(AuthenticatorError::Invalid(errors, setup)) => {
            let page = authenticator_page(&state, &user, setup, fields.code, errors)?;
            let mut response = page.into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(AuthenticatorError::Tampered) => Err(AppError::Forbidden),
        Err(AuthenticatorError::Service(e)) => Err(e.into()),
    }
}

pub async fn disable_authenticator(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Redirect, AppError> {
    state.services.disable_authenticator(&user.session, user.actor.request_id.clone()).await?;
    Ok(Redirect::to("/account?done=authenticator-off"))
}
