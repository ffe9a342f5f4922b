//! The four user attributes of Dalgo's `UserAttributes`, as its
//! `manage-user-attributes` command sets them.

use serde::Serialize;

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
    pub(crate) fn set(&mut self, a: Attribute, value: bool) {
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

pub(crate) const COLUMNS: &str = "email_verified, can_create_orgs, is_consultant, is_platform_admin";

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
