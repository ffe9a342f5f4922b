//! `createorganduser`: an org, its plan, a user and the membership, each found
//! or created, in one transaction.

use serde::Serialize;

use crate::db::Db;
use crate::db::Within;
use crate::error::Result;
use crate::org::{self, Org};
use crate::role;
use crate::user::{self, Email, MembershipOutcome, PasswordHash};

/// What to onboard.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub org_name: &'a str,
    pub email: &'a Email,
    pub role: &'a str,
    /// Needed only when the user does not exist yet.
    pub password: Option<&'a PasswordHash>,
    pub actor: &'a str,
}

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

/// Runs the whole onboarding in one transaction: on any error nothing is
/// written. Re-running is harmless, and concurrent runs for the same org and
/// email converge on one org, one user and one membership.
pub async fn create_org_and_user(db: &Db, req: &Request<'_>) -> Result<Report> {
    let name = org::validate_name(req.org_name)?;
    let mut tx = db.pool().begin().within().await?;
    let role = role::get(&mut tx, req.role).await?;
    let (org, org_created) = org::find_or_create(&mut tx, name, req.actor).await?;
    let plan_created = org::ensure_internal_plan(&mut tx, &org, req.actor).await?;
    let (user, user_created) = user::find_or_create(&mut tx, req.email, req.password, req.actor).await?;
    let membership = user::ensure_membership(&mut tx, &user, Some(&org), &role, req.actor).await?;
    tx.commit().within().await?;
    Ok(Report {
        org,
        org_created,
        plan_created,
        email: user.email,
        user_created,
        password: if user_created { PasswordOutcome::Set } else { PasswordOutcome::Unchanged },
        membership,
    })
}
