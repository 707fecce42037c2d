//! Forgotten passwords: a single-use link, valid for an hour, sent the
//! same way whether or not the address has an account.

use chrono::TimeDelta;
use openpep_domain::NewPassword;
use openpep_store::audit::{self, AuditEvent};
use openpep_store::email_tokens::{self, EmailToken};
use openpep_store::{Json, sessions, throttles, users};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{hash_password, hashing, queue_mail};
use crate::invitations::FormError;
use crate::mail::messages;
use crate::sessions::{random_token, sha256_hex};
use crate::throttle::Scope;
use crate::{FieldErrors, ServiceError, Services};

pub const RESET_LIFETIME: TimeDelta = TimeDelta::hours(1);
const PURPOSE: &str = "password_reset";

impl Services {
    /// Sends a reset link if the address has an active account. Says
    /// nothing about whether it did: the caller shows the same page.
    pub async fn request_password_reset(
        &self,
        email: &str,
        request_id: Option<String>,
    ) -> Result<String, FormError> {
        let mut errors = FieldErrors::default();
        let Some(email) = errors.email("email", email, "Enter your email address") else {
            return Err(FormError::Invalid(errors));
        };
        let Some(user) = users::by_email(&self.db, email.as_str()).await?.filter(|u| u.is_active)
        else {
            return Ok(email.as_str().to_owned());
        };
        let now = self.clock.now();
        let token = random_token();
        let mut tx = self.db.begin().await?;
        email_tokens::use_all(&mut tx, user.id, PURPOSE, now).await?;
        let record = EmailToken {
            id: sha256_hex(&token),
            user_id: user.id,
            purpose: PURPOSE.into(),
            created_at: now,
            expires_at: now + RESET_LIFETIME,
            used_at: None,
        };
        email_tokens::insert(&mut tx, &record).await?;
        let link = format!("{}/reset-password/{token}", self.public_url);
        queue_mail(&mut tx, None, &user.email, messages::password_reset(&link), now).await?;
        audit::record(
            &mut tx,
            &user_event(user.id, "user.password_reset_requested", request_id, now),
        )
        .await?;
        tx.commit().await?;
        Ok(email.as_str().to_owned())
    }

    /// Whether a reset link can still be used.
    pub async fn reset_link_open(&self, token: &str) -> Result<bool, ServiceError> {
        Ok(email_tokens::open(&self.db, &sha256_hex(token), PURPOSE, self.clock.now())
            .await?
            .is_some())
    }

    /// Sets a new password from a reset link, ends every session of the
    /// person and lifts any lock. `Ok(false)`: the link can't be used.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        request_id: Option<String>,
    ) -> Result<bool, FormError> {
        let now = self.clock.now();
        let Some(record) = email_tokens::open(&self.db, &sha256_hex(token), PURPOSE, now).await?
        else {
            return Ok(false);
        };
        let user = users::get(&self.db, record.user_id).await?;
        let local_part = user.email.split('@').next().unwrap_or("");
        let password =
            NewPassword::parse(password, &[local_part, &user.display_name]).map_err(|e| {
                let mut errors = FieldErrors::default();
                errors.add("password", e.to_string());
                FormError::Invalid(errors)
            })?;
        let secret = password.expose().to_owned();
        let hash = hashing(move || hash_password(&secret)).await??;
        let mut tx = self.db.begin().await?;
        email_tokens::use_token(&mut tx, &record.id, now).await?;
        users::set_password(&mut tx, user.id, &hash, now).await?;
        throttles::clear(&mut tx, Scope::Email.code(), &crate::throttle::email_key(&user.email))
            .await?;
        audit::record(&mut tx, &user_event(user.id, "user.password_reset", request_id, now))
            .await?;
        tx.commit().await?;
        sessions::delete_for_user(&self.db, user.id).await?;
        Ok(true)
    }
}

fn user_event(
    user_id: Uuid,
    action: &str,
    request_id: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> AuditEvent {
    AuditEvent {
        id: Uuid::now_v7(),
        la_id: None,
        actor_user_id: Some(user_id),
        action: action.into(),
        entity_type: "user".into(),
        entity_id: Some(user_id),
        child_id: None,
        details: Json(json!({})),
        request_id,
        occurred_at: now,
    }
}
