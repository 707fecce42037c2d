//! "Your messages" over HTTP: a social worker writes to a child's teacher,
//! bad messages are refused with what was typed kept, the teacher sees the
//! unread count, reads and replies; each is told by an e-mail that never
//! carries the message; nobody outside the conversation or the child's
//! circle reads it, and someone who stops working with the child no longer
//! sees it.

use openpep_domain::Role;
use openpep_store::{audit, outbox, placements};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, location, now, on_each_backend, texts};

/// A child both the demo social worker and the demo designated teacher
/// work with, and the demo carer does not.
async fn shared_child(app: &TestApp) -> Uuid {
    let (_, sw) = app.user_scope(Role::SocialWorker).await;
    let (_, dt) = app.user_scope(Role::DesignatedTeacher).await;
    let (_, carer) = app.user_scope(Role::Carer).await;
    let theirs = app.child_ids(&dt).await;
    let cared_for = app.child_ids(&carer).await;
    let mine = app.child_ids(&sw).await;
    *mine
        .iter()
        .find(|c| theirs.contains(c) && !cared_for.contains(c))
        .expect("a child of the SW at the DT's school")
}

async fn post(app: &TestApp, page: &str, action: &str, form: &[(&str, &str)]) -> (u16, Html) {
    let response = app.post_page(page, action, form).await;
    let status = response.status().as_u16();
    (status, Html::parse_document(&response.text().await.unwrap()))
}

fn unread_in_nav(html: &Html) -> Vec<String> {
    texts(html, ".govuk-service-navigation .app-count")
}

/// The unread count the navigation shows (0 when it shows none).
fn unread_count(html: &Html) -> usize {
    unread_in_nav(html).first().map_or(0, |t| t.trim_end_matches(" unread").parse().unwrap())
}

#[tokio::test]
async fn people_working_with_a_child_message_each_other_and_are_told_by_email() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let child = shared_child(&app).await;
        let (sw_id, scope) = app.user_scope(Role::SocialWorker).await;
        let la = scope.la_id();
        let (dt_id, _) = app.user_scope(Role::DesignatedTeacher).await;
        let dt_email = app.account(Role::DesignatedTeacher);
        let sw_email = app.account(Role::SocialWorker);
        app.sign_in_role(Role::SocialWorker).await;

        // The child's page leads to the form, which lists the teacher and
        // the Virtual School, not the writer.
        let (_, page) = app.get_html(&format!("/children/{child}")).await;
        let new = format!("/children/{child}/messages/new");
        assert!(texts(&page, "a").iter().any(|a| a.starts_with("Send a message about")));
        let (status, form) = app.get_html(&new).await;
        assert_eq!(status, 200);
        let offered: Vec<String> =
            Html::select(&form, &scraper::Selector::parse("input[name=to]").unwrap())
                .filter_map(|e| e.value().attr("value").map(str::to_owned))
                .collect();
        assert!(offered.contains(&dt_id.to_string()), "the teacher is offered");
        assert!(!offered.contains(&sw_id.to_string()), "not the writer");
        assert!(
            texts(&form, ".govuk-checkboxes__hint").iter().any(|h| h.starts_with("Virtual School"))
        );

        // Nothing filled in: every problem, in order; the subject kept.
        let (status, html) =
            post(&app, &new, &new, &[("subject", "Tutoring"), ("body", " ")]).await;
        assert_eq!(status, 422);
        let summary = texts(&html, ".govuk-error-summary__list a");
        assert_eq!(summary, ["Choose who the message is for", "Enter your message"]);
        assert_eq!(attr(&html, "input[name=subject]", "value").as_deref(), Some("Tutoring"));
        assert_eq!(attr(&html, ".govuk-error-summary__list a", "href").as_deref(), Some("#to"));
        // Someone outside the child's circle cannot be chosen.
        let (manager, _) = app.user_scope(Role::TeamManager).await;
        let stranger = manager.to_string();
        let form = [("to", stranger.as_str()), ("subject", "Hi"), ("body", "Hello")];
        let (status, html) = post(&app, &new, &new, &form).await;
        assert_eq!(status, 422);
        assert_eq!(texts(&html, ".govuk-error-summary__list a"), ["Choose people from the list"]);

        // Sent: the writer sees it; the teacher gets an e-mail without it.
        let dt = dt_id.to_string();
        let body = "Could we add an hour of maths tutoring a week?";
        let form = [("to", dt.as_str()), ("subject", "Maths tutoring"), ("body", body)];
        let response = app.post_page(&new, &new, &form).await;
        assert_eq!(response.status().as_u16(), 303);
        let thread = location(&response);
        assert!(thread.starts_with("/messages/") && thread.ends_with("?sent=1"), "{thread}");
        let thread = thread.trim_end_matches("?sent=1").to_owned();
        let (_, html) = app.get_html(&thread).await;
        assert_eq!(texts(&html, "h1"), ["Maths tutoring"]);
        assert!(texts(&html, ".govuk-summary-card__content p").contains(&body.to_owned()));
        let mail = outbox::recent(db, Some(&dt_email), 5).await.unwrap();
        let waiting: Vec<_> = mail.iter().filter(|m| m.kind == "message_waiting").collect();
        assert_eq!(waiting.len(), 1);
        assert!(waiting[0].body_text.contains(&thread));
        assert!(!waiting[0].body_text.contains("maths") && !waiting[0].subject.contains("Maths"));

        // The teacher: one unread in the navigation, the thread in the
        // inbox; reading it clears the count and is logged as a view.
        let teacher = app.new_browser();
        teacher.sign_in_role(Role::DesignatedTeacher).await;
        let (_, inbox) = teacher.get_html("/messages").await;
        let dt_unread = unread_count(&inbox);
        assert!(dt_unread >= 1);
        assert_eq!(texts(&inbox, "tbody th")[0], "Maths tutoring Unread");
        let (status, html) = teacher.get_html(&thread).await;
        assert_eq!(status, 200);
        assert_eq!(unread_count(&html), dt_unread - 1);
        let viewed = audit::for_child(db, la, child, 50).await.unwrap();
        let read =
            |e: &audit::AuditEvent| e.action == "child.viewed" && e.details.0["page"] == "message";
        assert!(viewed.iter().any(read));

        // Two replies before the social worker reads: one e-mail only.
        let empty = [("body", "")];
        let views = || async {
            audit::for_child(db, la, child, 200).await.unwrap().iter().filter(|e| read(e)).count()
        };
        let views_before = views().await;
        let (status, html) = post(&teacher, &thread, &thread, &empty).await;
        assert_eq!(status, 422);
        assert_eq!(texts(&html, ".govuk-error-summary__list a"), ["Enter your message"]);
        // The page opened to post is logged; the refused reply is not again.
        assert_eq!(views().await, views_before + 1);
        let before = outbox::recent(db, Some(&sw_email), 50).await.unwrap();
        let (_, html) = app.get_html("/messages").await;
        let sw_unread = unread_count(&html);
        let count = |mail: &[outbox::OutboxEmail]| {
            mail.iter().filter(|m| m.kind == "message_waiting").count()
        };
        for reply in ["Yes: from January.", "I will add it to the targets."] {
            let (status, _) = post(&teacher, &thread, &thread, &[("body", reply)]).await;
            assert_eq!(status, 303);
        }
        let after = outbox::recent(db, Some(&sw_email), 50).await.unwrap();
        assert_eq!(count(&after) - count(&before), 1, "one e-mail for a burst of replies");
        let (_, html) = app.get_html("/messages").await;
        assert_eq!(unread_count(&html), sw_unread + 2);
        let (_, html) = app.get_html(&thread).await;
        let shown = texts(&html, ".govuk-summary-card__content p");
        assert!(shown.contains(&"Yes: from January.".to_owned()));
        assert!(shown.contains(&"I will add it to the targets.".to_owned()));

        // Nobody else reads it: another person, or a made-up thread.
        let head = app.new_browser();
        head.sign_in_role(Role::VsHead).await;
        assert_eq!(head.get(&thread).await.status().as_u16(), 404);
        let made_up = format!("/messages/{}", Uuid::now_v7());
        assert_eq!(app.get(&made_up).await.status().as_u16(), 404);
        // A carer of other children may not write about this one.
        let carer = app.new_browser();
        carer.sign_in_role(Role::Carer).await;
        assert_eq!(carer.get(&new).await.status().as_u16(), 404);

        // The social worker's allocation ends: the thread hides from them.
        let workers = placements::allocations(db, la, child).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let yesterday = now().date_naive() - chrono::TimeDelta::days(1);
        for w in workers.iter().filter(|w| w.user_id == sw_id && w.ended_on.is_none()) {
            placements::end_child_worker(&mut tx, la, w.id, yesterday).await.unwrap();
        }
        tx.commit().await.unwrap();
        let (_, inbox) = app.get_html("/messages").await;
        assert!(
            texts(&inbox, "tbody th")[0].starts_with("About a child whose record you cannot see")
        );
        let (status, html) = app.get_html(&thread).await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["You cannot read this message"]);
        assert!(!texts(&html, "p").iter().any(|p| p.contains("January")));
        let reply = [("body", "One more thing")];
        assert_eq!(post(&app, &thread, &thread, &reply).await.0, 404);

        // "Mark all as read" clears the rest.
        let (status, _) = post(&teacher, "/messages", "/messages/read", &[]).await;
        assert_eq!(status, 303);
        let (_, html) = teacher.get_html("/messages").await;
        assert!(unread_in_nav(&html).is_empty());
    })
    .await;
}
