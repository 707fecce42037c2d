//! The JSON API: its OpenAPI document, bearer tokens, pages of children
//! and PEPs that match the store, a PEP's status, targets and funding,
//! problem details with field pointers, another authority's records not
//! found, and every call audited.

use std::collections::BTreeSet;

use openpep_domain::{ChildScope, Role};
use openpep_store::{audit, peps, targets};
use serde_json::Value;

use crate::support::{TestApp, dev_config, on_each_backend, texts};

/// A token made by the administrator in the browser.
async fn token(app: &TestApp, scope: &str) -> String {
    let admin = app.new_browser();
    admin.sign_in_role(Role::VsAdmin).await;
    let page = "/settings/api-tokens";
    let response = admin.post_page(page, page, &[("name", "Test client"), ("scope", scope)]).await;
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    texts(&html, "#new-token").remove(0)
}

async fn call(app: &TestApp, token: &str, path: &str) -> (u16, String, Value) {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
    (status, kind, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap())
}

#[tokio::test]
async fn the_api_serves_its_document_and_the_authoritys_records_to_a_token() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let la = scope.la_id();
        let db = &app.services.db;

        // The document: OpenAPI 3.1, every route, bearer security.
        let doc: Value =
            serde_json::from_slice(&app.get("/api/v1/openapi.json").await.bytes().await.unwrap())
                .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths: BTreeSet<&str> =
            doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
        for path in [
            "/api/v1/children",
            "/api/v1/children/{id}",
            "/api/v1/peps",
            "/api/v1/peps/{id}",
            "/api/v1/peps/{id}/status",
            "/api/v1/peps/{id}/targets",
            "/api/v1/peps/{id}/funding",
        ] {
            assert!(paths.contains(path), "{path} in {paths:?}");
        }
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");

        // No token, or a wrong one: 401 as a problem.
        let response = app.client.get(app.url("/api/v1/children")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let (status, _, body) = call(&app, "opep_wrong", "/api/v1/children").await;
        assert_eq!((status, body["status"].as_u64()), (401, Some(401)));

        let token = token(&app, "read").await;
        let everyone = app.child_ids(&ChildScope::Authority { la_id: la }).await;
        let (status, kind, first) = call(&app, &token, "/api/v1/children?per_page=25").await;
        assert_eq!((status, kind.as_str()), (200, "application/json"), "{first}");
        assert_eq!(first["total"].as_i64(), Some(everyone.len() as i64), "{}", app.backend);
        let mut seen = BTreeSet::new();
        let pages = everyone.len().div_ceil(25);
        for page in 1..=pages {
            let (_, _, body) =
                call(&app, &token, &format!("/api/v1/children?per_page=25&page={page}")).await;
            for item in body["items"].as_array().unwrap() {
                seen.insert(item["id"].as_str().unwrap().to_owned());
            }
        }
        let expected: BTreeSet<String> = everyone.iter().map(ToString::to_string).collect();
        assert_eq!(seen, expected, "every child once, across the pages");

        // A wrong parameter: 422, pointing at it.
        let (status, kind, body) = call(&app, &token, "/api/v1/children?per_page=0&page=x").await;
        assert_eq!((status, kind.as_str()), (422, "application/problem+json"));
        let pointers: BTreeSet<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(pointers, BTreeSet::from(["#/query/page", "#/query/per_page"]));

        // One child, and their PEPs with status, targets and funding.
        let child = everyone[0];
        let (status, _, body) = call(&app, &token, &format!("/api/v1/children/{child}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["id"], child.to_string());
        let held = peps::for_child(db, la, child).await.unwrap();
        let (_, _, list) = call(&app, &token, &format!("/api/v1/peps?child_id={child}")).await;
        assert_eq!(list["total"].as_i64(), Some(held.len() as i64));
        let pep = &held[0];
        let (status, _, body) = call(&app, &token, &format!("/api/v1/peps/{}", pep.id)).await;
        assert_eq!((status, body["status"].as_str()), (200, Some(pep.status.as_str())));
        let (_, _, body) = call(&app, &token, &format!("/api/v1/peps/{}/status", pep.id)).await;
        assert_eq!(body["due_on"], pep.due_on.to_string());
        let (_, _, body) = call(&app, &token, &format!("/api/v1/peps/{}/targets", pep.id)).await;
        assert_eq!(
            body.as_array().unwrap().len(),
            targets::for_pep(db, la, pep.id).await.unwrap().len()
        );
        let (status, _, body) =
            call(&app, &token, &format!("/api/v1/peps/{}/funding", pep.id)).await;
        assert!(status == 200 && body.is_array());
        let (status, _, body) = call(&app, &token, "/api/v1/peps?term=winter&status=lost").await;
        assert_eq!(status, 422);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);

        // Another authority's child is not found; an unknown route is a problem too.
        let theirs = openpep_store::authorities::ids(db)
            .await
            .unwrap()
            .into_iter()
            .find(|id| *id != la)
            .unwrap();
        let their_child = app.child_ids(&ChildScope::Authority { la_id: theirs }).await[0];
        let (status, kind, _) =
            call(&app, &token, &format!("/api/v1/children/{their_child}")).await;
        assert_eq!((status, kind.as_str()), (404, "application/problem+json"));
        let (status, _, _) = call(&app, &token, "/api/v1/nothing-here").await;
        assert_eq!(status, 404);

        // Every call audited; a call about a child is in that child's log.
        let logged = audit::for_child(db, la, child, 50).await.unwrap();
        assert!(
            logged.iter().any(
                |e| e.action == "api.called" && e.details.0["route"] == "/api/v1/children/{id}"
            )
        );

        // A token stops working when the administrator who made it is deactivated.
        let (admin_id, _) = app.user_scope(Role::VsAdmin).await;
        openpep_store::exec_db!(
            db,
            sqlx::query("UPDATE users SET is_active = $1 WHERE id = $2").bind(false).bind(admin_id)
        )
        .unwrap();
        let (status, _, _) = call(&app, &token, "/api/v1/children").await;
        assert_eq!(status, 401);
    })
    .await;
}

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap())
}

fn pointers(problem: &Value) -> BTreeSet<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_apis_writes_follow_the_import_rules_and_a_read_token_cannot_write() {
    use reqwest::Method;
    use serde_json::json;
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let la = scope.la_id();
        let db = &app.services.db;
        let reader = token(&app, "read").await;
        let writer = token(&app, "read write").await;
        let new_child = json!({ "la_child_id": "API-1", "forename": "Rowan", "surname": "Hale",
            "date_of_birth": "2015-03-02", "sex": "female" });

        let (status, body) = send(&app, &reader, Method::POST, "/api/v1/children", new_child.clone()).await;
        assert_eq!((status, body["status"].as_u64()), (403, Some(403)));

        let (status, body) = send(&app, &writer, Method::POST, "/api/v1/children", new_child.clone()).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!((body["forename"].as_str(), body["gender"].as_str()), (Some("Rowan"), Some("female")));
        let id = body["id"].as_str().unwrap().to_owned();
        let (status, _) = send(&app, &writer, Method::POST, "/api/v1/children", new_child).await;
        assert_eq!(status, 200, "the same child again changes nothing");
        // Again with only a new preferred name: the rest is kept.
        let (status, body) = send(&app, &writer, Method::POST, "/api/v1/children",
            json!({ "la_child_id": "API-1", "preferred_name": "Ro" })).await;
        assert_eq!((status, body["preferred_name"].as_str(), body["surname"].as_str()), (200, Some("Ro"), Some("Hale")), "{body}");

        // Wrong values: each named by its pointer, nothing kept.
        let (status, body) = send(&app, &writer, Method::POST, "/api/v1/children",
            json!({ "la_child_id": "API-2", "date_of_birth": "31/02/2015", "sex": "X" })).await;
        assert_eq!(status, 422, "{body}");
        let wrong = pointers(&body);
        for pointer in ["/date_of_birth", "/sex", "/forename"] {
            assert!(wrong.contains(pointer), "{pointer} in {wrong:?}");
        }
        assert!(openpep_store::children::by_la_child_id(db, la, "API-2").await.unwrap().is_none());
        let (status, _) = send(&app, &writer, Method::POST, "/api/v1/children",
            json!({ "la_child_id": "API-3", "shoe_size": 4 })).await;
        assert_eq!(status, 422);

        // A change: only the fields given.
        let path = format!("/api/v1/children/{id}");
        let (status, body) = send(&app, &writer, Method::PATCH, &path, json!({ "preferred_name": "Rowan", "sex": "" })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["preferred_name"].as_str(), body["gender"].as_str()), (Some("Rowan"), Some("female")));
        let (status, body) = send(&app, &writer, Method::PATCH, &path, json!({ "la_child_id": "OTHER" })).await;
        assert_eq!((status, pointers(&body)), (422, BTreeSet::from(["/la_child_id".to_owned()])));

        // A school by URN: created, then unchanged; a wrong LA code refused.
        let school = json!({ "la_code": "990", "establishment_number": "0099", "name": "Brookside API Primary",
            "establishment_type": "Academy converter", "phase": "Primary", "status": "Open" });
        let (status, body) = send(&app, &writer, Method::PUT, "/api/v1/schools/199001", school.clone()).await;
        assert_eq!((status, body["outcome"].as_str()), (200, Some("created")), "{body}");
        let (_, body) = send(&app, &writer, Method::PUT, "/api/v1/schools/199001", school).await;
        assert_eq!(body["outcome"], "unchanged");
        assert_eq!(openpep_store::schools::by_urn(db, 199001).await.unwrap().unwrap().laestab.as_deref(), Some("9900099"));
        let (status, body) = send(&app, &writer, Method::PUT, "/api/v1/schools/199002",
            json!({ "la_code": "99", "name": "X", "establishment_type": "X", "phase": "X", "status": "Open" })).await;
        assert_eq!((status, pointers(&body)), (422, BTreeSet::from(["/la_code".to_owned()])));

        // Attendance into a child's current PEP; sessions that do not add up refused.
        let children = openpep_store::imports::all_children(db, la).await.unwrap();
        let ids: Vec<_> = children.iter().map(|c| c.id).collect();
        let mut tx = db.begin().await.unwrap();
        let current = openpep_store::imports::current_peps(&mut tx, la, &ids).await.unwrap();
        tx.rollback().await.unwrap();
        let upn = current
            .iter()
            .filter(|p| ["in_progress", "not_started"].contains(&p.status.as_str()) && p.academic_year == 2026)
            .find_map(|p| children.iter().find(|c| c.id == p.child_id)?.upn.clone())
            .unwrap();
        let sessions = |attended: u32| json!({ "upn": upn, "from": "2026-11-02", "to": "2026-11-20",
            "possible": 30, "attended": attended, "authorised": 2, "unauthorised": 1 });
        let (status, body) = send(&app, &writer, Method::PUT, "/api/v1/attendance", sessions(27)).await;
        assert_eq!(status, 200, "{body}");
        assert!(["created", "updated"].contains(&body["outcome"].as_str().unwrap()), "{body}");
        let (_, body) = send(&app, &writer, Method::PUT, "/api/v1/attendance", sessions(27)).await;
        assert_eq!(body["outcome"], "unchanged");
        let (status, body) = send(&app, &writer, Method::PUT, "/api/v1/attendance", sessions(40)).await;
        assert_eq!(status, 422, "{body}");
        assert!(!pointers(&body).is_empty());
    })
    .await;
}
