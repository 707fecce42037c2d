//! The PEP meeting over HTTP: arranged with invitations that carry a
//! calendar file a standard parser reads, bad times refused with what was
//! typed kept, answered only by the invitee, moved (an update with a
//! higher SEQUENCE, and a cancellation to whoever was left out), reminded
//! two days before, and cancelled.

use openpep_domain::{ChildScope, PepStatus, Role};
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::outbox::OutboxEmail;
use openpep_store::{meetings, outbox, peps, placements};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, on_each_backend, texts};

/// A child of the scope's whose newest PEP is open, with its social
/// worker's id and e-mail.
async fn open_pep_with_sw(app: &TestApp, scope: &ChildScope) -> (String, Uuid, (Uuid, String)) {
    let db = &app.services.db;
    for child in app.child_ids(scope).await {
        let pep = peps::for_child(db, scope.la_id(), child).await.unwrap().remove(0);
        let workers = placements::allocations(db, scope.la_id(), child).await.unwrap();
        let sw = workers.into_iter().find(|w| w.role == "social_worker" && w.ended_on.is_none());
        // An open PEP whose meeting is still to arrange.
        let open =
            !PepStatus::from_code(&pep.status).unwrap().is_complete() && pep.meeting_at.is_none();
        if let (true, Some(sw)) = (open, sw) {
            return (format!("/children/{child}/peps/{}", pep.id), pep.id, (sw.user_id, sw.email));
        }
    }
    panic!("no open PEP with a social worker");
}

fn summary(html: &Html) -> Vec<String> {
    texts(html, ".govuk-error-summary__list a")
}

/// The newest e-mail of `kind` to `to`.
async fn mail(app: &TestApp, to: &str, kind: &str) -> OutboxEmail {
    let sent = outbox::recent(&app.services.db, Some(to), 20).await.unwrap();
    sent.into_iter().find(|m| m.kind == kind).unwrap_or_else(|| panic!("no {kind} to {to}"))
}

/// The calendar's METHOD and the event's properties by name.
fn calendar(email: &OutboxEmail) -> (String, Vec<(String, String)>) {
    let ics = email.calendar.as_deref().expect("a calendar file");
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = parser.next().expect("a calendar").expect("a standard parser reads it");
    let method = calendar.properties.iter().find(|p| p.name == "METHOD").unwrap();
    let props = calendar.events[0]
        .properties
        .iter()
        .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
        .collect();
    (method.value.clone().unwrap(), props)
}

fn prop<'a>(props: &'a [(String, String)], name: &str) -> &'a str {
    props.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

#[tokio::test]
async fn a_meeting_is_arranged_answered_moved_reminded_and_cancelled() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let (pep, pep_id, (sw_id, sw_email)) = open_pep_with_sw(&app, &scope).await;
        let la = scope.la_id();
        app.sign_in_role(Role::DesignatedTeacher).await;
        let (status, html) = app.get_html(&format!("{pep}/meeting")).await;
        assert_eq!(status, 200);
        assert!(texts(&html, "a.govuk-button").contains(&"Arrange the meeting".to_owned()));
        let arrange = format!("{pep}/meeting/arrange");
        let (status, html) = app.get_html(&arrange).await;
        assert_eq!(status, 200);
        let ticks: Vec<String> = html
            .select(&scraper::Selector::parse("input[name=q_invite]").unwrap())
            .map(|e| e.value().attr("value").unwrap().to_owned())
            .collect();
        assert!(ticks.contains(&sw_id.to_string()), "the social worker can be ticked");

        let sw = sw_id.to_string();
        let form = |day: &str, time: &str, place: &str| {
            vec![
                ("version", "0".to_owned()),
                ("q_date-day", day.to_owned()),
                ("q_date-month", "12".to_owned()),
                ("q_date-year", "2026".to_owned()),
                ("q_time", time.to_owned()),
                ("q_duration", "60".to_owned()),
                ("q_place", place.to_owned()),
                ("q_video_link", String::new()),
                ("q_chair", "Dana Fielding, designated teacher".to_owned()),
                ("q_recorder", "Sol Marsh, social worker".to_owned()),
                ("q_invite", sw.clone()),
                ("q_other_0_name", "Jo Ashby".to_owned()),
                ("q_other_0_email", "jo.ashby@example.org".to_owned()),
                ("q_other_0_role", "parent".to_owned()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>, action: String| {
            let app = app.clone();
            let page = arrange.clone();
            async move {
                let form: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let response = app.post_page(&page, &action, &form).await;
                let status = response.status().as_u16();
                (status, Html::parse_document(&response.text().await.unwrap()))
            }
        };
        for (time, message) in [
            ("25:00", "Enter a real time, like 09:30 or 2:30pm"),
            ("9", "Enter the time like 09:30 or 2:30pm"),
        ] {
            let (status, html) = post(form("3", time, "Meeting room 2"), arrange.clone()).await;
            assert_eq!(status, 422, "{time}");
            assert_eq!(summary(&html), [message], "{time}");
            assert_eq!(attr(&html, "input[name=q_time]", "value").as_deref(), Some(time));
            assert_eq!(
                attr(&html, "input[name=q_place]", "value").as_deref(),
                Some("Meeting room 2")
            );
        }
        let mut past = form("3", "10:00", "Meeting room 2");
        past[3].1 = "2025".into();
        let (status, html) = post(past, arrange.clone()).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["The meeting must be in the future"]);

        // Arranged: 3 December (GMT) at 2:30pm.
        let (status, _) = post(form("3", "2:30pm", "Meeting room 2"), arrange.clone()).await;
        assert_eq!(status, 303, "arranged on {}", app.backend);
        let invitation = mail(&app, &sw_email, "meeting_invitation").await;
        assert!(!invitation.body_text.contains("Jo Ashby"));
        // Unfolded: long lines are folded at 75 octets.
        let ics = invitation.calendar.as_deref().unwrap_or_default().replace("\r\n ", "");
        assert!(!ics.contains("Jo Ashby"), "a parent would name the child: listed by address only");
        assert!(ics.contains("mailto:jo.ashby@example.org"));
        let (method, event) = calendar(&invitation);
        assert_eq!(method, "REQUEST");
        assert_eq!(prop(&event, "SEQUENCE"), "0");
        assert_eq!(prop(&event, "DTSTART"), "20261203T143000Z");
        assert_eq!(prop(&event, "LOCATION"), "Meeting room 2");
        let uid = prop(&event, "UID").to_owned();
        let parent = mail(&app, "jo.ashby@example.org", "meeting_invitation").await;
        assert_eq!(calendar(&parent).0, "REQUEST");
        let (_, html) = app.get_html(&format!("{pep}/meeting")).await;
        let details = texts(&html, ".govuk-summary-list__value");
        assert!(details[0].starts_with("Thursday 3 December 2026 at 2:30pm"), "{details:?}");
        let (_, html) = app.get_html(&pep).await;
        assert!(texts(&html, "a").iter().any(|a| a.starts_with("See the meeting arrangements")));
        // It cannot be confirmed as held before it happens.
        let meeting_page = format!("{pep}/meeting");
        let held = format!("{pep}/meeting/held");
        let response = app.post_page(&meeting_page, &held, &[("version", "1")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            summary(&html),
            ["The meeting is on Thursday 3 December 2026 at 2:30pm: confirm it once it has taken place"]
        );

        // The social worker answers; nobody else can answer for them.
        let sw_app = app.new_browser();
        let signed = sw_app.sign_in_fully(&sw_email, DEMO_PASSWORD).await;
        assert_eq!(signed.status().as_u16(), 303);
        if crate::support::location(&signed) == "/terms" {
            sw_app.agree_to_terms().await;
        }
        let (_, html) = sw_app.get_html("/invitations").await;
        let answer = attr(&html, "a[href^='/invitations/']", "href").expect("an invitation");
        let response = sw_app.post_page(&answer, &answer, &[("q_response", "proposed")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(summary(&html), ["Enter the date you propose", "Enter the time you propose"]);
        let proposal = [
            ("q_response", "proposed"),
            ("q_proposed_date-day", "4"),
            ("q_proposed_date-month", "12"),
            ("q_proposed_date-year", "2026"),
            ("q_proposed_time", "9:30am"),
            ("q_note", "I am in court on the 3rd."),
        ];
        let response = sw_app.post_page(&answer, &answer, &proposal).await;
        assert_eq!(response.status().as_u16(), 303);
        let dt_email = app.account(Role::DesignatedTeacher);
        assert_eq!(
            mail(&app, &dt_email, "meeting_answered").await.subject,
            "PEP meeting invitation: proposed another time"
        );
        // The DT (signed in) tries to answer the social worker's invitation.
        assert_eq!(app.get(&answer).await.status().as_u16(), 404);
        let response = app.post_page(&meeting_page, &answer, &[("q_response", "accepted")]).await;
        assert_eq!(response.status().as_u16(), 404);
        let (_, html) = app.get_html(&format!("{pep}/meeting")).await;
        assert!(
            texts(&html, "td")
                .iter()
                .any(|t| t.contains("Proposed Friday 4 December 2026 at 9:30am"))
        );

        // Moved to tomorrow without the parent: an update to the social
        // worker (asked again), a cancellation to the parent.
        let (_, html) = app.get_html(&arrange).await;
        let version = attr(&html, "input[name=version]", "value").unwrap();
        let mut moved = form("24", "2:30pm", "Meeting room 2");
        moved[0].1 = version;
        moved[2].1 = "11".into();
        moved.truncate(11);
        moved.push(("q_reason", "The social worker is in court on the 3rd".into()));
        let (status, _) = post(moved, arrange.clone()).await;
        assert_eq!(status, 303);
        let update = mail(&app, &sw_email, "meeting_changed").await;
        let (method, event) = calendar(&update);
        assert_eq!((method.as_str(), prop(&event, "SEQUENCE")), ("REQUEST", "1"));
        assert_eq!(prop(&event, "UID"), uid, "the same calendar entry");
        assert_eq!(prop(&event, "DTSTART"), "20261124T143000Z");
        let (method, event) =
            calendar(&mail(&app, "jo.ashby@example.org", "meeting_cancelled").await);
        assert_eq!((method.as_str(), prop(&event, "STATUS")), ("CANCEL", "CANCELLED"));
        let meeting = meetings::for_pep(&app.services.db, la, pep_id).await.unwrap().unwrap();
        let invitees = meetings::invitees(&app.services.db, la, meeting.id).await.unwrap();
        assert_eq!(invitees.len(), 1);
        assert_eq!(invitees[0].response, "needs_action", "asked again after the move");
        let (_, html) = app.get_html(&format!("{pep}/meeting")).await;
        assert!(
            texts(&html, "td").iter().any(|t| t.starts_with("Moved to Tuesday 24 November 2026"))
        );

        // The reminder goes once, two days before.
        assert_eq!(app.services.send_meeting_reminders().await.unwrap(), 1);
        assert_eq!(app.services.send_meeting_reminders().await.unwrap(), 0);
        mail(&app, &sw_email, "meeting_reminder").await;

        // Cancelled: a reason is needed; then everyone's calendar is told.
        let cancel = format!("{pep}/meeting/cancel");
        let version = (meeting.version).to_string();
        let response =
            app.post_page(&meeting_page, &cancel, &[("version", &version), ("reason", " ")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(summary(&html), ["Enter why the meeting is cancelled"]);
        let reason = [("version", version.as_str()), ("reason", "The child is moving school")];
        let response = app.post_page(&meeting_page, &cancel, &reason).await;
        assert_eq!(response.status().as_u16(), 303);
        let (method, event) = calendar(&mail(&app, &sw_email, "meeting_cancelled").await);
        assert_eq!((method.as_str(), prop(&event, "SEQUENCE")), ("CANCEL", "2"));
        let pep_row = peps::get(&app.services.db, la, pep_id).await.unwrap();
        assert_eq!(pep_row.meeting_at, None);
        let actions: Vec<String> =
            openpep_store::audit::by_actor(&app.services.db, scope_user(&app).await, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.action)
                .filter(|a| a.starts_with("meeting."))
                .collect();
        assert_eq!(actions.len(), 3, "arranged, rescheduled, cancelled: {actions:?}");

        // Someone with no access to the child cannot see or arrange it.
        let child: Uuid = pep.split('/').nth(2).unwrap().parse().unwrap();
        let mut checked = 0;
        for role in [Role::Carer, Role::YoungPerson] {
            let (_, theirs) = app.user_scope(role).await;
            if app.child_ids(&theirs).await.contains(&child) {
                continue;
            }
            let stranger = app.new_browser();
            stranger.sign_in_role(role).await;
            assert_eq!(stranger.get(&meeting_page).await.status().as_u16(), 404);
            assert_eq!(stranger.get(&arrange).await.status().as_u16(), 404);
            checked += 1;
        }
        assert!(checked > 0, "someone without access was tried");
    })
    .await;
}

async fn scope_user(app: &TestApp) -> Uuid {
    app.user_scope(Role::DesignatedTeacher).await.0
}

/// Once the meeting has taken place the teacher confirms it: the PEP moves
/// on to sign-off, the Virtual School officer invited is told, and the
/// arrangements can no longer change.
#[tokio::test]
async fn a_meeting_that_took_place_is_confirmed_and_the_virtual_school_told() {
    on_each_backend(dev_config(), |app| async move {
        let (dt_id, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let la = scope.la_id();
        let db = &app.services.db;
        // A PEP under way whose meeting was this morning (the form itself
        // only arranges future meetings).
        let mut found = None;
        for child in app.child_ids(&scope).await {
            let pep = peps::for_child(db, la, child).await.unwrap().remove(0);
            let open = matches!(pep.status.as_str(), "draft" | "in_progress");
            if open && meetings::for_pep(db, la, pep.id).await.unwrap().is_none() {
                found = Some(pep);
                break;
            }
        }
        let pep = found.expect("a PEP under way with no meeting");
        let (officer_id, _) = app.user_scope(Role::VsOfficer).await;
        let officer = openpep_store::users::get(db, officer_id).await.unwrap();
        let now = crate::support::now();
        let fields = meetings::MeetingFields {
            starts_at: now - chrono::TimeDelta::hours(1),
            duration_minutes: 60,
            place: "The school's meeting room",
            video_link: "",
            chair: "The designated teacher",
            recorder: "The social worker",
        };
        let meeting_id = Uuid::now_v7();
        let mut tx = db.begin().await.unwrap();
        meetings::insert(&mut tx, meeting_id, (la, pep.child_id, pep.id), &fields, dt_id, now)
            .await
            .unwrap();
        let invitee = meetings::NewInvitee {
            id: Uuid::now_v7(),
            la_id: la,
            meeting_id,
            user_id: Some(officer.id),
            name: &officer.display_name,
            email: &officer.email,
            role: "vs_officer",
        };
        meetings::invite(&mut tx, &invitee, false).await.unwrap();
        tx.commit().await.unwrap();

        app.sign_in_role(Role::DesignatedTeacher).await;
        let base = format!("/children/{}/peps/{}", pep.child_id, pep.id);
        let meeting_page = format!("{base}/meeting");
        let (_, html) = app.get_html(&meeting_page).await;
        assert!(texts(&html, "button").contains(&"Confirm the meeting took place".to_owned()));
        let held = format!("{base}/meeting/held");
        let response = app.post_page(&meeting_page, &held, &[("version", "1")]).await;
        assert_eq!(response.status().as_u16(), 303, "confirmed on {}", app.backend);
        let after = peps::get(db, la, pep.id).await.unwrap();
        assert_eq!(after.status, "meeting_held");
        let told = mail(&app, &officer.email, "meeting_held").await;
        assert!(told.body_text.contains(&base), "a link to the PEP");
        let (_, html) = app.get_html(&meeting_page).await;
        assert!(texts(&html, "h1 .govuk-tag").contains(&"Held".to_owned()));
        assert!(!texts(&html, "a.govuk-button").iter().any(|b| b == "Change the meeting"));

        // Confirmed once; the arrangements are history.
        let response = app.post_page(&meeting_page, &held, &[("version", "2")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(summary(&html), ["The meeting has already been confirmed as held"]);
        let arrange = format!("{base}/meeting/arrange");
        assert_eq!(app.get(&arrange).await.status().as_u16(), 403);
    })
    .await;
}
