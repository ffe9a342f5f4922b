//! How to reach dalgo's PostgreSQL: settings, session limits, the
//! password never shown, and the layer that decides the database.

use super::*;

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

pub(super) fn redact_error(e: &sqlx::Error, url: &str) -> String {
    let text = e.to_string();
    match url::password_of(url) {
        Some(pw) if !pw.is_empty() => text.replace(pw, "********"),
        _ => text,
    }
}

/// PostgreSQL's own default: `$PGUSER`, else the operating-system user.
pub(super) fn default_username() -> String {
    std::env::var("PGUSER").ok().filter(|u| !u.is_empty()).unwrap_or_else(os_user)
}

/// The name of the user running this process. `$USER` is often unset under
/// cron and in containers, so fall back to the password database.
pub(crate) fn os_user() -> String {
    for key in ["USER", "LOGNAME"] {
        if let Some(u) = std::env::var(key).ok().filter(|u| !u.is_empty()) {
            return u;
        }
    }
    passwd_name().unwrap_or_else(|| "postgres".to_string())
}

#[cfg(unix)]
pub(super) fn passwd_name() -> Option<String> {
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
pub(super) fn passwd_name() -> Option<String> {
    None
}

pub(super) mod url {
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
        /// `.env` in the working directory or the nearest one above it.
        DotEnv => ".env",
        /// The user config file (`$DALGO_CONFIG`, else `~/.config/dalgo/config.yaml`).
        File => "file",
        Default => "default",
    }
}

/// libpq's `PGSSLMODE`, which sqlx reads from the environment and, when it
/// cannot parse it, ignores without a word (a typo would silently mean
/// `prefer`): refused with 78 instead.
fn check_sslmode() -> Result<()> {
    match std::env::var("PGSSLMODE") {
        Ok(mode) if mode.parse::<sqlx::postgres::PgSslMode>().is_err() => Err(Error::Config(format!(
            "PGSSLMODE must be disable, allow, prefer, require, verify-ca or verify-full, not {mode:?}"
        ))),
        _ => Ok(()),
    }
}

/// The first layer that says anything about the database decides it whole,
/// so a `.env` DBHOST never mixes with an environment DATABASE_URL.
pub(super) fn database_from_layers(layers: &[Layer]) -> Result<DatabaseConfig> {
    check_sslmode()?;
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
pub(super) const MAX_TIMEOUT_SECS: f64 = 86_400.0;

pub(super) fn parse_seconds(key: &str, value: &str) -> Result<Duration> {
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
pub(super) fn parse_limit(key: &str, value: &str) -> Result<Option<Duration>> {
    if value.trim().parse::<f64>() == Ok(0.0) {
        return Ok(None);
    }
    parse_seconds(key, value).map(Some).map_err(|_| {
        Error::Config(format!("{key} must be 0 (no limit) or a number of seconds at most 86400, not {value:?}"))
    })
}
