//! The notice board over HTTP: the Virtual School posts, changes and takes
//! down notices; bad ones are refused with what was typed kept; everyone
//! in the authority sees the live ones on their home page, pinned first,
//! and no one else can post.

use chrono::TimeDelta;
use openpep_domain::Role;
use openpep_store::notices::{self, NoticeFields};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, now, on_each_backend, texts};

async fn post(app: &TestApp, page: &str, action: &str, form: &[(&str, &str)]) -> (u16, Html) {
    let response = app.post_page(page, action, form).await;
    let status = response.status().as_u16();
    (status, Html::parse_document(&response.text().await.unwrap()))
}

fn notice<'a>(title: &'a str, body: &'a str, pinned: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("version", "0"), ("q_title", title), ("q_body", body), ("q_pinned", pinned)]
}

#[tokio::test]
async fn the_virtual_school_posts_notices_everyone_in_the_authority_sees() {
    on_each_backend(dev_config(), |app| async move {
        let (admin_id, scope) = app.user_scope(Role::VsAdmin).await;
        let la = scope.la_id();
        app.sign_in_role(Role::VsAdmin).await;
        let (status, html) = app.get_html("/notices").await;
        assert_eq!(status, 200);
        assert!(texts(&html, "p").contains(&"There are no notices.".to_owned()));

        // Nothing typed: refused. A date in the past: refused, words kept.
        let new = "/notices/new";
        let (status, html) = post(&app, new, new, &notice("", "", "no")).await;
        assert_eq!(status, 422);
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Enter a title", "Enter the notice"]
        );
        let mut past = notice("Spring PEPs", "Spring PEPs are delegated on 4 January.", "no");
        past.extend([
            ("q_expires_on-day", "1"),
            ("q_expires_on-month", "1"),
            ("q_expires_on-year", "2026"),
        ]);
        let (status, html) = post(&app, new, new, &past).await;
        assert_eq!(status, 422);
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["The date the notice comes down must be today or later"]
        );
        assert_eq!(attr(&html, "input[name=q_title]", "value").as_deref(), Some("Spring PEPs"));

        let plain = notice("Spring PEPs", "Spring PEPs are delegated on 4 January.", "no");
        assert_eq!(post(&app, new, new, &plain).await.0, 303);
        let pinned =
            notice("Training on SMART targets", "Thursday 10 December, 3:30pm, online.", "yes");
        assert_eq!(post(&app, new, new, &pinned).await.0, 303);
        // One that expired yesterday does not show.
        let mut tx = app.services.db.begin().await.unwrap();
        let old = NoticeFields {
            title: "Summer term reminder",
            body: "Old news.",
            pinned: true,
            expires_on: Some(now().date_naive() - TimeDelta::days(1)),
        };
        notices::insert(&mut tx, Uuid::now_v7(), la, &old, admin_id, now()).await.unwrap();
        tx.commit().await.unwrap();

        // A designated teacher sees the live ones on their home page,
        // pinned first, and cannot post.
        let dt = app.new_browser();
        dt.sign_in_role(Role::DesignatedTeacher).await;
        let (_, home) = dt.get_html("/learners").await;
        let shown = texts(&home, ".app-notices h3");
        assert_eq!(shown, ["Pinned Training on SMART targets", "Spring PEPs"]);
        assert_eq!(dt.get("/notices").await.status().as_u16(), 403);
        assert_eq!(dt.get("/notices/new").await.status().as_u16(), 403);

        // Changed over a stale version: refused; then changed.
        let all = notices::all(&app.services.db, la).await.unwrap();
        let spring = all.iter().find(|n| n.title == "Spring PEPs").unwrap();
        let edit = format!("/notices/{}", spring.id);
        let mut stale = notice("Spring term PEPs", "Delegated on 4 January.", "no");
        stale[0].1 = "99";
        let (status, html) = post(&app, &edit, &edit, &stale).await;
        assert_eq!(status, 422);
        assert!(
            texts(&html, ".govuk-error-summary__list a")[0].starts_with("Someone else changed")
        );
        let version = spring.version.to_string();
        let mut fresh = notice("Spring term PEPs", "Delegated on 4 January.", "no");
        fresh[0].1 = &version;
        assert_eq!(post(&app, &edit, &edit, &fresh).await.0, 303);

        // Taken down: gone from everyone's home page.
        let training = all.iter().find(|n| n.pinned && n.title.starts_with("Training")).unwrap();
        let remove = format!("/notices/{}/remove", training.id);
        assert_eq!(post(&app, "/notices", &remove, &[]).await.0, 303);
        let (_, home) = dt.get_html("/learners").await;
        assert_eq!(texts(&home, ".app-notices h3"), ["Spring term PEPs"]);
        assert_eq!(post(&app, "/notices", &remove, &[]).await.0, 404, "taken down once");
        let actions: Vec<String> = openpep_store::audit::by_actor(&app.services.db, admin_id, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("notice."))
            .collect();
        assert_eq!(actions.len(), 4, "posted twice, changed, removed: {actions:?}");

        // Another authority's board is its own.
        let ids = openpep_store::authorities::ids(&app.services.db).await.unwrap();
        let other = ids.into_iter().find(|id| *id != la).unwrap();
        let today = now().date_naive();
        assert!(notices::showing(&app.services.db, other, today).await.unwrap().is_empty());
    })
    .await;
}
