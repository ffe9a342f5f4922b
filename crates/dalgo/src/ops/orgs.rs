//! Orgs as a set: list, create (Dalgo's `createorganduser`), completion.

use futures_util::TryStreamExt;

use crate::context::Dalgo;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::onboard::{PasswordOutcome, Report};
use crate::org::{self, OrgSummary};
use crate::user::{self, Email, PasswordHash};

/// Orgs as a set.
pub struct Orgs<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

impl<'a> Orgs<'a> {
    /// Checks an org's name as [`Orgs::create_with_user`] does, without
    /// the database: not blank, no control characters, not too long.
    pub fn validate_name(name: &str) -> Result<()> {
        org::validate_name(name).map(|_| ())
    }

    /// Checks what [`Orgs::create_with_user`] would refuse before any
    /// password is asked: the org's name and the role.
    pub async fn check_create(&self, org_name: &str, role: &str) -> Result<()> {
        org::validate_name(org_name)?;
        self.dalgo.roles().require(role).await.map(|_| ())
    }
}

/// What `createorganduser` makes.
#[derive(Debug, Clone, Copy)]
pub struct CreateOrgAndUser<'a> {
    pub org_name: &'a str,
    pub email: &'a Email,
    /// The role's slug (`admin`, `member`…).
    pub role: &'a str,
    /// Needed only when the user does not exist yet.
    pub password: Option<&'a PasswordHash>,
}

impl<'a> Orgs<'a> {
    /// Every org with its plan and member count, by name, as PostgreSQL
    /// sends them: memory stays flat however many orgs there are. Members
    /// are counted in one grouped pass over the memberships, not a subquery
    /// per org.
    pub fn list(&self) -> impl futures_util::Stream<Item = Result<OrgSummary>> + 'a {
        let db = self.dalgo.db();
        crate::db::stream_within(
            sqlx::query_as(
                "SELECT o.id, o.uuid, o.name, o.slug, o.airbyte_workspace_id, o.created_at, o.updated_at,
                    COALESCE(m.members, 0) AS members, p.base_plan
               FROM orgs o
               LEFT JOIN org_plans p ON p.org_id = o.id
               LEFT JOIN (SELECT org_id, count(*) AS members FROM org_users GROUP BY org_id) m ON m.org_id = o.id
              ORDER BY lower(o.name)",
            )
            .fetch(db.pool()),
        )
        .map_err(Error::from)
    }

    /// Up to 200 (slug, name) pairs of the orgs whose slug starts with `prefix`,
    /// by slug: what shell completion offers.
    pub async fn slugs_starting(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let db = self.dalgo.db();
        Ok(sqlx::query_as("SELECT slug, name FROM orgs WHERE starts_with(slug, $1) ORDER BY slug LIMIT 200")
            .bind(prefix)
            .fetch_all(db.pool())
            .within()
            .await?)
    }

    /// Dalgo's `createorganduser`: the org (with the Internal plan), the user
    /// and the membership, each only if missing, in one transaction: on any
    /// error nothing is written. A new user needs `password`; check
    /// [`crate::ops::Users::exists`] first to know whether to ask for one.
    /// Re-running is harmless, and concurrent runs for the same org and email
    /// converge on one org, one user and one membership.
    pub async fn create_with_user(&self, req: &CreateOrgAndUser<'_>) -> Result<Report> {
        let (db, actor) = (self.dalgo.db(), self.dalgo.actor());
        let name = org::validate_name(req.org_name)?;
        let mut tx = db.pool().begin().within().await?;
        let role = crate::role::get(&mut tx, req.role).await?;
        let (org, org_created) = org::find_or_create(&mut tx, name, actor).await?;
        let plan_created = org::ensure_internal_plan(&mut tx, &org, actor).await?;
        let (user, user_created) = user::find_or_create(&mut tx, req.email, req.password, actor).await?;
        let membership = user::ensure_membership(&mut tx, &user, Some(&org), &role, actor).await?;
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

    /// Up to 200 (pipeline name, org slug) pairs whose name starts with
    /// `prefix`, of one org or of all: what shell completion offers.
    pub async fn pipeline_names_starting(&self, org_slug: Option<&str>, prefix: &str) -> Result<Vec<(String, String)>> {
        let db = self.dalgo.db();
        Ok(sqlx::query_as(
            "SELECT p.name, o.slug FROM pipelines p JOIN orgs o ON o.id = p.org_id
              WHERE starts_with(p.name, $1) AND ($2::text IS NULL OR o.slug = $2) ORDER BY p.name, o.slug LIMIT 200",
        )
        .bind(prefix)
        .bind(org_slug)
        .fetch_all(db.pool())
        .within()
        .await?)
    }
}
