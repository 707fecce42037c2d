//! Allocating people to a child, inviting a carer or the young person, and
//! the child's full history.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::{Action, Role};
use openpep_service::FieldErrors;
use openpep_service::allocations::AllocateForm;
use openpep_service::invitations::FormError;
use openpep_service::profile::{describe_child_event, uk_time};
use serde::Deserialize;
use uuid::Uuid;

use crate::components::{Cell, Choice, DateValue, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

fn unprocessable(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/allocate.html")]
pub struct AllocatePage {
    layout: Layout,
    errors: FieldErrors,
    child_id: String,
    child_name: String,
    people: Vec<Choice>,
    person: String,
    from: DateValue,
}

#[derive(Deserialize, Default)]
pub struct AllocateFields {
    #[serde(default)]
    person: String,
    #[serde(default, rename = "from-day")]
    day: String,
    #[serde(default, rename = "from-month")]
    month: String,
    #[serde(default, rename = "from-year")]
    year: String,
}

async fn allocate_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    fields: AllocateFields,
    errors: FieldErrors,
) -> Result<AllocatePage, AppError> {
    let child = state.services.child_for(&user.actor, id, Action::ManageAllocations).await?;
    let staff = state.services.allocatable_staff(&user.actor, id).await?;
    let mut people = vec![Choice::new("", "Select a person")];
    people.extend(staff.into_iter().map(|s| {
        let role = Role::from_code(&s.role).map_or("", Role::label);
        let label = match s.school_name {
            Some(school) => format!("{} ({role}, {school})", s.display_name),
            None => format!("{} ({role})", s.display_name),
        };
        Choice::new(format!("{}:{}", s.role, s.user_id), label)
    }));
    let name = child.full_name();
    Ok(AllocatePage {
        layout: Layout::for_user(user, "Allocate someone", "/children")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        child_id: id.to_string(),
        child_name: name,
        people,
        person: fields.person,
        from: DateValue { day: fields.day, month: fields.month, year: fields.year },
    })
}

pub async fn show_allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<AllocatePage, AppError> {
    let today = state.services.clock.today();
    let fields = AllocateFields {
        day: today.format("%-d").to_string(),
        month: today.format("%-m").to_string(),
        year: today.format("%Y").to_string(),
        ..AllocateFields::default()
    };
    allocate_page(&state, &user, super::id_or_404(&id)?, fields, FieldErrors::default()).await
}

pub async fn allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<AllocateFields>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let form = AllocateForm {
        person: fields.person.clone(),
        day: fields.day.clone(),
        month: fields.month.clone(),
        year: fields.year.clone(),
    };
    match state.services.allocate(&user.actor, id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(FormError::Invalid(errors)) => {
            Ok(unprocessable(allocate_page(&state, &user, id, fields, errors).await?))
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn end(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, allocation)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let allocation = super::id_or_404(&allocation)?;
    state.services.end_allocation(&user.actor, id, allocation).await?;
    Ok(Redirect::to(&format!("/children/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/invite_to_child.html")]
pub struct InviteToChildPage {
    layout: Layout,
    errors: FieldErrors,
    child_id: String,
    child_name: String,
    roles: Vec<Choice>,
    form: InviteFields,
}

#[derive(Deserialize, Default)]
pub struct InviteFields {
    #[serde(default)]
    role: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

async fn invite_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    form: InviteFields,
    errors: FieldErrors,
) -> Result<InviteToChildPage, AppError> {
    let (child, relationship) = state.services.child_access(&user.actor, id).await?;
    if !openpep_domain::allowed(user.role(), Action::GrantCarerAccess, relationship) {
        return Err(AppError::NotFound);
    }
    let mut roles = vec![
        Choice::new("carer", "Their carer")
            .with_hint("A foster carer, residential key worker or parent"),
    ];
    if openpep_domain::allowed(user.role(), Action::ManageAllocations, relationship) {
        roles.push(
            Choice::new("young_person", format!("{} themselves", child.forename))
                .with_hint("To see their own PEP and give their views"),
        );
    }
    Ok(InviteToChildPage {
        layout: Layout::for_user(user, "Give access to this child's PEP", "/children")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        child_id: id.to_string(),
        child_name: child.full_name(),
        roles,
        form,
    })
}

pub async fn show_invite(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<InviteToChildPage, AppError> {
    let form = InviteFields { role: "carer".into(), ..InviteFields::default() };
    invite_page(&state, &user, super::id_or_404(&id)?, form, FieldErrors::default()).await
}

pub async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<InviteFields>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let Some(role) =
        Role::from_code(&form.role).filter(|r| matches!(r, Role::Carer | Role::YoungPerson))
    else {
        let mut errors = FieldErrors::default();
        errors.add("role", "Select who to give access to");
        return Ok(unprocessable(invite_page(&state, &user, id, form, errors).await?));
    };
    match state.services.invite_to_child(&user.actor, id, role, &form.name, &form.email).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(FormError::Invalid(errors)) => {
            Ok(unprocessable(invite_page(&state, &user, id, form, errors).await?))
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/child_history.html")]
pub struct HistoryPage {
    layout: Layout,
    child_id: String,
    child_name: String,
    events: Table,
}

pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<HistoryPage, AppError> {
    let (child, events) = state.services.child_history(&user.actor, super::id_or_404(&id)?).await?;
    let events = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["When", "Who", "What", "Details"].map(String::from).to_vec(),
        rows: events
            .iter()
            .map(|e| {
                let details = match &e.details.0 {
                    serde_json::Value::Object(map) if !map.is_empty() => {
                        serde_json::to_string(map).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                vec![
                    Cell::text(uk_time(e.occurred_at)),
                    Cell::text(e.actor_name.clone().unwrap_or_else(|| "OpenPEP".into())),
                    Cell::text(describe_child_event(&e.action)),
                    Cell::text(details),
                ]
            })
            .collect(),
    };
    Ok(HistoryPage {
        layout: Layout::for_user(&user, "History of this record", "/children")
            .dev(state.config.dev_mode),
        child_id: child.id.to_string(),
        child_name: child.full_name(),
        events,
    })
}
