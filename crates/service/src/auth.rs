//! Signing in: an e-mail address and password, then a second step — a
//! six-digit code sent by e-mail, or the person's authenticator app — with
//! failures throttled per address typed and per client.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, TimeDelta, Utc};
use openpep_domain::Role;
use openpep_store::audit::{self, AuditEvent};
use openpep_store::challenges::{self, Challenge};
use openpep_store::outbox::{self, OutboxEmail};
use openpep_store::throttles;
use openpep_store::users::{self, User};
use openpep_store::{Json, Tx};
use rand::Rng;
use serde_json::json;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::mail::messages;
use crate::sessions::{NewSession, SessionPolicy, random_token, sha256_hex};
use crate::throttle::{self, Scope};
use crate::{FieldErrors, ServiceError, Services, totp};

/// argon2id with OWASP's lower-memory parameters (7 MiB, 5 passes, 1
/// lane): the same cost to an attacker as 19 MiB and 2 passes, with less
/// held while 200 people sign in at once. Hashes made with other
/// parameters still verify (they carry their own) and are renewed at the
/// person's next sign-in.
fn argon2() -> Argon2<'static> {
    let params = Params::new(7 * 1024, 5, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How every hash made by [`hash_password`] begins.
const CURRENT_HASH: &str = "$argon2id$v=19$m=7168,t=5,p=1$";

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
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("nothing in particular").unwrap_or_default());

/// The message for any wrong email/password pair: it never says which.
pub const WRONG_CREDENTIALS: &str = "Enter a correct email address and password";

/// How long an e-mailed code works, and how many wrong tries it allows.
pub const CODE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
pub const CODE_TRIES: i32 = 5;

/// Who is knocking: the client's address and the request's id.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: String,
    pub request_id: Option<String>,
}

#[derive(Debug)]
pub enum SignInError {
    /// The form was not filled in properly.
    Invalid(FieldErrors),
    /// Unknown email, wrong password, or an account with no access.
    WrongCredentials,
    /// Too many failures for this address or client: wait this long.
    Locked(TimeDelta),
    Service(ServiceError),
}

impl From<ServiceError> for SignInError {
    fn from(e: ServiceError) -> Self {
        SignInError::Service(e)
    }
}

impl From<openpep_store::StoreError> for SignInError {
    fn from(e: openpep_store::StoreError) -> Self {
        SignInError::Service(e.into())
    }
}

/// The second step the person must take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondStep {
    /// A code went to this address.
    EmailCode {
        sent_to: String,
    },
    Authenticator,
}

/// The password was right: the browser keeps `token` for the second step.
#[derive(Debug, Clone)]
pub struct PasswordAccepted {
    pub token: String,
    pub step: SecondStep,
}

#[derive(Debug)]
pub enum CodeError {
    /// No code, or not six digits.
    Invalid(FieldErrors),
    /// A wrong code; the person may try again.
    Wrong(FieldErrors),
    /// The challenge is gone: expired, used up, or never there.
    Expired,
    TooManyTries,
    Service(ServiceError),
}

impl From<openpep_store::StoreError> for CodeError {
    fn from(e: openpep_store::StoreError) -> Self {
        CodeError::Service(e.into())
    }
}

impl From<ServiceError> for CodeError {
    fn from(e: ServiceError) -> Self {
        CodeError::Service(e)
    }
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: NewSession,
    pub role: Role,
    /// How many authorities the person may act in (more than one: ask which).
    pub memberships: usize,
    /// Whether they have agreed to the terms in force (if not: ask first).
    pub agreed_terms: bool,
}

fn code_hash(challenge_id: &str, code: &str) -> String {
    sha256_hex(format!("{challenge_id}:{code}"))
}

fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Only the six digits, whatever spaces or dashes were typed around them.
fn clean_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

impl Services {
    /// Step one: the password. On success a code is e-mailed (unless the
    /// person uses an authenticator) and a challenge awaits it.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &Client,
    ) -> Result<PasswordAccepted, SignInError> {
        let mut errors = FieldErrors::default();
        let parsed = errors.email("email", email, "Enter your email address");
        if password.is_empty() {
            errors.add("password", "Enter your password");
        }
        let Some(email) = parsed.filter(|_| errors.is_empty()) else {
            return Err(SignInError::Invalid(errors));
        };
        let email_key = throttle::email_key(email.as_str());
        self.refuse_if_locked(&email_key, &client.address).await?;

        let user = users::by_email(&self.db, email.as_str()).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let typed = password.to_owned();
        let stored = hash.clone();
        let verified = hashing(move || {
            verify_password(&typed, stored.as_deref().unwrap_or(&DUMMY_HASH)) && stored.is_some()
        })
        .await?;
        let user = match user {
            Some(u) if verified && u.is_active && self.has_membership(u.id).await? => u,
            other => {
                self.sign_in_failed(&email_key, other.as_ref(), client, "wrong_credentials")
                    .await?;
                return Err(SignInError::WrongCredentials);
            }
        };
        // A renewal that fails (busy hashing at a burst of sign-ins) is
        // tried again at the next sign-in; it never refuses this one.
        if let Some(old) = hash.filter(|h| !h.starts_with(CURRENT_HASH))
            && let Err(e) = self.renew_hash(&user, &old, password, client).await
        {
            tracing::warn!(error = %e, "password hash not renewed");
        }
        self.start_challenge(&user, client).await
    }

    /// Hashes the password just verified with today's parameters, in place
    /// of `old` (unless it changed meanwhile, as by a reset).
    async fn renew_hash(
        &self,
        user: &User,
        old: &str,
        password: &str,
        client: &Client,
    ) -> Result<(), ServiceError> {
        let password = password.to_owned();
        let new = hashing(move || hash_password(&password)).await??;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if users::renew_password_hash(&mut tx, user.id, old, &new, now).await? {
            audit::record(
                &mut tx,
                &AuditEvent {
                    id: Uuid::now_v7(),
                    la_id: None,
                    actor_user_id: Some(user.id),
                    action: "user.password_hash_renewed".into(),
                    entity_type: "user".into(),
                    entity_id: Some(user.id),
                    child_id: None,
                    details: Json(json!({ "hash": CURRENT_HASH })),
                    request_id: client.request_id.clone(),
                    occurred_at: now,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn has_membership(&self, user_id: Uuid) -> Result<bool, ServiceError> {
        let memberships = users::current_memberships(&self.db, user_id).await?;
        Ok(memberships.iter().any(|m| m.role().is_some()))
    }

    async fn refuse_if_locked(&self, email_key: &str, address: &str) -> Result<(), SignInError> {
        let now = self.clock.now();
        let by_email = throttles::get(&self.db, Scope::Email.code(), email_key).await?;
        let by_address = throttles::get(&self.db, Scope::Address.code(), address).await?;
        let until = [by_email.as_ref(), by_address.as_ref()]
            .into_iter()
            .filter_map(|t| throttle::locked_until(t, now))
            .max();
        match until {
            Some(until) => Err(SignInError::Locked(until - now)),
            None => Ok(()),
        }
    }

    /// Counts a failure against the address typed and the client, locks
    /// either when it has failed too often (telling the account's owner),
    /// and records the failure in the audit trail (without the address).
    async fn sign_in_failed(
        &self,
        email_key: &str,
        user: Option<&User>,
        client: &Client,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let mut locked_account = false;
        for (scope, subject) in
            [(Scope::Email, email_key), (Scope::Address, client.address.as_str())]
        {
            let previous = throttles::get(&self.db, scope.code(), subject).await?;
            let (next, locked) = throttle::after_failure(previous, scope, subject, now);
            throttles::put(&mut tx, &next).await?;
            locked_account |= locked && scope == Scope::Email;
        }
        if locked_account && let Some(user) = user {
            let content = messages::account_locked(throttle::FIRST_LOCK.num_minutes());
            queue_mail(&mut tx, None, &user.email, content, now).await?;
        }
        let action = if locked_account { "user.locked" } else { "user.sign_in_failed" };
        audit::record(
            &mut tx,
            &AuditEvent {
                id: Uuid::now_v7(),
                la_id: None,
                actor_user_id: None,
                action: action.into(),
                entity_type: "user".into(),
                entity_id: user.map(|u| u.id),
                child_id: None,
                details: Json(json!({ "reason": reason })),
                request_id: client.request_id.clone(),
                occurred_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(reason, locked = locked_account, "sign-in refused");
        Ok(())
    }

    async fn start_challenge(
        &self,
        user: &User,
        client: &Client,
    ) -> Result<PasswordAccepted, SignInError> {
        let now = self.clock.now();
        let token = random_token();
        let id = sha256_hex(&token);
        let mut tx = self.db.begin().await?;
        challenges::delete_for_user(&mut tx, user.id).await?;
        let step = if user.totp_secret.is_some() {
            challenges::insert(&mut tx, &challenge(&id, user.id, "totp", None, now)).await?;
            SecondStep::Authenticator
        } else {
            let code = new_code();
            let hash = code_hash(&id, &code);
            challenges::insert(&mut tx, &challenge(&id, user.id, "email_code", Some(hash), now))
                .await?;
            let content = messages::sign_in_code(&code, CODE_LIFETIME.num_minutes());
            queue_mail(&mut tx, None, &user.email, content, now).await?;
            SecondStep::EmailCode { sent_to: user.email.clone() }
        };
        tx.commit().await?;
        tracing::info!(request_id = ?client.request_id, "password accepted; second step sent");
        Ok(PasswordAccepted { token, step })
    }

    /// What the second-step page should say, if the challenge is still open.
    pub async fn pending_step(&self, token: &str) -> Result<Option<SecondStep>, ServiceError> {
        let Some((challenge, user)) = self.open_challenge(token).await? else {
            return Ok(None);
        };
        Ok(Some(match challenge.method.as_str() {
            "totp" => SecondStep::Authenticator,
            _ => SecondStep::EmailCode { sent_to: user.email },
        }))
    }

    async fn open_challenge(&self, token: &str) -> Result<Option<(Challenge, User)>, ServiceError> {
        let now = self.clock.now();
        let Some(challenge) = challenges::get(&self.db, &sha256_hex(token)).await? else {
            return Ok(None);
        };
        if challenge.expires_at <= now || challenge.attempts >= CODE_TRIES {
            return Ok(None);
        }
        let user = users::get(&self.db, challenge.user_id).await?;
        Ok(user.is_active.then_some((challenge, user)))
    }

    /// Sends a fresh code for an open e-mail challenge (the tries so far
    /// still count).
    pub async fn resend_code(&self, token: &str) -> Result<bool, ServiceError> {
        let Some((challenge, user)) = self.open_challenge(token).await? else {
            return Ok(false);
        };
        if challenge.method != "email_code" {
            return Ok(false);
        }
        let now = self.clock.now();
        let code = new_code();
        let mut tx = self.db.begin().await?;
        challenges::delete(&mut tx, &challenge.id).await?;
        let renewed = Challenge {
            code_hash: Some(code_hash(&challenge.id, &code)),
            created_at: now,
            expires_at: now + CODE_LIFETIME,
            ..challenge
        };
        challenges::insert(&mut tx, &renewed).await?;
        let content = messages::sign_in_code(&code, CODE_LIFETIME.num_minutes());
        queue_mail(&mut tx, None, &user.email, content, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Step two: the code. On success the session starts (a new id).
    pub async fn verify_code(
        &self,
        policy: SessionPolicy,
        token: &str,
        code: &str,
        client: &Client,
    ) -> Result<SignedIn, CodeError> {
        let Some((challenge, user)) = self.open_challenge(token).await? else {
            return Err(CodeError::Expired);
        };
        let Some(code) = clean_code(code) else {
            let mut errors = FieldErrors::default();
            let message = if code.trim().is_empty() {
                "Enter the 6-digit code"
            } else {
                "Enter the code as 6 numbers, like 123456"
            };
            errors.add("code", message);
            return Err(CodeError::Invalid(errors));
        };
        let now = self.clock.now();
        let totp_step = match (challenge.method.as_str(), &challenge.code_hash) {
            ("totp", _) => {
                let secret = user.totp_secret.as_deref().and_then(totp::secret_from_base32);
                secret.and_then(|s| totp::verify(&s, &code, now.timestamp(), user.totp_last_step))
            }
            (_, Some(expected)) => {
                let matches: bool =
                    code_hash(&challenge.id, &code).as_bytes().ct_eq(expected.as_bytes()).into();
                matches.then_some(0)
            }
            _ => None,
        };
        let Some(step) = totp_step else {
            let attempts = challenges::count_attempt(&self.db, &challenge.id).await?;
            if attempts >= CODE_TRIES {
                let email_key = throttle::email_key(&user.email);
                self.sign_in_failed(&email_key, Some(&user), client, "too_many_codes").await?;
                return Err(CodeError::TooManyTries);
            }
            let mut errors = FieldErrors::default();
            errors.add("code", "The code is not correct. Check it and try again");
            return Err(CodeError::Wrong(errors));
        };

        let memberships = users::current_memberships(&self.db, user.id).await?;
        let chosen = memberships
            .iter()
            .filter(|m| m.role().is_some())
            .find(|m| Some(m.id) == user.last_membership_id)
            .or_else(|| memberships.iter().find(|m| m.role().is_some()));
        let Some(membership) = chosen else {
            return Err(CodeError::Expired);
        };
        let role = membership.role().ok_or(CodeError::Expired)?;
        let mut tx = self.db.begin().await?;
        challenges::delete(&mut tx, &challenge.id).await?;
        if challenge.method == "totp" {
            users::set_totp_last_step(&mut tx, user.id, step).await?;
        }
        throttles::clear(&mut tx, Scope::Email.code(), &throttle::email_key(&user.email)).await?;
        let session = self.start_session(&mut tx, policy, user.id, membership.id).await?;
        users::record_sign_in(&mut tx, user.id, now).await?;
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
                details: Json(json!({ "role": role.code(), "second_step": challenge.method })),
                request_id: client.request_id.clone(),
                occurred_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        let count = memberships.iter().filter(|m| m.role().is_some()).count();
        let agreed_terms =
            openpep_store::terms::has_agreed(&self.db, user.id, crate::account::TERMS_VERSION)
                .await?;
        Ok(SignedIn { session, role, memberships: count, agreed_terms })
    }
}

fn challenge(
    id: &str,
    user_id: Uuid,
    method: &str,
    code_hash: Option<String>,
    now: DateTime<Utc>,
) -> Challenge {
    Challenge {
        id: id.to_owned(),
        user_id,
        method: method.into(),
        code_hash,
        attempts: 0,
        created_at: now,
        expires_at: now + CODE_LIFETIME,
    }
}

/// Queues an e-mail in the transaction of the change that causes it.
pub(crate) async fn queue_mail(
    tx: &mut Tx,
    la_id: Option<Uuid>,
    to: &str,
    content: messages::Content,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let email = OutboxEmail::new(la_id, to, content.kind, content.subject, content.body, now);
    outbox::enqueue(tx, &email).await?;
    Ok(())
}

/// At most this many password hashes at once (each takes 19 MiB): a burst
/// of sign-ins queues instead of exhausting memory.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = crate::cores();
        tokio::sync::Semaphore::new(cores)
    })
}

/// Runs a password hash off the async workers, waiting at most ten seconds
/// for a turn.
pub(crate) async fn hashing<T: Send + 'static>(
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
        assert!(a.starts_with(CURRENT_HASH));
        assert!(verify_password("correct horse battery staple", &a));
        assert!(!verify_password("correct horse battery stapler", &a));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn codes_are_six_digits_and_typing_is_forgiven() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert_eq!(clean_code(&code), Some(code.clone()));
        }
        assert_eq!(clean_code(" 123 456 "), Some("123456".into()));
        assert_eq!(clean_code("123-456"), Some("123456".into()));
        assert_eq!(clean_code("12345"), None);
        assert_eq!(clean_code("12345a"), None);
        assert_ne!(code_hash("a", "123456"), code_hash("b", "123456"));
    }

    #[test]
    fn dummy_hash_is_made_like_any_other() {
        assert!(DUMMY_HASH.starts_with(CURRENT_HASH));
        assert!(PasswordHash::new(&DUMMY_HASH).is_ok());
    }
}
