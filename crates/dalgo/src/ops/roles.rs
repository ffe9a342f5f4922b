//! Roles and their permissions: Dalgo's seed data, read only.

use crate::context::Dalgo;
use crate::db::Within;
use crate::error::Result;
use crate::role::*;

/// Roles and their permissions.
pub struct Roles<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

impl Roles<'_> {
    /// All roles, highest level first.
    pub async fn list(&self) -> Result<Vec<RoleSummary>> {
        let db = self.dalgo.db();
        Ok(sqlx::query_as(
            "SELECT r.id, r.uuid, r.slug, r.name, r.level,
                    (SELECT count(*) FROM role_permissions rp WHERE rp.role_id = r.id) AS permission_count
               FROM roles r ORDER BY r.level DESC, r.slug",
        )
        .fetch_all(db.pool())
        .within()
        .await?)
    }

    /// The role with this slug: [`crate::Error::UnknownRole`] (listing the roles)
    /// when there is none, before a password is asked for.
    pub async fn require(&self, slug: &str) -> Result<Role> {
        let db = self.dalgo.db();
        get(&mut *db.pool().acquire().await?, slug).await
    }

    /// A role and its permissions; [`crate::Error::UnknownRole`] if there is none.
    pub async fn show(&self, slug: &str) -> Result<RoleDetails> {
        let db = self.dalgo.db();
        let role = self.require(slug).await?;
        let permissions = sqlx::query_as(
            "SELECT p.slug, p.name FROM permissions p JOIN role_permissions rp ON rp.permission_id = p.id
              WHERE rp.role_id = $1 ORDER BY p.slug",
        )
        .bind(role.id)
        .fetch_all(db.pool())
        .within()
        .await?;
        Ok(RoleDetails { role, permissions })
    }
}
