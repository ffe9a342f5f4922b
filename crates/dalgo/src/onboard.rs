//! `createorganduser`: an org, its plan, a user and the membership, each found
//! or created, in one transaction.

use serde::Serialize;

use crate::org::Org;
use crate::user::MembershipOutcome;

string_enum! {
    /// What happened to the user's password.
    pub enum PasswordOutcome {
        /// A new user got the given password.
        Set => "set",
        /// An existing user's password is never touched.
        Unchanged => "unchanged",
    }
}

/// What was found and what was created.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub org: Org,
    pub org_created: bool,
    pub plan_created: bool,
    pub email: String,
    pub user_created: bool,
    pub password: PasswordOutcome,
    pub membership: MembershipOutcome,
}
