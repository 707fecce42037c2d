//! The conformance story: the same walk through the store on SQLite and on
//! PostgreSQL. A query or migration is done when this passes on both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use openpep_domain::{ChildScope, Role};
use openpep_store::audit::AuditEvent;
use openpep_store::authorities::LocalAuthority;
use openpep_store::children::{Child, ChildProfile, LearnerFilter};
use openpep_store::pep_pages::PageWrite;
use openpep_store::peps::{Delegation, EligibleChild, Pep, TermlyEligibility};
use openpep_store::placements::{CareEpisode, ChildWorker, SchoolPlacement};
use openpep_store::schools::School;
use openpep_store::sessions::SessionRow;
use openpep_store::templates::StoredTemplate;
use openpep_store::users::{Membership, User};
use openpep_store::{
    Db, PageRequest, StoreError, audit, authorities, children, pep_pages, peps, placements,
    schools, sessions, templates, terms, throttles, users,
};
use openpep_testkit::TestDb;
use sqlx::types::Json;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 15).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn la(code: &str) -> LocalAuthority {
    LocalAuthority {
        id: Uuid::now_v7(),
        code: code.into(),
        name: format!("Authority {code}"),
        created_at: now(),
    }
}

fn school(urn: i32, name: &str) -> School {
    School {
        id: Uuid::now_v7(),
        urn,
        laestab: Some(format!("999{urn:04}")),
        name: name.into(),
        phase: "Primary".into(),
        establishment_type: "Community school".into(),
        la_code: "999".into(),
        postcode: None,
        ofsted_rating: Some("Good".into()),
        ofsted_inspected_on: Some(date(2024, 3, 1)),
        is_open: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn user(email: &str) -> User {
    User {
        id: Uuid::now_v7(),
        email: email.into(),
        display_name: email.split('@').next().unwrap().into(),
        password_hash: None,
        email_verified_at: Some(now()),
        is_active: true,
        last_signed_in_at: None,
        created_at: now(),
        updated_at: now(),
        totp_secret: None,
        totp_last_step: None,
        last_membership_id: None,
    }
}

fn membership(user: &User, la: &LocalAuthority, role: &str, school: Option<&School>) -> Membership {
    Membership {
        id: Uuid::now_v7(),
        user_id: user.id,
        la_id: la.id,
        role: role.into(),
        school_id: school.map(|s| s.id),
        created_at: now(),
        ended_at: None,
    }
}

fn child(la: &LocalAuthority, forename: &str, surname: &str, upn: Option<&str>) -> Child {
    Child {
        id: Uuid::now_v7(),
        la_id: la.id,
        forename: forename.into(),
        surname: surname.into(),
        preferred_name: None,
        date_of_birth: date(2015, 5, 17),
        gender: "female".into(),
        ethnicity: Some("WBRI".into()),
        sen_provision: None,
        upn: upn.map(Into::into),
        upn_unknown_reason: None,
        uln: None,
        legal_status: Some("C2".into()),
        entered_care_on: Some(date(2023, 1, 9)),
        left_care_on: None,
        vs_priority: None,
        la_child_id: None,
        version: 1,
        created_at: now(),
        updated_at: now(),
    }
}

fn worker(c: &Child, u: &User, role: &str, from: NaiveDate, to: Option<NaiveDate>) -> ChildWorker {
    ChildWorker {
        id: Uuid::now_v7(),
        la_id: c.la_id,
        child_id: c.id,
        user_id: u.id,
        role: role.into(),
        started_on: from,
        ended_on: to,
        created_at: now(),
    }
}

fn placement(c: &Child, s: &School, from: NaiveDate, to: Option<NaiveDate>) -> SchoolPlacement {
    SchoolPlacement {
        id: Uuid::now_v7(),
        la_id: c.la_id,
        child_id: c.id,
        school_id: s.id,
        started_on: from,
        ended_on: to,
        reason_ended: to.map(|_| "moved".into()),
        created_at: now(),
    }
}

async fn names(db: &Db, scope: &ChildScope, search: Option<&str>) -> Vec<String> {
    let filter = LearnerFilter { search: search.map(Into::into), ..LearnerFilter::default() };
    let page =
        children::list_learners(db, scope, now().date_naive(), &filter, PageRequest::new(1, 50))
            .await
            .unwrap();
    assert_eq!(page.total as usize, page.rows.len());
    page.rows.into_iter().map(|r| format!("{} {}", r.forename, r.surname)).collect()
}

async fn story(t: TestDb) {
    let db = &t.db;
    let today = now().date_naive();
    assert!(db.ping().await);

    // Create.
    let (north, south) = (la("901"), la("902"));
    let (oak, elm) = (school(100001, "Oak Primary"), school(100002, "Elm Primary"));
    let (sw, dt, vs, other_sw) = (
        user("sw@example.org"),
        user("dt@example.org"),
        user("vs@example.org"),
        user("sw2@example.org"),
    );
    let ada = child(&north, "Ada", "Zephyr", Some("B801200005001"));
    let bo = child(&north, "Bo", "Young", Some("A950000178301"));
    let cy = child(&north, "Cy", "Xu_%", None);
    let dee = child(&south, "Élodie", "Ngô", Some("B801200005001"));
    let mut tx = db.begin().await.unwrap();
    for a in [&north, &south] {
        authorities::insert(&mut tx, a).await.unwrap();
    }
    for s in [&oak, &elm] {
        schools::insert(&mut tx, s).await.unwrap();
    }
    for u in [&sw, &dt, &vs, &other_sw] {
        users::insert(&mut tx, u).await.unwrap();
    }
    let sw_m = membership(&sw, &north, "social_worker", None);
    let dt_m = membership(&dt, &north, "designated_teacher", Some(&oak));
    users::insert_membership(&mut tx, &sw_m).await.unwrap();
    users::insert_membership(&mut tx, &dt_m).await.unwrap();
    users::insert_membership(&mut tx, &membership(&vs, &north, "vs_officer", None)).await.unwrap();
    for c in [&ada, &bo, &cy, &dee] {
        children::insert(&mut tx, c).await.unwrap();
    }
    let ended_worker = worker(&bo, &other_sw, "social_worker", date(2024, 1, 1), None);
    for w in [
        worker(&ada, &sw, "social_worker", date(2024, 1, 1), None),
        worker(&bo, &sw, "social_worker", date(2023, 1, 1), Some(date(2025, 1, 1))),
        ended_worker.clone(),
    ] {
        placements::insert_child_worker(&mut tx, &w).await.unwrap();
    }
    // Bo is at Oak now; Cy left Oak for Elm.
    for p in [
        placement(&bo, &oak, date(2024, 9, 1), None),
        placement(&cy, &oak, date(2022, 9, 1), Some(date(2025, 7, 20))),
        placement(&cy, &elm, date(2025, 9, 1), None),
    ] {
        placements::insert_school_placement(&mut tx, &p).await.unwrap();
    }
    tx.commit().await.unwrap();

    // Read.
    let whole = ChildScope::Authority { la_id: north.id };
    assert_eq!(children::get(db, &whole, today, ada.id).await.unwrap(), ada);
    assert_eq!(users::by_email(db, "dt@example.org").await.unwrap().unwrap(), dt);
    assert_eq!(schools::by_urn(db, 100001).await.unwrap().unwrap(), oak);
    assert_eq!(authorities::get(db, north.id).await.unwrap(), north);
    assert_eq!(users::current_memberships(db, dt.id).await.unwrap(), vec![dt_m.clone()]);

    // Update, with a stale version refused.
    let mut tx = db.begin().await.unwrap();
    let renamed = ChildProfile { surname: "Zephyr-Jones".into(), ..ada.profile() };
    let v = children::update_profile(&mut tx, north.id, ada.id, 1, &renamed, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(v, 2);
    let mut tx = db.begin().await.unwrap();
    let other = ChildProfile { forename: "X".into(), surname: "Y".into(), ..ada.profile() };
    let stale = children::update_profile(&mut tx, north.id, ada.id, 1, &other, now()).await;
    assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");
    tx.rollback().await.unwrap();
    let ada_now = children::get(db, &whole, today, ada.id).await.unwrap();
    assert_eq!((ada_now.surname.as_str(), ada_now.version), ("Zephyr-Jones", 2));

    // List: the whole authority, by surname, never another authority's child.
    assert_eq!(names(db, &whole, None).await, ["Cy Xu_%", "Bo Young", "Ada Zephyr-Jones"]);
    let page = children::list_learners(
        db,
        &whole,
        today,
        &LearnerFilter::default(),
        PageRequest::new(2, 2),
    )
    .await
    .unwrap();
    assert_eq!((page.total, page.rows.len()), (3, 1));
    assert_eq!(page.rows[0].forename, "Ada");
    assert_eq!(names(db, &whole, Some("zeph")).await, ["Ada Zephyr-Jones"]);
    assert_eq!(names(db, &whole, Some("a950000178301")).await, ["Bo Young"]);
    assert_eq!(names(db, &whole, Some("_%")).await, ["Cy Xu_%"]);
    assert!(names(db, &whole, Some("Ngo")).await.is_empty(), "another authority's child");
    let south_whole = ChildScope::Authority { la_id: south.id };
    for query in ["elodie", "ÉLODIE", "ngo", "Ngô"] {
        assert_eq!(names(db, &south_whole, Some(query)).await, ["Élodie Ngô"], "{query}");
    }

    // Scoped lists: a social worker sees their current children; a
    // designated teacher sees the children now at their school.
    let caseload = |la: &LocalAuthority, u: &User, role: Role, school: Option<&School>| {
        ChildScope::for_member(la.id, u.id, role, school.map(|s| s.id))
    };
    let sw_scope = caseload(&north, &sw, Role::SocialWorker, None);
    assert_eq!(names(db, &sw_scope, None).await, ["Ada Zephyr-Jones"]);
    let dt_scope = caseload(&north, &dt, Role::DesignatedTeacher, Some(&oak));
    assert_eq!(names(db, &dt_scope, None).await, ["Bo Young"]);
    let rows = children::list_learners(
        db,
        &dt_scope,
        today,
        &LearnerFilter::default(),
        PageRequest::new(1, 10),
    )
    .await
    .unwrap()
    .rows;
    assert_eq!(rows[0].school_name.as_deref(), Some("Oak Primary"));
    assert_eq!(rows[0].social_worker.as_deref(), Some("sw2"));
    assert!(matches!(children::get(db, &dt_scope, today, cy.id).await, Err(StoreError::NotFound)));
    let other_la = caseload(&south, &sw, Role::SocialWorker, None);
    assert!(names(db, &other_la, None).await.is_empty());
    // Access follows the role acted in: the same person as a careers
    // adviser, or a teacher acting for no school, sees nobody.
    assert!(names(db, &caseload(&north, &sw, Role::CareersAdviser, None), None).await.is_empty());
    assert!(
        names(db, &caseload(&north, &dt, Role::DesignatedTeacher, None), None).await.is_empty()
    );
    // Search and sort fold case and accents the same on both backends.
    assert_eq!(names(db, &sw_scope, Some("ZEPHYR")).await, ["Ada Zephyr-Jones"]);

    // Filters: school, social worker, date of birth, the current PEP's status.
    let filtered = |f: LearnerFilter| async move {
        children::list_learners(db, &whole, today, &f, PageRequest::new(1, 50))
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|r| (r.forename, r.pep_status))
            .collect::<Vec<_>>()
    };
    let at_oak = LearnerFilter { school_id: Some(oak.id), ..LearnerFilter::default() };
    assert_eq!(filtered(at_oak).await, [("Bo".to_string(), None)]);
    let sws = LearnerFilter { social_worker: Some(sw.id), ..LearnerFilter::default() };
    assert_eq!(filtered(sws).await.len(), 1);
    let born = LearnerFilter { born_from: Some(date(2016, 1, 1)), ..LearnerFilter::default() };
    assert!(filtered(born).await.is_empty());
    let mut tx = db.begin().await.unwrap();
    for (c, due, status) in [
        (&cy, date(2026, 10, 1), "in_progress"),
        (&bo, date(2026, 12, 11), "draft"),
        (&bo, date(2026, 7, 10), "signed_off"),
    ] {
        let pep = openpep_store::peps::Pep {
            id: Uuid::now_v7(),
            la_id: north.id,
            child_id: c.id,
            academic_year: 2026,
            term: "autumn".into(),
            reason: "termly".into(),
            status: status.into(),
            due_on: due,
            meeting_at: None,
            signed_off_at: None,
            version: 1,
            created_at: now(),
            updated_at: now(),
            trigger_key: Some(format!("test:{}", due)),
            template_id: None,
            school_id: None,
            next_meeting_at: None,
            signed_off_by: None,
        };
        assert!(openpep_store::peps::create(&mut tx, &pep).await.unwrap());
    }
    tx.commit().await.unwrap();
    let overdue = LearnerFilter { pep_status: Some("overdue".into()), ..LearnerFilter::default() };
    assert_eq!(filtered(overdue).await, [("Cy".to_string(), Some("in_progress".to_string()))]);
    let drafts = LearnerFilter { pep_status: Some("draft".into()), ..LearnerFilter::default() };
    assert_eq!(
        filtered(drafts).await,
        [("Bo".to_string(), Some("draft".to_string()))],
        "the latest PEP counts"
    );
    let by_due = LearnerFilter { sort: children::LearnerSort::PepDue, ..LearnerFilter::default() };
    let order: Vec<_> = filtered(by_due).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(order, ["Cy", "Bo", "Ada"], "soonest due first, none last");
    let mut tx = db.begin().await.unwrap();
    placements::end_child_worker(&mut tx, north.id, ended_worker.id, today).await.unwrap();
    tx.commit().await.unwrap();
    let other_scope = caseload(&north, &other_sw, Role::SocialWorker, None);
    assert!(names(db, &other_scope, None).await.is_empty());
    let history = placements::school_history(db, north.id, cy.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.school_name.as_str()).collect::<Vec<_>>(),
        ["Elm Primary", "Oak Primary"]
    );

    // Rollback: nothing of an abandoned transaction remains.
    let eve = child(&north, "Eve", "Vance", None);
    let mut tx = db.begin().await.unwrap();
    children::insert(&mut tx, &eve).await.unwrap();
    audit::record(&mut tx, &event(&north, &vs, "child.created", Some(&eve))).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(matches!(children::get(db, &whole, today, eve.id).await, Err(StoreError::NotFound)));
    assert!(audit::by_actor(db, vs.id, 10).await.unwrap().is_empty());

    // Unique constraints are reported by name, the same on both backends.
    let mut tx = db.begin().await.unwrap();
    let dup = users::insert(&mut tx, &user("sw@example.org")).await;
    assert!(
        matches!(&dup, Err(StoreError::Duplicate { constraint }) if constraint == "users_email_key"),
        "{dup:?}"
    );
    tx.rollback().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let dup =
        children::insert(&mut tx, &child(&north, "Ann", "Other", Some("B801200005001"))).await;
    assert!(
        matches!(&dup, Err(StoreError::Duplicate { constraint }) if constraint == "children_la_id_upn_key"),
        "{dup:?}"
    );
    tx.rollback().await.unwrap();

    // Audit: events read back with their JSON details.
    let viewed = event(&north, &vs, "child.viewed", Some(&ada));
    audit::record_now(db, &viewed).await.unwrap();
    assert_eq!(audit::for_child(db, north.id, ada.id, 10).await.unwrap(), vec![viewed.clone()]);
    // The trail is append-only: the store has no path to change it, and
    // PostgreSQL refuses to even when asked directly.
    if let Db::Postgres(pool) = db {
        for sql in ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"] {
            let refused = sqlx::query(sql).execute(pool).await;
            assert!(refused.is_err(), "{sql} must be refused");
        }
        assert_eq!(audit::for_child(db, north.id, ada.id, 10).await.unwrap(), vec![viewed]);
    }

    // Sessions: live, idle, ended.
    let session = SessionRow {
        id: "a".repeat(64),
        user_id: dt.id,
        membership_id: dt_m.id,
        csrf_token: "token".into(),
        created_at: now(),
        last_seen_at: now(),
        expires_at: now() + chrono::TimeDelta::hours(8),
    };
    let mut tx = db.begin().await.unwrap();
    sessions::insert(&mut tx, &session).await.unwrap();
    tx.commit().await.unwrap();
    let hour_ago = now() - chrono::TimeDelta::hours(1);
    let live = sessions::find_live(db, &session.id, now(), hour_ago, "v1").await.unwrap().unwrap();
    assert!(!live.agreed_terms);
    assert_eq!(live.membership_count, 1);
    let mut tx = db.begin().await.unwrap();
    let agreement = terms::Agreement {
        id: Uuid::now_v7(),
        user_id: dt.id,
        version: "v1".into(),
        agreed_at: now(),
    };
    terms::agree(&mut tx, &agreement).await.unwrap();
    terms::agree(&mut tx, &terms::Agreement { id: Uuid::now_v7(), ..agreement.clone() })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(terms::for_user(db, dt.id).await.unwrap(), vec![agreement]);
    let live = sessions::find_live(db, &session.id, now(), hour_ago, "v1").await.unwrap().unwrap();
    assert!(live.agreed_terms);
    assert!(
        !sessions::find_live(db, &session.id, now(), hour_ago, "v2")
            .await
            .unwrap()
            .unwrap()
            .agreed_terms
    );
    assert_eq!(
        (live.role.as_str(), live.la_name.as_str()),
        ("designated_teacher", "Authority 901")
    );
    let later = now() + chrono::TimeDelta::hours(2);
    assert!(
        sessions::find_live(db, &session.id, later, later - chrono::TimeDelta::minutes(30), "v1")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(sessions::delete_for_user(db, dt.id).await.unwrap(), 1);
    assert!(sessions::find_live(db, &session.id, now(), hour_ago, "v1").await.unwrap().is_none());

    // Throttles: one row per subject, replaced on each failure.
    let mut t = throttles::Throttle {
        scope: "email".into(),
        subject: "hash".into(),
        failures: 1,
        window_started_at: now(),
        locked_until: None,
        locks: 0,
        updated_at: now(),
    };
    let mut tx = db.begin().await.unwrap();
    throttles::put(&mut tx, &t).await.unwrap();
    t.failures = 2;
    t.locked_until = Some(now() + chrono::TimeDelta::minutes(15));
    throttles::put(&mut tx, &t).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(throttles::get(db, "email", "hash").await.unwrap(), Some(t));
    let mut tx = db.begin().await.unwrap();
    throttles::clear(&mut tx, "email", "hash").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(throttles::get(db, "email", "hash").await.unwrap(), None);

    pep_story(db, &oak, &elm, &sw).await;
}

fn template(a: &LocalAuthority, by: &User, version: i64, pages: &[&str]) -> StoredTemplate {
    let document = serde_json::json!({ "name": "PEP", "pages": pages });
    StoredTemplate {
        id: Uuid::now_v7(),
        la_id: a.id,
        version,
        name: format!("PEP template v{version}"),
        format: "json".into(),
        source: document.to_string(),
        template: Json(document),
        uploaded_by: Some(by.id),
        created_at: now() + TimeDelta::minutes(version),
    }
}

fn episode(c: &Child, from: NaiveDate, to: Option<NaiveDate>) -> CareEpisode {
    CareEpisode {
        id: Uuid::now_v7(),
        la_id: c.la_id,
        child_id: c.id,
        started_on: from,
        ended_on: to,
        legal_status: "C2".into(),
        placement_type: "U1".into(),
        placement_provider: None,
        carer_name: Some("A. Carer".into()),
        lives_in: Some("Northtown".into()),
        lives_in_la: true,
        reason_new: None,
        reason_ended: None,
        placement_urn: None,
        created_at: now(),
    }
}

/// A draft termly PEP.
fn pep(la_id: Uuid, child_id: Uuid, academic_year: i32, term: &str, due_on: NaiveDate) -> Pep {
    Pep {
        id: Uuid::now_v7(),
        la_id,
        child_id,
        academic_year,
        term: term.into(),
        reason: "termly".into(),
        status: "draft".into(),
        due_on,
        meeting_at: None,
        signed_off_at: None,
        version: 1,
        created_at: now(),
        updated_at: now(),
        trigger_key: Some(peps::termly_trigger(academic_year, term)),
        template_id: None,
        school_id: None,
        next_meeting_at: None,
        signed_off_by: None,
    }
}

/// Templates, PEPs with their pages and versions, and termly delegations,
/// in two authorities of their own (so the counts are this section's).
async fn pep_story(db: &Db, oak: &School, elm: &School, sw: &User) {
    let today = date(2026, 12, 1);
    let later = now() + TimeDelta::hours(1);
    let (east, west) = (la("903"), la("904"));
    let mut tx = db.begin().await.unwrap();
    for a in [&east, &west] {
        authorities::insert(&mut tx, a).await.unwrap();
    }
    tx.commit().await.unwrap();

    // Templates: one row per version, the newest current, each authority's
    // numbered on their own and seen by no other.
    let v1 = template(&east, sw, 1, &["education"]);
    let v2 = template(&east, sw, 2, &["education", "wellbeing"]);
    let mut tx = db.begin().await.unwrap();
    templates::insert(&mut tx, &v1).await.unwrap();
    templates::insert(&mut tx, &v2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(templates::current(db, east.id).await.unwrap(), Some(v2.clone()));
    assert_eq!(templates::by_version(db, east.id, 1).await.unwrap(), v1);
    assert_eq!(templates::get(db, east.id, v2.id).await.unwrap(), v2);
    assert!(matches!(templates::by_version(db, east.id, 3).await, Err(StoreError::NotFound)));
    assert!(matches!(templates::get(db, west.id, v1.id).await, Err(StoreError::NotFound)));
    assert_eq!(templates::current(db, west.id).await.unwrap(), None);
    assert!(templates::versions(db, west.id).await.unwrap().is_empty());
    let mut tx = db.begin().await.unwrap();
    let dup = templates::insert(&mut tx, &template(&east, sw, 2, &[])).await;
    assert!(
        matches!(&dup, Err(StoreError::Duplicate { constraint }) if constraint == "pep_templates_la_id_version_key"),
        "{dup:?}"
    );
    tx.rollback().await.unwrap();
    let west_v1 = template(&west, sw, 1, &["education"]);
    let mut tx = db.begin().await.unwrap();
    templates::insert(&mut tx, &west_v1).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(templates::current(db, west.id).await.unwrap(), Some(west_v1));
    assert_eq!(templates::current(db, east.id).await.unwrap(), Some(v2.clone()));

    // Children in care: Fay and Gus at Oak; Hal, whose time at Elm ended
    // today; Ivy too young and Jo already 18; Kit, whose care ended today;
    // Mo; and Wes in the other authority.
    let fay = child(&east, "Fay", "Able", None);
    let gus = child(&east, "Gus", "Baker", None);
    let hal = child(&east, "Hal", "Cole", None);
    let ivy = Child { date_of_birth: date(2025, 6, 1), ..child(&east, "Ivy", "Dale", None) };
    let jo = Child { date_of_birth: date(2008, 12, 1), ..child(&east, "Jo", "Eve", None) };
    let kit = child(&east, "Kit", "Ford", None);
    let mo = child(&east, "Mo", "Gale", None);
    let wes = child(&west, "Wes", "Hart", None);
    let mut tx = db.begin().await.unwrap();
    for c in [&fay, &gus, &hal, &ivy, &jo, &kit, &mo, &wes] {
        children::insert(&mut tx, c).await.unwrap();
        let ended = (c.id == kit.id).then_some(today);
        placements::insert_care_episode(&mut tx, &episode(c, date(2025, 1, 6), ended))
            .await
            .unwrap();
    }
    for p in [
        placement(&fay, oak, date(2024, 9, 1), None),
        placement(&gus, oak, date(2024, 9, 1), None),
        placement(&hal, elm, date(2024, 9, 1), Some(today)),
    ] {
        placements::insert_school_placement(&mut tx, &p).await.unwrap();
    }
    tx.commit().await.unwrap();

    // PEPs: one per child per trigger; the status moves only from the
    // status the caller saw.
    let summer = pep(east.id, fay.id, 2025, "summer", date(2026, 6, 15));
    let autumn = Pep {
        template_id: Some(v2.id),
        school_id: Some(oak.id),
        ..pep(east.id, fay.id, 2026, "autumn", date(2026, 10, 15))
    };
    let again = Pep { id: Uuid::now_v7(), ..autumn.clone() };
    let mut tx = db.begin().await.unwrap();
    assert!(peps::create(&mut tx, &summer).await.unwrap());
    assert!(peps::create(&mut tx, &autumn).await.unwrap());
    assert!(!peps::create(&mut tx, &again).await.unwrap(), "the same trigger twice");
    tx.commit().await.unwrap();
    assert_eq!(
        peps::for_child(db, east.id, fay.id).await.unwrap(),
        vec![autumn.clone(), summer.clone()],
        "newest first, and one autumn PEP"
    );
    assert_eq!(peps::get(db, east.id, autumn.id).await.unwrap(), autumn);
    assert!(matches!(peps::get(db, east.id, again.id).await, Err(StoreError::NotFound)));
    assert!(matches!(peps::get(db, west.id, autumn.id).await, Err(StoreError::NotFound)));
    assert!(peps::for_child(db, west.id, fay.id).await.unwrap().is_empty());
    let mut tx = db.begin().await.unwrap();
    let moved = peps::set_status(&mut tx, east.id, autumn.id, "draft", "in_progress", later);
    assert!(moved.await.unwrap());
    let stale = peps::set_status(&mut tx, east.id, autumn.id, "draft", "signed_off", later);
    assert!(!stale.await.unwrap(), "no longer a draft");
    let foreign = peps::set_status(&mut tx, west.id, autumn.id, "in_progress", "signed_off", later);
    assert!(!foreign.await.unwrap(), "another authority's PEP");
    tx.commit().await.unwrap();
    let now_autumn = peps::get(db, east.id, autumn.id).await.unwrap();
    assert_eq!(
        (now_autumn.status.as_str(), now_autumn.version, now_autumn.updated_at),
        ("in_progress", 2, later)
    );

    // Pages: a save is over the version its editor saw, and every saved
    // version is kept; a save over an older version changes nothing.
    let first = serde_json::json!({ "attendance": "92%" });
    let second = serde_json::json!({ "attendance": "95%", "targets": ["reading", "maths"] });
    let theirs = serde_json::json!({ "attendance": "0%" });
    let feelings = serde_json::json!({ "feelings": "settled" });
    let old = serde_json::json!({ "attendance": "88%" });
    let w1 = PageWrite {
        la_id: east.id,
        pep_id: autumn.id,
        page_key: "education",
        expected_version: 0,
        status: "in_progress",
        answers: &first,
        by: sw.id,
        now: now(),
    };
    let w2 = PageWrite {
        expected_version: 1,
        status: "completed",
        answers: &second,
        now: later,
        ..w1.clone()
    };
    let mut tx = db.begin().await.unwrap();
    assert_eq!(pep_pages::save(&mut tx, &w1, Uuid::now_v7()).await.unwrap(), 1);
    assert_eq!(pep_pages::save(&mut tx, &w2, Uuid::now_v7()).await.unwrap(), 2);
    let wellbeing = PageWrite { page_key: "wellbeing", answers: &feelings, ..w1.clone() };
    assert_eq!(pep_pages::save(&mut tx, &wellbeing, Uuid::now_v7()).await.unwrap(), 1);
    let summer_page = PageWrite { pep_id: summer.id, answers: &old, ..w1.clone() };
    assert_eq!(pep_pages::save(&mut tx, &summer_page, Uuid::now_v7()).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let over_v1 = PageWrite { answers: &theirs, ..w2.clone() };
    let over_none = PageWrite { expected_version: 0, ..over_v1.clone() };
    let mut tx = db.begin().await.unwrap();
    for w in [&over_v1, &over_none] {
        let refused = pep_pages::save(&mut tx, w, Uuid::now_v7()).await;
        assert!(matches!(refused, Err(StoreError::StaleVersion)), "{refused:?}");
    }
    tx.commit().await.unwrap();
    let page = pep_pages::get(db, east.id, autumn.id, "education").await.unwrap().unwrap();
    assert_eq!(
        (page.version, page.status.as_str(), &page.answers.0, page.carried_forward),
        (2, "completed", &second, false)
    );
    assert_eq!(
        (page.updated_by, page.updated_by_name.as_deref(), page.updated_at),
        (Some(sw.id), Some("sw"), later)
    );
    let kept = pep_pages::versions(db, east.id, autumn.id, "education").await.unwrap();
    assert_eq!(
        kept.iter()
            .map(|v| (
                v.version,
                v.status.as_str(),
                &v.answers.0,
                v.saved_by_name.as_deref(),
                v.saved_at
            ))
            .collect::<Vec<_>>(),
        [
            (2, "completed", &second, Some("sw"), later),
            (1, "in_progress", &first, Some("sw"), now())
        ],
        "newest first"
    );
    let keys = |pages: Vec<pep_pages::PepPage>| {
        pages.into_iter().map(|p| (p.page_key, p.version)).collect::<Vec<_>>()
    };
    assert_eq!(
        keys(pep_pages::for_pep(db, east.id, autumn.id).await.unwrap()),
        [("education".to_string(), 2), ("wellbeing".to_string(), 1)]
    );
    assert!(pep_pages::for_pep(db, west.id, autumn.id).await.unwrap().is_empty());
    assert!(pep_pages::get(db, east.id, autumn.id, "missing").await.unwrap().is_none());

    // Carrying forward: a new PEP starts from the pages of the child's
    // latest earlier PEP, each marked until someone saves it.
    let spring = pep(east.id, fay.id, 2026, "spring", date(2027, 2, 15));
    let mut tx = db.begin().await.unwrap();
    assert!(peps::create(&mut tx, &spring).await.unwrap());
    let mut previous =
        peps::previous_pages(&mut tx, east.id, spring.due_on, Some(fay.id)).await.unwrap();
    previous.sort_by(|a, b| a.page_key.cmp(&b.page_key));
    assert_eq!(
        previous
            .iter()
            .map(|p| (p.child_id, p.page_key.as_str(), &p.answers.0))
            .collect::<Vec<_>>(),
        [(fay.id, "education", &second), (fay.id, "wellbeing", &feelings)],
        "the autumn PEP's pages, not the summer's"
    );
    let mut everyone = peps::previous_pages(&mut tx, east.id, spring.due_on, None).await.unwrap();
    everyone.sort_by(|a, b| a.page_key.cmp(&b.page_key));
    assert_eq!(everyone, previous, "only Fay has pages");
    let before_autumn =
        peps::previous_pages(&mut tx, east.id, autumn.due_on, Some(fay.id)).await.unwrap();
    assert_eq!(
        before_autumn.iter().map(|p| (p.page_key.as_str(), &p.answers.0)).collect::<Vec<_>>(),
        [("education", &old)]
    );
    assert!(peps::previous_pages(&mut tx, west.id, spring.due_on, None).await.unwrap().is_empty());
    for p in &previous {
        pep_pages::insert_carried_forward(
            &mut tx,
            Uuid::now_v7(),
            east.id,
            spring.id,
            &p.page_key,
            &p.answers.0,
            now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let carried = pep_pages::for_pep(db, east.id, spring.id).await.unwrap();
    assert_eq!(
        carried
            .iter()
            .map(|p| (
                p.page_key.as_str(),
                p.status.as_str(),
                &p.answers.0,
                p.carried_forward,
                p.version,
                p.updated_by
            ))
            .collect::<Vec<_>>(),
        [
            ("education", "in_progress", &second, true, 1, None),
            ("wellbeing", "in_progress", &feelings, true, 1, None)
        ]
    );
    // Saving a carried page clears the mark; carrying forward again leaves
    // a page that exists alone.
    let check = PageWrite { pep_id: spring.id, expected_version: 1, answers: &first, ..w1.clone() };
    let mut tx = db.begin().await.unwrap();
    assert_eq!(pep_pages::save(&mut tx, &check, Uuid::now_v7()).await.unwrap(), 2);
    pep_pages::insert_carried_forward(
        &mut tx,
        Uuid::now_v7(),
        east.id,
        spring.id,
        "education",
        &old,
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let saved = pep_pages::get(db, east.id, spring.id, "education").await.unwrap().unwrap();
    assert_eq!((saved.version, saved.carried_forward, &saved.answers.0), (2, false, &first));
    // The carried version is version 1 of the page's history.
    let history = pep_pages::versions(db, east.id, spring.id, "education").await.unwrap();
    assert_eq!(history.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(history[1].answers.0, second);
    // A PEP nobody touched does not hide the pages before it: each page
    // comes from the latest PEP that has it.
    let untouched = pep(east.id, fay.id, 2026, "summer", date(2027, 6, 30));
    let mut tx = db.begin().await.unwrap();
    assert!(peps::create(&mut tx, &untouched).await.unwrap());
    let later =
        peps::previous_pages(&mut tx, east.id, date(2027, 9, 1), Some(fay.id)).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        later.iter().map(|p| (p.page_key.as_str(), &p.answers.0)).collect::<Vec<_>>(),
        [("education", &first), ("wellbeing", &feelings)]
    );

    // Delegation: the term's PEPs go to children in care today, of PEP age,
    // with no PEP for the term: not Fay (her termly PEP), nor Mo (an
    // initial PEP due on the term's last day counts); Gus's initial PEP,
    // due the day before term, does not count.
    let mut tx = db.begin().await.unwrap();
    let initial = |c: &Child, due: NaiveDate| Pep {
        reason: "initial".into(),
        trigger_key: Some(format!("initial:{due}")),
        ..pep(east.id, c.id, 2026, "spring", due)
    };
    assert!(peps::create(&mut tx, &initial(&mo, date(2027, 3, 25))).await.unwrap());
    assert!(peps::create(&mut tx, &initial(&gus, date(2027, 1, 3))).await.unwrap());
    tx.commit().await.unwrap();
    let e = TermlyEligibility {
        la_id: east.id,
        trigger_key: peps::termly_trigger(2026, "spring"),
        born_on_or_before: date(2024, 1, 4),
        born_after: date(2009, 1, 4),
        term_starts_on: date(2027, 1, 4),
        term_ends_on: date(2027, 3, 25),
        today,
    };
    let eligible = |e: TermlyEligibility| async move {
        let page = peps::eligible_page(db, &e, PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(page.total as usize, page.rows.len());
        page.rows.into_iter().map(|c| c.forename).collect::<Vec<_>>()
    };
    assert_eq!(eligible(e.clone()).await, ["Gus", "Hal"]);
    let other_key =
        TermlyEligibility { trigger_key: peps::termly_trigger(2026, "summer"), ..e.clone() };
    assert_eq!(eligible(other_key).await, ["Fay", "Gus", "Hal"], "Fay is left out for her PEP");
    assert_eq!(eligible(TermlyEligibility { la_id: west.id, ..e.clone() }).await, ["Wes"]);
    let page = peps::eligible_page(db, &e, PageRequest::new(1, 1)).await.unwrap();
    let gus_row = EligibleChild {
        child_id: gus.id,
        forename: "Gus".into(),
        surname: "Baker".into(),
        date_of_birth: gus.date_of_birth,
        school_id: Some(oak.id),
        school_name: Some("Oak Primary".into()),
    };
    assert_eq!((page.total, page.rows), (2, vec![gus_row]));
    let page = peps::eligible_page(db, &e, PageRequest::new(2, 1)).await.unwrap();
    assert_eq!(
        page.rows.iter().map(|c| (c.child_id, c.school_id)).collect::<Vec<_>>(),
        [(hal.id, None)],
        "Hal's time at Elm ended today"
    );
    // The run: what is created is what was counted, in one transaction.
    let mut tx = db.begin().await.unwrap();
    let chosen = peps::eligible_all(&mut tx, &e).await.unwrap();
    let mut chosen_ids: Vec<_> = chosen.iter().map(|c| c.child_id).collect();
    chosen_ids.sort();
    let mut expected = vec![gus.id, hal.id];
    expected.sort();
    assert_eq!(chosen_ids, expected);
    for c in &chosen {
        let termly = Pep {
            template_id: Some(v2.id),
            school_id: c.school_id,
            ..pep(east.id, c.child_id, 2026, "spring", date(2027, 2, 12))
        };
        assert!(peps::create(&mut tx, &termly).await.unwrap());
    }
    let run = Delegation {
        id: Uuid::now_v7(),
        la_id: east.id,
        academic_year: 2026,
        term: "spring".into(),
        due_on: date(2027, 2, 12),
        created_count: i32::try_from(chosen.len()).unwrap(),
        run_by: Some(sw.id),
        run_at: now(),
    };
    let earlier = Delegation {
        id: Uuid::now_v7(),
        term: "autumn".into(),
        due_on: date(2026, 10, 16),
        created_count: 0,
        run_at: now() - TimeDelta::days(60),
        ..run.clone()
    };
    peps::record_delegation(&mut tx, &run).await.unwrap();
    peps::record_delegation(&mut tx, &earlier).await.unwrap();
    tx.commit().await.unwrap();
    assert!(eligible(e.clone()).await.is_empty(), "a second run would make nothing");
    assert_eq!(peps::delegations(db, east.id).await.unwrap(), vec![run, earlier]);
    assert!(peps::delegations(db, west.id).await.unwrap().is_empty());
    assert_eq!(
        peps::for_child(db, east.id, gus.id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.reason)
            .collect::<Vec<_>>(),
        ["termly", "initial"]
    );

    // A template's versions show who uploaded each and how many PEPs use it.
    assert_eq!(
        templates::versions(db, east.id)
            .await
            .unwrap()
            .into_iter()
            .map(|v| (v.id, v.version, v.uploaded_by_name, v.pep_count))
            .collect::<Vec<_>>(),
        [(v2.id, 2, Some("sw".to_string()), 3), (v1.id, 1, Some("sw".to_string()), 0)]
    );
}

fn event(la: &LocalAuthority, actor: &User, action: &str, c: Option<&Child>) -> AuditEvent {
    AuditEvent {
        id: Uuid::now_v7(),
        la_id: Some(la.id),
        actor_user_id: Some(actor.id),
        action: action.into(),
        entity_type: "child".into(),
        entity_id: c.map(|c| c.id),
        child_id: c.map(|c| c.id),
        details: Json(serde_json::json!({ "fields": ["surname"] })),
        request_id: Some("req-1".into()),
        occurred_at: now(),
    }
}

#[tokio::test]
async fn story_on_sqlite() {
    story(openpep_testkit::sqlite().await).await;
}

#[tokio::test]
async fn story_on_postgres() {
    if let Some(db) = openpep_testkit::postgres().await {
        story(db).await;
    }
}

#[tokio::test]
async fn both_backends_have_the_same_schema() {
    let Some(pg) = openpep_testkit::postgres().await else {
        return;
    };
    let lite = openpep_testkit::sqlite().await;
    let Db::Sqlite(sqlite) = &lite.db else { unreachable!() };
    let Db::Postgres(postgres) = &pg.db else { unreachable!() };
    let lite_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
         ORDER BY 1, 2",
    )
    .fetch_all(sqlite)
    .await
    .unwrap();
    let pg_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
    )
    .fetch_all(postgres)
    .await
    .unwrap();
    assert_eq!(lite_columns, pg_columns);
    let lite_indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         ORDER BY 1, 2",
    )
    .fetch_all(sqlite)
    .await
    .unwrap();
    let pg_indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT tablename::text, indexname::text FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%_pkey' AND tablename NOT LIKE '_sqlx%' ORDER BY 1, 2",
    )
    .fetch_all(postgres)
    .await
    .unwrap();
    assert_eq!(lite_indexes, pg_indexes);
}

#[tokio::test]
async fn sqlite_gathers_statistics_after_a_load_and_keeps_them_up_to_date() {
    let t = openpep_testkit::sqlite().await;
    let Db::Sqlite(pool) = &t.db else { unreachable!() };
    let stats_for = |table: &'static str| async move {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = $1")
            .bind(table)
            .fetch_one(pool)
            .await
            .unwrap_or(0);
        n
    };
    let north = la("901");
    let mut tx = t.db.begin().await.unwrap();
    authorities::insert(&mut tx, &north).await.unwrap();
    for n in 0..300 {
        children::insert(&mut tx, &child(&north, "Ada", &format!("Zephyr{n}"), None))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    // The daily pass analyses a table that has never been analysed.
    t.db.optimize().await.unwrap();
    assert!(stats_for("children").await > 0);

    // After a bulk load every table with an index has its statistics.
    sqlx::query("DELETE FROM sqlite_stat1").execute(pool).await.unwrap();
    t.db.analyze().await.unwrap();
    assert!(stats_for("children").await > 0);
    assert!(stats_for("local_authorities").await > 0);
}
