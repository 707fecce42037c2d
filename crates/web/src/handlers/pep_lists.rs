//! The Virtual School's PEP lists: every open PEP, the overdue ones, and
//! the meetings the VS should attend.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use openpep_domain::PepStatus;
use openpep_service::pep_lists::PepListKind;
use openpep_service::profile::uk_short_date;
use serde::Deserialize;

use crate::components::{Cell, Table, Tag};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};
use openpep_service::pep_editing::pep_path;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
}

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
    let rows = all
        .iter()
        .filter(|i| kind.includes(i))
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
        PepListKind::Overdue => ("Overdue PEPs", "No PEP is overdue."),
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
        may_delegate: openpep_domain::may(
            user.role(),
            openpep_domain::AuthorityAction::DelegatePeps,
        ),
    })
}
