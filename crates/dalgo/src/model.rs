//! The data a caller of [`crate::ops`] passes in and reads back: values
//! (an email, a warehouse type, a state), the rows and reports the
//! operations return, grouped as the domain is. Nothing here reaches a
//! database or a server; that is what [`crate::ops::Dalgo`] does.

/// Orgs, their plans and members.
pub mod org {
    pub use crate::onboard::{PasswordOutcome, Report as CreateReport};
    pub use crate::org::plan::{BasePlan, Duration, PlanChange, PlanSpec};
    pub use crate::org::{DeleteReport, Member, Org, OrgDetails, OrgPlan, OrgSummary};
}

/// Users, memberships and passwords.
pub mod user {
    pub use crate::user::attributes::{Attribute, Attributes, AttributesReport};
    pub use crate::user::password::MAX_PASSWORD_BYTES;
    pub use crate::user::{
        AddReport, Email, Membership, MembershipOutcome, PasswordHash, RemoveReport, RoleChange, SystemUserReport,
    };
}

/// Roles and permissions.
pub mod role {
    pub use crate::role::{Permission, Role, RoleDetails, RoleSummary};
}

/// Feature flags.
pub mod flags {
    pub use crate::flags::{Change, FlagState, Source};
}

/// The audit log.
pub mod audit {
    pub use crate::audit::{Query, Record};
}

/// The secrets store as the database refers to it.
pub mod secrets {
    pub use crate::secrets::{GcReport, Orphan, SecretEntry};
}

/// The database's migrations and seed data.
pub mod db {
    pub use crate::db::{DatabaseMode, LIVE_SCHEMA, MigrateReport, MigrationState, MigrationStatus, Mode, SeedReport};
}

/// Warehouses.
pub mod warehouse {
    pub use crate::warehouse::{SetReport, Warehouse, WarehouseDetails, WarehouseType};
}

/// dbt workspaces and runs.
pub mod dbt {
    pub use crate::dbt::{
        ChildStdout, Command, DbtSource, RunRecord, RunStatus, SetupReport, SetupRequest, Source, Status, Workspace,
    };
}

/// Orchestration pipelines, their runs, logs, locks and Prefect blocks.
pub mod pipeline {
    pub use crate::pipeline::blocks::{BlockOutcome, BlockStatus, BlockType};
    pub use crate::pipeline::{
        Details, LockRow, LogLine, LogStream, Pipeline, PipelineStatus, PipelineTask, RunRecord, RunStart, Summary,
        SyncReport, TaskChoice, WaitOutcome,
    };
    pub use crate::prefect::{FlowRun, StateType};
}

/// Airbyte workspaces, sources, destinations, connections and jobs.
pub mod airbyte {
    pub use crate::airbyte::{
        Actor, ActorRead, AttemptLogs, CheckResult, CheckStatus, Connection, ConnectionChanges, ConnectionSpec,
        ConnectionStatus, Definition, DestinationSyncMode, Health, Job, JobRecord, JobStatus, SchemaUpdate, StreamInfo,
        StreamSelection, SyncEvent, SyncMode, SyncOptions, SyncOutcome, Workspace,
    };
}

/// `import django`: what it takes and what it reports.
pub mod import {
    pub use crate::import::{
        Counts, ImportOptions, ImportReport, NoHome, Refusal, Rehomed, SecretCopy, SecretOutcome, SecretsSource,
        SharedSlug, Table, TableReport,
    };
}

/// An org as a document (`org export`, `apply`): the document, its JSON
/// Schema, and what applying it changes.
pub mod orgdoc {
    pub use crate::orgdoc::{
        Action, FieldChange, MemberDoc, OrgDocument, PipelineDoc, Plan, ResourceChange, ResourceKind, parse, schema,
        to_yaml,
    };
}

/// The native Prefect worker.
pub mod worker {
    pub use crate::worker::{WorkerEvent, WorkerOptions, WorkerReport};
}

/// How tenant code is confined.
pub mod sandbox {
    pub use crate::sandbox::{SandboxMode, SandboxStatus, TenantUser};
}

pub use crate::values::{StringEnum, parse_any_case};
