use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::users::{self, Membership};
use openpep_store::{Db, authorities, outbox, sessions};
use uuid::Uuid;

use crate::support::{attr, dev_config, location, now, on_each_backend, texts};

/// Makes the pending code of this test's challenge out of date.
async fn expire_challenges(db: &Db) {
    let past = now() - chrono::TimeDelta::minutes(1);
    openpep_store::exec_db!(
        db,
        sqlx::query("UPDATE sign_in_challenges SET expires_at = $1").bind(past)
    )
    .unwrap();
}

#[tokio::test]
async fn the_code_works_once_for_ten_minutes_and_five_tries() {
    on_each_backend(dev_config(), |app| async move {
        let dt = app.account(Role::DesignatedTeacher);
        app.sign_in_as(&dt, DEMO_PASSWORD).await;
        let code = app.latest_code(&dt).await;
        let mail = &outbox::recent(&app.services.db, Some(&dt), 1).await.unwrap()[0];
        assert!(mail.body_text.contains(&code) && !mail.body_text.contains("Northmere"));

        // A wrong code keeps what was typed and says what to do.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let response = app.enter_code(wrong).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["The code is not correct. Check it and try again"]
        );
        assert_eq!(attr(&html, "input#code", "value").unwrap(), wrong);
        let response = app.enter_code("12 34").await;
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, "#code-error"),
            ["Error: Enter the code as 6 numbers, like 123456"]
        );

        // The right code, with spaces, works once.
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(app.enter_code(&spaced).await.status().as_u16(), 303);
        let token = app.csrf("/terms").await;
        let reuse = app.post_form("/sign-in/code", &[("_csrf", &token), ("code", &code)]).await;
        assert_eq!(location(&reuse), "/sign-in", "the challenge is gone with its cookie");
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 1);

        // Ten minutes on, a code no longer works.
        let app2 = app.new_browser();
        app2.sign_in_as(&dt, DEMO_PASSWORD).await;
        expire_challenges(&app.services.db).await;
        let code = app.latest_code(&dt).await;
        assert_eq!(location(&app2.get("/sign-in/code").await), "/sign-in?expired=1");
        let token = app2.csrf("/sign-in").await;
        let late = app2.post_form("/sign-in/code", &[("_csrf", &token), ("code", &code)]).await;
        assert_eq!(location(&late), "/sign-in?expired=1");

        // Five wrong codes end the attempt.
        let app3 = app.new_browser();
        app3.sign_in_as(&dt, DEMO_PASSWORD).await;
        let code = app.latest_code(&dt).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            assert_eq!(app3.enter_code(wrong).await.status().as_u16(), 422);
        }
        assert_eq!(location(&app3.enter_code(wrong).await), "/sign-in?too_many=1");
        let token = app3.csrf("/sign-in").await;
        let after = app3.post_form("/sign-in/code", &[("_csrf", &token), ("code", &code)]).await;
        assert_eq!(location(&after), "/sign-in", "the attempt is over");
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 1, "only the first sign-in");
    })
    .await;
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one() {
    on_each_backend(dev_config(), |app| async move {
        let sw = app.account(Role::SocialWorker);
        app.sign_in_as(&sw, DEMO_PASSWORD).await;
        let old = app.latest_code(&sw).await;
        let token = app.csrf("/sign-in/code").await;
        let response = app.post_form("/sign-in/code/new", &[("_csrf", &token)]).await;
        assert_eq!(location(&response), "/sign-in/code?resent=1");
        let new = app.latest_code(&sw).await;
        if new != old {
            assert_eq!(app.enter_code(&old).await.status().as_u16(), 422);
        }
        assert_eq!(app.enter_code(&new).await.status().as_u16(), 303);
    })
    .await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_address_typed_whether_or_not_it_exists() {
    on_each_backend(dev_config(), |app| async move {
        let iro = app.account(Role::Iro);
        for email in [iro.as_str(), "nobody.here@example.org"] {
            for n in 1..=5 {
                let response = app.sign_in_as(email, "wrong password").await;
                let html = scraper::Html::parse_document(&response.text().await.unwrap());
                assert_eq!(
                    texts(&html, ".govuk-error-summary__list a"),
                    ["Enter a correct email address and password"],
                    "attempt {n}"
                );
            }
            // Now even the right password is refused, with the same words for
            // a real and an unknown address.
            let response = app.sign_in_as(email, DEMO_PASSWORD).await;
            assert_eq!(response.status().as_u16(), 422);
            let html = scraper::Html::parse_document(&response.text().await.unwrap());
            let message = &texts(&html, ".govuk-error-summary__list a")[0];
            assert!(
                message.starts_with("You have tried to sign in too many times. Wait 15 minutes"),
                "{message}"
            );
        }
        // The owner of the real account is told.
        let mails = outbox::recent(&app.services.db, Some(&iro), 5).await.unwrap();
        assert_eq!(mails.iter().filter(|m| m.kind == "account_locked").count(), 1);
        assert!(
            outbox::recent(&app.services.db, Some("nobody.here@example.org"), 5)
                .await
                .unwrap()
                .is_empty()
        );
        // Others can still sign in.
        app.sign_in_role(Role::SocialWorker).await;
    })
    .await;
}

#[tokio::test]
async fn nothing_works_until_the_terms_are_agreed() {
    on_each_backend(dev_config(), |app| async move {
        let response = app.sign_in_fully(&app.account(Role::CareersAdviser), DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/terms");
        assert_eq!(location(&app.get("/learners").await), "/terms");
        let (status, html) = app.get_html("/terms").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Before you start"]);
        assert_eq!(texts(&html, ".govuk-checkboxes__item").len(), 5);
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        let response = app
            .post_form(
                "/terms",
                &[("_csrf", &token), ("agree", "authorised"), ("agree", "cookies")],
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Confirm each statement to use the service"]
        );
        assert_eq!(
            html.select(&scraper::Selector::parse("input[name=agree][checked]").unwrap()).count(),
            2,
            "what was ticked stays ticked"
        );
        app.agree_to_terms().await;
        assert_eq!(app.get("/learners").await.status().as_u16(), 200);
    })
    .await;
}

#[tokio::test]
async fn a_person_in_two_authorities_chooses_one_and_it_is_remembered() {
    on_each_backend(dev_config(), |app| async move {
        let dt_email = app.account(Role::DesignatedTeacher);
        let dt = users::by_email(&app.services.db, &dt_email).await.unwrap().unwrap();
        let home = users::current_memberships(&app.services.db, dt.id).await.unwrap().remove(0);
        let other = authorities::by_code(&app.services.db, "989").await.unwrap().unwrap();
        let second = Membership {
            id: Uuid::now_v7(),
            user_id: dt.id,
            la_id: other.id,
            role: "designated_teacher".into(),
            school_id: home.school_id,
            created_at: now(),
            ended_at: None,
        };
        let mut tx = app.services.db.begin().await.unwrap();
        users::insert_membership(&mut tx, &second).await.unwrap();
        tx.commit().await.unwrap();

        let response = app.sign_in_fully(&dt_email, DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/choose-authority");
        let (_, html) = app.get_html("/choose-authority").await;
        assert_eq!(texts(&html, "h1"), ["Which authority are you working for?"]);
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        let response = app
            .post_form(
                "/choose-authority",
                &[("_csrf", &token), ("membership", &Uuid::now_v7().to_string())],
            )
            .await;
        assert_eq!(response.status().as_u16(), 422, "not one of theirs");
        let response = app
            .post_form(
                "/choose-authority",
                &[("_csrf", &token), ("membership", &second.id.to_string())],
            )
            .await;
        assert_eq!(location(&response), "/");
        app.agree_to_terms().await;
        let (_, html) = app.get_html("/learners").await;
        assert_eq!(texts(&html, ".app-header__authority"), std::slice::from_ref(&other.name));
        assert!(
            texts(&html, ".govuk-service-navigation__link")
                .contains(&"Change authority".to_string())
        );

        // Next time, the choice is remembered.
        let again = app.new_browser();
        again.sign_in_as(&dt_email, DEMO_PASSWORD).await;
        again.enter_code(&app.latest_code(&dt_email).await).await;
        let (_, html) = again.get_html("/choose-authority").await;
        assert_eq!(
            attr(&html, "input[name=membership][checked]", "value").unwrap(),
            second.id.to_string()
        );
    })
    .await;
}

#[tokio::test]
async fn behind_a_proxy_each_client_address_is_throttled_on_its_own() {
    let config = openpep_web::WebConfig { trust_forwarded_for: true, ..dev_config() };
    on_each_backend(config, |app| async move {
        let attempt = |email: String, from: &'static str| {
            let app = app.clone();
            async move {
                let token = app.csrf("/sign-in").await;
                app.client
                    .post(app.url("/sign-in"))
                    .header("x-forwarded-for", from)
                    .form(&[("_csrf", token.as_str()), ("email", &email), ("password", "not it")])
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        // Twenty failures, each for a different address typed, from one client.
        for n in 0..20 {
            attempt(format!("guess{n}@example.org"), "203.0.113.9, 10.0.0.1").await;
        }
        let locked = attempt(app.account(Role::Iro), "203.0.113.9").await;
        assert!(locked.contains("You have tried to sign in too many times"));
        let elsewhere = attempt(app.account(Role::Iro), "198.51.100.7").await;
        assert!(!elsewhere.contains("too many times"), "another client is not locked");
        assert!(elsewhere.contains("Enter a correct email address and password"));
    })
    .await;
}
