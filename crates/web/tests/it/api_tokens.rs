//! API tokens: the administrator makes one (shown once, kept hashed),
//! a bad form keeps what was typed, calls are counted against the
//! per-minute limit, and a revoked token opens nothing.

use openpep_domain::Role;
use openpep_service::api_tokens::{ApiRefusal, CALLS_PER_MINUTE, Scope};
use openpep_service::sessions::sha256_hex;
use openpep_store::api_tokens;

use crate::support::{attr, dev_config, location, on_each_backend, texts};

#[tokio::test]
async fn a_token_is_shown_once_kept_hashed_limited_and_revoked() {
    on_each_backend(dev_config(), |app| async move {
        let (admin_id, scope) = app.user_scope(Role::VsAdmin).await;
        let admin = app.new_browser();
        admin.sign_in_role(Role::VsAdmin).await;
        let page = "/settings/api-tokens";
        let (status, _) = admin.get_html(page).await;
        assert_eq!(status, 200);

        // Nothing chosen: both errors, and the name typed is kept.
        let response = admin.post_page(page, page, &[("name", "  ")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let body = response.text().await.unwrap();
        assert!(body.contains("Enter a name that says what the token is for"));
        assert!(body.contains("Choose what the token may do"));
        let response = admin.post_page(page, page, &[("name", "Nightly sync")]).await;
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(attr(&html, "input#name", "value").as_deref(), Some("Nightly sync"));

        let response =
            admin.post_page(page, page, &[("name", "Nightly sync"), ("scope", "read write")]).await;
        assert_eq!(response.status().as_u16(), 200);
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        let secret = texts(&html, "#new-token").remove(0);
        assert!(secret.starts_with("opep_") && secret.len() > 40, "{secret}");
        // Kept only as its hash; shown only the once.
        let held = api_tokens::for_authority(&app.services.db, scope.la_id()).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].token_hash, sha256_hex(&secret));
        assert_eq!(held[0].created_by, admin_id);
        let again = admin.get(page).await.text().await.unwrap();
        assert!(!again.contains(&secret));
        assert!(again.contains(&held[0].prefix));

        // A call with it: the authority, the scope, counted.
        let caller = app.services.authenticate_api(&secret).await.unwrap();
        assert_eq!((caller.la_id, caller.scope), (scope.la_id(), Scope::ReadWrite));
        assert_eq!(
            app.services.authenticate_api("opep_not-a-token").await.unwrap_err(),
            ApiRefusal::Unauthenticated
        );
        for _ in 1..CALLS_PER_MINUTE {
            app.services.authenticate_api(&secret).await.unwrap();
        }
        assert!(matches!(
            app.services.authenticate_api(&secret).await,
            Err(ApiRefusal::RateLimited { retry_after }) if retry_after > 0
        ));

        // Revoked: refused from then on, and listed as revoked.
        let revoke = format!("/settings/api-tokens/{}/revoke", held[0].id);
        let response = admin.post_page(page, &revoke, &[]).await;
        assert_eq!(location(&response), "/settings/api-tokens?revoked=1");
        assert_eq!(
            app.services.authenticate_api(&secret).await.unwrap_err(),
            ApiRefusal::Unauthenticated
        );
        let (_, html) = admin.get_html(page).await;
        assert!(texts(&html, "table td").iter().any(|t| t.starts_with("Revoked")));

        // Only the administrator manages tokens.
        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        assert_eq!(officer.get(page).await.status().as_u16(), 403);
    })
    .await;
}
