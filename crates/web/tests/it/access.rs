use openpep_domain::{ChildScope, Role};
use openpep_store::audit;

use crate::support::{attr, dev_config, on_each_backend, texts};

#[tokio::test]
async fn a_designated_teacher_sees_only_the_children_at_their_school() {
    on_each_backend(dev_config(), |app| async move {
        let (user_id, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let mine = app.child_ids(&scope).await;
        let everyone = app.child_ids(&ChildScope::Authority { la_id: scope.la_id() }).await;
        assert!(
            !mine.is_empty() && mine.len() < everyone.len(),
            "{} of {}",
            mine.len(),
            everyone.len()
        );

        app.sign_in_role(Role::DesignatedTeacher).await;
        let (status, html) = app.get_html("/learners").await;
        assert_eq!(status, 200);
        let links: Vec<String> = {
            let selector = scraper::Selector::parse("table tbody a").unwrap();
            html.select(&selector).map(|a| a.value().attr("href").unwrap().to_owned()).collect()
        };
        let expected: Vec<String> = mine.iter().map(|id| format!("/children/{id}")).collect();
        let mut sorted_links = links.clone();
        sorted_links.sort();
        let mut sorted_expected = expected.clone();
        sorted_expected.sort();
        assert_eq!(sorted_links, sorted_expected, "{}", app.backend);
        assert_eq!(
            texts(&html, "main p[aria-live]"),
            [format!(
                "Showing 1 to {n} of {n} learner{}",
                if mine.len() == 1 { "" } else { "s" },
                n = mine.len()
            )]
        );

        // A child of theirs opens, and the view is recorded.
        let (status, html) = app.get_html(&expected[0]).await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1").len(), 1);
        let views = audit::for_child(&app.services.db, scope.la_id(), mine[0], 10).await.unwrap();
        assert!(
            views.iter().any(|e| e.action == "child.viewed" && e.actor_user_id == Some(user_id)),
            "{views:?}"
        );

        // Anyone else's child is simply not there.
        let other = everyone.iter().find(|id| !mine.contains(id)).unwrap();
        let (status, html) = app.get_html(&format!("/children/{other}")).await;
        assert_eq!(status, 404);
        assert_eq!(texts(&html, "h1"), ["Page not found"]);
        for bad in ["/children/not-a-uuid", "/children/00000000-0000-0000-0000-000000000000"] {
            assert_eq!(app.get(bad).await.status().as_u16(), 404, "{bad}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_virtual_school_sees_its_whole_authority_and_no_other() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let everyone = app.child_ids(&scope).await;
        assert_eq!(everyone.len(), 60);
        app.sign_in_role(Role::VsOfficer).await;

        let (_, html) = app.get_html("/learners").await;
        assert_eq!(texts(&html, "main p[aria-live]"), ["Showing 1 to 25 of 60 learners"]);
        assert_eq!(texts(&html, "table tbody tr").len(), 25);
        assert_eq!(attr(&html, ".govuk-pagination__next a", "href").unwrap(), "/learners?page=2");
        let (_, page3) = app.get_html("/learners?page=3").await;
        assert_eq!(texts(&page3, "main p[aria-live]"), ["Showing 51 to 60 of 60 learners"]);
        assert_eq!(texts(&page3, "table tbody tr").len(), 10);
        let (status, _) = app.get_html("/learners?page=banana").await;
        assert_eq!(status, 200);
        let (_, past_the_end) = app.get_html("/learners?page=99").await;
        assert_eq!(texts(&past_the_end, "main p[aria-live]"), ["Showing 51 to 60 of 60 learners"]);

        // Search by part of a name, case-insensitively.
        let first_row = texts(&html, "table tbody th")[0].clone();
        let surname = first_row.split(' ').next_back().unwrap().to_lowercase();
        let (_, found) = app.get_html(&format!("/learners?q={surname}")).await;
        let names = texts(&found, "table tbody th");
        assert!(!names.is_empty());
        assert!(names.iter().all(|n| n.to_lowercase().contains(&surname)), "{names:?}");
        let (_, none) = app.get_html("/learners?q=zzzz-nobody").await;
        assert!(texts(&none, "main p").iter().any(|p| p.starts_with("No learners match")));

        // A child of the other authority in the same database is a 404.
        let other_la =
            openpep_store::authorities::by_code(&app.services.db, "989").await.unwrap().unwrap();
        let theirs = app.child_ids(&ChildScope::Authority { la_id: other_la.id }).await;
        assert_eq!(theirs.len(), 60);
        assert_eq!(app.get(&format!("/children/{}", theirs[0])).await.status().as_u16(), 404);
        assert_eq!(app.get(&format!("/children/{}", everyone[0])).await.status().as_u16(), 200);
    })
    .await;
}

#[tokio::test]
async fn a_social_worker_sees_their_caseload() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::SocialWorker).await;
        let mine = app.child_ids(&scope).await;
        assert!(!mine.is_empty() && mine.len() < 60);
        app.sign_in_role(Role::SocialWorker).await;
        let (_, html) = app.get_html("/learners").await;
        assert_eq!(texts(&html, "table tbody tr").len(), mine.len());
        let sw_names = texts(&html, "table tbody td:nth-of-type(4)");
        assert!(sw_names.iter().all(|n| n == &sw_names[0]), "{sw_names:?}");
    })
    .await;
}

#[tokio::test]
async fn a_team_manager_sees_their_teams_caseloads_read_only() {
    on_each_backend(dev_config(), |app| async move {
        let (manager_user, scope) = app.user_scope(Role::TeamManager).await;
        let manager = openpep_store::users::current_memberships(&app.services.db, manager_user)
            .await
            .unwrap()[0]
            .id;
        let theirs = app.child_ids(&scope).await;
        let everyone = app.child_ids(&ChildScope::Authority { la_id: scope.la_id() }).await;
        assert!(
            !theirs.is_empty() && theirs.len() < everyone.len(),
            "{} of {}",
            theirs.len(),
            everyone.len()
        );
        let tm = app.new_browser();
        tm.sign_in_role(Role::TeamManager).await;
        let (_, html) = tm.get_html("/learners").await;
        let shown = &texts(&html, "main p[aria-live]")[0];
        assert!(shown.ends_with(&format!("of {} learners", theirs.len())), "{shown}");
        assert_eq!(tm.get(&format!("/children/{}", theirs[0])).await.status().as_u16(), 200);
        let outside = everyone.iter().find(|id| !theirs.contains(id)).unwrap();
        assert_eq!(tm.get(&format!("/children/{outside}")).await.status().as_u16(), 404);
        assert_eq!(
            tm.get(&format!("/children/{}/allocations/new", theirs[0])).await.status().as_u16(),
            404
        );

        // The VS admin empties the team: the caseloads go with it.
        app.sign_in_role(Role::VsAdmin).await;
        let team = format!("/people/{manager}/team");
        let (status, html) = app.get_html(&team).await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "input[name=members][checked]").len(), 4);
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        let response = app.post_form(&team, &[("_csrf", &token)]).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(tm.get(&format!("/children/{}", theirs[0])).await.status().as_u16(), 404);
    })
    .await;
}

#[tokio::test]
async fn learners_filter_by_phase_year_school_social_worker_and_pep_status() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsOfficer).await;
        let count = |html: &scraper::Html| {
            let text = texts(html, "main p[aria-live]").first().cloned().unwrap_or_default();
            text.rsplit(" of ")
                .next()
                .and_then(|t| t.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let (_, all) = app.get_html("/learners").await;
        let total = count(&all);
        assert_eq!(total, 60);
        let mut by_phase = 0;
        for phase in ["early_years", "primary", "secondary", "post_16"] {
            let (status, html) = app.get_html(&format!("/learners?phase={phase}")).await;
            assert_eq!(status, 200);
            by_phase += count(&html);
        }
        assert_eq!(by_phase, total, "every child is in exactly one phase");
        let (_, year7) = app.get_html("/learners?year=7").await;
        assert!(texts(&year7, "table tbody td:nth-of-type(2)").iter().all(|y| y == "Year 7"));
        let (_, overdue) = app.get_html("/learners?status=overdue&sort=due").await;
        let shown = texts(&overdue, "table tbody td:nth-of-type(5)");
        assert!(shown.iter().all(|s| s.contains("Overdue")), "{shown:?}");
        let (_, drafts) = app.get_html("/learners?status=draft").await;
        assert!(
            texts(&drafts, "table tbody td:nth-of-type(5)")
                .iter()
                .all(|s| s.contains("Not started") || s.contains("Overdue"))
        );
        // Filters survive paging; nonsense is ignored, not an error.
        let (_, page) = app.get_html("/learners?phase=primary&sort=age").await;
        if let Some(next) = attr(&page, ".govuk-pagination__next a", "href") {
            assert!(next.contains("phase=primary") && next.contains("sort=age"), "{next}");
        }
        let (status, html) =
            app.get_html("/learners?year=banana&status=nope&school=x&sw=y&sort=z").await;
        assert_eq!(status, 200);
        assert_eq!(count(&html), total);
        // A social worker's filter gives exactly their caseload.
        let (sw, sw_scope) = app.user_scope(Role::SocialWorker).await;
        let (_, theirs) = app.get_html(&format!("/learners?sw={sw}")).await;
        assert_eq!(count(&theirs), app.child_ids(&sw_scope).await.len());
    })
    .await;
}

#[tokio::test]
async fn the_overview_says_when_the_virtual_school_should_attend() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let today = crate::support::now().date_naive();
        let mut red = None;
        for id in app.child_ids(&scope).await {
            let child =
                openpep_store::children::get(&app.services.db, &scope, today, id).await.unwrap();
            if child.vs_priority.as_deref() == Some("red") {
                red = Some(id);
                break;
            }
        }
        let red = red.expect("the demo has red-rated children");
        app.sign_in_role(Role::VsOfficer).await;
        let (_, html) = app.get_html(&format!("/children/{red}")).await;
        let inset = texts(&html, ".govuk-inset-text");
        assert!(
            inset
                .iter()
                .any(|t| t.starts_with("The Virtual School should attend")
                    && t.contains("red-rated")),
            "{inset:?}"
        );
    })
    .await;
}
