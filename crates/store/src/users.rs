//! People who sign in, and their memberships: a role in a local authority
//! (and, for designated teachers and professionals, at a school).

use chrono::{DateTime, Utc};
use openpep_domain::Role;
use uuid::Uuid;

use crate::{Db, StoreError, Tx, exec_tx, on_db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    /// Lower-cased; unique.
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub is_active: bool,
    pub last_signed_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Base32 secret of the person's authenticator app, if they set one up.
    pub totp_secret: Option<String>,
    /// The last authenticator time step accepted (a code works once).
    pub totp_last_step: Option<i64>,
    pub last_membership_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Membership {
    pub id: Uuid,
    pub user_id: Uuid,
    pub la_id: Uuid,
    pub role: String,
    pub school_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl Membership {
    pub fn role(&self) -> Option<Role> {
        Role::from_code(&self.role)
    }
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, email_verified_at, is_active, \
     last_signed_in_at, created_at, updated_at, totp_secret, totp_last_step, last_membership_id";

pub async fn insert(tx: &mut Tx, u: &User) -> Result<(), StoreError> {
    exec_tx!(tx, sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, email_verified_at, is_active, \
         last_signed_in_at, created_at, updated_at, totp_secret, totp_last_step, \
         last_membership_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(u.id)
    .bind(&u.email)
    .bind(&u.display_name)
    .bind(&u.password_hash)
    .bind(u.email_verified_at)
    .bind(u.is_active)
    .bind(u.last_signed_in_at)
    .bind(u.created_at)
    .bind(u.updated_at)
    .bind(&u.totp_secret)
    .bind(u.totp_last_step)
    .bind(u.last_membership_id))?;
    Ok(())
}

pub async fn get(db: &Db, id: Uuid) -> Result<User, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?)
}

/// Looks a user up by e-mail address (already lower-cased by `Email::parse`).
pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)?)
}

pub async fn record_sign_in(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query("UPDATE users SET last_signed_in_at = $2 WHERE id = $1").bind(id).bind(now)
    )?;
    Ok(())
}

pub async fn set_totp_last_step(tx: &mut Tx, id: Uuid, step: i64) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1").bind(id).bind(step)
    )?;
    Ok(())
}

/// Sets up (or, with `None`, removes) the person's authenticator app: its
/// base32 secret and the last time step accepted.
pub async fn set_totp(
    tx: &mut Tx,
    id: Uuid,
    secret: Option<&str>,
    last_step: Option<i64>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = $3 WHERE id = $1")
            .bind(id)
            .bind(secret)
            .bind(last_step)
    )?;
    crate::one_row(changed)
}

/// Remembers the membership a person chose to act in.
pub async fn set_last_membership(
    tx: &mut Tx,
    id: Uuid,
    membership_id: Uuid,
) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query("UPDATE users SET last_membership_id = $2 WHERE id = $1")
            .bind(id)
            .bind(membership_id)
    )?;
    Ok(())
}

pub async fn insert_membership(tx: &mut Tx, m: &Membership) -> Result<(), StoreError> {
    exec_tx!(
        tx,
        sqlx::query(
            "INSERT INTO memberships (id, user_id, la_id, role, school_id, created_at, ended_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(m.id)
        .bind(m.user_id)
        .bind(m.la_id)
        .bind(&m.role)
        .bind(m.school_id)
        .bind(m.created_at)
        .bind(m.ended_at)
    )?;
    Ok(())
}

/// The user's current memberships, oldest first.
pub async fn current_memberships(db: &Db, user_id: Uuid) -> Result<Vec<Membership>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, user_id, la_id, role, school_id, created_at, ended_at FROM memberships \
         WHERE user_id = $1 AND ended_at IS NULL ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?)
}

/// A membership as the person choosing between them sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MembershipChoice {
    pub id: Uuid,
    pub la_id: Uuid,
    pub la_name: String,
    pub role: String,
    pub school_name: Option<String>,
}

/// The person's current memberships with their authorities' and schools'
/// names, by authority.
pub async fn membership_choices(
    db: &Db,
    user_id: Uuid,
) -> Result<Vec<MembershipChoice>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT m.id, m.la_id, la.name AS la_name, m.role, s.name AS school_name \
         FROM memberships m JOIN local_authorities la ON la.id = m.la_id \
         LEFT JOIN schools s ON s.id = m.school_id \
         WHERE m.user_id = $1 AND m.ended_at IS NULL ORDER BY la.name, m.role, m.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?)
}

/// A person as the authority's people list shows them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub user_id: Uuid,
    pub membership_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub school_name: Option<String>,
    pub is_active: bool,
    pub membership_ended_at: Option<DateTime<Utc>>,
    pub last_signed_in_at: Option<DateTime<Utc>>,
}

/// The authority's people (one row per membership), by name; optionally
/// only those whose name or e-mail contains `search` (already folded).
pub async fn people(db: &Db, la_id: Uuid, search: Option<&str>) -> Result<Vec<Person>, StoreError> {
    let pattern =
        search.map(|s| format!("%{}%", s.replace(['%', '_', '\\'], ""))).unwrap_or_default();
    let sql = format!(
        "SELECT {PERSON_COLUMNS} {PERSON_FROM} \
         WHERE m.la_id = $1 AND ($2 = '' OR LOWER(u.display_name) LIKE $2 OR u.email LIKE $2) \
         ORDER BY LOWER(u.display_name), u.email, m.role"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(&pattern).fetch_all(pool).await)?)
}

/// One membership of the authority, as the people list shows it.
pub async fn person(
    db: &Db,
    la_id: Uuid,
    membership_id: Uuid,
) -> Result<Option<Person>, StoreError> {
    let sql = format!("SELECT {PERSON_COLUMNS} {PERSON_FROM} WHERE m.la_id = $1 AND m.id = $2");
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(la_id).bind(membership_id).fetch_optional(pool).await)?,
    )
}

const PERSON_COLUMNS: &str = "u.id AS user_id, m.id AS membership_id, u.email, u.display_name, \
     m.role, s.name AS school_name, u.is_active, m.ended_at AS membership_ended_at, \
     u.last_signed_in_at";
const PERSON_FROM: &str = "FROM memberships m JOIN users u ON u.id = m.user_id \
     LEFT JOIN schools s ON s.id = m.school_id";

/// Ends or restores a membership in the authority.
pub async fn set_membership_ended(
    tx: &mut Tx,
    la_id: Uuid,
    membership_id: Uuid,
    ended_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query("UPDATE memberships SET ended_at = $3 WHERE la_id = $1 AND id = $2",)
            .bind(la_id)
            .bind(membership_id)
            .bind(ended_at)
    )?;
    crate::one_row(changed)
}

pub async fn set_password(
    tx: &mut Tx,
    id: Uuid,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",)
            .bind(id)
            .bind(password_hash)
            .bind(now)
    )?;
    crate::one_row(changed)
}

/// Replaces the password hash `old` by `new`, a renewal of the same
/// password; whether `old` was still the one held.
pub async fn renew_password_hash(
    tx: &mut Tx,
    id: Uuid,
    old: &str,
    new: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE users SET password_hash = $3, updated_at = $4 \
             WHERE id = $1 AND password_hash = $2",
        )
        .bind(id)
        .bind(old)
        .bind(new)
        .bind(now)
    )?;
    Ok(changed == 1)
}

/// Someone who can be allocated to a child, in one of their roles.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffMember {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub school_name: Option<String>,
}

/// The Virtual School's heads and officers: those who judge PEPs (its
/// administrators do not).
pub const VS_OFFICERS: &[&str] = &["vs_head", "vs_officer"];

/// The authority's active people in the given roles, by name.
pub async fn staff_in_roles(
    db: &Db,
    la_id: Uuid,
    roles: &[&str],
) -> Result<Vec<StaffMember>, StoreError> {
    // The roles travel as one ",a,b," string: the same SQL on both backends.
    let wanted = format!(",{},", roles.join(","));
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, u.email, m.role, s.name AS school_name \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         LEFT JOIN schools s ON s.id = m.school_id \
         WHERE m.la_id = $1 AND m.ended_at IS NULL AND u.is_active \
           AND $2 LIKE '%,' || m.role || ',%' \
         ORDER BY LOWER(u.display_name), m.role",
    )
    .bind(la_id)
    .bind(wanted)
    .fetch_all(pool)
    .await)?)
}

/// Whether the person holds an active membership of the authority in `role`.
pub async fn holds_role(
    db: &Db,
    la_id: Uuid,
    user_id: Uuid,
    role: &str,
) -> Result<bool, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.la_id = $1 AND m.user_id = $2 AND m.role = $3 AND m.ended_at IS NULL \
         AND u.is_active)",
    )
    .bind(la_id)
    .bind(user_id)
    .bind(role)
    .fetch_one(pool)
    .await)?)
}

/// Changes the role (and school) of a membership in the authority.
pub async fn set_membership_role(
    tx: &mut Tx,
    la_id: Uuid,
    membership_id: Uuid,
    role: &str,
    school_id: Option<Uuid>,
) -> Result<(), StoreError> {
    let changed = exec_tx!(
        tx,
        sqlx::query(
            "UPDATE memberships SET role = $3, school_id = $4 WHERE la_id = $1 AND id = $2",
        )
        .bind(la_id)
        .bind(membership_id)
        .bind(role)
        .bind(school_id)
    )?;
    crate::one_row(changed)
}
