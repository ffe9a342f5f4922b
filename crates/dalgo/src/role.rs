//! Roles and their permissions (seeded by `dalgo migrate`).

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

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
