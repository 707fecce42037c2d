//! The cohort dashboard: each figure as a chart with its table beside it,
//! and each table downloaded as CSV or a spreadsheet.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use openpep_service::FieldErrors;
use openpep_service::cohort_filter::FilterForm;
use openpep_service::dashboard::{Dashboard, DashboardForm, DashboardView, Figure, FigureTable};
use serde::Deserialize;

use super::cohort_filters::{FilterChoices, with_any};
use crate::charts::{Bar, bar_chart};
use crate::components::{Cell, Choice, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

/// The filters as the address carries them.
#[derive(Deserialize, Default, Clone)]
pub struct DashboardQuery {
    #[serde(default)]
    term: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    location: String,
    /// What came of "Send reminder".
    #[serde(default)]
    done: Option<String>,
}

impl DashboardQuery {
    fn form(&self) -> DashboardForm {
        DashboardForm {
            filter: FilterForm {
                term: self.term.clone(),
                school: self.school.clone(),
                phase: self.phase.clone(),
                year: self.year.clone(),
                officer: String::new(),
            },
            team: self.team.clone(),
            location: self.location.clone(),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("term", self.term.as_str()),
            ("school", self.school.as_str()),
            ("phase", self.phase.as_str()),
            ("year", self.year.as_str()),
            ("team", self.team.as_str()),
            ("location", self.location.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
    }

    fn filtered(&self) -> bool {
        !self.pairs().is_empty()
    }

    /// `?term=…` for the export links, or nothing.
    fn query_string(&self) -> String {
        match serde_urlencoded::to_string(self.pairs()) {
            Ok(q) if !q.is_empty() => format!("?{q}"),
            _ => String::new(),
        }
    }
}

/// A figure on the page: its chart (if it has one) and its table.
pub struct Section {
    key: &'static str,
    title: &'static str,
    about: String,
    chart: Option<String>,
    /// The chart sits beside a narrow table, above a wide one.
    beside: bool,
    pub(crate) table: Table,
    empty: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/dashboard.html")]
pub struct DashboardPage {
    layout: Layout,
    heading: String,
    lead: String,
    errors: FieldErrors,
    query: DashboardQuery,
    exports: String,
    filtered: bool,
    authority: bool,
    terms: Vec<Choice>,
    schools: Vec<Choice>,
    phases: Vec<Choice>,
    years: Vec<Choice>,
    teams: Vec<Choice>,
    locations: Vec<Choice>,
    children: usize,
    term_label: String,
    /// "10:32": when the figures were worked out.
    worked_out_at: String,
    sections: Vec<Section>,
    /// What came of chasing a PEP: (success, text).
    done: Option<(bool, &'static str)>,
}

fn chart(t: &FigureTable) -> Option<String> {
    let spec = t.chart?;
    let bars: Vec<Bar> = t
        .rows
        .iter()
        .filter_map(|row| {
            let value = row.get(spec.value)?.value()?;
            Some(Bar { label: row.get(spec.label)?.display(), value, flagged: false })
        })
        .collect();
    // Nothing to draw: the table says so.
    if bars.iter().all(|b| b.value == 0.0) {
        return None;
    }
    let (max, unit) = if spec.percent {
        (100.0, "%")
    } else {
        (bars.iter().map(|b| b.value).fold(1.0, f64::max), "")
    };
    Some(bar_chart(
        &format!("Chart: {}. The table beside it gives the figures.", t.title),
        &bars,
        max,
        None,
        unit,
    ))
}

pub(crate) fn section(t: &FigureTable, csrf: &str) -> Section {
    let mut head = t.head.clone();
    let chasing = t.chase.iter().any(Option::is_some);
    if chasing {
        head.push("Action".into());
    }
    let rows = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<Cell> = row
                .iter()
                .enumerate()
                .map(|(col, figure)| {
                    let link = if col == 0 { t.links.get(i).cloned().flatten() } else { None };
                    let mut cell = match link {
                        Some(href) => Cell::link(figure.display(), href),
                        None => Cell::text(figure.display()),
                    };
                    cell.numeric = figure.is_numeric();
                    if col == 0 {
                        cell = cell.heading();
                    }
                    cell
                })
                .collect();
            if chasing {
                cells.push(match t.chase.get(i).copied().flatten() {
                    Some(pep) => Cell::button(
                        format!("/peps/{pep}/remind?from=dashboard"),
                        "Send reminder",
                        format!("about {}'s PEP", row[0].display()),
                    ),
                    None => Cell::default(),
                });
            }
            cells
        })
        .collect();
    Section {
        key: t.key,
        title: t.title,
        about: t.about.clone(),
        chart: chart(t),
        beside: t.head.len() <= 3 && t.rows.len() <= 5,
        empty: t.rows.is_empty(),
        table: Table {
            caption: t.title.into(),
            caption_size: "hidden",
            head,
            rows,
            csrf: csrf.to_owned(),
        },
    }
}

fn page(
    user: &CurrentUser,
    state: &AppState,
    d: &Dashboard,
    query: DashboardQuery,
) -> DashboardPage {
    let (heading, lead) = match &d.view {
        DashboardView::Authority => (
            "Dashboard".to_owned(),
            "The Virtual School's figures for every child the authority looks after.".to_owned(),
        ),
        DashboardView::School(name) => (
            format!("Dashboard: {name}"),
            format!("The figures of the children in care at {name}."),
        ),
        DashboardView::Caseload => {
            ("Dashboard".to_owned(), "The figures of the children you work with.".to_owned())
        }
    };
    let choices = FilterChoices::new(&d.options.cohort);
    // No term chosen is the term today is in, not every term.
    let mut terms = choices.terms;
    terms[0] = Choice::new("", "This term");
    DashboardPage {
        layout: Layout::for_user(user, &heading, "/dashboard").dev(state.config.dev_mode),
        heading,
        lead,
        errors: d.errors.clone(),
        exports: query.query_string(),
        filtered: query.filtered(),
        authority: d.view == DashboardView::Authority,
        terms,
        schools: choices.schools,
        phases: choices.phases,
        years: choices.years,
        teams: with_any(
            "Any team",
            d.options.teams.iter().map(|(id, name)| Choice::new(id.to_string(), name.clone())),
        ),
        locations: with_any(
            "In or out of the authority",
            [
                Choice::new("in", "Schools in the authority"),
                Choice::new("out", "Schools outside it"),
            ],
        ),
        done: query.done.as_deref().and_then(super::pep_lists::done_text),
        query,
        children: d.children,
        term_label: d.term_label.clone(),
        worked_out_at: d
            .worked_out_at
            .with_timezone(&chrono_tz::Europe::London)
            .format("%H:%M")
            .to_string(),
        sections: d.tables.iter().map(|t| section(t, &user.session.csrf_token)).collect(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let dashboard = state.services.dashboard(&user.actor, &query.form()).await?;
    let refused = !dashboard.errors.is_empty();
    let mut response = page(&user, &state, &dashboard, query).into_response();
    if refused {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

/// One table as CSV or XLSX, with the page's filters. A filter that is
/// refused (a teacher asking for another school) downloads nothing.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((table, format)): Path<(String, String)>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    if !matches!(format.as_str(), "csv" | "xlsx") {
        return Err(AppError::NotFound);
    }
    let dashboard = state.services.dashboard(&user.actor, &query.form()).await?;
    if !dashboard.errors.is_empty() {
        let mut response = page(&user, &state, &dashboard, query).into_response();
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    let Some(t) = dashboard.into_table(&table) else { return Err(AppError::NotFound) };
    state.services.record_export(&user.actor, t.key, &format, t.rows.len()).await?;
    let name =
        format!("openpep-{}-{}.{format}", t.key.replace('_', "-"), state.services.clock.today());
    let disposition = format!("attachment; filename=\"{name}\"");
    if format == "csv" {
        // Each line is written as the body is sent.
        let head = csv_line(t.head.iter().map(String::as_str));
        let rows = t.rows.into_iter().map(|row| {
            let cells: Vec<String> = row.iter().map(Figure::raw).collect();
            csv_line(cells.iter().map(String::as_str))
        });
        let lines = std::iter::once(head).chain(rows).map(Ok::<_, std::io::Error>);
        let body = Body::from_stream(futures_util::stream::iter(lines));
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response());
    }
    let bytes = xlsx(&t).map_err(|e| AppError::Internal(format!("spreadsheet: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// One CSV line, quoted where needed. A cell that a spreadsheet would
/// read as a formula is prefixed with an apostrophe.
pub(crate) fn csv_line<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let mut line = cells
        .map(|c| {
            let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
                format!("'{c}")
            } else {
                c.to_owned()
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The table as a one-sheet workbook: numbers as numbers, pounds and
/// percentages formatted.
fn xlsx(t: &FigureTable) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name: String = t.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    sheet.set_name(&name)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("£#,##0.00");
    let percent = Format::new().set_num_format("0.0\"%\"");
    for (col, head) in t.head.iter().enumerate() {
        sheet.write_with_format(0, col as u16, head.as_str(), &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 36 } else { 18 })?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, figure) in row.iter().enumerate() {
            let c = c as u16;
            match figure {
                Figure::Text(text) => sheet.write_string(r, c, text)?,
                Figure::Count(n) => sheet.write_number(r, c, *n as f64)?,
                Figure::Percent(Some(p)) => sheet.write_number_with_format(r, c, *p, &percent)?,
                Figure::Percent(None) => sheet.write_string(r, c, "")?,
                Figure::Money(p) => {
                    sheet.write_number_with_format(r, c, p.pence() as f64 / 100.0, &money)?
                }
                Figure::Number(n) => sheet.write_number(r, c, *n)?,
            };
        }
    }
    workbook.save_to_buffer()
}
