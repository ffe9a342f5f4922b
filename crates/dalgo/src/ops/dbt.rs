//! `dbt setup` and `dbt teardown`: the org's project checkout, git token,
//! profile, workspace rows and tasks, and the Prefect blocks that copy them.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use super::{OrgOps, Partial, Step, refresh_blocks};
use crate::audit::{self, Action, Resource};
use crate::db::Within;
use crate::dbt::{self, DbtSource, OrgPaths, SetupReport, SetupRequest, Source, Status, profile, require, run};
use crate::error::{Error, OrWarn, Result};
use crate::git;
use crate::org::Org;
use crate::org_lock::OrgLock;
use crate::secrets::{self, SecretKind};
use crate::warehouse;

/// The dbt workspace operations of an org.
pub struct DbtOps<'a> {
    pub(crate) org: OrgOps<'a>,
}

/// What `setup` did.
#[derive(Debug, Clone, Serialize)]
pub struct DbtSetupReport {
    #[serde(flatten)]
    pub setup: SetupReport,
    /// The token version the workspace named before, now removed.
    pub replaced_token_secret: Option<String>,
    pub prefect_blocks: Step,
}

impl Partial for DbtSetupReport {
    fn unfinished(&self) -> Vec<(&'static str, &Step)> {
        Some(("prefect blocks", &self.prefect_blocks)).into_iter().filter(|(_, s)| s.is_failed()).collect()
    }
}

/// What `teardown` removed.
#[derive(Debug, Clone, Serialize)]
pub struct DbtTeardownReport {
    pub org: String,
    pub tasks_removed: i64,
    /// The token version the workspace named, if any.
    pub token_secret_removed: Option<String>,
    pub removed_paths: Vec<PathBuf>,
    /// Prefect blocks removed (they hold the profile and the token).
    pub prefect_blocks_removed: Vec<String>,
}

/// A checked-out project, as the workspace row records it.
struct Checkout {
    kind: DbtSource,
    project_dir: PathBuf,
    /// The project's directory as stored: under the org's, or a local path.
    stored_dir: String,
    repo_url: Option<String>,
    branch: Option<String>,
    /// The token version the row will name.
    token_secret: Option<String>,
    /// The version this setup made, to remove if the setup fails.
    new_token: Option<String>,
}

/// The source with its URL cleaned, or its local project resolved and
/// readable, before anything is locked or written.
fn checked_source(source: Source) -> Result<Source> {
    Ok(match source {
        Source::Git { url, branch, token } => {
            if let Some(b) = &branch {
                git::check_branch(b)?;
            }
            Source::Git { url: git::clean_url(&url)?, branch, token }
        }
        Source::Local { path } => {
            let dir = std::fs::canonicalize(&path)
                .map_err(|e| Error::DbtProject { path: path.display().to_string(), reason: e.to_string() })?;
            profile::project_profile_name(&dir)?;
            Source::Local { path: dir }
        }
    })
}

/// Removes what a killed setup left in the org's directory: half-made clones.
fn remove_stale_clones(paths: &OrgPaths) {
    let Ok(entries) = std::fs::read_dir(&paths.org_dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(".dbtrepo.tmp-") {
            std::fs::remove_dir_all(e.path()).or_warn(format_args!("remove {}", e.path().display()));
        }
    }
}

impl DbtOps<'_> {
    /// Takes the org's operations lock, then its dbt lock (failing with
    /// [`Error::Locked`] while dbt runs), and clears what killed runs left.
    async fn locks(&self, org: &Org) -> Result<(OrgLock, OrgLock)> {
        let dalgo = self.org.dalgo();
        let ops = self.org.lock(org).await?;
        let dbt = dbt::run::lock_org(dalgo.db(), org, false, |_| {}).await?;
        secrets::sweep(dalgo.db(), dalgo.store(), org).await?;
        remove_stale_clones(&OrgPaths::new(&dalgo.config().dbt, org));
        Ok((ops, dbt))
    }

    /// Sets up or updates the org's dbt workspace. Follows the rule in
    /// [`crate::ops`]: the source and schema are checked first; a new token is
    /// a new secret version, used for the clone or pull, and the workspace row
    /// switches to it only when that worked, so a wrong token leaves the
    /// working one in place; a fresh clone is made beside the old checkout
    /// and swapped in; profiles.yml (mode 0600) is rewritten atomically.
    pub async fn setup(&self, req: SetupRequest) -> Result<DbtSetupReport> {
        let dalgo = self.org.dalgo();
        let cfg = &dalgo.config().dbt;
        let source = checked_source(req.source)?;
        let org = self.org.get().await?;
        let (wh, creds) = warehouse::load(dalgo.db(), dalgo.store(), &org).await?;
        let wtype = wh.warehouse_type()?;
        let existing = dbt::find(&mut *dalgo.db().pool().acquire().await?, &org).await?;
        let (default_schema, default_schema_given) =
            dbt::default_schema(&org.slug, req.default_schema.as_deref(), existing.as_ref(), wtype, &creds)?;
        let paths = OrgPaths::new(cfg, &org);
        let (ops_lock, dbt_lock) = self.locks(&org).await?;
        // Read again under the lock: a setup that ran while this one queued
        // may have switched the token.
        let current = dbt::find(&mut *dalgo.db().pool().acquire().await?, &org).await?;
        let old_token = current.and_then(|w| w.token_secret);
        let co = self.check_out(&org, &paths, source, old_token.as_deref()).await?;
        let Checkout { kind, project_dir, stored_dir, repo_url, branch, token_secret, new_token } = co;
        let written = async {
            let profile_name = profile::project_profile_name(&project_dir)?;
            let yaml = profile::render(&profile_name, wtype, &creds, &default_schema)?;
            profile::write(&paths.profiles_file(), &yaml)?;
            let row = dbt::WorkspaceRow {
                source: kind,
                repo_url: repo_url.as_deref(),
                branch: branch.as_deref(),
                project_dir: &stored_dir,
                target_type: wtype.as_str(),
                default_schema: &default_schema,
                default_schema_given,
                token_secret: token_secret.as_deref(),
            };
            let (created, tasks) = dbt::record(dalgo.db(), &org, &row, dalgo.actor()).await?;
            Ok::<_, Error>((profile_name, created, tasks))
        };
        let (profile_name, created, tasks) = match written.await {
            Ok(r) => r,
            Err(e) => {
                self.discard(new_token.as_deref()).await;
                return Err(e);
            }
        };
        // The row no longer names the old token (replaced, or the project is local now).
        let replaced_token_secret = old_token.filter(|old| token_secret.as_deref() != Some(old.as_str()));
        if let Some(old) = &replaced_token_secret {
            secrets::remove_version(dalgo.db(), dalgo.store(), old).await?;
        }
        let head_commit = match kind {
            DbtSource::Git => Some(git::Git::new(cfg, &paths.org_dir).head_commit(&project_dir).await?),
            DbtSource::Local => None,
        };
        dbt_lock.release().await?;
        let prefect_blocks = refresh_blocks(dalgo, &org).await;
        ops_lock.release().await?;
        Ok(DbtSetupReport {
            setup: SetupReport {
                org: org.slug,
                created,
                source: kind,
                repo_url,
                branch,
                project_dir,
                head_commit,
                profile: profile_name,
                profiles_file: paths.profiles_file(),
                default_schema,
                tasks,
            },
            replaced_token_secret,
            prefect_blocks,
        })
    }

    /// The project as `source` says: cloned or pulled (with a new token
    /// stored as a new version first, and removed again if git fails), or
    /// a local project checked to stay inside itself.
    async fn check_out(
        &self,
        org: &Org,
        paths: &OrgPaths,
        source: Source,
        old_token: Option<&str>,
    ) -> Result<Checkout> {
        let dalgo = self.org.dalgo();
        let (url, branch, token) = match source {
            Source::Git { url, branch, token } => (url, branch, token),
            Source::Local { path } => {
                dbt::contained(&path)?;
                let stored_dir = path.to_string_lossy().into_owned();
                let (repo_url, branch, token_secret, new_token) = (None, None, None, None);
                let kind = DbtSource::Local;
                return Ok(Checkout { kind, project_dir: path, stored_dir, repo_url, branch, token_secret, new_token });
            }
        };
        let new_token = match &token {
            Some(t) => Some(secrets::put_new_version(dalgo.db(), dalgo.store(), org, SecretKind::GitToken, t).await?),
            None => None,
        };
        let token = match (token, old_token) {
            (Some(t), _) => Some(t),
            (None, Some(name)) => dalgo.store().get(name).await?,
            (None, None) => None,
        };
        let dir = paths.org_dir.join("dbtrepo");
        let git = git::Git::new(&dalgo.config().dbt, &paths.org_dir);
        let checked_out = async {
            dbt::checkout(&git, &url, branch.as_deref(), &dir, token.as_ref()).await?;
            git.current_branch(&dir).await
        };
        let branch = match checked_out.await {
            Ok(b) => b,
            Err(e) => {
                self.discard(new_token.as_deref()).await;
                return Err(e);
            }
        };
        Ok(Checkout {
            kind: DbtSource::Git,
            project_dir: dir,
            stored_dir: format!("{}/dbtrepo", org.slug),
            repo_url: Some(url),
            branch: Some(branch),
            token_secret: new_token.clone().or_else(|| old_token.map(String::from)),
            new_token,
        })
    }

    /// Removes a token version a failed setup made.
    async fn discard(&self, new_token: Option<&str>) {
        if let Some(name) = new_token {
            secrets::remove_version(self.org.dalgo().db(), self.org.dalgo().store(), name)
                .await
                .or_warn(format_args!("remove the unused token version {name}"));
        }
    }

    /// What [`DbtOps::teardown`] would refuse (no workspace, one a pipeline
    /// uses), changing nothing: for a confirmation or a dry run.
    pub async fn check_teardown(&self) -> Result<()> {
        self.teardown_target().await.map(|_| ())
    }

    async fn teardown_target(&self) -> Result<(Org, dbt::Workspace)> {
        let db = self.org.dalgo().db();
        let org = self.org.get().await?;
        let ws = dbt::require(db, &org).await?;
        refuse_in_use(&org, &dbt::pipelines_using(&mut *db.pool().acquire().await?, &ws).await?)?;
        Ok((org, ws))
    }

    /// Removes the workspace: first the Prefect blocks holding its profile and
    /// token, then its files (profiles.yml, the clone dalgo made; a `--local`
    /// project is never deleted), then its rows and tasks, then every token
    /// version. A failure leaves the workspace row, so a re-run finishes.
    pub async fn teardown(&self) -> Result<DbtTeardownReport> {
        let dalgo = self.org.dalgo();
        let cfg = &dalgo.config().dbt;
        let (org, ws) = self.teardown_target().await?;
        let (ops_lock, dbt_lock) = self.locks(&org).await?;
        let prefect_blocks_removed = match dalgo.config().prefect.get()? {
            Some(_) => crate::pipeline::blocks::delete(dalgo.prefect()?, &org.slug, true).await?,
            None => Vec::new(),
        };
        let paths = OrgPaths::new(cfg, &org);
        let mut targets = vec![paths.profiles_dir.clone()];
        if ws.source == DbtSource::Git {
            targets.push(ws.project_path(cfg));
        }
        let removed_paths = remove_under(&paths.org_dir, targets)?;
        let mut tx = dalgo.db().pool().begin().within().await?;
        crate::org::lock(&mut tx, &org).await?;
        refuse_in_use(&org, &dbt::pipelines_using(&mut tx, &ws).await?)?;
        let tasks_removed: i64 = sqlx::query_scalar("SELECT count(*) FROM org_tasks WHERE dbt_workspace_id = $1")
            .bind(ws.id)
            .fetch_one(&mut *tx)
            .within()
            .await?;
        sqlx::query("DELETE FROM dbt_workspaces WHERE id = $1").bind(ws.id).execute(&mut *tx).within().await?;
        audit::Entry::new(dalgo.actor(), Action::Delete, Resource::DbtWorkspace, &org.slug)
            .of(Some(&org))
            .details(json!({ "source": ws.source, "repo_url": ws.repo_url, "tasks_removed": tasks_removed }))
            .record(&mut tx)
            .await?;
        tx.commit().within().await?;
        // Every token version of the org is now unnamed: the current one and any a kill left.
        secrets::sweep(dalgo.db(), dalgo.store(), &org).await?;
        dbt_lock.release().await?;
        ops_lock.release().await?;
        Ok(DbtTeardownReport {
            org: org.slug,
            tasks_removed,
            token_secret_removed: ws.token_secret,
            removed_paths,
            prefect_blocks_removed,
        })
    }
}

fn refuse_in_use(org: &Org, pipelines: &[String]) -> Result<()> {
    if pipelines.is_empty() {
        return Ok(());
    }
    Err(Error::InUse {
        message: format!(
            "pipelines of {} use the workspace's tasks ({}); update or delete them first",
            org.slug,
            pipelines.join(", ")
        ),
        next: Some(crate::error::NextStep::ListPipelines { org: org.slug.clone() }),
    })
}

/// Removes each existing target that lies under `root`, returning those removed.
pub(crate) fn remove_under(root: &Path, targets: Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for path in targets.into_iter().filter(|p| p.starts_with(root) && p.exists()) {
        std::fs::remove_dir_all(&path).map_err(|source| Error::Files {
            action: "remove",
            path: path.clone(),
            source,
        })?;
        removed.push(path);
    }
    Ok(removed)
}

/// How to run a dbt command in an org's project.
#[derive(Debug, Default)]
pub struct DbtRunOptions<'a> {
    /// The profile's target (`--target`); default: the profile's own.
    pub target: Option<&'a str>,
    /// Passed to dbt after dalgo's own arguments.
    pub extra: &'a [String],
    /// Fail at once ([`Error::Locked`], 75) instead of queueing behind a
    /// running command of the org.
    pub no_wait: bool,
    /// Where dbt's standard output goes.
    pub stdout: crate::process::ChildStdout<'a>,
}

impl DbtOps<'_> {
    /// Runs a dbt command in the org's project with the org's profile,
    /// confined to the org's directory (Landlock, see the README), one at a
    /// time per org (`on_wait` is told what runs when it must queue); the
    /// run is recorded. A pipeline run doing this step refuses it (75).
    /// When `stop` resolves, dbt is stopped, the run recorded `interrupted`,
    /// and the answer is [`Error::Interrupted`]. dbt's exit code is the
    /// record's `exit_code`.
    pub async fn run(
        &self,
        command: dbt::Command,
        opts: DbtRunOptions<'_>,
        on_wait: impl FnOnce(&str),
        stop: impl Future<Output = ()>,
    ) -> Result<dbt::RunRecord> {
        let dalgo = self.org.dalgo();
        // The org is read under the stop too: a signal while the database
        // stalls ends the command, with nothing recorded.
        let mut stop = std::pin::pin!(futures_util::FutureExt::fuse(stop));
        let org = &dbt::run::until_stopped(self.org.get(), &mut stop, &command.label()).await?;
        let req = dbt::RunRequest {
            org,
            command,
            target: opts.target,
            extra: opts.extra,
            wait: !opts.no_wait,
            actor: dalgo.actor(),
            prefect: dalgo.prefect_if_configured()?,
            stdout: opts.stdout,
            for_flow_run: None,
        };
        dbt::run(dalgo.dbt_tools(), &req, on_wait, stop).await
    }

    /// `git pull` of the org's clone, under the lock dbt runs take, recorded
    /// as a run; the new head. `stop` ends it as [`DbtOps::run`] says.
    pub async fn git_pull(
        &self,
        no_wait: bool,
        on_wait: impl FnOnce(&str),
        stop: impl Future<Output = ()>,
    ) -> Result<String> {
        let dalgo = self.org.dalgo();
        let mut stop = std::pin::pin!(futures_util::FutureExt::fuse(stop));
        let org = &dbt::run::until_stopped(self.org.get(), &mut stop, "git pull").await?;
        let req = dbt::GitRequest { org, step: dbt::GitStep::Pull, wait: !no_wait, actor: dalgo.actor() };
        dbt::git_update(dalgo.dbt_tools(), &req, on_wait, stop).await
    }

    /// The workspace, its checkout and profile, and its latest `limit` runs.
    pub async fn status(&self, limit: i64) -> Result<Status> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        let (db, cfg) = (dalgo.db(), &dalgo.config().dbt);
        let workspace = require(db, &org).await?;
        let project_path = workspace.project_path(cfg);
        let head_commit = match workspace.source {
            DbtSource::Git => {
                git::Git::new(cfg, &OrgPaths::new(cfg, &org).org_dir).head_commit(&project_path).await.ok()
            }
            DbtSource::Local => None,
        };
        let profile = profile::project_profile_name(&project_path).ok();
        let paths = OrgPaths::new(cfg, &org);
        let runs = run::recent(db, &org, limit).await?;
        Ok(Status {
            org: org.slug,
            project_path,
            head_commit,
            profile,
            profiles_file_exists: paths.profiles_file().is_file(),
            profiles_file: paths.profiles_file(),
            workspace,
            runs,
        })
    }
}
