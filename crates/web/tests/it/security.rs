use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::sessions;
use openpep_web::WebConfig;

use crate::support::{attr, dev_config, on_each_backend, texts};

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token_and_our_origin() {
    on_each_backend(dev_config(), |app| async move {
        let email = app.account(Role::DesignatedTeacher);
        let good = app.csrf("/sign-in").await;
        let same_host_https = app.base.replace("http://", "https://");
        let cases: [(&str, Option<&str>); 4] = [
            ("", None),
            ("wrong-token", None),
            (good.as_str(), Some("http://evil.example")),
            (good.as_str(), Some(same_host_https.as_str())),
        ];
        for (token, origin) in cases {
            let mut request = app.client.post(app.url("/sign-in")).form(&[
                ("_csrf", token),
                ("email", email.as_str()),
                ("password", DEMO_PASSWORD),
            ]);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 403, "token {token:?} origin {origin:?}");
            let html = scraper::Html::parse_document(&response.text().await.unwrap());
            assert_eq!(texts(&html, "h1"), ["You cannot do that"]);
        }
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 0);

        // Signed in, the token is the session's: the pre-sign-in one no longer works.
        app.sign_in_role(Role::DesignatedTeacher).await;
        let response = app.post_form("/sign-out", &[("_csrf", &good)]).await;
        assert_eq!(response.status().as_u16(), 403);
        assert_eq!(sessions::count(&app.services.db).await.unwrap(), 1);
        let response = app.client.post(app.url("/sign-out")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403);
    })
    .await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    on_each_backend(dev_config(), |app| async move {
        for path in ["/sign-in", "/no-such-page", "/healthz"] {
            let response = app.get(path).await;
            let h = response.headers();
            let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
            assert!(
                csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
            assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
            assert!(h.get("x-request-id").is_some());
            assert!(h.get("strict-transport-security").is_none(), "no HSTS without TLS");
        }
        let (status, html) = app.get_html("/no-such-page").await;
        assert_eq!(status, 404);
        assert_eq!(texts(&html, "h1"), ["Page not found"]);
    })
    .await;
}

#[tokio::test]
async fn assets_are_served_under_hashed_names_with_long_caching() {
    on_each_backend(dev_config(), |app| async move {
        let (_, html) = app.get_html("/sign-in").await;
        let css = attr(&html, "link[rel=stylesheet]", "href").unwrap();
        let js = attr(&html, "script[src]", "src").unwrap();
        for url in [&css, &js] {
            assert!(url.starts_with("/assets/app.") && url.matches('.').count() == 2, "{url}");
            let response = app.get(url).await;
            assert_eq!(response.status().as_u16(), 200);
            assert_eq!(
                response.headers().get("cache-control").unwrap(),
                "public, max-age=31536000, immutable"
            );
        }
        assert!(app.get(&css).await.text().await.unwrap().contains(".govuk-header"));
        assert_eq!(app.get("/assets/app.css").await.status().as_u16(), 404);
    })
    .await;
}

#[tokio::test]
async fn probes_and_the_gallery() {
    on_each_backend(dev_config(), |app| async move {
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
        assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
        let (status, html) = app.get_html("/components").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Component gallery"]);
        assert!(texts(&html, "h2").len() >= 10);
        let h2 = texts(&html, "h2");
        for heading in [
            "Textarea and character count",
            "Fieldset",
            "Radios",
            "Checkboxes",
            "Select",
            "Date input",
            "Details",
            "Panel",
            "Summary card",
            "Task list",
        ] {
            assert!(h2.iter().any(|h| h == heading), "no {heading} in {h2:?}");
        }
        // Every error summary link goes to a field on the page; a date
        // links to its first part in error, and only that part is red.
        let links = scraper::Selector::parse(".govuk-error-summary__list a").unwrap();
        let targets: Vec<String> = html
            .select(&links)
            .map(|a| a.value().attr("href").unwrap().trim_start_matches('#').to_owned())
            .collect();
        assert!(targets.contains(&"gallery-review-date-month".to_owned()));
        for target in &targets {
            let selector = format!("[id=\"{target}\"]");
            assert!(attr(&html, &selector, "id").is_some(), "{target}");
        }
        let class = |id: &str| attr(&html, &format!("#{id}"), "class").unwrap();
        assert!(class("gallery-review-date-month").contains("govuk-input--error"));
        assert!(!class("gallery-review-date-day").contains("govuk-input--error"));
        assert_eq!(
            attr(&html, "#gallery-child-views", "aria-describedby").as_deref(),
            Some("gallery-child-views-info gallery-child-views-hint")
        );
        assert!(attr(&html, "#gallery-legal-status-2", "checked").is_some());
    })
    .await;
    on_each_backend(WebConfig::default(), |app| async move {
        assert_eq!(app.get("/components").await.status().as_u16(), 404);
    })
    .await;
    let tls = WebConfig { tls: true, ..WebConfig::default() };
    on_each_backend(tls, |app| async move {
        let response = app.get("/sign-in").await;
        assert!(response.headers().get("strict-transport-security").is_some());
        let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        assert!(cookie.contains("Secure"), "{cookie}");
    })
    .await;
}

#[tokio::test]
async fn a_form_sent_after_the_session_ended_asks_to_sign_in_again() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::SocialWorker).await;
        let token = app.csrf("/learners").await;
        // The session ends (timed out, or signed out elsewhere) while the page is open.
        let user =
            openpep_store::users::by_email(&app.services.db, &app.account(Role::SocialWorker))
                .await
                .unwrap()
                .unwrap();
        sessions::delete_for_user(&app.services.db, user.id).await.unwrap();
        let response = app.post_form("/sign-out", &[("_csrf", &token)]).await;
        assert_eq!(crate::support::location(&response), "/sign-in?signed_out=1");
        app.sign_in_role(Role::SocialWorker).await;
        let token = app.csrf("/learners").await;
        sessions::delete_for_user(&app.services.db, user.id).await.unwrap();
        let response = app.post_form("/sign-in", &[("_csrf", &token)]).await;
        assert_eq!(crate::support::location(&response), "/sign-in?timed_out=1");
        let (_, html) = app.get_html("/sign-in?timed_out=1").await;
        assert!(
            texts(&html, ".govuk-notification-banner__heading")[0]
                .starts_with("You were signed out")
        );
    })
    .await;
}

#[tokio::test]
async fn the_request_id_is_always_our_own() {
    on_each_backend(dev_config(), |app| async move {
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "forged-id")
            .send()
            .await
            .unwrap();
        let id = response.headers().get("x-request-id").unwrap().to_str().unwrap();
        assert_ne!(id, "forged-id");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    })
    .await;
}
