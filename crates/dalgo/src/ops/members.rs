//! An org's members and feature flags, and the org as `org show` reads it.
//! Each change is one transaction on dalgo's database, audited in it; the
//! operations are implemented beside the rows they read and write
//! ([`crate::user`], [`crate::flags`], [`crate::org`]).

use std::collections::BTreeMap;

use serde_json::json;

use super::OrgOps;
use crate::audit::{self, Action, Resource};
use crate::context::Dalgo;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::flags::*;
use crate::org::Org;
use crate::role;
use crate::user::*;

impl<'a> OrgOps<'a> {
    /// The org's members.
    pub fn members(&self) -> Members<'a> {
        Members { org: self.clone() }
    }

    /// The org's feature flags: its overrides over the global values.
    pub fn flags(&self) -> Flags<'a> {
        Flags { dalgo: self.dalgo, org: Some(self.clone()) }
    }
}

/// An org's members.
pub struct Members<'a> {
    pub(crate) org: OrgOps<'a>,
}

/// Feature flags in one scope: global ([`Dalgo::flags`]) or an org's
/// ([`OrgOps::flags`]). An org's effective value is its override, else the
/// global value, else `false`.
pub struct Flags<'a> {
    pub(crate) dalgo: &'a Dalgo,
    pub(crate) org: Option<OrgOps<'a>>,
}

impl<'a> Members<'a> {
    /// The org's memberships, by email, streamed ([`Error::OrgNotFound`] first).
    pub async fn list(&self) -> Result<impl futures_util::Stream<Item = Result<Membership>> + use<'a>> {
        let org = self.org.get().await?;
        Ok(list_stream(self.org.dalgo().db(), Some(org.id)))
    }

    /// Adds a user with a role, creating the user if needed (which needs
    /// `password`). Re-adding with the same role does nothing; with another
    /// it is [`Error::AlreadyMember`], pointing at [`Members::set_role`].
    pub async fn add(&self, email: &Email, role: &str, password: Option<&PasswordHash>) -> Result<AddReport> {
        let (org, actor) = (self.org.get().await?, self.org.dalgo().actor());
        let mut tx = self.org.dalgo().db().pool().begin().within().await?;
        let role = role::get(&mut tx, role).await?;
        let (user, user_created) = find_or_create(&mut tx, email, password, actor).await?;
        refuse_system_user(&user)?;
        let membership = ensure_membership(&mut tx, &user, Some(&org), &role, actor).await?;
        if membership.role != role.slug {
            return Err(Error::AlreadyMember { email: user.email, org: org.slug.clone(), role: membership.role });
        }
        tx.commit().within().await?;
        Ok(AddReport { email: user.email, org: org.slug.clone(), user_created, membership })
    }

    /// Changes a member's role.
    pub async fn set_role(&self, email: &Email, role: &str) -> Result<RoleChange> {
        let (org, actor) = (self.org.get().await?, self.org.dalgo().actor());
        let mut tx = self.org.dalgo().db().pool().begin().within().await?;
        let role = role::get(&mut tx, role).await?;
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
        Ok(RoleChange { email: user.email, org: org.slug.clone(), old_role, new_role: role.slug, changed })
    }

    /// A member's role: [`Error::UserNotFound`] or
    /// [`Error::MembershipNotFound`] when the user is not one (for a
    /// confirmation before [`Members::remove`]).
    pub async fn role_of(&self, email: &Email) -> Result<String> {
        let org = self.org.get().await?;
        let mut conn = self.org.dalgo().db().pool().acquire().await?;
        let user = get(&mut conn, email.as_str()).await?;
        sqlx::query_scalar(
            "SELECT r.slug FROM org_users ou JOIN roles r ON r.id = ou.role_id WHERE ou.user_id = $1 AND ou.org_id = $2",
        )
        .bind(user.id)
        .bind(org.id)
        .fetch_optional(&mut *conn)
        .within()
        .await?
        .ok_or(Error::MembershipNotFound { email: user.email, org: org.slug.clone() })
    }

    /// Removes a member; a user left with no membership is deleted, as Dalgo does.
    pub async fn remove(&self, email: &Email) -> Result<RemoveReport> {
        let (org, actor) = (self.org.get().await?, self.org.dalgo().actor());
        let mut tx = self.org.dalgo().db().pool().begin().within().await?;
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
        let role =
            role.ok_or_else(|| Error::MembershipNotFound { email: user.email.clone(), org: org.slug.clone() })?;
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
        Ok(RemoveReport { email: user.email, org: org.slug.clone(), role, user_deleted })
    }
}

impl Flags<'_> {
    /// The org's row in an org's scope, `None` in the global one.
    async fn org(&self) -> Result<Option<Org>> {
        match &self.org {
            Some(org) => Ok(Some(org.get().await?)),
            None => Ok(None),
        }
    }

    /// Every catalogue flag's effective value in this scope, with its origin.
    pub async fn list(&self) -> Result<Vec<FlagState>> {
        let org_id = self.org().await?.map(|o| o.id);
        effective(self.dalgo.db(), org_id).await
    }

    /// The `{"FLAG": bool, …}` object Dalgo's `GET /api/organizations/flags` returns.
    pub async fn map(&self) -> Result<BTreeMap<String, bool>> {
        Ok(self.list().await?.into_iter().map(|f| (f.name, f.value)).collect())
    }

    /// Sets a flag in this scope (the name in any case), creating the row if
    /// absent. Concurrent calls leave one row: the unique indexes decide.
    pub async fn set(&self, name: &str, value: bool) -> Result<Change> {
        let org = self.org().await?;
        let org = org.as_ref();
        let mut tx = self.dalgo.db().pool().begin().within().await?;
        let name = &flag_name(&mut tx, name).await?;
        let change = set_in_tx(&mut tx, org, name, value, self.dalgo.actor()).await?;
        tx.commit().within().await?;
        Ok(change)
    }

    /// Every catalogue flag on in this scope (Dalgo's `--enable-all-global`), in one transaction.
    pub async fn enable_all(&self) -> Result<Vec<Change>> {
        let org = self.org().await?;
        let org = org.as_ref();
        let mut tx = self.dalgo.db().pool().begin().within().await?;
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM feature_flags ORDER BY name").fetch_all(&mut *tx).within().await?;
        let mut changes = Vec::with_capacity(names.len());
        for name in &names {
            changes.push(set_in_tx(&mut tx, org, name, true, self.dalgo.actor()).await?);
        }
        tx.commit().within().await?;
        Ok(changes)
    }

    /// Removes the scope's value: an org's override, so the org falls back
    /// to the global value; or the global value, so the flag falls back to
    /// its default (off).
    pub async fn clear(&self, name: &str) -> Result<Change> {
        let org = self.org().await?;
        let org = org.as_ref();
        let mut tx = self.dalgo.db().pool().begin().within().await?;
        let name = &flag_name(&mut tx, name).await?;
        let old: Option<bool> = sqlx::query_scalar(
            "DELETE FROM feature_flag_values WHERE org_id IS NOT DISTINCT FROM $1 AND flag_name = $2 RETURNING value",
        )
        .bind(org.map(|o| o.id))
        .bind(name)
        .fetch_optional(&mut *tx)
        .within()
        .await?;
        let scope = org.map_or_else(|| "global".to_string(), |o| o.slug.clone());
        let change = Change { flag: name.to_string(), scope, old, new: None };
        if change.changed() {
            audit_change(&mut tx, org, &change, self.dalgo.actor()).await?;
        }
        tx.commit().within().await?;
        Ok(change)
    }
}
