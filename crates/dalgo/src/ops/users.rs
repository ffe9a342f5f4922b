//! User accounts whatever their orgs: whether one exists, its password
//! and attributes, Dalgo's system user. Each change is one transaction,
//! audited in it.

use futures_util::Stream;
use secrecy::SecretString;
use serde_json::json;

use crate::audit::Action;
use crate::context::Dalgo;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::role;
use crate::user::attributes::*;
use crate::user::{self, *};

/// User accounts.
pub struct Users<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

impl<'a> Users<'a> {
    /// Every membership, or with `org` those of one org
    /// ([`Error::OrgNotFound`] first if there is none), by email, streamed.
    pub async fn list(&self, org: Option<&str>) -> Result<impl Stream<Item = Result<Membership>> + use<'a>> {
        Ok(user::list_stream(self.dalgo.db(), self.dalgo.org_id(org).await?))
    }

    /// Whether a user with this email exists (compared case-insensitively).
    pub async fn exists(&self, email: &Email) -> Result<bool> {
        let db = self.dalgo.db();
        Ok(find(&mut *db.pool().acquire().await?, email.as_str()).await?.is_some())
    }

    /// Whether `password` is the user's: Django's PBKDF2 hashes as Dalgo
    /// stores them (an unknown user or an unusable password: `false`).
    pub async fn check_password(&self, email: &Email, password: &SecretString) -> Result<bool> {
        let db = self.dalgo.db();
        let stored: Option<String> = sqlx::query_scalar("SELECT password FROM users WHERE lower(email) = lower($1)")
            .bind(email.as_str())
            .fetch_optional(db.pool())
            .within()
            .await?;
        let candidate = secrecy::ExposeSecret::expose_secret(password);
        Ok(stored.is_some_and(|encoded| password::check_password(candidate, &encoded)))
    }

    /// Fails with [`Error::UserNotFound`] (naming the nearest email) when
    /// there is no such user: before a password is asked for.
    pub async fn require(&self, email: &Email) -> Result<()> {
        let db = self.dalgo.db();
        get(&mut *db.pool().acquire().await?, email.as_str()).await.map(|_| ())
    }

    /// Replaces a user's password (never the system user's).
    pub async fn set_password(&self, email: &Email, hash: &PasswordHash) -> Result<()> {
        let (db, actor) = (self.dalgo.db(), self.dalgo.actor());
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

    /// Dalgo's `create-system-orguser`: the system user and its org-less
    /// admin membership, each only if missing.
    pub async fn create_system_orguser(&self) -> Result<SystemUserReport> {
        let (db, actor) = (self.dalgo.db(), self.dalgo.actor());
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
                audit_user(&mut tx, actor, Action::Create, &user, json!({ "email": user.email, "system": true }))
                    .await?;
                user
            }
            None => get(&mut tx, SYSTEM_USER_EMAIL).await?,
        };
        let membership = ensure_membership(&mut tx, &user, None, &role, actor).await?;
        tx.commit().within().await?;
        Ok(SystemUserReport { email: user.email, user_created, membership })
    }

    /// A user's four attributes (Dalgo's `UserAttributes`) after setting
    /// each of `changes`; with none, as they are. One transaction, audited;
    /// [`Error::UserNotFound`] for an unknown email. An attribute both
    /// enabled and disabled is refused before anything is read; the system
    /// user's are never changed.
    pub async fn attributes(&self, email: &Email, changes: &[(Attribute, bool)]) -> Result<AttributesReport> {
        let (db, actor) = (self.dalgo.db(), self.dalgo.actor());
        if let Some((a, _)) = changes.iter().find(|(a, v)| changes.iter().any(|(b, w)| a == b && v != w)) {
            return Err(Error::InvalidAttributes(format!("{a} is both enabled and disabled")));
        }
        let mut tx = db.pool().begin().within().await?;
        let user: User = get(&mut tx, email.as_str()).await?;
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1 FOR UPDATE");
        let before: Attributes =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user.id).fetch_one(&mut *tx).within().await?;
        let mut after = before;
        for (a, value) in changes {
            after.set(*a, *value);
        }
        let changed = after != before;
        if changed {
            refuse_system_user(&user)?;
            sqlx::query(
                "UPDATE users SET email_verified = $2, can_create_orgs = $3, is_consultant = $4, is_platform_admin = $5,
                        updated_at = now()
                  WHERE id = $1",
            )
            .bind(user.id)
            .bind(after.email_verified)
            .bind(after.can_create_orgs)
            .bind(after.is_consultant)
            .bind(after.is_platform_admin)
            .execute(&mut *tx)
            .within()
            .await?;
            audit_user(&mut tx, actor, Action::Update, &user, json!({ "attributes": { "old": before, "new": after } }))
                .await?;
        }
        tx.commit().within().await?;
        Ok(AttributesReport { email: user.email, attributes: after, changed })
    }
}
