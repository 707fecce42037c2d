//! The security matrix: every route the router serves × every role × (a
//! child on their caseload, a child of their authority outside it, a child
//! of another authority). The route list comes from the router's own
//! table, so a new route is checked the day it is written.

use std::collections::HashMap;

use openpep_domain::{ChildScope, Relationship, Role, allowed, may};
use openpep_store::{authorities, children};
use openpep_web::{Access, ROUTES};

use crate::support::{dev_config, on_each_backend};

/// How a role stands to a child on its caseload in the demo data.
fn caseload_relationship(role: Role) -> Relationship {
    match role {
        r if r.sees_whole_authority() => Relationship::SameAuthority,
        Role::Carer => Relationship::Carer,
        Role::YoungPerson => Relationship::Own,
        Role::TeamManager => Relationship::TeamManager,
        _ => Relationship::Allocated,
    }
}

#[tokio::test]
async fn every_route_for_every_role_and_every_kind_of_child() {
    on_each_backend(dev_config(), |app| async move {
        let other_la = authorities::by_code(&app.services.db, "989").await.unwrap().unwrap();
        let theirs = app.child_ids(&ChildScope::Authority { la_id: other_la.id }).await;
        let mut names = surnames(&app, other_la.id).await;
        let (manager_user, _) = app.user_scope(Role::TeamManager).await;
        // `{person}` names a membership: the team manager's.
        let manager = openpep_store::users::current_memberships(&app.services.db, manager_user).await.unwrap()[0].id;
        let mut checked = 0;
        for role in Role::ALL {
            let browser = app.new_browser();
            browser.sign_in_role(role).await;
            let (_, scope) = app.user_scope(role).await;
            let mine = app.child_ids(&scope).await;
            let everyone = app.child_ids(&ChildScope::Authority { la_id: scope.la_id() }).await;
            names.extend(surnames(&app, scope.la_id()).await);
            let outside = everyone.iter().find(|id| !mine.contains(id)).copied();
            let cases = [("caseload", mine.first().copied()), ("outside", outside), ("other LA", theirs.first().copied())];
            let (me, _) = app.user_scope(role).await;
            for route in ROUTES.iter().filter(|r| r.method == "get") {
                let path = route
                    .path
                    .replace("{token}", "not-a-real-token")
                    .replace("{person}", &manager.to_string())
                    .replace("{year}", "2026")
                    .replace("{version}", "1")
                    .replace("{page}", "meeting")
                    .replace("sources/{code}", "sources/pp_plus")
                    .replace("{code}", "new")
                    .replace("{table}", "status")
                    .replace("{format}", "csv")
                    .replace("{invitation}", &uuid::Uuid::now_v7().to_string())
                    .replace("{notice}", &uuid::Uuid::now_v7().to_string())
                    .replace("{import}", &uuid::Uuid::now_v7().to_string())
                    .replace("{review}", &uuid::Uuid::now_v7().to_string())
                    .replace("{file}", "cohort.csv")
                    .replace("{thread}", &uuid::Uuid::now_v7().to_string())
                    .replace("{attachment}", &uuid::Uuid::now_v7().to_string());
                match route.access {
                    Access::Child(action) => {
                        for (case, child) in cases {
                            let Some(child) = child else { continue };
                            let expected = case == "caseload" && allowed(role, action, caseload_relationship(role));
                            let mut url = path.replace("{id}", &child.to_string());
                            if url.contains("{pep}") {
                                // The child's newest PEP (every demo child has one).
                                let la = if case == "other LA" { other_la.id } else { scope.la_id() };
                                let peps = openpep_store::peps::for_child(&app.services.db, la, child).await.unwrap();
                                url = url.replace("{pep}", &peps[0].id.to_string());
                                if url.contains("{target}") || url.contains("{request}") {
                                    let Some(own) = own_records(&app, &peps, me).await else { continue };
                                    // A review is of the previous PEP's target.
                                    let target = if url.ends_with("/review") { own.earlier_target } else { own.target };
                                    url = url
                                        .replace("{target}", &target.to_string())
                                        .replace("{request}", &own.request.to_string());
                                }
                            }
                            if url.contains("{document}") {
                                let la = if case == "other LA" { other_la.id } else { scope.la_id() };
                                // The child's views: every reader of the PEP may
                                // download those (other kinds: typed_pages.rs).
                                let document =
                                    crate::support::add_document(&app, la, child, "child_views").await;
                                url = url.replace("{document}", &document.to_string());
                            }
                            let response = browser.get(&url).await;
                            let status = response.status().as_u16();
                            let body = response.text().await.unwrap();
                            let surname = &names[&child];
                            // Asking for new funding or arranging the meeting also needs
                            // the PEP open to this person's edits: refused, not hidden.
                            let may_be_refused = route.path.ends_with("/targets/{target}/funding")
                                || route.path.ends_with("/meeting/arrange");
                            // The fixtures' PEPs have no PDF made: not found for
                            // everyone (the sign-off test downloads one).
                            let nothing_there = route.path.ends_with("/pdf/{version}");
                            if expected && nothing_there {
                                assert_eq!(status, 404, "{url} as {}", role.code());
                            } else if expected && may_be_refused && status == 403 {
                                assert!(!body.contains(surname.as_str()), "no data leaks: {url} as {}", role.code());
                            } else if expected {
                                assert_eq!(status, 200, "{} {url} as {} ({case})", route.method, role.code());
                            } else {
                                assert_eq!(status, 404, "{} {url} as {} ({case})", route.method, role.code());
                                assert!(!body.contains(surname.as_str()), "no data leaks: {url} as {}", role.code());
                            }
                            checked += 1;
                        }
                    }
                    access => {
                        let status = browser.get(&path).await.status().as_u16();
                        let ok = match access {
                            Access::Public => matches!(status, 200 | 303 | 404),
                            Access::DemoOnly => status == 200,
                            // One's own record (an invitation): another's is not found.
                            Access::SignedIn
                                if ["{invitation}", "{thread}", "{attachment}"].iter().any(|p| route.path.contains(p)) =>
                            {
                                status == 404
                            }
                            // The dashboard is each person's own view, or none.
                            Access::SignedIn if route.path.starts_with("/dashboard") => {
                                let has = openpep_service::dashboard::view_for(role).is_some();
                                status == if has { 200 } else { 403 }
                            }
                            Access::SignedIn => matches!(status, 200 | 204 | 303),
                            // A notice or an import that does not exist: not
                            // found, to those who may see one.
                            Access::Authority(a)
                                if may(role, a)
                                    && ["{notice}", "{import}", "{review}"].iter().any(|p| route.path.contains(p)) =>
                            {
                                status == 404
                            }
                            Access::Authority(a) if may(role, a) => status == 200,
                            Access::Authority(_) => status == 403,
                            Access::Child(_) => unreachable!(),
                        };
                        assert!(ok, "{} {path} as {} gave {status}", route.method, role.code());
                        checked += 1;
                    }
                }
            }
        }
        let get_routes = ROUTES.iter().filter(|r| r.method == "get").count();
        println!(
            "security matrix on {}: {get_routes} GET routes x {} roles (x up to 3 children for child routes): {checked} checks passed",
            app.backend,
            Role::ALL.len()
        );
        assert!(checked >= get_routes * Role::ALL.len());
    })
    .await;
}

/// A target of the child's newest PEP with a funding request on it, and
/// a target of the PEP before, for the routes about one.
struct OwnRecords {
    target: uuid::Uuid,
    request: uuid::Uuid,
    earlier_target: uuid::Uuid,
}

/// Makes the child's `OwnRecords` (`None` for a child with one PEP).
async fn own_records(
    app: &crate::support::TestApp,
    peps: &[openpep_store::peps::Pep],
    by: uuid::Uuid,
) -> Option<OwnRecords> {
    use openpep_store::funding::{NewRequest, RequestFields};
    use openpep_store::targets::{NewTarget, TargetFields};
    let (newest, earlier) = (peps.first()?, peps.get(1)?);
    let now = crate::support::now();
    let action = openpep_domain::targets::ActionStep {
        who: "class_teacher".into(),
        what: "Check the reading record every Monday".into(),
        ..Default::default()
    };
    let fields = TargetFields {
        area: "cognition_learning",
        description: "Reads aloud for ten minutes on five evenings a week until half term.",
        starting_point: "Reads for a few minutes once or twice a week.",
        success_measure: "The reading record shows five evenings a week for six weeks.",
        due_on: None,
        due_term: None,
        due_label: "End of term",
        actions: std::slice::from_ref(&action),
        status: "draft",
    };
    let mut tx = app.services.db.begin().await.unwrap();
    let mut ids = [uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7()].into_iter();
    let (target, earlier_target, request) = (ids.next()?, ids.next()?, ids.next()?);
    for (id, pep) in [(target, newest), (earlier_target, earlier)] {
        let new = NewTarget {
            id,
            la_id: pep.la_id,
            child_id: pep.child_id,
            pep_id: pep.id,
            fields: fields.clone(),
            prompt: None,
            carried_from: None,
            by,
            now,
        };
        openpep_store::targets::insert(&mut tx, &new).await.unwrap();
    }
    let new = NewRequest {
        id: request,
        la_id: newest.la_id,
        child_id: newest.child_id,
        pep_id: newest.id,
        target_id: target,
        school_id: newest.school_id,
        academic_year: newest.academic_year,
        term: &newest.term,
        fields: RequestFields {
            source: "pp_plus",
            purchase: "Ten reading books chosen with the child",
            category: "books",
            amount_pence: 8_000,
            comments: "",
            discretionary: true,
        },
        by,
        now,
    };
    openpep_store::funding::insert(&mut tx, &new).await.unwrap();
    tx.commit().await.unwrap();
    Some(OwnRecords { target, request, earlier_target })
}

/// Every child's surname in an authority, to look for in pages that must
/// not show them.
async fn surnames(app: &crate::support::TestApp, la_id: uuid::Uuid) -> HashMap<uuid::Uuid, String> {
    let page = children::list_learners(
        &app.services.db,
        &ChildScope::Authority { la_id },
        crate::support::now().date_naive(),
        &children::LearnerFilter::default(),
        openpep_store::PageRequest::new(1, 200),
    )
    .await
    .unwrap();
    page.rows.into_iter().map(|r| (r.id, r.surname)).collect()
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_missing_or_wrong_csrf_token() {
    on_each_backend(dev_config(), |app| async move {
        let signed_in = app.new_browser();
        signed_in.sign_in_role(Role::VsAdmin).await;
        let anonymous = app.new_browser();
        anonymous.get("/sign-in").await; // has a pre-sign-in CSRF cookie
        let mut checked = 0;
        for route in ROUTES.iter().filter(|r| r.method == "post") {
            let path = route.path.replace("{token}", "not-a-real-token");
            for browser in [&signed_in, &anonymous] {
                for token in [None, Some("wrong")] {
                    let mut form = vec![("email", "x@example.org")];
                    if let Some(token) = token {
                        form.push(("_csrf", token));
                    }
                    let status = browser.post_form(&path, &form).await.status().as_u16();
                    assert_eq!(status, 403, "POST {path} with token {token:?}");
                    checked += 1;
                }
            }
        }
        println!("CSRF on {}: {checked} refusals checked", app.backend);
    })
    .await;
}
