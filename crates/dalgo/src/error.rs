//! The library's error type and the classes the CLI maps to exit codes.

mod db;
mod kind;
pub(crate) use db::DeadlinePassed;
use db::{db_text, is_connection_error};
pub use kind::{ErrorKind, Failure, NextStep};

/// Every error the library returns. New variants may come in any release:
/// match the ones you act on and [`Error::kind`] for the rest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid email address {given:?}: {reason}")]
    InvalidEmail { given: String, reason: &'static str },

    #[error("invalid org name {given:?}: {reason}")]
    InvalidOrgName { given: String, reason: &'static str },

    #[error("invalid password: {0}")]
    InvalidPassword(&'static str),

    #[error("unknown role {given:?}; valid roles: {}", valid.join(", "))]
    UnknownRole { given: String, valid: Vec<String>, suggestion: Option<String> },

    #[error("unknown feature flag {given:?}; valid flags: {}", valid.join(", "))]
    UnknownFlag { given: String, valid: Vec<String>, suggestion: Option<String> },

    /// Two or more rows answer to one name (Dalgo's Django tables let two
    /// orgs share a slug, two users an email in different case): each is
    /// named, none is picked.
    #[error("{what} {given:?} is ambiguous: it names {}", candidates.join(" and "))]
    Ambiguous { what: &'static str, given: String, candidates: Vec<String> },

    /// With the nearest slug there is, if one is close.
    #[error("no org with slug {slug:?}")]
    OrgNotFound { slug: String, suggestion: Option<String> },

    /// With the nearest email there is, if one is close.
    #[error("no user with email {email:?}")]
    UserNotFound { email: String, suggestion: Option<String> },

    #[error("{email} is not a member of org {org}")]
    MembershipNotFound { email: String, org: String },

    #[error("{email} is already a member of org {org} with role {role}")]
    AlreadyMember { email: String, org: String, role: String },

    #[error("{0} is the system user; it is managed on its own")]
    SystemUser(String),

    #[error("a password is needed to create user {0}")]
    PasswordRequired(String),

    #[error("the database has no dalgo schema (missing {0})")]
    NotMigrated(String),

    #[error("database {0} does not exist")]
    DatabaseMissing(String),

    /// Dalgo's Django database, at a schema live mode is not written for.
    #[error("database {database} is Dalgo's Django database at a schema dalgo does not know: {reason}")]
    DjangoSchemaUnsupported { database: String, reason: String, newest: &'static str },

    /// A session time limit ended a statement: the setting that did, and
    /// PostgreSQL's message.
    #[error("PostgreSQL gave up: {message} (limit set by {setting})")]
    DbTimedOut { setting: &'static str, message: String },

    #[error("cannot reach PostgreSQL at {target}: {reason}")]
    DbUnreachable { target: String, reason: String },

    #[error("PostgreSQL at {target} refused user {user:?}: {reason}")]
    DbAuth { target: String, user: String, reason: String },

    #[error("invalid {what}: {}", problems.join("; "))]
    InvalidConfig { what: String, problems: Vec<String> },

    #[error("org {0} has no warehouse")]
    NoWarehouse(String),

    #[error("warehouse check failed: cannot connect to {target}: {reason}")]
    WarehouseCheck { target: String, reason: String },

    /// Refused because something else uses it; `next` says how to free it.
    #[error("{message}")]
    InUse { message: String, next: Option<NextStep> },

    #[error("{message}")]
    Git { kind: ErrorKind, message: String, detail: Option<String> },

    #[error("{0}")]
    DbtNotFound(String),

    /// An id that cannot be what it names (Prefect's ids are UUIDs).
    #[error("invalid {what} id {given:?}: it must be a UUID")]
    InvalidId { what: &'static str, given: String },

    /// A secret's name that cannot be one: names become file names.
    #[error(
        "invalid secret name {0:?}: a secret's name is letters, digits, '-', '_' and '.', and does not start with '.'"
    )]
    InvalidSecretName(String),

    /// git took longer than `DALGO_GIT_TIMEOUT`: it was stopped.
    #[error("{step} took longer than {}s and was stopped (limit set by DALGO_GIT_TIMEOUT)", limit.as_secs())]
    GitTimedOut { step: String, limit: std::time::Duration },

    /// `DALGO_SANDBOX=require` and the kernel cannot confine tenant code.
    #[error("tenant code cannot be confined here: {0}; nothing was run (DALGO_SANDBOX=require)")]
    SandboxUnavailable(String),

    /// A repository or project reaches outside itself: a symlink resolving
    /// outside the clone, a local package outside the project.
    #[error("{path}: {reason}")]
    Escapes { path: String, reason: String },

    #[error("org {0} has no dbt workspace")]
    NoDbtWorkspace(String),

    #[error("lost org {org}'s dbt lock while running ({reason}); dbt was stopped")]
    LockLost { org: String, reason: String },

    /// The caller stopped a dbt command: dbt was stopped, the run recorded as interrupted.
    #[error("interrupted: {what} was stopped and recorded as interrupted")]
    Interrupted { what: String },

    #[error("org {org} is busy: {holder}")]
    Locked { org: String, holder: String, next: NextStep },

    /// Airbyte answered with a failure, or not at all: `failure` says which.
    #[error("{message}")]
    Airbyte { failure: Failure, status: Option<u16>, message: String },

    /// The schema change approved (its catalog diff) is not the one Airbyte
    /// sees now: the streams it touches differ.
    #[error(
        "connection {connection}'s schema changed again: the approved change touches streams {approved:?},          Airbyte's change now touches {now:?}; review the latest change and approve that"
    )]
    SchemaChangedSince { connection: String, approved: Vec<String>, now: Vec<String> },

    /// Prefect answered with a failure, or not at all: `failure` says which.
    #[error("{message}")]
    Prefect { failure: Failure, status: Option<u16>, message: String },

    #[error("Airbyte is not configured: set AIRBYTE_SERVER_HOST (and its credentials)")]
    AirbyteNotConfigured,

    #[error("Prefect is not configured: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)")]
    PrefectNotConfigured,

    #[error("org {0} has no Airbyte workspace")]
    NoWorkspace(String),

    #[error("invalid user attributes: {0}")]
    InvalidAttributes(String),

    #[error("invalid plan: {0}")]
    InvalidPlan(String),

    /// AWS Secrets Manager failed a call (the class says how).
    #[error("AWS Secrets Manager: {message}")]
    AwsSecrets { failure: Failure, message: String },

    /// `import django` was asked for something it cannot do.
    #[error("invalid import: {0}")]
    InvalidImport(String),

    /// An org document (`dalgo apply`) that cannot be applied: where in it
    /// (`members[2].role`; empty for the whole), and why.
    #[error("{document}{}: {reason}", if path.is_empty() { String::new() } else { format!(": {path}") })]
    InvalidDocument { document: String, path: String, reason: String },

    /// The Django database `import django` reads failed it: how, in the
    /// inner error (unreachable, refused credentials, missing), which
    /// decides the class; its hints are about dalgo's own database, so
    /// none is given.
    #[error("the Django database (--from): {cause}")]
    ImportSource { cause: Box<Error> },

    /// `import django` into Dalgo's own database, which dalgo uses in place.
    #[error("dalgo's database is Dalgo's Django database (live mode): nothing to import from {0}")]
    ImportIntoLive(String),

    /// The database `import django` was pointed at is not Dalgo's.
    #[error("{0} is not a Dalgo Django database (its django_migrations has no ddpui rows)")]
    NotDjangoDatabase(String),

    #[error("org {0} has no plan")]
    NoPlan(String),

    #[error("org {org} has no pipeline named {name:?}")]
    PipelineNotFound { org: String, name: String, suggestion: Option<String> },

    #[error("pipeline {name:?} of org {org} has never run")]
    NoRuns { org: String, name: String },

    #[error("no task lock on org task {0}")]
    LockNotFound(String),

    #[error("no secret named {0:?}")]
    SecretNotFound(String),

    #[error("secrets store: {message}")]
    Secrets { message: String },

    /// A setting is invalid (its name and why).
    #[error("configuration: {0}")]
    Config(String),

    /// The operation needs a service dalgo is not configured for.
    #[error("{reason}, but {service} is not configured: set {setting}")]
    ServiceNeeded { service: &'static str, setting: &'static str, reason: String },

    /// The work pool deployments go to does not exist in Prefect.
    #[error("work pool {pool:?} does not exist in Prefect")]
    NoWorkPool { pool: String },

    /// What dalgo stored cannot be read back as it wrote it.
    #[error("stored {what} cannot be read: {reason}")]
    StoredData { what: &'static str, reason: String },

    /// A fault in dalgo or its host, not in the input: report it.
    #[error("internal error: {0}")]
    Internal(String),

    /// Files under `CLIENTDBT_ROOT` could not be read, written or removed;
    /// the reason is the error's `source()`.
    #[error("dbt files (CLIENTDBT_ROOT): cannot {action} {}", path.display())]
    Files { action: &'static str, path: std::path::PathBuf, source: std::io::Error },

    #[error(
        "invalid cron expression {expr:?}: {reason} (five fields: minute hour day-of-month month day-of-week, in UTC)"
    )]
    InvalidCron { expr: String, reason: String },

    #[error("invalid pipeline name {given:?}: {reason}")]
    InvalidPipelineName { given: String, reason: &'static str },

    #[error("invalid pipeline: it has no tasks: give --connection, or set up dbt for org {org}")]
    NoTasks { org: String },

    #[error("invalid pipeline tasks: {org} has no {} task(s) (set up its dbt workspace, or choose others)", missing.join(", "))]
    UnknownTasks { org: String, missing: Vec<String> },

    #[error("no worker would run it: {reason}")]
    NoWorker { reason: String, pool: String, queue: String },

    #[error("invalid Airbyte connection id {0:?}: it is not a UUID")]
    InvalidConnectionId(String),

    #[error("invalid dbt workspace: no default schema for org {org}: pass --default-schema")]
    NoDefaultSchema { org: String },

    #[error("invalid default schema: {0:?} is not an SQL identifier")]
    InvalidSchema(String),

    /// A dbt project that cannot be used: missing, unreadable, no `profile:`.
    #[error("invalid dbt project at {path}: {reason}")]
    DbtProject { path: String, reason: String },

    #[error("the dbt workspace of {0} is a local project, not a git clone")]
    NotAGitWorkspace(String),

    /// A repository URL or branch name git would refuse, or read as an option.
    #[error("invalid {what} {given}: {reason}")]
    InvalidGitSource { what: &'static str, given: String, reason: String },

    #[error("no {actor} definition named or with id {given:?}")]
    UnknownDefinition { actor: &'static str, given: String },

    #[error("{0} has no warehouse destination recorded")]
    NoWarehouseDestination(String),

    #[error("invalid actor {0:?}: it must be a name (not blank, no control characters) for the audit log")]
    InvalidActor(String),

    #[error("{what} is larger than {} MiB; dalgo reads documents up to that size", limit >> 20)]
    InputTooLarge { what: String, limit: usize },

    #[error("{what} is nested more than {limit} levels deep; dalgo parses documents up to that depth")]
    InputTooDeep { what: String, limit: usize },

    #[error("what this refers to was removed meanwhile by another command ({constraint}); check and run it again")]
    ConcurrentlyRemoved { constraint: String },

    #[error("the database refused the value ({constraint}): {message}")]
    Refused { constraint: String, message: String },

    /// A value that is not one of a fixed set (a status, a mode, a kind).
    #[error("unknown {what} {given:?}; valid: {}", valid.join(", "))]
    UnknownValue { what: &'static str, given: String, valid: &'static [&'static str] },

    /// A flow run asked to be retried while it has not ended.
    #[error("flow run {flow_run} is {state_type} ({state_name}), not finished; retry it when it has ended")]
    RunNotFinished { flow_run: String, state_type: crate::state::StateType, state_name: String },

    /// A flow run asked to be marked crashed after it has ended.
    #[error("flow run {flow_run} has ended: {state_type} ({state_name}); there is nothing to mark crashed")]
    RunFinished { flow_run: String, state_type: crate::state::StateType, state_name: String },

    /// A name already in use (a pipeline's, within its org).
    #[error("org {org} already has a {what} named {name:?}")]
    NameTaken { what: &'static str, name: String, org: String },

    /// An Airbyte object that exists, but not in the org's workspace.
    #[error("{what} {id} is not in the Airbyte workspace of {org}")]
    NotInWorkspace { what: &'static str, id: String, org: String },

    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("seed data {file}: {message}")]
    Seed { file: &'static str, message: String },

    #[error("database error: {}", db_text(.0))]
    Db(sqlx::Error),
}

/// The class of what went wrong with `import django`'s source: as the
/// inner error's, but a database that is not there is a wrong `--from`,
/// not dalgo's configuration.
fn source_kind(cause: &Error) -> ErrorKind {
    match cause.kind() {
        ErrorKind::Config => ErrorKind::InvalidInput,
        kind => kind,
    }
}

/// A migration this binary does not know, or one changed since it was
/// applied, is the database's configuration; any other migration failure
/// is a failure.
fn migrate_kind(e: &sqlx::migrate::MigrateError) -> ErrorKind {
    use sqlx::migrate::MigrateError;
    match e {
        MigrateError::VersionMissing(_) | MigrateError::VersionMismatch(_) => ErrorKind::Config,
        _ => ErrorKind::Failure,
    }
}

impl Error {
    /// The class that decides the exit code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidEmail { .. }
            | Error::InvalidOrgName { .. }
            | Error::InvalidPassword(_)
            | Error::UnknownRole { .. }
            | Error::UnknownFlag { .. }
            | Error::AlreadyMember { .. }
            | Error::SystemUser(_)
            | Error::InvalidConfig { .. }
            | Error::InvalidPlan(_)
            | Error::InvalidImport(_)
            | Error::InvalidDocument { .. }
            | Error::NotDjangoDatabase(_)
            | Error::InvalidAttributes(_)
            | Error::InUse { .. }
            | Error::NameTaken { .. }
            | Error::UnknownValue { .. }
            | Error::InvalidActor(_)
            | Error::InputTooLarge { .. }
            | Error::InputTooDeep { .. }
            | Error::Refused { .. }
            | Error::InvalidCron { .. }
            | Error::InvalidPipelineName { .. }
            | Error::NoTasks { .. }
            | Error::UnknownTasks { .. }
            | Error::InvalidConnectionId(_)
            | Error::InvalidId { .. }
            | Error::InvalidSecretName(_)
            | Error::NoDefaultSchema { .. }
            | Error::InvalidSchema(_)
            | Error::DbtProject { .. }
            | Error::NotAGitWorkspace(_)
            | Error::InvalidGitSource { .. }
            | Error::UnknownDefinition { .. }
            | Error::RunNotFinished { .. }
            | Error::RunFinished { .. }
            | Error::Ambiguous { .. }
            | Error::Escapes { .. }
            | Error::SchemaChangedSince { .. } => ErrorKind::InvalidInput,
            Error::NotInWorkspace { .. }
            | Error::ConcurrentlyRemoved { .. }
            | Error::NoWarehouse(_)
            | Error::NoDbtWorkspace(_)
            | Error::SecretNotFound(_)
            | Error::PipelineNotFound { .. }
            | Error::NoRuns { .. }
            | Error::LockNotFound(_)
            | Error::NoWorkspace(_)
            | Error::OrgNotFound { .. }
            | Error::UserNotFound { .. }
            | Error::MembershipNotFound { .. }
            | Error::NoPlan(_) => ErrorKind::NotFound,
            Error::Files { source, .. } => files_kind(source),
            Error::Git { kind, .. } => *kind,
            Error::Airbyte { failure, .. } | Error::Prefect { failure, .. } => failure.kind(),
            Error::AwsSecrets { failure, .. } => failure.kind(),
            Error::AirbyteNotConfigured | Error::PrefectNotConfigured => ErrorKind::Config,
            Error::DbtNotFound(_) | Error::SandboxUnavailable(_) => ErrorKind::Config,
            Error::DjangoSchemaUnsupported { .. } | Error::ImportIntoLive(_) => ErrorKind::Config,
            Error::Locked { .. } | Error::DbTimedOut { .. } | Error::LockLost { .. } => ErrorKind::TempFail,
            Error::GitTimedOut { .. } => ErrorKind::TempFail,
            Error::Interrupted { .. } => ErrorKind::Interrupted,
            Error::WarehouseCheck { .. } | Error::NoWorker { .. } => ErrorKind::Unavailable,
            Error::PasswordRequired(_) | Error::NoWarehouseDestination(_) => ErrorKind::Usage,
            Error::NotMigrated(_)
            | Error::DatabaseMissing(_)
            | Error::Config(_)
            | Error::ServiceNeeded { .. }
            | Error::NoWorkPool { .. }
            | Error::StoredData { .. }
            | Error::Secrets { .. } => ErrorKind::Config,
            Error::Db(e) if is_connection_error(e) => ErrorKind::Unavailable,
            Error::Internal(_) | Error::Seed { .. } | Error::Db(_) => ErrorKind::Failure,
            Error::ImportSource { cause } => source_kind(cause),
            Error::DbUnreachable { .. } => ErrorKind::Unavailable,
            Error::DbAuth { .. } => ErrorKind::PermissionDenied,
            Error::Migrate(e) => migrate_kind(e),
        }
    }

    /// A second line telling the user what to do, where one helps.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::PasswordRequired(_) => Some(
                "pass it with --password-stdin or the PASSWORD environment variable, or run on a terminal to be prompted"
                    .into(),
            ),
            Error::DbUnreachable { .. } => Some(
                "check --database-url / DATABASE_URL (or DBHOST, DBPORT, DBNAME) and that PostgreSQL is running".into(),
            ),
            Error::OrgNotFound { suggestion: Some(s), .. }
            | Error::UserNotFound { suggestion: Some(s), .. }
            | Error::UnknownRole { suggestion: Some(s), .. }
            | Error::UnknownFlag { suggestion: Some(s), .. } => Some(format!("did you mean {s}?")),
            Error::PipelineNotFound { suggestion: Some(s), .. } => Some(format!("did you mean {s}?")),
            Error::ImportIntoLive(_) => Some(
                "dalgo reads and writes Dalgo's tables in place here; to move to a database of dalgo's own, \
                 point DATABASE_URL at a new one and import into that"
                    .into(),
            ),
            Error::DjangoSchemaUnsupported { newest, .. } => Some(format!(
                "nothing was written: dalgo works on Dalgo's Django schema up to migration ddpui.{newest} \
                 (DDP_backend e2f35e17)"
            )),
            Error::NoWorkPool { pool } => Some(format!(
                "create it (e.g. `prefect work-pool create {pool} --type process`) or set PREFECT_WORKER_POOL_NAME"
            )),
            Error::NoWarehouseDestination(_) => {
                Some("pass --destination ID, or set the warehouse again while Airbyte is configured".into())
            }
            Error::DbTimedOut { setting, .. } => Some(format!(
                "another session holds what this needs, or the statement is slow: retry later, or raise {setting} (seconds, 0 for no limit)"
            )),
            Error::Git { detail, .. } => detail.clone(),
            Error::WarehouseCheck { .. } => Some("fix the credentials, or pass --no-check to store them untested".into()),
            Error::DbAuth { .. } => {
                Some("name the user in --database-url / DATABASE_URL (or DBUSER, DBPASSWORD, PGUSER)".into())
            }
            Error::Migrate(sqlx::migrate::MigrateError::VersionMissing(_)) => Some(
                "the database was migrated by a newer dalgo; upgrade this binary".into(),
            ),
            _ => None,
        }
    }
}

/// The class of an error on files under `CLIENTDBT_ROOT`: a root dalgo may
/// not or cannot write to (or make) is a setting to fix.
fn files_kind(source: &std::io::Error) -> ErrorKind {
    match source.kind() {
        std::io::ErrorKind::PermissionDenied
        | std::io::ErrorKind::NotADirectory
        | std::io::ErrorKind::IsADirectory
        | std::io::ErrorKind::NotFound
        | std::io::ErrorKind::ReadOnlyFilesystem => ErrorKind::Config,
        _ => ErrorKind::Failure,
    }
}

impl Error {
    /// What to do about this error, when one step does it.
    pub fn next_step(&self) -> Option<NextStep> {
        let org = |o: &String| o.clone();
        Some(match self {
            Error::NotMigrated(_) | Error::DatabaseMissing(_) => NextStep::Migrate,
            Error::OrgNotFound { suggestion: None, .. } => NextStep::ListOrgs,
            Error::PipelineNotFound { org: o, suggestion: None, .. } => NextStep::ListPipelines { org: org(o) },
            Error::AlreadyMember { email, org: o, .. } => NextStep::SetRole { email: email.clone(), org: org(o) },
            Error::SystemUser(_) => NextStep::CreateSystemUser,
            Error::NoWarehouse(o) => NextStep::SetWarehouse { org: org(o) },
            Error::NoDbtWorkspace(o) => NextStep::SetupDbt { org: org(o) },
            Error::UnknownTasks { org: o, .. } => NextStep::SetupDbt { org: org(o) },
            Error::NoWorkspace(o) => NextStep::CreateAirbyteWorkspace { org: org(o) },
            Error::UnknownDefinition { actor, .. } => NextStep::ListDefinitions { actor },
            Error::InUse { next: Some(n), .. } | Error::Locked { next: n, .. } => n.clone(),
            Error::NoWorker { pool, queue, .. } => NextStep::StartWorker { pool: pool.clone(), queue: queue.clone() },
            _ => return None,
        })
    }
}

/// An undo whose failure leaves something behind (a secret version, a
/// Prefect deployment, an Airbyte workspace): said as a warning, never
/// dropped in silence.
pub(crate) trait OrWarn {
    fn or_warn(self, what: impl std::fmt::Display);
}

impl<T, E: std::fmt::Display> OrWarn for std::result::Result<T, E> {
    fn or_warn(self, what: impl std::fmt::Display) {
        if let Err(e) = self {
            tracing::warn!("could not {what}, which stays behind: {e}");
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
