//! The Virtual School's PEP lists: every open PEP, the overdue ones, and
//! the meetings the VS should attend.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use openpep_domain::PepStatus;
use openpep_domain::meeting::when_label;
use openpep_service::chasing::{Chasing, Reminded};
use openpep_service::dashboard::reminders_table;
use openpep_service::pep_lists::{PepListItem, PepListKind};
use openpep_service::profile::uk_short_date;
use serde::Deserialize;

use crate::components::{Cell, Pagination, Table, Tag};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};
use openpep_service::pep_editing::pep_path;

/// Where "Send reminder" was pressed: the dashboard, or the overdue list.
#[derive(Deserialize, Default)]
pub struct FromQuery {
    #[serde(default)]
    from: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    done: Option<String>,
    /// The page of the open and VS-to-attend lists (the overdue list is
    /// shown whole, to be chased).
    #[serde(default)]
    page: Option<u32>,
}

/// Rows a page of the open and VS-to-attend lists.
const PER_PAGE: u32 = 50;

pub struct ListLink {
    pub text: String,
    pub href: &'static str,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/peps.html")]
pub struct PepsPage {
    layout: Layout,
    links: Vec<ListLink>,
    table: Table,
    empty: &'static str,
    may_delegate: bool,
    /// On the overdue list: the reminders sent about late PEPs.
    reminders: Option<Table>,
    /// What came of chasing a PEP: (success, text).
    done: Option<(bool, &'static str)>,
    pagination: Pagination,
}

pub(crate) fn done_text(code: &str) -> Option<(bool, &'static str)> {
    Some(match code {
        "reminded" => (true, "Reminder sent to the people responsible for the PEP."),
        "already" => (false, "A reminder about that PEP was already sent today."),
        "nobody" => (
            false,
            "Nobody who can sign in is responsible for that PEP: allocate a social worker or add the school's designated teacher.",
        ),
        "not_late" => {
            (false, "That PEP is not overdue or due soon: there is nothing to chase yet.")
        }
        _ => return None,
    })
}

/// The overdue list: how late each PEP is, who should finish it, and
/// chasing it.
fn overdue_rows(items: &[&PepListItem], chasing: &Chasing, today: NaiveDate) -> Vec<Vec<Cell>> {
    items
        .iter()
        .map(|i| {
            let r = &i.row;
            let name = format!("{} {}", r.forename, r.surname);
            let mut days = Cell::text((today - r.due_on).num_days().to_string());
            days.numeric = true;
            let reminded = chasing
                .last_reminded
                .get(&r.id)
                .map_or_else(|| "Not yet".to_owned(), |at| when_label(*at));
            let action = if chasing.may_chase {
                Cell::button(
                    format!("/peps/{}/remind", r.id),
                    "Send reminder",
                    format!("about {name}'s PEP"),
                )
            } else {
                Cell::default()
            };
            vec![
                Cell::link(name.clone(), pep_path(r.child_id, r.id)).heading(),
                Cell::text(r.school_name.clone().unwrap_or_else(|| "No school place".into())),
                Cell::text(uk_short_date(r.due_on)),
                days,
                Cell::text(
                    chasing.responsible.get(&r.id).map_or("Nobody allocated", String::as_str),
                ),
                Cell::text(reminded),
                action,
            ]
        })
        .collect()
}

fn reason_label(reason: &str) -> &'static str {
    match reason {
        "initial" => "Initial",
        "placement_change" => "Change of school",
        _ => "Termly",
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<PepsPage, AppError> {
    let kind = PepListKind::from_code(&query.show);
    let all = state.services.open_peps(&user.actor).await?;
    let count = |k: PepListKind| all.iter().filter(|i| k.includes(i)).count();
    let links = [
        (PepListKind::Open, "Not yet signed off", "/peps"),
        (PepListKind::Overdue, "Overdue", "/peps?show=overdue"),
        (PepListKind::VsToAttend, "Meetings the VS should attend", "/peps?show=attend"),
    ]
    .into_iter()
    .map(|(k, text, href)| ListLink {
        text: format!("{text} ({})", count(k)),
        href,
        current: k == kind,
    })
    .collect();
    let listed: Vec<&PepListItem> = all.iter().filter(|i| kind.includes(i)).collect();
    if kind == PepListKind::Overdue {
        let chasing = state.services.chasing(&user.actor).await?;
        let today = state.services.clock.today();
        let head = [
            "Child",
            "School or setting",
            "Due",
            "Days overdue",
            "Responsible",
            "Reminded",
            "Action",
        ];
        return Ok(PepsPage {
            layout: Layout::for_user(&user, "Overdue PEPs", "/peps").dev(state.config.dev_mode),
            links,
            table: Table {
                caption: "Overdue PEPs".into(),
                caption_size: "l",
                head: head.map(String::from).to_vec(),
                rows: overdue_rows(&listed, &chasing, today),
                csrf: user.session.csrf_token.clone(),
            },
            empty: "No PEP is overdue.",
            reminders: Some(Table {
                caption_size: "m",
                ..super::dashboard::section(&reminders_table(&chasing.runs), "").table
            }),
            done: query.done.as_deref().and_then(done_text),
            may_delegate: may_delegate(&user),
            pagination: Pagination::default(),
        });
    }
    let pages = Pagination::page_count(listed.len() as i64, PER_PAGE);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let base = if kind == PepListKind::VsToAttend { "/peps?show=attend&" } else { "/peps?" };
    let pagination = Pagination::new(page, pages, |n| format!("{base}page={n}"));
    let rows = listed
        .iter()
        .skip(((page - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
        .map(|i| {
            let r = &i.row;
            let status = PepStatus::from_code(&r.status);
            let attend: Vec<&str> = i.attend.iter().map(|a| a.label()).collect();
            vec![
                Cell::link(format!("{} {}", r.forename, r.surname), pep_path(r.child_id, r.id))
                    .heading(),
                Cell::text(i.nc_year.label()),
                Cell::text(r.school_name.clone().unwrap_or_else(|| "No school place".into())),
                Cell::text(reason_label(&r.reason)),
                Cell::text(uk_short_date(r.due_on)),
                Cell::tag(Tag::for_pep(status, i.overdue)),
                Cell::text(if attend.is_empty() {
                    "No".to_owned()
                } else {
                    format!("Yes: {}", attend.join("; "))
                }),
            ]
        })
        .collect();
    let (title, empty) = match kind {
        PepListKind::Open => ("PEPs not yet signed off", "Every PEP is signed off."),
        PepListKind::Overdue => unreachable!("the overdue list is built above"),
        PepListKind::VsToAttend => {
            ("Meetings the VS should attend", "No open PEP meets the authority's criteria.")
        }
    };
    Ok(PepsPage {
        layout: Layout::for_user(&user, title, "/peps").dev(state.config.dev_mode),
        links,
        table: Table {
            caption: title.into(),
            caption_size: "l",
            head: [
                "Child",
                "Year group",
                "School or setting",
                "PEP",
                "Due",
                "Status",
                "VS attends",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            csrf: String::new(),
        },
        empty,
        reminders: None,
        done: None,
        may_delegate: may_delegate(&user),
        pagination,
    })
}

fn may_delegate(user: &CurrentUser) -> bool {
    openpep_domain::may(user.role(), openpep_domain::AuthorityAction::DelegatePeps)
}

/// "Send reminder" on the overdue list, then back to it saying what came
/// of it.
pub async fn remind(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(pep): axum::extract::Path<String>,
    Query(from): Query<FromQuery>,
) -> Result<Response, AppError> {
    let pep = super::id_or_404(&pep)?;
    let code = match state.services.remind_about(&user.actor, pep).await? {
        Reminded::Sent(_) => "reminded",
        Reminded::AlreadyToday => "already",
        Reminded::NobodyResponsible => "nobody",
        Reminded::NotLate => "not_late",
    };
    let back = if from.from == "dashboard" { "/dashboard?" } else { "/peps?show=overdue&" };
    Ok(Redirect::to(&format!("{back}done={code}")).into_response())
}
