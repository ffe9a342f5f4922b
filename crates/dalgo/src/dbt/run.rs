//! Running dbt (and git pull) for an org, one at a time.
//!
//! Runs of one org are serialised by a PostgreSQL session-level advisory lock
//! held on a connection of its own: if dalgo dies, however it dies, the
//! connection closes and the lock is released. Each run is recorded in
//! `dbt_runs`; a row still `running` when the next run gets the lock was left
//! by a killed dalgo and is marked `interrupted`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;

use super::{OrgPaths, refresh_profile};
use crate::config::DbtConfig;
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::git::Git;
use crate::org::Org;
use crate::org_lock::{LockClass, OrgLock};
use crate::process::ChildStdout;
use crate::secrets::SecretStore;

/// The dbt commands dalgo runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Run,
    Test,
    Seed,
    Deps,
    Clean,
    Build,
    DocsGenerate,
    /// Checks the project, profile and warehouse connection.
    Debug,
    /// Compiles the models to SQL in target/, running nothing.
    Compile,
    /// Lists the project's resources.
    Ls,
}

impl Command {
    pub(crate) fn args(self) -> &'static [&'static str] {
        match self {
            Command::Run => &["run"],
            Command::Test => &["test"],
            Command::Seed => &["seed"],
            Command::Deps => &["deps"],
            Command::Clean => &["clean"],
            Command::Build => &["build"],
            Command::DocsGenerate => &["docs", "generate"],
            Command::Debug => &["debug"],
            Command::Compile => &["compile"],
            Command::Ls => &["ls"],
        }
    }

    /// The org tasks (pipelines' steps) this command does the work of.
    fn task_slugs(self) -> &'static [&'static str] {
        match self {
            Command::Run => &["dbt-run"],
            Command::Test => &["dbt-test"],
            Command::Seed => &["dbt-seed"],
            Command::Deps => &["dbt-deps"],
            Command::Clean => &["dbt-clean"],
            Command::Build => &["dbt-run", "dbt-test"],
            Command::DocsGenerate => &["dbt-docs-generate"],
            // Read-only commands no pipeline step runs.
            Command::Debug | Command::Compile | Command::Ls => &[],
        }
    }

    /// As recorded and shown: `dbt run`, `dbt docs generate`, …
    pub fn label(self) -> String {
        format!("dbt {}", self.args().join(" "))
    }
}

/// A dbt invocation.
#[derive(Debug)]
pub struct RunRequest<'a> {
    pub org: &'a Org,
    pub command: Command,
    pub target: Option<&'a str>,
    /// Passed to dbt after dalgo's own arguments.
    pub extra: &'a [String],
    /// Queue behind a running command (true) or fail at once (false).
    pub wait: bool,
    pub actor: &'a str,
    /// Prefect, to free task locks of pipeline runs that have ended.
    pub prefect: Option<&'a crate::prefect::Client>,
    /// Where dbt's standard output goes.
    pub stdout: ChildStdout<'a>,
    /// The pipeline run this command is a step of: the task locks that run
    /// holds do not refuse it.
    pub for_flow_run: Option<&'a str>,
}

string_enum! {
    /// How a recorded dbt command stands.
    pub enum RunStatus {
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
        /// Its dalgo died before it could record the end.
        Interrupted => "interrupted",
    }
}

/// One recorded run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RunRecord {
    pub id: i64,
    pub command: String,
    pub args: serde_json::Value,
    pub actor: String,
    pub pid: Option<i32>,
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl RunRecord {
    /// "dbt run by asha since 2026-…, pid 42", for messages.
    pub fn describe(&self) -> String {
        let pid = self.pid.map(|p| format!(", pid {p}")).unwrap_or_default();
        format!("{} by {} since {}{pid}", self.command, self.actor, self.started_at.format("%Y-%m-%d %H:%M:%SZ"))
    }
}

/// The dbt binary: `DBT_EXECUTABLE`, else `DBT_VENV/bin/dbt` (or Dalgo's
/// `DBT_VENV/venv/bin/dbt`).
pub fn executable(cfg: &DbtConfig) -> Result<PathBuf> {
    if let Some(exe) = &cfg.executable {
        return if exe.is_file() {
            Ok(exe.clone())
        } else {
            Err(Error::DbtNotFound(format!("DBT_EXECUTABLE {} does not exist", exe.display())))
        };
    }
    let Some(venv) = &cfg.venv else {
        return Err(Error::DbtNotFound(
            "no dbt: set DBT_VENV to a virtualenv with dbt installed, or DBT_EXECUTABLE to a dbt binary".into(),
        ));
    };
    [venv.join("bin/dbt"), venv.join("venv/bin/dbt")]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| Error::DbtNotFound(format!("DBT_VENV {} has no bin/dbt", venv.display())))
}

/// What dbt commands and git steps run with: the database their runs are
/// recorded in, dbt's configuration, and the store of the org's secrets.
#[derive(Clone, Copy)]
pub struct Tools<'a> {
    pub db: &'a Db,
    pub cfg: &'a DbtConfig,
    pub store: &'a SecretStore,
}

/// Runs a dbt command in the org's project with the org's profile, streaming
/// its output, and returns the run as recorded at its end (dbt's exit code
/// in `exit_code`). `on_wait` is told what is running when the run has to
/// queue. When `stop` resolves (the caller's Ctrl-C or SIGTERM), dbt is
/// stopped, the run is recorded `interrupted`, and the answer is
/// [`Error::Interrupted`].
pub async fn run(
    tools: Tools<'_>,
    req: &RunRequest<'_>,
    on_wait: impl FnOnce(&str),
    stop: impl Future<Output = ()>,
) -> Result<RunRecord> {
    let Tools { db, cfg, store } = tools;
    let label = req.command.label();
    // Every wait honours the caller's stop: a signal before dbt starts ends
    // the command with nothing recorded.
    let mut stop = std::pin::pin!(futures_util::FutureExt::fuse(stop));
    let prepared = async {
        let exe = executable(cfg)?;
        let org = req.org;
        // No workspace is an answer, not a run: nothing is recorded for it; nor
        // is a project that reaches outside itself.
        let project = super::require(db, org).await?.project_path(cfg);
        super::contained(&project)?;
        // A project dbt cannot read (no or a bad dbt_project.yml) is refused (65), not run.
        super::profile::project_profile_name(&project)?;
        let org_dir = OrgPaths::new(cfg, org).org_dir;
        let tmp = org_dir.join("tmp");
        crate::secrets::create_private_dir(&tmp).map_err(|source| Error::Files {
            action: "create",
            path: tmp.clone(),
            source,
        })?;
        let jail = cfg.jail(&org_dir).write(&project);
        // A sandbox that cannot be had (DALGO_SANDBOX=require) refuses before anything is recorded;
        // the org's files are handed to the tenant's user once, just before dbt starts.
        jail.clone().run_as(None).prepare()?;
        // A pipeline run doing this step now refuses the command (75).
        let healer = req.prefect.map(|c| crate::task_locks::Healer { locks: c, actor: req.actor });
        crate::task_locks::ensure_free(db, healer, org, req.command.task_slugs(), req.for_flow_run).await?;
        let mut args: Vec<String> = req.command.args().iter().map(|s| s.to_string()).collect();
        args.push("--profiles-dir".into());
        args.push(OrgPaths::new(cfg, org).profiles_dir.to_string_lossy().into_owned());
        if let Some(t) = req.target {
            args.extend(["--target".into(), t.into()]);
        }
        args.extend(req.extra.iter().cloned());
        Ok((exe, org, args, jail, tmp))
    };
    let (exe, org, args, jail, tmp) = until_stopped(prepared, &mut stop, &label).await?;
    let recorded = Recorded { org, label: &label, args: &args, wait: req.wait, actor: req.actor };
    locked(db, &recorded, on_wait, stop, async || {
        let (ws, socket) = refresh_profile(db, cfg, store, org).await?;
        let jail = match &socket {
            Some(dir) => jail.clone().reveal(dir),
            None => jail.clone(),
        };
        let mut dbt = tokio::process::Command::new(&exe);
        // From the child environment only: a tenant's project cannot read dalgo's credentials.
        dbt.args(&args).current_dir(ws.project_path(cfg)).env_clear().envs(cfg.child_env.vars()).env("TMPDIR", &tmp);
        dbt.envs(jail.own_env());
        let jail = jail.prepare()?;
        // Dropped when the org's lock is lost: dbt stops before another run starts.
        crate::process::exit_code(&mut dbt, req.stdout, &jail)
            .await
            .map_err(|e| Error::DbtNotFound(format!("cannot run {}: {e}", exe.display())))
    })
    .await
}

/// `work`, unless `stop` resolves first: then [`Error::Interrupted`].
pub(crate) async fn until_stopped<T>(
    work: impl Future<Output = Result<T>>,
    stop: &mut (impl Future<Output = ()> + Unpin),
    what: &str,
) -> Result<T> {
    tokio::select! {
        r = work => r,
        () = stop => Err(Error::Interrupted { what: what.to_string() }),
    }
}

/// A git step on an org's clone.
#[derive(Debug, Clone, Copy)]
pub struct GitRequest<'a> {
    pub org: &'a Org,
    pub step: GitStep,
    /// Queue behind a running command (true) or fail at once (false).
    pub wait: bool,
    pub actor: &'a str,
}

/// A command as `dbt_runs` records it.
#[derive(Clone, Copy)]
struct Recorded<'a> {
    org: &'a Org,
    label: &'a str,
    args: &'a [String],
    wait: bool,
    actor: &'a str,
}

/// What to do with an org's clone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitStep {
    /// `git pull` of the clone.
    Pull,
    /// Dalgo's `git-clone` step on a machine that keeps its files: the
    /// repository cloned into the project directory when it is not there
    /// (or is a clone of another repository), else pulled.
    Clone,
}

/// `step` on the org's clone, under the same lock as dbt runs, recorded as a
/// run; the new head. When `stop` resolves, git is stopped (a clone's
/// partial copy removed, the checkout left as it was), the run is recorded
/// `interrupted`, and the answer is [`Error::Interrupted`].
pub async fn git_update(
    tools: Tools<'_>,
    req: &GitRequest<'_>,
    on_wait: impl FnOnce(&str),
    stop: impl Future<Output = ()>,
) -> Result<String> {
    let Tools { db, cfg, store } = tools;
    let step = req.step;
    let org = req.org;
    let ws = super::require(db, org).await?;
    let (Some(url), Some(branch)) = (&ws.repo_url, &ws.branch) else {
        return Err(Error::NotAGitWorkspace(org.slug.clone()));
    };
    let token = match &ws.token_secret {
        Some(name) => store.get(name).await?,
        None => None,
    };
    let mut head = String::new();
    let verb = if step == GitStep::Pull { "pull" } else { "clone" };
    let args = vec![verb.to_string(), branch.clone()];
    let label = format!("git {verb}");
    let recorded = Recorded { org, label: &label, args: &args, wait: req.wait, actor: req.actor };
    locked(db, &recorded, on_wait, stop, async || {
        let (git, dir) = (Git::new(cfg, &OrgPaths::new(cfg, org).org_dir), ws.project_path(cfg));
        head = match step {
            GitStep::Pull => git.pull(&dir, branch, token.as_ref()).await?,
            GitStep::Clone => {
                super::checkout(&git, url, Some(branch), &dir, token.as_ref()).await?;
                git.head_commit(&dir).await?
            }
        };
        Ok(0)
    })
    .await?;
    Ok(head)
}

/// How often a running command touches its row's heartbeat on the lock's
/// session, and how long one touch may take before the session counts as lost.
const HEARTBEAT: Duration = Duration::from_secs(2);
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(5);
/// A running row whose heartbeat is older than this has no live dalgo behind
/// it: a dalgo that gets a core stops its dbt within `HEARTBEAT + 2 *
/// HEARTBEAT_TIMEOUT` (12 s) of the last touch that got through (a touch,
/// then one try to take the lock again). The rest is room for a machine so
/// busy that a process waits seconds for a core (at 10 s, a run queued behind
/// one whose lock session died started while that one's dbt was still
/// stopping, with two busy loops and a build beside the test suite).
const STALE_SECS: f64 = 30.0;

/// Holds the org's lock around `body`, recording the run. `wait` queues
/// behind a holder instead of failing.
///
/// The lock lives as long as its session. While `body` runs, a heartbeat on
/// that session checks it; if the session is gone, the lock is taken again
/// on a new one, and if someone else has it by then, `body` is dropped (dbt
/// is killed) and the run ends as [`Error::LockLost`]. A command that gets the
/// lock while the previous holder's row still has a fresh heartbeat waits
/// for that holder to stop, so two runs never overlap. The end is recorded
/// on whatever connection still works, with the run's real result.
async fn locked(
    db: &Db,
    run: &Recorded<'_>,
    on_wait: impl FnOnce(&str),
    stop: impl Future<Output = ()>,
    body: impl AsyncFnOnce() -> Result<i32>,
) -> Result<RunRecord> {
    let Recorded { org, label, args, wait, actor } = *run;
    // Polled during every wait, and again after the body: a signal while the
    // command queues, or while the end is recorded, is honoured too.
    let mut stop = std::pin::pin!(futures_util::FutureExt::fuse(stop));
    let started = async {
        let mut lock = lock_org(db, org, wait, on_wait).await?;
        wait_for_stopping_holder(lock.conn(), org).await?;
        sqlx::query(
            "UPDATE dbt_runs SET status = 'interrupted', ended_at = now() WHERE org_id = $1 AND status = 'running'",
        )
        .bind(org.id)
        .execute(lock.conn())
        .within()
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dbt_runs (org_id, command, args, actor, pid) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org.id)
        .bind(label)
        .bind(serde_json::json!(args))
        .bind(actor)
        .bind(std::process::id() as i32)
        .fetch_one(lock.conn())
        .within()
        .await?;
        Ok((lock, id))
    };
    // Stopped while queued: nothing was recorded, nothing ran.
    let (mut lock, id) = until_stopped(started, &mut stop, label).await?;
    let outcome = tokio::select! {
        outcome = body() => outcome,
        lost = keep(&mut lock, db, org, id) => Err(lost),
        // Dropping the body stops dbt.
        () = &mut stop => Err(Error::Interrupted { what: label.to_string() }),
    };
    let (status, code) = match &outcome {
        Ok(0) => (RunStatus::Succeeded, Some(0)),
        Ok(c) => (RunStatus::Failed, Some(*c)),
        Err(Error::LockLost { .. } | Error::Interrupted { .. } | Error::GitTimedOut { .. }) => {
            (RunStatus::Interrupted, None)
        }
        Err(_) => (RunStatus::Failed, None),
    };
    let record = async {
        let record = format!(
            "UPDATE dbt_runs SET status = $2, exit_code = $3, ended_at = now() WHERE id = $1 RETURNING {RUN_COLUMNS}"
        );
        let update = |sql: String| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(status.as_str()).bind(code);
        match update(record.clone()).fetch_one(lock.conn()).within().await {
            Ok(ended) => {
                lock.release().await?;
                Ok::<RunRecord, Error>(ended)
            }
            // The lock's session died after the run: record the result anyway.
            Err(_) => Ok(update(record).fetch_one(db.pool()).within().await?),
        }
    };
    let ended: RunRecord = tokio::select! {
        ended = record => ended?,
        // Stopped while the end is being recorded (a stalled link): the row
        // is left running, and reads as interrupted once its heartbeat is stale.
        () = &mut stop => return Err(Error::Interrupted { what: label.to_string() }),
    };
    outcome.map(|_| ended)
}

/// Touches the run's heartbeat on the lock's session until that fails; then
/// takes the lock again on a new session, or returns [`Error::LockLost`] when
/// that is not possible (another command has it, or the database is gone).
async fn keep(lock: &mut OrgLock, db: &Db, org: &Org, id: i64) -> Error {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let touch = sqlx::query("UPDATE dbt_runs SET heartbeat_at = now() WHERE id = $1").bind(id);
        if let Ok(Ok(_)) = tokio::time::timeout(HEARTBEAT_TIMEOUT, touch.execute(lock.conn())).await {
            continue;
        }
        tracing::warn!(org = %org.slug, "the session holding the dbt lock was lost; taking the lock again");
        match tokio::time::timeout(HEARTBEAT_TIMEOUT, OrgLock::try_acquire(db, LockClass::Dbt, org)).await {
            Ok(Ok(Ok(again))) => *lock = again,
            Ok(Ok(Err(_))) => {
                return Error::LockLost { org: org.slug.clone(), reason: "another dbt command took it".into() };
            }
            Ok(Err(e)) => return Error::LockLost { org: org.slug.clone(), reason: e.to_string() },
            Err(_) => {
                return Error::LockLost { org: org.slug.clone(), reason: "the database did not answer".into() };
            }
        }
    }
}

/// Waits while a run of the org is recorded as running with a fresh
/// heartbeat: its dalgo lost the lock's session and is stopping its dbt.
async fn wait_for_stopping_holder(conn: &mut PgConnection, org: &Org) -> Result<()> {
    loop {
        let live: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM dbt_runs WHERE org_id = $1 AND status = 'running'
                              AND heartbeat_at > now() - make_interval(secs => $2))",
        )
        .bind(org.id)
        .bind(STALE_SECS)
        .fetch_one(&mut *conn)
        .within()
        .await?;
        if !live {
            return Ok(());
        }
        tokio::time::sleep(HEARTBEAT).await;
    }
}

/// Takes the org's dbt lock. When it is held: with `wait`, tells `on_wait`
/// what holds it and queues; without, fails with [`Error::Locked`].
pub(crate) async fn lock_org(db: &Db, org: &Org, wait: bool, on_wait: impl FnOnce(&str)) -> Result<OrgLock> {
    let mut conn = match OrgLock::try_acquire(db, LockClass::Dbt, org).await? {
        Ok(lock) => return Ok(lock),
        Err(conn) => conn,
    };
    let holder = running(&mut conn, org).await?.map_or_else(|| "another dbt command".to_string(), |r| r.describe());
    if !wait {
        return Err(Error::Locked { org: org.slug.clone(), holder, next: crate::error::NextStep::WaitForDbt });
    }
    on_wait(&holder);
    OrgLock::wait(conn, LockClass::Dbt, org).await
}

/// `SELECT` of the org's runs, then `rest`; a `running` row whose heartbeat
/// is stale reads as `interrupted`: its dalgo is gone (killed, or cut off
/// from the database).
/// A [`RunRecord`]'s columns as stored (no stale-heartbeat reading).
const RUN_COLUMNS: &str = "id, command, args, actor, pid, exit_code, started_at, ended_at, status";

fn select_runs(rest: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT id, command, args, actor, pid, exit_code, started_at, ended_at,
                CASE WHEN status = 'running' AND heartbeat_at < now() - make_interval(secs => {STALE_SECS})
                     THEN 'interrupted' ELSE status END AS status
           FROM dbt_runs WHERE org_id = $1 {rest}"
    ))
}

async fn running(conn: &mut PgConnection, org: &Org) -> Result<Option<RunRecord>> {
    Ok(sqlx::query_as(select_runs("AND status = 'running' ORDER BY started_at DESC LIMIT 1"))
        .bind(org.id)
        .fetch_optional(conn)
        .within()
        .await?)
}

/// The org's latest runs, newest first.
pub(crate) async fn recent(db: &Db, org: &Org, limit: i64) -> Result<Vec<RunRecord>> {
    Ok(sqlx::query_as(select_runs("ORDER BY started_at DESC, id DESC LIMIT $2"))
        .bind(org.id)
        .bind(limit)
        .fetch_all(db.pool())
        .within()
        .await?)
}
