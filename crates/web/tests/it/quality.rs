//! Quality assurance over HTTP: the queue and its refused filters, the
//! completeness check, a grade outside the scheme or "requires
//! improvement" before a return refused, the return for improvement that
//! reopens only the pages it names, the teacher sending the PEP back, and
//! the grade with the confirmed progress judgement on the new PDF.

use chrono::{Datelike, TimeDelta};
use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::{archives, audit, outbox, peps, placements, quality};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, dev_config, location, now, on_each_backend, texts};

/// A signed-off PEP of a child at the teacher's school with a social
/// worker, not an initial one: its path, id, child, school and the social
/// worker's e-mail.
async fn signed_off_pep(app: &TestApp) -> (String, Uuid, Uuid, Uuid, String) {
    let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
    let db = &app.services.db;
    for child in app.child_ids(&scope).await {
        let workers = placements::allocations(db, scope.la_id(), child).await.unwrap();
        let Some(sw) = workers.iter().find(|w| w.role == "social_worker" && w.ended_on.is_none())
        else {
            continue;
        };
        let all = peps::for_child(db, scope.la_id(), child).await.unwrap();
        if let Some(pep) = all.iter().find(|p| p.status == "signed_off" && p.reason != "initial") {
            let path = format!("/children/{child}/peps/{}", pep.id);
            return (path, pep.id, child, pep.school_id.unwrap(), sw.email.clone());
        }
    }
    panic!("no signed-off PEP at the teacher's school");
}

fn summary(html: &Html) -> Vec<String> {
    texts(html, ".govuk-error-summary__list a")
}

async fn post(app: &TestApp, page: &str, action: &str, form: &[(&str, &str)]) -> (u16, Html) {
    let response = app.post_page(page, action, form).await;
    let status = response.status().as_u16();
    (status, Html::parse_document(&response.text().await.unwrap()))
}

async fn status_of(app: &TestApp, la: Uuid, pep: Uuid) -> String {
    peps::get(&app.services.db, la, pep).await.unwrap().status
}

async fn mail_kinds(app: &TestApp, email: &str) -> Vec<String> {
    let mail = outbox::recent(&app.services.db, Some(email), 30).await.unwrap();
    mail.into_iter().map(|m| m.kind).collect()
}

#[tokio::test]
async fn the_virtual_school_returns_a_pep_the_teacher_improves_it_and_it_is_graded() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let la = scope.la_id();
        let db = &app.services.db;
        let (pep, pep_id, _child, school, sw_email) = signed_off_pep(&app).await;
        let qa = format!("{pep}/quality");
        let vs = app.new_browser();
        vs.sign_in_role(Role::VsOfficer).await;

        // The queue, narrowed to the school, lists the PEP.
        let (status, html) = vs.get_html(&format!("/quality?school={school}")).await;
        assert_eq!(status, 200);
        let links: Vec<String> = html
            .select(&scraper::Selector::parse("tbody th a").unwrap())
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect();
        assert!(links.contains(&qa), "{links:?}");
        // Filters naming what the authority does not have are refused.
        let unknown = Uuid::now_v7();
        let (status, html) = vs.get_html(&format!("/quality?school={unknown}")).await;
        assert_eq!(status, 400);
        assert_eq!(summary(&html), ["Select a school from the list"]);
        assert!(texts(&html, "tbody tr").is_empty(), "nothing listed");
        let (status, html) = vs.get_html("/quality?term=2026-winter&year=20").await;
        assert_eq!(status, 400);
        assert_eq!(
            summary(&html),
            ["Select a term from the list", "Select a year group from the list"]
        );
        let (status, _) = vs.get_html("/quality?term=2026-autumn&phase=primary").await;
        assert_eq!(status, 200);

        // The screen: the completeness check, each item linking to its page.
        let (status, html) = vs.get_html(&qa).await;
        assert_eq!(status, 200);
        let items = texts(&html, ".govuk-task-list__item");
        assert!(items.iter().any(|i| i.contains("Attendance recorded")), "{items:?}");
        assert!(items.iter().any(|i| i.contains("The child's views recorded")));

        // Refused grades change nothing.
        let grade = format!("{qa}/grade");
        let (status, html) = post(
            &vs,
            &qa,
            &grade,
            &[("grade", "requires_improvement"), ("progress_rag", "green"), ("comments", "Weak")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(summary(&html)[0].starts_with("Return the PEP for improvement before grading"));
        assert_eq!(texts(&html, "textarea#comments"), ["Weak"], "what was typed is kept");
        let (status, html) =
            post(&vs, &qa, &grade, &[("grade", "completed"), ("progress_rag", "green")]).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["Choose one of the authority's grades"]);
        assert_eq!(status_of(&app, la, pep_id).await, "signed_off");

        // A return needs what to improve, a date and pages.
        let ret = format!("{qa}/return");
        let (status, html) =
            post(&vs, &qa, &ret, &[("return_comments", "  "), ("due_on-day", "31")]).await;
        assert_eq!(status, 422);
        assert_eq!(
            summary(&html),
            [
                "The date the improvements are due must be a real date, like 1 9 2026",
                "Enter what needs to improve",
                "Select the pages to improve",
            ]
        );
        let due = now().date_naive() + TimeDelta::days(14);
        let (day, month, year) =
            (due.day().to_string(), due.month().to_string(), due.year().to_string());
        let what = "Say what the extra support is and who gives it.";
        let form = [
            ("return_comments", what),
            ("due_on-day", day.as_str()),
            ("due_on-month", month.as_str()),
            ("due_on-year", year.as_str()),
            ("pages", "school_update"),
        ];
        let (status, _) = post(&vs, &qa, &ret, &form).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "returned_for_improvement");
        let dt_email = app.account(Role::DesignatedTeacher);
        assert!(mail_kinds(&app, &dt_email).await.contains(&"returned_for_improvement".into()));
        assert!(mail_kinds(&app, &sw_email).await.contains(&"returned_for_improvement".into()));
        let (status, html) = vs.get_html("/quality?view=returned").await;
        assert_eq!(status, 200);
        assert!(!texts(&html, "tbody tr").is_empty());

        // The teacher sees what to improve; only the named page opens.
        app.sign_in_role(Role::DesignatedTeacher).await;
        let sign_off = format!("{pep}/sign-off");
        let (_, html) = app.get_html(&sign_off).await;
        assert!(texts(&html, ".govuk-inset-text").contains(&what.to_owned()));
        let save_button =
            |html: &Html| texts(html, "button").iter().any(|b| b.starts_with("Save and return"));
        let (_, reopened) = app.get_html(&format!("{pep}/pages/school_update")).await;
        assert!(save_button(&reopened), "the named page opens again");
        let (_, other) = app.get_html(&format!("{pep}/pages/attendance")).await;
        assert!(!save_button(&other), "other pages stay closed");
        // Only the Virtual School does quality assurance.
        assert_eq!(app.get("/quality").await.status().as_u16(), 403);
        assert_eq!(app.get(&qa).await.status().as_u16(), 404);

        // Uploads wait too: only the reopened pages change.
        let (_, docs) = app.get_html(&format!("{pep}/documents")).await;
        assert!(texts(&docs, "button").iter().all(|b| b != "Upload"), "no upload while returned");
        // Sent back: signed off again, in the queue, its officer told.
        let (status, _) = post(&app, &sign_off, &format!("{sign_off}/resubmit"), &[]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "signed_off");
        let vs_email = app.account(Role::VsOfficer);
        assert!(mail_kinds(&app, &vs_email).await.contains(&"pep_resubmitted".into()));
        let returns = quality::returns(db, la, pep_id).await.unwrap();
        assert_eq!(returns.len(), 1);
        assert!(returns[0].resubmitted_at.is_some());
        let (status, _) = post(&app, &sign_off, &format!("{sign_off}/resubmit"), &[]).await;
        assert_eq!(status, 422, "sent back once");

        // Now "requires improvement" may be given, with the progress
        // judgement confirmed.
        let ri = [("grade", "requires_improvement"), ("comments", "The support is now clear.")];
        let (status, html) = post(&vs, &qa, &grade, &ri).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["Confirm the overall progress judgement"]);
        let mut ri = ri.to_vec();
        ri.push(("progress_rag", "amber"));
        let (status, _) = post(&vs, &qa, &grade, &ri).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "quality_assured");
        let grades = quality::grades(db, la, pep_id).await.unwrap();
        assert_eq!(grades.len(), 1);
        assert_eq!(
            (grades[0].grade.as_str(), grades[0].progress_rag.as_deref()),
            ("requires_improvement", Some("amber"))
        );
        assert!(mail_kinds(&app, &sw_email).await.contains(&"pep_quality_assured".into()));
        let (status, html) = post(&vs, &qa, &grade, &ri).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["This PEP has already been quality assured"]);
        let (_, html) = vs.get_html(&qa).await;
        let history = texts(&html, "tbody td");
        assert!(history.iter().any(|t| t == "Graded: Requires improvement to be good"));
        assert!(history.iter().any(|t| t.starts_with("Returned for improvement, due")));

        // Each step queued a PDF; the last carries the grade.
        let versions = archives::for_pep(db, la, pep_id).await.unwrap();
        let reasons: Vec<&str> = versions.iter().map(|a| a.reason.as_str()).collect();
        assert!(reasons.contains(&"resubmitted") && reasons.contains(&"quality_assured"));
        let events = audit::by_actor(db, app.user_scope(Role::VsOfficer).await.0, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>();
        for expected in ["pep.returned_for_improvement", "pep.quality_assured"] {
            assert!(events.contains(&expected.to_owned()), "{expected} in {events:?}");
        }

        // The social worker, told, reads the grade on the sign-off page.
        let sw = app.new_browser();
        let signed = sw.sign_in_fully(&sw_email, DEMO_PASSWORD).await;
        if location(&signed) == "/terms" {
            sw.agree_to_terms().await;
        }
        let (status, html) = sw.get_html(&sign_off).await;
        assert_eq!(status, 200);
        let rows = texts(&html, ".govuk-summary-list__row");
        assert!(
            rows.iter().any(|r| r.contains("Requires improvement to be good")
                && r.contains("Overall progress: Requires improvement (amber)")),
            "{rows:?}"
        );
        assert_eq!(sw.get(&qa).await.status().as_u16(), 404);
    })
    .await;
}
