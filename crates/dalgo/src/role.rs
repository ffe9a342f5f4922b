//! Roles and their permissions (seeded by `dalgo migrate`).

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};

/// A role: what a member of an org may do. Higher levels may manage lower ones.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Role {
    #[serde(skip)]
    pub id: i64,
    pub uuid: Uuid,
    pub slug: String,
    pub name: String,
    pub level: i16,
}

/// A role with the number of permissions it grants.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoleSummary {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub role: Role,
    pub permission_count: i64,
}

/// A permission a role grants.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Permission {
    pub slug: String,
    pub name: String,
}

/// A role and every permission it grants.
#[derive(Debug, Clone, Serialize)]
pub struct RoleDetails {
    #[serde(flatten)]
    pub role: Role,
    pub permissions: Vec<Permission>,
}

/// All roles, highest level first.
pub async fn list(db: &Db) -> Result<Vec<RoleSummary>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.uuid, r.slug, r.name, r.level,
                (SELECT count(*) FROM role_permissions rp WHERE rp.role_id = r.id) AS permission_count
           FROM roles r ORDER BY r.level DESC, r.slug",
    )
    .fetch_all(db.pool())
    .within()
    .await?)
}

/// The role with this slug; an unknown slug lists the valid ones.
pub async fn get(conn: &mut PgConnection, slug: &str) -> Result<Role> {
    // Slugs are lower case; `ADMIN` is admin.
    let found: Option<Role> = sqlx::query_as("SELECT id, uuid, slug, name, level FROM roles WHERE slug = lower($1)")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .within()
        .await?;
    match found {
        Some(role) => Ok(role),
        None => {
            let valid = slugs(conn).await?;
            let suggestion = crate::values::nearest(slug, &valid);
            Err(Error::UnknownRole { given: slug.to_string(), valid, suggestion })
        }
    }
}

async fn slugs(conn: &mut PgConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT slug FROM roles ORDER BY level DESC, slug").fetch_all(conn).within().await?)
}

/// The role with this slug, or [`Error::UnknownRole`] listing the valid ones.
pub async fn require(db: &Db, slug: &str) -> Result<Role> {
    get(&mut *db.pool().acquire().await?, slug).await
}

/// A role and its permissions.
pub async fn show(db: &Db, slug: &str) -> Result<RoleDetails> {
    let role = require(db, slug).await?;
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
