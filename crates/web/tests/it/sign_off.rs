//! Signing a PEP off over HTTP: the next meeting refused when it is not a
//! real time or more than six months away, parts marked (and undone) by
//! their writers only once it is set, the final sign-off refused while a
//! part is unmarked, then locking the PEP, queuing its PDF, making the
//! next term's PEP with its meeting and e-mailing everyone; and the
//! Virtual School reopening it with a reason.

use openpep_domain::Role;
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::{archives, outbox, peps, placements, sign_off};
use scraper::Html;
use sha2::Digest;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, location, on_each_backend, texts};

/// A PEP of the teacher's whose meeting was held, with no young person's
/// account: its path, id, child and the social worker's e-mail.
async fn held_pep(app: &TestApp) -> (String, Uuid, Uuid, String) {
    let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
    let db = &app.services.db;
    for child in app.child_ids(&scope).await {
        let pep = peps::for_child(db, scope.la_id(), child).await.unwrap().remove(0);
        let workers = placements::allocations(db, scope.la_id(), child).await.unwrap();
        let current = |role: &str| workers.iter().find(|w| w.role == role && w.ended_on.is_none());
        if let (true, Some(sw), None) =
            (pep.status == "meeting_held", current("social_worker"), current("young_person"))
        {
            let path = format!("/children/{child}/peps/{}", pep.id);
            return (path, pep.id, child, sw.email.clone());
        }
    }
    panic!("no held PEP with a social worker");
}

fn summary(html: &Html) -> Vec<String> {
    texts(html, ".govuk-error-summary__list a")
}

async fn post(app: &TestApp, page: &str, action: &str, form: &[(&str, &str)]) -> (u16, Html) {
    let response = app.post_page(page, action, form).await;
    let status = response.status().as_u16();
    (status, Html::parse_document(&response.text().await.unwrap()))
}

fn next_meeting<'a>(day: &'a str, month: &'a str, time: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("q_next_date-day", day),
        ("q_next_date-month", month),
        ("q_next_date-year", "2027"),
        ("q_next_time", time),
    ]
}

async fn status_of(app: &TestApp, la: Uuid, pep: Uuid) -> String {
    peps::get(&app.services.db, la, pep).await.unwrap().status
}

#[tokio::test]
async fn each_part_is_marked_then_the_teacher_signs_off_and_the_virtual_school_may_reopen() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let la = scope.la_id();
        let db = &app.services.db;
        let (pep, pep_id, child, sw_email) = held_pep(&app).await;
        let page = format!("{pep}/sign-off");
        let mark = format!("{page}/mark");
        app.sign_in_role(Role::DesignatedTeacher).await;
        let (status, html) = app.get_html(&page).await;
        assert_eq!(status, 200);
        assert!(
            texts(&html, ".govuk-inset-text li")
                .contains(&"Enter the date and time of the next PEP meeting".to_owned())
        );
        // The task list leads here.
        let (_, overview) = app.get_html(&pep).await;
        assert!(attr(&overview, &format!("a[href='{page}']"), "href").is_some());

        // Nothing is marked before the next meeting is set.
        let (status, html) = post(&app, &page, &mark, &[("done", "yes")]).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["Enter the date and time of the next PEP meeting"]);

        // The next meeting: a real time, within six months.
        let set = format!("{page}/next-meeting");
        let (status, html) = post(&app, &page, &set, &next_meeting("18", "3", "25:00")).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["Enter a real time, like 09:30 or 2:30pm"]);
        assert_eq!(attr(&html, "input[name=q_next_time]", "value").as_deref(), Some("25:00"));
        assert_eq!(attr(&html, "input[name='q_next_date-day']", "value").as_deref(), Some("18"));
        let (status, html) = post(&app, &page, &set, &next_meeting("18", "7", "09:30")).await;
        assert_eq!(status, 422, "eight months away");
        assert!(summary(&html)[0].starts_with("The next PEP meeting must be within 6 months"));
        let (status, _) = post(&app, &page, &set, &next_meeting("18", "3", "09:30")).await;
        assert_eq!(status, 303);
        let (_, html) = app.get_html(&page).await;
        assert!(
            texts(&html, ".govuk-summary-list__value")
                .contains(&"Thursday 18 March 2027 at 9:30am".to_owned())
        );

        // The teacher marks the school's part; the PEP waits for the
        // social worker's, and cannot be signed off yet.
        let (status, _) = post(&app, &page, &mark, &[("done", "yes")]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "meeting_held");
        let final_ = format!("{page}/final");
        let (status, html) = post(&app, &page, &final_, &[]).await;
        assert_eq!(status, 422);
        assert_eq!(
            summary(&html),
            ["Every part must be marked completed first: not yet the social worker"]
        );

        // The social worker marks theirs, undoes it, and marks it again.
        let sw = app.new_browser();
        let signed = sw.sign_in_fully(&sw_email, DEMO_PASSWORD).await;
        if location(&signed) == "/terms" {
            sw.agree_to_terms().await;
        }
        let (status, _) = post(&sw, &page, &mark, &[("done", "yes")]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "awaiting_sign_off");
        let (status, _) = post(&sw, &page, &mark, &[("done", "no")]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "meeting_held");
        post(&sw, &page, &mark, &[("done", "yes")]).await;
        assert_eq!(status_of(&app, la, pep_id).await, "awaiting_sign_off");
        // Only the designated teacher signs off.
        assert_eq!(sw.post_page(&page, &final_, &[]).await.status().as_u16(), 404);

        // Signed off: locked, its PDF queued, the next term's PEP made with
        // the agreed meeting, and everyone told.
        let (status, _) = post(&app, &page, &final_, &[]).await;
        assert_eq!(status, 303, "signed off on {}", app.backend);
        let signed_off = peps::get(db, la, pep_id).await.unwrap();
        assert_eq!(signed_off.status, "signed_off");
        assert!(signed_off.signed_off_by.is_some());
        let queued = archives::for_pep(db, la, pep_id).await.unwrap();
        assert_eq!((queued.len(), queued[0].version, queued[0].status.as_str()), (1, 1, "pending"));
        let all = peps::for_child(db, la, child).await.unwrap();
        let next = all.iter().find(|p| p.academic_year == 2026 && p.term == "spring").unwrap();
        assert_eq!(next.status, "draft");
        assert_eq!(next.meeting_at, signed_off.next_meeting_at);
        let told = outbox::recent(db, Some(&sw_email), 20).await.unwrap();
        let told = told.iter().find(|m| m.kind == "pep_signed_off").expect("the SW is told");
        assert!(told.body_text.contains("Thursday 18 March 2027 at 9:30am"));
        let dt = app.account(Role::DesignatedTeacher);
        let dt_mail = outbox::recent(db, Some(&dt), 20).await.unwrap();
        assert!(dt_mail.iter().any(|m| m.kind == "pep_signed_off"));
        // It waits in their messages too, leading to the sign-off page.
        let (_, inbox) = app.get_html("/messages").await;
        let notes = texts(&inbox, "tbody th a");
        assert!(notes.contains(&"PEP signed off".to_owned()), "{notes:?}");
        let (_, html) = app.get_html(&page).await;
        assert!(texts(&html, "button").iter().all(|b| b != "Sign off the PEP"));
        assert!(texts(&html, "td").contains(&"Being made".to_owned()));

        // The worker makes the PDF; it downloads unchanged, logged.
        // (The demo's own signed-off PEPs are queued too.)
        let mut made = 0;
        loop {
            match app.services.make_archives().await.unwrap() {
                0 => break,
                n => made += n,
            }
        }
        assert!(made >= 1);
        assert_eq!(app.services.make_archives().await.unwrap(), 0, "each made once");
        let made = archives::for_pep(db, la, pep_id).await.unwrap().remove(0);
        assert_eq!(made.status, "ready");
        let pdf_url = format!("{pep}/pdf/1");
        let (_, html) = app.get_html(&page).await;
        assert!(attr(&html, &format!("a[href='{pdf_url}']"), "href").is_some());
        let response = app.get(&pdf_url).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let sha: String = sha2::Sha256::digest(&pdf).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(made.sha256.as_deref(), Some(sha.as_str()), "stored unchanged");
        let child_name = child_name(&app, la, child).await;
        if let Some(text) = pdf_text(&pdf, app.backend) {
            assert!(text.contains(&child_name), "the child's name on it");
            assert!(text.contains("OFFICIAL-SENSITIVE"));
            assert!(text.contains("Page 1 of"));
            assert!(text.contains("Signed the PEP off"), "the sign-off record");
        }
        assert_eq!(app.get(&format!("{pep}/pdf/2")).await.status().as_u16(), 404);
        assert_eq!(app.get(&format!("{pep}/pdf/x")).await.status().as_u16(), 404);
        // Nothing changes after the sign-off.
        let (status, html) = post(&app, &page, &mark, &[("done", "no")]).await;
        assert_eq!(status, 422);
        assert_eq!(
            summary(&html),
            ["This PEP has been signed off: only the Virtual School can reopen it"]
        );

        // The Virtual School reopens it, with a reason.
        let vs = app.new_browser();
        vs.sign_in_role(Role::VsOfficer).await;
        let reopen = format!("{page}/reopen");
        let (status, html) = post(&vs, &page, &reopen, &[("reason", "  ")]).await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["Enter why the PEP is being reopened"]);
        let why = "The attainment table is for the wrong term";
        let (status, _) = post(&vs, &page, &reopen, &[("reason", why)]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&app, la, pep_id).await, "meeting_held");
        assert!(sign_off::marks(db, la, pep_id).await.unwrap().is_empty());
        let (_, html) = vs.get_html(&page).await;
        assert!(texts(&html, "td").contains(&why.to_owned()));
        assert!(
            outbox::recent(db, Some(&sw_email), 20)
                .await
                .unwrap()
                .iter()
                .any(|m| m.kind == "pep_reopened")
        );
        let (dt_id, _) = app.user_scope(Role::DesignatedTeacher).await;
        let actions: Vec<String> = openpep_store::audit::by_actor(db, dt_id, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("pep.") && a != "pep.viewed")
            .collect();
        for expected in
            ["pep.next_meeting_set", "pep.part_completed", "pep.signed_off", "pep.pdf_downloaded"]
        {
            assert!(actions.contains(&expected.to_owned()), "{expected} in {actions:?}");
        }

        // Someone with no access to the child sees nothing of it.
        let carer = app.new_browser();
        carer.sign_in_role(Role::Carer).await;
        assert_eq!(carer.get(&page).await.status().as_u16(), 404);
        assert_eq!(
            carer.get(&pdf_url).await.status().as_u16(),
            404,
            "no PDF of a PEP one may not see"
        );
    })
    .await;
}

async fn child_name(app: &TestApp, la: Uuid, child: Uuid) -> String {
    let scope = openpep_domain::ChildScope::Authority { la_id: la };
    let today = crate::support::now().date_naive();
    openpep_store::children::get(&app.services.db, &scope, today, child).await.unwrap().full_name()
}

/// The PDF's text by `pdftotext`, and its pages as PNGs by `pdftoppm` in
/// `OPENPEP_PDF_PREVIEW_DIR` (to be looked at), when poppler is installed.
fn pdf_text(pdf: &[u8], backend: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("openpep-pdf-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pep.pdf");
    std::fs::write(&file, pdf).unwrap();
    let text = std::process::Command::new("pdftotext").arg(&file).arg("-").output().ok()?;
    if let Ok(preview) = std::env::var("OPENPEP_PDF_PREVIEW_DIR") {
        let prefix = std::path::Path::new(&preview).join(format!("signed-off-{backend}"));
        let made = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "60"])
            .arg(&file)
            .arg(&prefix)
            .status()
            .unwrap();
        assert!(made.success());
    }
    let _ = std::fs::remove_dir_all(&dir);
    Some(String::from_utf8_lossy(&text.stdout).into_owned())
}
