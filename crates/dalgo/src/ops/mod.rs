//! Use cases, whole: each is one call on a [`Dalgo`] handle or on the org
//! scope it hands out, and does everything the `dalgo` command does for it.
//!
//! ```no_run
//! # async fn demo() -> dalgo::Result<()> {
//! use dalgo::config::{Config, Overrides};
//! use dalgo::ops::{Dalgo, DeleteOptions};
//! let dalgo = Dalgo::connect(Config::load(&Overrides::default())?).await?;
//! let report = dalgo.org("acme-ngo").delete(DeleteOptions::default()).await?;
//! println!("{} users removed", report.rows.users_removed.len());
//! # Ok(()) }
//! ```
//!
//! # The rule for operations that span systems
//!
//! Operations that touch PostgreSQL, the secrets store, files under
//! `CLIENTDBT_ROOT`, Airbyte and Prefect follow one rule, so that a failure or
//! a kill at any point loses nothing and a re-run finishes the job:
//!
//! 1. **Validate first.** Nothing external is written before the whole input
//!    is checked: names, cron, config against its schema, ownership.
//! 2. **One at a time per org.** Each takes the org's operations lock (a
//!    PostgreSQL session advisory lock, released however dalgo ends); those
//!    that touch the dbt project also take the org's dbt lock, so no dbt run
//!    sees a half-changed project.
//! 3. **Credentials are never overwritten in place.** A new value is a new
//!    secret version, recorded in `org_secrets` *before* it is written; the
//!    row is switched to it in a transaction; the old version is removed only
//!    after the commit. A failure removes the new version and leaves the old
//!    one working. Versions a kill left behind are removed by the next
//!    operation on the org (under its lock), by `org delete`, or by
//!    [`Secrets::gc`].
//! 4. **Everything made outside can be found again.** External objects are
//!    recorded before they are made (a pipeline row with its deployment name
//!    is committed before the deployment exists) or named deterministically
//!    (the warehouse destination `<slug>-warehouse`, the blocks
//!    `<slug>-airbyte-server`, `dbt-profile-<slug>`, `<slug>-git-pull-url`),
//!    so a re-run adopts what a killed run made instead of making a second.
//! 5. **Partial success is said.** When the part that matters is saved but a
//!    follow-up step failed (e.g. the Airbyte destination after the warehouse
//!    is stored), the report's [`Step`] says what failed and which command
//!    finishes it; the CLI exits with its code for a partial success (3).
//! 6. **Deleting removes everything, external parts first.** `org delete`
//!    removes Prefect deployments and blocks, the Airbyte workspace, the
//!    org's directory and every secret version before the rows, so a re-run
//!    after a failure still finds the org and finishes.

mod admin;
mod airbyte;
mod apply;
mod dbt;
mod entities;
mod import;
mod members;
mod org;
mod orgs;
mod pipeline;
mod roles;
mod runs;
mod secrets;
mod users;
mod warehouse;

use serde::Serialize;

pub use self::admin::{Audit, MaintainOptions, MaintainReport};
pub use self::airbyte::{AirbyteLogin, OrgAirbyte, SecretValue, SourceSpec};
pub use self::dbt::{DbtOps, DbtRunOptions, DbtSetupReport, DbtTeardownReport};
pub use self::entities::{AirbyteEntities, BlockEntity, Entities, OrgTask, PipelineEntity, Presence};
pub use self::import::{ExternalCheck, Imported};
pub use self::members::{Flags, Members};
pub use self::org::{DeleteOptions, Kept, OrgDeleteReport};
pub use self::orgs::{CreateOrgAndUser, Orgs};
pub use self::pipeline::{PipelineChanges, PipelineOps, PipelineSpec, Rescheduled, RunOptions};
pub use self::roles::Roles;
pub use self::runs::{FlowRuns, Locks};
pub use self::secrets::Secrets;
pub use self::users::Users;
pub use self::warehouse::{WarehouseOps, WarehouseSetReport, WarehouseSpec};
pub use crate::context::Dalgo;
use crate::db::Db;
use crate::db::Within;
pub use crate::error::NextStep;
use crate::error::{Error, ErrorKind, Result};

impl Dalgo {
    /// Runs a Prefect worker that executes Dalgo's pipelines on a work pool
    /// until `stop` resolves (or, with `once`, until nothing is scheduled).
    /// It claims a run by proposing PENDING (Prefect accepts one proposal
    /// per run, so it shares a pool with other workers), only runs of
    /// Dalgo's pipeline flow whose tasks it can all do, takes their task
    /// locks as [`PipelineOps::run`] does, and leaves in Prefect the flow,
    /// subflow and task runs Dalgo's Python flow leaves. On `stop` it
    /// claims nothing more, lets its runs finish within the grace period,
    /// then stops them (CANCELLED tasks, CRASHED runs).
    pub async fn worker(
        &self,
        opts: &crate::worker::WorkerOptions,
        on_event: &dyn Fn(crate::worker::WorkerEvent),
        stop: impl Future<Output = ()>,
    ) -> Result<crate::worker::WorkerReport> {
        crate::worker::run(self, opts, on_event, stop).await
    }

    /// The operations on one org. Nothing is read yet: each operation
    /// looks the org's row up by slug once, when it starts, and works on
    /// that row (so a scope kept for long never acts on a stale one).
    pub fn org(&self, slug: &str) -> OrgOps<'_> {
        OrgOps { dalgo: self, slug: slug.to_string() }
    }
}

impl Dalgo {
    /// The id of the org a listing is narrowed to, `None` for every org's;
    /// [`Error::OrgNotFound`] when there is no such org.
    pub(crate) async fn org_id(&self, slug: Option<&str>) -> Result<Option<i64>> {
        Ok(match slug {
            Some(slug) => Some(self.org(slug).get().await?.id),
            None => None,
        })
    }
}

/// The operations on one org: `dalgo.org("acme").warehouse().set(…)`.
#[derive(Clone)]
pub struct OrgOps<'a> {
    dalgo: &'a Dalgo,
    slug: String,
}

impl<'a> OrgOps<'a> {
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The org's row; [`Error::OrgNotFound`] (naming the nearest slug) if
    /// there is none. Every operation reads it once, first: before any
    /// service client is asked for, so a missing org is 67 whatever is
    /// configured.
    pub async fn get(&self) -> Result<crate::org::Org> {
        crate::org::get(&mut *self.dalgo.db().pool().acquire().await?, &self.slug).await
    }

    /// The handle this scope was opened on.
    pub(crate) fn dalgo(&self) -> &'a Dalgo {
        self.dalgo
    }

    /// The org's warehouse.
    pub fn warehouse(&self) -> WarehouseOps<'a> {
        WarehouseOps { org: self.clone() }
    }

    /// The org's dbt workspace and runs.
    pub fn dbt(&self) -> DbtOps<'a> {
        DbtOps { org: self.clone() }
    }

    /// The org's orchestration pipelines.
    pub fn pipelines(&self) -> PipelineOps<'a> {
        PipelineOps { org: self.clone() }
    }

    /// The org's Airbyte workspace, through which only the org's own
    /// sources, destinations, connections and jobs are reached.
    pub async fn airbyte(&self) -> Result<OrgAirbyte<'a>> {
        OrgAirbyte::open(self).await
    }

    /// Does `work` on the org (its row as the operation read it) under its
    /// operations lock: the lock is released when it succeeds, and by the
    /// session's end when it fails.
    pub(crate) async fn locked<T, F>(&self, org: crate::org::Org, work: impl FnOnce(crate::org::Org) -> F) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let lock = self.lock(&org).await?;
        let done = work(org).await?;
        lock.release().await?;
        Ok(done)
    }

    /// Takes the org's operations lock (see the rule, point 2).
    pub(crate) async fn lock(&self, org: &crate::org::Org) -> Result<crate::org_lock::OrgLock> {
        crate::org_lock::OrgLock::acquire(self.dalgo.db(), crate::org_lock::LockClass::Ops, org).await
    }
}

/// How a follow-up step of an operation went.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Step {
    Done,
    /// Not needed or not asked for.
    Skipped {
        reason: String,
    },
    /// Not done; what matters before it was saved. `finish_with` is what
    /// completes the operation.
    Failed {
        kind: ErrorKind,
        error: String,
        finish_with: NextStep,
    },
}

impl Step {
    fn skipped(reason: impl Into<String>) -> Step {
        Step::Skipped { reason: reason.into() }
    }

    fn failed(e: &Error, finish_with: NextStep) -> Step {
        Step::Failed { kind: e.kind(), error: e.to_string(), finish_with }
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, Step::Failed { .. })
    }
}

/// A report whose operation may have succeeded only in part.
pub trait Partial {
    /// The steps that were not done, by name.
    fn unfinished(&self) -> Vec<(&'static str, &Step)>;
}

/// Whether the org has pipelines, whose Prefect blocks must follow its credentials.
async fn has_pipelines(db: &Db, org: &crate::org::Org) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pipelines WHERE org_id = $1)")
        .bind(org.id)
        .fetch_one(db.pool())
        .within()
        .await?)
}

/// Refreshes the org's Prefect blocks after its credentials changed, when it
/// has pipelines that load them.
async fn refresh_blocks(dalgo: &Dalgo, org: &crate::org::Org) -> Step {
    let finish = NextStep::SyncBlocks { org: org.slug.clone() };
    if dalgo.config().prefect.is_unset() {
        return Step::skipped("Prefect is not configured");
    }
    match has_pipelines(dalgo.db(), org).await {
        Ok(false) => return Step::skipped(format!("{} has no pipelines", org.slug)),
        Ok(true) => {}
        Err(e) => return Step::failed(&e, finish),
    }
    let synced = async {
        let client = dalgo.prefect()?;
        crate::pipeline::blocks::sync(dalgo.db(), dalgo.config(), dalgo.store(), client, org).await
    };
    match synced.await {
        Ok(_) => Step::Done,
        Err(e) => Step::failed(&e, finish),
    }
}
