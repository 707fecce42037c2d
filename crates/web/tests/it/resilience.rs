use openpep_domain::Role;

use crate::support::{dev_config, on_each_backend, texts};

#[tokio::test]
async fn a_lost_database_gives_503_on_readyz_and_the_unavailable_page() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsHead).await;
        assert_eq!(app.get("/learners").await.status().as_u16(), 200);
        app.services.db.close().await;
        assert_eq!(app.get("/readyz").await.status().as_u16(), 503);
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
        let response = app.get("/learners").await;
        assert_eq!(response.status().as_u16(), 503, "{}", app.backend);
        assert_eq!(response.headers()["retry-after"], "60");
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(texts(&html, "h1"), ["Sorry, the service is unavailable"]);
        let body = html.html();
        assert!(!body.contains("sqlx") && !body.contains("pool"), "no internals on the page");
        assert!(body.contains("Nothing you entered in the last step has been saved"));
    })
    .await;
}
