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

#[tokio::test]
async fn guidance_documents_attach_to_a_notice_and_everyone_downloads_them() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsAdmin).await;
        let new = "/notices/new";
        let form = notice("Exclusions guidance", "The updated guidance is attached.", "no");
        assert_eq!(post(&app, new, new, &form).await.0, 303);
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let all = notices::all(&app.services.db, scope.la_id()).await.unwrap();
        let path = format!("/notices/{}/attachments", all[0].id);
        let upload = |name: &'static str, bytes: Vec<u8>| {
            let (app, path) = (app.clone(), path.clone());
            async move {
                let token = app.csrf(&path).await;
                let form = reqwest::multipart::Form::new()
                    .text("_csrf", token)
                    .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
                app.client.post(app.url(&path)).multipart(form).send().await.unwrap()
            }
        };
        // A program renamed as a PDF is refused; nothing sent is refused.
        let response = upload("guidance.pdf", b"MZ\x90\0 not a pdf".to_vec()).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["The selected file must be a PDF, Word document (DOCX), JPG or PNG"]
        );
        let pdf = b"%PDF-1.4\n% exclusions guidance\n".to_vec();
        let response = upload("Exclusions guidance 2026.pdf", pdf.clone()).await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, html) = app.get_html(&path).await;
        assert_eq!(texts(&html, "tbody th"), ["Exclusions guidance 2026.pdf"]);

        // A designated teacher sees it under the notice and downloads it,
        // unchanged; they cannot attach or remove.
        let dt = app.new_browser();
        dt.sign_in_role(Role::DesignatedTeacher).await;
        let (_, home) = dt.get_html("/learners").await;
        let link = attr(&home, ".app-notices a[href*=attachments]", "href").unwrap();
        assert_eq!(
            texts(&home, ".app-notices a[href*=attachments]"),
            ["Exclusions guidance 2026.pdf"]
        );
        let response = dt.get(&link).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);
        assert_eq!(dt.get(&path).await.status().as_u16(), 403);
        let remove = format!("{link}/remove");
        assert_eq!(dt.post_page("/learners", &remove, &[]).await.status().as_u16(), 403);

        // Removed: gone from the home page; its link no longer works.
        assert_eq!(post(&app, &path, &remove, &[]).await.0, 303);
        let (_, home) = dt.get_html("/learners").await;
        assert!(texts(&home, ".app-notices a[href*=attachments]").is_empty());
        assert_eq!(dt.get(&link).await.status().as_u16(), 404);
    })
    .await;
}
