//! One virtual user: a cookie jar signed in as a demo account, whose every
//! request is timed and recorded under its route.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use openpep_store::Db;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, ORIGIN};

use crate::accounts::{self, Account, SignInLocks};
use crate::html::{self, Control};
use crate::stats::{Outcome, Recorder};

/// Every demo account's password.
pub const PASSWORD: &str = "demo-password-2026";

/// A response as the user's browser got it.
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

pub struct Vu {
    client: reqwest::Client,
    base: String,
    recorder: Arc<Recorder>,
    pub account: Account,
    /// The session's CSRF token, from the last form seen.
    csrf: String,
}

impl Vu {
    pub fn new(base: &str, recorder: Arc<Recorder>, account: Account) -> anyhow::Result<Vu> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(1)
            .build()?;
        Ok(Vu {
            client,
            base: base.trim_end_matches('/').to_owned(),
            recorder,
            account,
            csrf: String::new(),
        })
    }

    /// Records this user's requests from now on in `recorder`.
    pub fn record_into(&mut self, recorder: Arc<Recorder>) {
        self.recorder = recorder;
    }

    /// GETs `path`, recorded as `route`.
    pub async fn get(&mut self, route: &'static str, path: &str) -> anyhow::Result<Reply> {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(route, request).await
    }

    /// POSTs a form (with the CSRF token) to `path`, recorded as `route`.
    pub async fn post(
        &mut self,
        route: &'static str,
        path: &str,
        fields: &[(String, String)],
    ) -> anyhow::Result<Reply> {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        form.extend(
            fields.iter().filter(|(n, _)| n != "_csrf").map(|(n, v)| (n.as_str(), v.as_str())),
        );
        let request =
            self.client.post(format!("{}{path}", self.base)).header(ORIGIN, &self.base).form(&form);
        self.send(route, request).await
    }

    async fn send(
        &mut self,
        route: &'static str,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<Reply> {
        let started = Instant::now();
        let result = async {
            let response = request.send().await?;
            let status = response.status();
            let location =
                response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body = response.text().await?;
            Ok::<_, reqwest::Error>(Reply { status, location, body })
        }
        .await;
        let took = started.elapsed();
        let outcome = match &result {
            Ok(reply) if reply.status.is_success() || reply.status.is_redirection() => Outcome::Ok,
            Ok(reply) if reply.status == StatusCode::CONFLICT => Outcome::Conflict,
            Ok(reply) if reply.status == StatusCode::UNPROCESSABLE_ENTITY => Outcome::Invalid,
            _ => Outcome::Error,
        };
        self.recorder.record(route, took, outcome);
        let reply = result?;
        if let Some(token) = csrf_in(&reply.body) {
            self.csrf = token;
        }
        Ok(reply)
    }

    /// Signs in with the password and the e-mailed code, agreeing to the
    /// terms when asked.
    pub async fn sign_in(&mut self, db: &Db, locks: &SignInLocks) -> anyhow::Result<()> {
        let lock = locks.of(&self.account.email).await;
        let _one_at_a_time = lock.lock().await;
        self.get("GET /sign-in", "/sign-in").await?;
        let fields = [
            ("email".to_owned(), self.account.email.clone()),
            ("password".to_owned(), PASSWORD.to_owned()),
        ];
        let mut reply = self.post("POST /sign-in", "/sign-in", &fields).await?;
        if reply.location.as_deref() == Some("/sign-in/code") {
            self.get("GET /sign-in/code", "/sign-in/code").await?;
            let code = accounts::latest_code(db, &self.account.email).await?;
            reply = self
                .post("POST /sign-in/code", "/sign-in/code", &[("code".to_owned(), code)])
                .await?;
        }
        if reply.location.as_deref() == Some("/terms") {
            let page = self.get("GET /terms", "/terms").await?;
            let agree: Vec<_> = html::form_fields(&page.body, "/terms")
                .into_iter()
                .filter(|f| matches!(f.kind, Control::Checkbox(_)))
                .map(|f| (f.name, f.value))
                .collect();
            reply = self.post("POST /terms", "/terms", &agree).await?;
        }
        if reply.status != StatusCode::SEE_OTHER {
            bail!("signing in {} ended with {}", self.account.role, reply.status);
        }
        // A page with the session's own CSRF token.
        let home = self.get("GET /", "/").await.context("the home page")?;
        if let Some(next) = home.location {
            self.get("GET /", &next).await?;
        }
        Ok(())
    }
}

/// The CSRF token a page's forms carry.
fn csrf_in(body: &str) -> Option<String> {
    let at = body.find("name=\"_csrf\"")?;
    let start = body[..at].rfind('<')?;
    let end = at + body[at..].find('>')?;
    let tag = &body[start..=end];
    let value = tag.find("value=\"")? + "value=\"".len();
    let len = tag[value..].find('"')?;
    Some(tag[value..value + len].to_owned())
}
