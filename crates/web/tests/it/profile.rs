//! The person's profile, "Your account": details, signed-in sessions and
//! signing out of the others, their own recent activity, and setting up an
//! authenticator app that sign-in then asks for.

use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_service::totp;
use openpep_store::{PageRequest, audit, children, outbox, sessions, users};
use scraper::{Html, Selector};

use crate::support::{TestApp, attr, dev_config, location, now, on_each_backend, texts};

/// Every table on the page: rows of cell texts (body rows only).
fn tables(html: &Html) -> Vec<Vec<Vec<String>>> {
    let table = Selector::parse("table.govuk-table").unwrap();
    let row = Selector::parse("tbody tr").unwrap();
    let cell = Selector::parse("th, td").unwrap();
    let text = |e: scraper::ElementRef<'_>| {
        e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
    };
    html.select(&table)
        .map(|t| t.select(&row).map(|r| r.select(&cell).map(text).collect()).collect())
        .collect()
}

/// What the profile's activity table may say: plain English, no names.
const ACTIVITY_WORDS: &[&str] = &[
    "Signed in",
    "Agreed to the terms of use",
    "Viewed a child's record",
    "Signed out of all other sessions",
    "Set up an authenticator app",
    "Turned off the authenticator app",
];

async fn user(app: &TestApp, role: Role) -> users::User {
    users::by_email(&app.services.db, &app.account(role)).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_profile_lists_sessions_ends_the_others_and_shows_activity_without_names() {
    on_each_backend(dev_config(), |app| async move {
        let role = Role::Iro;
        app.sign_in_role(role).await;
        let other = app.new_browser();
        other.sign_in_role(role).await;
        let me = user(&app, role).await;

        // "Your account" is in every page's navigation.
        let (_, learners) = app.get_html("/learners").await;
        assert_eq!(
            attr(&learners, ".govuk-service-navigation__link[href='/account']", "href").as_deref(),
            Some("/account")
        );

        // View a child's record: the activity says so, without the child's name.
        let (_, scope) = app.user_scope(role).await;
        let page = children::list_learners(
            &app.services.db,
            &scope,
            now().date_naive(),
            &children::LearnerFilter::default(),
            PageRequest::new(1, 1),
        )
        .await
        .unwrap();
        let child = &page.rows[0];
        assert_eq!(app.get(&format!("/children/{}", child.id)).await.status().as_u16(), 200);

        let response = app.get("/account").await;
        assert_eq!(response.status().as_u16(), 200, "on {}", app.backend);
        let body = response.text().await.unwrap();
        let html = Html::parse_document(&body);
        assert_eq!(texts(&html, "h1"), ["Your account"]);
        assert_eq!(texts(&html, ".govuk-service-navigation__item--active"), ["Your account"]);
        let details = texts(&html, ".govuk-summary-list__row");
        assert!(details.contains(&format!("Name {}", me.display_name)), "{details:?}");
        assert!(details.contains(&format!("Email address {}", me.email)), "{details:?}");
        assert!(details.contains(&"Role Independent reviewing officer".to_owned()), "{details:?}");
        assert!(details.iter().any(|d| d.starts_with("Authority ") && d.len() > 10));

        let [sessions_table, activity] = &tables(&html)[..] else { panic!("two tables") };
        assert_eq!(sessions_table.len(), 2, "two live sessions on {}", app.backend);
        let this_device: Vec<_> =
            sessions_table.iter().filter(|r| r[0].ends_with("This device")).collect();
        assert_eq!(this_device.len(), 1);
        assert!(sessions_table[0][0].starts_with("23 November 2026 at 10am"));
        assert_eq!(texts(&html, "table .govuk-tag"), ["This device"]);

        // What did I do: plain English, no names.
        let what: Vec<&str> = activity.iter().map(|r| r[0].as_str()).collect();
        assert!(what.iter().all(|w| ACTIVITY_WORDS.contains(w)), "{what:?}");
        assert_eq!(what.iter().filter(|w| **w == "Signed in").count(), 2, "{what:?}");
        assert_eq!(what[0], "Viewed a child's record");
        assert!(what.contains(&"Agreed to the terms of use"));
        for row in activity {
            assert!(!row.iter().any(|cell| cell.contains(&child.surname)), "{row:?}");
        }

        // No session's token hash, nor another session's CSRF token, is shown.
        let live = sessions::for_user(
            &app.services.db,
            me.id,
            now(),
            now() - chrono::TimeDelta::minutes(30),
        )
        .await
        .unwrap();
        assert_eq!(live.len(), 2);
        for s in &live {
            assert!(!body.contains(&s.id));
        }
        let others_token = other.csrf("/account").await;
        assert!(!body.contains(&others_token));

        // Sign out of all other sessions.
        let token = app.csrf("/account").await;
        let response = app.post_form("/account/sessions/end-others", &[("_csrf", &token)]).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/account?done=sessions-ended");
        let (_, html) = app.get_html("/account?done=sessions-ended").await;
        assert_eq!(
            texts(&html, ".govuk-notification-banner__heading"),
            ["You have signed out of all other sessions"]
        );
        let tables = tables(&html);
        assert_eq!(tables[0].len(), 1);
        assert!(tables[0][0][0].ends_with("This device"));
        assert_eq!(tables[1][0][0], "Signed out of all other sessions");
        assert!(texts(&html, "p").contains(&"You are not signed in anywhere else.".to_owned()));
        let event = &audit::by_actor(&app.services.db, me.id, 1).await.unwrap()[0];
        assert_eq!(event.action, "user.ended_other_sessions");
        assert_eq!(event.details.0["sessions_ended"], 1);

        // The other browser is signed out; this one is not.
        let response = other.get("/learners").await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/sign-in");
        assert_eq!(app.get("/learners").await.status().as_u16(), 200);

        // A banner code that is not one of ours shows nothing.
        let (_, html) = app.get_html("/account?done=%3Cscript%3E").await;
        assert!(texts(&html, ".govuk-notification-banner").is_empty());
    })
    .await;
}

/// The secret the setup page shows, from the key as typed into an app.
fn secret_on(html: &Html) -> String {
    let shown = texts(html, "#secret-key").concat().replace(' ', "");
    assert_eq!(attr(html, "input[name=secret]", "value").unwrap(), shown);
    shown
}

fn code_for(secret: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    totp::code_at(&totp::secret_from_base32(secret).unwrap(), at.timestamp())
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_with_a_code_and_then_asked_for_at_sign_in() {
    on_each_backend(dev_config(), |app| async move {
        let role = Role::Iro;
        let email = app.account(role);
        app.sign_in_role(role).await;

        let (_, html) = app.get_html("/account").await;
        assert!(
            texts(&html, ".govuk-summary-list__row")
                .contains(&"Status OffYou sign in with a code we email you".to_owned())
        );
        assert_eq!(
            attr(&html, "a[href='/account/authenticator']", "href").as_deref(),
            Some("/account/authenticator")
        );

        // The setup page: a new secret, as a QR code and as a key.
        let (status, html) = app.get_html("/account/authenticator").await;
        assert_eq!(status, 200, "on {}", app.backend);
        assert_eq!(texts(&html, "h1"), ["Set up an authenticator app"]);
        let secret = secret_on(&html);
        assert_eq!(totp::secret_from_base32(&secret).unwrap().len(), totp::SECRET_BYTES);
        assert_eq!(texts(&html, "#secret-key")[0].split(' ').count(), 8, "groups of four");
        assert!(attr(&html, "svg[role=img]", "aria-label").is_some_and(|l| l.contains("QR code")));
        let signature = attr(&html, "input[name=signature]", "value").unwrap();
        let token = attr(&html, "input[name=_csrf]", "value").unwrap();
        let (_, again) = app.get_html("/account/authenticator").await;
        assert_ne!(secret_on(&again), secret, "each visit makes a new secret");

        let post = |secret: String, signature: String, code: String| {
            let app = app.clone();
            let token = token.clone();
            async move {
                app.post_form(
                    "/account/authenticator",
                    &[
                        ("_csrf", &token),
                        ("secret", &secret),
                        ("signature", &signature),
                        ("code", &code),
                    ],
                )
                .await
            }
        };

        // A wrong code: the GOV.UK error summary, the same secret, what was typed.
        let right = code_for(&secret, now());
        let wrong = if right == "000000" { "111111" } else { "000000" };
        let response = post(secret.clone(), signature.clone(), wrong.into()).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["The code is not correct. Check the app and try again"]
        );
        assert_eq!(attr(&html, ".govuk-error-summary__list a", "href").as_deref(), Some("#code"));
        assert!(texts(&html, "title")[0].starts_with("Error: "));
        assert_eq!(secret_on(&html), secret);
        assert_eq!(attr(&html, "input[name=signature]", "value").unwrap(), signature);
        assert_eq!(attr(&html, "input#code", "value").as_deref(), Some(wrong));
        let response = post(secret.clone(), signature.clone(), String::new()).await;
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, "#code-error"),
            ["Error: Enter the 6-digit code from your authenticator app"]
        );

        // A secret the server did not give this session is refused, even with
        // a code that matches it.
        let mine = totp::secret_base32(&totp::generate_secret());
        let response = post(mine.clone(), signature.clone(), code_for(&mine, now())).await;
        assert_eq!(response.status().as_u16(), 403);
        let mut forged = signature.clone();
        forged.replace_range(0..2, if forged.starts_with("00") { "11" } else { "00" });
        assert_eq!(post(secret.clone(), forged, right.clone()).await.status().as_u16(), 403);
        assert_eq!(post(secret.clone(), String::new(), right.clone()).await.status().as_u16(), 403);
        assert_eq!(user(&app, role).await.totp_secret, None);

        // The right code turns it on.
        let response = post(secret.clone(), signature.clone(), right.clone()).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/account?done=authenticator-on");
        let saved = user(&app, role).await;
        assert_eq!(saved.totp_secret.as_deref(), Some(secret.as_str()));
        assert_eq!(saved.totp_last_step, Some(totp::step_at(now().timestamp())));
        let (_, html) = app.get_html("/account?done=authenticator-on").await;
        assert!(
            texts(&html, ".govuk-notification-banner__heading")[0]
                .starts_with("Your authenticator app is set up")
        );
        assert!(
            texts(&html, ".govuk-summary-list__row").contains(
                &"Status OnYou sign in with a code from your authenticator app".to_owned()
            )
        );
        assert!(texts(&html, "button").contains(&"Turn off".to_owned()));
        assert_eq!(attr(&html, "a[href='/account/authenticator']", "href"), None);
        let [_, activity] = &tables(&html)[..] else { panic!("two tables") };
        assert_eq!(activity[0][0], "Set up an authenticator app");
        assert!(!saved.totp_secret.iter().any(|s| html.html().contains(s.as_str())));
        // Already on: the setup page goes back to the profile.
        assert_eq!(location(&app.get("/account/authenticator").await), "/account");
        let event = &audit::by_actor(&app.services.db, saved.id, 1).await.unwrap()[0];
        assert_eq!(event.action, "user.totp_enabled");
        assert!(!event.details.0.to_string().contains(&secret));

        // Signing in again asks for the app's code; no code is e-mailed.
        let token = app.csrf("/account").await;
        assert_eq!(app.post_form("/sign-out", &[("_csrf", &token)]).await.status().as_u16(), 303);
        let mails = outbox::recent(&app.services.db, Some(&email), 100).await.unwrap().len();
        let response = app.sign_in_as(&email, DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/sign-in/code");
        let (_, html) = app.get_html("/sign-in/code").await;
        assert_eq!(texts(&html, "h1"), ["Enter the code from your authenticator app"]);
        assert_eq!(outbox::recent(&app.services.db, Some(&email), 100).await.unwrap().len(), mails);
        // The code used at set-up does not work again; the next step's does.
        assert_eq!(app.enter_code(&right).await.status().as_u16(), 422);
        let next = code_for(&secret, now() + chrono::TimeDelta::seconds(30));
        let response = app.enter_code(&next).await;
        assert_eq!(response.status().as_u16(), 303, "on {}", app.backend);
        assert_eq!(location(&response), "/learners");
        assert_eq!(
            user(&app, role).await.totp_last_step,
            Some(totp::step_at(now().timestamp()) + 1)
        );

        // Turning it off: sign-in e-mails a code again.
        let token = app.csrf("/account").await;
        let response = app.post_form("/account/authenticator/remove", &[("_csrf", &token)]).await;
        assert_eq!(location(&response), "/account?done=authenticator-off");
        let off = user(&app, role).await;
        assert_eq!((off.totp_secret, off.totp_last_step), (None, None));
        let event = &audit::by_actor(&app.services.db, off.id, 1).await.unwrap()[0];
        assert_eq!(event.action, "user.totp_disabled");
        let (_, html) = app.get_html("/account?done=authenticator-off").await;
        assert!(
            texts(&html, ".govuk-summary-list__row")
                .contains(&"Status OffYou sign in with a code we email you".to_owned())
        );
        let token = app.csrf("/account").await;
        app.post_form("/sign-out", &[("_csrf", &token)]).await;
        let response = app.sign_in_fully(&email, DEMO_PASSWORD).await;
        assert_eq!(location(&response), "/learners");
    })
    .await;
}
