//! Sessions: a random token in the cookie, its hash in the database, a
//! CSRF token beside it. Rotated at sign-in (a new token every time), ended
//! at sign-out, idle and absolute timeouts enforced on every load.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use openpep_store::Tx;
use openpep_store::sessions::{self, SessionRow, SessionUser};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{ServiceError, Services};

/// How long a session may sit unused, and live at most.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: TimeDelta,
    pub absolute: TimeDelta,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle: TimeDelta::minutes(30), absolute: TimeDelta::hours(12) }
    }
}

/// A session just started: the token goes in the cookie, once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// A fresh random token: 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256: how tokens (sessions, sign-in challenges, invitation and
/// reset links) are stored, so a copy of the database opens nothing.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    hex(&Sha256::digest(bytes.as_ref()))
}

/// Bytes as lower-case hex (a digest made as a file streams by).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Skip writing `last_seen_at` more often than this: a write per request
/// would make every page view a database write.
const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

impl Services {
    /// Starts a session inside the transaction that signs the person in.
    pub async fn start_session(
        &self,
        tx: &mut Tx,
        policy: SessionPolicy,
        user_id: Uuid,
        membership_id: Uuid,
    ) -> Result<NewSession, ServiceError> {
        let now = self.clock.now();
        let token = random_token();
        let csrf_token = random_token();
        let row = SessionRow {
            id: sha256_hex(&token),
            user_id,
            membership_id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + policy.absolute,
        };
        sessions::insert(tx, &row).await?;
        Ok(NewSession { token, csrf_token })
    }

    /// The live session for a cookie's token, if there is one.
    pub async fn load_session(
        &self,
        policy: SessionPolicy,
        token: &str,
    ) -> Result<Option<SessionUser>, ServiceError> {
        if token.len() != 43 {
            return Ok(None);
        }
        let now = self.clock.now();
        let id = sha256_hex(token);
        let found = sessions::find_live(
            &self.db,
            &id,
            now,
            now - policy.idle,
            crate::account::TERMS_VERSION,
        )
        .await?;
        if let Some(s) = &found
            && needs_touch(s.last_seen_at, now)
        {
            sessions::touch(&self.db, &id, now).await?;
        }
        Ok(found)
    }

    pub async fn end_session(&self, token: &str) -> Result<(), ServiceError> {
        sessions::delete(&self.db, &sha256_hex(token)).await?;
        Ok(())
    }

    /// Removes sessions past their timeouts (the worker calls this).
    pub async fn remove_stale_sessions(&self, policy: SessionPolicy) -> Result<u64, ServiceError> {
        let now = self.clock.now();
        Ok(sessions::delete_stale(&self.db, now, now - policy.idle).await?)
    }
}

fn needs_touch(last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last_seen >= TOUCH_EVERY
}
