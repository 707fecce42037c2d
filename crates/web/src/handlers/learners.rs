//! "Your learners": the children the signed-in person works with.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use openpep_domain::{AcademicYear, NcYear, PepStatus, Phase};
use openpep_service::children::LearnerQuery;
use openpep_store::children::{CareFilter, LearnerSort, left_care_by};
use serde::Deserialize;
use uuid::Uuid;

use openpep_domain::pep_cycle::is_overdue_code;
use openpep_service::profile::uk_short_date;

use crate::components::{Cell, Choice, Pagination, Table, Tag};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Deserialize, Default, Clone)]
pub struct LearnersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    sw: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    care: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<String>,
}

impl LearnersQuery {
    /// The query in the service's terms; anything not understood is ignored.
    fn to_service(&self, search: &str) -> LearnerQuery {
        let sort = match self.sort.as_str() {
            "age" => LearnerSort::Age,
            "school" => LearnerSort::School,
            "due" => LearnerSort::PepDue,
            _ => LearnerSort::Name,
        };
        let status = Some(self.status.clone())
            .filter(|s| s == "overdue" || PepStatus::from_code(s).is_some());
        LearnerQuery {
            search: (!search.is_empty()).then(|| search.to_owned()),
            school: Uuid::parse_str(&self.school).ok(),
            phase: Phase::from_code(&self.phase),
            year_group: self
                .year
                .parse::<i8>()
                .ok()
                .filter(|y| (-1..=14).contains(y))
                .map(NcYear::from_value),
            social_worker: Uuid::parse_str(&self.sw).ok(),
            pep_status: status,
            care: CareFilter::from_code(&self.care),
            sort,
        }
    }

    /// This query's URL on another page.
    fn url(&self, search: &str, page: u32) -> String {
        let mut pairs = Vec::new();
        for (key, value) in [
            ("q", search),
            ("school", self.school.as_str()),
            ("phase", self.phase.as_str()),
            ("year", self.year.as_str()),
            ("sw", self.sw.as_str()),
            ("status", self.status.as_str()),
            ("care", self.care.as_str()),
            ("sort", self.sort.as_str()),
        ] {
            if !value.is_empty() {
                pairs.push((key, value.to_owned()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        match serde_urlencoded::to_string(&pairs) {
            Ok(q) if !q.is_empty() => format!("/learners?{q}"),
            _ => "/learners".to_owned(),
        }
    }

    fn filtered(&self) -> bool {
        [&self.school, &self.phase, &self.year, &self.sw, &self.status, &self.care]
            .iter()
            .any(|v| !v.is_empty())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/learners.html")]
pub struct LearnersPage {
    layout: Layout,
    search: String,
    query: LearnersQuery,
    filtered: bool,
    schools: Vec<Choice>,
    phases: Vec<Choice>,
    years: Vec<Choice>,
    social_workers: Vec<Choice>,
    statuses: Vec<Choice>,
    cares: Vec<Choice>,
    sorts: Vec<Choice>,
    notices: Vec<super::notices::NoticeView>,
    table: Table,
    pagination: Pagination,
    total: i64,
    first: i64,
    last: i64,
}

fn with_any(any: &str, choices: impl IntoIterator<Item = Choice>) -> Vec<Choice> {
    std::iter::once(Choice::new("", any)).chain(choices).collect()
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<LearnersQuery>,
) -> Result<LearnersPage, AppError> {
    let search = query.q.trim().chars().take(100).collect::<String>();
    let wanted = query.to_service(&search);
    // A page number that is not a number is page 1, not an error page.
    let asked = query.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    let mut page = asked;
    let mut found = state.services.learners(&user.actor, &wanted, page).await?;
    let per_page = i64::from(openpep_service::children::LEARNERS_PER_PAGE);
    let last_page =
        Pagination::page_count(found.total, openpep_service::children::LEARNERS_PER_PAGE);
    // Past the end (an old link, a list that shrank): show the last page.
    if page > last_page {
        page = last_page;
        found = state.services.learners(&user.actor, &wanted, page).await?;
    }
    let today = state.services.clock.today();
    let year = AcademicYear::containing(today);
    let rows = found
        .rows
        .iter()
        .map(|r| {
            let status = r.pep_status.as_deref().and_then(PepStatus::from_code);
            let overdue = match (&r.pep_status, r.pep_due_on) {
                (Some(code), Some(due)) => is_overdue_code(code, due, today),
                _ => false,
            };
            let pep = match (left_care_by(r.left_care_on, today), r.pep_due_on) {
                (Some(left), _) => Cell::text(format!("Left care on {}", uk_short_date(left))),
                (None, Some(due)) => Cell::text(format!("due {}", uk_short_date(due)))
                    .with_tag(Tag::for_pep(status, overdue)),
                (None, None) => Cell::text("No PEP yet"),
            };
            vec![
                Cell::link(format!("{} {}", r.forename, r.surname), format!("/children/{}", r.id))
                    .heading(),
                Cell::text(uk_short_date(r.date_of_birth)),
                Cell::text(NcYear::for_child(r.date_of_birth, year).label()),
                Cell::text(r.school_name.clone().unwrap_or_else(|| "No school place".into())),
                Cell::text(r.social_worker.clone().unwrap_or_else(|| "Not allocated".into())),
                pep,
            ]
        })
        .collect();
    let first = i64::from(page - 1) * per_page + 1;
    let last = (first + found.rows.len() as i64 - 1).max(0);
    let options = state.services.learner_filter_options(&user.actor).await?;
    let years =
        (-1..=13).map(NcYear::from_value).map(|y| Choice::new(y.value().to_string(), y.label()));
    let statuses = PepStatus::ALL
        .iter()
        .map(|s| Choice::new(s.code(), s.label()))
        .chain([Choice::new("overdue", "Overdue")]);
    let board = state.services.notice_board(&user.actor).await?;
    Ok(LearnersPage {
        layout: Layout::for_user(&user, "Your learners", "/learners").dev(state.config.dev_mode),
        notices: super::notices::NoticeView::board(&board),
        table: Table {
            csrf: String::new(),
            caption: "Learners".into(),
            caption_size: "m",
            head: [
                "Name",
                "Date of birth",
                "Year group",
                "School or setting",
                "Social worker",
                "Current PEP",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
        pagination: Pagination::new(page, last_page, |n| query.url(&search, n)),
        filtered: query.filtered(),
        schools: with_any(
            "Any school or setting",
            options.schools.into_iter().map(|(id, name)| Choice::new(id.to_string(), name)),
        ),
        phases: with_any("Any phase", Phase::ALL.iter().map(|p| Choice::new(p.code(), p.label()))),
        years: with_any("Any year group", years),
        social_workers: with_any(
            "Any social worker",
            options.social_workers.into_iter().map(|(id, name)| Choice::new(id.to_string(), name)),
        ),
        statuses: with_any("Any status", statuses),
        cares: vec![
            Choice::new("", "In care"),
            Choice::new(CareFilter::Left.code(), "Left care"),
            Choice::new(CareFilter::All.code(), "In care or left care"),
        ],
        sorts: vec![
            Choice::new("", "Name"),
            Choice::new("age", "Age, youngest first"),
            Choice::new("school", "School or setting"),
            Choice::new("due", "PEP due date, soonest first"),
        ],
        query,
        search,
        total: found.total,
        first,
        last,
    })
}
