//! The cohort dashboard over HTTP: its figures worked out again here, child
//! by child, straight from the store's rows (the in-date share, the term's
//! PEPs by status, the overdue count, attendance); the exports' CSV and
//! XLSX; a teacher's narrower view; and the filters refused.

use std::collections::BTreeMap;

use openpep_domain::Role;
use openpep_store::children::{self, LearnerFilter};
use openpep_store::{PageRequest, audit, pep_pages, peps};

use crate::support::{TestApp, dev_config, now, on_each_backend};

/// The rows of a table's CSV export, after its header, as cells.
async fn csv(browser: &TestApp, path: &str) -> Vec<Vec<String>> {
    let response = browser.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = response.text().await.unwrap();
    text.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

fn count(rows: &[Vec<String>], label: &str) -> String {
    rows.iter().find(|r| r[0] == label).unwrap_or_else(|| panic!("{label} in {rows:?}"))[1].clone()
}

const OPEN: [&str; 4] = ["draft", "in_progress", "meeting_held", "awaiting_sign_off"];

#[tokio::test]
async fn the_dashboard_counts_what_the_records_say() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let today = now().date_naive();
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let la = scope.la_id();
        let all = children::list_learners(
            db,
            &scope,
            today,
            &LearnerFilter::default(),
            PageRequest::new(1, 10_000),
        )
        .await
        .unwrap();

        // Worked out child by child.
        let (mut in_date, mut overdue) = (0, 0);
        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        let (mut with_record, mut possible, mut attended, mut persistent) = (0, 0u64, 0u64, 0);
        for child in &all.rows {
            let list = peps::for_child(db, la, child.id).await.unwrap();
            let late = |p: &peps::Pep| OPEN.contains(&p.status.as_str()) && p.due_on < today;
            let late_here = list.iter().filter(|p| late(p)).count();
            overdue += late_here;
            if !list.is_empty() && late_here == 0 {
                in_date += 1;
            }
            for pep in list.iter().filter(|p| p.academic_year == 2026 && p.term == "autumn") {
                let shown = if late(pep) { "overdue".to_owned() } else { pep.status.clone() };
                *by_status.entry(shown).or_default() += 1;
                let pages = pep_pages::for_pep(db, la, pep.id).await.unwrap();
                let Some(page) = pages.iter().find(|p| p.page_key == "attendance") else {
                    continue;
                };
                let number =
                    |k: &str| page.answers.0[k].as_str().and_then(|v| v.parse::<u64>().ok());
                if let (Some(p), Some(a)) = (number("possible"), number("attended"))
                    && p > 0
                    && a <= p
                {
                    with_record += 1;
                    possible += p;
                    attended += a;
                    if (p - a) * 10 >= p {
                        persistent += 1;
                    }
                }
            }
        }
        assert!(overdue > 0 && in_date > 0 && with_record > 0, "the demo has something to count");

        let vs = app.new_browser();
        vs.sign_in_role(Role::VsOfficer).await;
        let (status, html) = vs.get_html("/dashboard").await;
        assert_eq!(status, 200);
        let page = html.root_element().text().collect::<String>();
        assert!(page.contains(&format!("{} children match", all.total)), "the cohort's size");
        // The test clock stands at 10:00 UTC in November: 10:00 in London.
        assert!(page.contains("as they stood at 10:00."), "when the figures were worked out");

        let rows = csv(&vs, "/dashboard/export/in_date/csv").await;
        assert_eq!(count(&rows, "With an in-date PEP"), in_date.to_string());
        assert_eq!(count(&rows, "Without one"), (all.rows.len() - in_date).to_string());

        let rows = csv(&vs, "/dashboard/export/status/csv").await;
        assert_eq!(
            count(&rows, "Overdue"),
            by_status.get("overdue").copied().unwrap_or(0).to_string()
        );
        assert_eq!(count(&rows, "In progress"), by_status["in_progress"].to_string());
        assert_eq!(
            count(&rows, "Signed off"),
            by_status.get("signed_off").copied().unwrap_or(0).to_string()
        );

        let rows = csv(&vs, "/dashboard/export/overdue/csv").await;
        assert_eq!(rows.len(), overdue, "every overdue PEP listed");

        let rows = csv(&vs, "/dashboard/export/attendance/csv").await;
        let everyone = rows.iter().find(|r| r[0] == "All").unwrap();
        assert_eq!(everyone[1], with_record.to_string());
        assert_eq!(everyone[2], format!("{:.1}", attended as f64 * 100.0 / possible as f64));
        assert_eq!(everyone[3], persistent.to_string());

        // The spreadsheet is a workbook; downloads are audited.
        let xlsx = vs.get("/dashboard/export/attendance/xlsx").await;
        assert_eq!(xlsx.status().as_u16(), 200);
        assert!(xlsx.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let bytes = xlsx.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "a zip file");
        let (vs_user, _) = app.user_scope(Role::VsOfficer).await;
        let events = audit::by_actor(db, vs_user, 50).await.unwrap();
        assert!(events.iter().filter(|e| e.action == "dashboard.exported").count() >= 5);

        // Filters naming nothing the authority has are refused.
        for bad in ["term=2026-winter", "school=not-a-school", "team=nobody", "location=mars"] {
            let (status, html) = vs.get_html(&format!("/dashboard?{bad}")).await;
            assert_eq!(status, 400, "{bad}");
            assert!(
                html.select(&scraper::Selector::parse(".govuk-error-summary").unwrap())
                    .next()
                    .is_some()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_teacher_sees_their_school_and_cannot_export_another() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let mine = app.child_ids(&scope).await;
        let dt = app.new_browser();
        dt.sign_in_role(Role::DesignatedTeacher).await;
        let (status, html) = dt.get_html("/dashboard").await;
        assert_eq!(status, 200);
        let text = html.root_element().text().collect::<String>();
        assert!(text.contains(&format!("{} children match", mine.len())), "the school's children");
        assert!(!text.contains("Reminders sent"), "the Virtual School's own table is not shown");

        let la = openpep_store::authorities::get(db, scope.la_id()).await.unwrap();
        let schools = openpep_store::schools::for_authority(db, la.id, &la.code).await.unwrap();
        let school = match scope {
            openpep_domain::ChildScope::Caseload { school_id, .. } => school_id,
            _ => None,
        };
        let other = schools.iter().find(|s| Some(s.id) != school).expect("another school");
        let refused = dt.get(&format!("/dashboard/export/overdue/csv?school={}", other.id)).await;
        assert_eq!(refused.status().as_u16(), 400);
        let body = refused.text().await.unwrap();
        assert!(body.contains("You can see the figures of your own school only"));
        assert!(!body.contains("Days overdue"), "no figures");

        // A social worker's is their caseload.
        let (_, sw_scope) = app.user_scope(Role::SocialWorker).await;
        let caseload = app.child_ids(&sw_scope).await;
        let sw = app.new_browser();
        sw.sign_in_role(Role::SocialWorker).await;
        let (status, html) = sw.get_html("/dashboard").await;
        assert_eq!(status, 200);
        let text = html.root_element().text().collect::<String>();
        assert!(text.contains("The figures of the children you work with"));
        assert!(text.contains(&format!("{} children match", caseload.len())), "the caseload");

        // Carers have no dashboard.
        let carer = app.new_browser();
        carer.sign_in_role(Role::Carer).await;
        assert_eq!(carer.get("/dashboard").await.status().as_u16(), 403);
    })
    .await;
}
