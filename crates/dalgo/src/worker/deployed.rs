//! Tasks run as their deployment says, as Dalgo's flow runs them: for an org
//! dalgo's database does not know, and for a dbt project or clone that the
//! deployment places somewhere other than dalgo's workspace for the org.
//! What they need comes from the Prefect blocks the deployment names: the
//! Airbyte server block, the `dbt-profile-<slug>` Secret (from which
//! profiles.yml is written into the task's `profiles_dir`) and the
//! `<slug>-git-pull-url` Secret.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::airbyte::{self, JobKind, StreamRef, SyncEvent, SyncOptions, SyncOutcome};
use crate::config::{AirbyteAuth, AirbyteConfig, DbtConfig};
use crate::db::Db;
use crate::dbt::{ChildStdout, Command, profile};
use crate::error::{Error, Failure, Result};
use crate::org::Org;
use crate::pipeline::blocks::BlockType;
use crate::prefect::Client;

/// Where a run's Airbyte tasks go: the workspace of an org dalgo knows,
/// through dalgo's configuration (only that org's connections are reached,
/// and its jobs are recorded as its), or the server in the block the
/// deployment names.
pub(super) enum AirbyteVia<'a> {
    Org(&'a airbyte::Client, airbyte::OrgWorkspace),
    Block(airbyte::Client),
}

impl AirbyteVia<'_> {
    fn client(&self) -> &airbyte::Client {
        match self {
            AirbyteVia::Org(c, _) => c,
            AirbyteVia::Block(c) => c,
        }
    }

    fn org(&self) -> Option<&Org> {
        match self {
            AirbyteVia::Org(_, ow) => Some(&ow.org),
            AirbyteVia::Block(_) => None,
        }
    }

    /// [`Error::NotInWorkspace`] for a connection outside a known org's workspace.
    async fn reachable(&self, connection: &str) -> Result<()> {
        match self {
            AirbyteVia::Org(c, ow) => ow.connection(c, connection).await.map(|_| ()),
            AirbyteVia::Block(_) => Ok(()),
        }
    }

    /// A sync, or with `clear` Airbyte's clear (of these streams when there
    /// are any), followed to its end and recorded.
    pub(super) async fn run(
        &self,
        db: &Db,
        connection: &str,
        clear: Option<&[StreamRef]>,
        opts: SyncOptions,
        on_event: &dyn Fn(SyncEvent),
    ) -> Result<SyncOutcome> {
        self.reachable(connection).await?;
        let kind = clear.map_or(JobKind::Sync, JobKind::Clear);
        Ok(airbyte::run_job(db, self.client(), self.org(), connection, kind, opts, on_event).await)
    }

    /// Cancels a job the run started, and records it.
    pub(super) async fn cancel_job(&self, db: &Db, id: i64) -> Result<()> {
        let job = airbyte::cancel(self.client(), id).await?;
        airbyte::record_job(db, self.org(), &job.config_id, &job).await
    }

    pub(super) async fn update_schema(&self, connection: &str, approved: &Value) -> Result<airbyte::SchemaUpdate> {
        self.reachable(connection).await?;
        airbyte::update_schema(self.client(), connection, approved).await
    }
}

/// A block the deployment names, as Prefect holds it.
async fn block(prefect: &Client, block_type: BlockType, name: &str) -> Result<Value> {
    prefect.block_data(block_type.as_str(), name).await?.ok_or_else(|| Error::Prefect {
        failure: Failure::NotFound,
        status: Some(404),
        message: format!("Prefect has no {} block {name}, which the deployment names", block_type.as_str()),
    })
}

/// An Airbyte client for the server in an `airbyte-server` block, with
/// prefect-airbyte's defaults for what the block leaves out, and dalgo's
/// configured timeouts (when it has any).
pub(super) async fn airbyte_client(
    prefect: &Client,
    configured: Option<&AirbyteConfig>,
    name: &str,
) -> Result<airbyte::Client> {
    let data = block(prefect, BlockType::AirbyteServer, name).await?;
    let text = |k: &str, default: &str| data.get(k).and_then(Value::as_str).unwrap_or(default).to_string();
    let host = data.get("server_host").and_then(Value::as_str).unwrap_or("localhost");
    let port = data.get("server_port").and_then(Value::as_u64).unwrap_or(8000);
    let scheme = if data.get("use_ssl").and_then(Value::as_bool).unwrap_or(false) { "https" } else { "http" };
    let secs = std::time::Duration::from_secs;
    airbyte::Client::new(&AirbyteConfig {
        base_url: format!("{scheme}://{host}:{port}/api/{}", text("api_version", "v1")),
        auth: AirbyteAuth::Basic {
            username: text("username", "airbyte"),
            password: text("password", "password").into(),
        },
        timeout: configured.map_or(secs(30), |c| c.timeout),
        check_timeout: configured.map_or(secs(60), |c| c.check_timeout),
        discover_timeout: configured.map_or(secs(600), |c| c.discover_timeout),
        retries: configured.map_or(3, |c| c.retries),
    })
}

/// The value of a Secret block: its text, or the JSON text of a value that
/// is not a string.
pub(super) async fn secret(prefect: &Client, name: &str) -> Result<SecretString> {
    let data = block(prefect, BlockType::Secret, name).await?;
    Ok(match data.get("value") {
        Some(Value::String(s)) => s.clone().into(),
        Some(v) => v.to_string().into(),
        None => String::new().into(),
    })
}

/// The warehouse profile a `dbt-profile-<slug>` Secret holds
/// (`{"wtype", "default_schema", "creds", "extras"}`).
pub(super) async fn profile_secret(prefect: &Client, name: &str) -> Result<Value> {
    serde_json::from_str(secret(prefect, name).await?.expose_secret()).map_err(|e| Error::StoredData {
        what: "the dbt profile Secret",
        reason: format!("Secret {name} is not JSON: {e}"),
    })
}

/// A dbt command in the deployment's project, as Dalgo's `dbtjob_v2_runner`
/// runs it.
pub(super) struct DbtInProject<'a> {
    pub project_dir: &'a Path,
    pub profiles_dir: &'a Path,
    /// The profile Secret's value.
    pub profile: &'a Value,
    pub command: Command,
    pub args: &'a [String],
}

/// profiles.yml written into the task's `profiles_dir` from the profile,
/// then dalgo's dbt with `--profiles-dir` and `--project-dir`, in the
/// project, confined to it (and to its profiles and a temporary directory);
/// dbt's exit code. Dropping the future stops dbt.
pub(super) async fn dbt(cfg: &DbtConfig, task: &DbtInProject<'_>, stdout: ChildStdout<'_>) -> Result<i32> {
    let exe = crate::dbt::run::executable(cfg)?;
    let (project, profiles) = (task.project_dir, task.profiles_dir);
    crate::dbt::contained(project)?;
    let name = profile::project_profile_name(project)?;
    let (yaml, cert) = profile::render_secret(&name, task.profile, &profiles.join("sslrootcert.pem"))?;
    profile::write(&profiles.join("profiles.yml"), &yaml)?;
    if let Some(cert) = cert {
        profile::write(&profiles.join("sslrootcert.pem"), &cert)?;
    }
    let tmp = tempfile::Builder::new().prefix("dalgo-dbt-").tempdir().map_err(|source| Error::Files {
        action: "create",
        path: std::env::temp_dir(),
        source,
    })?;
    let jail = cfg.jail(project).write(profiles).write(tmp.path()).prepare()?;
    let mut cmd = tokio::process::Command::new(&exe);
    cmd.args(task.command.args())
        .arg("--profiles-dir")
        .arg(profiles)
        .arg("--project-dir")
        .arg(project)
        .args(task.args)
        .current_dir(project)
        .env_clear()
        .envs(cfg.child_env.vars())
        .env("TMPDIR", tmp.path());
    crate::process::exit_code(&mut cmd, stdout, &jail)
        .await
        .map_err(|e| Error::DbtNotFound(format!("cannot run {}: {e}", exe.display())))
}

/// Dalgo's git steps on the directory the deployment names: git-pull pulls
/// from the URL in the Secret (`git pull <url>`); git-clone clones it (or
/// `gitrepo_url`) there, or pulls a clone already there. The token in the
/// Secret's URL reaches git only through its askpass helper. The new head.
pub(super) async fn git(cfg: &DbtConfig, dir: &Path, url: Option<&SecretString>, clone: bool) -> Result<String> {
    let (url, token) = match url {
        Some(u) => {
            let (url, token) = crate::git::split_token(u.expose_secret());
            (Some(url), token)
        }
        None => (None, None),
    };
    let home = if clone { dir.parent().unwrap_or(dir) } else { dir };
    std::fs::create_dir_all(home).map_err(|source| Error::Files {
        action: "create",
        path: home.to_path_buf(),
        source,
    })?;
    let git = crate::git::Git::new(cfg, home);
    match url {
        Some(url) if clone && !dir.join(".git").exists() => {
            git.clone(&url, None, dir, token.as_ref()).await?;
            git.head_commit(dir).await
        }
        None if clone => Err(Error::NotAGitWorkspace(dir.display().to_string())),
        url => git.pull_from(dir, url.as_deref(), token.as_ref()).await,
    }
}
