//! Configuration: the one place the library reads the environment.
//!
//! Precedence, highest first: explicit overrides (command-line flags), the
//! process environment, `.env` (in the working directory or the nearest
//! directory above it that has one, see [`dotenv_path`]), the user config file
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

/// How to reach dalgo's PostgreSQL. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct DatabaseConfig {
    pub options: PgConnectOptions,
    pub connect_timeout: Duration,
    pub limits: SessionLimits,
    /// The most sessions the pool opens at once (default 1). A command's
    /// statements run one after another, so one session serves them all
    /// (a second is another TCP and TLS start-up), and the sessions that
    /// hold dalgo's advisory locks are taken out of the pool. A program that
    /// runs operations concurrently on one [`crate::ops::Dalgo`] raises it.
    pub max_connections: u32,
}

/// Time limits set on every dalgo session, sent in the start-up packet (no
/// extra round trip). `None` is no limit. Waits for dalgo's own locks (an
/// org's dbt lock, `migrate`'s lock) and migrations lift the statement and
/// lock limits on their own session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// `statement_timeout` (`DALGO_DB_STATEMENT_TIMEOUT`, default 120 s).
    pub statement: Option<Duration>,
    /// `lock_timeout` (`DALGO_DB_LOCK_TIMEOUT`, default 30 s): a table or row
    /// someone else holds fails the command with 75 instead of hanging it.
    pub lock: Option<Duration>,
    /// `idle_in_transaction_session_timeout` (`DALGO_DB_IDLE_TIMEOUT`, default 60 s).
    pub idle_in_transaction: Option<Duration>,
    /// TCP keepalive idle time the server uses on dalgo's sessions
    /// (`DALGO_DB_KEEPALIVE`, default 30 s; probes every 10 s, 3 of them):
    /// a vanished dalgo's session, and the locks it holds, end within about a minute.
    pub keepalive: Option<Duration>,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            statement: Some(Duration::from_secs(120)),
            lock: Some(Duration::from_secs(30)),
            idle_in_transaction: Some(Duration::from_secs(60)),
            keepalive: Some(Duration::from_secs(30)),
        }
    }
}

impl SessionLimits {
    /// The PostgreSQL settings these limits stand for, as `-c` options.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let ms = |d: Option<Duration>| d.map_or(0, |d| d.as_millis().max(1)).to_string();
        let mut out = vec![
            ("statement_timeout", ms(self.statement)),
            ("lock_timeout", ms(self.lock)),
            ("idle_in_transaction_session_timeout", ms(self.idle_in_transaction)),
        ];
        if let Some(idle) = self.keepalive {
            out.push(("tcp_keepalives_idle", idle.as_secs().max(1).to_string()));
            out.push(("tcp_keepalives_interval", "10".into()));
            out.push(("tcp_keepalives_count", "3".into()));
        }
        out
    }
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("target", &self.target())
            .field("connect_timeout", &self.connect_timeout)
            .field("limits", &self.limits)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl DatabaseConfig {
    /// These options with the default connect timeout and session limits.
    pub fn new(options: PgConnectOptions) -> Self {
        Self { options, connect_timeout: DEFAULT_CONNECT_TIMEOUT, limits: SessionLimits::default(), max_connections: 1 }
    }

    /// Connection options for a database URL (`postgres://…`), defaulting the
    /// database name to `dalgo`.
    pub fn from_url(url: &str) -> Result<Self> {
        // sqlx reads any scheme as PostgreSQL's (a mysql:// URL was tried, and was 69).
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            let scheme = url.split_once("://").map_or("none", |(s, _)| s);
            return Err(Error::Config(format!(
                "invalid database URL: it must start with postgres:// or postgresql:// (scheme: {scheme})"
            )));
        }
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|e| Error::Config(format!("invalid database URL: {}", redact_error(&e, url))))?;
        if !url::names_user(url) {
            options = options.username(&default_username());
        }
        let options = match options.get_database() {
            Some(_) => options,
            None => options.database(DEFAULT_DATABASE),
        };
        Ok(Self::new(options))
    }

    /// "host:port/database" or "socket-dir/database", for messages; no credentials.
    pub fn target(&self) -> String {
        let o = &self.options;
        let db = o.get_database().unwrap_or(DEFAULT_DATABASE);
        match self.socket_dir() {
            Some(dir) => format!("{dir} (socket)/{db}"),
            None => format!("{}:{}/{db}", o.get_host(), o.get_port()),
        }
    }

    /// The Unix socket directory these options connect through, if any
    /// (`host=/dir` or a socket option), as libpq reads a host starting with `/`.
    pub fn socket_dir(&self) -> Option<String> {
        socket_dir(&self.options)
    }

    /// The database name these options connect to.
    pub fn database_name(&self) -> &str {
        self.options.get_database().unwrap_or(DEFAULT_DATABASE)
    }
}

pub(crate) fn socket_dir(o: &PgConnectOptions) -> Option<String> {
    o.get_socket()
        .map(|p| p.display().to_string())
        .or_else(|| o.get_host().starts_with('/').then(|| o.get_host().into()))
}

fn redact_error(e: &sqlx::Error, url: &str) -> String {
    let text = e.to_string();
    match url::password_of(url) {
        Some(pw) if !pw.is_empty() => text.replace(pw, "********"),
        _ => text,
    }
}

/// PostgreSQL's own default: `$PGUSER`, else the operating-system user.
fn default_username() -> String {
    std::env::var("PGUSER").ok().filter(|u| !u.is_empty()).unwrap_or_else(os_user)
}

/// The name of the user running this process. `$USER` is often unset under
/// cron and in containers, so fall back to the password database.
pub fn os_user() -> String {
    for key in ["USER", "LOGNAME"] {
        if let Some(u) = std::env::var(key).ok().filter(|u| !u.is_empty()) {
            return u;
        }
    }
    passwd_name().unwrap_or_else(|| "postgres".to_string())
}

#[cfg(unix)]
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let (name, _, id) = (f.next()?, f.next()?, f.next()?);
        (id == uid).then(|| name.to_string())
    })
}

#[cfg(not(unix))]
fn passwd_name() -> Option<String> {
    None
}

mod url {
    /// Whether the URL names the user, in its userinfo or a `user=` parameter.
    pub fn names_user(url: &str) -> bool {
        let Some((_, rest)) = url.split_once("://") else { return false };
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        authority.contains('@')
            || rest.split_once('?').is_some_and(|(_, q)| q.split('&').any(|p| p.starts_with("user=")))
    }

    /// The password part of `scheme://user:password@host`, if any.
    pub fn password_of(url: &str) -> Option<&str> {
        let rest = url.split_once("://")?.1;
        let userinfo = rest.split_once('@')?.0;
        userinfo.split_once(':').map(|(_, pw)| pw)
    }
}

string_enum! {
    /// Where a setting's effective value comes from.
    pub enum SettingSource {
        /// A command-line flag (`--database-url`, `--actor`).
        Flag => "flag",
        Environment => "env",
        /// `.env` in the working directory or the nearest one above it ([`dotenv_path`]).
        DotEnv => ".env",
        /// The user config file (`$DALGO_CONFIG`, else `~/.config/dalgo/config.yaml`).
        File => "file",
        Default => "default",
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

/// Refuses a setting that is not an http(s) URL with a host (78), rather
/// than failing later as an unreachable service (69).
fn http_url(name: &str, value: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(value).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    match parsed {
        Some(_) => Ok(()),
        None => Err(Error::Config(format!("{name} must make an http(s) URL with a host, not {value:?}"))),
    }
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

/// Airbyte's settings, with Dalgo's variable names. Each secret may also come
/// from a file named by `<NAME>_FILE`, for cron and containers.
fn airbyte_from<'a>(lookup: &impl Fn(&str) -> Option<&'a str>) -> Result<Option<AirbyteConfig>> {
    let Some(host) = lookup("AIRBYTE_SERVER_HOST") else { return Ok(None) };
    let port = lookup("AIRBYTE_SERVER_PORT").unwrap_or("8000");
    port.parse::<u16>()
        .map_err(|_| Error::Config(format!("AIRBYTE_SERVER_PORT must be a port number, not {port:?}")))?;
    let apiver = lookup("AIRBYTE_SERVER_APIVER").unwrap_or("v1");
    if apiver.is_empty()
        || apiver.starts_with('.')
        || !apiver.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(Error::Config(format!("AIRBYTE_SERVER_APIVER must be a version such as v1, not {apiver:?}")));
    }
    let scheme = if parse_bool("AIRBYTE_USE_SSL", lookup("AIRBYTE_USE_SSL"))? { "https" } else { "http" };
    http_url("AIRBYTE_SERVER_HOST", &format!("{scheme}://{host}:{port}/"))?;
    let secret = |name: &str| -> Result<Option<secrecy::SecretString>> {
        let value = match (lookup(name), lookup(&format!("{name}_FILE"))) {
            (Some(v), _) => v.to_string(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|s| s.trim().to_string())
                .map_err(|e| Error::Config(format!("{name}_FILE {path}: {e}")))?,
            (None, None) => return Ok(None),
        };
        // A stray CR or LF (a file saved on Windows, a copied line) would end up in a header: refused, not sent.
        if value.chars().any(char::is_control) {
            return Err(Error::Config(format!("{name} holds a control character (a line break?): remove it")));
        }
        Ok(Some(value.into()))
    };
    let auth = if let (Some(id), Some(sec)) = (lookup("AIRBYTE_CLIENT_ID"), secret("AIRBYTE_CLIENT_SECRET")?) {
        AirbyteAuth::ClientCredentials { client_id: id.to_string(), client_secret: sec }
    } else if let Some(token) = secret("AIRBYTE_API_TOKEN")? {
        AirbyteAuth::BasicToken(token)
    } else if let (Some(user), Some(pw)) = (lookup("AIRBYTE_USERNAME"), secret("AIRBYTE_PASSWORD")?) {
        AirbyteAuth::Basic { username: user.to_string(), password: pw }
    } else {
        AirbyteAuth::None
    };
    let secs = |key: &str, default: u64| match lookup(key) {
        Some(v) => parse_seconds(key, v),
        None => Ok(Duration::from_secs(default)),
    };
    let retries = match lookup("AIRBYTE_RETRIES") {
        Some(v) => {
            v.parse().map_err(|_| Error::Config(format!("AIRBYTE_RETRIES must be a whole number, not {v:?}")))?
        }
        None => 3,
    };
    Ok(Some(AirbyteConfig {
        base_url: format!("{scheme}://{host}:{port}/api/{apiver}"),
        auth,
        timeout: secs("AIRBYTE_TIMEOUT", 30)?,
        check_timeout: secs("AIRBYTE_CHECK_TIMEOUT", 60)?,
        discover_timeout: secs("AIRBYTE_DISCOVER_TIMEOUT", 600)?,
        retries,
    }))
}

/// Prefect's settings: `PREFECT_API_URL` (a Prefect server's `/api`),
/// `PREFECT_API_KEY`, Dalgo's pool variables, and the deployment shape.
fn prefect_from<'a>(lookup: &impl Fn(&str) -> Option<&'a str>) -> Result<Option<PrefectConfig>> {
    let Some(url) = lookup("PREFECT_API_URL") else { return Ok(None) };
    http_url("PREFECT_API_URL", url)?;
    let timeout = match lookup("PREFECT_HTTP_TIMEOUT") {
        Some(v) => parse_seconds("PREFECT_HTTP_TIMEOUT", v)?,
        None => Duration::from_secs(30),
    };
    let pull_steps = match lookup("DALGO_PREFECT_PULL_STEPS") {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Error::Config(format!("DALGO_PREFECT_PULL_STEPS must be a JSON list of pull steps: {e}")))?,
        None => serde_json::json!([{ "prefect.deployments.steps.git_clone": {
            "repository": "https://github.com/DalgoT4D/prefect-proxy.git", "branch": "main" } }]),
    };
    let airbyte_task_timeout = lookup("PREFECT_AIRBYTE_TASKS_TIMEOUT_SECS").and_then(|v| v.parse().ok()).unwrap_or(15);
    Ok(Some(PrefectConfig {
        api_url: url.trim_end_matches('/').to_string(),
        api_key: lookup("PREFECT_API_KEY").map(|k| k.to_string().into()),
        timeout,
        retries: match lookup("PREFECT_RETRIES") {
            Some(v) => {
                v.parse().map_err(|_| Error::Config(format!("PREFECT_RETRIES must be a whole number, not {v:?}")))?
            }
            None => 3,
        },
        worker_pool: lookup("PREFECT_WORKER_POOL_NAME").unwrap_or("default").to_string(),
        eks_worker_pool: lookup("PREFECT_EKS_WORKER_POOL_NAME").map(String::from),
        entrypoint: lookup("DALGO_PREFECT_ENTRYPOINT").unwrap_or(DEFAULT_ENTRYPOINT).to_string(),
        pull_steps,
        airbyte_task_timeout,
    }))
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

/// The first layer that says anything about the database decides it whole,
/// so a `.env` DBHOST never mixes with an environment DATABASE_URL.
fn database_from_layers(layers: &[Layer]) -> Result<DatabaseConfig> {
    let Some(layer) = layers.iter().find(|l| l.has_any(&DB_KEYS)) else {
        let options = PgConnectOptions::new_without_pgpass().database(DEFAULT_DATABASE).username(&default_username());
        return Ok(DatabaseConfig::new(options));
    };
    if let Some(url) = layer.get("DATABASE_URL") {
        return DatabaseConfig::from_url(url);
    }
    let mut options = PgConnectOptions::new_without_pgpass().database(DEFAULT_DATABASE).username(&default_username());
    if let Some(host) = layer.get("DBHOST") {
        options = options.host(host);
    }
    if let Some(port) = layer.get("DBPORT") {
        let port =
            port.parse::<u16>().map_err(|_| Error::Config(format!("DBPORT must be a port number, not {port:?}")))?;
        options = options.port(port);
    }
    if let Some(name) = layer.get("DBNAME") {
        options = options.database(name);
    }
    if let Some(user) = layer.get("DBUSER") {
        options = options.username(user);
    }
    if let Some(password) = layer.get("DBPASSWORD") {
        options = options.password(password);
    }
    Ok(DatabaseConfig::new(options))
}

/// The longest timeout dalgo takes: a day. Longer ones are mistakes (and
/// `1e30` seconds would overflow a deadline).
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

fn parse_seconds(key: &str, value: &str) -> Result<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= MAX_TIMEOUT_SECS)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            Error::Config(format!("{key} must be a number of seconds above 0 and at most 86400, not {value:?}"))
        })
}

/// A session limit: seconds as [`parse_seconds`], or `0` for none.
fn parse_limit(key: &str, value: &str) -> Result<Option<Duration>> {
    if value.trim().parse::<f64>() == Ok(0.0) {
        return Ok(None);
    }
    parse_seconds(key, value).map(Some).map_err(|_| {
        Error::Config(format!("{key} must be 0 (no limit) or a number of seconds at most 86400, not {value:?}"))
    })
}

/// The `.env` dalgo reads: the working directory's (whoever owns it: the
/// operator chose to work there), else the nearest directory above it that
/// has one (as a Dalgo checkout's subdirectories find its `.env`, the way
/// dotenv and docker compose look). Above, a file another user owns (root
/// aside) is passed over, so a `.env` planted in a shared directory above
/// cannot point dalgo at another database.
pub fn dotenv_path() -> Option<PathBuf> {
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
pub fn config_file_path() -> Option<PathBuf> {
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

/// A setting dalgo reads: its name, whether its value is secret, and its
/// default in words (what `dalgo --help` and the README say).
const KNOWN: &[(&str, bool, &str)] = &[
    ("DATABASE_URL", false, "local socket, database dalgo"),
    ("DBHOST", false, "-"),
    ("DBPORT", false, "5432"),
    ("DBNAME", false, "dalgo"),
    ("DBUSER", false, "$PGUSER, else the OS user"),
    ("DBPASSWORD", true, "-"),
    ("PGSSLMODE", false, "prefer"),
    ("DALGO_DB_CONNECT_TIMEOUT", false, "5"),
    ("DALGO_DB_STATEMENT_TIMEOUT", false, "120"),
    ("DALGO_DB_LOCK_TIMEOUT", false, "30"),
    ("DALGO_DB_IDLE_TIMEOUT", false, "60"),
    ("DALGO_DB_KEEPALIVE", false, "30"),
    ("DALGO_OUTPUT", false, "table"),
    ("DALGO_NO_INPUT", false, "prompt on a terminal"),
    ("DALGO_ACTOR", false, "$SUDO_USER, else $USER"),
    ("DALGO_ORG", false, "-"),
    ("DALGO_SECRETS_BACKEND", false, "dir"),
    ("AWS_REGION", false, "the AWS profile's (for DALGO_SECRETS_BACKEND=aws)"),
    ("AWS_PROFILE", false, "default"),
    ("AWS_ENDPOINT_URL", false, "AWS's own"),
    ("AWS_ACCESS_KEY_ID", false, "the AWS SDK's credential chain"),
    ("AWS_SECRET_ACCESS_KEY", true, "-"),
    ("AWS_SESSION_TOKEN", true, "-"),
    ("DALGO_AWS_TIMEOUT", false, "30"),
    ("DEV_SECRETS_DIR", false, "~/.local/share/dalgo/secrets"),
    ("CLIENTDBT_ROOT", false, "~/.local/share/dalgo/clientdbt"),
    ("DBT_EXECUTABLE", false, "-"),
    ("DBT_VENV", false, "-"),
    ("DALGO_CHILD_ENV", false, "-"),
    ("DALGO_SANDBOX", false, "auto"),
    ("DALGO_SANDBOX_READ", false, "-"),
    ("DALGO_GIT_TIMEOUT", false, "600"),
    ("DALGO_TENANT_USER", false, "- (dalgo's own user)"),
    ("AIRBYTE_SERVER_HOST", false, "- (no Airbyte)"),
    ("AIRBYTE_SERVER_PORT", false, "8000"),
    ("AIRBYTE_SERVER_APIVER", false, "v1"),
    ("AIRBYTE_USE_SSL", false, "false"),
    ("AIRBYTE_API_TOKEN", true, "-"),
    ("AIRBYTE_API_TOKEN_FILE", false, "-"),
    ("AIRBYTE_USERNAME", false, "-"),
    ("AIRBYTE_PASSWORD", true, "-"),
    ("AIRBYTE_PASSWORD_FILE", false, "-"),
    ("AIRBYTE_CLIENT_ID", false, "-"),
    ("AIRBYTE_CLIENT_SECRET", true, "-"),
    ("AIRBYTE_CLIENT_SECRET_FILE", false, "-"),
    ("AIRBYTE_TIMEOUT", false, "30"),
    ("AIRBYTE_CHECK_TIMEOUT", false, "60"),
    ("AIRBYTE_DISCOVER_TIMEOUT", false, "600"),
    ("AIRBYTE_RETRIES", false, "3"),
    ("PREFECT_API_URL", false, "- (no Prefect)"),
    ("PREFECT_API_KEY", true, "-"),
    ("PREFECT_HTTP_TIMEOUT", false, "30"),
    ("PREFECT_RETRIES", false, "3"),
    ("PREFECT_WORKER_POOL_NAME", false, "default"),
    ("PREFECT_EKS_WORKER_POOL_NAME", false, "-"),
    ("DALGO_PREFECT_ENTRYPOINT", false, DEFAULT_ENTRYPOINT),
    ("DALGO_PREFECT_PULL_STEPS", false, "a git clone of prefect-proxy"),
    ("PREFECT_AIRBYTE_TASKS_TIMEOUT_SECS", false, "15"),
];

/// Dalgo settings dalgo reads nowhere, and what it does instead.
const IGNORED: &[(&str, &str)] = &[
    (
        "USE_AWS_SECRETS_MANAGER",
        "dalgo's secrets store is chosen by DALGO_SECRETS_BACKEND (dir, keyring, or aws for AWS Secrets Manager, as Dalgo's production)",
    ),
    ("PREFECT_PROXY_API_URL", "dalgo calls Prefect's own API at PREFECT_API_URL, not Dalgo's prefect-proxy"),
];

/// One setting as it takes effect.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EffectiveSetting {
    pub name: &'static str,
    /// The value (`********` for a secret, a URL's password masked); `None` when unset.
    pub value: Option<String>,
    pub source: SettingSource,
    /// The default in words, used when unset.
    pub default: &'static str,
}

/// Every setting dalgo reads, where each comes from, and the Dalgo settings
/// set here that dalgo does not use.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    pub settings: Vec<EffectiveSetting>,
    pub warnings: Vec<String>,
    /// The user config file consulted (it may not exist).
    pub config_file: Option<PathBuf>,
    /// The `.env` read, if any ([`dotenv_path`]).
    pub dotenv: Option<PathBuf>,
    /// Whether tenant code (dbt, git) runs confined here.
    pub sandbox: crate::sandbox::SandboxStatus,
}

/// Explains the configuration [`Config::load`] would build, setting by setting.
pub fn explain(overrides: &Overrides) -> Result<Explanation> {
    let layers = read_layers()?;
    let flag = |name: &str| match name {
        "DATABASE_URL" => overrides.database_url.clone(),
        "DALGO_ACTOR" => overrides.actor.clone(),
        _ => None,
    };
    let settings = KNOWN
        .iter()
        .map(|&(name, secret, default)| {
            let found = flag(name)
                .map(|v| (v, SettingSource::Flag))
                .or_else(|| layers.iter().find_map(|l| l.get(name).map(|v| (v.to_string(), l.source))));
            let (value, source) = match found {
                Some((v, source)) => (Some(mask(secret, &v)), source),
                None => (None, SettingSource::Default),
            };
            EffectiveSetting { name, value, source, default }
        })
        .collect();
    let warnings = IGNORED
        .iter()
        .filter_map(|(name, instead)| {
            let layer = layers.iter().find(|l| l.get(name).is_some())?;
            Some(format!("{name} (from {}) is a Dalgo setting dalgo does not use: {instead}", layer.source))
        })
        .collect();
    let hidden = Config::from_layers(overrides, &layers).map(|c| c.dbt.hidden).unwrap_or_default();
    let setting = |name: &str| layers.iter().find_map(|l| l.get(name));
    let tenant = setting("DALGO_TENANT_USER").map(crate::sandbox::TenantUser::find).transpose()?;
    let mode = sandbox_mode(setting("DALGO_SANDBOX"))?;
    let sandbox = crate::sandbox::describe(mode, &hidden, tenant);
    Ok(Explanation { settings, warnings, config_file: config_file_path(), dotenv: dotenv_path(), sandbox })
}

/// A secret as `********`; a URL with its password and its query's secret
/// parameters masked (`?password=`, `?token=`); JSON (the pull steps) with
/// its secret values masked at any depth.
fn mask(secret: bool, value: &str) -> String {
    if secret {
        return "********".into();
    }
    if let Ok(json @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) = serde_json::from_str(value) {
        return crate::values::mask_json(&json).to_string();
    }
    let value = match url::password_of(value) {
        Some(pw) if !pw.is_empty() => value.replacen(pw, "********", 1),
        _ => value.to_string(),
    };
    match value.split_once('?') {
        Some((base, query)) => format!("{base}?{}", crate::values::mask_pairs(query)),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(pairs: &[(&str, &str)]) -> Layer {
        Layer {
            source: SettingSource::Environment,
            values: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    /// `config show` hid a URL's userinfo password only: a password in the
    /// query, a token in Prefect's URL and one inside the pull steps' JSON
    /// were printed.
    #[test]
    fn config_show_masks_secrets_in_queries_and_json() {
        assert_eq!(
            mask(false, "postgres://u@h/db?password=pw1&sslmode=require"),
            "postgres://u@h/db?password=********&sslmode=require"
        );
        assert_eq!(mask(false, "https://p.example/api?token=abc"), "https://p.example/api?token=********");
        assert_eq!(mask(false, "postgres://u:pw2@h/db"), "postgres://u:********@h/db");
        let steps = r#"[{"prefect.deployments.steps.git_clone": {"repository": "r", "access_token": "ghp_x"}}]"#;
        let shown = mask(false, steps);
        assert!(!shown.contains("ghp_x") && shown.contains("\"r\""), "{shown}");
        assert_eq!(mask(false, "plain"), "plain");
    }

    /// Settings that were read as something else when malformed are refused.
    #[test]
    fn malformed_booleans_and_counts_are_refused() {
        let with = |pairs: &[(&str, &str)]| Config::from_layers(&Overrides::default(), &[layer(pairs)]);
        let ab = ("AIRBYTE_SERVER_HOST", "ab");
        for bad in [
            vec![ab, ("AIRBYTE_USE_SSL", "maybe")],
            vec![("PREFECT_API_URL", "http://p/api"), ("PREFECT_RETRIES", "x")],
        ] {
            let cfg = with(&bad).unwrap();
            let e = cfg.airbyte.get().err().or_else(|| cfg.prefect.get().err());
            assert!(e.as_ref().is_some_and(|e| e.kind() == crate::error::ErrorKind::Config), "{bad:?}");
            // Said once ("configuration: configuration: …" before).
            let text = e.map(|e| e.to_string()).unwrap_or_default();
            assert_eq!(text.matches("configuration:").count(), 1, "{text}");
        }
        assert!(with(&[ab, ("AIRBYTE_USE_SSL", "TRUE")]).unwrap().airbyte.get().is_ok());
    }

    #[test]
    fn flag_beats_every_layer() {
        let o = Overrides { database_url: Some("postgres://a@flaghost/x".into()), actor: None };
        let c = Config::from_layers(&o, &[layer(&[("DATABASE_URL", "postgres://a@envhost/y")])]).unwrap();
        assert_eq!(c.database.target(), "flaghost:5432/x");
    }

    #[test]
    fn first_layer_with_database_settings_decides() {
        let env = layer(&[("DBHOST", "envhost"), ("DBPORT", "6000")]);
        let dotenv = layer(&[("DATABASE_URL", "postgres://a@dotenvhost/y"), ("DBNAME", "z")]);
        let c = Config::from_layers(&Overrides::default(), &[env, dotenv]).unwrap();
        assert_eq!(c.database.target(), "envhost:6000/dalgo");
    }

    #[test]
    fn url_without_database_defaults_to_dalgo() {
        let c = DatabaseConfig::from_url("postgres://u:pw@db.example:5433").unwrap();
        assert_eq!(c.target(), "db.example:5433/dalgo");
        assert!(!format!("{c:?}").contains("pw"));
    }

    #[test]
    fn urls_naming_a_user_are_recognised() {
        assert!(url::names_user("postgres://bob@h/db"));
        assert!(url::names_user("postgres:///db?host=/tmp&user=bob"));
        assert!(!url::names_user("postgres:///db?host=/var/run/postgresql"));
        assert!(!url::names_user("postgres://h:5432/db"));
    }

    #[test]
    fn secrets_and_dbt_paths_follow_dalgo_variables() {
        let l = layer(&[("HOME", "/home/a"), ("DEV_SECRETS_DIR", "/s"), ("DBT_VENV", "/v")]);
        let c = Config::from_layers(&Overrides::default(), &[l]).unwrap();
        assert_eq!(c.secrets, SecretsConfig::Dir("/s".into()));
        assert_eq!(c.dbt.clientdbt_root, Path::new("/home/a/.local/share/dalgo/clientdbt"));
        assert_eq!(c.dbt.venv.as_deref(), Some(Path::new("/v")));
        let bad = layer(&[("DALGO_SECRETS_BACKEND", "vault")]);
        assert!(Config::from_layers(&Overrides::default(), &[bad]).is_err());
    }

    #[test]
    fn airbyte_settings_use_dalgos_names() {
        assert!(Config::from_layers(&Overrides::default(), &[]).unwrap().airbyte.is_unset());
        let l = layer(&[("AIRBYTE_SERVER_HOST", "ab"), ("AIRBYTE_API_TOKEN", "dG9rZW4="), ("AIRBYTE_USE_SSL", "true")]);
        let a = Config::from_layers(&Overrides::default(), &[l]).unwrap().airbyte.get().unwrap().unwrap().clone();
        assert_eq!(a.base_url, "https://ab:8000/api/v1");
        assert!(matches!(a.auth, AirbyteAuth::BasicToken(_)));
        assert!(!format!("{a:?}").contains("dG9rZW4"));
        let l = layer(&[
            ("AIRBYTE_SERVER_HOST", "ab"),
            ("AIRBYTE_CLIENT_ID", "id"),
            ("AIRBYTE_CLIENT_SECRET", "s"),
            ("AIRBYTE_SERVER_PORT", "80"),
            ("AIRBYTE_TIMEOUT", "2.5"),
        ]);
        let a = Config::from_layers(&Overrides::default(), &[l]).unwrap().airbyte.get().unwrap().unwrap().clone();
        assert!(matches!(a.auth, AirbyteAuth::ClientCredentials { .. }));
        assert_eq!(a.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn bad_port_is_a_config_error() {
        let err = Config::from_layers(&Overrides::default(), &[layer(&[("DBPORT", "x")])]).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
    }

    #[test]
    fn actor_prefers_override_then_dalgo_actor_then_sudo_user() {
        let l = layer(&[("USER", "root"), ("SUDO_USER", "asha")]);
        let c = Config::from_layers(&Overrides::default(), &[l]).unwrap();
        assert_eq!(c.actor, "asha");
        let o = Overrides { actor: Some("cron".into()), ..Default::default() };
        assert_eq!(Config::from_layers(&o, &[]).unwrap().actor, "cron");
    }
}
