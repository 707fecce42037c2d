//! The demo's accounts and the sign-in codes e-mailed to them, read from
//! the server's database (the driver signs in as a person would, reading
//! the second step's code from the outbox instead of a mailbox).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use openpep_store::Db;
use tokio::sync::Mutex;

/// One account: its e-mail, role code and authority code.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub role: String,
    pub la_code: String,
}

const SQL: &str = "SELECT u.email, m.role, la.code FROM users u \
     JOIN memberships m ON m.user_id = u.id AND m.ended_at IS NULL \
     JOIN local_authorities la ON la.id = m.la_id \
     WHERE u.is_active ORDER BY la.code DESC, u.email";

/// Every active account with its authority, in a stable order.
pub async fn all(db: &Db) -> anyhow::Result<Vec<Account>> {
    let rows: Vec<(String, String, String)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await?,
    };
    Ok(rows.into_iter().map(|(email, role, la_code)| Account { email, role, la_code }).collect())
}

/// The Virtual School head of the authority with `la_code`.
pub async fn vs_head(db: &Db, la_code: &str) -> anyhow::Result<Account> {
    all(db)
        .await?
        .into_iter()
        .find(|a| a.la_code == la_code && a.role == "vs_head")
        .context("the authority's Virtual School head")
}

/// The code in the newest sign-in e-mail to `email`.
pub async fn latest_code(db: &Db, email: &str) -> anyhow::Result<String> {
    let sent = openpep_store::outbox::recent(db, Some(email), 5).await?;
    let mail = sent.iter().find(|m| m.kind == "sign_in_code").context("no sign-in code e-mail")?;
    mail.subject.split(' ').next().map(str::to_owned).context("a code")
}

/// One lock per account: virtual users sharing an account sign in one at a
/// time, so that each reads its own code.
#[derive(Default, Clone)]
pub struct SignInLocks(Arc<Mutex<HashMap<String, Arc<Mutex<()>>>>>);

impl SignInLocks {
    pub async fn of(&self, email: &str) -> Arc<Mutex<()>> {
        self.0.lock().await.entry(email.to_owned()).or_default().clone()
    }
}
