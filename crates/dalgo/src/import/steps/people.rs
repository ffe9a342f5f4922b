//! Plans, users, memberships and feature flags.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{RETURNING_INSERTED, counted};
use crate::db::Within;
use crate::error::Result;
use crate::import::source;
use crate::import::{Counts, Importer, Table};
use crate::org::plan::{BasePlan, Duration};
use crate::user::{Email, SYSTEM_USER_EMAIL};
use crate::values::parse_any_case;

/// A user as dalgo stores it.
struct UserRow {
    email: String,
    password: String,
    is_active: bool,
    is_system: bool,
    email_verified: bool,
    can_create_orgs: bool,
    is_consultant: bool,
    is_platform_admin: bool,
    created_at: DateTime<Utc>,
}

impl Importer<'_> {
    pub(super) async fn plans(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let mut rows = Vec::new();
        for p in &self.src.plans {
            match self.plan_row(p) {
                Ok(r) => rows.push(r),
                Err(reason) => self.refuse(Table::OrgPlans, format!("ddpui_orgplans {}", p.id), reason),
            }
        }
        let total = rows.len();
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO org_plans (org_id, base_plan, superset_included, subscription_duration, features, start_date,
                                    end_date, can_upgrade_plan, upgrade_requested, created_at, updated_at)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bool[], $4::text[], $5::jsonb[], $6::timestamptz[],
                                  $7::timestamptz[], $8::bool[], $9::bool[], $10::timestamptz[], $11::timestamptz[])
             ON CONFLICT (org_id) DO UPDATE SET base_plan = excluded.base_plan,
                 superset_included = excluded.superset_included, subscription_duration = excluded.subscription_duration,
                 features = excluded.features, start_date = excluded.start_date, end_date = excluded.end_date,
                 can_upgrade_plan = excluded.can_upgrade_plan, upgrade_requested = excluded.upgrade_requested,
                 updated_at = excluded.updated_at
             WHERE (org_plans.base_plan, org_plans.superset_included, org_plans.subscription_duration, org_plans.features,
                    org_plans.start_date, org_plans.end_date, org_plans.can_upgrade_plan, org_plans.upgrade_requested)
                   IS DISTINCT FROM (excluded.base_plan, excluded.superset_included, excluded.subscription_duration,
                    excluded.features, excluded.start_date, excluded.end_date, excluded.can_upgrade_plan,
                    excluded.upgrade_requested)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.superset_included.unwrap_or(false)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.3.map(Duration::as_str)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.features.clone().unwrap_or_else(|| serde_json::json!({}))).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.start_date).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.end_date).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.can_upgrade_plan).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.upgrade_requested).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.updated_at).collect::<Vec<_>>())
        .fetch_all(c)
        .within()
        .await?;
        Ok(counted(total, inserted.into_iter()))
    }

    /// A plan with its org, base plan and duration as dalgo spells them
    /// (`DALGO` is `Dalgo`), or why it cannot be one.
    #[allow(clippy::type_complexity)]
    fn plan_row<'p>(
        &self,
        p: &'p source::Plan,
    ) -> std::result::Result<(i64, BasePlan, &'p source::Plan, Option<Duration>), String> {
        let (org, _) = self.org_of(p.org_id)?;
        let base = p.base_plan.as_deref().ok_or("it has no base plan")?;
        let base = parse_any_case::<BasePlan>(base).map_err(|e| e.to_string())?;
        let duration = match p.subscription_duration.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => Some(parse_any_case::<Duration>(d).map_err(|e| e.to_string())?),
            None => None,
        };
        if let (Some(s), Some(e)) = (p.start_date, p.end_date)
            && e < s
        {
            return Err(format!("it ends ({e}) before it starts ({s})"));
        }
        Ok((org, base, p, duration))
    }

    pub(super) async fn users(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let rows = self.user_rows();
        let total = rows.len();
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (email, password, is_active, is_system, email_verified, can_create_orgs, is_consultant,
                                is_platform_admin, created_at, updated_at)
             SELECT e, p, a, s, v, co, ic, pa, j, j
               FROM UNNEST($1::text[], $2::text[], $3::bool[], $4::bool[], $5::bool[], $6::bool[], $7::bool[], $8::bool[],
                           $9::timestamptz[]) AS u(e, p, a, s, v, co, ic, pa, j)
             ON CONFLICT ((lower(email))) DO UPDATE SET password = excluded.password, is_active = excluded.is_active,
                 is_system = excluded.is_system, email_verified = excluded.email_verified,
                 can_create_orgs = excluded.can_create_orgs, is_consultant = excluded.is_consultant,
                 is_platform_admin = excluded.is_platform_admin, updated_at = now()
             WHERE (users.password, users.is_active, users.is_system, users.email_verified, users.can_create_orgs,
                    users.is_consultant, users.is_platform_admin)
                   IS DISTINCT FROM (excluded.password, excluded.is_active, excluded.is_system, excluded.email_verified,
                    excluded.can_create_orgs, excluded.is_consultant, excluded.is_platform_admin)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.1.email.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.password.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.is_active).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.is_system).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.email_verified).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.can_create_orgs).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.is_consultant).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.is_platform_admin).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.created_at).collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .within()
        .await?;
        let emails: Vec<String> = rows.iter().map(|r| r.1.email.to_lowercase()).collect();
        let ids: HashMap<String, (i64, String)> = sqlx::query_as::<_, (String, i64, String)>(
            "SELECT lower(email), id, email FROM users WHERE lower(email) = ANY($1)",
        )
        .bind(&emails)
        .fetch_all(&mut *c)
        .within()
        .await?
        .into_iter()
        .map(|(k, id, e)| (k, (id, e)))
        .collect();
        self.ids.users =
            rows.iter().filter_map(|(d, r)| ids.get(&r.email.to_lowercase()).map(|v| (*d, v.clone()))).collect();
        Ok(counted(total, inserted.into_iter()))
    }

    /// The source's users as dalgo stores them, by Django id; refused: no
    /// address, an address another user shares (ignoring case).
    fn user_rows(&mut self) -> Vec<(i32, UserRow)> {
        let mut rows: Vec<(i32, UserRow)> = Vec::new();
        for u in &self.src.users {
            match user_row(u) {
                Ok((row, warning)) => {
                    if let Some(w) = warning {
                        self.refuse(Table::Users, format!("auth_user {}", u.id), w);
                    }
                    rows.push((u.id, row));
                }
                Err(reason) => self.refuse(Table::Users, format!("auth_user {}", u.id), reason),
            }
        }
        let mut by_email: HashMap<String, Vec<i32>> = HashMap::new();
        for (id, r) in &rows {
            by_email.entry(r.email.to_lowercase()).or_default().push(*id);
        }
        let shared: HashSet<i32> = by_email.values().filter(|ids| ids.len() > 1).flatten().copied().collect();
        for (id, r) in rows.iter().filter(|(id, _)| shared.contains(id)) {
            let others: Vec<String> =
                by_email[&r.email.to_lowercase()].iter().filter(|o| *o != id).map(|o| o.to_string()).collect();
            let reason =
                format!("{} is also auth_user {}'s (addresses are unique ignoring case)", r.email, others.join(", "));
            self.refuse(Table::Users, format!("auth_user {id}"), reason);
        }
        rows.retain(|(id, _)| !shared.contains(id));
        rows
    }

    pub(super) async fn members(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let rows = self.member_rows();
        let total = rows.len();
        let mut inserted: Vec<bool> = Vec::new();
        for orgless in [false, true] {
            let part: Vec<&MemberRow> = rows.iter().filter(|r| r.org.is_none() == orgless).collect();
            let target = if orgless { "(user_id) WHERE org_id IS NULL" } else { "(user_id, org_id)" };
            let mut got: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "INSERT INTO org_users (user_id, org_id, role_id, email_verified, created_at, updated_at)
                 SELECT m.u, m.o, r.id, m.v, m.c, m.up
                   FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::bool[], $5::timestamptz[], $6::timestamptz[])
                        AS m(u, o, role, v, c, up) JOIN roles r ON r.slug = m.role
                 ON CONFLICT {target} DO UPDATE SET role_id = excluded.role_id,
                     email_verified = excluded.email_verified, updated_at = excluded.updated_at
                 WHERE (org_users.role_id, org_users.email_verified)
                       IS DISTINCT FROM (excluded.role_id, excluded.email_verified)
                 {RETURNING_INSERTED}"
            )))
            .bind(part.iter().map(|r| r.user).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.org).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.m.role.clone()).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.m.email_verified).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.m.created_at).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.m.updated_at).collect::<Vec<_>>())
            .fetch_all(&mut *c)
            .within()
            .await?;
            inserted.append(&mut got);
        }
        Ok(counted(total, inserted.into_iter()))
    }

    /// Memberships with their user, org and a role dalgo has; of several
    /// for one user and org (Django does not prevent them), the newest.
    fn member_rows(&mut self) -> Vec<MemberRow<'_>> {
        let mut keyed = Vec::new();
        let src = self.src;
        for m in &src.members {
            let checked = (|| {
                let (user, _) = self
                    .ids
                    .users
                    .get(&m.user_id)
                    .ok_or(format!("its user (auth_user {}) was not imported", m.user_id))?;
                let org = m.org_id.map(|o| self.org_of(o).map(|x| x.0)).transpose()?;
                let role = m.role.as_deref().ok_or("it has no role (its role was deleted)")?;
                if !self.ids.roles.contains(role) {
                    return Err(format!("dalgo has no role {role:?}"));
                }
                Ok((*user, org))
            })();
            match checked {
                Ok(key) => keyed.push((key, m)),
                Err(reason) => self.refuse(Table::OrgUsers, format!("ddpui_orguser {}", m.id), reason),
            }
        }
        let (kept, passed) = super::newest(keyed, |m: &source::Member| (m.updated_at, m.id));
        for (old, new) in passed {
            let reason = format!(
                "a second membership of the same user and org as ddpui_orguser {} (the newest is kept)",
                new.id
            );
            self.refuse(Table::OrgUsers, format!("ddpui_orguser {}", old.id), reason);
        }
        let mut rows: Vec<MemberRow> = kept.into_iter().map(|((user, org), m)| MemberRow { user, org, m }).collect();
        rows.sort_by_key(|r| r.m.id);
        rows
    }

    pub(super) async fn flags(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let catalogue: HashSet<String> = sqlx::query_scalar("SELECT name FROM feature_flags")
            .fetch_all(&mut *c)
            .within()
            .await?
            .into_iter()
            .collect();
        let mut rows: Vec<(Option<i64>, String, bool)> = Vec::new();
        for f in &self.src.flags {
            let org = match f.org_id.map(|o| self.org_of(o)).transpose() {
                Ok(o) => o.map(|o| o.0),
                Err(reason) => {
                    self.refuse(Table::FeatureFlags, format!("ddpui_orgfeatureflag {}", f.id), reason);
                    continue;
                }
            };
            if !catalogue.contains(&f.flag_name) {
                let reason = format!("{:?} is not in dalgo's flag catalogue", f.flag_name);
                self.refuse(Table::FeatureFlags, format!("ddpui_orgfeatureflag {}", f.id), reason);
                continue;
            }
            rows.push((org, f.flag_name.clone(), f.flag_value));
        }
        let total = rows.len();
        let mut inserted: Vec<bool> = Vec::new();
        for global in [false, true] {
            let part: Vec<_> = rows.iter().filter(|r| r.0.is_none() == global).collect();
            let target = if global {
                "(flag_name) WHERE org_id IS NULL"
            } else {
                "(org_id, flag_name) WHERE org_id IS NOT NULL"
            };
            let mut got: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "INSERT INTO feature_flag_values (org_id, flag_name, value)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bool[])
                 ON CONFLICT {target} DO UPDATE SET value = excluded.value, updated_at = now()
                 WHERE feature_flag_values.value <> excluded.value
                 {RETURNING_INSERTED}"
            )))
            .bind(part.iter().map(|r| r.0).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.1.clone()).collect::<Vec<_>>())
            .bind(part.iter().map(|r| r.2).collect::<Vec<_>>())
            .fetch_all(&mut *c)
            .within()
            .await?;
            inserted.append(&mut got);
        }
        Ok(counted(total, inserted.into_iter()))
    }
}

struct MemberRow<'a> {
    user: i64,
    org: Option<i64>,
    m: &'a source::Member,
}

/// The user as dalgo stores it, with a warning when its password could
/// not come over; or why the user cannot be dalgo's.
fn user_row(u: &source::User) -> std::result::Result<(UserRow, Option<String>), String> {
    let is_system = u.username == SYSTEM_USER_EMAIL && u.email == SYSTEM_USER_EMAIL;
    // Dalgo logs in by username, which is the address for every user it made.
    let email = if is_system {
        SYSTEM_USER_EMAIL.to_string()
    } else {
        let given = if u.username.contains('@') { &u.username } else { &u.email };
        Email::parse(given)
            .map_err(|e| format!("no usable address (username {:?}, email {:?}): {e}", u.username, u.email))?
            .as_str()
            .to_string()
    };
    let (password, warning) = password(u, is_system);
    let row = UserRow {
        email,
        password,
        is_active: u.is_active,
        is_system,
        email_verified: u.email_verified.unwrap_or(false),
        can_create_orgs: u.can_create_orgs.unwrap_or(false),
        is_consultant: u.is_consultant.unwrap_or(false),
        is_platform_admin: u.is_platform_admin.unwrap_or(false),
        created_at: u.date_joined,
    };
    Ok((row, warning))
}

/// Django's hash as it is (pbkdf2_sha256 at any iteration count, or an
/// unusable `!…`); the System User's empty one made unusable; another
/// hasher's made unusable, with the warning that the user must reset it.
fn password(u: &source::User, is_system: bool) -> (String, Option<String>) {
    let p = &u.password;
    if p.starts_with("pbkdf2_sha256$") || p.starts_with('!') {
        (p.clone(), None)
    } else if p.is_empty() && is_system {
        ("!".into(), None)
    } else {
        let hasher = p.split('$').next().filter(|h| !h.is_empty()).unwrap_or("none");
        let warning =
            format!("password hashed with {hasher:?}, which dalgo does not verify: made unusable, to be reset");
        ("!".into(), Some(warning))
    }
}
