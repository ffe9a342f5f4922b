//! The connection pool, the embedded migrations and the seed data.

mod seed;

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::{Connection, PgConnection};

pub use seed::{SeedReport, load_seed};

use crate::config::DatabaseConfig;
use crate::error::{Error, Result};

/// The schema migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A connection pool to dalgo's database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// Connects, failing within the configured timeout when PostgreSQL is unreachable.
    ///
    /// sqlx's pool retries a refused connection until the timeout, for a
    /// server that is starting; when the first connection has not come within
    /// 200 ms, a bare socket connect (no start-up packet, which the
    /// server does not log) tells a refused one apart and fails at once.
    pub async fn connect(cfg: &DatabaseConfig) -> Result<Db> {
        set_deadline(&cfg.limits);
        // The pool's first connection is made here; no ping before each
        // acquire (a dead connection fails its query, which the caller reports).
        let connect = PgPoolOptions::new()
            .max_connections(cfg.max_connections.max(1))
            .test_before_acquire(false)
            .acquire_timeout(cfg.connect_timeout)
            .connect_with(session_options(cfg));
        let refused = async {
            tokio::time::sleep(PROBE_AFTER).await;
            match refused(&cfg.options).await {
                Some(e) => e,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            pool = connect => Ok(Db { pool: pool.map_err(|e| connect_error(cfg, e))? }),
            e = refused => Err(Error::DbUnreachable { target: cfg.target(), reason: e.to_string() }),
        }
    }

    /// Connects, creating the database first if it does not exist; whether
    /// this call created it.
    pub async fn connect_or_create(cfg: &DatabaseConfig) -> Result<(Db, bool)> {
        match Db::connect(cfg).await {
            Ok(db) => Ok((db, false)),
            Err(Error::DatabaseMissing(_)) => {
                let created = create_database(cfg).await?;
                Ok((Db::connect(cfg).await?, created))
            }
            Err(e) => Err(e),
        }
    }

    /// Wraps an existing pool, for programs that manage their own.
    pub fn from_pool(pool: PgPool) -> Db {
        Db { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The client's own deadline on each statement, in milliseconds (0: none):
/// the server's `statement_timeout` plus [`DEADLINE_MARGIN`]. The server's
/// limit never fires on a link that stalled (a proxy that stopped
/// forwarding, a half-dead NAT: the statement never arrives, and keepalive
/// is answered), so dalgo stops waiting itself.
static DEADLINE_MS: AtomicU64 = AtomicU64::new(0);

/// Time for the server to report its own timeout before dalgo gives up.
const DEADLINE_MARGIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Sets the client-side deadline from the session limits: none when the
/// statement limit is off.
fn set_deadline(limits: &crate::config::SessionLimits) {
    let ms = limits.statement.map_or(0, |d| (d + DEADLINE_MARGIN).as_millis());
    DEADLINE_MS.store(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::Relaxed);
}

fn deadline() -> Option<std::time::Duration> {
    match DEADLINE_MS.load(Ordering::Relaxed) {
        0 => None,
        ms => Some(std::time::Duration::from_millis(ms)),
    }
}

fn deadline_error(after: std::time::Duration) -> sqlx::Error {
    let passed = crate::error::DeadlinePassed { after, margin: DEADLINE_MARGIN };
    sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, passed))
}

/// A database call bounded by the client's deadline: `.within()` before
/// `.await` on every statement and transaction step, except the waits for
/// dalgo's own locks and migrations, which take as long as they take.
pub(crate) trait Within: Sized {
    fn within(self) -> Deadlined<Self>;
}

impl<F, T> Within for F
where
    F: Future<Output = std::result::Result<T, sqlx::Error>>,
{
    fn within(self) -> Deadlined<Self> {
        let limit = deadline();
        Deadlined { inner: Box::pin(tokio::time::timeout(limit.unwrap_or(FOREVER), self)), limit }
    }
}

/// Far enough to be never; tokio clamps what overflows.
const FOREVER: std::time::Duration = std::time::Duration::from_secs(100 * 365 * 86_400);

/// The future [`Within::within`] returns.
pub(crate) struct Deadlined<F> {
    inner: std::pin::Pin<Box<tokio::time::Timeout<F>>>,
    limit: Option<std::time::Duration>,
}

impl<F, T> Future for Deadlined<F>
where
    F: Future<Output = std::result::Result<T, sqlx::Error>>,
{
    type Output = std::result::Result<T, sqlx::Error>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let limit = self.limit.unwrap_or(FOREVER);
        self.inner.as_mut().poll(cx).map(|r| r.unwrap_or_else(|_| Err(deadline_error(limit))))
    }
}

/// A stream of rows, each bounded by the client's deadline (a long list
/// streams for as long as it has rows; a stall between two ends it).
pub(crate) fn stream_within<'a, T: 'a>(
    rows: impl futures_util::Stream<Item = std::result::Result<T, sqlx::Error>> + Send + 'a,
) -> impl futures_util::Stream<Item = std::result::Result<T, sqlx::Error>> + Send + 'a {
    use futures_util::StreamExt;
    let rows = Box::pin(rows);
    futures_util::stream::unfold(Some(rows), |rows| async move {
        let mut rows = rows?;
        let limit = deadline().unwrap_or(FOREVER);
        match tokio::time::timeout(limit, rows.next()).await {
            Ok(Some(row)) => Some((row, Some(rows))),
            Ok(None) => None,
            Err(_) => Some((Err(deadline_error(limit)), None)),
        }
    })
}

/// How long the first connection may take before dalgo checks whether the
/// server refuses connections outright.
const PROBE_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// The error of a bare connect to the server's socket, when it is refused or
/// the socket file is missing; `None` when something accepts.
async fn refused(options: &PgConnectOptions) -> Option<std::io::Error> {
    let gone = |e: std::io::Error| {
        matches!(e.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound).then_some(e)
    };
    let port = options.get_port();
    match crate::config::socket_dir(options) {
        #[cfg(unix)]
        Some(dir) => tokio::net::UnixStream::connect(format!("{dir}/.s.PGSQL.{port}")).await.err().and_then(gone),
        #[cfg(not(unix))]
        Some(_) => None,
        None => tokio::net::TcpStream::connect((options.get_host(), port)).await.err().and_then(gone),
    }
}

/// The configured options, with `application_name` "dalgo" unless the URL
/// names one, so dalgo's sessions are recognisable in `pg_stat_activity`,
/// the session limits the URL does not set itself, and the search path
/// [`SEARCH_PATH`].
fn session_options(cfg: &DatabaseConfig) -> PgConnectOptions {
    let options = match cfg.options.get_application_name() {
        Some(_) => cfg.options.clone(),
        None => cfg.options.clone().application_name("dalgo"),
    };
    let options = no_tls_request_on_sockets(options);
    let own = options.get_options().unwrap_or_default().to_string();
    let mut settings = cfg.limits.settings();
    settings.push(("search_path", SEARCH_PATH.to_string()));
    options.options(settings.into_iter().filter(|(k, _)| !own.contains(&format!("{k}="))))
}

/// Where dalgo's unqualified table names resolve. On its own database the
/// schema `dalgo` does not exist and every name is in `public`; on Dalgo's
/// Django database ([`Mode::Live`]) `dalgo` holds dalgo's own tables and
/// its views over Django's, which `public` holds.
const SEARCH_PATH: &str = "dalgo, public";

/// The schema dalgo's own things live in on Dalgo's Django database.
pub const LIVE_SCHEMA: &str = "dalgo";

string_enum! {
    /// Which database dalgo works on.
    pub enum Mode {
        /// A database of dalgo's own: its schema, its tables in `public`.
        Own => "own",
        /// Dalgo's Django database, in place: Django's tables are the
        /// truth, read and written through the views of schema `dalgo`
        /// (`migrations/live`), which also holds what Django has no table for.
        Live => "live",
    }
}

/// What `dalgo config show` says of the configured database.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseMode {
    /// `None` when it could not be asked (unreachable, missing).
    pub mode: Option<Mode>,
    /// Why this mode, or why it could not be told.
    pub why: String,
}

/// The mode of this database and why: live when its `django_migrations`
/// has rows of Dalgo's Django app (`ddpui`).
pub(crate) async fn mode(db: &Db) -> Result<(Mode, String)> {
    mode_on(&mut *db.pool.acquire().await?).await
}

async fn mode_on(conn: &mut PgConnection) -> Result<(Mode, String)> {
    let has_table: bool = sqlx::query_scalar("SELECT to_regclass('public.django_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .within()
        .await?;
    let ddpui: Option<i64> = match has_table {
        true => Some(
            sqlx::query_scalar("SELECT count(*) FROM public.django_migrations WHERE app = 'ddpui'")
                .fetch_one(&mut *conn)
                .within()
                .await?,
        ),
        false => None,
    };
    Ok(match ddpui {
        Some(n) if n > 0 => (Mode::Live, format!("its django_migrations has {n} rows of Dalgo's app (ddpui)")),
        Some(_) => (Mode::Own, "its django_migrations has no rows of Dalgo's app (ddpui)".into()),
        None => (Mode::Own, "it has no django_migrations table".into()),
    })
}

/// On a Unix socket, as libpq does, no TLS request when TLS is optional
/// (`prefer`, the default, or `allow`): PostgreSQL never offers TLS there,
/// so asking costs a round trip for a "no". An explicit `require` or
/// `verify-*` is left to fail as configured.
fn no_tls_request_on_sockets(options: PgConnectOptions) -> PgConnectOptions {
    let on_socket = crate::config::socket_dir(&options).is_some();
    match options.get_ssl_mode() {
        PgSslMode::Prefer | PgSslMode::Allow if on_socket => options.ssl_mode(PgSslMode::Disable),
        _ => options,
    }
}

/// Lifts the statement and lock time limits on a session that is about to
/// wait for one of dalgo's own locks or run migrations, which take as long as they take.
pub(crate) async fn lift_limits(conn: &mut PgConnection) -> Result<()> {
    sqlx::raw_sql("SET statement_timeout = 0; SET lock_timeout = 0").execute(conn).within().await?;
    Ok(())
}

fn connect_error(cfg: &DatabaseConfig, e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut => Error::DbUnreachable {
            target: cfg.target(),
            reason: match e {
                sqlx::Error::PoolTimedOut => format!("no answer within {:?}", cfg.connect_timeout),
                other => other.to_string(),
            },
        },
        // Class 28: invalid authorization (unknown role, wrong password).
        other if other.as_database_error().and_then(|d| d.code()).is_some_and(|c| c.starts_with("28")) => {
            Error::DbAuth {
                target: cfg.target(),
                user: cfg.options.get_username().to_string(),
                // PostgreSQL's own words: sqlx's text ends with the line of PostgreSQL's C source.
                reason: other.as_database_error().map_or_else(|| other.to_string(), |d| d.message().to_string()),
            }
        }
        // 3D000 invalid_catalog_name: the server is there, the database is not.
        other if other.as_database_error().and_then(|d| d.code()).as_deref() == Some("3D000") => {
            Error::DatabaseMissing(cfg.target())
        }
        other => Error::from(other),
    }
}

/// `CREATE DATABASE` through the maintenance database; whether this call
/// created it (`false` when a concurrent `dalgo migrate` won the race).
async fn create_database(cfg: &DatabaseConfig) -> Result<bool> {
    let name = cfg.database_name();
    let mut conn = maintenance_connection(cfg).await?;
    let sql = format!("CREATE DATABASE {}", quote_ident(name));
    match sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).within().await {
        Ok(_) => Ok(true),
        // 42P04 duplicate_database; 23505 when two creates race on pg_database's index.
        Err(e) if matches!(e.as_database_error().and_then(|d| d.code()).as_deref(), Some("42P04" | "23505")) => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

async fn maintenance_connection(cfg: &DatabaseConfig) -> Result<PgConnection> {
    let mut last = None;
    for db in ["postgres", "template1"] {
        let options: PgConnectOptions = no_tls_request_on_sockets(cfg.options.clone().database(db));
        match tokio::time::timeout(cfg.connect_timeout, PgConnection::connect_with(&options)).await {
            Ok(Ok(conn)) => return Ok(conn),
            Ok(Err(e)) => last = Some(connect_error(cfg, e)),
            Err(_) => last = Some(connect_error(cfg, sqlx::Error::PoolTimedOut)),
        }
    }
    Err(last.unwrap_or_else(|| Error::Internal("no maintenance database was tried".into())))
}

/// The value of `column` (an expression, lower case) in `table` nearest to
/// `wanted`, for a "did you mean": only values of about its length, or that
/// start with it, can be near; bounded for huge tables. `None` when nothing
/// is close or the lookup fails (it only words an error).
pub(crate) async fn nearest(
    conn: &mut PgConnection,
    table: &'static str,
    column: &'static str,
    wanted: &str,
) -> Option<String> {
    let sql = format!(
        "SELECT {column} FROM {table}
          WHERE abs(char_length({column}) - char_length($1)) <= 3 OR starts_with({column}, $1)
          ORDER BY 1 LIMIT 10000"
    );
    let near: Vec<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(wanted).fetch_all(conn).within().await.unwrap_or_default();
    crate::values::nearest(wanted, &near)
}

/// The one row `given` names among `rows` (at most a few, `LIMIT 3`):
/// `None` for none; two or more are refused ([`Error::Ambiguous`], each
/// named by `describe`), never one picked.
pub(crate) fn the_one<T>(
    what: &'static str,
    given: &str,
    mut rows: Vec<T>,
    describe: impl Fn(&T) -> String,
) -> Result<Option<T>> {
    match rows.len() {
        0 | 1 => Ok(rows.pop()),
        _ => Err(Error::Ambiguous { what, given: given.to_string(), candidates: rows.iter().map(describe).collect() }),
    }
}

/// Double-quotes an SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

string_enum! {
    /// Where a migration stands.
    pub enum MigrationState {
        Applied => "applied",
        Pending => "pending",
        /// Applied, but its file differs now.
        Changed => "changed",
    }
}

/// One migration and whether it has been applied.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub state: MigrationState,
    pub installed_on: Option<chrono::DateTime<chrono::Utc>>,
}

/// Key of the session advisory lock `migrate` holds from reading the status
/// to the last migration ("migr").
const MIGRATE_LOCK: i64 = 0x6d69_6772;

/// Applies pending migrations of the database's `mode` (no migration of
/// dalgo's makes or removes Django's, so it is told once, before the lock);
/// returns the versions this call applied. Concurrent runs queue on an
/// advisory lock taken before the status is read, so each reports only its
/// own work (and sqlx's own lock guards other tools).
async fn migrate(db: &Db, mode: Mode) -> Result<Vec<MigrationStatus>> {
    let mut conn = db.pool.acquire().await?;
    let before = match migrate_on(&mut conn, mode).await {
        Ok(before) => before,
        Err(e) => {
            // It may still hold the lock or be mid-migration: closing the
            // session releases both, where the pool would keep it.
            conn.close_on_drop();
            return Err(e);
        }
    };
    Ok(before
        .into_iter()
        .filter(|m| m.state == MigrationState::Pending)
        .map(|m| MigrationStatus { state: MigrationState::Applied, ..m })
        .collect())
}

/// The migrations under the lock, on a session that goes back to the pool
/// (for the seed data) with the lock released and its limits restored. On
/// Dalgo's Django database the Django schema is checked first and only
/// schema [`LIVE_SCHEMA`] is written.
async fn migrate_on(conn: &mut PgConnection, mode: Mode) -> Result<Vec<MigrationStatus>> {
    lift_limits(conn).await?;
    // Waits for a concurrent migrate: no deadline.
    sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATE_LOCK).execute(&mut *conn).await?;
    if mode == Mode::Live {
        check_django_schema(conn).await?;
        let sql = format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(LIVE_SCHEMA));
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).within().await?;
    }
    let before = status_on(conn, mode).await?;
    migrator(mode).run(&mut *conn).await?;
    sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATE_LOCK).execute(&mut *conn).within().await?;
    // RESET returns to the values the start-up packet set.
    sqlx::raw_sql("RESET statement_timeout; RESET lock_timeout").execute(conn).within().await?;
    Ok(before)
}

/// The migrations of schema [`LIVE_SCHEMA`] on Dalgo's Django database.
static LIVE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/live");

fn migrator(mode: Mode) -> &'static sqlx::migrate::Migrator {
    match mode {
        Mode::Own => &MIGRATOR,
        Mode::Live => &LIVE_MIGRATOR,
    }
}

/// The `ddpui` migrations of the Django schema live mode is written for
/// (DDP_backend e2f35e17), oldest first.
fn known_ddpui_migrations() -> impl Iterator<Item = &'static str> {
    include_str!("ddpui_migrations.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The newest `ddpui` migration dalgo knows.
fn newest_ddpui_migration() -> &'static str {
    known_ddpui_migrations().last().unwrap_or("0001_initial")
}

/// Refuses (78) a Django schema other than the one live mode's views are
/// written for: one with a `ddpui` migration dalgo does not know (a newer
/// Dalgo) or without one it does (an older one, or a half-migrated one).
/// Nothing has been written.
async fn check_django_schema(conn: &mut PgConnection) -> Result<()> {
    let applied: Vec<String> =
        sqlx::query_scalar("SELECT name FROM public.django_migrations WHERE app = 'ddpui' ORDER BY id")
            .fetch_all(&mut *conn)
            .within()
            .await?;
    let known: Vec<&str> = known_ddpui_migrations().collect();
    let reason = if let Some(unknown) = applied.iter().find(|a| !known.contains(&a.as_str())) {
        format!("its migration ddpui.{unknown} is one dalgo does not know (a newer Dalgo)")
    } else if let Some(missing) = known.iter().find(|k| !applied.iter().any(|a| a == *k)) {
        format!("it lacks migration ddpui.{missing} (run Dalgo's `manage.py migrate` first)")
    } else {
        return Ok(());
    };
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&mut *conn).within().await?;
    Err(Error::DjangoSchemaUnsupported { database, reason, newest: newest_ddpui_migration() })
}

/// Every migration this binary knows, all pending: the status of a database
/// that does not exist yet.
pub fn known_migrations() -> Vec<MigrationStatus> {
    MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| MigrationStatus {
            version: m.version,
            description: m.description.to_string(),
            state: MigrationState::Pending,
            installed_on: None,
        })
        .collect()
}

/// Every known migration with its state in this database.
pub async fn migration_status(db: &Db) -> Result<Vec<MigrationStatus>> {
    let mut conn = db.pool.acquire().await?;
    let (mode, _) = mode_on(&mut conn).await?;
    status_on(&mut conn, mode).await
}

async fn status_on(conn: &mut PgConnection, mode: Mode) -> Result<Vec<MigrationStatus>> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(&mut *conn).within().await?;
    let applied: Vec<(i64, Vec<u8>, chrono::DateTime<chrono::Utc>)> = if exists {
        sqlx::query_as("SELECT version, checksum, installed_on FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut *conn)
            .within()
            .await?
    } else {
        Vec::new()
    };
    Ok(migrator(mode)
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| {
            let found = applied.iter().find(|(v, _, _)| *v == m.version);
            let state = match found {
                None => MigrationState::Pending,
                Some((_, sum, _)) if sum.as_slice() != &*m.checksum => MigrationState::Changed,
                Some(_) => MigrationState::Applied,
            };
            MigrationStatus {
                version: m.version,
                description: m.description.to_string(),
                state,
                installed_on: found.map(|(_, _, at)| *at),
            }
        })
        .collect())
}

/// The outcome of `dalgo migrate`.
#[derive(Debug, Clone, Serialize)]
pub struct MigrateReport {
    pub database: String,
    /// Dalgo's Django database in place (only schema `dalgo` written), or dalgo's own.
    pub mode: Mode,
    pub database_created: bool,
    pub applied: Vec<MigrationStatus>,
    pub seed: SeedReport,
}

impl MigrateReport {
    pub fn changed_anything(&self) -> bool {
        self.database_created || !self.applied.is_empty() || self.seed.changed_anything()
    }
}

/// Creates the database if needed, applies migrations, loads the seed
/// data; the pool it did that on.
pub async fn setup(cfg: &DatabaseConfig) -> Result<(Db, MigrateReport)> {
    let (db, database_created) = Db::connect_or_create(cfg).await?;
    let (mode, _) = mode(&db).await?;
    let applied = migrate(&db, mode).await?;
    let seed = load_seed(&db, mode).await?;
    Ok((db, MigrateReport { database: cfg.database_name().to_string(), mode, database_created, applied, seed }))
}
