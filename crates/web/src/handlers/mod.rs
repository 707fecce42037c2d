//! Handlers, one module per area. Each is thin: extract, authorise (one
//! permission check per route), call a service, render or redirect.

mod account;
mod allocations;
mod api_tokens;
mod care;
mod children;
mod cohort_filters;
mod dashboard;
mod delegation;
mod documents;
mod exports;
mod funding;
mod gallery;
mod health;
mod home;
mod imports;
mod learners;
mod mailbox;
mod meetings;
mod messages;
mod notices;
mod people;
mod pep_lists;
mod pep_page;
mod peps;
mod profile;
mod profile_edit;
mod quality;
mod register;
mod retention;
mod school_move;
mod settings;
mod sign_in;
mod sign_off;
mod targets;
mod templates;
mod term_dates;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use openpep_domain::{Action, AuthorityAction};

use crate::{AppState, assets};

/// Who may use a route: the security tests' matrix is built from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, registration, probes, assets).
    Public,
    /// Demo and development mode only, anyone.
    DemoOnly,
    /// Any signed-in person.
    SignedIn,
    /// A signed-in person whose role may take this authority-wide action.
    Authority(AuthorityAction),
    /// A signed-in person whose relationship to the child `{id}` lets them
    /// take this action (the permission table).
    Child(Action),
}

/// One route of the application, as the security tests see it.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Declares every session-aware route once: the router is built from the
/// same list the security matrix walks, so a new route joins it by being
/// written here.
macro_rules! app_routes {
    ($( $method:ident $path:literal => $handler:expr, $access:expr; )*) => {
        /// Routes that need the session (everything but assets and probes).
        pub fn routes() -> Router<AppState> {
            Router::new() $( .route($path, $method($handler)) )*
        }

        /// Every route `routes()` serves, with who may use it.
        pub const ROUTES: &[RouteSpec] = &[
            $( RouteSpec { method: stringify!($method), path: $path, access: $access }, )*
        ];
    };
}

app_routes! {
    get "/" => home::show, Access::Public;
    get "/sign-in" => sign_in::show, Access::Public;
    post "/sign-in" => sign_in::submit, Access::Public;
    get "/sign-in/code" => sign_in::show_code, Access::Public;
    post "/sign-in/code" => sign_in::submit_code, Access::Public;
    post "/sign-in/code/new" => sign_in::resend_code, Access::Public;
    post "/sign-out" => sign_in::sign_out, Access::Public;
    get "/session/keep-alive" => account::keep_alive, Access::SignedIn;
    get "/demo/mailbox" => mailbox::show, Access::DemoOnly;
    get "/components" => gallery::show, Access::DemoOnly;
    get "/register" => register::without_invitation, Access::Public;
    get "/register/{token}" => register::show, Access::Public;
    post "/register/{token}" => register::submit, Access::Public;
    get "/forgot-password" => register::show_forgot, Access::Public;
    post "/forgot-password" => register::forgot, Access::Public;
    get "/reset-password/{token}" => register::show_reset, Access::Public;
    post "/reset-password/{token}" => register::reset, Access::Public;
    get "/terms" => account::show_terms, Access::SignedIn;
    post "/terms" => account::agree_terms, Access::SignedIn;
    get "/choose-authority" => account::show_choose, Access::SignedIn;
    post "/choose-authority" => account::choose, Access::SignedIn;
    get "/account" => profile::show, Access::SignedIn;
    post "/account/sessions/end-others" => profile::end_other_sessions, Access::SignedIn;
    get "/account/authenticator" => profile::show_authenticator, Access::SignedIn;
    post "/account/authenticator" => profile::enable_authenticator, Access::SignedIn;
    post "/account/authenticator/remove" => profile::disable_authenticator, Access::SignedIn;
    get "/learners" => learners::show, Access::SignedIn;
    get "/children/{id}" => children::show, Access::Child(Action::ViewChildOverview);
    get "/children/{id}/edit" => profile_edit::show, Access::Child(Action::EditChildProfile);
    post "/children/{id}/edit" => profile_edit::save, Access::Child(Action::EditChildProfile);
    get "/children/{id}/history" => allocations::history, Access::Child(Action::ViewChildAuditLog);
    get "/children/{id}/allocations/new" => allocations::show_allocate, Access::Child(Action::ManageAllocations);
    post "/children/{id}/allocations/new" => allocations::allocate, Access::Child(Action::ManageAllocations);
    post "/children/{id}/allocations/{allocation}/end" => allocations::end, Access::Child(Action::ManageAllocations);
    get "/children/{id}/invite" => allocations::show_invite, Access::Child(Action::GrantCarerAccess);
    post "/children/{id}/invite" => allocations::invite, Access::Child(Action::GrantCarerAccess);
    get "/children/{id}/care" => care::show, Access::Child(Action::EditChildProfile);
    post "/children/{id}/care" => care::save, Access::Child(Action::EditChildProfile);
    get "/children/{id}/school" => school_move::show, Access::Child(Action::EditChildProfile);
    post "/children/{id}/school" => school_move::save, Access::Child(Action::EditChildProfile);
    get "/children/{id}/peps/{pep}" => peps::show, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/pages/{page}" => pep_page::show_page, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/pages/{page}" => pep_page::save_page, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/pages/{page}/autosave" => pep_page::autosave_page, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/documents" => documents::show, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/documents" => documents::upload, Access::Child(Action::ViewPep);
    get "/children/{id}/documents/{document}" => documents::download, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/disagreements" => peps::raise_disagreement, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/disagreements/{disagreement}/resolve" => peps::resolve_disagreement, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/meeting" => meetings::show, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/meeting/arrange" => meetings::show_arrange, Access::Child(Action::ArrangeMeeting);
    post "/children/{id}/peps/{pep}/meeting/arrange" => meetings::arrange, Access::Child(Action::ArrangeMeeting);
    post "/children/{id}/peps/{pep}/meeting/cancel" => meetings::cancel, Access::Child(Action::ArrangeMeeting);
    post "/children/{id}/peps/{pep}/meeting/held" => meetings::confirm_held, Access::Child(Action::ArrangeMeeting);
    get "/children/{id}/peps/{pep}/sign-off" => sign_off::show, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/sign-off/next-meeting" => sign_off::set_next_meeting, Access::Child(Action::ArrangeMeeting);
    post "/children/{id}/peps/{pep}/sign-off/mark" => sign_off::mark, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/sign-off/final" => sign_off::sign_off, Access::Child(Action::SignOffPep);
    post "/children/{id}/peps/{pep}/sign-off/reopen" => sign_off::reopen, Access::Child(Action::QualityAssurePep);
    post "/children/{id}/peps/{pep}/sign-off/resubmit" => sign_off::resubmit, Access::Child(Action::ViewPep);
    get "/quality" => quality::show_queue, Access::Authority(AuthorityAction::QualityAssurePeps);
    get "/children/{id}/peps/{pep}/quality" => quality::show, Access::Child(Action::QualityAssurePep);
    post "/children/{id}/peps/{pep}/quality/grade" => quality::grade, Access::Child(Action::QualityAssurePep);
    post "/children/{id}/peps/{pep}/quality/return" => quality::return_for_improvement, Access::Child(Action::QualityAssurePep);
    post "/children/{id}/peps/{pep}/quality/officer" => quality::assign, Access::Child(Action::QualityAssurePep);
    get "/children/{id}/peps/{pep}/pdf/{version}" => sign_off::download_pdf, Access::Child(Action::ViewChildRecord);
    get "/messages" => messages::inbox, Access::SignedIn;
    post "/messages/read" => messages::mark_all_read, Access::SignedIn;
    get "/messages/{thread}" => messages::show_thread, Access::SignedIn;
    post "/messages/{thread}" => messages::reply, Access::SignedIn;
    get "/children/{id}/messages/new" => messages::show_new, Access::Child(Action::MessageAboutChild);
    post "/children/{id}/messages/new" => messages::send, Access::Child(Action::MessageAboutChild);
    get "/invitations" => meetings::invitations, Access::SignedIn;
    get "/invitations/{invitation}" => meetings::show_answer, Access::SignedIn;
    post "/invitations/{invitation}" => meetings::save_answer, Access::SignedIn;
    get "/children/{id}/peps/{pep}/targets" => targets::show, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/targets/new" => targets::show_new, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/targets/new" => targets::create, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/targets/bank" => targets::show_bank, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/targets/agree" => targets::agree, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/targets/{target}" => targets::show_edit, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/targets/{target}" => targets::update, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/targets/{target}/review" => targets::show_review, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/targets/{target}/review" => targets::save_review, Access::Child(Action::ViewPep);
    get "/children/{id}/peps/{pep}/targets/{target}/funding" => funding::show_new_request, Access::Child(Action::RequestFunding);
    post "/children/{id}/peps/{pep}/targets/{target}/funding" => funding::create_request, Access::Child(Action::RequestFunding);
    get "/children/{id}/peps/{pep}/funding/{request}" => funding::show_request, Access::Child(Action::ViewPep);
    post "/children/{id}/peps/{pep}/funding/{request}" => funding::update_request, Access::Child(Action::RequestFunding);
    post "/children/{id}/peps/{pep}/funding/{request}/submit" => funding::submit_request, Access::Child(Action::RequestFunding);
    get "/funding" => funding::show_queue, Access::Authority(AuthorityAction::ViewAuthorityReports);
    post "/funding/decide" => funding::decide, Access::Authority(AuthorityAction::DecideFunding);
    post "/funding/pay" => funding::pay, Access::Authority(AuthorityAction::PayFunding);
    get "/settings/funding" => funding::show_policy, Access::Authority(AuthorityAction::ManageSettings);
    post "/settings/funding/post-16" => funding::save_post_16, Access::Authority(AuthorityAction::ManageSettings);
    get "/settings/funding/categories/{code}" => funding::show_category, Access::Authority(AuthorityAction::ManageSettings);
    post "/settings/funding/categories/{code}" => funding::save_category, Access::Authority(AuthorityAction::ManageSettings);
    get "/settings/funding/sources/{code}/rates" => funding::show_rate, Access::Authority(AuthorityAction::ManageSettings);
    post "/settings/funding/sources/{code}/rates" => funding::save_rate, Access::Authority(AuthorityAction::ManageSettings);
    get "/notices" => notices::list, Access::Authority(AuthorityAction::PostNotices);
    get "/notices/new" => notices::show_new, Access::Authority(AuthorityAction::PostNotices);
    post "/notices/new" => notices::create, Access::Authority(AuthorityAction::PostNotices);
    get "/notices/{notice}" => notices::show_edit, Access::Authority(AuthorityAction::PostNotices);
    post "/notices/{notice}" => notices::update, Access::Authority(AuthorityAction::PostNotices);
    post "/notices/{notice}/remove" => notices::remove, Access::Authority(AuthorityAction::PostNotices);
    get "/notices/{notice}/attachments" => notices::show_attachments, Access::Authority(AuthorityAction::PostNotices);
    post "/notices/{notice}/attachments" => notices::attach, Access::Authority(AuthorityAction::PostNotices);
    post "/notices/{notice}/attachments/{attachment}/remove" => notices::detach, Access::Authority(AuthorityAction::PostNotices);
    get "/notices/{notice}/attachments/{attachment}" => notices::download_attachment, Access::SignedIn;
    get "/dashboard" => dashboard::show, Access::SignedIn;
    get "/dashboard/export/{table}/{format}" => dashboard::export, Access::SignedIn;
    get "/peps" => pep_lists::show, Access::Authority(AuthorityAction::ViewAuthorityReports);
    post "/peps/{pep}/remind" => pep_lists::remind, Access::Authority(AuthorityAction::ChasePeps);
    get "/peps/delegate" => delegation::show, Access::Authority(AuthorityAction::DelegatePeps);
    post "/peps/delegate" => delegation::choose, Access::Authority(AuthorityAction::DelegatePeps);
    get "/peps/delegate/preview" => delegation::preview, Access::Authority(AuthorityAction::DelegatePeps);
    post "/peps/delegate/confirm" => delegation::confirm, Access::Authority(AuthorityAction::DelegatePeps);
    get "/settings/template" => templates::show, Access::Authority(AuthorityAction::ManageTemplates);
    post "/settings/template" => templates::upload, Access::Authority(AuthorityAction::ManageTemplates);
    get "/settings/template/{version}" => templates::download, Access::Authority(AuthorityAction::ManageTemplates);
    get "/settings/terms/{year}" => term_dates::show, Access::Authority(AuthorityAction::ManageSettings);
    post "/settings/terms/{year}" => term_dates::save, Access::Authority(AuthorityAction::ManageSettings);
    get "/imports" => imports::show, Access::Authority(AuthorityAction::ImportData);
    post "/imports" => imports::upload, Access::Authority(AuthorityAction::ImportData);
    get "/imports/{import}" => imports::report, Access::Authority(AuthorityAction::ImportData);
    post "/imports/{import}/columns" => imports::remap, Access::Authority(AuthorityAction::ImportData);
    post "/imports/{import}/run" => imports::run, Access::Authority(AuthorityAction::ImportData);
    get "/exports" => exports::show, Access::Authority(AuthorityAction::ExportData);
    get "/exports/peps" => exports::term_pdfs, Access::Authority(AuthorityAction::ExportData);
    get "/exports/{file}" => exports::cohort, Access::Authority(AuthorityAction::ExportData);
    get "/children/{id}/records" => exports::show_child_records, Access::Child(Action::ExportChildRecords);
    post "/children/{id}/records" => exports::child_records, Access::Child(Action::ExportChildRecords);
    get "/retention" => retention::show, Access::Authority(AuthorityAction::ReviewRetention);
    get "/retention/{review}" => retention::show_review, Access::Authority(AuthorityAction::ReviewRetention);
    post "/retention/{review}" => retention::keep, Access::Authority(AuthorityAction::ReviewRetention);
    get "/settings/api-tokens" => api_tokens::show, Access::Authority(AuthorityAction::ManageApiTokens);
    post "/settings/api-tokens" => api_tokens::create, Access::Authority(AuthorityAction::ManageApiTokens);
    post "/settings/api-tokens/{token}/revoke" => api_tokens::revoke, Access::Authority(AuthorityAction::ManageApiTokens);
    get "/settings" => settings::show, Access::Authority(AuthorityAction::ManageSettings);
    post "/settings" => settings::save, Access::Authority(AuthorityAction::ManageSettings);
    get "/people" => people::list, Access::Authority(AuthorityAction::ViewPeople);
    get "/people/invite" => people::show_invite, Access::Authority(AuthorityAction::InvitePeople);
    post "/people/invite" => people::invite, Access::Authority(AuthorityAction::InvitePeople);
    post "/people/{person}/deactivate" => people::deactivate, Access::Authority(AuthorityAction::ManagePeople);
    post "/people/{person}/reactivate" => people::reactivate, Access::Authority(AuthorityAction::ManagePeople);
    post "/people/{person}/unlock" => people::unlock, Access::Authority(AuthorityAction::UnlockAccounts);
    get "/people/{person}/team" => people::show_team, Access::Authority(AuthorityAction::ManagePeople);
    get "/people/{person}/role" => people::show_role, Access::Authority(AuthorityAction::ManagePeople);
    post "/people/{person}/role" => people::change_role, Access::Authority(AuthorityAction::ManagePeople);
    post "/people/{person}/team" => people::set_team, Access::Authority(AuthorityAction::ManagePeople);
}

/// Routes that never touch a session.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/assets/{name}", get(assets::serve))
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
}

/// The address a page is sent back to after a change: `?done=…` names
/// what was done, for its success banner.
#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

/// A record's id from the address; anything that is not one is not found.
pub(crate) fn id_or_404(text: &str) -> Result<uuid::Uuid, crate::AppError> {
    uuid::Uuid::parse_str(text).map_err(|_| crate::AppError::NotFound)
}

pub async fn not_found() -> Response {
    crate::error::not_found()
}
