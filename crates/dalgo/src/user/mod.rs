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
use crate::org::Org;
use crate::role::Role;

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

pub(crate) const USER_COLUMNS: &str = "id, email, is_active, is_system, email_verified, can_create_orgs, created_at";

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

pub(crate) async fn get(conn: &mut PgConnection, email: &str) -> Result<User> {
    match find(conn, email).await? {
        Some(user) => Ok(user),
        None => Err(not_found(conn, email).await),
    }
}

/// [`Error::UserNotFound`] for `email`, with the nearest email there is when
/// one is close (a typo, a prefix).
async fn not_found(conn: &mut PgConnection, email: &str) -> Error {
    let suggestion = crate::db::nearest(conn, "users", "lower(email)", &email.to_lowercase()).await;
    Error::UserNotFound { email: email.to_string(), suggestion }
}

/// Every org's memberships (`None`), or one org's, by email, as they
/// arrive from PostgreSQL: memory stays flat however many there are.
pub(crate) fn list_stream(db: &Db, org_id: Option<i64>) -> impl futures_util::Stream<Item = Result<Membership>> + '_ {
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
pub struct PasswordHash(pub(crate) String);

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

pub(crate) async fn audit_user(
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

/// What [`crate::ops::Members::add`] did.
#[derive(Debug, Clone, Serialize)]
pub struct AddReport {
    pub email: String,
    pub org: String,
    pub user_created: bool,
    pub membership: MembershipOutcome,
}

pub(crate) fn refuse_system_user(user: &User) -> Result<()> {
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

/// What [`crate::ops::Members::remove`] did.
#[derive(Debug, Clone, Serialize)]
pub struct RemoveReport {
    pub email: String,
    pub org: String,
    pub role: String,
    /// The user had no other membership and was deleted too, as Dalgo does.
    pub user_deleted: bool,
}

/// What `create_system_orguser` found or made.
#[derive(Debug, Clone, Serialize)]
pub struct SystemUserReport {
    pub email: String,
    pub user_created: bool,
    pub membership: MembershipOutcome,
}
