//! PEPs over HTTP on both databases: delegation (preview, once only, a term
//! without dates), pages edited by two people with a clash merged, double
//! submits, owners only, school moves, the overdue list on an injected
//! "today", and template uploads checked line by line.

use chrono::NaiveDate;
use openpep_domain::pep_cycle::{initial_pep_due, is_overdue};
use openpep_domain::{ChildScope, PepStatus, Role, WorkingDayCalendar};
use openpep_store::{pep_pages, peps, schools};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, location, now, on_each_backend, texts};

async fn delegate_spring(app: &TestApp) -> String {
    let response = app
        .post_page(
            "/peps/delegate",
            "/peps/delegate/confirm",
            &[("year", "2026"), ("term", "spring")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303, "delegation on {}", app.backend);
    location(&response)
}

/// The spring 2026/27 PEP of each of the given children.
async fn spring_peps(app: &TestApp, la: Uuid, children: &[Uuid]) -> Vec<peps::Pep> {
    let mut out = Vec::new();
    for &child in children {
        let all = peps::for_child(&app.services.db, la, child).await.unwrap();
        out.extend(
            all.into_iter().filter(|p| p.trigger_key.as_deref() == Some("termly:2026:spring")),
        );
    }
    out
}

#[tokio::test]
async fn delegation_previews_creates_each_pep_once_and_refuses_a_term_without_dates() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsOfficer).await;
        // A term with no dates in the settings is refused, saying what to do.
        let response = app
            .post_page("/peps/delegate", "/peps/delegate", &[("year", "2029"), ("term", "spring")])
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let page = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&page, ".govuk-error-summary__list a"),
            ["There are no dates for the spring term 2029/30. Add them in Settings first."]
        );
        let response = app
            .post_page("/peps/delegate", "/peps/delegate", &[("year", "2026"), ("term", "spring")])
            .await;
        assert_eq!(location(&response), "/peps/delegate/preview?year=2026&term=spring");
        let (status, preview) = app.get_html("/peps/delegate/preview?year=2026&term=spring").await;
        assert_eq!(status, 200);
        let summary = texts(&preview, ".govuk-summary-list__value");
        assert_eq!(summary[0], "4 January 2027 to 25 March 2027");
        assert_eq!(summary[1], "25 March 2027");
        let expected: u32 = summary[2].parse().unwrap();
        assert!(expected > 40, "most of the 60 demo children get a PEP ({expected})");
        assert_eq!(texts(&preview, "main form button"), [format!("Create {expected} PEPs")]);

        let done = delegate_spring(&app).await;
        assert_eq!(done, format!("/peps/delegate?year=2026&term=spring&created={expected}"));
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let everyone = app.child_ids(&scope).await;
        let created = spring_peps(&app, scope.la_id(), &everyone).await;
        assert_eq!(created.len() as u32, expected);
        assert!(
            created.iter().all(|p| p.status == "draft"
                && p.due_on == NaiveDate::from_ymd_opt(2027, 3, 25).unwrap())
        );
        // What rarely changes is carried forward from the previous PEP.
        let mut carried = 0;
        for pep in &created {
            let pages = pep_pages::for_pep(&app.services.db, scope.la_id(), pep.id).await.unwrap();
            carried += pages.iter().filter(|p| p.carried_forward).count();
        }
        assert!(carried > 0, "some pages were carried forward");

        // Running it again creates nothing twice.
        assert_eq!(delegate_spring(&app).await, "/peps/delegate?year=2026&term=spring&created=0");
        assert_eq!(spring_peps(&app, scope.la_id(), &everyone).await.len() as u32, expected);
        let (_, html) = app.get_html("/peps/delegate").await;
        assert_eq!(texts(&html, "table tbody tr td:nth-of-type(2)"), ["0", &expected.to_string()]);

        // A social worker may not delegate.
        let sw = app.new_browser();
        sw.sign_in_role(Role::SocialWorker).await;
        assert_eq!(sw.get("/peps/delegate").await.status().as_u16(), 403);
    })
    .await;
}

/// The URL of a page of the child's newest PEP.
async fn newest_pep_page(app: &TestApp, la: Uuid, child: Uuid, page: &str) -> (Uuid, String) {
    let pep = peps::for_child(&app.services.db, la, child).await.unwrap().remove(0);
    (pep.id, format!("/children/{child}/peps/{}/pages/{page}", pep.id))
}

#[tokio::test]
async fn two_people_save_one_page_and_the_clash_is_merged_never_lost() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::SocialWorker).await;
        let child = app.child_ids(&scope).await[0];
        let (pep_id, page) = newest_pep_page(&app, scope.la_id(), child, "personal_details").await;
        let first = app.new_browser();
        let second = app.new_browser();
        first.sign_in_role(Role::SocialWorker).await;
        second.sign_in_role(Role::SocialWorker).await;
        let (status, html) = first.get_html(&page).await;
        assert_eq!(status, 200);
        let before =
            pep_pages::versions(&app.services.db, scope.la_id(), pep_id, "personal_details")
                .await
                .unwrap()
                .len();
        let version = attr(&html, "input[name=version]", "value").unwrap();
        let token_first = first.csrf(&page).await;
        let token_second = second.csrf(&page).await;
        let mine = [
            ("_csrf", token_first.as_str()),
            ("version", version.as_str()),
            ("q_notes", "Meeting on 14 January at school."),
            ("completed", "no"),
        ];
        let response = first.post_form(&page, &mine).await;
        assert_eq!(response.status().as_u16(), 303, "{}", app.backend);
        // The same form sent twice saves once.
        assert_eq!(first.post_form(&page, &mine).await.status().as_u16(), 303);
        let versions =
            pep_pages::versions(&app.services.db, scope.la_id(), pep_id, "personal_details")
                .await
                .unwrap();
        assert_eq!(
            versions.len(),
            before + 1,
            "a double submit made one version on {}",
            app.backend
        );
        let saved = versions[0].version.to_string();

        // The second person saves over the version they opened: refused,
        // with the first person's answer shown and their own kept.
        let theirs = [
            ("_csrf", token_second.as_str()),
            ("version", version.as_str()),
            ("q_notes", "Meeting on 15 January after school."),
            ("completed", "no"),
        ];
        let response = second.post_form(&page, &theirs).await;
        assert_eq!(response.status().as_u16(), 409);
        let merge = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(texts(&merge, ".govuk-error-summary__title"), ["Someone else saved this page"]);
        assert!(
            texts(&merge, "form .govuk-inset-text")[0].contains("Meeting on 14 January at school.")
        );
        assert_eq!(texts(&merge, "textarea#q_notes"), ["Meeting on 15 January after school."]);
        assert_eq!(attr(&merge, "input[name=version]", "value").unwrap(), saved);
        let merged = [
            ("_csrf", token_second.as_str()),
            ("version", saved.as_str()),
            ("q_notes", "Meeting on 14 January at school; the DT joins after lessons."),
            ("completed", "yes"),
        ];
        assert_eq!(second.post_form(&page, &merged).await.status().as_u16(), 303);
        let versions =
            pep_pages::versions(&app.services.db, scope.la_id(), pep_id, "personal_details")
                .await
                .unwrap();
        assert_eq!(versions.len(), before + 2);
        assert_eq!(versions[0].status, "completed");
        let current = versions[0].version.to_string();

        // Autosave answers in JSON, and refuses a stale version the same way.
        let autosave = format!("{page}/autosave");
        let stale = first.post_form(&autosave, &mine).await;
        assert_eq!(stale.status().as_u16(), 409);
        let fresh = [
            ("_csrf", token_first.as_str()),
            ("version", current.as_str()),
            (
                "q_notes",
                "Meeting on 14 January at school; the DT joins after lessons. Carer invited.",
            ),
            ("completed", "yes"),
        ];
        let response = first.post_form(&autosave, &fresh).await;
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["version"], versions[0].version + 1);
        assert_eq!(body["saved_at"], "10:00");

        // A page cannot be marked completed with a required answer missing;
        // what was typed is kept.
        let (_, care_update) = newest_pep_page(&app, scope.la_id(), child, "care_update").await;
        let token = first.csrf(&care_update).await;
        let (_, html) = first.get_html(&care_update).await;
        let version = attr(&html, "input[name=version]", "value").unwrap();
        let response = first
            .post_form(
                &care_update,
                &[
                    ("_csrf", &token),
                    ("version", &version),
                    ("q_changes", ""),
                    ("q_school_impact", "Settled"),
                    ("completed", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let page_html = Html::parse_document(&response.text().await.unwrap());
        assert!(
            texts(&page_html, ".govuk-error-summary__list a")[0]
                .starts_with("Answer \u{201c}What has changed")
        );
    })
    .await;
}

#[tokio::test]
async fn only_a_pages_owners_edit_it_and_others_read() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let child = app.child_ids(&scope).await[0];
        let (_, page) = newest_pep_page(&app, scope.la_id(), child, "care_update").await;
        app.sign_in_role(Role::DesignatedTeacher).await;
        let (status, html) = app.get_html(&page).await;
        assert_eq!(status, 200);
        assert!(texts(&html, "form textarea").is_empty(), "the DT reads the social worker's page");
        let token = app.csrf("/learners").await;
        let response =
            app.post_form(&page, &[("_csrf", &token), ("version", "0"), ("q_changes", "x")]).await;
        assert_eq!(response.status().as_u16(), 403);
        // Their own page has the form.
        let (_, own) = newest_pep_page(&app, scope.la_id(), child, "meeting").await;
        let (_, html) = app.get_html(&own).await;
        assert!(!texts(&html, "form textarea").is_empty(), "the teacher writes the meeting record");
    })
    .await;
}

#[tokio::test]
async fn a_school_move_ends_the_old_teachers_access_and_makes_a_pep_due() {
    on_each_backend(dev_config(), |app| async move {
        let (_, dt_scope) = app.user_scope(Role::DesignatedTeacher).await;
        let child = app.child_ids(&dt_scope).await[0];
        let ChildScope::Caseload { school_id: Some(old_school), la_id, .. } = dt_scope else {
            panic!("a DT's scope")
        };
        let la = openpep_store::authorities::get(&app.services.db, la_id).await.unwrap();
        let new_school = schools::for_authority(&app.services.db, la_id, &la.code)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id != old_school)
            .unwrap();
        let dt = app.new_browser();
        dt.sign_in_role(Role::DesignatedTeacher).await;
        assert_eq!(dt.get(&format!("/children/{child}")).await.status().as_u16(), 200);

        app.sign_in_role(Role::VsOfficer).await;
        let form = format!("/children/{child}/school");
        let school = new_school.id.to_string();
        let response = app
            .post_page(
                &form,
                &form,
                &[
                    ("school_id", &school),
                    ("started-day", "1"),
                    ("started-month", "1"),
                    ("started-year", "1990"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["The start date must be after the child's date of birth"]
        );
        let response = app
            .post_page(
                &form,
                &form,
                &[
                    ("school_id", &school),
                    ("started-day", "23"),
                    ("started-month", "11"),
                    ("started-year", "2026"),
                    ("reason", "New foster placement"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "{}", app.backend);

        // The old school's teacher no longer sees the child.
        assert_eq!(dt.get(&format!("/children/{child}")).await.status().as_u16(), 404);
        // A placement-change PEP is due within 10 working days.
        let all = peps::for_child(&app.services.db, la_id, child).await.unwrap();
        let moved: Vec<_> = all
            .iter()
            .filter(|p| p.reason == "placement_change" && p.school_id == Some(new_school.id))
            .collect();
        assert_eq!(moved.len(), 1);
        // One open PEP for the autumn term: the term's own became the move's.
        let open_autumn = all
            .iter()
            .filter(|p| p.academic_year == 2026 && p.term == "autumn")
            .filter(|p| !PepStatus::from_code(&p.status).is_some_and(PepStatus::is_complete))
            .count();
        assert_eq!(open_autumn, 1, "{all:?}");
        let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let due = initial_pep_due(
            start,
            openpep_domain::pep_cycle::InitialTimescale::TenWorkingDays,
            &WorkingDayCalendar::england_and_wales(),
        );
        assert_eq!(moved[0].due_on, due);
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());

        // A move recorded ahead of time leaves the current school current
        // until the day it starts.
        let later_school = schools::for_authority(&app.services.db, la_id, &la.code)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id != old_school && s.id != new_school.id)
            .unwrap();
        let later = later_school.id.to_string();
        let response = app
            .post_page(
                &form,
                &form,
                &[
                    ("school_id", &later),
                    ("started-day", "4"),
                    ("started-month", "1"),
                    ("started-year", "2027"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "{}", app.backend);
        let (_, overview) = app.get_html(&format!("/children/{child}")).await;
        let school_rows = texts(&overview, ".govuk-summary-list__row");
        assert!(school_rows.iter().any(|r| r.contains(&new_school.name)), "{school_rows:?}");
        assert!(
            school_rows.iter().any(|r| r.contains("Moving to")
                && r.contains(&later_school.name)
                && r.contains("From 4 January 2027")),
            "{school_rows:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_overdue_list_is_right_for_the_injected_today() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsOfficer).await;
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let today = now().date_naive();
        let open = peps::open_for_authority(&app.services.db, scope.la_id(), now().date_naive())
            .await
            .unwrap();
        let expected: Vec<String> = open
            .iter()
            .filter(|p| is_overdue(PepStatus::from_code(&p.status).unwrap(), p.due_on, today))
            .map(|p| format!("{} {}", p.forename, p.surname))
            .collect();
        assert!(!expected.is_empty(), "the demo has overdue PEPs on {today}");
        let (status, html) = app.get_html("/peps?show=overdue").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "table tbody th a"), expected);
        assert!(texts(&html, "table tbody td strong.govuk-tag").iter().all(|t| t == "Overdue"));
    })
    .await;
}

#[tokio::test]
async fn a_template_upload_is_checked_line_by_line_and_becomes_a_version() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsAdmin).await;
        let upload = |name: &'static str, body: String| {
            let app = app.clone();
            async move {
                let token = app.csrf("/settings/template").await;
                let form = reqwest::multipart::Form::new()
                    .text("_csrf", token)
                    .part("template", reqwest::multipart::Part::text(body).file_name(name));
                app.client.post(app.url("/settings/template")).multipart(form).send().await.unwrap()
            }
        };
        let (_, html) = app.get_html("/settings/template").await;
        assert_eq!(texts(&html, "table tbody th"), ["Version 1"]);
        let current = app.get("/settings/template/1").await.text().await.unwrap();
        assert!(current.contains("[[sections.pages]]"));

        let broken = current.replacen("kind = \"attendance\"", "kind = \"atendance\"", 1);
        let line = broken.lines().position(|l| l.contains("atendance")).unwrap() + 1;
        let response = upload("ours.toml", broken).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        let problems = texts(&html, "#template-problems li");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with(&format!("line {line}, ")), "{}", problems[0]);
        assert!(problems[0].contains("unknown page kind \"atendance\""));

        let renamed = current.replacen("OpenPEP standard template", "Northmere PEP 2027", 1);
        let response = upload("ours.toml", renamed.clone()).await;
        assert_eq!(location(&response), "/settings/template?uploaded=2");
        // The same file again changes nothing.
        assert_eq!(location(&upload("ours.toml", renamed).await), "/settings/template?unchanged=2");
        let response = upload("ours.txt", "name = 1".into()).await;
        assert_eq!(response.status().as_u16(), 422);
        let (_, html) = app.get_html("/settings/template").await;
        assert_eq!(texts(&html, "table tbody th"), ["Version 2", "Version 1"]);
    })
    .await;
}

#[tokio::test]
async fn a_professional_disagreement_brings_the_vs_to_the_meeting_until_resolved() {
    on_each_backend(dev_config(), |app| async move {
        let (_, sw_scope) = app.user_scope(Role::SocialWorker).await;
        let la = sw_scope.la_id();
        let mut open = None;
        for child in app.child_ids(&sw_scope).await {
            let all = peps::for_child(&app.services.db, la, child).await.unwrap();
            if let Some(p) = all
                .into_iter()
                .find(|p| !PepStatus::from_code(&p.status).is_some_and(PepStatus::is_complete))
            {
                open = Some(p);
                break;
            }
        }
        let pep = open.expect("an open PEP on the social worker's caseload");
        let path = format!("/children/{}/peps/{}", pep.child_id, pep.id);
        let raise = format!("{path}/disagreements");
        let sw = app.new_browser();
        sw.sign_in_role(Role::SocialWorker).await;
        let response = sw.post_page(&path, &raise, &[("disagreement", "  ")]).await;
        assert_eq!(response.status().as_u16(), 422, "{}", app.backend);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(texts(&html, ".govuk-error-summary__list a"), ["Describe the disagreement"]);
        let note =
            "School proposes a part-time timetable; the social worker and carer do not agree.";
        let response = sw.post_page(&path, &raise, &[("disagreement", note)]).await;
        assert_eq!(location(&response), format!("{path}#disagreements"));
        let (_, page) = sw.get_html(&path).await;
        assert!(texts(&page, "#disagreements ~ .govuk-inset-text")[0].contains(note));
        assert!(texts(&page, "textarea#disagreement").is_empty(), "one open at a time");

        // The VS should now attend: on its list and on the child's overview.
        app.sign_in_role(Role::VsOfficer).await;
        let (_, list) = app.get_html("/peps?show=attend").await;
        let rows = texts(&list, "table tbody tr");
        let reason = "professional disagreement raised";
        assert!(
            rows.iter()
                .any(|r| r.contains(reason)
                    && r.contains(&pep.due_on.format("%-d %b %Y").to_string())),
            "{rows:?}"
        );
        let overview = format!("/children/{}", pep.child_id);
        let (_, child) = app.get_html(&overview).await;
        assert!(texts(&child, ".govuk-inset-text")[0].contains(reason));

        // Only the Virtual School resolves it, and says how.
        let (_, page) = app.get_html(&path).await;
        let resolve = attr(&page, "form[action$='/resolve']", "action").unwrap();
        let response = sw.post_page(&path, &resolve, &[("resolution", "Agreed.")]).await;
        assert_eq!(response.status().as_u16(), 403);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(texts(&html, "h1"), ["You do not have permission to do that"]);
        let response = app.post_page(&path, &resolve, &[("resolution", "")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Say how the disagreement was resolved"]
        );
        let how = "Met the school: full-time timetable with a reduced first week.";
        let response = app.post_page(&path, &resolve, &[("resolution", how)]).await;
        assert_eq!(location(&response), format!("{path}#disagreements"));
        let (_, page) = app.get_html(&path).await;
        let record = texts(&page, "#disagreements ~ .govuk-inset-text");
        assert!(record[0].contains("Resolved by") && record[0].contains(how), "{record:?}");
        let (_, child) = app.get_html(&overview).await;
        assert!(texts(&child, ".govuk-inset-text").iter().all(|t| !t.contains(reason)));
        let (_, child) = app.get_html(&overview).await;
        let log = texts(&child, "table tbody tr");
        assert!(
            log.iter().any(|r| r.contains("Resolved the professional disagreement")),
            "{log:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_open_peps_list_comes_fifty_at_a_time() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsOfficer).await;
        let (status, first) = app.get_html("/peps").await;
        assert_eq!(status, 200);
        let tab = texts(&first, "nav[aria-label='PEP lists'] a").remove(0);
        let open: usize = tab
            .trim_start_matches("Not yet signed off (")
            .trim_end_matches(')')
            .parse()
            .unwrap_or_else(|_| panic!("{tab}"));
        assert!(open > 50, "the demo has more open PEPs than a page: {open}");
        let pages = open.div_ceil(50);
        assert_eq!(attr(&first, "a[rel='next']", "href").as_deref(), Some("/peps?page=2"));
        let link = scraper::Selector::parse("table tbody tr a").unwrap();
        let mut seen = std::collections::HashSet::new();
        for page in 1..=pages {
            let (_, html) = app.get_html(&format!("/peps?page={page}")).await;
            let links: Vec<String> = html
                .select(&link)
                .filter_map(|a| a.value().attr("href").map(str::to_owned))
                .collect();
            let expected = if page < pages { 50 } else { open - 50 * (pages - 1) };
            assert_eq!(links.len(), expected, "page {page} on {}", app.backend);
            seen.extend(links);
        }
        assert_eq!(seen.len(), open, "every open PEP once, on {}", app.backend);
        // A page past the end shows the last.
        let (_, past) = app.get_html(&format!("/peps?page={}", pages + 5)).await;
        assert!(attr(&past, "a[rel='next']", "href").is_none());
    })
    .await;
}
