//! The database. One code path for SQLite and PostgreSQL: every query is
//! written once and expanded per backend by [`on_db!`]; every repository
//! method takes the local authority (or a [`ChildScope`]) it works within.

mod db;
mod error;

pub mod api_tokens;
pub mod archives;
pub mod audit;
pub mod authorities;
pub mod bulk;
pub mod challenges;
pub mod children;
pub mod copy;
pub mod dashboard;
pub mod disagreements;
pub mod documents;
pub mod email_tokens;
pub mod exports;
pub mod funding;
pub mod held;
pub mod imports;
pub mod invitations;
pub mod meetings;
pub mod messages;
pub mod notices;
pub mod outbox;
pub mod pep_pages;
pub mod peps;
pub mod placements;
pub mod quality;
pub mod reminders;
pub mod retention;
pub mod schools;
pub mod sessions;
pub mod settings;
pub mod sign_off;
pub mod targets;
pub mod teams;
pub mod templates;
pub mod terms;
pub mod throttles;
pub mod users;

pub(crate) use db::one_row;
pub use db::{Backend, Db, Tx, truncate_to_micros};
pub use error::StoreError;
pub use openpep_domain::ChildScope;
pub use sqlx::types::Json;

/// A page of a longer list: the rows and how many there are in all.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

/// Which slice of a list to fetch (1-based page numbers).
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub fn new(page: u32, per_page: u32) -> Self {
        Self { page: page.max(1), per_page: per_page.clamp(1, 200) }
    }
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}
