//! The typed pages of a PEP over HTTP: which children see which pages,
//! bad input refused with what was typed kept, the prompts that block
//! sign-off, and documents checked by their bytes with every download
//! logged.

use openpep_domain::{AcademicYear, ChildScope, NcYear, PepStatus, Role};
use openpep_store::{children, outbox, peps, placements};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, location, now, on_each_backend, texts};

/// The PEP page links of a PEP's task list, as page keys.
fn page_keys(html: &Html) -> Vec<String> {
    let selector = scraper::Selector::parse(".govuk-task-list a").unwrap();
    html.select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|href| href.split("/pages/").nth(1).map(str::to_owned))
        .collect()
}

/// A child of the scope's whose newest PEP can still be edited, with it.
async fn editable_pep(app: &TestApp, scope: &ChildScope) -> (Uuid, String) {
    for child in app.child_ids(scope).await {
        let pep = peps::for_child(&app.services.db, scope.la_id(), child).await.unwrap().remove(0);
        let status = PepStatus::from_code(&pep.status).unwrap();
        if !status.is_complete() {
            return (child, format!("/children/{child}/peps/{}", pep.id));
        }
    }
    panic!("no open PEP in the scope");
}

/// The error summary's messages; each link must lead to a field that can
/// take the focus (an input, select, textarea or button with that id).
fn errors(html: &Html) -> Vec<String> {
    let links = scraper::Selector::parse(".govuk-error-summary__list a").unwrap();
    for link in html.select(&links) {
        let href = link.value().attr("href").unwrap_or_default();
        let id = href.strip_prefix('#').unwrap_or_default();
        let target = scraper::Selector::parse(&format!(
            "input[id='{id}'], select[id='{id}'], textarea[id='{id}'], button[id='{id}']"
        ))
        .unwrap();
        assert!(html.select(&target).next().is_some(), "the summary link {href} leads to a field");
    }
    texts(html, ".govuk-error-summary__list a")
}

#[tokio::test]
async fn each_kind_of_child_sees_only_the_pages_for_them() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let la = scope.la_id();
        let everyone = ChildScope::Authority { la_id: la };
        let today = now().date_naive();
        // The first demo child of each kind.
        let mut found: Vec<(&str, Uuid)> = Vec::new();
        for id in app.child_ids(&everyone).await {
            let child = children::get(&app.services.db, &everyone, today, id).await.unwrap();
            let nc = NcYear::for_child(child.date_of_birth, AcademicYear(2026)).value();
            let schools = placements::school_history(&app.services.db, la, id).await.unwrap();
            let school = schools.iter().find(|s| s.is_current_on(today));
            let special = school.is_some_and(|s| s.school_type.to_lowercase().contains("special"));
            let kind = match (nc, school, special) {
                (_, Some(_), true) => "special",
                (12.., None, _) => "neet",
                (12.., Some(_), _) => "post_16",
                (..=0, Some(_), _) => "early_years",
                (1..=6, Some(_), _) => "primary",
                (9..=11, Some(_), _) => "secondary",
                _ => continue,
            };
            if !found.iter().any(|(k, _)| *k == kind) {
                found.push((kind, id));
            }
        }
        app.sign_in_role(Role::VsOfficer).await;
        for (kind, child) in &found {
            let pep = peps::for_child(&app.services.db, la, *child).await.unwrap().remove(0);
            let base = format!("/children/{child}/peps/{}", pep.id);
            let (status, html) = app.get_html(&base).await;
            assert_eq!(status, 200);
            let keys = page_keys(&html);
            let has = |key: &str| keys.iter().any(|k| k == key);
            match *kind {
                "early_years" => {
                    assert!(has("attendance") && has("attainment") && has("my_views_early_years"));
                    assert!(!has("exclusions") && !has("careers") && !has("my_views"), "{keys:?}");
                }
                "primary" => {
                    assert!(has("exclusions") && has("part_time_timetable") && has("my_views"));
                    assert!(!has("careers") && !has("my_views_early_years"), "{keys:?}");
                }
                "secondary" => {
                    assert!(has("careers") && has("sdq") && has("my_views_secondary"), "{keys:?}");
                    assert!(!has("post_16_status"), "{keys:?}");
                }
                "special" => assert!(has("sen") && has("part_time_timetable"), "{keys:?}"),
                "post_16" | "neet" => {
                    assert!(has("post_16_status") && has("my_views_post_16"), "{keys:?}");
                    assert!(!has("exclusions") && !has("my_views"), "{keys:?}");
                    assert_eq!(has("neet_plan"), *kind == "neet", "{keys:?}");
                }
                _ => unreachable!(),
            }
            // Every page opens, for reading, with its answers or its form.
            for key in &keys {
                // The targets page has its own screens.
                let path = if key == "targets" {
                    format!("{base}/targets")
                } else {
                    format!("{base}/pages/{key}")
                };
                let (status, page) = app.get_html(&path).await;
                assert_eq!(status, 200, "{kind} {key} on {}", app.backend);
                assert_eq!(texts(&page, "h1").len(), 1);
            }
        }
        let kinds: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
        for kind in ["early_years", "primary", "secondary", "special", "post_16"] {
            assert!(kinds.contains(&kind), "the demo has a {kind} child: {kinds:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn attendance_below_90_percent_asks_for_a_target_before_sign_off() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let (_, pep) = editable_pep(&app, &scope).await;
        app.sign_in_role(Role::DesignatedTeacher).await;
        let page = format!("{pep}/pages/attendance");
        let (_, html) = app.get_html(&page).await;
        let version = attr(&html, "input[name=version]", "value").unwrap();
        let figures = |attended: &'static str, authorised: &'static str| {
            vec![
                ("version", version.clone()),
                ("q_from-day", "3".into()),
                ("q_from-month", "9".into()),
                ("q_from-year", "2026".into()),
                ("q_to-day", "20".into()),
                ("q_to-month", "11".into()),
                ("q_to-year", "2026".into()),
                ("q_possible", "200".into()),
                ("q_attended", attended.into()),
                ("q_authorised", authorised.into()),
                ("q_unauthorised", "10".into()),
                ("completed", "yes".into()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let app = app.clone();
            let page = page.clone();
            async move {
                let token = app.csrf(&page).await;
                let mut form: Vec<(&str, String)> = vec![("_csrf", token)];
                form.extend(fields);
                app.client.post(app.url(&page)).form(&form).send().await.unwrap()
            }
        };
        // More attended than possible: refused, and what was typed stays.
        let response = send(figures("201", "0")).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            errors(&html),
            ["Sessions attended must not be more than the 200 possible sessions"]
        );
        assert_eq!(attr(&html, "input[name=q_attended]", "value").as_deref(), Some("201"));
        assert_eq!(attr(&html, "input[name=q_from-day]", "value").as_deref(), Some("3"));
        // Figures that do not add up.
        let response = send(figures("176", "20")).await;
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            errors(&html),
            [
                "Sessions attended (176) and absences (20 authorised, 10 unauthorised) add up to 206, not the 200 possible sessions"
            ]
        );
        // 88%: saved, and the percentage is shown with its warning.
        let response = send(figures("176", "14")).await;
        assert_eq!(response.status().as_u16(), 303, "on {}", app.backend);
        let (_, html) = app.get_html(&page).await;
        assert_eq!(texts(&html, ".app-figure__value")[0], "88%");
        assert!(texts(&html, ".govuk-warning-text__text")
            .iter()
            .any(|t| t.contains("below 90%")));

        // The targets page now asks for an attendance target, and sign-off
        // is refused until it is written.
        let targets = format!("{pep}/targets");
        let (_, html) = app.get_html(&format!("{pep}/targets")).await;
        assert_eq!(texts(&html, ".govuk-notification-banner__heading"), ["Attendance target"]);
        let sign_off = format!("{pep}/sign-off");
        let blockers = |html: &Html| texts(html, ".govuk-inset-text li");
        let write_it = "Write the attendance target on the targets page".to_owned();
        let (_, html) = app.get_html(&sign_off).await;
        assert!(blockers(&html).contains(&write_it));
        let mark = format!("{sign_off}/mark");
        let response = app.post_page(&sign_off, &mark, &[("done", "yes")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert!(errors(&html).contains(&write_it), "{:?}", errors(&html));
        let new = format!("{targets}/new?prompt=prompt_attendance");
        let (_, html) = app.get_html(&new).await;
        assert_eq!(attr(&html, "select[name=q_area] option[selected]", "value").as_deref(), Some("attendance"));
        let fields = [
            ("version", "0"),
            ("prompt", "prompt_attendance"),
            ("q_area", "attendance"),
            ("q_description", "Attendance to reach 95% by February half term."),
            ("q_due_kind", "date"),
            ("q_due_date-day", "12"),
            ("q_due_date-month", "2"),
            ("q_due_date-year", "2027"),
            ("q_action_0_who", "carer"),
            ("q_action_0_what", "Weekly check-in with the school's attendance lead"),
        ];
        let response = app.post_page(&new, &format!("{targets}/new"), &fields).await;
        assert_eq!(response.status().as_u16(), 303, "target on {}", app.backend);
        let (_, html) = app.get_html(&sign_off).await;
        assert!(!blockers(&html).contains(&write_it), "the prompt is answered");
    })
    .await;
}

#[tokio::test]
async fn sdq_attainment_and_exclusions_refuse_bad_input_and_act_on_good() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let (child, pep) = editable_pep(&app, &scope).await;
        app.sign_in_role(Role::DesignatedTeacher).await;
        let save = |key: &'static str, fields: Vec<(&'static str, &'static str)>| {
            let app = app.clone();
            let page = format!("{pep}/pages/{key}");
            async move {
                let (_, html) = app.get_html(&page).await;
                let version = attr(&html, "input[name=version]", "value").unwrap();
                let token = app.csrf(&page).await;
                let mut form: Vec<(&str, String)> = vec![("_csrf", token), ("version", version)];
                form.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
                let response = app.client.post(app.url(&page)).form(&form).send().await.unwrap();
                let status = response.status().as_u16();
                (status, Html::parse_document(&response.text().await.unwrap()))
            }
        };
        let sdq = |emotional| {
            vec![
                ("q_informant", "teacher"),
                ("q_emotional", emotional),
                ("q_conduct", "6"),
                ("q_hyperactivity", "6"),
                ("q_peer", "1"),
                ("q_prosocial", "7"),
            ]
        };
        let (status, html) = save("sdq", sdq("11")).await;
        assert_eq!(status, 422);
        assert_eq!(errors(&html), ["Emotional symptoms score must be 10 or fewer"]);
        assert_eq!(attr(&html, "input[name=q_emotional]", "value").as_deref(), Some("11"));
        let (status, _) = save("sdq", sdq("5")).await;
        assert_eq!(status, 303);
        let (_, html) = app.get_html(&format!("{pep}/targets")).await;
        assert!(
            texts(&html, ".govuk-notification-banner__heading")
                .contains(&"Emotional wellbeing target".to_owned())
        );

        // The same subject twice is refused on the second entry.
        let twice = vec![
            ("q_subject_0_subject", "Maths"),
            ("q_subject_0_current", "4"),
            ("q_subject_1_subject", "Maths"),
            ("q_subject_1_current", "5"),
        ];
        let (status, html) = save("attainment", twice).await;
        assert_eq!(status, 422);
        assert_eq!(errors(&html), ["Maths already has an entry: record each subject once"]);
        // "Add another" shows the form again with one more entry, as typed.
        let (status, html) =
            save("attainment", vec![("q_subject_0_subject", "English"), ("add", "subject")]).await;
        assert_eq!(status, 200);
        assert!(texts(&html, "legend").iter().any(|l| l == "New subject"));
        assert_eq!(
            attr(&html, "select[name=q_subject_0_subject] option[selected]", "value").as_deref(),
            Some("English")
        );

        // A suspension ending before it starts; then a permanent exclusion,
        // which e-mails the Virtual School at once.
        let (status, html) = save(
            "exclusions",
            vec![
                ("q_any", "yes"),
                ("q_suspension_0_start-day", "10"),
                ("q_suspension_0_start-month", "11"),
                ("q_suspension_0_start-year", "2026"),
                ("q_suspension_0_end-day", "9"),
                ("q_suspension_0_end-month", "11"),
                ("q_suspension_0_end-year", "2026"),
                ("q_suspension_0_sessions", "2"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(errors(&html), ["The end date must be the same as or after the start date"]);
        // What one Virtual School officer has been sent of this kind.
        let officer = app.account(Role::VsOfficer);
        let told = || async {
            outbox::recent(&app.services.db, Some(&officer), 50)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == "permanent_exclusion")
                .collect::<Vec<_>>()
        };
        let before = told().await.len();
        let (status, _) = save(
            "exclusions",
            vec![
                ("q_any", "yes"),
                ("q_permanent", "yes"),
                ("q_permanent_date-day", "20"),
                ("q_permanent_date-month", "11"),
                ("q_permanent_date-year", "2026"),
                ("q_permanent_reason", "disruption"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let sent = told().await;
        assert!(sent.len() > before, "the Virtual School is told on {}", app.backend);
        let surname = children::get(
            &app.services.db,
            &ChildScope::Authority { la_id: scope.la_id() },
            now().date_naive(),
            child,
        )
        .await
        .unwrap()
        .surname;
        assert!(sent.iter().all(|m| !m.body_text.contains(&surname)), "no name in the e-mail");
    })
    .await;
}

#[tokio::test]
async fn documents_are_checked_by_their_bytes_and_every_download_is_logged() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let (child, pep) = editable_pep(&app, &scope).await;
        app.sign_in_role(Role::DesignatedTeacher).await;
        let folder = format!("{pep}/documents");
        let upload = |name: &'static str, bytes: Vec<u8>, title: &'static str| {
            let app = app.clone();
            let folder = folder.clone();
            async move {
                let token = app.csrf(&folder).await;
                let form = reqwest::multipart::Form::new()
                    .text("_csrf", token)
                    .text("kind", "support_plan")
                    .text("title", title)
                    .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
                app.client.post(app.url(&folder)).multipart(form).send().await.unwrap()
            }
        };
        // The CSRF check reads an upload's start: a wrong token, or one sent
        // after 64 KB of other fields, is refused and nothing is stored.
        let forged = |token: String, padding: usize| {
            let app = app.clone();
            let folder = folder.clone();
            async move {
                let form = reqwest::multipart::Form::new()
                    .text("padding", "x".repeat(padding))
                    .text("_csrf", token)
                    .text("kind", "support_plan")
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(b"%PDF-1.4\n".to_vec()).file_name("p.pdf"),
                    );
                app.client.post(app.url(&folder)).multipart(form).send().await.unwrap()
            }
        };
        assert_eq!(forged("not-the-token".into(), 0).await.status().as_u16(), 403);
        let token = app.csrf(&folder).await;
        assert_eq!(forged(token, 70 * 1024).await.status().as_u16(), 403);

        // A program renamed to look like a PDF.
        let response = upload("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), "My plan").await;
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap();
        assert_eq!(status, 422, "{headers} {body}");
        let html = Html::parse_document(&body);
        assert_eq!(
            errors(&html),
            ["The selected file must be a PDF, Word document (DOCX), JPG or PNG"]
        );
        assert_eq!(attr(&html, "input[name=title]", "value").as_deref(), Some("My plan"));
        // 30 MB.
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(30 * 1024 * 1024, b' ');
        let response = upload("big.pdf", big, "Scanned plan").await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(errors(&html), ["The selected file must be smaller than 20 MB"]);
        assert_eq!(attr(&html, "input[name=title]", "value").as_deref(), Some("Scanned plan"));
        // A real PDF.
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".to_vec();
        let response = upload("C:\\fakepath\\support plan.pdf", pdf.clone(), "").await;
        assert_eq!(location(&response), format!("{folder}?uploaded=1"));
        let (_, html) = app.get_html(&folder).await;
        let link = attr(&html, "table a", "href").unwrap();
        assert_eq!(texts(&html, "table a"), ["support plan"]);
        let response = app.get(&link).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(
            response.headers()["content-disposition"],
            "attachment; filename=\"support plan.pdf\""
        );
        assert_eq!(response.bytes().await.unwrap().as_ref(), pdf.as_slice());
        let history = openpep_store::audit::child_history(
            &app.services.db,
            scope.la_id(),
            child,
            openpep_store::audit::History::Everything,
            50,
        )
        .await
        .unwrap();
        assert!(history.iter().any(|e| e.action == "document.downloaded"));
        assert!(history.iter().any(|e| e.action == "document.uploaded"));
        // Someone without the child: not found, nothing leaks.
        let other = app.new_browser();
        other.sign_in_role(Role::DesignatedProfessional).await;
        assert_eq!(other.get(&link).await.status().as_u16(), 404);

        // A carer reads the child's views, not the plans staff upload.
        let (_, carer_scope) = app.user_scope(Role::Carer).await;
        let carer_child = app.child_ids(&carer_scope).await[0];
        let la = carer_scope.la_id();
        let plan = crate::support::add_document(&app, la, carer_child, "ehc_plan").await;
        let views = crate::support::add_document(&app, la, carer_child, "child_views").await;
        let carer = app.new_browser();
        carer.sign_in_role(Role::Carer).await;
        let download = |id: Uuid| format!("/children/{carer_child}/documents/{id}");
        assert_eq!(carer.get(&download(plan)).await.status().as_u16(), 404);
        assert_eq!(carer.get(&download(views)).await.status().as_u16(), 200);
    })
    .await;
}
