//! An org's dbt workspace (its project, clone, profile and tasks) and running
//! dbt in it.

pub mod profile;
pub(crate) mod run;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;

pub use crate::process::ChildStdout;
pub use run::{Command, GitRequest, GitStep, RunRecord, RunRequest, RunStatus, Tools, git_update, run};

use crate::audit::{self, Action, Resource};
use crate::config::DbtConfig;
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::git;
use crate::org::{self, Org};
use crate::secrets::{self, SecretStore};
use crate::warehouse::{self, WarehouseType};

/// The master tasks every dbt workspace gets as org tasks, as Dalgo creates them.
const DBT_TASKS: [&str; 6] = ["dbt-clean", "dbt-deps", "dbt-seed", "dbt-run", "dbt-test", "dbt-docs-generate"];

string_enum! {
    /// Where a workspace's project comes from.
    pub enum DbtSource {
        /// A clone dalgo made (and pulls) under `CLIENTDBT_ROOT/<slug>/dbtrepo`.
        Git => "git",
        /// A project already on disk, used in place.
        Local => "local",
    }
}

/// A workspace row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Workspace {
    #[serde(skip)]
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub source: DbtSource,
    pub repo_url: Option<String>,
    pub branch: Option<String>,
    pub project_dir: String,
    pub target_type: String,
    pub default_schema: String,
    /// Given with `--default-schema` (kept by a re-run), not the warehouse's.
    pub default_schema_given: bool,
    pub token_secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where an org's files live under `CLIENTDBT_ROOT`.
#[derive(Debug, Clone)]
pub struct OrgPaths {
    pub org_dir: PathBuf,
    pub profiles_dir: PathBuf,
}

impl OrgPaths {
    pub fn new(cfg: &DbtConfig, org: &Org) -> OrgPaths {
        // The slug is non-empty and path-safe by the schema's CHECK, so this
        // is always a child of the root, never the root itself.
        let org_dir = cfg.clientdbt_root.join(&org.slug);
        OrgPaths { profiles_dir: org_dir.join("profiles"), org_dir }
    }

    pub fn profiles_file(&self) -> PathBuf {
        self.profiles_dir.join("profiles.yml")
    }
}

impl Workspace {
    /// The project's directory on disk.
    pub fn project_path(&self, cfg: &DbtConfig) -> PathBuf {
        let p = Path::new(&self.project_dir);
        if p.is_absolute() { p.to_path_buf() } else { cfg.clientdbt_root.join(p) }
    }
}

/// Where the project comes from.
#[derive(Debug)]
pub enum Source {
    /// Cloned into `CLIENTDBT_ROOT/<slug>/dbtrepo`; the token, if any, goes to
    /// the secrets store.
    Git { url: String, branch: Option<String>, token: Option<SecretString> },
    /// A project already on disk, used where it is.
    Local { path: PathBuf },
}

/// What `setup` is asked to do.
#[derive(Debug)]
pub struct SetupRequest {
    pub source: Source,
    /// The schema dbt builds into; default: the one given before, else the
    /// warehouse's (so a changed warehouse moves dbt with it).
    pub default_schema: Option<String>,
}

/// What `setup` did.
#[derive(Debug, Clone, Serialize)]
pub struct SetupReport {
    pub org: String,
    pub created: bool,
    pub source: DbtSource,
    pub repo_url: Option<String>,
    pub branch: Option<String>,
    pub project_dir: PathBuf,
    pub head_commit: Option<String>,
    pub profile: String,
    pub profiles_file: PathBuf,
    pub default_schema: String,
    pub tasks: Vec<String>,
}

/// The org's workspace row, if any.
pub async fn find(conn: &mut PgConnection, org: &Org) -> Result<Option<Workspace>> {
    Ok(sqlx::query_as(
        "SELECT id, source, repo_url, branch, project_dir, target_type, default_schema, default_schema_given, token_secret,
                created_at, updated_at
           FROM dbt_workspaces WHERE org_id = $1",
    )
    .bind(org.id)
    .fetch_optional(conn).within()
    .await?)
}

pub(crate) async fn require(db: &Db, org: &Org) -> Result<Workspace> {
    find(&mut *db.pool().acquire().await?, org).await?.ok_or_else(|| Error::NoDbtWorkspace(org.slug.clone()))
}

/// The schema dbt builds into and whether it was given: `given`; else one
/// given before (`--default-schema` on an earlier setup); else the
/// warehouse's schema (postgres) or dataset (bigquery), as it is now; else
/// the workspace's.
pub(crate) fn default_schema(
    org_slug: &str,
    given: Option<&str>,
    existing: Option<&Workspace>,
    wtype: WarehouseType,
    creds: &serde_json::Map<String, serde_json::Value>,
) -> Result<(String, bool)> {
    let from_creds = match wtype {
        WarehouseType::Postgres => creds.get("schema"),
        WarehouseType::Bigquery => creds.get("dataset_id"),
        WarehouseType::Snowflake => creds.get("schema"),
    }
    .and_then(|v| v.as_str());
    let kept = existing.filter(|w| w.default_schema_given).map(|w| w.default_schema.as_str());
    let (schema, was_given) = match given.or(kept) {
        Some(s) => (s, true),
        None => (
            from_creds
                .or(existing.map(|w| w.default_schema.as_str()))
                .ok_or_else(|| Error::NoDefaultSchema { org: org_slug.to_string() })?,
            false,
        ),
    };
    if !warehouse::is_identifier(schema) {
        return Err(Error::InvalidSchema(schema.to_string()));
    }
    Ok((schema.to_string(), was_given))
}

/// Brings `dir` to `url` at `branch`: a fresh clone unless it already is a
/// clone of `url`, which is fetched and fast-forwarded instead. A fresh clone
/// goes to a temporary directory first, so a failed or stopped clone leaves
/// the old checkout in place, and the temporary directory goes with it.
pub(crate) async fn checkout(
    git: &git::Git<'_>,
    url: &str,
    branch: Option<&str>,
    dir: &Path,
    token: Option<&SecretString>,
) -> Result<()> {
    if git.origin_url(dir).await.as_deref() == Some(url) {
        let branch = match branch {
            Some(b) => b.to_string(),
            None => git.current_branch(dir).await?,
        };
        git.pull(dir, &branch, token).await?;
        return contained(dir);
    }
    let parent = dir.parent().ok_or_else(|| Error::Internal(format!("{} has no parent", dir.display())))?;
    secrets::create_private_dir(parent).map_err(|source| Error::Files {
        action: "create",
        path: parent.to_path_buf(),
        source,
    })?;
    // Removed when dropped: on a failed clone, and on a stopped one.
    let tmp = tempfile::Builder::new().prefix(".dbtrepo.tmp-").tempdir_in(parent).map_err(|source| Error::Files {
        action: "create",
        path: parent.to_path_buf(),
        source,
    })?;
    git.clone(url, branch, tmp.path(), token).await?;
    contained(tmp.path())?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| Error::Files {
            action: "replace",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::rename(tmp.path(), dir).map_err(|source| Error::Files {
        action: "move the clone to",
        path: dir.to_path_buf(),
        source,
    })?;
    // Moved away: nothing is left at the temporary path to remove.
    let _ = tmp.keep();
    Ok(())
}

/// What dbt writes itself, not the tenant's repository: left out of the check.
const GENERATED: [&str; 4] = ["target", "logs", "dbt_packages", ".git"];

/// Refuses (65, naming the file) a project that reaches outside itself: a
/// symlink that resolves outside it (a model or seed pointing at another
/// org's `profiles.yml`), or a `local:` package in `packages.yml` or
/// `dependencies.yml` outside it. The kernel's sandbox stops such reads as
/// well; this says what is wrong before anything runs.
pub(crate) fn contained(project: &Path) -> Result<()> {
    let root = project.canonicalize().map_err(|source| Error::Files {
        action: "read",
        path: project.to_path_buf(),
        source,
    })?;
    let escapes = |path: &Path, reason: &str| Error::Escapes {
        path: path.strip_prefix(project).unwrap_or(path).display().to_string(),
        reason: reason.to_string(),
    };
    let mut pending = vec![project.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_symlink() {
                // A dangling link or one that leaves the project is refused alike.
                if !path.canonicalize().is_ok_and(|real| real.starts_with(&root)) {
                    return Err(escapes(
                        &path,
                        "a symlink that leads outside the project; remove it from the repository",
                    ));
                }
            } else if kind.is_dir() && !(dir == project && GENERATED.iter().any(|g| entry.file_name() == *g)) {
                pending.push(path);
            }
        }
    }
    for file in ["packages.yml", "dependencies.yml"] {
        let path = project.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_default();
        let packages = doc.get("packages").and_then(|p| p.as_sequence()).cloned().unwrap_or_default();
        for local in packages.iter().filter_map(|p| p.get("local")?.as_str()) {
            let inside = project.join(local).canonicalize().is_ok_and(|real| real.starts_with(&root));
            if !inside {
                return Err(escapes(&path, &format!("the local package {local:?} lies outside the project")));
            }
        }
    }
    Ok(())
}

pub(crate) struct WorkspaceRow<'a> {
    pub(crate) source: DbtSource,
    pub(crate) repo_url: Option<&'a str>,
    pub(crate) branch: Option<&'a str>,
    pub(crate) project_dir: &'a str,
    pub(crate) target_type: &'a str,
    pub(crate) default_schema: &'a str,
    pub(crate) default_schema_given: bool,
    pub(crate) token_secret: Option<&'a str>,
}

/// Upserts the workspace and its org tasks in one transaction.
pub(crate) async fn record(db: &Db, org: &Org, w: &WorkspaceRow<'_>, actor: &str) -> Result<(bool, Vec<String>)> {
    let mut tx = db.pool().begin().within().await?;
    org::lock(&mut tx, org).await?;
    // The org's row is locked: the two parts see no concurrent create
    // (Django's table has no conflict target to upsert on).
    let (id, created): (i64, bool) = sqlx::query_as(
        "WITH upd AS (
            UPDATE dbt_workspaces SET source = $2, repo_url = $3, branch = $4, project_dir = $5, target_type = $6,
                   default_schema = $7, default_schema_given = $8, token_secret = $9, updated_at = now()
             WHERE org_id = $1 RETURNING id, false
         ), ins AS (
            INSERT INTO dbt_workspaces (org_id, source, repo_url, branch, project_dir, target_type, default_schema,
                                        default_schema_given, token_secret)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE NOT EXISTS (SELECT 1 FROM dbt_workspaces WHERE org_id = $1)
            RETURNING id, true
         )
         SELECT * FROM upd UNION ALL SELECT * FROM ins",
    )
    .bind(org.id)
    .bind(w.source.as_str())
    .bind(w.repo_url)
    .bind(w.branch)
    .bind(w.project_dir)
    .bind(w.target_type)
    .bind(w.default_schema)
    .bind(w.default_schema_given)
    .bind(w.token_secret)
    .fetch_one(&mut *tx)
    .within()
    .await?;
    let mut wanted: Vec<&str> = DBT_TASKS.to_vec();
    if w.source == DbtSource::Git {
        wanted.insert(0, "git-pull");
    }
    sqlx::query(
        "WITH wanted AS (SELECT t.id FROM tasks t WHERE t.slug = ANY($3)), upd AS (
            UPDATE org_tasks ot SET dbt_workspace_id = $2, updated_at = now() FROM wanted w
             WHERE ot.org_id = $1 AND ot.task_id = w.id AND ot.generated_by = 'system' AND ot.connection_id IS NULL
               AND ot.dbt_workspace_id IS DISTINCT FROM $2
         )
         INSERT INTO org_tasks (org_id, task_id, dbt_workspace_id)
         SELECT $1, w.id, $2 FROM wanted w
          WHERE NOT EXISTS (SELECT 1 FROM org_tasks ot WHERE ot.org_id = $1 AND ot.task_id = w.id
                               AND ot.generated_by = 'system' AND ot.connection_id IS NULL)
         ON CONFLICT DO NOTHING",
    )
    .bind(org.id)
    .bind(id)
    .bind(&wanted)
    .execute(&mut *tx)
    .within()
    .await?;
    // A workspace that stopped being a git clone has no git-pull task.
    sqlx::query(
        "DELETE FROM org_tasks ot USING tasks t
          WHERE ot.task_id = t.id AND ot.dbt_workspace_id = $1 AND t.type = 'git' AND NOT (t.slug = ANY($2))",
    )
    .bind(id)
    .bind(&wanted)
    .execute(&mut *tx)
    .within()
    .await?;
    let tasks: Vec<String> = sqlx::query_scalar(
        "SELECT t.slug FROM org_tasks ot JOIN tasks t ON t.id = ot.task_id WHERE ot.dbt_workspace_id = $1 ORDER BY t.id",
    )
    .bind(id)
    .fetch_all(&mut *tx).within()
    .await?;
    audit::Entry::new(actor, if created { Action::Create } else { Action::Update }, Resource::DbtWorkspace, &org.slug)
        .of(Some(org))
        .details(json!({ "source": w.source, "repo_url": w.repo_url, "branch": w.branch, "default_schema": w.default_schema }))
        .record(&mut tx)
        .await?;
    tx.commit().within().await?;
    Ok((created, tasks))
}

/// The pipelines that use the workspace's tasks; a workspace in use is not torn down.
pub(crate) async fn pipelines_using(conn: &mut PgConnection, ws: &Workspace) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT p.name FROM pipelines p JOIN pipeline_tasks pt ON pt.pipeline_id = p.id
           JOIN org_tasks ot ON ot.id = pt.org_task_id WHERE ot.dbt_workspace_id = $1 ORDER BY p.name",
    )
    .bind(ws.id)
    .fetch_all(conn)
    .within()
    .await?)
}

/// `dalgo dbt status`: the workspace, its checkout and profile, recent runs.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub org: String,
    #[serde(flatten)]
    pub workspace: Workspace,
    pub project_path: PathBuf,
    pub head_commit: Option<String>,
    pub profile: Option<String>,
    pub profiles_file: PathBuf,
    pub profiles_file_exists: bool,
    pub runs: Vec<RunRecord>,
}

/// The value of the org's `dbt-profile-<slug>` Secret, from its workspace
/// and warehouse credentials (see [`profile::secret_value`]).
pub(crate) async fn profile_secret(db: &Db, store: &SecretStore, org: &Org) -> Result<serde_json::Value> {
    let ws = require(db, org).await?;
    let (_, creds) = warehouse::load(db, store, org).await?;
    profile::secret_value(ws.target_type.parse()?, &creds, &ws.default_schema)
}

/// Rewrites the org's profiles.yml from the current warehouse credentials
/// (so a changed password reaches dbt), returning the workspace and the
/// Unix socket directory its warehouse is reached through, if it is
/// (`host: /dir`), which its dbt must see.
pub(crate) async fn refresh_profile(
    db: &Db,
    cfg: &DbtConfig,
    store: &SecretStore,
    org: &Org,
) -> Result<(Workspace, Option<PathBuf>)> {
    let ws = require(db, org).await?;
    let (_, creds) = warehouse::load(db, store, org).await?;
    let wtype: WarehouseType = ws.target_type.parse()?;
    let profile_name = profile::project_profile_name(&ws.project_path(cfg))?;
    let yaml = profile::render(&profile_name, wtype, &creds, &ws.default_schema)?;
    profile::write(&OrgPaths::new(cfg, org).profiles_file(), &yaml)?;
    let socket = match wtype {
        WarehouseType::Postgres => creds.get("host").and_then(|h| h.as_str()).filter(|h| h.starts_with('/')),
        WarehouseType::Bigquery | WarehouseType::Snowflake => None,
    };
    Ok((ws, socket.map(PathBuf::from)))
}
