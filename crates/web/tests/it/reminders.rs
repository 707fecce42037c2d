//! Chasing late PEPs: the nightly job sends each responsible person one
//! digest counting their PEPs overdue and due soon (the same figures
//! worked out here from their children's PEPs), once a day however often
//! it runs, and the overdue list shows what was sent.

use openpep_domain::chasing::{Chase, chase};
use openpep_domain::{PepStatus, Role};
use openpep_store::{audit, outbox, peps, settings};

use scraper::Selector;

use crate::support::{dev_config, now, on_each_backend, texts};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

#[tokio::test]
async fn the_nightly_job_sends_each_person_one_digest_once_a_day() {
    on_each_backend(dev_config(), |app| async move {
        let (teacher, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let la = scope.la_id();
        let db = &app.services.db;
        let today = now().date_naive();
        // Chase PEPs due in the next 30 days: the demo's are due in December.
        let (mut chosen, version) = app.services.authority_settings(la).await.unwrap();
        chosen.reminder_days_before = 30;
        let doc = serde_json::to_value(&chosen).unwrap();
        let mut tx = db.begin().await.unwrap();
        settings::save(&mut tx, la, version, &doc, teacher, now()).await.unwrap();
        tx.commit().await.unwrap();
        // The teacher's PEPs to chase: those of the children at the school.
        let (mut overdue, mut due_soon) = (0, 0);
        for child in app.child_ids(&scope).await {
            for pep in peps::for_child(db, la, child).await.unwrap() {
                let status = PepStatus::from_code(&pep.status).unwrap();
                match chase(status, pep.due_on, today, 30) {
                    Some(Chase::Overdue(_)) => overdue += 1,
                    Some(Chase::DueSoon(_)) => due_soon += 1,
                    None => {}
                }
            }
        }
        assert!(overdue + due_soon > 0, "the demo has late PEPs at the school");

        // The demo's mailbox holds last Monday's digests already.
        let digests_to = |to: Option<String>| async move {
            let mail = outbox::recent(db, to.as_deref(), 100_000).await.unwrap();
            mail.into_iter().filter(|m| m.kind == "overdue_reminder").collect::<Vec<_>>()
        };
        let earlier = digests_to(None).await;
        assert!(!earlier.is_empty(), "the demo sent last week's digests");
        let email = app.account(Role::DesignatedTeacher);
        let before = digests_to(Some(email.clone())).await.len();

        // 23 November 2026 is a Monday: the weekly digest goes.
        let sent = app.services.send_pep_reminders().await.unwrap();
        assert!(sent > 0);
        let mine = digests_to(Some(email.clone())).await;
        let digests = &mine[..mine.len() - before];
        assert_eq!(digests.len(), 1, "one digest, not one a child");
        let body = &digests[0].body_text;
        if overdue > 0 {
            let line = format!("- {overdue} PEP{} overdue", if overdue == 1 { "" } else { "s" });
            assert!(body.contains(&line), "{line} in {body}");
        }
        if due_soon > 0 {
            assert!(body.contains(&format!("- {due_soon} PEP")), "{body}");
        }
        // No child is named in it.
        for child in app.child_ids(&scope).await {
            let name = openpep_store::children::get(db, &scope, today, child).await.unwrap();
            assert!(!body.contains(&name.surname), "no names in the digest");
        }

        // Run again the same day (another node, another pass): nothing.
        assert_eq!(app.services.send_pep_reminders().await.unwrap(), 0);
        assert_eq!(digests_to(Some(email)).await.len(), mine.len());

        // The overdue list shows the run.
        let vs = app.new_browser();
        vs.sign_in_role(Role::VsOfficer).await;
        let (status, html) = vs.get_html("/peps?show=overdue").await;
        assert_eq!(status, 200);
        let rows = texts(&html, "tbody tr");
        let runs: Vec<_> = rows.iter().filter(|r| r.contains("The nightly digest")).collect();
        assert_eq!(runs.len(), 2, "this week's and last week's: {runs:?}");
        assert!(runs[0].contains(&sent.to_string()), "{}", runs[0]);
    })
    .await;
}

#[tokio::test]
async fn the_virtual_school_chases_one_overdue_pep_by_hand_once_a_day() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let vs = app.new_browser();
        vs.sign_in_role(Role::VsOfficer).await;
        let (status, html) = vs.get_html("/peps?show=overdue").await;
        assert_eq!(status, 200);
        let head = texts(&html, "thead th");
        assert!(head.contains(&"Days overdue".to_owned()) && head.contains(&"Responsible".into()));
        // The first overdue PEP with somebody responsible for it.
        let rows = html.select(&sel("tbody tr")).collect::<Vec<_>>();
        let row = rows
            .iter()
            .find(|r| {
                let text = r.text().collect::<String>();
                text.contains("Send reminder") && !text.contains("Nobody allocated")
            })
            .expect("an overdue PEP with a social worker or teacher");
        let cells: Vec<String> = row
            .select(&sel("td, th"))
            .map(|c| c.text().collect::<String>().trim().into())
            .collect();
        let (due, days, responsible) = (&cells[2], &cells[3], &cells[4]);
        assert_eq!(cells[5], "Not yet");
        // Days overdue from the due date shown.
        let due = chrono::NaiveDate::parse_from_str(due, "%-d %b %Y").unwrap();
        assert_eq!(days, &(now().date_naive() - due).num_days().to_string());
        let action = row.select(&sel("form")).next().unwrap().value().attr("action").unwrap();
        let pep_id: uuid::Uuid = action.split('/').nth(2).unwrap().parse().unwrap();
        let people = responsible.split("; ").count();

        // A teacher cannot chase.
        let dt = app.new_browser();
        dt.sign_in_role(Role::DesignatedTeacher).await;
        let refused = dt.post_page("/account", action, &[]).await;
        assert_eq!(refused.status().as_u16(), 403);

        let before = outbox::recent(db, None, 100_000).await.unwrap().len();
        let sent = vs.post_page("/peps?show=overdue", action, &[]).await;
        assert_eq!(sent.status().as_u16(), 303);
        let to = sent.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(to, "/peps?show=overdue&done=reminded");
        let mail = outbox::recent(db, None, 100_000).await.unwrap();
        let new: Vec<_> = mail[..mail.len() - before].iter().collect();
        assert_eq!(new.len(), people, "one reminder to each person responsible");
        let pep =
            peps::get(db, app.user_scope(Role::VsOfficer).await.1.la_id(), pep_id).await.unwrap();
        for m in &new {
            assert_eq!(m.kind, "overdue_reminder");
            assert!(m.body_text.contains("- 1 PEP overdue"), "{}", m.body_text);
            assert!(m.body_text.contains(&format!("/children/{}/peps/{pep_id}", pep.child_id)));
        }
        let (_, html) = vs.get_html(&to).await;
        assert!(
            texts(&html, ".govuk-notification-banner").iter().any(|t| t.contains("Reminder sent"))
        );
        let logged = texts(&html, "tbody tr");
        assert!(logged.iter().any(|r| r.contains("Sent by") && r.contains(&people.to_string())));

        // Again today: refused, nothing more sent.
        let again = vs.post_page("/peps?show=overdue", action, &[]).await;
        assert_eq!(again.headers()["location"], "/peps?show=overdue&done=already");
        assert_eq!(outbox::recent(db, None, 100_000).await.unwrap().len(), mail.len());
        let (vs_user, _) = app.user_scope(Role::VsOfficer).await;
        let events = audit::by_actor(db, vs_user, 20).await.unwrap();
        let event = events.iter().find(|e| e.action == "reminders.sent").expect("audited");
        assert_eq!(event.child_id, Some(pep.child_id));

        // A PEP not yet late is not chased: nothing is sent.
        let la = pep.la_id;
        let today = now().date_naive();
        let open = peps::open_for_authority(db, la, today).await.unwrap();
        let later =
            open.iter().find(|p| (p.due_on - today).num_days() > 10).expect("a PEP due later");
        let early =
            vs.post_page("/peps?show=overdue", &format!("/peps/{}/remind", later.id), &[]).await;
        assert_eq!(early.headers()["location"], "/peps?show=overdue&done=not_late");
        assert_eq!(outbox::recent(db, None, 100_000).await.unwrap().len(), mail.len());
    })
    .await;
}
