//! The classes errors fall in (and the exit codes they decide), what went
//! wrong in a call to a service, and what to do next, as data.

use serde::Serialize;

/// Broad class of an error; decides the process exit code at the CLI edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Anything not covered below (exit 1).
    Failure,
    /// The command line was incomplete or contradictory (exit 2).
    Usage,
    /// Bad input data: email, role, flag, name, file content (exit 65).
    InvalidInput,
    /// No such org, user, membership (exit 67).
    NotFound,
    /// A required service could not be reached (exit 69).
    Unavailable,
    /// Temporary: a lock is held; try again later (exit 75).
    TempFail,
    /// A service refused our credentials (exit 77).
    PermissionDenied,
    /// Configuration missing or invalid, including an unmigrated database (exit 78).
    Config,
    /// Stopped by the caller (Ctrl-C, SIGTERM) with what it was doing recorded as interrupted (exit 130).
    Interrupted,
}

impl ErrorKind {
    /// The sysexits-style exit code documented in `dalgo --help`.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Failure => 1,
            ErrorKind::Usage => 2,
            ErrorKind::InvalidInput => 65,
            ErrorKind::NotFound => 67,
            ErrorKind::Unavailable => 69,
            ErrorKind::TempFail => 75,
            ErrorKind::PermissionDenied => 77,
            ErrorKind::Config => 78,
            ErrorKind::Interrupted => 130,
        }
    }
}

/// What went wrong in a call to Airbyte or Prefect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Failure {
    /// No such object (404).
    NotFound,
    /// It is busy: a sync already runs, an object keeps changing; try again later.
    Busy,
    /// It conflicts with what is there (a name taken).
    Conflict,
    /// Our credentials were refused (401, 403).
    Unauthorised,
    /// The request was refused as invalid (400, 422): a config, an id.
    Rejected,
    /// The server failed (5xx) or did not answer in time; try again later.
    ServerError,
    /// The server could not be reached.
    Unreachable,
    /// The operation ran and reported failure (a discover, a check).
    Failed,
    /// An answer dalgo did not expect (not JSON, missing fields, another status).
    Unexpected,
}

impl Failure {
    /// The class that decides the exit code.
    pub fn kind(self) -> ErrorKind {
        match self {
            Failure::NotFound => ErrorKind::NotFound,
            Failure::Busy | Failure::ServerError => ErrorKind::TempFail,
            Failure::Conflict | Failure::Rejected => ErrorKind::InvalidInput,
            Failure::Unauthorised => ErrorKind::PermissionDenied,
            Failure::Unreachable => ErrorKind::Unavailable,
            Failure::Failed | Failure::Unexpected => ErrorKind::Failure,
        }
    }
}

/// What to do next, as data: the `dalgo` binary shows each as the command
/// that does it, a program embedding the library as its own UI's action.
/// [`std::fmt::Display`] words it without naming any command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NextStep {
    /// Create or migrate dalgo's database.
    Migrate,
    /// See which orgs there are.
    ListOrgs,
    /// See the org's pipelines.
    ListPipelines { org: String },
    /// Change the member's role instead of adding them again.
    SetRole { email: String, org: String },
    /// The system user is made and kept by its own operation.
    CreateSystemUser,
    /// Set the org's warehouse (again, with the same config, to finish one).
    SetWarehouse { org: String },
    /// Set up the org's dbt workspace.
    SetupDbt { org: String },
    /// Remove the org's dbt workspace.
    TeardownDbt { org: String },
    /// Create the org's Airbyte workspace.
    CreateAirbyteWorkspace { org: String },
    /// See the source or destination definitions (`actor` is `source` or `destination`).
    ListDefinitions { actor: &'static str },
    /// See the org's Airbyte connections (to delete those in the way).
    ListConnections { org: String },
    /// Create or refresh the Prefect blocks the org's pipelines load.
    SyncBlocks { org: String },
    /// Wait for the flow run holding a lock to end, or cancel it.
    WaitOrCancelRun,
    /// Wait for the dbt command running for the org, or queue behind it.
    WaitForDbt,
    /// Start a worker polling this work pool's queue.
    StartWorker { pool: String, queue: String },
    /// Resume the pipeline's schedule (a reschedule paused it and could not resume it).
    ResumePipeline { org: String, name: String },
    /// Remove the credential versions no row names (a removal that failed left one).
    SweepSecrets,
}

impl std::fmt::Display for NextStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NextStep::Migrate => write!(f, "migrate dalgo's database"),
            NextStep::ListOrgs => write!(f, "list the orgs"),
            NextStep::ListPipelines { org } => write!(f, "list the pipelines of {org}"),
            NextStep::SetRole { email, org } => write!(f, "change the role of {email} in {org}"),
            NextStep::CreateSystemUser => write!(f, "create the system user"),
            NextStep::SetWarehouse { org } => write!(f, "set the warehouse of {org}"),
            NextStep::SetupDbt { org } => write!(f, "set up the dbt workspace of {org}"),
            NextStep::TeardownDbt { org } => write!(f, "remove the dbt workspace of {org}"),
            NextStep::CreateAirbyteWorkspace { org } => write!(f, "create the Airbyte workspace of {org}"),
            NextStep::ListDefinitions { actor } => write!(f, "list the {actor} definitions"),
            NextStep::ListConnections { org } => write!(f, "list the Airbyte connections of {org}"),
            NextStep::SyncBlocks { org } => write!(f, "refresh the Prefect blocks of {org}"),
            NextStep::WaitOrCancelRun => write!(f, "wait for that flow run to end, or cancel it"),
            NextStep::WaitForDbt => write!(f, "wait for it to finish, or queue behind it"),
            NextStep::StartWorker { pool, queue } => write!(f, "start a worker for work pool {pool}, queue {queue}"),
            NextStep::ResumePipeline { org, name } => write!(f, "resume the schedule of pipeline {name} of {org}"),
            NextStep::SweepSecrets => write!(f, "remove the credential versions no row names"),
        }
    }
}
