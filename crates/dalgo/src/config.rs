//! Configuration: the one place the library reads the environment.
//!
//! Precedence, highest first: explicit overrides (command-line flags), the
//! process environment, `.env` (in the working directory or the nearest
//! directory above it that has one: the working directory's whoever owns it,
//! above it only one this user or root owns), the user config file
//! (`$DALGO_CONFIG`, else `$XDG_CONFIG_HOME/dalgo/config.yaml`, else
//! `~/.config/dalgo/config.yaml`), then defaults. The `.env` file and the YAML
//! file use the environment's variable names, so an existing Dalgo `.env`
//! works unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

use crate::error::{Error, Result};

mod database;
mod explain;
mod services;

pub(crate) use database::os_user;
pub(crate) use database::socket_dir;
use database::*;
pub use database::{DatabaseConfig, SessionLimits, SettingSource};
pub use explain::{EffectiveSetting, Explanation, explain};
use services::*;

/// Database used when nothing names one.
pub const DEFAULT_DATABASE: &str = "dalgo";
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DB_KEYS: [&str; 6] = ["DATABASE_URL", "DBHOST", "DBPORT", "DBNAME", "DBUSER", "DBPASSWORD"];

/// Values given explicitly by the caller, e.g. from command-line flags.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub actor: Option<String>,
}

/// Everything dalgo needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    /// Who is acting, recorded in the audit log.
    pub actor: String,
    pub secrets: SecretsConfig,
    /// AWS's settings as dalgo's layers hold them: for the `aws` secrets
    /// store, and for importing from AWS Secrets Manager.
    pub aws: AwsSettings,
    pub dbt: DbtConfig,
    /// Unset when `AIRBYTE_SERVER_HOST` is not set.
    pub airbyte: Setting<AirbyteConfig>,
    /// Unset when `PREFECT_API_URL` is not set.
    pub prefect: Setting<PrefectConfig>,
}

/// An external service's settings. Invalid settings fail only the commands
/// that use the service (a bad `AIRBYTE_TIMEOUT` does not stop `org list`).
#[derive(Debug, Clone, Default)]
pub enum Setting<T> {
    #[default]
    Unset,
    Set(T),
    /// Why the settings are unusable, reported as a configuration error (78).
    Invalid(String),
}

impl<T> Setting<T> {
    /// The settings, `None` when unset, or the configuration error.
    pub fn get(&self) -> Result<Option<&T>> {
        match self {
            Setting::Unset => Ok(None),
            Setting::Set(t) => Ok(Some(t)),
            Setting::Invalid(why) => Err(Error::Config(why.clone())),
        }
    }

    /// Whether anything was configured, valid or not.
    pub fn is_unset(&self) -> bool {
        matches!(self, Setting::Unset)
    }

    fn from_result(r: Result<Option<T>>) -> Self {
        match r {
            Ok(Some(t)) => Setting::Set(t),
            Ok(None) => Setting::Unset,
            // `get` says "configuration: " itself.
            Err(Error::Config(why)) => Setting::Invalid(why),
            Err(e) => Setting::Invalid(e.to_string()),
        }
    }
}

impl<T> From<Option<T>> for Setting<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(Setting::Unset, Setting::Set)
    }
}

/// How to reach Prefect and what deployments look like.
#[derive(Clone)]
pub struct PrefectConfig {
    /// e.g. `http://127.0.0.1:4200/api`
    pub api_url: String,
    /// Prefect Cloud's key, sent as a bearer token.
    pub api_key: Option<secrecy::SecretString>,
    pub timeout: Duration,
    pub retries: u32,
    /// `PREFECT_WORKER_POOL_NAME` (default `default`) and `PREFECT_EKS_WORKER_POOL_NAME`.
    pub worker_pool: String,
    pub eks_worker_pool: Option<String>,
    /// The flow every pipeline deployment runs, as Dalgo's workers expect.
    pub entrypoint: String,
    /// Where workers fetch the flow's code from (Prefect pull steps, JSON).
    pub pull_steps: serde_json::Value,
    /// `timeout` of Airbyte tasks in deployment parameters (Dalgo: 15).
    pub airbyte_task_timeout: u64,
}

impl std::fmt::Debug for PrefectConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefectConfig")
            .field("api_url", &self.api_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "********"))
            .field("worker_pool", &self.worker_pool)
            .finish()
    }
}

/// Dalgo's flow entrypoint in the prefect-proxy repository.
pub const DEFAULT_ENTRYPOINT: &str = "proxy/prefect_flows_runner.py:deployment_schedule_flow_v5";

/// How to reach and authenticate to Airbyte's Config API. Debug masks secrets.
#[derive(Clone)]
pub struct AirbyteConfig {
    /// `http[s]://host:port/api/<apiver>`
    pub base_url: String,
    pub auth: AirbyteAuth,
    /// Most calls (30 s, as Dalgo).
    pub timeout: Duration,
    /// check_connection calls (60 s).
    pub check_timeout: Duration,
    /// discover_schema (600 s).
    pub discover_timeout: Duration,
    /// Retries of a safe call after a connection error or a 502/503/504.
    pub retries: u32,
}

/// Airbyte credentials, by kind of install.
#[derive(Clone)]
pub enum AirbyteAuth {
    None,
    /// `AIRBYTE_API_TOKEN`: already base64("user:password"), sent as `Basic <token>` (as Dalgo).
    BasicToken(secrecy::SecretString),
    /// `AIRBYTE_USERNAME` / `AIRBYTE_PASSWORD`.
    Basic {
        username: String,
        password: secrecy::SecretString,
    },
    /// abctl/Kubernetes: exchanged for a bearer token at `/applications/token`.
    ClientCredentials {
        client_id: String,
        client_secret: secrecy::SecretString,
    },
}

impl AirbyteAuth {
    pub fn describe(&self) -> &'static str {
        match self {
            AirbyteAuth::None => "none",
            AirbyteAuth::BasicToken(_) => "basic (AIRBYTE_API_TOKEN)",
            AirbyteAuth::Basic { .. } => "basic (username and password)",
            AirbyteAuth::ClientCredentials { .. } => "client credentials (bearer token)",
        }
    }
}

impl std::fmt::Debug for AirbyteConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AirbyteConfig")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth.describe())
            .field("timeout", &self.timeout)
            .finish()
    }
}
/// Where credentials are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretsConfig {
    /// Dalgo's `DEV_SECRETS_DIR` layout: one JSON file per secret.
    Dir(PathBuf),
    /// The OS keyring, for an engineer's own machine.
    Keyring,
    /// AWS Secrets Manager, configured as AWS tools are (`AWS_REGION`,
    /// `AWS_PROFILE`, `AWS_ENDPOINT_URL`, the standard credential chain).
    #[cfg(feature = "aws")]
    Aws(AwsSettings),
}

/// The AWS settings dalgo's configuration layers hold (`.env`, the config
/// file, the environment), so a Dalgo `.env` works as boto3 reads it; what
/// is unset is left to the AWS SDK's own chain (the environment, profiles,
/// SSO, the instance's role).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// `DALGO_AWS_TIMEOUT`: the longest a connection, and a whole call
    /// with its retries, may take (30 s); `None`: the default.
    pub timeout: Option<Duration>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSettings")
            .field("timeout", &self.timeout)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("endpoint_url", &self.endpoint_url)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "********"))
            .finish()
    }
}

/// Where dbt projects live and which dbt runs them.
#[derive(Debug, Clone)]
pub struct DbtConfig {
    /// `CLIENTDBT_ROOT`: orgs' projects live in `<root>/<slug>/`.
    pub clientdbt_root: PathBuf,
    /// `DBT_VENV`: a virtualenv whose `bin/dbt` runs dbt.
    pub venv: Option<PathBuf>,
    /// `DBT_EXECUTABLE`: a dbt binary, taking precedence over `DBT_VENV`.
    pub executable: Option<PathBuf>,
    /// The environment dbt and git start with (see [`ChildEnv`]).
    pub child_env: ChildEnv,
    /// `DALGO_SANDBOX`: whether dbt and git must run confined
    /// to their org's files (see the `sandbox` module).
    pub sandbox: crate::sandbox::SandboxMode,
    /// `DALGO_SANDBOX_READ`: more paths (colon-separated) tenant code may read.
    pub sandbox_read: Vec<PathBuf>,
    /// `DALGO_GIT_TIMEOUT`: the longest a clone or pull may take (600 s).
    pub git_timeout: Duration,
    /// dalgo's own places, invisible to tenant code: its database's socket
    /// directory and its secrets directory (see the `sandbox` module).
    pub hidden: Vec<PathBuf>,
    /// `DALGO_TENANT_USER`: the unprivileged user tenant code runs as when
    /// dalgo runs as root (a name or a uid from /etc/passwd).
    pub tenant: Option<crate::sandbox::TenantUser>,
}

impl DbtConfig {
    /// Projects under `clientdbt_root`, dbt found nowhere (set `venv` or
    /// `executable`), an empty child environment, the sandbox `auto`, git's
    /// deadline 600 s.
    pub fn new(clientdbt_root: PathBuf) -> DbtConfig {
        DbtConfig {
            clientdbt_root,
            venv: None,
            executable: None,
            child_env: ChildEnv::default(),
            sandbox: crate::sandbox::SandboxMode::Auto,
            sandbox_read: Vec::new(),
            git_timeout: Duration::from_secs(600),
            hidden: Vec::new(),
            tenant: None,
        }
    }
}

/// The environment child processes (dbt, git) start from: nothing of dalgo's
/// own (no `DATABASE_URL`, no `AIRBYTE_API_TOKEN`, no secrets), only what
/// they need to run: `PATH`, `HOME`, `USER`, `LOGNAME`, `SHELL`, `LANG`,
/// `LC_*`, `TZ`, `TMPDIR`, `TERM`, `NO_COLOR`, `DBT_*` settings, proxy
/// settings (`http_proxy`, `HTTPS_PROXY`, `NO_PROXY`, …), CA bundles
/// (`SSL_CERT_FILE`, `SSL_CERT_DIR`, `REQUESTS_CA_BUNDLE`), and for git over
/// ssh `SSH_AUTH_SOCK` and `GIT_SSH_COMMAND`; plus the names listed in
/// `DALGO_CHILD_ENV` (comma-separated). A tenant's dbt project thus cannot
/// read the platform's credentials with `env_var()`. Debug shows names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChildEnv(Vec<(String, String)>);

const CHILD_ENV_NAMES: [&str; 21] = [
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "TZ",
    "TMPDIR",
    "TERM",
    "NO_COLOR",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "SSH_AUTH_SOCK",
    "GIT_SSH_COMMAND",
];

/// dalgo's own `DBT_*` settings, which are not dbt's.
const NOT_FOR_DBT: [&str; 2] = ["DBT_VENV", "DBT_EXECUTABLE"];

impl ChildEnv {
    /// The allowed variables of `env`, plus those `extra` names.
    pub fn allow(env: &HashMap<String, String>, extra: &str) -> ChildEnv {
        let extra: Vec<&str> = extra.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        let allowed = |name: &str| {
            CHILD_ENV_NAMES.contains(&name)
                || name.starts_with("LC_")
                || (name.starts_with("DBT_") && !NOT_FOR_DBT.contains(&name))
                || extra.contains(&name)
        };
        let mut vars: Vec<(String, String)> =
            env.iter().filter(|(k, _)| allowed(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        vars.sort();
        ChildEnv(vars)
    }

    /// The variables, for `Command::envs` after `env_clear`.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl std::fmt::Debug for ChildEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(k, _)| k)).finish()
    }
}

/// One source of `NAME=value` settings, in precedence order.
struct Layer {
    source: SettingSource,
    values: HashMap<String, String>,
}

/// The environment, `.env` and the user config file, highest precedence first.
fn read_layers() -> Result<Vec<Layer>> {
    let dotenv = match dotenv_path() {
        Some(path) => read_dotenv(&path)?,
        None => HashMap::new(),
    };
    Ok(vec![
        Layer { source: SettingSource::Environment, values: std::env::vars().collect() },
        Layer { source: SettingSource::DotEnv, values: dotenv },
        Layer { source: SettingSource::File, values: read_config_file(config_file_path().as_deref())? },
    ])
}

/// One setting's value from the first layer that has it (the environment,
/// `./.env`, the user config file), with where it came from: for settings a
/// program reads itself, such as the command line's `DALGO_OUTPUT`.
pub fn lookup(name: &str) -> Result<Option<(String, SettingSource)>> {
    Ok(read_layers()?.iter().find_map(|l| l.get(name).map(|v| (v.to_string(), l.source))))
}

impl Layer {
    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.get(k).is_some())
    }
}

impl Config {
    /// Loads the configuration from the overrides, the environment, `./.env`
    /// and the user config file.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        let layers = read_layers()?;
        let mut cfg = Self::from_layers(overrides, &layers)?;
        // Children get variables of the process environment only, never .env's or the file's.
        let extra = layers.iter().find_map(|l| l.get("DALGO_CHILD_ENV")).unwrap_or_default();
        cfg.dbt.child_env = ChildEnv::allow(&layers[0].values, extra);
        Ok(cfg)
    }

    fn from_layers(overrides: &Overrides, layers: &[Layer]) -> Result<Config> {
        let lookup = |key: &str| layers.iter().find_map(|l| l.get(key));
        let mut database = match &overrides.database_url {
            Some(url) => DatabaseConfig::from_url(url)?,
            None => database_from_layers(layers)?,
        };
        if let Some(secs) = lookup("DALGO_DB_CONNECT_TIMEOUT") {
            database.connect_timeout = parse_seconds("DALGO_DB_CONNECT_TIMEOUT", secs)?;
        }
        let limit = |key: &str, default: Option<Duration>| lookup(key).map_or(Ok(default), |v| parse_limit(key, v));
        let defaults = SessionLimits::default();
        database.limits = SessionLimits {
            statement: limit("DALGO_DB_STATEMENT_TIMEOUT", defaults.statement)?,
            lock: limit("DALGO_DB_LOCK_TIMEOUT", defaults.lock)?,
            idle_in_transaction: limit("DALGO_DB_IDLE_TIMEOUT", defaults.idle_in_transaction)?,
            keepalive: limit("DALGO_DB_KEEPALIVE", defaults.keepalive)?,
        };
        let actor = overrides
            .actor
            .clone()
            .or_else(|| {
                ["DALGO_ACTOR", "SUDO_USER", "USER", "LOGNAME"].iter().find_map(|k| lookup(k)).map(String::from)
            })
            .unwrap_or_else(os_user);
        if actor.trim().is_empty() || actor.chars().any(char::is_control) {
            return Err(Error::InvalidActor(actor));
        }
        let actor = actor.trim().to_string();
        let data_dir = data_dir(layers);
        let aws = AwsSettings {
            timeout: lookup("DALGO_AWS_TIMEOUT").map(|v| parse_seconds("DALGO_AWS_TIMEOUT", v)).transpose()?,
            region: lookup("AWS_REGION").or_else(|| lookup("AWS_DEFAULT_REGION")).map(String::from),
            profile: lookup("AWS_PROFILE").map(String::from),
            endpoint_url: lookup("AWS_ENDPOINT_URL").map(String::from),
            access_key_id: lookup("AWS_ACCESS_KEY_ID").map(String::from),
            secret_access_key: lookup("AWS_SECRET_ACCESS_KEY").map(String::from),
            session_token: lookup("AWS_SESSION_TOKEN").map(String::from),
        };
        let secrets = match lookup("DALGO_SECRETS_BACKEND").unwrap_or("dir") {
            "dir" => SecretsConfig::Dir(
                lookup("DEV_SECRETS_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("secrets")),
            ),
            "keyring" => SecretsConfig::Keyring,
            #[cfg(feature = "aws")]
            "aws" => SecretsConfig::Aws(aws.clone()),
            #[cfg(not(feature = "aws"))]
            "aws" => {
                return Err(Error::Config(
                    "DALGO_SECRETS_BACKEND=aws: this dalgo was built without the aws feature".into(),
                ));
            }
            other => {
                return Err(Error::Config(format!("DALGO_SECRETS_BACKEND must be dir, keyring or aws, not {other:?}")));
            }
        };
        let dbt = DbtConfig {
            clientdbt_root: lookup("CLIENTDBT_ROOT").map(PathBuf::from).unwrap_or_else(|| data_dir.join("clientdbt")),
            venv: lookup("DBT_VENV").map(PathBuf::from),
            executable: lookup("DBT_EXECUTABLE").map(PathBuf::from),
            child_env: ChildEnv::default(),
            sandbox: sandbox_mode(lookup("DALGO_SANDBOX"))?,
            sandbox_read: lookup("DALGO_SANDBOX_READ")
                .map(|v| v.split(':').filter(|p| !p.is_empty()).map(PathBuf::from).collect())
                .unwrap_or_default(),
            git_timeout: match lookup("DALGO_GIT_TIMEOUT") {
                Some(v) => parse_seconds("DALGO_GIT_TIMEOUT", v)?,
                None => Duration::from_secs(600),
            },
            hidden: hidden_places(&database, &secrets),
            tenant: lookup("DALGO_TENANT_USER").map(crate::sandbox::TenantUser::find).transpose()?,
        };
        let airbyte = Setting::from_result(airbyte_from(&lookup));
        let prefect = Setting::from_result(prefect_from(&lookup));
        Ok(Config { database, actor, secrets, aws, dbt, airbyte, prefect })
    }
}

/// dalgo's own places that tenant code must not see: its database's socket
/// directory and its secrets directory.
fn hidden_places(database: &DatabaseConfig, secrets: &SecretsConfig) -> Vec<PathBuf> {
    let socket = database.socket_dir().map(PathBuf::from);
    let store = match secrets {
        SecretsConfig::Dir(dir) => Some(dir.clone()),
        SecretsConfig::Keyring => None,
        #[cfg(feature = "aws")]
        SecretsConfig::Aws(_) => None,
    };
    socket.into_iter().chain(store).collect()
}

/// A yes/no setting: `true`/`false` (also `1`/`0`, `yes`/`no`), any case;
/// anything else is refused (`AIRBYTE_USE_SSL=maybe` was read as false).
fn parse_bool(name: &str, value: Option<&str>) -> Result<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(_) => Err(Error::Config(format!("{name} must be true or false, not {:?}", value.unwrap_or_default()))),
    }
}

/// `DALGO_SANDBOX`, `auto` when unset.
impl DbtConfig {
    /// The sandbox of a child run (dbt, git) for the org whose directory is
    /// `org_dir`, as this configuration sets it up.
    pub(crate) fn jail(&self, org_dir: &Path) -> crate::sandbox::Jail {
        let executables: Vec<&Path> =
            [self.venv.as_deref(), self.executable.as_deref()].into_iter().flatten().collect();
        crate::sandbox::Jail::for_org(self.sandbox, &self.sandbox_read, &executables, &self.hidden, org_dir)
            .run_as(self.tenant.clone())
    }
}

fn sandbox_mode(value: Option<&str>) -> Result<crate::sandbox::SandboxMode> {
    value.map_or(Ok(crate::sandbox::SandboxMode::Auto), |v| {
        v.parse().map_err(|_| Error::Config(format!("DALGO_SANDBOX must be require, auto or off, not {v:?}")))
    })
}

/// `$XDG_DATA_HOME/dalgo`, else `~/.local/share/dalgo`.
fn data_dir(layers: &[Layer]) -> PathBuf {
    let lookup = |key: &str| layers.iter().find_map(|l| l.get(key));
    lookup("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| lookup("HOME").map(|h| Path::new(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("dalgo")
}

/// The `.env` dalgo reads: the working directory's (whoever owns it: the
/// operator chose to work there), else the nearest directory above it that
/// has one (as a Dalgo checkout's subdirectories find its `.env`, the way
/// dotenv and docker compose look). Above, a file another user owns (root
/// aside) is passed over, so a `.env` planted in a shared directory above
/// cannot point dalgo at another database.
pub(crate) fn dotenv_path() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid only reads the process's credentials.
    let me = unsafe { libc::geteuid() };
    let here = std::env::current_dir().ok()?;
    here.ancestors().enumerate().map(|(up, dir)| (up, dir.join(".env"))).find_map(|(up, path)| {
        let trusted = |m: &std::fs::Metadata| up == 0 || m.uid() == me || m.uid() == 0;
        std::fs::metadata(&path).is_ok_and(|m| m.is_file() && trusted(&m)).then_some(path)
    })
}

fn read_dotenv(path: &Path) -> Result<HashMap<String, String>> {
    let iter =
        dotenvy::from_path_iter(path).map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
    iter.map(|item| item.map_err(|e| Error::Config(format!("{}: {e}", path.display())))).collect()
}

/// The user config file's path, whether or not it exists.
pub(crate) fn config_file_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DALGO_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("dalgo").join("config.yaml"))
}

/// The user config file's settings. A missing default file is no settings;
/// a file named by `DALGO_CONFIG` must be there, and be a regular file of at
/// most 1 MiB (a directory, `/dev/zero` or a FIFO is refused, 78).
fn read_config_file(path: Option<&Path>) -> Result<HashMap<String, String>> {
    let Some(path) = path else { return Ok(HashMap::new()) };
    let named = std::env::var_os("DALGO_CONFIG").is_some();
    let refuse = |why: String| Error::Config(format!("DALGO_CONFIG {}: {why}", path.display()));
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) if named => return Err(refuse("it is not a regular file".into())),
        Err(e) if named => return Err(refuse(e.to_string())),
        _ => return Ok(HashMap::new()),
    }
    let file = std::fs::File::open(path).map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
    let text = crate::document::read_limited(file, &path.display().to_string())
        .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
    let map: HashMap<String, serde_yaml::Value> =
        serde_yaml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    map.into_iter()
        .map(|(k, v)| match v {
            serde_yaml::Value::String(s) => Ok((k, s)),
            serde_yaml::Value::Number(n) => Ok((k, n.to_string())),
            serde_yaml::Value::Bool(b) => Ok((k, b.to_string())),
            _ => Err(Error::Config(format!("{}: {k} must be a string, number or boolean", path.display()))),
        })
        .collect()
}

#[cfg(test)]
mod tests;
