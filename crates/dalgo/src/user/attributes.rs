//! The four user attributes of Dalgo's `UserAttributes`, as its
//! `manage-user-attributes` command sets them.

use serde::Serialize;
use serde_json::json;

use super::{Email, User, audit_user, get, refuse_system_user};
use crate::audit::Action;
use crate::db::{Db, Within};
use crate::error::{Error, Result};

string_enum! {
    /// A user attribute.
    pub enum Attribute {
        EmailVerified => "email_verified",
        CanCreateOrgs => "can_create_orgs",
        IsConsultant => "is_consultant",
        IsPlatformAdmin => "is_platform_admin",
    }
}

/// A user's four attributes, with Dalgo's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Attributes {
    pub email_verified: bool,
    pub can_create_orgs: bool,
    pub is_consultant: bool,
    pub is_platform_admin: bool,
}

impl Attributes {
    fn set(&mut self, a: Attribute, value: bool) {
        let field = match a {
            Attribute::EmailVerified => &mut self.email_verified,
            Attribute::CanCreateOrgs => &mut self.can_create_orgs,
            Attribute::IsConsultant => &mut self.is_consultant,
            Attribute::IsPlatformAdmin => &mut self.is_platform_admin,
        };
        *field = value;
    }
}

/// A user's attributes after a change, and whether anything changed.
#[derive(Debug, Clone, Serialize)]
pub struct AttributesReport {
    pub email: String,
    #[serde(flatten)]
    pub attributes: Attributes,
    pub changed: bool,
}

const COLUMNS: &str = "email_verified, can_create_orgs, is_consultant, is_platform_admin";

/// Sets each of `changes` (an attribute and its value) in one transaction;
/// with none, reads them. An attribute both enabled and disabled is refused
/// before anything is read; the system user's are never changed.
pub(crate) async fn set(
    db: &Db,
    email: &Email,
    changes: &[(Attribute, bool)],
    actor: &str,
) -> Result<AttributesReport> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_dalgos_four() {
        let names: Vec<&str> = Attribute::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names, ["email_verified", "can_create_orgs", "is_consultant", "is_platform_admin"]);
        let e = "is_admin".parse::<Attribute>().unwrap_err();
        assert!(e.to_string().contains("is_platform_admin"), "{e}");
    }
}
