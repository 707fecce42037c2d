//! The person's profile ("Your account"): their details, the sessions they
//! are signed in with (and ending all but this one), their own recent
//! activity from the audit trail, and setting up an authenticator app.
//!
//! A new authenticator secret is not stored until the person proves their
//! app has it by entering a code. Until then it travels in the setup form,
//! beside an HMAC of it keyed by the session (the hash of the HttpOnly
//! cookie's token and the session's CSRF token): the secret is trusted
//! only if the server made it for this person in this session, so neither
//! a script in the page nor another session can swap in one it knows.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::London;
use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use hmac::{Hmac, Mac};
use openpep_domain::Role;
use openpep_store::audit::{self, AuditEvent};
use openpep_store::sessions::{self, SessionUser};
use openpep_store::{Json, users};
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use crate::sessions::SessionPolicy;
use crate::{FieldErrors, ServiceError, Services, totp};

/// How many of the person's own audit events the profile shows.
pub const ACTIVITY_SHOWN: i64 = 20;

/// The name an authenticator app shows for the account.
pub const TOTP_ISSUER: &str = "OpenPEP";

/// Everything the profile page shows.
#[derive(Debug, Clone)]
pub struct Profile {
    pub display_name: String,
    pub email: String,
    pub role: Option<Role>,
    /// The school or setting of the membership acted in, if it has one.
    pub school_name: Option<String>,
    pub la_name: String,
    /// Live sessions, newest first.
    pub sessions: Vec<LiveSession>,
    /// The person's own recent activity, newest first.
    pub activity: Vec<Activity>,
    pub authenticator_on: bool,
}

/// One live session. Its id (a token hash) stays in the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub started: DateTime<Utc>,
    pub last_active: DateTime<Utc>,
    /// The session of the request asking.
    pub current: bool,
}

/// One thing the person did, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub what: &'static str,
    pub when: DateTime<Utc>,
}

/// A new authenticator secret, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorSetup {
    /// Base32, as the form carries it.
    pub secret: String,
    /// The same in groups of four, for typing into an app.
    pub grouped: String,
    /// The `otpauth://` URI for the QR code.
    pub uri: String,
    /// Hex HMAC of the secret, keyed by the session.
    pub signature: String,
}

/// What the person sent from the setup page.
#[derive(Debug, Clone, Default)]
pub struct AuthenticatorForm {
    pub secret: String,
    pub signature: String,
    pub code: String,
}

#[derive(Debug)]
pub enum AuthenticatorError {
    /// No code, a malformed one, or a wrong one: show the same secret again.
    Invalid(FieldErrors, AuthenticatorSetup),
    /// The secret was not one this session was given.
    Tampered,
    /// An authenticator is already set up; nothing changed.
    AlreadyOn,
    Service(ServiceError),
}

impl From<ServiceError> for AuthenticatorError {
    fn from(e: ServiceError) -> Self {
        AuthenticatorError::Service(e)
    }
}

impl From<openpep_store::StoreError> for AuthenticatorError {
    fn from(e: openpep_store::StoreError) -> Self {
        AuthenticatorError::Service(e.into())
    }
}

impl Services {
    /// The signed-in person's profile.
    pub async fn profile(
        &self,
        session: &SessionUser,
        policy: SessionPolicy,
    ) -> Result<Profile, ServiceError> {
        let now = self.clock.now();
        let user = users::get(&self.db, session.user_id).await?;
        let memberships = users::membership_choices(&self.db, session.user_id).await?;
        let school_name = memberships
            .into_iter()
            .find(|m| m.id == session.membership_id)
            .and_then(|m| m.school_name);
        let sessions = sessions::for_user(&self.db, session.user_id, now, now - policy.idle)
            .await?
            .into_iter()
            .map(|s| LiveSession {
                started: s.created_at,
                last_active: s.last_seen_at,
                current: s.id == session.id,
            })
            .collect();
        let activity = audit::by_actor(&self.db, session.user_id, ACTIVITY_SHOWN)
            .await?
            .into_iter()
            .map(|e| Activity { what: describe_action(&e.action), when: e.occurred_at })
            .collect();
        Ok(Profile {
            display_name: user.display_name,
            email: user.email,
            role: Role::from_code(&session.role),
            school_name,
            la_name: session.la_name.clone(),
            sessions,
            activity,
            authenticator_on: user.totp_secret.is_some(),
        })
    }

    /// Ends every session of the person but this one; returns how many.
    pub async fn end_other_sessions(
        &self,
        session: &SessionUser,
        request_id: Option<String>,
    ) -> Result<u64, ServiceError> {
        let mut tx = self.db.begin().await?;
        let ended = sessions::delete_others(&mut tx, session.user_id, &session.id).await?;
        let details = json!({ "sessions_ended": ended });
        audit::record(
            &mut tx,
            &self.user_event(session, "user.ended_other_sessions", details, request_id),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// A new secret to set up an authenticator app with, or `None` if the
    /// person already has one.
    pub async fn new_authenticator(
        &self,
        session: &SessionUser,
    ) -> Result<Option<AuthenticatorSetup>, ServiceError> {
        let user = users::get(&self.db, session.user_id).await?;
        if user.totp_secret.is_some() {
            return Ok(None);
        }
        let secret = totp::secret_base32(&totp::generate_secret());
        Ok(Some(setup(session, secret)))
    }

    /// Turns the authenticator on if the code matches the secret the form
    /// carries, and the secret is the one this session was given.
    pub async fn enable_authenticator(
        &self,
        session: &SessionUser,
        form: &AuthenticatorForm,
        request_id: Option<String>,
    ) -> Result<(), AuthenticatorError> {
        if !signature_matches(session, &form.secret, &form.signature) {
            return Err(AuthenticatorError::Tampered);
        }
        let Some(secret) =
            totp::secret_from_base32(&form.secret).filter(|s| s.len() == totp::SECRET_BYTES)
        else {
            return Err(AuthenticatorError::Tampered);
        };
        let user = users::get(&self.db, session.user_id).await?;
        if user.totp_secret.is_some() {
            return Err(AuthenticatorError::AlreadyOn);
        }
        let invalid = |message: &str| {
            let mut errors = FieldErrors::default();
            errors.add("code", message);
            AuthenticatorError::Invalid(errors, setup(session, form.secret.clone()))
        };
        let code: String = form.code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if code.is_empty() {
            return Err(invalid("Enter the 6-digit code from your authenticator app"));
        }
        if code.len() != totp::DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("Enter the code as 6 numbers, like 123456"));
        }
        let now = self.clock.now();
        let Some(step) = totp::verify(&secret, &code, now.timestamp(), None) else {
            return Err(invalid("The code is not correct. Check the app and try again"));
        };
        let mut tx = self.db.begin().await?;
        users::set_totp(&mut tx, user.id, Some(&form.secret), Some(step)).await?;
        audit::record(
            &mut tx,
            &self.user_event(session, "user.totp_enabled", json!({}), request_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns the authenticator off: sign-in e-mails a code again.
    pub async fn disable_authenticator(
        &self,
        session: &SessionUser,
        request_id: Option<String>,
    ) -> Result<(), ServiceError> {
        let user = users::get(&self.db, session.user_id).await?;
        if user.totp_secret.is_none() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        users::set_totp(&mut tx, user.id, None, None).await?;
        audit::record(
            &mut tx,
            &self.user_event(session, "user.totp_disabled", json!({}), request_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    fn user_event(
        &self,
        session: &SessionUser,
        action: &str,
        details: serde_json::Value,
        request_id: Option<String>,
    ) -> AuditEvent {
        AuditEvent {
            id: Uuid::now_v7(),
            la_id: Some(session.la_id),
            actor_user_id: Some(session.user_id),
            action: action.into(),
            entity_type: "user".into(),
            entity_id: Some(session.user_id),
            child_id: None,
            details: Json(details),
            request_id,
            occurred_at: self.clock.now(),
        }
    }
}

fn setup(session: &SessionUser, secret: String) -> AuthenticatorSetup {
    AuthenticatorSetup {
        grouped: group_in_fours(&secret),
        uri: totp::otpauth_uri(&secret, &session.email, TOTP_ISSUER),
        signature: sign(session, &secret),
        secret,
    }
}

/// The session's HMAC over the person and the secret. HMAC takes a key of
/// any length, so this is always `Some`.
fn mac(session: &SessionUser, secret: &str) -> Option<Hmac<Sha256>> {
    let key = format!("{}:{}", session.id, session.csrf_token);
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(format!("openpep-totp-setup:{}:{secret}", session.user_id).as_bytes());
    Some(mac)
}

/// The signature the setup form carries (hex); empty, and so never
/// accepted, should there be no MAC.
fn sign(session: &SessionUser, secret: &str) -> String {
    mac(session, secret).map(|m| HEXLOWER.encode(&m.finalize().into_bytes())).unwrap_or_default()
}

/// Whether `signature` (hex) is this session's HMAC of `secret`, compared
/// in constant time.
fn signature_matches(session: &SessionUser, secret: &str, signature: &str) -> bool {
    HEXLOWER_PERMISSIVE
        .decode(signature.as_bytes())
        .is_ok_and(|bytes| mac(session, secret).is_some_and(|m| m.verify_slice(&bytes).is_ok()))
}

/// "ABCDEFGH…" as "ABCD EFGH …".
pub fn group_in_fours(text: &str) -> String {
    text.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An audit action in plain English, for the person's own activity. Never
/// says which child or record: that is in the details, not shown here.
pub fn describe_action(action: &str) -> &'static str {
    match action {
        "user.signed_in" => "Signed in",
        "user.agreed_terms" => "Agreed to the terms of use",
        "user.chose_authority" => "Chose the authority to work for",
        "user.password_reset" => "Reset your password",
        "user.ended_other_sessions" => "Signed out of all other sessions",
        "user.totp_enabled" => "Set up an authenticator app",
        "user.totp_disabled" => "Turned off the authenticator app",
        "child.viewed" => "Viewed a child's record",
        "invitation.sent" => "Invited someone",
        "invitation.accepted" => "Accepted an invitation",
        "allocation.started" => "Allocated someone to a child",
        "allocation.ended" => "Ended someone's allocation to a child",
        "demo.generated" => "Created the demo data",
        "document.uploaded" => "Uploaded a document",
        "document.downloaded" => "Downloaded a document",
        other if other.starts_with("child.") => "Changed a child's record",
        other if other.starts_with("pep.") => "Changed a PEP",
        _ => "Changed a record",
    }
}

/// An audit action in plain English, for a child's history and recent
/// changes (the record is the child's: no need to name it).
pub fn describe_child_event(action: &str) -> &'static str {
    match action {
        "child.viewed" => "Viewed the record",
        "child.updated" => "Changed the child's details",
        "child.care_updated" => "Changed the care information",
        "child.placement_changed" => "Recorded a new care placement",
        "child.came_into_care" => "Recorded that the child came into care",
        "child.school_changed" => "Recorded a change of school",
        "allocation.started" => "Allocated someone to work with the child",
        "allocation.ended" => "Ended an allocation",
        "invitation.sent" => "Invited a carer or the young person",
        "document.uploaded" => "Uploaded a document",
        "document.downloaded" => "Downloaded a document",
        "exclusion.permanent_recorded" => "Recorded a permanent exclusion",
        other if other.starts_with("pep.") => "Changed a PEP",
        _ => "Changed the record",
    }
}

/// A date as GOV.UK writes it: "23 November 2026".
pub fn uk_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A date where space is short (tables): "23 Nov 2026".
pub fn uk_short_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A moment as GOV.UK writes it, in UK time: "23 November 2026 at 10am",
/// "1 June 2026 at 5:30pm", "midday", "midnight".
pub fn uk_time(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&London);
    let time = match (local.hour(), local.minute()) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        (hour, minute) => {
            let suffix = if hour < 12 { "am" } else { "pm" };
            let hour = match hour % 12 {
                0 => 12,
                h => h,
            };
            if minute == 0 {
                format!("{hour}{suffix}")
            } else {
                format!("{hour}:{minute:02}{suffix}")
            }
        }
    };
    format!("{} at {time}", uk_date(local.date_naive()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn session(id: &str, csrf: &str) -> SessionUser {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        SessionUser {
            id: id.into(),
            user_id: Uuid::nil(),
            email: "jo@example.gov.uk".into(),
            display_name: "Jo".into(),
            membership_id: Uuid::nil(),
            la_id: Uuid::nil(),
            la_name: "Authority".into(),
            role: "iro".into(),
            school_id: None,
            csrf_token: csrf.into(),
            created_at: now,
            last_seen_at: now,
            expires_at: now,
            membership_count: 1,
            agreed_terms: true,
            unread_messages: 0,
        }
    }

    #[test]
    fn a_setup_verifies_only_in_its_own_session_and_for_its_own_secret() {
        let mine = session("hash-a", "csrf-a");
        let secret = totp::secret_base32(&totp::generate_secret());
        let s = setup(&mine, secret.clone());
        assert_eq!(s.secret, secret);
        assert_eq!(s.signature.len(), 64);
        assert!(signature_matches(&mine, &s.secret, &s.signature));
        assert!(signature_matches(&mine, &s.secret, &s.signature.to_uppercase()));
        let other_secret = totp::secret_base32(&totp::generate_secret());
        assert!(!signature_matches(&mine, &other_secret, &s.signature));
        assert!(!signature_matches(&session("hash-b", "csrf-a"), &s.secret, &s.signature));
        assert!(!signature_matches(&session("hash-a", "csrf-b"), &s.secret, &s.signature));
        assert!(!signature_matches(&mine, &s.secret, ""));
        assert!(!signature_matches(&mine, &s.secret, "not hex"));
        assert!(s.uri.starts_with("otpauth://totp/OpenPEP:jo%40example.gov.uk?secret="));
        assert!(s.uri.contains(&secret));
    }

    #[test]
    fn secrets_are_grouped_in_fours() {
        assert_eq!(group_in_fours("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(group_in_fours("ABCD"), "ABCD");
        assert_eq!(group_in_fours(""), "");
    }

    #[test]
    fn actions_read_as_plain_english() {
        assert_eq!(describe_action("user.signed_in"), "Signed in");
        assert_eq!(describe_action("child.viewed"), "Viewed a child's record");
        assert_eq!(describe_action("child.something_new"), "Changed a child's record");
        assert_eq!(describe_action("pep.updated"), "Changed a PEP");
        assert_eq!(describe_action("anything.else"), "Changed a record");
        assert_eq!(
            describe_child_event("child.came_into_care"),
            "Recorded that the child came into care"
        );
        assert_eq!(describe_child_event("child.care_updated"), "Changed the care information");
        assert_eq!(describe_child_event("pep.page_saved"), "Changed a PEP");
    }

    #[test]
    fn times_are_written_the_gov_uk_way_in_uk_time() {
        let at = |m, d, h, min| Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap();
        assert_eq!(uk_time(at(11, 23, 10, 0)), "23 November 2026 at 10am");
        assert_eq!(uk_time(at(11, 23, 17, 30)), "23 November 2026 at 5:30pm");
        assert_eq!(uk_time(at(11, 23, 12, 0)), "23 November 2026 at midday");
        assert_eq!(uk_time(at(11, 23, 0, 0)), "23 November 2026 at midnight");
        assert_eq!(uk_time(at(11, 23, 0, 5)), "23 November 2026 at 12:05am");
        // British Summer Time: 23:30 UTC is 12:30am the next day in London.
        assert_eq!(uk_time(at(6, 1, 23, 30)), "2 June 2026 at 12:30am");
    }
}
