use openpep_domain::{ChildScope, Role};
use openpep_service::demo::DEMO_PASSWORD;
use openpep_store::children;

use crate::support::{dev_config, location, now, on_each_backend};

const PAYLOAD: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";

fn assert_escaped(body: &str, where_: &str) {
    assert!(!body.contains("<script>alert"), "raw script in {where_}");
    assert!(!body.contains("<img src=x"), "raw img in {where_}");
    assert!(
        body.contains("&lt;script&gt;") || body.contains("&#60;script&#62;"),
        "escaped text in {where_}"
    );
}

#[tokio::test]
async fn free_text_is_always_rendered_escaped() {
    on_each_backend(dev_config(), |app| async move {
        // A child whose names hold markup (as an import might bring).
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let id = app.child_ids(&scope).await[0];
        let child = children::get(
            &app.services.db,
            &ChildScope::Authority { la_id: scope.la_id() },
            now().date_naive(),
            id,
        )
        .await
        .unwrap();
        let mut tx = app.services.db.begin().await.unwrap();
        let marked = children::ChildProfile {
            forename: PAYLOAD.into(),
            surname: PAYLOAD.into(),
            ..child.profile()
        };
        children::update_profile(&mut tx, scope.la_id(), id, child.version, &marked, now())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        app.sign_in_role(Role::VsAdmin).await;
        let learners =
            app.get(&format!("/learners?q={}", urlencode(PAYLOAD))).await.text().await.unwrap();
        assert_escaped(&learners, "learners and the search echo");
        let page = app.get(&format!("/children/{id}")).await.text().await.unwrap();
        assert_escaped(&page, "the child page");

        // A person invited with markup in their name, then registering.
        let token = app.csrf("/people/invite").await;
        let response = app
            .post_form(
                "/people/invite",
                &[
                    ("_csrf", &token),
                    ("name", PAYLOAD),
                    ("email", "x@council.example"),
                    ("role", "iro"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        let people = app.get("/people").await.text().await.unwrap();
        assert_escaped(&people, "people");
        let form_echo = app
            .post_form(
                "/people/invite",
                &[("_csrf", &token), ("name", PAYLOAD), ("email", PAYLOAD)],
            )
            .await
            .text()
            .await
            .unwrap();
        assert_escaped(&form_echo, "a form with errors");
    })
    .await;
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).unwrap().trim_start_matches("q=").to_owned()
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    on_each_backend(dev_config(), |app| async move {
        let email = app.account(Role::Iro);
        let token = app.csrf("/sign-in?next=https://evil.example/").await;
        let response = app
            .post_form(
                "/sign-in?next=https://evil.example/",
                &[
                    ("_csrf", &token),
                    ("email", &email),
                    ("password", DEMO_PASSWORD),
                    ("next", "https://evil.example/"),
                ],
            )
            .await;
        assert_eq!(location(&response), "/sign-in/code");
        let response = app.enter_code(&app.latest_code(&email).await).await;
        let target = location(&response);
        assert!(target.starts_with('/') && !target.starts_with("//"), "{target}");
    })
    .await;
}
