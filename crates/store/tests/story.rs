//! The conformance story: the same walk through the store on SQLite and on
//! PostgreSQL. A query or migration is done when this passes on both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use openpep_domain::{ChildScope, Role};
use openpep_store::audit::AuditEvent;
use openpep_store::authorities::LocalAuthority;
use openpep_store::children::{Child, ChildProfile, LearnerFilter};
use openpep_store::placements::{ChildWorker, SchoolPlacement};
use openpep_store::schools::School;
use openpep_store::sessions::SessionRow;
use openpep_store::users::{Membership, User};
use openpep_store::{
    Db, PageRequest, StoreError, audit, authorities, children, placements, schools, sessions,
    terms, throttles, users,
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
        upn: upn.map(Into::into),
        upn_unknown_reason: None,
        uln: None,
        legal_status: Some("C2".into()),
        entered_care_on: Some(date(2023, 1, 9)),
        vs_priority: None,
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
