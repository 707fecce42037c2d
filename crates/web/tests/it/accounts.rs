use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::{outbox, sessions, users};

use crate::support::{TestApp, attr, dev_config, location, on_each_backend, texts};

/// The path of the first link in the newest e-mail of `kind` to `email`.
async fn emailed_link(app: &TestApp, email: &str, kind: &str) -> String {
    let mails = outbox::recent(&app.services.db, Some(email), 10).await.unwrap();
    let mail = mails.iter().find(|m| m.kind == kind).unwrap_or_else(|| panic!("no {kind} e-mail"));
    let url = mail.body_text.split_whitespace().find(|w| w.starts_with("http")).unwrap();
    url.split_once("://").unwrap().1.split_once('/').map(|(_, p)| format!("/{p}")).unwrap()
}

#[tokio::test]
async fn an_invited_person_registers_agrees_signs_in_and_sees_only_their_caseload() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsAdmin).await;
        let (status, html) = app.get_html("/people").await;
        assert_eq!(status, 200);
        assert!(texts(&html, "table tbody th").len() > 30, "the authority's people are listed");

        // Mistakes are named, and what was typed stays.
        let response = app
            .post_page("/people/invite", "/people/invite", &[("name", ""), ("email", "nope")])
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            [
                "Enter the person's full name",
                "Enter an email address in the correct format, like name@example.com",
                "Select the person's role"
            ]
        );
        assert_eq!(attr(&html, "input#email", "value").unwrap(), "nope");
        let response = app
            .post_page(
                "/people/invite",
                "/people/invite",
                &[
                    ("name", "Robin Teacher"),
                    ("email", "robin@school.example"),
                    ("role", "designated_teacher"),
                ],
            )
            .await;
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Select the school they work at"]
        );

        let response = app
            .post_page(
                "/people/invite",
                "/people/invite",
                &[
                    ("name", "Morgan New"),
                    ("email", "Morgan.New@Council.example"),
                    ("role", "social_worker"),
                ],
            )
            .await;
        assert_eq!(location(&response), "/people?invited=morgan.new%40council.example");
        let (_, html) = app.get_html("/people?invited=morgan.new%40council.example").await;
        assert!(
            texts(&html, ".govuk-notification-banner__heading")[0]
                .contains("morgan.new@council.example")
        );
        assert!(texts(&html, "table tbody th").contains(&"Morgan New".to_string()));

        // The invited person follows the link from their e-mail.
        let link = emailed_link(&app, "morgan.new@council.example", "invitation").await;
        let morgan = app.new_browser();
        let (status, html) = morgan.get_html(&link).await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Set up your account"]);
        assert_eq!(attr(&html, "input#name", "value").unwrap(), "Morgan New");
        for (password, message) in [
            ("short", "Password must be 12 characters or more"),
            ("password1234", "Choose a password that is harder to guess: this one is too common"),
        ] {
            let response = morgan
                .post_page(&link, &link, &[("name", "Morgan New"), ("password", password)])
                .await;
            assert_eq!(response.status().as_u16(), 422);
            let html = scraper::Html::parse_document(&response.text().await.unwrap());
            assert_eq!(texts(&html, ".govuk-error-summary__list a"), [message]);
        }
        let password = "velvet otter harbour lamp";
        let response =
            morgan.post_page(&link, &link, &[("name", "Morgan New"), ("password", password)]).await;
        assert_eq!(location(&response), "/sign-in?registered=1");
        let (status, html) = morgan.get_html(&link).await;
        assert_eq!(status, 404, "the link works once");
        assert_eq!(texts(&html, "h1"), ["This invitation link cannot be used"]);

        let response = morgan.sign_in_fully("morgan.new@council.example", password).await;
        assert_eq!(location(&response), "/terms");
        morgan.agree_to_terms().await;
        let (status, html) = morgan.get_html("/learners").await;
        assert_eq!(status, 200);
        assert!(texts(&html, "main p")[0].starts_with("You have no learners yet"));
        assert!(!texts(&html, ".govuk-service-navigation__link").contains(&"People".to_string()));
        assert_eq!(morgan.get("/people").await.status().as_u16(), 403);
        assert_eq!(morgan.get("/people/invite").await.status().as_u16(), 403);
    })
    .await;
}

#[tokio::test]
async fn registering_without_an_invitation_is_not_possible() {
    on_each_backend(dev_config(), |app| async move {
        let (status, html) = app.get_html("/register").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["You need an invitation"]);
        let (status, html) = app.get_html("/register/made-up-token").await;
        assert_eq!(status, 404);
        assert_eq!(texts(&html, "h1"), ["This invitation link cannot be used"]);
    })
    .await;
}

#[tokio::test]
async fn a_password_reset_link_works_once_and_signs_out_everywhere() {
    on_each_backend(dev_config(), |app| async move {
        let sw = app.account(Role::SocialWorker);
        app.sign_in_role(Role::SocialWorker).await;
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 1);

        let other = app.new_browser();
        let said = |response: String| {
            let html = scraper::Html::parse_document(&response);
            texts(&html, "main p")[0].clone()
        };
        let unknown = other
            .post_page("/forgot-password", "/forgot-password", &[("email", "nobody@example.org")])
            .await;
        let unknown_text = said(unknown.text().await.unwrap());
        let known =
            other.post_page("/forgot-password", "/forgot-password", &[("email", &sw)]).await;
        let known_text = said(known.text().await.unwrap());
        assert_eq!(
            unknown_text.replace("nobody@example.org", "X"),
            known_text.replace(&sw, "X"),
            "no enumeration"
        );
        assert!(
            outbox::recent(&app.services.db, Some("nobody@example.org"), 5)
                .await
                .unwrap()
                .is_empty()
        );

        let link = emailed_link(&app, &sw, "password_reset").await;
        let response = other.post_page(&link, &link, &[("password", "tiny")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let new_password = "gravel meadow lantern quiet";
        let response = other.post_page(&link, &link, &[("password", new_password)]).await;
        assert_eq!(location(&response), "/sign-in?reset=1");
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 0, "signed out everywhere");
        assert_eq!(location(&app.get("/learners").await), "/sign-in");
        assert_eq!(other.get(&link).await.status().as_u16(), 404, "the link works once");

        let old = other.sign_in_as(&sw, DEMO_PASSWORD).await;
        assert_eq!(old.status().as_u16(), 422);
        assert_eq!(location(&other.sign_in_fully(&sw, new_password).await), "/learners");
        let user = users::by_email(&app.services.db, &sw).await.unwrap().unwrap();
        let actions: Vec<_> = openpep_store::audit::by_actor(&app.services.db, user.id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"user.password_reset".to_string()), "{actions:?}");
    })
    .await;
}

/// The action of the button in the people table's row for `email`.
fn person_action(html: &scraper::Html, email: &str) -> Option<String> {
    let row = scraper::Selector::parse("table tbody tr").unwrap();
    let form = scraper::Selector::parse("form").unwrap();
    html.select(&row).filter(|tr| tr.text().any(|t| t.trim() == email)).find_map(|tr| {
        tr.select(&form).next().and_then(|f| f.value().attr("action")).map(str::to_owned)
    })
}

#[tokio::test]
async fn the_vs_admin_deactivates_and_unlocks_people() {
    on_each_backend(dev_config(), |app| async move {
        let sw_email = app.account(Role::SocialWorker);
        let sw = app.new_browser();
        sw.sign_in_role(Role::SocialWorker).await;
        assert_eq!(sw.get("/learners").await.status().as_u16(), 200);

        app.sign_in_role(Role::VsAdmin).await;
        let (_, html) = app.get_html("/people").await;
        let deactivate = person_action(&html, &sw_email).expect("a Deactivate button");
        assert!(deactivate.ends_with("/deactivate"), "{deactivate}");
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        assert_eq!(location(&app.post_form(&deactivate, &[("_csrf", &token)]).await), "/people");
        assert_eq!(location(&sw.get("/learners").await), "/sign-in", "their session ends at once");
        assert_eq!(sw.sign_in_as(&sw_email, DEMO_PASSWORD).await.status().as_u16(), 422);

        let (_, html) = app.get_html("/people").await;
        let reactivate = person_action(&html, &sw_email).unwrap();
        assert!(reactivate.ends_with("/reactivate"));
        app.post_form(&reactivate, &[("_csrf", &token)]).await;
        assert_eq!(location(&sw.sign_in_fully(&sw_email, DEMO_PASSWORD).await), "/learners");

        // A locked account is shown as locked, and can be unlocked.
        let iro = app.account(Role::Iro);
        let stranger = app.new_browser();
        for _ in 0..5 {
            stranger.sign_in_as(&iro, "not the password").await;
        }
        let (_, html) = app.get_html("/people").await;
        let unlock = person_action(&html, &iro).expect("an Unlock button");
        assert!(unlock.ends_with("/unlock"), "{unlock}");
        app.post_form(&unlock, &[("_csrf", &token)]).await;
        assert_eq!(location(&stranger.sign_in_as(&iro, DEMO_PASSWORD).await), "/sign-in/code");

        // A VS officer may not deactivate anyone.
        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        let token = officer.csrf("/people").await;
        assert_eq!(
            officer.post_form(&deactivate, &[("_csrf", &token)]).await.status().as_u16(),
            403
        );
    })
    .await;
}

#[tokio::test]
async fn the_vs_admin_changes_someones_role_and_access_follows_at_once() {
    on_each_backend(dev_config(), |app| async move {
        let iro_email = app.account(Role::Iro);
        let iro = app.new_browser();
        iro.sign_in_role(Role::Iro).await;
        let (_, scope) = app.user_scope(Role::Iro).await;
        let child = app.child_ids(&scope).await[0];
        assert_eq!(iro.get(&format!("/children/{child}")).await.status().as_u16(), 200);

        app.sign_in_role(Role::VsAdmin).await;
        let (_, html) = app.get_html("/people").await;
        let row = scraper::Selector::parse("table tbody tr").unwrap();
        let link = scraper::Selector::parse("a[href$='/role']").unwrap();
        let change = html
            .select(&row)
            .filter(|tr| tr.text().any(|t| t.trim() == iro_email))
            .find_map(|tr| {
                tr.select(&link).next().and_then(|a| a.value().attr("href")).map(str::to_owned)
            })
            .expect("a link to change the IRO's role");
        let (status, html) = app.get_html(&change).await;
        assert_eq!(status, 200);
        assert_eq!(attr(&html, "input[name=role][checked]", "value").unwrap(), "iro");
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        let response =
            app.post_form(&change, &[("_csrf", &token), ("role", "designated_teacher")]).await;
        assert_eq!(response.status().as_u16(), 422, "a DT needs a school");
        let response =
            app.post_form(&change, &[("_csrf", &token), ("role", "careers_adviser")]).await;
        assert_eq!(location(&response), "/people");
        // The IRO's allocations were as an IRO: as a careers adviser they reach nobody.
        assert_eq!(iro.get(&format!("/children/{child}")).await.status().as_u16(), 404);
        let (_, html) = iro.get_html("/learners").await;
        assert!(texts(&html, ".app-header__role").iter().any(|r| r == "Careers adviser"));

        // A role they already hold here is refused by name, not a 500.
        let iro_user =
            openpep_store::users::by_email(&app.services.db, &iro_email).await.unwrap().unwrap();
        let mut tx = app.services.db.begin().await.unwrap();
        let extra = openpep_store::users::Membership {
            id: uuid::Uuid::now_v7(),
            user_id: iro_user.id,
            la_id: scope.la_id(),
            role: "social_worker".into(),
            school_id: None,
            created_at: crate::support::now(),
            ended_at: None,
        };
        openpep_store::users::insert_membership(&mut tx, &extra).await.unwrap();
        tx.commit().await.unwrap();
        let response =
            app.post_form(&change, &[("_csrf", &token), ("role", "social_worker")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let page = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&page, ".govuk-error-summary__list a"),
            ["They already hold that role here"]
        );
    })
    .await;
}

#[tokio::test]
async fn the_vs_admin_keeps_the_authority_settings() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsAdmin).await;
        let (status, html) = app.get_html("/settings").await;
        assert_eq!(status, 200);
        assert_eq!(attr(&html, "input#sdq_threshold", "value").unwrap(), "17");
        assert_eq!(attr(&html, "input[name=version]", "value").unwrap(), "0");
        // The Bolton criteria for the VS attending are ticked to begin with.
        assert_eq!(texts(&html, "input[name=vs_attends][checked] + label").len(), 5);
        assert_eq!(attr(&html, "input#key_year_groups", "value").unwrap(), "6, 11");
        let form = |sdq: &'static str, email: &'static str, version: &'static str| {
            vec![
                ("vs_attends", "red_rated"),
                ("vs_attends", "professional_disagreement"),
                ("key_year_groups", if sdq == "41" { "6, Reception" } else { "11, 6, 10" }),
                ("version", version),
                ("initial_timescale", "twenty_days"),
                ("pep_from_age", "3"),
                ("section_letters", "a, b, c, d, e"),
                ("grading_scheme", "completion"),
                ("reminder_cadence", "daily"),
                ("reminder_days_before", "7"),
                ("sdq_threshold", sdq),
                ("sign_off_copies_to", email),
            ]
        };
        let response =
            app.post_page("/settings", "/settings", &form("41", "not-an-email", "0")).await;
        assert_eq!(response.status().as_u16(), 422);
        let page = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&page, ".govuk-error-summary__list a"),
            [
                "The SDQ threshold must be a whole number from 0 to 40",
                "Enter an email address in the correct format, like name@example.com",
                "Enter year groups as numbers from 1 to 13, separated by commas, like 6, 11"
            ]
        );
        assert_eq!(attr(&page, "input#sdq_threshold", "value").unwrap(), "41");
        let response =
            app.post_page("/settings", "/settings", &form("15", "vs@northmere.example", "0")).await;
        assert_eq!(location(&response), "/settings?saved=1");
        let (_, html) = app.get_html("/settings").await;
        assert_eq!(attr(&html, "input#section_letters", "value").unwrap(), "A, B, C, D, E");
        assert_eq!(attr(&html, "input[name=pep_from_age][checked]", "value").unwrap(), "3");
        assert_eq!(
            texts(&html, "input[name=vs_attends][checked] + label"),
            [
                "The Virtual School rates the case red",
                "A social worker or designated teacher raises a professional disagreement"
            ]
        );
        assert_eq!(attr(&html, "input#key_year_groups", "value").unwrap(), "6, 10, 11");
        // A save over an old version is refused.
        let response = app.post_page("/settings", "/settings", &form("16", "", "0")).await;
        assert_eq!(response.status().as_u16(), 422);
        // Only the administrator changes settings.
        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        assert_eq!(officer.get("/settings").await.status().as_u16(), 403);
    })
    .await;
}
