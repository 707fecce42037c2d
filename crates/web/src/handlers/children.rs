//! The child overview.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use openpep_domain::pep_cycle::is_overdue_code;
use openpep_domain::{
    AcademicYear, Action, LegalStatus, NcYear, PepStatus, Role, Term, UnknownUpnReason,
};
use openpep_domain::{ethnicity, placement_type};
use openpep_service::children::{ChildOverview, PepMeasures};
use openpep_service::pep_lists::{MeetingFacts, attend_reasons};
use openpep_service::pep_log::reason_label;
use openpep_service::profile::{describe_child_event, uk_date, uk_time};
use openpep_service::profiles::SEN_PROVISION;
use openpep_store::children::ChildCare;
use openpep_store::peps::Pep;
use openpep_store::placements::CareEpisode;
use serde::Deserialize;
use uuid::Uuid;

use crate::charts::{Bar, bar_chart};
use crate::components::{Cell, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};
use openpep_service::pep_editing::pep_path;

#[derive(Template, WebTemplate)]
#[template(path = "pages/child.html")]
pub struct ChildPage {
    layout: Layout,
    name: String,
    tags: Vec<Tag>,
    alerts: Vec<String>,
    details: Vec<SummaryRow>,
    school: Vec<SummaryRow>,
    contacts: Table,
    current_peps: Table,
    completed_peps: Table,
    school_history: Table,
    child_id: String,
    vs_should_attend: Option<String>,
    /// Past and present allocations, with an "End" button where allowed.
    allocations: Table,
    changes: Table,
    pep_log: Table,
    /// The placement and consent information (full record only).
    care: Vec<SummaryRow>,
    care_history: Table,
    /// What was just saved, for the banner.
    saved: Option<String>,
    can_allocate: bool,
    can_invite_carer: bool,
    can_see_history: bool,
    can_message: bool,
    can_edit: bool,
    /// The VS administrator can download everything held (a subject access request).
    can_export_records: bool,
    /// Attendance and SDQ across PEPs: each chart with its table.
    measures: Vec<(String, Table)>,
    documents: Option<Table>,
    /// The child's funding requests, for those who see the full record.
    funding: Option<Table>,
}

#[derive(Deserialize)]
pub struct OverviewQuery {
    /// What the page the person came from saved.
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<OverviewQuery>,
) -> Result<ChildPage, AppError> {
    // Anything that is not an id is simply not a child we know.
    let id = super::id_or_404(&id)?;
    let overview = state.services.child_overview(&user.actor, id).await?;
    let today = state.services.clock.today();
    let mut page = render(&state, &user, &overview, today);
    let funding = state.services.child_funding(&user.actor, id).await?;
    page.funding = super::funding::child_funding_table(&funding);
    page.saved = query.saved.and_then(|what| saved_message(&what, &overview));
    Ok(page)
}

/// The banner after a change made on another page, in words that say what
/// follows from it.
fn saved_message(what: &str, o: &ChildOverview) -> Option<String> {
    let newest = |reason: &str| o.peps.iter().find(|p| p.reason == reason);
    match what {
        "care" => Some("Care information saved.".into()),
        "placement" => Some("New placement recorded.".into()),
        "came_into_care" => Some(match newest("initial") {
            Some(pep) => format!(
                "Coming into care recorded. An initial PEP is due by {}.",
                uk_date(pep.due_on)
            ),
            None => {
                "Coming into care recorded. An initial PEP will be due when they reach PEP age."
                    .into()
            }
        }),
        "school" => Some(match newest("placement_change") {
            Some(pep) => {
                format!("Change of school recorded. A new PEP is due by {}.", uk_date(pep.due_on))
            }
            None => "Change of school recorded.".into(),
        }),
        _ => None,
    }
}

/// The charts of attendance and SDQ totals across the child's PEPs, each
/// with its table; and the child's documents.
fn measures(o: &ChildOverview) -> (Vec<(String, Table)>, Option<Table>) {
    let term = |m: &PepMeasures| {
        let term = openpep_domain::Term::from_code(&m.pep.term).map_or("", |t| t.label());
        format!("{term} {}", AcademicYear(m.pep.academic_year))
    };
    let mut out = Vec::new();
    let attendance: Vec<_> =
        o.measures.iter().filter_map(|m| m.attendance.map(|a| (term(m), a))).collect();
    if !attendance.is_empty() {
        let bars: Vec<Bar> = attendance
            .iter()
            .map(|(label, a)| Bar {
                label: label.clone(),
                value: a.percent(),
                flagged: a.below_expected(),
            })
            .collect();
        let chart = bar_chart(
            "Attendance at each PEP, as a percentage",
            &bars,
            100.0,
            Some((90.0, "90%")),
            "%",
        );
        let table = Table {
            caption: "Attendance at each PEP".into(),
            caption_size: "s",
            head: vec!["PEP".into(), "Sessions attended".into(), "Attendance".into()],
            rows: attendance
                .iter()
                .map(|(label, a)| {
                    let mut cell = Cell::text(a.percent_text());
                    if a.severe_absence() {
                        cell = cell.with_tag(Tag::new("Severe absence", TagColour::Red));
                    } else if a.persistent_absence() {
                        cell = cell.with_tag(Tag::new("Persistent absence", TagColour::Orange));
                    }
                    vec![
                        Cell::text(label.clone()),
                        Cell::text(format!("{} of {}", a.attended, a.possible)),
                        cell,
                    ]
                })
                .collect(),
            csrf: String::new(),
        };
        out.push((chart, table));
    }
    let sdq: Vec<_> = o.measures.iter().filter_map(|m| m.sdq.map(|s| (term(m), s))).collect();
    if !sdq.is_empty() {
        let bars: Vec<Bar> = sdq
            .iter()
            .map(|(label, s)| Bar {
                label: label.clone(),
                value: f64::from(s.total()),
                flagged: s.total() >= u32::from(o.sdq_threshold),
            })
            .collect();
        let threshold = format!("{}", o.sdq_threshold);
        let chart = bar_chart(
            "SDQ total difficulties score at each PEP, out of 40",
            &bars,
            40.0,
            Some((f64::from(o.sdq_threshold), &threshold)),
            "",
        );
        let table = Table {
            caption: "SDQ total difficulties score at each PEP".into(),
            caption_size: "s",
            head: vec!["PEP".into(), "Total (out of 40)".into(), "Band".into()],
            rows: sdq
                .iter()
                .map(|(label, s)| {
                    vec![
                        Cell::text(label.clone()),
                        Cell::text(s.total().to_string()),
                        Cell::text(s.band().label()),
                    ]
                })
                .collect(),
            csrf: String::new(),
        };
        out.push((chart, table));
    }
    let documents = super::documents::documents_table(o.child.id, &o.documents, "Documents");
    (out, documents)
}

fn render(state: &AppState, user: &CurrentUser, o: &ChildOverview, today: NaiveDate) -> ChildPage {
    let c = &o.child;
    let name = c.full_name();
    let nc = NcYear::for_child(c.date_of_birth, AcademicYear::containing(today));
    let age = today.years_since(c.date_of_birth).unwrap_or(0);
    let current_school = o.schools.iter().find(|s| s.is_current_on(today));
    // A move recorded ahead of time: the new school is not current yet.
    let next_school = o.schools.iter().find(|s| s.started_on > today);

    let mut tags = Vec::new();
    let left_care = openpep_store::children::left_care_by(c.left_care_on, today);
    if left_care.is_some() {
        tags.push(Tag::new("Left care", TagColour::Grey));
    }
    match c.vs_priority.as_deref() {
        Some("red") => tags.push(Tag::new("Red priority", TagColour::Red)),
        Some("amber") => tags.push(Tag::new("Amber priority", TagColour::Orange)),
        _ => {}
    }
    let reasons = attend_reasons(
        &o.vs_attends,
        &MeetingFacts {
            has_completed_pep: o
                .peps
                .iter()
                .any(|p| PepStatus::from_code(&p.status).is_some_and(PepStatus::is_complete)),
            pep_reason: o.peps.first().map(|p| p.reason.as_str()),
            school_la_code: current_school.map(|s| s.school_la_code.as_str()),
            la_code: &o.la_code,
            vs_priority: c.vs_priority.as_deref(),
            nc_year: nc,
            professional_disagreement: o.disagreement_open,
        },
    );
    // Nothing to attend or to place once the child has left care.
    let vs_should_attend = (!reasons.is_empty() && left_care.is_none()).then(|| {
        let list: Vec<_> = reasons.iter().map(|r| r.label()).collect();
        format!("The Virtual School should attend the next PEP meeting ({}).", list.join("; "))
    });
    let mut alerts = Vec::new();
    if current_school.is_none() && nc.value() >= 0 && left_care.is_none() {
        alerts.push(format!("{} has no school place.", c.forename));
    }
    // A PEP left open when the child left care is late only if it was
    // late by then: no one is writing it now.
    let overdue_by = left_care.unwrap_or(today);
    let overdue_peps =
        o.peps.iter().filter(|p| is_overdue_code(&p.status, p.due_on, overdue_by)).count();
    if overdue_peps > 0 {
        alerts.push(format!("{overdue_peps} PEP past its due date and not signed off."));
    }

    let upn = match (&c.upn, &c.upn_unknown_reason) {
        (Some(upn), _) => upn.clone(),
        (None, Some(code)) => UnknownUpnReason::from_code(code)
            .map(|r| format!("Not known ({}: {})", r.code(), r.description()))
            .unwrap_or_else(|| "Not known".into()),
        (None, None) => "Not recorded".into(),
    };
    let mut details = vec![
        SummaryRow::new("Date of birth", uk_date(c.date_of_birth)).with_hint(format!("Age {age}")),
        SummaryRow::new("Year group", nc.label()).with_hint(format!(
            "{}, {}",
            nc.phase().label(),
            nc.key_stage().label()
        )),
        SummaryRow::new("Gender", capitalise(&c.gender)),
        SummaryRow::new(
            "Ethnicity",
            c.ethnicity
                .as_deref()
                .map(|code| ethnicity::describe(code).unwrap_or(code).to_owned())
                .unwrap_or_else(|| "Not recorded".into()),
        ),
        SummaryRow::new("Unique pupil number (UPN)", upn),
        SummaryRow::new(
            "Special educational needs",
            SEN_PROVISION
                .iter()
                .find(|(code, _)| Some(*code) == c.sen_provision.as_deref())
                .map_or("Not known", |(_, label)| label),
        ),
    ];
    if let Some(uln) = &c.uln {
        details.push(SummaryRow::new("Unique learner number (ULN)", uln.clone()));
    }
    if let Some(code) = &c.legal_status {
        let text = LegalStatus::from_code(code)
            .map(|s| format!("{} ({})", s.description(), s.code()))
            .unwrap_or_else(|| code.clone());
        details.push(SummaryRow::new("Legal status", text));
    }
    if let Some(entered) = c.entered_care_on {
        details.push(SummaryRow::new("Date entered care", uk_date(entered)));
    }
    if let Some(left) = left_care {
        details.push(SummaryRow::new("Date left care", uk_date(left)));
    }

    let care =
        o.care.as_ref().map(|care| care_rows(care, o.care_episodes.first())).unwrap_or_default();

    let school = match current_school {
        Some(s) => vec![
            SummaryRow::new("School or setting", s.school_name.clone())
                .with_hint(format!("URN {}", s.school_urn)),
            SummaryRow::new("Since", uk_date(s.started_on)),
            SummaryRow::new(
                "Ofsted",
                s.ofsted_rating.clone().unwrap_or_else(|| "Not inspected".into()),
            ),
        ],
        None => vec![SummaryRow::new("School or setting", "No school place")],
    };
    let school = match next_school {
        Some(next) => {
            let mut rows = school;
            rows.push(
                SummaryRow::new("Moving to", next.school_name.clone())
                    .with_hint(format!("From {}", uk_date(next.started_on))),
            );
            rows
        }
        None => school,
    };

    let contacts = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["Role", "Name", "Email"].map(String::from).to_vec(),
        rows: o
            .workers
            .iter()
            .map(|w| {
                vec![
                    Cell::text(
                        Role::from_code(&w.role)
                            .map_or_else(|| w.role.clone(), |r| r.label().into()),
                    )
                    .heading(),
                    Cell::text(w.display_name.clone()),
                    Cell::link(w.email.clone(), format!("mailto:{}", w.email)),
                ]
            })
            .collect(),
    };

    let can_view_pep = o.may.contains(&Action::ViewPep);
    let is_complete =
        |p: &&Pep| PepStatus::from_code(&p.status).is_some_and(PepStatus::is_complete);
    let pep_table = |caption: &str, rows: Vec<&Pep>| Table {
        csrf: String::new(),
        caption: caption.into(),
        caption_size: "s",
        head: ["Term", "Reason", "Due", "Status"].map(String::from).to_vec(),
        rows: rows
            .into_iter()
            .map(|p| {
                let status = PepStatus::from_code(&p.status);
                let overdue = is_overdue_code(&p.status, p.due_on, overdue_by);
                let term =
                    Term::from_code(&p.term).map_or_else(|| p.term.clone(), |t| t.label().into());
                let title = format!("{term} {}", AcademicYear(p.academic_year));
                let first = if can_view_pep {
                    Cell::link(title, pep_path(p.child_id, p.id))
                } else {
                    Cell::text(title)
                };
                vec![
                    first.heading(),
                    Cell::text(reason_label(&p.reason)),
                    Cell::text(uk_date(p.due_on)),
                    Cell::tag(Tag::for_pep(status, overdue)),
                ]
            })
            .collect(),
    };
    let current_peps =
        pep_table("Current PEPs", o.peps.iter().rev().filter(|p| !is_complete(p)).collect());
    let completed_peps = pep_table("Completed PEPs", o.peps.iter().filter(is_complete).collect());

    let school_history = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["School or setting", "From", "To"].map(String::from).to_vec(),
        rows: o
            .schools
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.school_name.clone()).heading(),
                    Cell::text(uk_date(s.started_on)),
                    Cell::text(match s.ended_on {
                        Some(end) => uk_date(end),
                        None if s.started_on > today => "Not started yet".into(),
                        None => "Current".into(),
                    }),
                ]
            })
            .collect(),
    };

    // The care history belongs to the full record, with the care summary.
    let care_history = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["Placement", "Carer or provider", "From", "To"].map(String::from).to_vec(),
        rows: if o.care.is_some() {
            o.care_episodes
                .iter()
                .map(|e| {
                    let kind = placement_type::describe(&e.placement_type)
                        .unwrap_or(&e.placement_type)
                        .to_owned();
                    let who = e.carer_name.clone().or_else(|| e.placement_provider.clone());
                    vec![
                        Cell::text(kind).heading(),
                        Cell::text(who.unwrap_or_default()),
                        Cell::text(uk_date(e.started_on)),
                        Cell::text(e.ended_on.map(uk_date).unwrap_or_else(|| "Current".into())),
                    ]
                })
                .collect()
        } else {
            Vec::new()
        },
    };

    let may = |action: Action| o.may.contains(&action);
    let can_allocate = may(Action::ManageAllocations);
    let mut allocation_head = ["Role", "Name", "From", "To"].map(String::from).to_vec();
    if can_allocate {
        allocation_head.push("Action".into());
    }
    let allocations = Table {
        csrf: user.session.csrf_token.clone(),
        caption: String::new(),
        caption_size: "m",
        head: allocation_head,
        rows: o
            .allocations
            .iter()
            .map(|a| {
                let role =
                    Role::from_code(&a.role).map_or_else(|| a.role.clone(), |r| r.label().into());
                let current = a.ended_on.is_none_or(|end| end > today);
                let mut row = vec![
                    Cell::text(role.clone()).heading(),
                    Cell::text(a.display_name.clone()),
                    Cell::text(uk_date(a.started_on)),
                    Cell::text(a.ended_on.map(uk_date).unwrap_or_else(|| "Current".into())),
                ];
                if can_allocate {
                    row.push(if current {
                        let action = format!("/children/{}/allocations/{}/end", o.child.id, a.id);
                        Cell::button(
                            action,
                            "End",
                            format!("{}'s allocation as {role}", a.display_name),
                        )
                    } else {
                        Cell::text("")
                    });
                }
                row
            })
            .collect(),
    };
    let changes = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["When", "Who", "What"].map(String::from).to_vec(),
        rows: o
            .changes
            .iter()
            .map(|e| {
                vec![
                    Cell::text(uk_time(e.occurred_at)),
                    Cell::text(e.actor_name.clone().unwrap_or_else(|| "OpenPEP".into())),
                    Cell::text(describe_child_event(&e.action)),
                ]
            })
            .collect(),
    };
    let pep_title = |id: Option<Uuid>| {
        o.peps.iter().find(|p| Some(p.id) == id).map(|p| {
            let term =
                Term::from_code(&p.term).map_or_else(|| p.term.clone(), |t| t.label().into());
            (format!("{term} {}", AcademicYear(p.academic_year)), p)
        })
    };
    let pep_log = Table {
        csrf: String::new(),
        caption: String::new(),
        caption_size: "m",
        head: ["When", "Who", "PEP", "What"].map(String::from).to_vec(),
        rows: o
            .pep_log
            .iter()
            .map(|e| {
                let pep = match pep_title(e.pep_id) {
                    Some((title, p)) if can_view_pep => {
                        Cell::link(title, pep_path(p.child_id, p.id))
                    }
                    Some((title, _)) => Cell::text(title),
                    None => Cell::text(""),
                };
                vec![
                    Cell::text(uk_time(e.occurred_at)),
                    Cell::text(e.who.clone().unwrap_or_else(|| "OpenPEP".into())),
                    pep,
                    Cell::text(e.what.clone()),
                ]
            })
            .collect(),
    };
    let (measures, documents) = measures(o);
    ChildPage {
        measures,
        documents,
        funding: None,
        saved: None,
        pep_log,
        care,
        care_history,
        vs_should_attend,
        child_id: o.child.id.to_string(),
        allocations,
        changes,
        can_allocate,
        can_invite_carer: may(Action::GrantCarerAccess),
        can_see_history: may(Action::ViewChildAuditLog),
        can_message: may(Action::MessageAboutChild),
        can_edit: may(Action::EditChildProfile),
        can_export_records: may(Action::ExportChildRecords),
        // The title stays out of browser history: no name in it.
        layout: Layout::for_user(user, "Child overview", "/children").dev(state.config.dev_mode),
        name,
        tags,
        alerts,
        details,
        school,
        contacts,
        current_peps,
        completed_peps,
        school_history,
    }
}

/// The placement and what the school must know about consent and contact.
fn care_rows(care: &ChildCare, placement: Option<&CareEpisode>) -> Vec<SummaryRow> {
    let or_not_recorded = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not recorded".into());
    let mut rows = Vec::new();
    if let Some(p) = placement.filter(|p| p.ended_on.is_none()) {
        let kind = placement_type::describe(&p.placement_type)
            .map_or_else(|| p.placement_type.clone(), |d| format!("{d} ({})", p.placement_type));
        rows.push(
            SummaryRow::new("Placement", kind)
                .with_hint(format!("Since {}", uk_date(p.started_on))),
        );
        if let Some(carer) = &p.carer_name {
            rows.push(SummaryRow::new("Carer", carer.clone()));
        }
        if let Some(provider) = &p.placement_provider {
            rows.push(SummaryRow::new("Provider", provider.clone()));
        }
        let inside = if p.lives_in_la { "Inside the authority" } else { "Outside the authority" };
        let lives = match &p.lives_in {
            Some(place) => SummaryRow::new("Lives in", place.clone()).with_hint(inside),
            None => SummaryRow::new("Lives in", inside),
        };
        rows.push(lives);
    } else {
        rows.push(SummaryRow::new("Placement", "Not in care: no current placement"));
    }
    rows.push(SummaryRow::new("Delegated authority", or_not_recorded(&care.delegated_authority)));
    rows.push(SummaryRow::new(
        "Contact restrictions",
        care.contact_restrictions.clone().unwrap_or_else(|| "None recorded".into()),
    ));
    rows.push(SummaryRow::new(
        "Parental responsibility",
        or_not_recorded(&care.parental_responsibility),
    ));
    rows.push(SummaryRow::new("School reports go to", or_not_recorded(&care.school_reports_to)));
    rows
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
