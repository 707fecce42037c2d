use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::{audit, sessions, users};

use crate::support::{attr, dev_config, location, on_each_backend, texts};

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_without_a_session_row() {
    on_each_backend(dev_config(), |app| async move {
        for path in ["/", "/learners", "/children/0196f6d8-0000-7000-8000-000000000000"] {
            let response = app.get(path).await;
            assert_eq!(response.status().as_u16(), 303, "{path}");
            assert_eq!(location(&response), "/sign-in", "{path}");
        }
        let (status, html) = app.get_html("/sign-in").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Sign in"]);
        assert_eq!(texts(&html, "label[for=email]"), ["Email address"]);
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 0, "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn wrong_credentials_get_one_generic_error_and_keep_the_email() {
    on_each_backend(dev_config(), |app| async move {
        let dt = app.account(Role::DesignatedTeacher);
        for (email, password) in
            [(dt.as_str(), "not the password"), ("nobody@example.org", DEMO_PASSWORD)]
        {
            let response = app.sign_in_as(email, password).await;
            assert_eq!(response.status().as_u16(), 422);
            let html = scraper::Html::parse_document(&response.text().await.unwrap());
            assert_eq!(
                texts(&html, ".govuk-error-summary__list a"),
                ["Enter a correct email address and password"]
            );
            assert_eq!(attr(&html, ".govuk-error-summary__list a", "href").unwrap(), "#email");
            assert_eq!(attr(&html, "input#email", "value").unwrap(), email);
            assert!(texts(&html, "title")[0].starts_with("Error: "));
            // The password is never echoed back.
            assert_eq!(attr(&html, "input#password", "value"), None);
        }
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn empty_and_malformed_fields_are_named() {
    on_each_backend(dev_config(), |app| async move {
        let response = app.sign_in_as("", "").await;
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Enter your email address", "Enter your password"]
        );
        assert_eq!(texts(&html, "#email-error"), ["Error: Enter your email address"]);
        let response = app.sign_in_as("not-an-email", "x").await;
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Enter an email address in the correct format, like name@example.com"]
        );
        assert_eq!(attr(&html, "input#email", "value").unwrap(), "not-an-email");
    })
    .await;
}

#[tokio::test]
async fn signing_in_starts_a_fresh_session_and_signing_out_ends_it() {
    on_each_backend(dev_config(), |app| async move {
        let dt = app.account(Role::DesignatedTeacher);
        let response = app.sign_in_as(&dt, DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/sign-in/code");
        assert_eq!(
            sessions::count(&app.services.db).await.unwrap(),
            0,
            "no session before the code"
        );
        let (_, html) = app.get_html("/sign-in/code").await;
        assert_eq!(texts(&html, "h1"), ["Check your email"]);
        assert!(texts(&html, "main p")[0].contains(&dt));

        let response = app.enter_code(&app.latest_code(&dt).await).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/terms", "first sign-in asks for the terms");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("openpep_session="))
            .expect("a session cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain HTTP in tests: {cookie}");
        let first_token =
            cookie.split(';').next().unwrap().trim_start_matches("openpep_session=").to_owned();
        app.agree_to_terms().await;

        // Signing in again replaces the session: the old token is dead.
        let token = app.csrf("/learners").await;
        let sw = app.account(Role::SocialWorker);
        let response = app
            .post_form(
                "/sign-in",
                &[("_csrf", &token), ("email", &sw), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(location(&response), "/sign-in/code");
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 0);
        let response = app.enter_code(&app.latest_code(&sw).await).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 1);
        let stale = crate::support::client()
            .get(app.url("/learners"))
            .header("cookie", format!("openpep_session={first_token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status().as_u16(), 303);
        app.agree_to_terms().await;

        // Each role lands on its home page and the sign-in is audited.
        let (status, html) = app.get_html("/learners").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Your learners"]);
        assert_eq!(texts(&html, ".app-header__authority"), ["Northmere Council"]);
        let sw = users::by_email(&app.services.db, &app.account(Role::SocialWorker))
            .await
            .unwrap()
            .unwrap();
        let events = audit::by_actor(&app.services.db, sw.id, 10).await.unwrap();
        let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["user.agreed_terms", "user.signed_in"]);

        // Sign out with the session's CSRF token.
        let token = app.csrf("/learners").await;
        let response = app.post_form("/sign-out", &[("_csrf", &token)]).await;
        assert_eq!(location(&response), "/sign-in?signed_out=1");
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 0);
        let (_, html) = app.get_html("/sign-in?signed_out=1").await;
        assert_eq!(texts(&html, ".govuk-notification-banner__heading"), ["You have signed out."]);
        assert_eq!(app.get("/learners").await.status().as_u16(), 303);
    })
    .await;
}

#[tokio::test]
async fn a_tampered_session_cookie_is_treated_as_signed_out() {
    on_each_backend(dev_config(), |app| async move {
        for value in
            ["forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%00%ff;;", "\u{1F600}"]
        {
            let response = crate::support::client()
                .get(app.url("/learners"))
                .header("cookie", format!("openpep_session={value}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 303, "{value}");
            assert_eq!(location(&response), "/sign-in");
            let cleared = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("openpep_session=;"));
            // A cookie that parses but opens no session is removed.
            assert_eq!(cleared, value.is_ascii() && !value.contains(';'), "{value}");
        }
    })
    .await;
}

/// `demo-password-2026` hashed with the parameters used before 2026-11
/// (argon2id, 19 MiB, 2 passes).
const OLDER_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$b3BlbnBlcC1vbGQtaGFzaA$L5hgeObo0iWyv4+oJOlQSkRysJAvijyj0EK7QgQ2TcI";

#[tokio::test]
async fn a_password_hashed_the_older_way_still_works_and_is_hashed_anew_at_sign_in() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let email = app.account(Role::SocialWorker);
        let sw = users::by_email(db, &email).await.unwrap().unwrap();
        let mut tx = db.begin().await.unwrap();
        users::set_password(&mut tx, sw.id, OLDER_HASH, crate::support::now()).await.unwrap();
        tx.commit().await.unwrap();

        // A wrong password changes nothing.
        assert_eq!(app.sign_in_as(&email, "not the password").await.status().as_u16(), 422);
        let held = users::by_email(db, &email).await.unwrap().unwrap().password_hash.unwrap();
        assert_eq!(held, OLDER_HASH);

        let response = app.sign_in_as(&email, DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/sign-in/code", "{}", app.backend);
        let held = users::by_email(db, &email).await.unwrap().unwrap().password_hash.unwrap();
        assert!(held.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{held}");
        assert!(!held.contains("demo-password"));
        let events = audit::by_actor(db, sw.id, 10).await.unwrap();
        let renewed = events.iter().filter(|e| e.action == "user.password_hash_renewed").count();
        assert_eq!(renewed, 1);

        // The renewed hash verifies, and is not renewed again.
        let response = app.sign_in_as(&email, DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/sign-in/code");
        let again = users::by_email(db, &email).await.unwrap().unwrap().password_hash.unwrap();
        assert_eq!(again, held);
    })
    .await;
}
