//! Organisations: their rows, plans and members.

pub mod plan;
pub mod slug;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Action, OrgRef, Resource};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};

/// An organisation (a Dalgo tenant).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Org {
    #[serde(skip)]
    pub id: i64,
    pub uuid: Uuid,
    pub name: String,
    pub slug: String,
    pub airbyte_workspace_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl audit::AboutOrg for Org {
    fn org_ref(&self) -> OrgRef<'_> {
        OrgRef { id: self.id, slug: &self.slug }
    }
}

pub(crate) const ORG_COLUMNS: &str = "id, uuid, name, slug, airbyte_workspace_id, created_at, updated_at";

/// An org in `dalgo org list`, with its member count. Serialized with the
/// same keys as [`OrgDetails`] for the same things: `base_plan` (Dalgo's
/// name for the plan's name) and `member_count`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgSummary {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub org: Org,
    #[serde(rename = "member_count")]
    pub members: i64,
    pub base_plan: Option<String>,
}

/// An org's subscription plan, with Dalgo's field names.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OrgPlan {
    pub base_plan: String,
    pub superset_included: bool,
    pub subscription_duration: Option<String>,
    pub features: serde_json::Value,
    /// The plan's window, as dates.
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    pub can_upgrade_plan: bool,
    pub upgrade_requested: bool,
}

/// A member of an org.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub email: String,
    pub role: String,
    pub email_verified: bool,
    pub joined_at: DateTime<Utc>,
}

/// An org with its plan and members (`dalgo org show`). Serialized as the
/// org's fields, `base_plan` and `member_count` (as in [`OrgSummary`]),
/// `plan` (the whole plan, Dalgo's field names) and `members`.
#[derive(Debug, Clone)]
pub struct OrgDetails {
    pub org: Org,
    pub plan: Option<OrgPlan>,
    pub members: Vec<Member>,
}

impl Serialize for OrgDetails {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(flatten)]
            org: &'a Org,
            base_plan: Option<&'a str>,
            plan: Option<&'a OrgPlan>,
            member_count: usize,
            members: &'a [Member],
        }
        View {
            org: &self.org,
            base_plan: self.plan.as_ref().map(|p| p.base_plan.as_str()),
            plan: self.plan.as_ref(),
            member_count: self.members.len(),
            members: &self.members,
        }
        .serialize(s)
    }
}

/// The org with this slug.
pub async fn get(conn: &mut PgConnection, slug: &str) -> Result<Org> {
    by_slug(conn, slug).await
}

/// The org with this id, if it still exists (its id was read from a row
/// that refers to it).
pub(crate) async fn by_id(conn: &mut PgConnection, id: i64) -> Result<Option<Org>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).within().await?)
}

/// The org's row read again by id and locked against concurrent changes
/// until the transaction ends; [`Error::OrgNotFound`] when it has been
/// deleted since it was read.
pub(crate) async fn lock(conn: &mut PgConnection, org: &Org) -> Result<Org> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1 FOR UPDATE");
    let row = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.id).fetch_optional(conn).within().await?;
    row.ok_or_else(|| Error::OrgNotFound { slug: org.slug.clone(), suggestion: None })
}

/// The org with this slug, if there is one (no near miss is looked for).
pub(crate) async fn find(conn: &mut PgConnection, slug: &str) -> Result<Option<Org>> {
    select(conn, slug).await
}

async fn by_slug(conn: &mut PgConnection, slug: &str) -> Result<Org> {
    match select(conn, slug).await? {
        Some(org) => Ok(org),
        None => Err(not_found(conn, slug).await),
    }
}

/// Slugs are lower case (the schema says so), so `ACME-NGO` finds `acme-ngo`.
/// Two orgs sharing a slug (Dalgo's Django table allows it) are refused,
/// both named.
async fn select(conn: &mut PgConnection, slug: &str) -> Result<Option<Org>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE slug = $1 ORDER BY id LIMIT 3");
    let rows: Vec<Org> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(slug.to_lowercase()).fetch_all(&mut *conn).within().await?;
    crate::db::the_one("org slug", slug, rows, |o| format!("{:?} (id {})", o.name, o.id))
}

/// [`Error::OrgNotFound`] for `slug`, naming the nearest slug there is when
/// one is close (a typo, a missing dash).
pub(crate) async fn not_found(conn: &mut PgConnection, slug: &str) -> Error {
    let suggestion = crate::db::nearest(conn, "orgs", "slug", &slug.to_lowercase()).await;
    Error::OrgNotFound { slug: slug.to_string(), suggestion }
}

pub(crate) async fn members(conn: &mut PgConnection, org_id: i64) -> Result<Vec<Member>> {
    Ok(sqlx::query_as(
        "SELECT u.email, r.slug AS role, ou.email_verified, ou.created_at AS joined_at
           FROM org_users ou JOIN users u ON u.id = ou.user_id JOIN roles r ON r.id = ou.role_id
          WHERE ou.org_id = $1 ORDER BY lower(u.email)",
    )
    .bind(org_id)
    .fetch_all(conn)
    .within()
    .await?)
}

/// Trims and checks an org name against the schema's rules.
pub fn validate_name(name: &str) -> Result<&str> {
    let trimmed = name.trim();
    let fail = |reason| Err(Error::InvalidOrgName { given: name.to_string(), reason });
    if trimmed.is_empty() {
        return fail("it is empty");
    }
    if trimmed.chars().count() > 50 {
        return fail("it is longer than 50 characters");
    }
    if trimmed.chars().any(char::is_control) {
        return fail("it contains control characters");
    }
    if trimmed.chars().any(crate::values::is_hidden_char) {
        return fail("it contains invisible characters (a right-to-left override, a line separator)");
    }
    Ok(trimmed)
}

/// Finds the org named `name` (case-insensitively) or creates it with a unique
/// slug. Safe under concurrency: the unique indexes decide, never a prior read.
pub(crate) async fn find_or_create(conn: &mut PgConnection, name: &str, actor: &str) -> Result<(Org, bool)> {
    if let Some(org) = find_by_name(conn, name).await? {
        return Ok((org, false));
    }
    let base = slug::base_slug(name);
    for n in 1..=10_000 {
        if let Some(org) = insert(conn, name, &slug::candidate(&base, n), actor).await? {
            return Ok((org, true));
        }
        // The insert lost to the name (a concurrent create) or to the slug.
        if let Some(org) = find_by_name(conn, name).await? {
            return Ok((org, false));
        }
    }
    Err(Error::InvalidOrgName { given: name.to_string(), reason: "no free slug for it" })
}

/// Inserts the org `slug` named `name` and records it; `None` when another
/// org has the name or the slug (the unique indexes decide).
async fn insert(conn: &mut PgConnection, name: &str, slug: &str, actor: &str) -> Result<Option<Org>> {
    let sql = format!("INSERT INTO orgs (name, slug) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING {ORG_COLUMNS}");
    let created: Option<Org> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).bind(slug).fetch_optional(&mut *conn).within().await?;
    if let Some(org) = &created {
        audit::Entry::new(actor, Action::Create, Resource::Org, org.uuid.to_string())
            .of(Some(org))
            .details(json!({ "name": org.name, "slug": org.slug }))
            .record(conn)
            .await?;
    }
    Ok(created)
}

/// Creates the org `slug` named `name`, with the Internal plan, in one
/// transaction; a slug or a name another org has is refused, nothing written.
pub(crate) async fn create_named(db: &Db, slug: &str, name: &str, actor: &str) -> Result<Org> {
    let name = validate_name(name)?;
    let mut tx = db.pool().begin().within().await?;
    let org = insert(&mut tx, name, slug, actor).await?.ok_or_else(|| Error::InvalidOrgName {
        given: name.to_string(),
        reason: "another org has this name or this slug",
    })?;
    ensure_internal_plan(&mut tx, &org, actor).await?;
    tx.commit().within().await?;
    Ok(org)
}

async fn find_by_name(conn: &mut PgConnection, name: &str) -> Result<Option<Org>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE lower(name) = lower($1)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(conn).within().await?)
}

/// Gives the org the `Internal` plan that `createorganduser` intends, unless it
/// has a plan already. Returns whether one was created.
pub(crate) async fn ensure_internal_plan(conn: &mut PgConnection, org: &Org, actor: &str) -> Result<bool> {
    let created = sqlx::query(
        "INSERT INTO org_plans (org_id, base_plan, superset_included, subscription_duration, features, can_upgrade_plan)
         VALUES ($1, 'Internal', false, 'Monthly', $2, true)
         ON CONFLICT DO NOTHING",
    )
    .bind(org.id)
    .bind(plan::features(plan::BasePlan::Internal, false))
    .execute(&mut *conn).within()
    .await?
    .rows_affected()
        == 1;
    if created {
        audit::Entry::new(actor, Action::Create, Resource::OrgPlan, org.uuid.to_string())
            .of(Some(org))
            .details(json!({ "base_plan": "Internal", "subscription_duration": "Monthly" }))
            .record(conn)
            .await?;
    }
    Ok(created)
}

/// What deleting an org removes (or, for a dry run, would remove).
#[derive(Debug, Clone, Serialize)]
pub struct DeleteReport {
    pub org: Org,
    pub dry_run: bool,
    pub memberships: Vec<Member>,
    /// Users whose only membership was in this org; they go too.
    pub users_removed: Vec<String>,
    pub plan: bool,
    pub feature_flag_overrides: i64,
}

/// Deletes an org's rows and everything that belongs to them in one
/// transaction; users left without any membership are removed too. With
/// `dry_run`, reports what would go and changes nothing. This is the
/// database's part only: [`crate::ops::OrgOps::delete`] removes what the org
/// has outside it first.
pub(crate) async fn delete(db: &Db, org: &Org, dry_run: bool, actor: &str) -> Result<DeleteReport> {
    let mut tx = db.pool().begin().within().await?;
    let org = lock(&mut tx, org).await?;
    let memberships = members(&mut tx, org.id).await?;
    // Lock the members' user rows first. A concurrent `user add` of one of
    // them into another org holds a key-share lock on the user until it
    // commits: this waits for it, and the next statement sees its membership.
    // One that comes later waits for this transaction instead, and finds the
    // user gone. Either way no membership is lost with a deleted user.
    sqlx::query(
        "SELECT u.id FROM users u JOIN org_users ou ON ou.user_id = u.id AND ou.org_id = $1 ORDER BY u.id FOR UPDATE OF u",
    )
    .bind(org.id)
    .execute(&mut *tx).within()
    .await?;
    let orphans: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.email FROM users u JOIN org_users ou ON ou.user_id = u.id AND ou.org_id = $1
          WHERE NOT u.is_system
            AND NOT EXISTS (SELECT 1 FROM org_users o2 WHERE o2.user_id = u.id AND o2.org_id IS DISTINCT FROM $1)
          ORDER BY lower(u.email)",
    )
    .bind(org.id)
    .fetch_all(&mut *tx)
    .within()
    .await?;
    let plan: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM org_plans WHERE org_id = $1)")
        .bind(org.id)
        .fetch_one(&mut *tx)
        .within()
        .await?;
    let feature_flag_overrides: i64 = sqlx::query_scalar("SELECT count(*) FROM feature_flag_values WHERE org_id = $1")
        .bind(org.id)
        .fetch_one(&mut *tx)
        .within()
        .await?;
    let (orphan_ids, users_removed): (Vec<i64>, Vec<String>) = orphans.into_iter().unzip();
    let report = DeleteReport { org, dry_run, memberships, users_removed, plan, feature_flag_overrides };
    if dry_run {
        tx.rollback().within().await?;
        return Ok(report);
    }
    // Written first so the row keeps the slug; ON DELETE SET NULL clears the link.
    audit::Entry::new(actor, Action::Delete, Resource::Org, report.org.uuid.to_string())
        .of(Some(&report.org))
        .details(json!({
            "name": report.org.name, "slug": report.org.slug,
            "memberships": report.memberships.len(), "users_removed": report.users_removed,
        }))
        .record(&mut tx)
        .await?;
    // Pipelines first: their tasks may not go while a pipeline uses them.
    sqlx::query("DELETE FROM pipelines WHERE org_id = $1").bind(report.org.id).execute(&mut *tx).within().await?;
    // Memberships, plan, flag values, tasks, warehouse go by ON DELETE CASCADE.
    sqlx::query("DELETE FROM orgs WHERE id = $1").bind(report.org.id).execute(&mut *tx).within().await?;
    sqlx::query(
        "DELETE FROM users u WHERE u.id = ANY($1) AND NOT u.is_system
            AND NOT EXISTS (SELECT 1 FROM org_users ou WHERE ou.user_id = u.id)",
    )
    .bind(&orphan_ids)
    .execute(&mut *tx)
    .within()
    .await?;
    tx.commit().within().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Acme NGO ").unwrap(), "Acme NGO");
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(51)).is_err());
        assert!(validate_name("a\u{7}b").is_err());
        for hidden in ["evil\u{202E}gpj.exe", "a\u{200B}b", "\u{FEFF}Acme", "x\u{2066}y", "line\u{2028}break"] {
            assert!(validate_name(hidden).unwrap_err().to_string().contains("invisible characters"), "{hidden}");
        }
        assert_eq!(validate_name("Asociación Niñez").unwrap(), "Asociación Niñez");
    }
}
