//! "Your learners": the children the signed-in person works with.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use openpep_domain::{AcademicYear, NcYear};
use serde::Deserialize;

use crate::components::{Cell, Pagination, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct LearnersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/learners.html")]
pub struct LearnersPage {
    layout: Layout,
    search: String,
    table: Table,
    pagination: Pagination,
    total: i64,
    first: i64,
    last: i64,
}

fn query_string(search: &str, page: u32) -> String {
    let mut pairs = Vec::new();
    if !search.is_empty() {
        pairs.push(("q", search.to_owned()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(q) if !q.is_empty() => format!("/learners?{q}"),
        _ => "/learners".to_owned(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<LearnersQuery>,
) -> Result<LearnersPage, AppError> {
    let search = query.q.trim().chars().take(100).collect::<String>();
    // A page number that is not a number is page 1, not an error page.
    let asked = query.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    let search_for = (!search.is_empty()).then(|| search.clone());
    let mut page = asked;
    let mut found = state.services.learners(&user.actor, search_for.clone(), page).await?;
    let per_page = i64::from(openpep_service::children::LEARNERS_PER_PAGE);
    let last_page = u32::try_from((found.total + per_page - 1) / per_page).unwrap_or(1).max(1);
    // Past the end (an old link, a list that shrank): show the last page.
    if page > last_page {
        page = last_page;
        found = state.services.learners(&user.actor, search_for, page).await?;
    }
    let year = AcademicYear::containing(state.services.clock.today());
    let rows = found
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::link(format!("{} {}", r.forename, r.surname), format!("/children/{}", r.id))
                    .heading(),
                Cell::text(r.date_of_birth.format("%-d %b %Y").to_string()),
                Cell::text(NcYear::for_child(r.date_of_birth, year).label()),
                Cell::text(r.school_name.clone().unwrap_or_else(|| "No school place".into())),
                Cell::text(r.social_worker.clone().unwrap_or_else(|| "Not allocated".into())),
            ]
        })
        .collect();
    let first = i64::from(page - 1) * per_page + 1;
    let last = (first + found.rows.len() as i64 - 1).max(0);
    Ok(LearnersPage {
        layout: Layout::for_user(&user, "Your learners", "/learners").dev(state.config.dev_mode),
        table: Table {
            csrf: String::new(),
            caption: "Learners".into(),
            caption_size: "m",
            head: ["Name", "Date of birth", "Year group", "School or setting", "Social worker"]
                .map(String::from)
                .to_vec(),
            rows,
        },
        pagination: Pagination::new(page, last_page, |n| query_string(&search, n)),
        search,
        total: found.total,
        first,
        last,
    })
}
