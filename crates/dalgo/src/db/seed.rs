//! Seed data from `seed/`, embedded in the binary and loaded idempotently:
//! rows are keyed by slug (or name), carry fixed UUIDs, and are only written
//! when they differ, so a re-run changes nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Db;
use crate::db::Within;
use crate::error::{Error, Result};

const ROLES: (&str, &str) = ("seed/001_roles.json", include_str!("../../../../seed/001_roles.json"));
const PERMISSIONS: (&str, &str) = ("seed/002_permissions.json", include_str!("../../../../seed/002_permissions.json"));
const ROLE_PERMISSIONS: (&str, &str) =
    ("seed/003_role_permissions.json", include_str!("../../../../seed/003_role_permissions.json"));
const TASKS: (&str, &str) = ("seed/004_tasks.json", include_str!("../../../../seed/004_tasks.json"));
const FLAGS: (&str, &str) = ("seed/005_feature_flags.json", include_str!("../../../../seed/005_feature_flags.json"));

/// Serialises seeding across concurrent `dalgo migrate` runs.
const SEED_LOCK_KEY: i64 = 0x0064_616c_676f_5345; // "dalgoSE"

#[derive(Deserialize)]
struct RoleSeed {
    slug: String,
    uuid: Uuid,
    name: String,
    level: i16,
}

#[derive(Deserialize)]
struct PermissionSeed {
    slug: String,
    uuid: Uuid,
    name: String,
}

#[derive(Deserialize)]
struct TaskSeed {
    slug: String,
    uuid: Uuid,
    #[serde(rename = "type")]
    task_type: String,
    label: String,
    command: Option<String>,
    is_system: bool,
}

#[derive(Deserialize)]
struct FlagSeed {
    name: String,
    description: String,
}

/// The seed data, parsed.
struct Seed {
    roles: Vec<RoleSeed>,
    permissions: Vec<PermissionSeed>,
    role_permissions: BTreeMap<String, Vec<String>>,
    tasks: Vec<TaskSeed>,
    flags: Vec<FlagSeed>,
}

fn parse<T: for<'de> Deserialize<'de>>((file, text): (&'static str, &str)) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Seed { file, message: e.to_string() })
}

impl Seed {
    fn embedded() -> Result<Seed> {
        let seed = Seed {
            roles: parse(ROLES)?,
            permissions: parse(PERMISSIONS)?,
            role_permissions: parse(ROLE_PERMISSIONS)?,
            tasks: parse(TASKS)?,
            flags: parse(FLAGS)?,
        };
        seed.check()?;
        Ok(seed)
    }

    /// Every role and permission the matrix names must be seeded too.
    fn check(&self) -> Result<()> {
        for (role, perms) in &self.role_permissions {
            if !self.roles.iter().any(|r| &r.slug == role) {
                return Err(Error::Seed { file: ROLE_PERMISSIONS.0, message: format!("unknown role {role}") });
            }
            if let Some(p) = perms.iter().find(|p| !self.permissions.iter().any(|q| &q.slug == *p)) {
                return Err(Error::Seed { file: ROLE_PERMISSIONS.0, message: format!("unknown permission {p}") });
            }
        }
        Ok(())
    }

    /// (role slug, permission slug) pairs of the matrix.
    fn pairs(&self) -> (Vec<String>, Vec<String>) {
        self.role_permissions
            .iter()
            .flat_map(|(role, perms)| perms.iter().map(move |p| (role.clone(), p.clone())))
            .unzip()
    }
}

/// How many rows seeding inserted or changed, per table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeedReport {
    pub roles: u64,
    pub permissions: u64,
    pub role_permissions_added: u64,
    pub role_permissions_removed: u64,
    pub tasks: u64,
    pub feature_flags: u64,
}

impl SeedReport {
    pub fn changed_anything(&self) -> bool {
        self.roles
            + self.permissions
            + self.role_permissions_added
            + self.role_permissions_removed
            + self.tasks
            + self.feature_flags
            > 0
    }
}

/// Loads the embedded seed data in one transaction. On Dalgo's Django
/// database roles, permissions and tasks are Django's own seed (`manage.py
/// loaddata`), read as they are: only the flag catalogue, dalgo's, is loaded.
pub async fn load_seed(db: &Db, mode: super::Mode) -> Result<SeedReport> {
    let seed = Seed::embedded()?;
    let mut tx = db.pool().begin().within().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(SEED_LOCK_KEY).execute(&mut *tx).within().await?;
    if mode == super::Mode::Live {
        let report = SeedReport { feature_flags: upsert_flags(&mut tx, &seed.flags).await?, ..SeedReport::default() };
        tx.commit().within().await?;
        return Ok(report);
    }
    let report = SeedReport {
        roles: upsert_roles(&mut tx, &seed.roles).await?,
        permissions: upsert_permissions(&mut tx, &seed.permissions).await?,
        role_permissions_added: add_role_permissions(&mut tx, &seed).await?,
        role_permissions_removed: remove_role_permissions(&mut tx, &seed).await?,
        tasks: upsert_tasks(&mut tx, &seed.tasks).await?,
        feature_flags: upsert_flags(&mut tx, &seed.flags).await?,
    };
    tx.commit().within().await?;
    Ok(report)
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Postgres>;

async fn upsert_roles(tx: &mut Tx<'_>, roles: &[RoleSeed]) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO roles (slug, uuid, name, level)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[], $4::int2[])
         ON CONFLICT (slug) DO UPDATE
            SET uuid = EXCLUDED.uuid, name = EXCLUDED.name, level = EXCLUDED.level, updated_at = now()
          WHERE (roles.uuid, roles.name, roles.level) IS DISTINCT FROM (EXCLUDED.uuid, EXCLUDED.name, EXCLUDED.level)",
    )
    .bind(roles.iter().map(|r| r.slug.clone()).collect::<Vec<_>>())
    .bind(roles.iter().map(|r| r.uuid).collect::<Vec<_>>())
    .bind(roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
    .bind(roles.iter().map(|r| r.level).collect::<Vec<_>>())
    .execute(&mut **tx)
    .within()
    .await?;
    Ok(r.rows_affected())
}

async fn upsert_permissions(tx: &mut Tx<'_>, perms: &[PermissionSeed]) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO permissions (slug, uuid, name)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[])
         ON CONFLICT (slug) DO UPDATE
            SET uuid = EXCLUDED.uuid, name = EXCLUDED.name, updated_at = now()
          WHERE (permissions.uuid, permissions.name) IS DISTINCT FROM (EXCLUDED.uuid, EXCLUDED.name)",
    )
    .bind(perms.iter().map(|p| p.slug.clone()).collect::<Vec<_>>())
    .bind(perms.iter().map(|p| p.uuid).collect::<Vec<_>>())
    .bind(perms.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .within()
    .await?;
    Ok(r.rows_affected())
}

async fn add_role_permissions(tx: &mut Tx<'_>, seed: &Seed) -> Result<u64> {
    let (roles, perms) = seed.pairs();
    let r = sqlx::query(
        "INSERT INTO role_permissions (role_id, permission_id)
         SELECT r.id, p.id
           FROM UNNEST($1::text[], $2::text[]) AS m(role_slug, permission_slug)
           JOIN roles r ON r.slug = m.role_slug
           JOIN permissions p ON p.slug = m.permission_slug
         ON CONFLICT DO NOTHING",
    )
    .bind(roles)
    .bind(perms)
    .execute(&mut **tx)
    .within()
    .await?;
    Ok(r.rows_affected())
}

/// The matrix is authoritative for the seeded roles: grants it lacks go.
async fn remove_role_permissions(tx: &mut Tx<'_>, seed: &Seed) -> Result<u64> {
    let (roles, perms) = seed.pairs();
    let seeded_roles: Vec<String> = seed.roles.iter().map(|r| r.slug.clone()).collect();
    let r = sqlx::query(
        "DELETE FROM role_permissions rp
          USING roles r, permissions p
          WHERE rp.role_id = r.id AND rp.permission_id = p.id
            AND r.slug = ANY($3)
            AND (r.slug, p.slug) NOT IN (SELECT * FROM UNNEST($1::text[], $2::text[]))",
    )
    .bind(roles)
    .bind(perms)
    .bind(seeded_roles)
    .execute(&mut **tx)
    .within()
    .await?;
    Ok(r.rows_affected())
}

async fn upsert_tasks(tx: &mut Tx<'_>, tasks: &[TaskSeed]) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO tasks (slug, uuid, type, label, command, is_system)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bool[])
         ON CONFLICT (slug) DO UPDATE
            SET uuid = EXCLUDED.uuid, type = EXCLUDED.type, label = EXCLUDED.label,
                command = EXCLUDED.command, is_system = EXCLUDED.is_system, updated_at = now()
          WHERE (tasks.uuid, tasks.type, tasks.label, tasks.command, tasks.is_system)
                IS DISTINCT FROM (EXCLUDED.uuid, EXCLUDED.type, EXCLUDED.label, EXCLUDED.command, EXCLUDED.is_system)",
    )
    .bind(tasks.iter().map(|t| t.slug.clone()).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.uuid).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.task_type.clone()).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.label.clone()).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.command.clone()).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.is_system).collect::<Vec<_>>())
    .execute(&mut **tx)
    .within()
    .await?;
    Ok(r.rows_affected())
}

async fn upsert_flags(tx: &mut Tx<'_>, flags: &[FlagSeed]) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO feature_flags (name, description)
         SELECT * FROM UNNEST($1::text[], $2::text[])
         ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description
          WHERE feature_flags.description IS DISTINCT FROM EXCLUDED.description",
    )
    .bind(flags.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
    .bind(flags.iter().map(|f| f.description.clone()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .within()
    .await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_seed_matches_dalgo() {
        let seed = Seed::embedded().unwrap();
        assert_eq!(seed.roles.len(), 4);
        assert_eq!(seed.permissions.len(), 85);
        assert_eq!(seed.tasks.len(), 13);
        assert_eq!(seed.flags.len(), 7);
        let counts: BTreeMap<_, _> = seed.role_permissions.iter().map(|(r, p)| (r.as_str(), p.len())).collect();
        assert_eq!(counts, BTreeMap::from([("admin", 83), ("analyst", 45), ("member", 9), ("super-admin", 84)]));
        let llm = "can_request_llm_analysis_feature";
        let holders: Vec<_> =
            seed.role_permissions.iter().filter(|(_, p)| p.iter().any(|s| s == llm)).map(|(r, _)| r.as_str()).collect();
        assert_eq!(holders, ["analyst", "member"]);
    }
}
