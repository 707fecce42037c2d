//! What every page's frame needs: title, the authority's name, the
//! service navigation for the signed-in role, the CSRF token, asset URLs.

use openpep_domain::Role;

use crate::assets;
use crate::extract::CurrentUser;

#[derive(Debug, Clone)]
pub struct NavItem {
    pub text: &'static str,
    pub href: &'static str,
    pub current: bool,
    /// Unread messages, beside "Your messages".
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub la_name: Option<String>,
    pub user_name: Option<String>,
    pub role_label: Option<&'static str>,
    pub nav: Vec<NavItem>,
    pub csrf_token: String,
    pub css: String,
    pub js: String,
    pub favicon: String,
    pub dev_mode: bool,
    /// Signed-in pages: seconds of idleness before the session ends.
    pub session_timeout_seconds: i64,
}

/// The areas of the service each role can reach, in navigation order.
fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = match role {
        Role::Carer | Role::YoungPerson => vec![("Home", "/learners")],
        _ => vec![("Your learners", "/learners")],
    };
    items.push(("Your messages", "/messages"));
    items.push(("PEP invitations", "/invitations"));
    if openpep_service::dashboard::view_for(role).is_some() {
        items.push(("Dashboard", "/dashboard"));
    }
    if openpep_domain::may(role, openpep_domain::AuthorityAction::ViewAuthorityReports) {
        items.push(("PEPs", "/peps"));
    }
    if openpep_domain::may(role, openpep_domain::AuthorityAction::QualityAssurePeps) {
        items.push(("Quality assurance", "/quality"));
    }
    if openpep_domain::may(role, openpep_domain::AuthorityAction::DecideFunding)
        || openpep_domain::may(role, openpep_domain::AuthorityAction::PayFunding)
    {
        items.push(("Funding", "/funding"));
    }
    if openpep_domain::may(role, openpep_domain::AuthorityAction::PostNotices) {
        items.push(("Notice board", "/notices"));
    }
    if openpep_domain::may(role, openpep_domain::AuthorityAction::ViewPeople) {
        items.push(("People", "/people"));
    }
    if openpep_domain::may(role, openpep_domain::AuthorityAction::ManageSettings) {
        items.push(("Settings", "/settings"));
    }
    items.push(("Your account", "/account"));
    items
}

impl Layout {
    /// A page outside the signed-in service (sign-in, errors).
    pub fn plain(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            la_name: None,
            user_name: None,
            role_label: None,
            nav: Vec::new(),
            csrf_token: String::new(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            favicon: assets::url("favicon.svg"),
            dev_mode: false,
            session_timeout_seconds: 0,
        }
    }

    /// A page of the signed-in service; `path` marks the current nav item.
    pub fn for_user(user: &CurrentUser, title: &str, path: &str) -> Layout {
        let mut items = nav_for(user.role());
        if user.session.membership_count > 1 {
            items.push(("Change authority", "/choose-authority"));
        }
        let nav = items
            .into_iter()
            .map(|(text, href)| NavItem {
                text,
                href,
                current: path.starts_with(href),
                count: if href == "/messages" { user.session.unread_messages } else { 0 },
            })
            .collect();
        Layout {
            la_name: Some(user.session.la_name.clone()),
            user_name: Some(user.session.display_name.clone()),
            role_label: Some(user.role().label()),
            nav,
            csrf_token: user.session.csrf_token.clone(),
            session_timeout_seconds: user.idle_seconds,
            ..Layout::plain(title)
        }
    }

    /// The navigation's unread count, less the messages this page read.
    pub fn read(mut self, messages: u64) -> Layout {
        for item in self.nav.iter_mut().filter(|i| i.href == "/messages") {
            item.count = (item.count - i64::try_from(messages).unwrap_or(i64::MAX)).max(0);
        }
        self
    }

    pub fn dev(mut self, dev_mode: bool) -> Layout {
        self.dev_mode = dev_mode;
        self
    }

    pub fn csrf(mut self, token: &str) -> Layout {
        self.csrf_token = token.to_owned();
        self
    }

    /// GOV.UK pages with errors start their title with "Error: ".
    pub fn with_errors(mut self, has_errors: bool) -> Layout {
        if has_errors {
            self.title = format!("Error: {}", self.title);
        }
        self
    }
}
