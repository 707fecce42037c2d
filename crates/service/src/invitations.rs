//! Inviting people, and registering from an invitation: the only way an
//! account is made.

use chrono::{DateTime, TimeDelta, Utc};
use openpep_domain::{AuthorityAction, NewPassword, Role};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::invitations::{self, Invitation, PendingInvitation};
use openpep_store::users::{self, Membership, User};
use openpep_store::{Json, Tx, authorities, schools};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{hash_password, hashing, queue_mail};
use crate::mail::messages;
use crate::sessions::{random_token, sha256_hex};
use crate::{Actor, FieldErrors, ServiceError, Services};

pub const INVITATION_LIFETIME: TimeDelta = TimeDelta::days(7);

/// The roles a Virtual School invites from the people pages (carers and
/// young people are invited from a child's page).
pub const INVITABLE_ROLES: [Role; 9] = [
    Role::VsHead,
    Role::VsOfficer,
    Role::VsAdmin,
    Role::SocialWorker,
    Role::TeamManager,
    Role::DesignatedTeacher,
    Role::DesignatedProfessional,
    Role::Iro,
    Role::CareersAdviser,
];

#[derive(Debug, Clone, Default)]
pub struct InviteForm {
    pub name: String,
    pub email: String,
    pub role: String,
    pub school: String,
}

#[derive(Debug)]
pub enum FormError {
    Invalid(FieldErrors),
    Service(ServiceError),
}

impl FormError {
    /// A form refused for one reason, shown against `field`.
    pub fn refused(field: &str, message: impl Into<String>) -> FormError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        FormError::Invalid(errors)
    }
}

impl From<ServiceError> for FormError {
    fn from(e: ServiceError) -> Self {
        FormError::Service(e)
    }
}

impl From<openpep_store::StoreError> for FormError {
    fn from(e: openpep_store::StoreError) -> Self {
        FormError::Service(e.into())
    }
}

/// What the registration page shows about an invitation.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub email: String,
    pub display_name: String,
    pub la_name: String,
    pub role: Role,
    /// The address already has an account: accepting adds this access.
    pub existing_account: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RegisterForm {
    pub name: String,
    pub password: String,
}

fn event(
    la_id: Uuid,
    actor: Option<Uuid>,
    action: &str,
    entity: (&str, Uuid),
    details: serde_json::Value,
    request_id: Option<String>,
    now: DateTime<Utc>,
) -> AuditEvent {
    AuditEvent {
        id: Uuid::now_v7(),
        la_id: Some(la_id),
        actor_user_id: actor,
        action: action.into(),
        entity_type: entity.0.into(),
        entity_id: Some(entity.1),
        child_id: None,
        details: Json(details),
        request_id,
        occurred_at: now,
    }
}

/// Who an invitation is for, and to what.
struct Invited<'a> {
    email: &'a openpep_domain::Email,
    name: &'a str,
    role: Role,
    school_id: Option<Uuid>,
    /// A carer's or young person's invitation reaches one child.
    child_id: Option<Uuid>,
}

impl Services {
    /// Makes the invitation and, in one transaction, stores it, queues its
    /// e-mail and audits it. A new staff invitation replaces any open one
    /// to the same address.
    async fn send_invitation(
        &self,
        actor: &Actor,
        la: &openpep_store::authorities::LocalAuthority,
        to: Invited<'_>,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let token = random_token();
        let email = to.email.as_str();
        let invitation = Invitation {
            id: Uuid::now_v7(),
            la_id: la.id,
            email: email.to_owned(),
            display_name: to.name.to_owned(),
            role: to.role.code().into(),
            school_id: to.school_id,
            child_id: to.child_id,
            invited_by: actor.user_id,
            token_hash: sha256_hex(&token),
            created_at: now,
            expires_at: now + INVITATION_LIFETIME,
            accepted_at: None,
            revoked_at: None,
        };
        let link = format!("{}/register/{token}", self.public_url);
        let days = INVITATION_LIFETIME.num_days();
        let role_name = to.role.label().to_lowercase();
        let content = if users::by_email(&self.db, email).await?.is_some() {
            messages::added_to_authority(&la.name, &role_name, &link, days)
        } else {
            messages::invitation(&la.name, &role_name, &link, days)
        };
        let mut tx = self.db.begin().await?;
        if to.child_id.is_none() {
            invitations::revoke_open(&mut tx, la.id, email, now).await?;
        }
        invitations::insert(&mut tx, &invitation).await?;
        queue_mail(&mut tx, Some(la.id), email, content, now).await?;
        let details = json!({ "email": email, "role": to.role.code(), "school_id": to.school_id });
        let mut entry = event(
            la.id,
            Some(actor.user_id),
            "invitation.sent",
            ("invitation", invitation.id),
            details,
            actor.request_id.clone(),
            now,
        );
        entry.child_id = to.child_id;
        audit::record(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Invites a person to a role in the actor's authority and e-mails them
    /// the link. Returns the address it went to.
    pub async fn invite(&self, actor: &Actor, form: &InviteForm) -> Result<String, FormError> {
        self.authorise(actor, AuthorityAction::InvitePeople)?;
        let mut errors = FieldErrors::default();
        let name = errors.full_name("name", &form.name, "Enter the person's full name");
        let email = errors.email("email", &form.email, "Enter the person's email address");
        let role = Role::from_code(&form.role).filter(|r| INVITABLE_ROLES.contains(r));
        if role.is_none() {
            errors.add("role", "Select the person's role");
        }
        let la = authorities::get(&self.db, actor.la_id).await?;
        let mut school_id = None;
        if let Some(role) = role.filter(|r| r.works_at_a_school()) {
            let known = schools::for_authority(&self.db, la.id, &la.code).await?;
            match Uuid::parse_str(&form.school).ok().filter(|id| known.iter().any(|s| s.id == *id))
            {
                Some(id) => school_id = Some(id),
                None => {
                    let what =
                        if role == Role::DesignatedProfessional { "setting" } else { "school" };
                    errors.add("school", format!("Select the {what} they work at"));
                }
            }
        }
        let (Some(email), Some(role)) = (email, role) else {
            return Err(FormError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(FormError::Invalid(errors));
        }
        if let Some(existing) = users::by_email(&self.db, email.as_str()).await? {
            // Memberships, ended or not: the unique index allows one per role.
            let held = users::current_memberships(&self.db, existing.id).await?;
            if held.iter().any(|m| m.la_id == la.id && m.role == role.code()) {
                errors.add(
                    "email",
                    format!(
                        "{email} already has an account as a {} here",
                        role.label().to_lowercase()
                    ),
                );
                return Err(FormError::Invalid(errors));
            }
        }

        let to = Invited { email: &email, name: &name, role, school_id, child_id: None };
        self.send_invitation(actor, &la, to).await?;
        Ok(email.as_str().to_owned())
    }

    pub async fn pending_invitations(
        &self,
        actor: &Actor,
    ) -> Result<Vec<PendingInvitation>, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewPeople)?;
        Ok(invitations::pending(&self.db, actor.la_id, self.clock.now()).await?)
    }

    async fn open_invitation(&self, token: &str) -> Result<Option<Invitation>, ServiceError> {
        Ok(invitations::open_by_token(&self.db, &sha256_hex(token), self.clock.now()).await?)
    }

    /// The invitation a link names, if it can still be used.
    pub async fn invitation(&self, token: &str) -> Result<Option<InvitationView>, ServiceError> {
        let Some(invitation) = self.open_invitation(token).await? else {
            return Ok(None);
        };
        let Some(role) = Role::from_code(&invitation.role) else {
            return Ok(None);
        };
        let la = authorities::get(&self.db, invitation.la_id).await?;
        let existing = users::by_email(&self.db, &invitation.email).await?.is_some();
        Ok(Some(InvitationView {
            email: invitation.email,
            display_name: invitation.display_name,
            la_name: la.name,
            role,
            existing_account: existing,
        }))
    }

    /// Accepts an invitation: a new account with a password (the link
    /// proves the address), or, for an existing account, the new access.
    /// `Ok(None)` means the link can no longer be used.
    pub async fn accept_invitation(
        &self,
        token: &str,
        form: &RegisterForm,
        request_id: Option<String>,
    ) -> Result<Option<()>, FormError> {
        let Some(invitation) = self.open_invitation(token).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let existing = users::by_email(&self.db, &invitation.email).await?;
        let mut tx = self.db.begin().await?;
        let user_id = match existing {
            Some(user) => user.id,
            None => {
                let user = self.new_user(&invitation, form, now).await?;
                users::insert(&mut tx, &user).await?;
                user.id
            }
        };
        self.grant(&mut tx, &invitation, user_id, now).await?;
        let details = json!({ "role": invitation.role });
        audit::record(
            &mut tx,
            &event(
                invitation.la_id,
                Some(user_id),
                "invitation.accepted",
                ("invitation", invitation.id),
                details,
                request_id,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    async fn new_user(
        &self,
        invitation: &Invitation,
        form: &RegisterForm,
        now: DateTime<Utc>,
    ) -> Result<User, FormError> {
        let mut errors = FieldErrors::default();
        let name = errors.full_name("name", &form.name, "Enter your full name");
        let name = name.as_str();
        let local_part = invitation.email.split('@').next().unwrap_or("");
        let password = match NewPassword::parse(&form.password, &[local_part, name]) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.add("password", e.to_string());
                None
            }
        };
        let Some(password) = password.filter(|_| errors.is_empty()) else {
            return Err(FormError::Invalid(errors));
        };
        let secret = password.expose().to_owned();
        let hash = hashing(move || hash_password(&secret)).await??;
        Ok(User {
            id: Uuid::now_v7(),
            email: invitation.email.clone(),
            display_name: name.to_owned(),
            password_hash: Some(hash),
            email_verified_at: Some(now),
            is_active: true,
            last_signed_in_at: None,
            created_at: now,
            updated_at: now,
            totp_secret: None,
            totp_last_step: None,
            last_membership_id: None,
        })
    }

    /// Gives the invited person the access the invitation names.
    async fn grant(
        &self,
        tx: &mut Tx,
        invitation: &Invitation,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), FormError> {
        invitations::accept(tx, invitation.id, now).await?;
        let membership = Membership {
            id: Uuid::now_v7(),
            user_id,
            la_id: invitation.la_id,
            role: invitation.role.clone(),
            school_id: invitation.school_id,
            created_at: now,
            ended_at: None,
        };
        let already = users::current_memberships(&self.db, user_id).await?;
        if !already.iter().any(|m| m.la_id == membership.la_id && m.role == membership.role) {
            users::insert_membership(tx, &membership).await?;
        }
        if let Some(child_id) = invitation.child_id {
            let worker = openpep_store::placements::ChildWorker {
                id: Uuid::now_v7(),
                la_id: invitation.la_id,
                child_id,
                user_id,
                role: invitation.role.clone(),
                started_on: self.clock.today(),
                ended_on: None,
                created_at: now,
            };
            openpep_store::placements::insert_child_worker(tx, &worker).await?;
        }
        Ok(())
    }

    /// Invites a carer (or the young person themselves) to one child's
    /// records. Returns the address the invitation went to.
    pub async fn invite_to_child(
        &self,
        actor: &Actor,
        child_id: Uuid,
        role: Role,
        name: &str,
        email: &str,
    ) -> Result<String, FormError> {
        let action = match role {
            Role::Carer => openpep_domain::Action::GrantCarerAccess,
            Role::YoungPerson => openpep_domain::Action::ManageAllocations,
            _ => return Err(FormError::Service(ServiceError::Forbidden)),
        };
        let child = self.child_for(actor, child_id, action).await?;
        let mut errors = FieldErrors::default();
        let name = errors.full_name("name", name, "Enter their full name");
        let parsed = errors.email("email", email, "Enter their email address");
        let Some(email) = parsed.filter(|_| errors.is_empty()) else {
            return Err(FormError::Invalid(errors));
        };
        let la = authorities::get(&self.db, actor.la_id).await?;
        let to =
            Invited { email: &email, name: &name, role, school_id: None, child_id: Some(child.id) };
        self.send_invitation(actor, &la, to).await?;
        Ok(email.as_str().to_owned())
    }
}
