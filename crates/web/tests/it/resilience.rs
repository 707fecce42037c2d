use openpep_domain::Role;

use crate::support::{dev_config, on_each_backend, texts};

#[tokio::test]
async fn a_lost_database_gives_503_on_readyz_and_a_500_page_with_a_reference() {
    on_each_backend(dev_config(), |app| async move {
        app.sign_in_role(Role::VsHead).await;
        assert_eq!(app.get("/learners").await.status().as_u16(), 200);
        app.services.db.close().await;
        assert_eq!(app.get("/readyz").await.status().as_u16(), 503);
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
        let (status, html) = app.get_html("/learners").await;
        assert_eq!(status, 500, "{}", app.backend);
        assert_eq!(texts(&html, "h1"), ["Sorry, there is a problem with the service"]);
        let reference = texts(&html, "main p")
            .into_iter()
            .find(|p| p.contains("reference"))
            .expect("a reference");
        let code = reference.rsplit(' ').next().unwrap();
        assert_eq!(code.len(), 12, "{reference}");
        let body = html.html();
        assert!(!body.contains("sqlx") && !body.contains("pool"), "no internals on the page");
    })
    .await;
}
