use openpep_domain::{ChildScope, Role};
use openpep_store::outbox;

use crate::support::{attr, dev_config, location, on_each_backend, texts};

#[tokio::test]
async fn allocating_gives_access_and_ending_it_takes_it_away() {
    on_each_backend(dev_config(), |app| async move {
        let (sw_id, sw_scope) = app.user_scope(Role::SocialWorker).await;
        let mine = app.child_ids(&sw_scope).await;
        let everyone = app.child_ids(&ChildScope::Authority { la_id: sw_scope.la_id() }).await;
        let child = *everyone.iter().find(|id| !mine.contains(id)).unwrap();
        let page = format!("/children/{child}");
        let new = format!("/children/{child}/allocations/new");

        let sw = app.new_browser();
        sw.sign_in_role(Role::SocialWorker).await;
        assert_eq!(sw.get(&page).await.status().as_u16(), 404);
        assert_eq!(sw.get(&new).await.status().as_u16(), 404, "only the VS allocates");

        app.sign_in_role(Role::VsOfficer).await;
        let (status, html) = app.get_html(&new).await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Allocate someone"]);
        let person = format!("social_worker:{sw_id}");

        // Mistakes are named; what was typed stays.
        let response = app
            .post_page(
                &new,
                &new,
                &[("person", ""), ("from-day", "31"), ("from-month", "2"), ("from-year", "2026")],
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Select the person to allocate", "The date must be a real date"]
        );
        assert_eq!(attr(&html, "input#from-day", "value").unwrap(), "31");

        let response = app
            .post_page(
                &new,
                &new,
                &[
                    ("person", &person),
                    ("from-day", "23"),
                    ("from-month", "11"),
                    ("from-year", "2026"),
                ],
            )
            .await;
        assert_eq!(location(&response), page);
        assert_eq!(sw.get(&page).await.status().as_u16(), 200, "the allocation gives access");
        let (_, html) = sw.get_html("/learners").await;
        assert_eq!(texts(&html, "table tbody tr").len(), mine.len() + 1);

        // The VS sees the allocation and ends it: access ends with it.
        let (_, html) = app.get_html(&page).await;
        let sw_name =
            openpep_store::users::get(&app.services.db, sw_id).await.unwrap().display_name;
        let row = scraper::Selector::parse("table tbody tr").unwrap();
        let form = scraper::Selector::parse("form[action$='/end']").unwrap();
        let end = html
            .select(&row)
            .filter(|tr| tr.text().any(|t| t.contains(&sw_name)))
            .find_map(|tr| tr.select(&form).next().and_then(|f| f.value().attr("action")))
            .expect("an End button on the social worker's row")
            .to_owned();
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        assert_eq!(location(&app.post_form(&end, &[("_csrf", &token)]).await), page);
        assert_eq!(sw.get(&page).await.status().as_u16(), 404, "ending the allocation ends access");

        // Both changes and the views are in the child's history.
        let (status, html) = app.get_html(&format!("/children/{child}/history")).await;
        assert_eq!(status, 200);
        let what = texts(&html, "table tbody td:nth-of-type(3)");
        assert!(what.contains(&"Allocated someone to work with the child".to_string()), "{what:?}");
        assert!(what.contains(&"Ended an allocation".to_string()));
        assert!(what.contains(&"Viewed the record".to_string()));
        assert_eq!(sw.get(&format!("/children/{child}/history")).await.status().as_u16(), 404);
    })
    .await;
}

#[tokio::test]
async fn a_social_worker_gives_a_carer_access_to_one_child() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::SocialWorker).await;
        let child = app.child_ids(&scope).await[0];
        app.sign_in_role(Role::SocialWorker).await;
        let page = format!("/children/{child}/invite");
        let response =
            app.post_page(&page, &page, &[("role", "carer"), ("name", ""), ("email", "")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let response = app
            .post_page(
                &page,
                &page,
                &[("role", "young_person"), ("name", "Sam Young"), ("email", "sam@home.example")],
            )
            .await;
        assert_eq!(response.status().as_u16(), 404, "only the VS gives a young person an account");
        let response = app
            .post_page(
                &page,
                &page,
                &[("role", "carer"), ("name", "Pat Carer"), ("email", "pat.carer@home.example")],
            )
            .await;
        assert_eq!(location(&response), format!("/children/{child}"));

        let mails =
            outbox::recent(&app.services.db, Some("pat.carer@home.example"), 1).await.unwrap();
        let url = mails[0].body_text.split_whitespace().find(|w| w.starts_with("http")).unwrap();
        let link = format!("/{}", url.split_once("://").unwrap().1.split_once('/').unwrap().1);
        let carer = app.new_browser();
        let token = carer.csrf(&link).await;
        let password = "copper kettle autumn fields";
        let response = carer
            .post_form(&link, &[("_csrf", &token), ("name", "Pat Carer"), ("password", password)])
            .await;
        assert_eq!(location(&response), "/sign-in?registered=1");
        carer.sign_in_fully("pat.carer@home.example", password).await;
        carer.agree_to_terms().await;
        let (_, html) = carer.get_html("/learners").await;
        let links: Vec<_> = {
            let selector = scraper::Selector::parse("table tbody a").unwrap();
            html.select(&selector).map(|a| a.value().attr("href").unwrap().to_owned()).collect()
        };
        assert_eq!(links, [format!("/children/{child}")], "the carer sees exactly one child");
        assert_eq!(carer.get(&format!("/children/{child}")).await.status().as_u16(), 200);
    })
    .await;
}

#[tokio::test]
async fn the_virtual_school_edits_a_profile_and_a_stale_save_is_caught() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let child = app.child_ids(&scope).await[0];
        let edit = format!("/children/{child}/edit");
        app.sign_in_role(Role::VsOfficer).await;
        let (status, html) = app.get_html(&edit).await;
        assert_eq!(status, 200);
        let field =
            |name: &str| attr(&html, &format!("[name='{name}']"), "value").unwrap_or_default();
        let mut form: Vec<(String, String)> = [
            "version",
            "forename",
            "surname",
            "preferred_name",
            "dob-day",
            "dob-month",
            "dob-year",
            "upn",
            "uln",
            "entered-day",
            "entered-month",
            "entered-year",
        ]
        .iter()
        .map(|n| (n.to_string(), field(n)))
        .collect();
        let checked = |name: &str| {
            attr(&html, &format!("input[name='{name}'][checked]"), "value").unwrap_or_default()
        };
        let selected = |name: &str| {
            attr(&html, &format!("select[name='{name}'] option[selected]"), "value")
                .unwrap_or_default()
        };
        form.push(("gender".into(), checked("gender")));
        form.push(("vs_priority".into(), checked("vs_priority")));
        form.push(("legal_status".into(), selected("legal_status")));
        form.push(("upn_unknown_reason".into(), selected("upn_unknown_reason")));
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        form.push(("_csrf".into(), token));
        let with = |changes: &[(&str, &str)]| {
            let mut f = form.clone();
            for (k, v) in changes {
                f.retain(|(key, _)| key != k);
                f.push((k.to_string(), v.to_string()));
            }
            f
        };
        let post = |f: Vec<(String, String)>| {
            let app = app.clone();
            let edit = edit.clone();
            async move { app.client.post(app.url(&edit)).form(&f).send().await.unwrap() }
        };

        // Bad input: a wrong UPN check letter, a date of birth in the future.
        let response = post(with(&[("upn", "A801200005001"), ("dob-year", "2031")])).await;
        assert_eq!(response.status().as_u16(), 422);
        let page = scraper::Html::parse_document(&response.text().await.unwrap());
        let errors = texts(&page, ".govuk-error-summary__list a");
        assert!(errors.contains(&"Date of birth must be in the past".to_string()), "{errors:?}");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(
            attr(&page, "input#upn", "value").unwrap(),
            "A801200005001",
            "what was typed stays"
        );

        // A good save, audited field by field.
        let response = post(with(&[("surname", "Hartley-Rowe")])).await;
        assert_eq!(location(&response), format!("/children/{child}"));
        let (_, history) = app.get_html(&format!("/children/{child}/history")).await;
        let details = texts(&history, "table tbody td:nth-of-type(4)");
        assert!(
            details.iter().any(|d| d.contains("\"surname\"") && d.contains("Hartley-Rowe")),
            "{details:?}"
        );

        // The same (now stale) version again: refused, theirs shown, nothing lost.
        let response = post(with(&[("surname", "Someone-Else")])).await;
        assert_eq!(response.status().as_u16(), 422);
        let page = scraper::Html::parse_document(&response.text().await.unwrap());
        assert!(
            texts(&page, ".govuk-error-summary__list a")[0]
                .starts_with("Someone else saved changes")
        );
        assert!(texts(&page, ".govuk-summary-list__value").contains(&"Hartley-Rowe".to_string()));
        assert_eq!(attr(&page, "input#surname", "value").unwrap(), "Someone-Else");

        // Only the Virtual School edits profiles.
        let sw = app.new_browser();
        sw.sign_in_role(Role::SocialWorker).await;
        let (_, sw_scope) = app.user_scope(Role::SocialWorker).await;
        let theirs = app.child_ids(&sw_scope).await[0];
        assert_eq!(sw.get(&format!("/children/{theirs}/edit")).await.status().as_u16(), 404);
    })
    .await;
}
