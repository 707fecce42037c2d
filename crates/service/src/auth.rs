//! Signing in with an email address and password.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use openpep_domain::{Email, Role};
use openpep_store::Json;
use openpep_store::audit::{self, AuditEvent};
use openpep_store::users;
use serde_json::json;
use uuid::Uuid;

use crate::sessions::{NewSession, SessionPolicy};
use crate::{FieldErrors, ServiceError, Services};

/// argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServiceError::Internal(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash of nothing in particular, verified against when the email is
/// unknown so that a wrong email takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3OljyBcLSCoWnTpjIf5KgNwu/r9P8ySHOA1JLpo2/To";

/// The message for any wrong email/password pair: it never says which.
pub const WRONG_CREDENTIALS: &str = "Enter a correct email address and password";

#[derive(Debug)]
pub enum SignInError {
    /// The form was not filled in properly.
    Invalid(FieldErrors),
    /// Unknown email, wrong password, or an account with no access.
    WrongCredentials,
    Service(ServiceError),
}

impl From<ServiceError> for SignInError {
    fn from(e: ServiceError) -> Self {
        SignInError::Service(e)
    }
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: NewSession,
    pub role: Role,
}

impl Services {
    pub async fn sign_in(
        &self,
        policy: SessionPolicy,
        email: &str,
        password: &str,
        request_id: Option<String>,
    ) -> Result<SignedIn, SignInError> {
        let mut errors = FieldErrors::default();
        let parsed = if email.trim().is_empty() {
            errors.add("email", "Enter your email address");
            None
        } else {
            match Email::parse(email) {
                Ok(e) => Some(e),
                Err(_) => {
                    errors.add(
                        "email",
                        "Enter an email address in the correct format, like name@example.com",
                    );
                    None
                }
            }
        };
        if password.is_empty() {
            errors.add("password", "Enter your password");
        }
        let Some(email) = parsed.filter(|_| errors.is_empty()) else {
            return Err(SignInError::Invalid(errors));
        };

        let user = users::by_email(&self.db, email.as_str()).await.map_err(ServiceError::from)?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let password = password.to_owned();
        let verified = hashing(move || {
            verify_password(&password, hash.as_deref().unwrap_or(DUMMY_HASH)) && hash.is_some()
        })
        .await?;
        let now = self.clock.now();
        let membership = match &user {
            Some(u) if verified && u.is_active => users::current_memberships(&self.db, u.id)
                .await
                .map_err(ServiceError::from)?
                .into_iter()
                .find_map(|m| m.role().map(|r| (m, r))),
            _ => None,
        };
        let (Some(user), Some((membership, role))) = (user.filter(|_| verified), membership) else {
            let reason = if verified { "no_access" } else { "wrong_credentials" };
            self.audit_failed_sign_in(reason, request_id).await?;
            return Err(SignInError::WrongCredentials);
        };
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let session = self.start_session(&mut tx, policy, user.id, membership.id).await?;
        users::record_sign_in(&mut tx, user.id, now).await.map_err(ServiceError::from)?;
        audit::record(
            &mut tx,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: Some(membership.la_id),
                actor_user_id: Some(user.id),
                action: "user.signed_in".into(),
                entity_type: "user".into(),
                entity_id: Some(user.id),
                child_id: None,
                details: Json(json!({ "role": role.code() })),
                request_id,
                occurred_at: now,
            },
        )
        .await
        .map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(SignedIn { session, role })
    }

    /// A failed sign-in, without the address typed (it may be a mistyped
    /// one belonging to someone else).
    async fn audit_failed_sign_in(
        &self,
        reason: &str,
        request_id: Option<String>,
    ) -> Result<(), ServiceError> {
        tracing::info!(reason, "sign-in refused");
        audit::record_now(
            &self.db,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: None,
                actor_user_id: None,
                action: "user.sign_in_failed".into(),
                entity_type: "user".into(),
                entity_id: None,
                child_id: None,
                details: Json(json!({ "reason": reason })),
                request_id,
                occurred_at: self.clock.now(),
            },
        )
        .await?;
        Ok(())
    }
}

/// At most this many password hashes at once (each takes 19 MiB): a burst
/// of sign-ins queues instead of exhausting memory.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        tokio::sync::Semaphore::new(cores)
    })
}

/// Runs a password hash off the async workers, waiting at most ten seconds
/// for a turn.
async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    let wait =
        tokio::time::timeout(std::time::Duration::from_secs(10), hashing_permits().acquire());
    let _permit = match wait.await {
        Ok(Ok(permit)) => permit,
        _ => return Err(ServiceError::Busy),
    };
    tokio::task::spawn_blocking(f).await.map_err(|e| ServiceError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("correct horse battery staple").unwrap();
        let b = hash_password("correct horse battery staple").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery staple", &a));
        assert!(!verify_password("correct horse battery stapler", &a));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn dummy_hash_parses() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
