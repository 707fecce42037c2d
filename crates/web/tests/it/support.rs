use std::sync::Arc;

use chrono::{TimeZone, Utc};
use openpep_domain::{ChildScope, Role};
use openpep_service::demo::{DEMO_PASSWORD, DemoOptions, DemoSummary};
use openpep_service::{FixedClock, Services};
use openpep_store::children::LearnerFilter;
use openpep_store::{Db, PageRequest, children, users};
use openpep_testkit::TestDb;
use openpep_web::WebConfig;
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use uuid::Uuid;

#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub services: Services,
    pub demo: DemoSummary,
    pub backend: &'static str,
    _db: Arc<TestDb>,
    _files: Arc<Folder>,
}

/// A folder removed when the last app using it is dropped.
pub struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// Runs `test` against a fresh app on each available backend.
pub async fn on_each_backend<F, Fut>(config: WebConfig, test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in openpep_testkit::all_backends().await {
        test(spawn(db, config.clone()).await).await;
    }
}

pub fn dev_config() -> WebConfig {
    WebConfig { dev_mode: true, ..WebConfig::default() }
}

async fn spawn(db: TestDb, config: WebConfig) -> TestApp {
    let backend = match db.db {
        Db::Sqlite(_) => "sqlite",
        Db::Postgres(_) => "postgres",
    };
    // Each app its own folder: every demo makes the same document ids.
    let files = std::env::temp_dir().join(format!("openpep-test-files-{}", Uuid::now_v7()));
    let services = Services::new(db.db.clone(), Arc::new(FixedClock(now())))
        .with_files(Arc::new(openpep_service::files::DiskStore::new(&files)));
    let demo = services
        .generate_demo(DemoOptions { seed: 7, authorities: 2, children: 120, years: 0 })
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = openpep_web::router(services.clone(), config);
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
    });
    TestApp {
        base,
        client: client(),
        services,
        demo,
        backend,
        _db: Arc::new(db),
        _files: Arc::new(Folder(files)),
    }
}

impl TestApp {
    /// The same app seen from another browser (its own cookies).
    pub fn new_browser(&self) -> TestApp {
        TestApp { client: client(), ..self.clone() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn account(&self, role: Role) -> String {
        self.demo.accounts.iter().find(|a| a.role == role).unwrap().email.clone()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_html(&self, path: &str) -> (u16, Html) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, Html::parse_document(&response.text().await.unwrap()))
    }

    /// The CSRF token a form on `path` carries.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, html) = self.get_html(path).await;
        attr(&html, "input[name=_csrf]", "value").expect("a CSRF field")
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).form(fields).send().await.unwrap()
    }

    /// Posts `fields` to `action` with the CSRF token of the form on `page`.
    pub async fn post_page(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(page).await;
        let mut form = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.post_form(action, &form).await
    }

    /// The first step of signing in: email and password.
    pub async fn sign_in_as(&self, email: &str, password: &str) -> reqwest::Response {
        let token = self.csrf("/sign-in").await;
        self.post_form("/sign-in", &[("_csrf", &token), ("email", email), ("password", password)])
            .await
    }

    /// The newest sign-in code e-mailed to `email`, read from the outbox.
    pub async fn latest_code(&self, email: &str) -> String {
        let sent = openpep_store::outbox::recent(&self.services.db, Some(email), 10).await.unwrap();
        let mail = sent.iter().find(|m| m.kind == "sign_in_code").expect("a sign-in code e-mail");
        mail.subject.split(' ').next().unwrap().to_owned()
    }

    /// The second step: the code from the e-mail.
    pub async fn enter_code(&self, code: &str) -> reqwest::Response {
        let token = self.csrf("/sign-in/code").await;
        self.post_form("/sign-in/code", &[("_csrf", &token), ("code", code)]).await
    }

    /// Both steps; returns the second step's response.
    pub async fn sign_in_fully(&self, email: &str, password: &str) -> reqwest::Response {
        let first = self.sign_in_as(email, password).await;
        assert_eq!(
            location(&first),
            "/sign-in/code",
            "password step for {email} on {}",
            self.backend
        );
        self.enter_code(&self.latest_code(email).await).await
    }

    /// Signs in as the demo account of `role` and agrees to the terms.
    pub async fn sign_in_role(&self, role: Role) {
        let response = self.sign_in_fully(&self.account(role), DEMO_PASSWORD).await;
        assert_eq!(response.status().as_u16(), 303, "{} sign-in on {}", role.code(), self.backend);
        if location(&response) == "/terms" {
            self.agree_to_terms().await;
        }
    }

    pub async fn agree_to_terms(&self) {
        let token = self.csrf("/terms").await;
        let mut form = vec![("_csrf", token.as_str())];
        for (code, _) in openpep_service::account::TERMS_STATEMENTS {
            form.push(("agree", code));
        }
        let response = self.post_form("/terms", &form).await;
        assert_eq!(response.status().as_u16(), 303, "terms on {}", self.backend);
    }

    pub async fn user_scope(&self, role: Role) -> (Uuid, ChildScope) {
        let user = users::by_email(&self.services.db, &self.account(role)).await.unwrap().unwrap();
        let membership =
            users::current_memberships(&self.services.db, user.id).await.unwrap().remove(0);
        (user.id, ChildScope::for_member(membership.la_id, user.id, role, membership.school_id))
    }

    /// Ids of the children the given scope reaches, as the store says.
    pub async fn child_ids(&self, scope: &ChildScope) -> Vec<Uuid> {
        children::list_learners(
            &self.services.db,
            scope,
            now().date_naive(),
            &LearnerFilter::default(),
            PageRequest::new(1, 200),
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect()
    }
}

pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

pub fn attr(html: &Html, selector: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(selector).unwrap();
    html.select(&selector).next().and_then(|e| e.value().attr(name)).map(str::to_owned)
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// A small PDF of `kind` on the child's record (uploaded by the
/// authority's first VS user), for the routes that read documents.
pub async fn add_document(app: &TestApp, la_id: Uuid, child_id: Uuid, kind: &str) -> Uuid {
    use openpep_store::documents::{self, Document};
    let id = Uuid::now_v7();
    let storage_key = format!("{la_id}/{id}");
    let bytes = b"%PDF-1.4\n% a test document\n".to_vec();
    app.services.files.put(&storage_key, &bytes).await.unwrap();
    let uploaded_by =
        users::staff_in_roles(&app.services.db, la_id, &["vs_admin", "vs_head"]).await.unwrap()[0]
            .user_id;
    let mut tx = app.services.db.begin().await.unwrap();
    documents::insert(
        &mut tx,
        &Document {
            id,
            la_id,
            child_id,
            pep_id: None,
            kind: kind.into(),
            title: "A test document".into(),
            file_name: "test.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: bytes.len() as i64,
            sha256: String::new(),
            storage_key,
            uploaded_by,
            uploaded_at: now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}
