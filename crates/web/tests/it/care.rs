//! Care information over HTTP on both databases: the placement and consent
//! fields kept and audited, a new placement as a new care episode, a child
//! coming into care given an initial PEP, and the worker's daily pass
//! raising the initial PEP of a child who reaches PEP age.

use chrono::{NaiveDate, TimeDelta};
use openpep_domain::pep_cycle::{InitialTimescale, initial_pep_due};
use openpep_domain::{ChildScope, Role, WorkingDayCalendar};
use openpep_store::children::{self, Child};
use openpep_store::placements::{self, CareEpisode};
use openpep_store::{audit, peps};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, location, now, on_each_backend, texts};

fn due(start: NaiveDate) -> NaiveDate {
    initial_pep_due(
        start,
        InitialTimescale::TenWorkingDays,
        &WorkingDayCalendar::england_and_wales(),
    )
}

/// Posts the care form over the version it shows, with the given changes.
async fn save_care(app: &TestApp, child: Uuid, fields: &[(&str, &str)]) -> reqwest::Response {
    let path = format!("/children/{child}/care");
    let (status, form) = app.get_html(&path).await;
    assert_eq!(status, 200, "{}", app.backend);
    let version = attr(&form, "input[name=version]", "value").unwrap();
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    app.post_page(&path, &path, &all).await
}

const PLACEMENT: [(&str, &str); 4] = [
    ("placement_type", "U4"),
    ("carer_name", "Robin Ashdown"),
    ("lives_in", "Ashby Green"),
    ("lives_in_la", "yes"),
];

#[tokio::test]
async fn care_information_is_checked_kept_and_audited_and_a_new_placement_is_a_new_episode() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let child = app.child_ids(&scope).await[0];
        let la = scope.la_id();
        app.sign_in_role(Role::VsOfficer).await;
        let before = placements::care_episodes(&app.services.db, la, child).await.unwrap();
        let current = before.iter().find(|e| e.ended_on.is_none()).unwrap().clone();
        let (d, m, y) = (
            current.started_on.format("%-d").to_string(),
            current.started_on.format("%-m").to_string(),
            current.started_on.format("%Y").to_string(),
        );

        // A start before the child was born is refused; what was typed stays.
        let mut fields = PLACEMENT.to_vec();
        fields.extend([
            ("started-day", "1"),
            ("started-month", "1"),
            ("started-year", "1990"),
            ("contact_restrictions", "Not to be collected by her uncle."),
        ]);
        let response = save_care(&app, child, &fields).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        let errors = texts(&html, ".govuk-error-summary__list a");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "The placement start date must be on or after the child's date of birth"
            ),
            "{errors:?}"
        );
        assert_eq!(attr(&html, "#carer_name", "value").as_deref(), Some("Robin Ashdown"));
        assert_eq!(
            texts(&html, "textarea#contact_restrictions"),
            ["Not to be collected by her uncle."]
        );

        // The same start date corrects the current placement.
        let mut fields = PLACEMENT.to_vec();
        fields.extend([
            ("started-day", d.as_str()),
            ("started-month", m.as_str()),
            ("started-year", y.as_str()),
            ("contact_restrictions", "Not to be collected by her uncle."),
            ("school_reports_to", "The carer and the social worker"),
        ]);
        let response = save_care(&app, child, &fields).await;
        assert_eq!(location(&response), format!("/children/{child}?saved=care"), "{}", app.backend);
        let (_, overview) = app.get_html(&location(&response)).await;
        assert_eq!(
            texts(&overview, ".govuk-notification-banner__heading"),
            ["Care information saved."]
        );
        let rows = texts(&overview, ".govuk-summary-list__row");
        assert!(rows.iter().any(|r| r == "Carer Robin Ashdown"), "{rows:?}");
        assert!(
            rows.iter().any(|r| r == "Contact restrictions Not to be collected by her uncle."),
            "{rows:?}"
        );
        let after = placements::care_episodes(&app.services.db, la, child).await.unwrap();
        assert_eq!(after.len(), before.len());
        let history =
            audit::child_history(&app.services.db, la, child, audit::History::RecordChanges, 5)
                .await
                .unwrap();
        let update = history.iter().find(|e| e.action == "child.care_updated").unwrap();
        let views =
            audit::child_history(&app.services.db, la, child, audit::History::Everything, 50)
                .await
                .unwrap();
        assert!(
            views.iter().any(|e| e.action == "child.viewed" && e.details.0["page"] == "care"),
            "opening the care page is logged"
        );
        assert_eq!(update.details.0["carer_name"]["after"], "Robin Ashdown");
        assert_eq!(update.details.0["contact_restrictions"]["before"], serde_json::Value::Null);

        // A later start date is a new placement; the old one ends that day.
        let mut fields = PLACEMENT.to_vec();
        fields[0] = ("placement_type", "K2");
        fields.extend([("started-day", "2"), ("started-month", "11"), ("started-year", "2026")]);
        let response = save_care(&app, child, &fields).await;
        assert_eq!(location(&response), format!("/children/{child}?saved=placement"));
        let after = placements::care_episodes(&app.services.db, la, child).await.unwrap();
        assert_eq!(after.len(), before.len() + 1);
        let new = &after[0];
        assert_eq!((new.placement_type.as_str(), new.ended_on), ("K2", None));
        let old = after.iter().find(|e| e.id == current.id).unwrap();
        assert_eq!(old.ended_on, NaiveDate::from_ymd_opt(2026, 11, 2));
        let (_, overview) = app.get_html(&format!("/children/{child}")).await;
        let rows = texts(&overview, "table tbody tr");
        assert!(
            rows.iter().any(|r| r == "Children's home Robin Ashdown 2 November 2026 Current"),
            "{rows:?}"
        );
        let ended = "Foster placement with another foster carer, long term Robin Ashdown";
        assert!(
            rows.iter().any(|r| r.starts_with(ended) && r.ends_with(" 2 November 2026")),
            "{rows:?}"
        );
        // Saving the same again changes nothing.
        let response = save_care(&app, child, &fields).await;
        assert_eq!(location(&response), format!("/children/{child}"));
        assert_eq!(
            placements::care_episodes(&app.services.db, la, child).await.unwrap().len(),
            after.len()
        );
    })
    .await;
}

#[tokio::test]
async fn a_child_coming_into_care_is_owed_an_initial_pep_once() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let child = app.child_ids(&scope).await[1];
        let la = scope.la_id();
        // The child left care in the summer…
        let mut tx = app.services.db.begin().await.unwrap();
        placements::end_open_care_episode(
            &mut tx,
            la,
            child,
            NaiveDate::from_ymd_opt(2026, 7, 20).unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let peps_before = peps::for_child(&app.services.db, la, child).await.unwrap().len();

        // …and comes back into care on 16 November 2026.
        app.sign_in_role(Role::VsOfficer).await;
        let (_, form) = app.get_html(&format!("/children/{child}/care")).await;
        assert!(texts(&form, ".govuk-inset-text")[0].starts_with("No care placement is recorded"));
        let mut fields = PLACEMENT.to_vec();
        fields.extend([("started-day", "16"), ("started-month", "11"), ("started-year", "2026")]);
        let response = save_care(&app, child, &fields).await;
        assert_eq!(location(&response), format!("/children/{child}?saved=came_into_care"));
        let start = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        let (_, overview) = app.get_html(&location(&response)).await;
        assert_eq!(
            texts(&overview, ".govuk-notification-banner__heading"),
            [format!(
                "Coming into care recorded. An initial PEP is due by {}.",
                due(start).format("%-d %B %Y")
            )]
        );
        let log = texts(&overview, "table tbody tr");
        assert!(log.iter().any(|r| r.contains("Created (Initial PEP)")), "{log:?}");
        let all = peps::for_child(&app.services.db, la, child).await.unwrap();
        assert_eq!(all.len(), peps_before + 1);
        let initial =
            all.iter().find(|p| p.trigger_key.as_deref() == Some("initial:2026-11-16")).unwrap();
        assert_eq!((initial.reason.as_str(), initial.due_on), ("initial", due(start)));
        let record =
            children::get(&app.services.db, &scope, now().date_naive(), child).await.unwrap();
        assert_eq!(record.entered_care_on, Some(start));
        // The worker's daily pass owes this child nothing more.
        app.services.raise_initial_peps().await.unwrap();
        assert_eq!(
            peps::for_child(&app.services.db, la, child).await.unwrap().len(),
            peps_before + 1
        );
    })
    .await;
}

fn toddler(la: Uuid, forename: &str, born: NaiveDate) -> Child {
    Child {
        id: Uuid::now_v7(),
        la_id: la,
        forename: forename.into(),
        surname: "Tesfaye".into(),
        preferred_name: None,
        date_of_birth: born,
        gender: "male".into(),
        ethnicity: None,
        sen_provision: None,
        upn: None,
        upn_unknown_reason: Some("UN2".into()),
        uln: None,
        legal_status: Some("C2".into()),
        entered_care_on: NaiveDate::from_ymd_opt(2025, 6, 2),
        left_care_on: None,
        vs_priority: None,
        la_child_id: None,
        version: 1,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn the_daily_pass_raises_an_initial_pep_when_a_child_reaches_pep_age() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let ChildScope::Authority { la_id: la } = scope else { panic!("the VS sees the LA") };
        let today = now().date_naive();
        // One turned 2 a week ago; one is still 1.
        let turned_two = NaiveDate::from_ymd_opt(2024, 11, 16).unwrap();
        let two = toddler(la, "Abel", turned_two);
        let one = toddler(la, "Dawit", today - TimeDelta::days(400));
        let mut tx = app.services.db.begin().await.unwrap();
        for c in [&two, &one] {
            children::insert(&mut tx, c).await.unwrap();
            placements::insert_care_episode(
                &mut tx,
                &CareEpisode {
                    id: Uuid::now_v7(),
                    la_id: la,
                    child_id: c.id,
                    started_on: NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
                    ended_on: None,
                    legal_status: "C2".into(),
                    placement_type: "U6".into(),
                    placement_provider: None,
                    carer_name: None,
                    lives_in: None,
                    lives_in_la: true,
                    reason_new: None,
                    reason_ended: None,
                    placement_urn: None,
                    created_at: now(),
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();

        let created = app.services.raise_initial_peps().await.unwrap();
        assert!(created >= 1, "{}", app.backend);
        let peps_of_two = peps::for_child(&app.services.db, la, two.id).await.unwrap();
        assert_eq!(peps_of_two.len(), 1);
        let start = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        assert_eq!(peps_of_two[0].trigger_key.as_deref(), Some("initial:2026-11-16"));
        assert_eq!(peps_of_two[0].due_on, due(start));
        assert_eq!(due(start), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert!(peps::for_child(&app.services.db, la, one.id).await.unwrap().is_empty());
        // Once only.
        assert_eq!(app.services.raise_initial_peps().await.unwrap(), 0);
        assert_eq!(peps::for_child(&app.services.db, la, two.id).await.unwrap().len(), 1);
    })
    .await;
}
