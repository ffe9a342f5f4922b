//! Users and their memberships in orgs.

pub mod attributes;
pub mod email;
pub mod password;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;

pub use email::Email;

use crate::audit::{self, Action, Resource};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::org::{self, Org};
use crate::role::{self, Role};

/// Dalgo's system user: owns the locks of scheduled runs; its membership has no org.
pub const SYSTEM_USER_EMAIL: &str = "System User";

/// A user account.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    #[serde(skip)]
    pub id: i64,
    pub email: String,
    pub is_active: bool,
    pub is_system: bool,
    pub email_verified: bool,
    pub can_create_orgs: bool,
    pub created_at: DateTime<Utc>,
}

const USER_COLUMNS: &str = "id, email, is_active, is_system, email_verified, can_create_orgs, created_at";

/// One membership row of `dalgo user list`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Membership {
    pub email: String,
    /// The org's slug; `None` for the system user's org-less membership.
    pub org: Option<String>,
    pub role: String,
    pub email_verified: bool,
    pub is_system: bool,
    pub created_at: DateTime<Utc>,
}

/// The user with this email (compared case-insensitively), if any.
/// Two users whose emails differ only in case (Dalgo's Django table allows
/// it) are refused, both named, unless one is spelled exactly as given.
pub async fn find(conn: &mut PgConnection, email: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1) ORDER BY id LIMIT 3");
    let rows: Vec<User> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email).fetch_all(conn).within().await?;
    one_user(email, rows)
}

/// The user among `rows` (emails equal but for case) that `email` names.
fn one_user(email: &str, mut rows: Vec<User>) -> Result<Option<User>> {
    if rows.len() > 1 && rows.iter().filter(|u| u.email == email).count() == 1 {
        rows.retain(|u| u.email == email);
    }
    crate::db::the_one("user email", email, rows, |u| format!("{} (id {})", u.email, u.id))
}

/// Whether a user with this email exists.
pub async fn exists(db: &Db, email: &Email) -> Result<bool> {
    Ok(find(&mut *db.pool().acquire().await?, email.as_str()).await?.is_some())
}

async fn get(conn: &mut PgConnection, email: &str) -> Result<User> {
    match find(conn, email).await? {
        Some(user) => Ok(user),
        None => Err(not_found(conn, email).await),
    }
}

/// Whether `password` is the password of the user with this email.
pub async fn check_user_password(db: &Db, email: &Email, password: &SecretString) -> Result<bool> {
    let stored: Option<String> = sqlx::query_scalar("SELECT password FROM users WHERE lower(email) = lower($1)")
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .within()
        .await?;
    let candidate = secrecy::ExposeSecret::expose_secret(password);
    Ok(stored.is_some_and(|encoded| password::check_password(candidate, &encoded)))
}

/// Fails with [`Error::UserNotFound`] (naming the nearest email) when no
/// user has this email.
pub async fn require(db: &Db, email: &Email) -> Result<()> {
    get(&mut *db.pool().acquire().await?, email.as_str()).await.map(|_| ())
}

/// [`Error::UserNotFound`] for `email`, with the nearest email there is when
/// one is close (a typo, a prefix).
async fn not_found(conn: &mut PgConnection, email: &str) -> Error {
    let suggestion = crate::db::nearest(conn, "users", "lower(email)", &email.to_lowercase()).await;
    Error::UserNotFound { email: email.to_string(), suggestion }
}

/// What a listing covers: every org (`None`), or the org with this slug
/// ([`Error::OrgNotFound`] if there is none).
pub async fn list_scope(db: &Db, org_slug: Option<&str>) -> Result<Option<i64>> {
    Ok(match org_slug {
        Some(slug) => Some(org::get(&mut *db.pool().acquire().await?, slug).await?.id),
        None => None,
    })
}

/// The memberships of [`list`], as they arrive from PostgreSQL: memory
/// stays flat however many there are. `org_id` from [`list_scope`].
pub fn list_stream(db: &Db, org_id: Option<i64>) -> impl futures_util::Stream<Item = Result<Membership>> + '_ {
    crate::db::stream_within(
        sqlx::query_as(
            "SELECT u.email, o.slug AS org, r.slug AS role, ou.email_verified, u.is_system, ou.created_at
           FROM org_users ou
           JOIN users u ON u.id = ou.user_id
           JOIN roles r ON r.id = ou.role_id
           LEFT JOIN orgs o ON o.id = ou.org_id
          WHERE $1::bigint IS NULL OR ou.org_id = $1
          ORDER BY lower(u.email), o.slug NULLS FIRST",
        )
        .bind(org_id)
        .fetch(db.pool()),
    )
    .map_err(Error::from)
}

/// A password already hashed, ready to store; hashing happens before any
/// transaction opens, since it takes a noticeable fraction of a second.
#[derive(Clone)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn new(password: &SecretString) -> Result<PasswordHash> {
        Ok(PasswordHash(password::make_password(password)?))
    }

    /// A hash no password matches: the user sets one before signing in.
    pub(crate) fn unusable() -> PasswordHash {
        PasswordHash(password::unusable_password())
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(********)")
    }
}

/// Finds the user or creates it with the given password hash; creating needs one.
pub(crate) async fn find_or_create(
    conn: &mut PgConnection,
    email: &Email,
    hash: Option<&PasswordHash>,
    actor: &str,
) -> Result<(User, bool)> {
    // FOR KEY SHARE: an `org delete` removing this user right now is waited
    // for (and then the user is created afresh), and one that starts later
    // waits for this transaction, sees the new membership and keeps the user.
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1) ORDER BY id LIMIT 3 FOR KEY SHARE");
    let rows: Vec<User> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email.as_str()).fetch_all(&mut *conn).within().await?;
    if let Some(user) = one_user(email.as_str(), rows)? {
        return Ok((user, false));
    }
    let hash = hash.ok_or_else(|| Error::PasswordRequired(email.to_string()))?;
    let sql = format!(
        "INSERT INTO users (email, password, email_verified, can_create_orgs) VALUES ($1, $2, true, true)
         ON CONFLICT DO NOTHING RETURNING {USER_COLUMNS}"
    );
    let created: Option<User> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(email.as_str())
        .bind(&hash.0)
        .fetch_optional(&mut *conn)
        .within()
        .await?;
    match created {
        Some(user) => {
            audit_user(conn, actor, Action::Create, &user, json!({ "email": user.email })).await?;
            Ok((user, true))
        }
        // A concurrent command created it first.
        None => Ok((get(conn, email.as_str()).await?, false)),
    }
}

async fn audit_user(
    conn: &mut PgConnection,
    actor: &str,
    action: Action,
    user: &User,
    details: serde_json::Value,
) -> Result<()> {
    audit::Entry::new(actor, action, Resource::User, &user.email).details(details).record(conn).await
}

/// A membership as found or made.
#[derive(Debug, Clone, Serialize)]
pub struct MembershipOutcome {
    pub role: String,
    pub created: bool,
}

/// Makes the user a member of the org with `role` unless it is a member
/// already (whose role is then left as it is and reported).
pub(crate) async fn ensure_membership(
    conn: &mut PgConnection,
    user: &User,
    org: Option<&Org>,
    role: &Role,
    actor: &str,
) -> Result<MembershipOutcome> {
    // The org-less membership is unique through a partial index, which
    // ON CONFLICT without a target covers.
    let inserted = sqlx::query(
        "INSERT INTO org_users (user_id, org_id, role_id, email_verified) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(user.id)
    .bind(org.map(|o| o.id))
    .bind(role.id)
    .bind(user.email_verified)
    .execute(&mut *conn)
    .within()
    .await?
    .rows_affected()
        == 1;
    if inserted {
        audit::Entry::new(actor, Action::Create, Resource::OrgUser, &user.email)
            .of(org)
            .details(json!({ "email": user.email, "org": org.map(|o| &o.slug), "role": role.slug }))
            .record(conn)
            .await?;
        return Ok(MembershipOutcome { role: role.slug.clone(), created: true });
    }
    let existing: String = sqlx::query_scalar(
        "SELECT r.slug FROM org_users ou JOIN roles r ON r.id = ou.role_id
          WHERE ou.user_id = $1 AND ou.org_id IS NOT DISTINCT FROM $2",
    )
    .bind(user.id)
    .bind(org.map(|o| o.id))
    .fetch_one(&mut *conn)
    .within()
    .await?;
    Ok(MembershipOutcome { role: existing, created: false })
}

/// What `add_to_org` did.
#[derive(Debug, Clone, Serialize)]
pub struct AddReport {
    pub email: String,
    pub org: String,
    pub user_created: bool,
    pub membership: MembershipOutcome,
}

/// A member to add: who, with which role, and the password hash a new
/// user needs.
#[derive(Clone, Copy)]
pub struct NewMember<'a> {
    pub email: &'a Email,
    pub role: &'a str,
    pub password: Option<&'a PasswordHash>,
}

/// Adds a user to an org with a role, creating the user if needed (which
/// needs a password). Re-adding with the same role does nothing; with another
/// role it is an error pointing at `set_role`.
pub async fn add_to_org(db: &Db, org_slug: &str, member: NewMember<'_>, actor: &str) -> Result<AddReport> {
    let NewMember { email, role: role_slug, password: hash } = member;
    let mut tx = db.pool().begin().within().await?;
    let role = role::get(&mut tx, role_slug).await?;
    let org = org::get(&mut tx, org_slug).await?;
    let (user, user_created) = find_or_create(&mut tx, email, hash, actor).await?;
    refuse_system_user(&user)?;
    let membership = ensure_membership(&mut tx, &user, Some(&org), &role, actor).await?;
    if membership.role != role.slug {
        return Err(Error::AlreadyMember { email: user.email, org: org.slug, role: membership.role });
    }
    tx.commit().within().await?;
    Ok(AddReport { email: user.email, org: org.slug, user_created, membership })
}

fn refuse_system_user(user: &User) -> Result<()> {
    if user.is_system { Err(Error::SystemUser(user.email.clone())) } else { Ok(()) }
}

/// A role change.
#[derive(Debug, Clone, Serialize)]
pub struct RoleChange {
    pub email: String,
    pub org: String,
    pub old_role: String,
    pub new_role: String,
    pub changed: bool,
}

/// Changes a member's role in an org.
pub async fn set_role(db: &Db, email: &Email, org_slug: &str, role_slug: &str, actor: &str) -> Result<RoleChange> {
    let mut tx = db.pool().begin().within().await?;
    let role = role::get(&mut tx, role_slug).await?;
    let org = org::get(&mut tx, org_slug).await?;
    let user = get(&mut tx, email.as_str()).await?;
    let old_role: Option<String> = sqlx::query_scalar(
        "SELECT r.slug FROM org_users ou JOIN roles r ON r.id = ou.role_id
          WHERE ou.user_id = $1 AND ou.org_id = $2 FOR UPDATE OF ou",
    )
    .bind(user.id)
    .bind(org.id)
    .fetch_optional(&mut *tx)
    .within()
    .await?;
    let old_role =
        old_role.ok_or_else(|| Error::MembershipNotFound { email: user.email.clone(), org: org.slug.clone() })?;
    let changed = old_role != role.slug;
    if changed {
        sqlx::query("UPDATE org_users SET role_id = $3, updated_at = now() WHERE user_id = $1 AND org_id = $2")
            .bind(user.id)
            .bind(org.id)
            .bind(role.id)
            .execute(&mut *tx)
            .within()
            .await?;
        audit::Entry::new(actor, Action::Update, Resource::OrgUser, &user.email)
            .of(Some(&org))
            .details(json!({ "role": { "old": old_role, "new": role.slug } }))
            .record(&mut tx)
            .await?;
    }
    tx.commit().within().await?;
    Ok(RoleChange { email: user.email, org: org.slug, old_role, new_role: role.slug, changed })
}

/// What `remove_from_org` did.
#[derive(Debug, Clone, Serialize)]
pub struct RemoveReport {
    pub email: String,
    pub org: String,
    pub role: String,
    /// The user had no other membership and was deleted too, as Dalgo does.
    pub user_deleted: bool,
}

/// The role of a user's membership in an org: [`Error::OrgNotFound`],
/// [`Error::UserNotFound`] or [`Error::MembershipNotFound`] when there is none.
pub async fn membership_role(db: &Db, email: &Email, org_slug: &str) -> Result<String> {
    let mut conn = db.pool().acquire().await?;
    let org = org::get(&mut conn, org_slug).await?;
    let user = get(&mut conn, email.as_str()).await?;
    sqlx::query_scalar(
        "SELECT r.slug FROM org_users ou JOIN roles r ON r.id = ou.role_id WHERE ou.user_id = $1 AND ou.org_id = $2",
    )
    .bind(user.id)
    .bind(org.id)
    .fetch_optional(&mut *conn)
    .within()
    .await?
    .ok_or(Error::MembershipNotFound { email: user.email, org: org.slug })
}

/// Removes a user from an org; a user left with no membership is deleted.
pub async fn remove_from_org(db: &Db, email: &Email, org_slug: &str, actor: &str) -> Result<RemoveReport> {
    let mut tx = db.pool().begin().within().await?;
    let org = org::get(&mut tx, org_slug).await?;
    let user = get(&mut tx, email.as_str()).await?;
    let role: Option<String> = sqlx::query_scalar(
        "DELETE FROM org_users ou USING roles r
          WHERE ou.role_id = r.id AND ou.user_id = $1 AND ou.org_id = $2 RETURNING r.slug",
    )
    .bind(user.id)
    .bind(org.id)
    .fetch_optional(&mut *tx)
    .within()
    .await?;
    let role = role.ok_or_else(|| Error::MembershipNotFound { email: user.email.clone(), org: org.slug.clone() })?;
    let user_deleted = sqlx::query(
        "DELETE FROM users u WHERE u.id = $1 AND NOT u.is_system
            AND NOT EXISTS (SELECT 1 FROM org_users ou WHERE ou.user_id = u.id)",
    )
    .bind(user.id)
    .execute(&mut *tx)
    .within()
    .await?
    .rows_affected()
        == 1;
    audit::Entry::new(actor, Action::Delete, Resource::OrgUser, &user.email)
        .of(Some(&org))
        .details(json!({ "role": role, "user_deleted": user_deleted }))
        .record(&mut tx)
        .await?;
    tx.commit().within().await?;
    Ok(RemoveReport { email: user.email, org: org.slug, role, user_deleted })
}

/// Replaces a user's password.
pub async fn set_password(db: &Db, email: &Email, hash: &PasswordHash, actor: &str) -> Result<()> {
    let mut tx = db.pool().begin().within().await?;
    let user = get(&mut tx, email.as_str()).await?;
    refuse_system_user(&user)?;
    sqlx::query("UPDATE users SET password = $2, updated_at = now() WHERE id = $1")
        .bind(user.id)
        .bind(&hash.0)
        .execute(&mut *tx)
        .within()
        .await?;
    audit_user(&mut tx, actor, Action::Update, &user, json!({ "password": "changed" })).await?;
    tx.commit().within().await?;
    Ok(())
}

/// What `create_system_orguser` found or made.
#[derive(Debug, Clone, Serialize)]
pub struct SystemUserReport {
    pub email: String,
    pub user_created: bool,
    pub membership: MembershipOutcome,
}

/// Ensures Dalgo's system user and its org-less `admin` membership exist.
pub async fn create_system_orguser(db: &Db, actor: &str) -> Result<SystemUserReport> {
    let mut tx = db.pool().begin().within().await?;
    let role = role::get(&mut tx, "admin").await?;
    let sql = format!(
        "INSERT INTO users (email, password, is_system) VALUES ($1, $2, true)
         ON CONFLICT DO NOTHING RETURNING {USER_COLUMNS}"
    );
    let created: Option<User> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(SYSTEM_USER_EMAIL)
        .bind(password::unusable_password())
        .fetch_optional(&mut *tx)
        .within()
        .await?;
    let user_created = created.is_some();
    let user = match created {
        Some(user) => {
            audit_user(&mut tx, actor, Action::Create, &user, json!({ "email": user.email, "system": true })).await?;
            user
        }
        None => get(&mut tx, SYSTEM_USER_EMAIL).await?,
    };
    let membership = ensure_membership(&mut tx, &user, None, &role, actor).await?;
    tx.commit().within().await?;
    Ok(SystemUserReport { email: user.email, user_created, membership })
}
