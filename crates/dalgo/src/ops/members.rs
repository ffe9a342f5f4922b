//! An org's members and feature flags, and the org as `org show` reads it.
//! Each change is one transaction on dalgo's database, audited in it.

use std::collections::BTreeMap;

use futures_util::Stream;

use super::OrgOps;
use crate::context::Dalgo;
use crate::error::Result;
use crate::flags::{self, Change, FlagState, Scope};
use crate::org::{self, OrgDetails};
use crate::user::{self, AddReport, Email, Membership, PasswordHash, RemoveReport, RoleChange};

impl<'a> OrgOps<'a> {
    /// The org with its plan and members.
    pub async fn show(&self) -> Result<OrgDetails> {
        org::show(self.dalgo.db(), &self.slug).await
    }

    /// The org's plan; [`crate::Error::NoPlan`] when it has none.
    pub async fn plan(&self) -> Result<crate::org::OrgPlan> {
        let mut conn = self.dalgo.db().pool().acquire().await?;
        let org = org::get(&mut conn, &self.slug).await?;
        crate::org::plan::get(&mut conn, &org).await?.ok_or_else(|| crate::Error::NoPlan(org.slug))
    }

    /// Sets the org's plan (Dalgo's `createorgplan`), with what Dalgo
    /// derives from it: `can_upgrade_plan` and the `features` preset. A plan
    /// that ends before it starts is refused; the same plan again changes
    /// nothing.
    pub async fn set_plan(&self, spec: &crate::org::plan::PlanSpec) -> Result<crate::org::plan::PlanChange> {
        crate::org::plan::set(self.dalgo.db(), &self.slug, spec, self.dalgo.actor()).await
    }

    /// The org's members.
    pub fn members(&self) -> Members<'a> {
        Members { dalgo: self.dalgo, org: self.slug.clone() }
    }

    /// The org's feature flags: its overrides over the global values.
    pub fn flags(&self) -> Flags<'a> {
        Flags { dalgo: self.dalgo, org: Some(self.slug.clone()) }
    }
}

/// An org's members.
pub struct Members<'a> {
    dalgo: &'a Dalgo,
    org: String,
}

impl<'a> Members<'a> {
    /// The org's memberships, by email, streamed ([`crate::Error::OrgNotFound`] first).
    pub async fn list(&self) -> Result<impl Stream<Item = Result<Membership>> + use<'a>> {
        self.dalgo.users().list(Some(&self.org)).await
    }

    /// Adds a user with a role, creating the user if needed (which needs
    /// `password`). Re-adding with the same role does nothing; with another
    /// it is [`crate::Error::AlreadyMember`].
    pub async fn add(&self, email: &Email, role: &str, password: Option<&PasswordHash>) -> Result<AddReport> {
        let member = user::NewMember { email, role, password };
        user::add_to_org(self.dalgo.db(), &self.org, member, self.dalgo.actor()).await
    }

    /// Changes a member's role.
    pub async fn set_role(&self, email: &Email, role: &str) -> Result<RoleChange> {
        user::set_role(self.dalgo.db(), email, &self.org, role, self.dalgo.actor()).await
    }

    /// A member's role: [`crate::Error::MembershipNotFound`] when the user is
    /// not one (for a confirmation before [`Members::remove`]).
    pub async fn role_of(&self, email: &Email) -> Result<String> {
        user::membership_role(self.dalgo.db(), email, &self.org).await
    }

    /// Removes a member; a user left with no membership is deleted, as Dalgo does.
    pub async fn remove(&self, email: &Email) -> Result<RemoveReport> {
        user::remove_from_org(self.dalgo.db(), email, &self.org, self.dalgo.actor()).await
    }
}

/// Feature flags in one scope: global ([`Dalgo::flags`]) or an org's
/// ([`OrgOps::flags`]). An org's effective value is its override, else the
/// global value, else `false`.
pub struct Flags<'a> {
    pub(super) dalgo: &'a Dalgo,
    pub(super) org: Option<String>,
}

impl Flags<'_> {
    fn scope(&self) -> Scope<'_> {
        self.org.as_deref().map_or(Scope::Global, Scope::Org)
    }

    /// Every catalogue flag's effective value in this scope, with its origin.
    pub async fn list(&self) -> Result<Vec<FlagState>> {
        flags::effective_flags(self.dalgo.db(), self.org.as_deref()).await
    }

    /// The `{"FLAG": bool, …}` object Dalgo's `GET /api/organizations/flags` returns.
    pub async fn map(&self) -> Result<BTreeMap<String, bool>> {
        Ok(flags::as_map(&self.list().await?))
    }

    /// Sets a flag in this scope (the name in any case).
    pub async fn set(&self, name: &str, value: bool) -> Result<Change> {
        flags::set_flag(self.dalgo.db(), self.scope(), name, value, self.dalgo.actor()).await
    }

    /// Removes the scope's value: an org falls back to the global value, the
    /// global value to `false`.
    pub async fn clear(&self, name: &str) -> Result<Change> {
        flags::clear_flag(self.dalgo.db(), self.scope(), name, self.dalgo.actor()).await
    }

    /// Every catalogue flag on in this scope (Dalgo's `--enable-all-global`), in one transaction.
    pub async fn enable_all(&self) -> Result<Vec<Change>> {
        flags::enable_all(self.dalgo.db(), self.scope(), self.dalgo.actor()).await
    }
}
