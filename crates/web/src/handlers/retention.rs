//! Records past retention (the young person's 75th birthday), for the
//! Virtual School's administrator to review: each listing is kept for a
//! set time with a reason, or left waiting. Nothing here deletes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_service::FieldErrors;
use openpep_service::invitations::FormError;
use openpep_service::profile::{uk_date as date, uk_time};
use openpep_service::retention::KEEP_FOR_YEARS;
use openpep_store::retention::ReviewRow;

use crate::components::{Cell, Choice, SummaryRow, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/retention.html")]
pub struct RetentionPage {
    layout: Layout,
    waiting: Table,
    reviewed: Table,
    saved: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/retention_review.html")]
pub struct ReviewPage {
    layout: Layout,
    errors: FieldErrors,
    summary: Vec<SummaryRow>,
    action: String,
    choices: Vec<Choice>,
    years: String,
    reason: String,
}

#[derive(serde::Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    years: String,
    #[serde(default)]
    reason: String,
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn name(r: &ReviewRow) -> String {
    format!("{} {}", r.forename, r.surname)
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> Result<RetentionPage, AppError> {
    let rows = state.services.retention_reviews(&user.actor).await?;
    let (waiting, reviewed): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.decided_at.is_none());
    let table = |caption: &str, head: &[&str], rows: Vec<Vec<Cell>>| Table {
        caption: caption.into(),
        caption_size: "m",
        head: head.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        csrf: String::new(),
    };
    Ok(RetentionPage {
        layout: Layout::for_user(&user, "Records past retention", "/settings")
            .dev(state.config.dev_mode),
        waiting: table(
            "Waiting for review",
            &["Name", "Born", "Kept until", "Listed", ""],
            waiting
                .iter()
                .map(|r| {
                    vec![
                        Cell::link(name(r), format!("/children/{}", r.child_id)).heading(),
                        Cell::text(date(r.date_of_birth)),
                        Cell::text(date(r.retain_until)),
                        Cell::text(uk_time(r.listed_at)),
                        Cell::link("Review", format!("/retention/{}", r.id))
                            .with_context(format!(" the records of {}", name(r))),
                    ]
                })
                .collect(),
        ),
        reviewed: table(
            "Reviewed",
            &["Name", "Kept until", "Why", "By", "When"],
            reviewed
                .iter()
                .map(|r| {
                    vec![
                        Cell::link(name(r), format!("/children/{}", r.child_id)).heading(),
                        Cell::text(r.keep_until.map(date).unwrap_or_default()),
                        Cell::text(r.reason.clone().unwrap_or_default()),
                        Cell::text(r.decided_by_name.clone().unwrap_or_default()),
                        Cell::text(r.decided_at.map(uk_time).unwrap_or_default()),
                    ]
                })
                .collect(),
        ),
        saved: query.saved.is_some(),
    })
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    form: ReviewForm,
    errors: FieldErrors,
) -> Result<ReviewPage, AppError> {
    let review_id = super::id_or_404(id)?;
    let rows = state.services.retention_reviews(&user.actor).await?;
    let row = rows
        .iter()
        .find(|r| r.id == review_id && r.decided_at.is_none())
        .ok_or(AppError::NotFound)?;
    Ok(ReviewPage {
        layout: Layout::for_user(user, "Review records past retention", "/settings")
            .dev(state.config.dev_mode),
        errors,
        summary: vec![
            SummaryRow::new("Name", name(row)),
            SummaryRow::new("Born", date(row.date_of_birth)),
            SummaryRow::new("Records kept until", date(row.retain_until)),
            SummaryRow::new("Listed for review", uk_time(row.listed_at)),
        ],
        action: format!("/retention/{review_id}"),
        choices: KEEP_FOR_YEARS
            .iter()
            .map(|y| {
                Choice::new(
                    y.to_string(),
                    if *y == 1 { "1 year".to_owned() } else { format!("{y} years") },
                )
            })
            .collect(),
        years: form.years,
        reason: form.reason,
    })
}

pub async fn show_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<ReviewPage, AppError> {
    review_page(&state, &user, &id, ReviewForm::default(), FieldErrors::default()).await
}

pub async fn keep(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let review_id = super::id_or_404(&id)?;
    match state.services.keep_records(&user.actor, review_id, &form.years, &form.reason).await {
        Ok(()) => Ok(Redirect::to("/retention?saved=1").into_response()),
        Err(FormError::Invalid(errors)) => {
            let page = review_page(&state, &user, &id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
