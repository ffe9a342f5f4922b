//! The audit log: one row per change an admin command makes, written in the
//! same transaction as the change.

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;

use crate::db::Within;
use crate::error::Result;

/// What happened.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
}

/// What it happened to.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Org,
    OrgPlan,
    User,
    OrgUser,
    FeatureFlag,
    Warehouse,
    DbtWorkspace,
    Secret,
    Pipeline,
    TaskLock,
}

impl Action {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

impl Resource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Resource::Org => "org",
            Resource::OrgPlan => "org_plan",
            Resource::User => "user",
            Resource::OrgUser => "org_user",
            Resource::FeatureFlag => "feature_flag",
            Resource::Warehouse => "warehouse",
            Resource::DbtWorkspace => "dbt_workspace",
            Resource::Secret => "secret",
            Resource::Pipeline => "pipeline",
            Resource::TaskLock => "task_lock",
        }
    }
}

/// The org an entry concerns, kept by slug even after the org is deleted.
#[derive(Debug, Clone, Copy)]
pub struct OrgRef<'a> {
    pub id: i64,
    pub slug: &'a str,
}

/// What names an org in the audit log (an org row; the audit log sits
/// below the org module and knows only this).
pub trait AboutOrg {
    fn org_ref(&self) -> OrgRef<'_>;
}

/// One audit entry.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: Action,
    pub resource: Resource,
    pub resource_id: String,
    pub org: Option<OrgRef<'a>>,
    pub details: Value,
}

impl<'a> Entry<'a> {
    /// `actor` did `action` to the `resource` named `resource_id`; about no
    /// org and with no details until [`Entry::of`] and [`Entry::details`] say.
    pub fn new(actor: &'a str, action: Action, resource: Resource, resource_id: impl Into<String>) -> Self {
        Entry { actor, action, resource, resource_id: resource_id.into(), org: None, details: Value::Null }
    }

    /// The org the entry concerns, if any.
    pub fn of<O: AboutOrg>(mut self, org: Option<&'a O>) -> Self {
        self.org = org.map(AboutOrg::org_ref);
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Writes the entry on the caller's connection (normally inside its transaction).
    pub async fn record(self, conn: &mut PgConnection) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (actor, action, resource_type, resource_id, org_id, org_slug, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.actor)
        .bind(self.action.as_str())
        .bind(self.resource.as_str())
        .bind(self.resource_id)
        .bind(self.org.map(|o| o.id))
        .bind(self.org.map(|o| o.slug))
        .bind(self.details)
        .execute(conn)
        .within()
        .await?;
        Ok(())
    }
}

/// Which audit entries a listing returns: all of them, or those of an org, an
/// actor, since a time; newest first, at most `limit`.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    /// An org's slug (entries of a deleted org are found by it too).
    pub org: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: Option<i64>,
}

/// One entry as read back.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Record {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The org's slug when the entry concerns one (kept after the org is deleted).
    pub org: Option<String>,
    pub details: Value,
}
