//! The authority's people: who has access, pending invitations, inviting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::{AuthorityAction, Role};
use openpep_service::FieldErrors;
use openpep_service::invitations::{FormError, INVITABLE_ROLES, InviteForm};
use serde::Deserialize;

use crate::components::{Cell, Choice, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/people.html")]
pub struct PeoplePage {
    layout: Layout,
    search: String,
    people: Table,
    invitations: Table,
    invited: Option<String>,
    can_invite: bool,
}

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    invited: Option<String>,
}

fn role_label(code: &str) -> String {
    Role::from_code(code).map_or_else(|| code.to_owned(), |r| r.label().to_owned())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PeopleQuery>,
) -> Result<PeoplePage, AppError> {
    let search = query.q.trim().chars().take(100).collect::<String>();
    let people =
        state.services.people(&user.actor, (!search.is_empty()).then_some(search.as_str())).await?;
    let pending = state.services.pending_invitations(&user.actor).await?;
    let locked = state.services.locked_out(&user.actor, &people).await?;
    let can_manage = openpep_domain::may(user.role(), AuthorityAction::ManagePeople);
    let can_unlock = openpep_domain::may(user.role(), AuthorityAction::UnlockAccounts);
    let date = |d: chrono::DateTime<chrono::Utc>| d.format("%-d %b %Y").to_string();
    let people = Table {
        caption: String::new(),
        caption_size: "m",
        head: ["Name", "Email", "Role", "Last signed in", "Status", "Actions"]
            .map(String::from)
            .to_vec(),
        csrf: user.session.csrf_token.clone(),
        rows: people
            .iter()
            .map(|p| {
                let role = match &p.school_name {
                    Some(school) => format!("{}, {school}", role_label(&p.role)),
                    None => role_label(&p.role),
                };
                let ended = !p.is_active || p.membership_ended_at.is_some();
                let is_locked = locked.contains(&p.user_id);
                let status = if ended {
                    Tag::new("Deactivated", TagColour::Grey)
                } else if is_locked {
                    Tag::new("Locked", TagColour::Red)
                } else {
                    Tag::new("Active", TagColour::Green)
                };
                let who = format!("{} ({})", p.display_name, role_label(&p.role));
                let action = if can_unlock && is_locked {
                    Cell::button(format!("/people/{}/unlock", p.membership_id), "Unlock", who)
                } else if can_manage && p.membership_id != user.actor.membership_id {
                    let (path, label) = if ended {
                        ("reactivate", "Reactivate")
                    } else {
                        ("deactivate", "Deactivate")
                    };
                    Cell::button(format!("/people/{}/{path}", p.membership_id), label, who)
                } else {
                    Cell::text("")
                };
                let role_cell = if can_manage && p.role == "team_manager" && !ended {
                    Cell::link(
                        format!("{role}: set team"),
                        format!("/people/{}/team", p.membership_id),
                    )
                } else if can_manage && !ended && p.membership_id != user.actor.membership_id {
                    Cell::link(role, format!("/people/{}/role", p.membership_id))
                } else {
                    Cell::text(role)
                };
                vec![
                    Cell::text(p.display_name.clone()).heading(),
                    Cell::text(p.email.clone()),
                    role_cell,
                    Cell::text(p.last_signed_in_at.map(date).unwrap_or_else(|| "Never".into())),
                    Cell::tag(status),
                    action,
                ]
            })
            .collect(),
    };
    let invitations = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["Name", "Email", "Role", "Sent", "Link expires"].map(String::from).to_vec(),
        rows: pending
            .iter()
            .map(|i| {
                vec![
                    Cell::text(i.display_name.clone()).heading(),
                    Cell::text(i.email.clone()),
                    Cell::text(role_label(&i.role)),
                    Cell::text(date(i.created_at)),
                    Cell::text(date(i.expires_at)),
                ]
            })
            .collect(),
    };
    Ok(PeoplePage {
        layout: Layout::for_user(&user, "People", "/people").dev(state.config.dev_mode),
        search,
        people,
        invitations,
        invited: query.invited,
        can_invite: openpep_domain::may(user.role(), AuthorityAction::InvitePeople),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/invite.html")]
pub struct InvitePage {
    layout: Layout,
    errors: FieldErrors,
    form: InviteFields,
    roles: Vec<Choice>,
    schools: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct InviteFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    school: String,
}

async fn invite_page(
    state: &AppState,
    user: &CurrentUser,
    form: InviteFields,
    errors: FieldErrors,
) -> Result<InvitePage, AppError> {
    let schools = state.services.authority_schools(&user.actor).await?;
    let mut school_choices = vec![Choice::new("", "Select a school or setting")];
    school_choices.extend(
        schools
            .into_iter()
            .map(|s| Choice::new(s.id.to_string(), format!("{} (URN {})", s.name, s.urn))),
    );
    Ok(InvitePage {
        layout: Layout::for_user(user, "Invite someone", "/people")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        form,
        roles: INVITABLE_ROLES.iter().map(|r| Choice::new(r.code(), r.label())).collect(),
        schools: school_choices,
    })
}

pub async fn show_invite(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<InvitePage, AppError> {
    state.services.authorise(&user.actor, AuthorityAction::InvitePeople)?;
    invite_page(&state, &user, InviteFields::default(), FieldErrors::default()).await
}

pub async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<InviteFields>,
) -> Result<Response, AppError> {
    let form = InviteForm {
        name: fields.name.clone(),
        email: fields.email.clone(),
        role: fields.role.clone(),
        school: fields.school.clone(),
    };
    match state.services.invite(&user.actor, &form).await {
        Ok(email) => {
            let query = serde_urlencoded::to_string([("invited", email)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/people?{query}")).into_response())
        }
        Err(FormError::Invalid(errors)) => {
            let mut response = invite_page(&state, &user, fields, errors).await?.into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

/// Deactivates, reactivates or unlocks a person, then back to the list.
async fn change(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    what: &str,
) -> Result<Response, AppError> {
    let id = super::id_or_404(id)?;
    match what {
        "deactivate" => state.services.set_access(&user.actor, id, false).await?,
        "reactivate" => state.services.set_access(&user.actor, id, true).await?,
        _ => state.services.unlock(&user.actor, id).await?,
    }
    Ok(Redirect::to("/people").into_response())
}

pub async fn deactivate(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    change(&state, &user, &id, "deactivate").await
}

pub async fn reactivate(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    change(&state, &user, &id, "reactivate").await
}

pub async fn unlock(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    change(&state, &user, &id, "unlock").await
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/team.html")]
pub struct TeamPage {
    layout: Layout,
    manager: String,
    action: String,
    social_workers: Vec<Choice>,
    members: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct TeamFields {
    #[serde(default)]
    members: Vec<String>,
}

pub async fn show_team(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<TeamPage, AppError> {
    let id = super::id_or_404(&id)?;
    let team = state.services.team(&user.actor, id).await?;
    Ok(TeamPage {
        layout: Layout::for_user(&user, "Team", "/people").dev(state.config.dev_mode),
        manager: team.manager.display_name,
        action: format!("/people/{id}/team"),
        social_workers: team
            .social_workers
            .iter()
            .map(|s| Choice::new(s.user_id.to_string(), s.display_name.clone()))
            .collect(),
        members: team.members.iter().map(uuid::Uuid::to_string).collect(),
    })
}

pub async fn set_team(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(fields): Form<TeamFields>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let wanted: Vec<uuid::Uuid> =
        fields.members.iter().filter_map(|m| uuid::Uuid::parse_str(m).ok()).collect();
    state.services.set_team(&user.actor, id, &wanted).await?;
    Ok(Redirect::to("/people").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/change_role.html")]
pub struct ChangeRolePage {
    layout: Layout,
    errors: FieldErrors,
    name: String,
    action: String,
    roles: Vec<Choice>,
    schools: Vec<Choice>,
    role: String,
    school: String,
}

#[derive(Deserialize, Default)]
pub struct RoleFields {
    #[serde(default)]
    role: String,
    #[serde(default)]
    school: String,
}

async fn role_page(
    state: &AppState,
    user: &CurrentUser,
    id: uuid::Uuid,
    fields: RoleFields,
    errors: FieldErrors,
) -> Result<ChangeRolePage, AppError> {
    let person = state.services.membership(&user.actor, id).await?;
    let schools = state.services.authority_schools(&user.actor).await?;
    let mut school_choices = vec![Choice::new("", "Select a school or setting")];
    school_choices.extend(
        schools
            .into_iter()
            .map(|s| Choice::new(s.id.to_string(), format!("{} (URN {})", s.name, s.urn))),
    );
    let role = if fields.role.is_empty() { person.role.clone() } else { fields.role };
    Ok(ChangeRolePage {
        layout: Layout::for_user(user, "Change role", "/people")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        name: person.display_name,
        action: format!("/people/{id}/role"),
        roles: INVITABLE_ROLES.iter().map(|r| Choice::new(r.code(), r.label())).collect(),
        schools: school_choices,
        role,
        school: fields.school,
    })
}

pub async fn show_role(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<ChangeRolePage, AppError> {
    let id = super::id_or_404(&id)?;
    role_page(&state, &user, id, RoleFields::default(), FieldErrors::default()).await
}

pub async fn change_role(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(fields): Form<RoleFields>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    match state.services.change_role(&user.actor, id, &fields.role, &fields.school).await {
        Ok(()) => Ok(Redirect::to("/people").into_response()),
        Err(FormError::Invalid(errors)) => {
            let mut response = role_page(&state, &user, id, fields, errors).await?.into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
