//! `/`: each role's home page.

use axum::response::Redirect;
use openpep_domain::Role;

use crate::extract::MaybeUser;

/// Where a role lands after signing in. Every role starts from its
/// learners for now; the Virtual School's dashboard comes with its issue.
pub fn home_for(_role: Role) -> &'static str {
    "/learners"
}

pub async fn show(MaybeUser(user): MaybeUser) -> Redirect {
    match user {
        Some(user) => Redirect::to(home_for(user.role())),
        None => Redirect::to("/sign-in"),
    }
}
