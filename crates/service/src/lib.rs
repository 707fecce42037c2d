//! Use cases. Each one authorises, validates, then commits its change, the
//! audit row and any jobs in one transaction. Shared by the web handlers,
//! the CLI and (later) the API and importers.

pub mod account;
pub mod allocations;
pub mod api_tokens;
pub mod auth;
pub mod care;
pub mod chasing;
pub mod children;
pub mod clock;
pub mod cohort_filter;
pub mod dashboard;
mod dashboard_cache;
pub mod demo;
pub mod disagreements;
pub mod documents;
mod error;
pub mod exports;
pub mod files;
pub mod funding;
pub mod imports;
pub mod inbox;
pub mod invitations;
pub mod mail;
pub mod meetings;
pub mod notices;
pub mod passwords;
pub mod people;
pub mod pep_archive;
pub mod pep_creation;
pub mod pep_editing;
pub mod pep_lists;
pub mod pep_log;
pub mod pep_templates;
pub mod profile;
pub mod profiles;
pub mod quality;
pub mod retention;
pub mod school_moves;
pub mod sessions;
pub mod settings;
pub mod sign_off;
pub mod targets;
pub mod throttle;
pub mod totp;
pub mod worker;

pub use clock::{Clock, FixedClock, ShiftedClock, SystemClock};
pub use error::{FieldError, FieldErrors, ServiceError};

use std::sync::Arc;
use std::time::Duration;

use openpep_domain::{AuthorityAction, ChildScope, Role};
use openpep_store::Db;
use uuid::Uuid;

/// What every use case needs: the database and the time.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Where people reach the service: the start of links in e-mails.
    pub public_url: Arc<str>,
    /// Template versions already read, by id. A version never changes once
    /// stored, so every app node may keep its own copy.
    templates: pep_templates::TemplateCache,
    /// Where uploaded documents' bytes are kept.
    pub files: Arc<dyn files::FileStore>,
    /// Calls each API token may make in a minute.
    pub api_calls_per_minute: i64,
    /// Dashboards this node worked out lately (none kept unless asked).
    dashboards: Arc<dashboard_cache::DashboardCache>,
}

impl Services {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            public_url: Arc::from("http://127.0.0.1:8080"),
            templates: pep_templates::TemplateCache::default(),
            files: Arc::new(files::DiskStore::new(std::env::temp_dir().join("openpep-files"))),
            api_calls_per_minute: api_tokens::CALLS_PER_MINUTE,
            dashboards: Arc::new(dashboard_cache::DashboardCache::new(Duration::ZERO)),
        }
    }

    /// Keeps each dashboard this node works out for `keep_for`.
    pub fn with_dashboard_cache(mut self, keep_for: Duration) -> Self {
        self.dashboards = Arc::new(dashboard_cache::DashboardCache::new(keep_for));
        self
    }

    /// Lets each API token make `calls` calls a minute (at least one).
    pub fn with_api_limit(mut self, calls: i64) -> Self {
        self.api_calls_per_minute = calls.max(1);
        self
    }

    /// Keeps uploaded files in `files` (the default is a temporary folder).
    pub fn with_files(mut self, files: Arc<dyn files::FileStore>) -> Self {
        self.files = files;
        self
    }

    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    /// Refuses an authority-wide action the actor's role may not take.
    pub fn authorise(&self, actor: &Actor, action: AuthorityAction) -> Result<(), ServiceError> {
        if openpep_domain::may(actor.role, action) { Ok(()) } else { Err(ServiceError::Forbidden) }
    }
}

/// The signed-in person acting in one of their memberships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub membership_id: Uuid,
    pub la_id: Uuid,
    pub role: Role,
    pub school_id: Option<Uuid>,
    /// Correlates audit rows with the request's log lines.
    pub request_id: Option<String>,
}

impl Actor {
    /// An audit event of this person's, about a record of a child of their
    /// authority.
    pub fn event_about_child(
        &self,
        action: &str,
        entity: (&str, Uuid),
        child_id: Uuid,
        details: serde_json::Value,
        at: chrono::DateTime<chrono::Utc>,
    ) -> openpep_store::audit::AuditEvent {
        openpep_store::audit::AuditEvent {
            child_id: Some(child_id),
            ..self.event(action, entity, details, at)
        }
    }

    /// An audit event of this person's in their authority.
    pub fn event(
        &self,
        action: &str,
        entity: (&str, Uuid),
        details: serde_json::Value,
        at: chrono::DateTime<chrono::Utc>,
    ) -> openpep_store::audit::AuditEvent {
        openpep_store::audit::AuditEvent {
            id: Uuid::now_v7(),
            la_id: Some(self.la_id),
            actor_user_id: Some(self.user_id),
            action: action.into(),
            entity_type: entity.0.into(),
            entity_id: Some(entity.1),
            child_id: None,
            details: openpep_store::Json(details),
            request_id: self.request_id.clone(),
            occurred_at: at,
        }
    }

    /// The children this person may see.
    pub fn scope(&self) -> ChildScope {
        ChildScope::for_member(self.la_id, self.user_id, self.role, self.school_id)
    }
}

/// The node's cores: how many CPU-bound jobs (password hashes, dashboards,
/// PDFs) it runs at once.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}
