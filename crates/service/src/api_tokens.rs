//! API tokens: made by the Virtual School's administrator with a name and
//! a scope (read, or read and write), shown once, kept as SHA-256, revoked
//! by hand. A call with a token is counted against a per-minute limit.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use openpep_domain::AuthorityAction;
use openpep_store::api_tokens::{self, ApiToken};
use openpep_store::audit;
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::sessions::{random_token, sha256_hex};
use crate::{Actor, FieldErrors, ServiceError, Services};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    ReadWrite,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::ReadWrite => "read write",
        }
    }

    pub fn from_code(code: &str) -> Option<Scope> {
        match code {
            "read" => Some(Scope::Read),
            "read write" | "read_write" => Some(Scope::ReadWrite),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Read => "Read only",
            Scope::ReadWrite => "Read and write",
        }
    }

    pub fn may_write(self) -> bool {
        self == Scope::ReadWrite
    }
}

/// Tokens start so, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "opep_";
/// Calls a token may make in a minute, unless the settings say otherwise.
pub const CALLS_PER_MINUTE: i64 = 600;
const MAX_NAME: usize = 100;

/// A token just made: the secret goes to the administrator, once.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Who an API call is from: the token, its authority and scope.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: Uuid,
    pub la_id: Uuid,
    pub scope: Scope,
    /// The administrator who made the token: the calls act for them.
    pub made_by: Uuid,
}

/// Why a call was refused before it reached its use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiRefusal {
    /// No token, or not a live one.
    Unauthenticated,
    /// Over the per-minute limit: try again after this many seconds.
    RateLimited { retry_after: i64 },
    /// The database could not be reached: not the token's fault.
    Unavailable,
}

impl Services {
    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, ServiceError> {
        self.authorise(actor, AuthorityAction::ManageApiTokens)?;
        Ok(api_tokens::for_authority(&self.db, actor.la_id).await?)
    }

    /// Makes a token; audited without its secret.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        scope: &str,
    ) -> Result<NewToken, FormError> {
        self.authorise(actor, AuthorityAction::ManageApiTokens).map_err(FormError::Service)?;
        let mut errors = FieldErrors::default();
        let name = name.trim();
        if name.is_empty() {
            errors.add("name", "Enter a name that says what the token is for");
        } else if name.chars().count() > MAX_NAME {
            errors.add("name", format!("The name must be {MAX_NAME} characters or fewer"));
        }
        let scope = Scope::from_code(scope);
        if scope.is_none() {
            errors.add("scope", "Choose what the token may do");
        }
        let Some(scope) = scope.filter(|_| errors.is_empty()) else {
            return Err(FormError::Invalid(errors));
        };
        let secret = format!("{TOKEN_PREFIX}{}", random_token());
        let now = self.clock.now();
        let token = ApiToken {
            id: Uuid::now_v7(),
            la_id: actor.la_id,
            name: name.to_owned(),
            prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
            token_hash: sha256_hex(&secret),
            scopes: scope.code().to_owned(),
            created_by: actor.user_id,
            created_at: now,
            last_used_at: None,
            revoked_by: None,
            revoked_at: None,
        };
        let event = actor.event(
            "api_token.created",
            ("api_token", token.id),
            json!({ "name": token.name, "scopes": token.scopes, "prefix": token.prefix }),
            now,
        );
        let service = |e: openpep_store::StoreError| FormError::Service(e.into());
        let mut tx = self.db.begin().await.map_err(service)?;
        api_tokens::insert(&mut tx, &token).await.map_err(service)?;
        audit::record(&mut tx, &event).await.map_err(service)?;
        tx.commit().await.map_err(service)?;
        Ok(NewToken { token, secret })
    }

    /// Revokes a token at once; audited.
    pub async fn revoke_api_token(&self, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
        self.authorise(actor, AuthorityAction::ManageApiTokens)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if !api_tokens::revoke(&mut tx, actor.la_id, id, actor.user_id, now).await? {
            return Err(ServiceError::NotFound);
        }
        let event = actor.event("api_token.revoked", ("api_token", id), json!({}), now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller a bearer token stands for, counted against its limit.
    pub async fn authenticate_api(&self, bearer: &str) -> Result<ApiCaller, ApiRefusal> {
        let internal = |e: openpep_store::StoreError| {
            tracing::error!(error = %e, "an API token could not be checked");
            ApiRefusal::Unavailable
        };
        if !bearer.starts_with(TOKEN_PREFIX) {
            return Err(ApiRefusal::Unauthenticated);
        }
        let token = api_tokens::live_by_hash(&self.db, &sha256_hex(bearer))
            .await
            .map_err(internal)?
            .ok_or(ApiRefusal::Unauthenticated)?;
        let now = self.clock.now();
        let window = minute_of(now);
        let mut tx = self.db.begin().await.map_err(internal)?;
        let calls =
            api_tokens::count_call(&mut tx, token.id, window, now).await.map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        if calls > self.api_calls_per_minute {
            let next = window + TimeDelta::minutes(1);
            return Err(ApiRefusal::RateLimited { retry_after: (next - now).num_seconds().max(1) });
        }
        Ok(ApiCaller {
            token_id: token.id,
            la_id: token.la_id,
            scope: Scope::from_code(&token.scopes).unwrap_or(Scope::Read),
            made_by: token.created_by,
        })
    }

    /// Removes rate windows older than an hour (the worker, now and then).
    pub async fn remove_old_rate_windows(&self) -> Result<u64, ServiceError> {
        let before = self.clock.now() - TimeDelta::hours(1);
        Ok(api_tokens::remove_old_windows(&self.db, before).await?)
    }
}

fn minute_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
}

impl Services {
    /// Audits one API call: which route, how it ended, the token, and the
    /// child it was about (so it shows in that child's access log).
    pub async fn record_api_call(
        &self,
        actor: &Actor,
        token_id: Uuid,
        method: &str,
        route: &str,
        status: u16,
        child: Option<Uuid>,
    ) -> Result<(), ServiceError> {
        let details = json!({ "method": method, "route": route, "status": status });
        let mut event =
            actor.event("api.called", ("api_token", token_id), details, self.clock.now());
        event.child_id = child;
        audit::record_now(&self.db, &event).await?;
        Ok(())
    }
}

impl Services {
    /// The authority's administrator with this e-mail, as an actor: how a
    /// command on the server acts for them (`openpep api-token`).
    pub async fn administrator(&self, la_code: &str, email: &str) -> Result<Actor, ServiceError> {
        use openpep_store::{authorities, users};
        let la = authorities::by_code(&self.db, la_code).await?.ok_or_else(|| {
            ServiceError::Internal(format!("no authority with the code {la_code}"))
        })?;
        let user = users::by_email(&self.db, email)
            .await?
            .filter(|u| u.is_active)
            .ok_or_else(|| ServiceError::Internal("no active user with that e-mail".into()))?;
        let membership = users::current_memberships(&self.db, user.id)
            .await?
            .into_iter()
            .find(|m| m.la_id == la.id && m.role == openpep_domain::Role::VsAdmin.code())
            .ok_or(ServiceError::Forbidden)?;
        Ok(Actor {
            user_id: user.id,
            membership_id: membership.id,
            la_id: la.id,
            role: openpep_domain::Role::VsAdmin,
            school_id: None,
            request_id: None,
        })
    }
}
