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
    let summary = services
        .generate_demo(DemoOptions { seed, authorities: 1, children_per_authority: 300 })
        .await
        .unwrap();
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
