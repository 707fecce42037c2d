use std::collections::BTreeSet;
use std::sync::Arc;

use openpep_domain::{AcademicYear, ChildScope, NcYear, Phase, Role};
use openpep_service::demo::DemoOptions;
use openpep_service::{FixedClock, Services};
use openpep_store::children::LearnerFilter;
use openpep_store::{PageRequest, authorities, children};

use crate::support::now;

async fn make(seed: u64) -> (openpep_testkit::TestDb, Services, Vec<(String, String, String)>) {
    let db = openpep_testkit::sqlite().await;
    let services = Services::new(db.db.clone(), Arc::new(FixedClock(now())));
    let summary =
        services.generate_demo(DemoOptions { seed, ..DemoOptions::default() }).await.unwrap();
    assert_eq!(summary.children, 300);
    let roles: BTreeSet<_> = summary.accounts.iter().map(|a| a.role.code()).collect();
    assert_eq!(roles.len(), Role::ALL.len(), "an account for every role: {roles:?}");
    let la = authorities::by_code(&services.db, "990").await.unwrap().unwrap();
    let rows = children::list_learners(
        &services.db,
        &ChildScope::Authority { la_id: la.id },
        now().date_naive(),
        &LearnerFilter::default(),
        PageRequest::new(1, 200),
    )
    .await
    .unwrap();
    assert_eq!(rows.total, 300);
    let people = rows
        .rows
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.forename, r.surname),
                r.date_of_birth.to_string(),
                r.upn.clone().unwrap_or_default(),
            )
        })
        .collect();
    (db, services, people)
}

#[tokio::test]
async fn the_demo_is_the_same_for_the_same_seed_and_spans_every_phase() {
    let (_a, services, first) = make(2026).await;
    let (_b, _, again) = make(2026).await;
    let (_c, _, other) = make(99).await;
    assert_eq!(first, again, "same seed, same children");
    assert_ne!(first, other, "another seed, other children");

    let la = authorities::by_code(&services.db, "990").await.unwrap().unwrap();
    let all = children::list_learners(
        &services.db,
        &ChildScope::Authority { la_id: la.id },
        now().date_naive(),
        &LearnerFilter::default(),
        PageRequest::new(1, 200),
    )
    .await
    .unwrap()
    .rows;
    let year = AcademicYear::containing(now().date_naive());
    let phases: BTreeSet<_> =
        all.iter().map(|r| NcYear::for_child(r.date_of_birth, year).phase().code()).collect();
    assert_eq!(phases.len(), Phase::ALL.len(), "{phases:?}");
    let ages: Vec<_> =
        all.iter().map(|r| now().date_naive().years_since(r.date_of_birth).unwrap()).collect();
    assert!(ages.iter().all(|a| (2..=18).contains(a)), "{ages:?}");
    // Every child with a UPN has a valid one.
    for r in &all {
        if let Some(upn) = &r.upn {
            assert!(openpep_domain::Upn::parse(upn).is_ok(), "{upn}");
        }
    }
    assert!(all.iter().any(|r| r.school_name.is_none()), "some have no school place");
}

/// Every PEP whose meeting was held has targets a Virtual School would
/// pass: the previous PEP's reviewed, each prompt answered, the carer's
/// role shown, all agreed; the SMART coach flags none of the demo's
/// targets; the funding queue has requests in each status; and coming
/// meetings have their invitations.
#[tokio::test]
async fn the_demo_writes_targets_reviews_and_funding_a_virtual_school_would_pass() {
    use openpep_domain::PepStatus;
    use openpep_domain::funding::FundingStatus;
    use openpep_service::pep_editing::PepRef;
    use openpep_store::{funding, peps, users};

    let (_db, services, _) = make(2026).await;
    let la = authorities::by_code(&services.db, "990").await.unwrap().unwrap();
    let head = users::by_email(&services.db, "vs.head@northmere.example").await;
    let head = head.unwrap().expect("the VS head");
    let membership = users::membership_choices(&services.db, head.id).await.unwrap();
    let actor = openpep_service::Actor {
        user_id: head.id,
        membership_id: membership[0].id,
        la_id: la.id,
        role: Role::VsHead,
        school_id: None,
        request_id: None,
    };
    let scope = ChildScope::Authority { la_id: la.id };
    let filter = LearnerFilter::default();
    let mut checked = (0, 0, 0, 0);
    for page in 1..=2 {
        let rows = children::list_learners(
            &services.db,
            &scope,
            now().date_naive(),
            &filter,
            PageRequest::new(page, 200),
        )
        .await
        .unwrap();
        for child in rows.rows {
            for pep in peps::for_child(&services.db, la.id, child.id).await.unwrap() {
                let at = PepRef { child_id: child.id, pep_id: pep.id };
                let Ok(targets) = services.open_targets(&actor, at).await else {
                    continue;
                };
                checked.0 += 1;
                let status = PepStatus::from_code(&pep.status).unwrap();
                if !matches!(status, PepStatus::Draft | PepStatus::InProgress) {
                    assert_eq!(targets.unfinished(), Vec::<String>::new(), "{}", pep.id);
                    checked.1 += 1;
                }
                checked.2 += targets.reviews.len();
                for row in &targets.view.targets {
                    let coaching = openpep_service::targets::coaching(row);
                    assert!(coaching.flags.is_empty(), "{}: {:?}", row.description, coaching.flags);
                    checked.3 += 1;
                }
            }
        }
    }
    assert!(checked.1 > 100, "PEPs with agreed targets: {checked:?}");
    assert!(checked.2 > 100, "reviews of earlier targets: {checked:?}");
    assert!(checked.3 > 400, "targets: {checked:?}");
    for status in [
        FundingStatus::Draft,
        FundingStatus::Submitted,
        FundingStatus::MoreInformation,
        FundingStatus::Approved,
        FundingStatus::PartApproved,
        FundingStatus::Declined,
        FundingStatus::Paid,
    ] {
        let filter =
            funding::QueueFilter { status: status.code(), limit: 500, ..Default::default() };
        let found = funding::queue(&services.db, la.id, &filter).await.unwrap();
        assert!(!found.is_empty(), "no {} requests", status.code());
    }
    // Meetings are arranged for PEPs under way: the listed social worker
    // has invitations, some answered.
    let sw = users::by_email(&services.db, "sw1@northmere.example").await.unwrap().unwrap();
    let invited =
        openpep_store::meetings::invitations_for(&services.db, la.id, sw.id, now()).await.unwrap();
    assert!(invited.len() >= 3, "sw1's invitations: {}", invited.len());
    assert!(invited.iter().all(|i| i.starts_at > now() && i.status == "scheduled"));
    assert!(invited.iter().any(|i| i.response == "accepted"));
    let weekday = |i: &openpep_store::meetings::InvitationRow| {
        use chrono::Datelike;
        i.starts_at.weekday().num_days_from_monday() < 5
    };
    assert!(invited.iter().all(weekday), "meetings on school days");
}

/// The national-scale options: children shared among the authorities, and
/// earlier years of PEPs (each signed off, most graded, with their data
/// pages, reviewed targets and funding) written in bulk, the same rows on
/// SQLite and PostgreSQL from the same seed.
/// The PEPs written in bulk: those before last term's (the tests stand in
/// the autumn of 2026) and every PEP of a child who has left care.
const EARLIER: &str = "(p.academic_year < 2025 OR (p.academic_year = 2025 AND p.term <> 'summer') \
     OR EXISTS (SELECT 1 FROM children c WHERE c.id = p.child_id AND c.left_care_on IS NOT NULL))";

#[tokio::test]
async fn earlier_years_are_made_alike_on_both_databases() {
    use openpep_store::copy;

    let options = DemoOptions { seed: 5, authorities: 3, children: 40, years: 2 };
    let sqlite = openpep_testkit::sqlite().await;
    let on_sqlite = Services::new(sqlite.db.clone(), Arc::new(FixedClock(now())));
    let summary = on_sqlite.generate_demo(options).await.unwrap();
    assert_eq!(summary.children, 40);
    assert_eq!(summary.authorities.len(), 3);
    // A fifth as many again left care each earlier year: 5 of each authority.
    assert_eq!(summary.leavers, 15);
    let count = |sql: &str| {
        let (db, sql) = (sqlite.db.clone(), sql.to_owned());
        async move {
            let openpep_store::Db::Sqlite(pool) = &db else { unreachable!() };
            sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await.unwrap()
        }
    };
    // 14, 13 and 13 children.
    let per_la =
        count("SELECT MAX(n) - MIN(n) FROM (SELECT COUNT(*) AS n FROM children GROUP BY la_id)")
            .await;
    assert_eq!(per_la, 1);
    assert_eq!(count("SELECT COUNT(*) FROM children WHERE left_care_on IS NOT NULL").await, 15);
    let after_leaving = count(
        "SELECT COUNT(*) FROM peps p JOIN children c ON c.id = p.child_id \
         WHERE c.left_care_on IS NOT NULL AND p.due_on > c.left_care_on",
    )
    .await;
    assert_eq!(after_leaving, 0, "no PEP falls due after the child left care");
    let open_after_leaving = count(
        "SELECT COUNT(*) FROM care_episodes e JOIN children c ON c.id = e.child_id \
         WHERE c.left_care_on IS NOT NULL AND (e.ended_on IS NULL OR e.ended_on > c.left_care_on)",
    )
    .await;
    assert_eq!(open_after_leaving, 0, "a leaver's episodes ended when they left");
    let leavers_peps = count(
        "SELECT COUNT(*) FROM peps p JOIN children c ON c.id = p.child_id \
         WHERE c.left_care_on IS NOT NULL",
    )
    .await;
    assert!(leavers_peps > 20, "leavers' PEPs: {leavers_peps}");
    assert_eq!(count("SELECT COUNT(*) FROM peps").await as u64, summary.peps);
    let earlier = count(&format!("SELECT COUNT(*) FROM peps p WHERE {EARLIER}")).await;
    assert!(earlier > 100, "earlier years' PEPs: {earlier}");
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) FROM peps p WHERE {EARLIER} AND status NOT IN ('signed_off', 'quality_assured')"
        ))
        .await,
        0
    );
    let without_pages = count(
        "SELECT COUNT(*) FROM peps p WHERE academic_year < 2025 \
         AND NOT EXISTS (SELECT 1 FROM pep_pages pp WHERE pp.pep_id = p.id AND pp.page_key = 'attendance')",
    )
    .await;
    assert_eq!(without_pages, 0, "every earlier PEP has its attendance");
    for (what, sql) in [
        (
            "targets",
            "SELECT COUNT(*) FROM targets t JOIN peps p ON p.id = t.pep_id WHERE p.academic_year < 2025",
        ),
        (
            "reviews",
            "SELECT COUNT(*) FROM target_reviews r JOIN peps p ON p.id = r.pep_id WHERE p.academic_year < 2025",
        ),
        (
            "grades",
            "SELECT COUNT(*) FROM pep_grades g JOIN peps p ON p.id = g.pep_id WHERE p.academic_year < 2025",
        ),
        (
            "paid",
            "SELECT COUNT(*) FROM funding_requests WHERE academic_year < 2025 AND status = 'paid'",
        ),
    ] {
        assert!(count(sql).await > 20, "{what}");
    }
    // Each PEP, bulk-made or graded through the service, carries its
    // newest grade.
    let stale = count(
        "SELECT COUNT(*) FROM peps p WHERE COALESCE(p.grade, '') <> COALESCE((SELECT g.grade \
         FROM pep_grades g WHERE g.pep_id = p.id ORDER BY g.graded_at DESC, g.id DESC LIMIT 1), '')",
    )
    .await;
    assert_eq!(stale, 0, "PEPs whose grade is not their newest");
    assert!(count("SELECT COUNT(*) FROM peps WHERE grade IS NOT NULL").await > 20);
    // Every bulk row belongs to an earlier PEP (before last summer's).
    let mut earlier_rows = count(&format!("SELECT COUNT(*) FROM peps p WHERE {EARLIER}")).await;
    for table in [
        "pep_pages",
        "pep_part_marks",
        "pep_grades",
        "targets",
        "target_reviews",
        "funding_requests",
    ] {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} x JOIN peps p ON p.id = x.pep_id WHERE {EARLIER}"
        );
        earlier_rows += count(&sql).await;
    }
    assert_eq!(summary.bulk_rows as i64, earlier_rows);

    let Some(postgres) = openpep_testkit::postgres().await else { return };
    let on_postgres = Services::new(postgres.db.clone(), Arc::new(FixedClock(now())));
    let again = on_postgres.generate_demo(options).await.unwrap();
    assert_eq!(again.peps, summary.peps);
    let compared = [
        "children",
        "peps",
        "pep_pages",
        "pep_part_marks",
        "pep_grades",
        "targets",
        "target_reviews",
        "funding_requests",
    ];
    // Ids the application makes itself (the authority's template, a
    // sign-off mark's, a grade's) are new each time; all else is the seed's.
    let own_ids = [("peps", "template_id"), ("pep_part_marks", "id"), ("pep_grades", "id")];
    let tables: Vec<_> = copy::plan(&sqlite.db, &postgres.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| compared.contains(&t.name.as_str()))
        .map(|mut t| {
            t.columns.retain(|c| !own_ids.contains(&(t.name.as_str(), c.name.as_str())));
            t
        })
        .collect();
    assert_eq!(tables.len(), compared.len());
    let a = copy::checksums(&sqlite.db, &tables).await.unwrap();
    let b = copy::checksums(&postgres.db, &tables).await.unwrap();
    for ((table, a), b) in tables.iter().zip(&a).zip(&b) {
        assert_eq!(a, b, "{}", table.name);
    }
}
