//! The scopes that are not one org's: the database itself, orgs as a set,
//! users, roles, global feature flags, the audit log, the secrets store,
//! task locks and flow runs by id.
//!
//! Each of these changes dalgo's own database in one transaction (the
//! transaction is its unit: it cannot be half done), or reads only; the
//! ones that reach another system (a lock's run in Prefect, a secret in the
//! store) say in their docs what they do first.

use std::time::Duration;

use serde::Serialize;

use super::members::Flags;
use super::{FlowRuns, Locks, Orgs, Roles, Secrets, Users};
use crate::audit::{Query, Record};
use crate::config::Config;
use crate::context::Dalgo;
use crate::db::{self, Db, MigrateReport, MigrationStatus, Within};
use crate::error::{Error, Result};
use crate::pipeline::{self, LockRow, SyncReport};

impl Dalgo {
    /// Creates the configured database if it is missing, applies the
    /// migrations and loads the seed data (roles, permissions, tasks, flags);
    /// then connects to it. Re-running changes nothing.
    pub async fn setup(cfg: Config) -> Result<(Dalgo, MigrateReport)> {
        let (db, report) = db::setup(&cfg.database).await?;
        Ok((Dalgo::new(cfg, db), report))
    }

    /// Each migration this dalgo knows, and whether the configured database
    /// has it; all pending when the database does not exist yet.
    pub async fn migration_status(cfg: &Config) -> Result<Vec<MigrationStatus>> {
        match Db::connect(&cfg.database).await {
            Ok(db) => db::migration_status(&db).await,
            Err(Error::DatabaseMissing(_)) => Ok(db::known_migrations()),
            Err(e) => Err(e),
        }
    }

    /// Which database the configuration points at, dalgo's own or Dalgo's
    /// Django database (live), and why; what stopped the question when it
    /// could not be asked within `within`.
    pub async fn database_mode(cfg: &Config, within: Duration) -> db::DatabaseMode {
        let asked = async { db::mode(&Db::connect(&cfg.database).await?).await };
        match tokio::time::timeout(within, asked).await {
            Ok(Ok((mode, why))) => db::DatabaseMode { mode: Some(mode), why },
            Ok(Err(e)) => db::DatabaseMode { mode: None, why: e.to_string() },
            Err(_) => db::DatabaseMode { mode: None, why: format!("no answer within {within:?}") },
        }
    }

    /// Orgs as a set: list, create.
    pub fn orgs(&self) -> Orgs<'_> {
        Orgs { dalgo: self }
    }

    /// User accounts, whatever their orgs.
    pub fn users(&self) -> Users<'_> {
        Users { dalgo: self }
    }

    /// Roles and their permissions (seed data: read only).
    pub fn roles(&self) -> Roles<'_> {
        Roles { dalgo: self }
    }

    /// Feature flags' global values (an org's overrides are
    /// [`crate::ops::OrgOps::flags`]).
    pub fn flags(&self) -> Flags<'_> {
        Flags { dalgo: self, org: None }
    }

    /// The audit log.
    pub fn audit(&self) -> Audit<'_> {
        Audit { dalgo: self }
    }

    /// The secrets store, as the database refers to it.
    pub fn secrets(&self) -> Secrets<'_> {
        Secrets { dalgo: self }
    }

    /// Task locks held by pipeline runs.
    pub fn locks(&self) -> Locks<'_> {
        Locks { dalgo: self }
    }

    /// Prefect flow runs by id (a pipeline's runs by name are
    /// [`crate::ops::PipelineOps`]).
    pub fn flow_runs(&self) -> FlowRuns<'_> {
        FlowRuns { dalgo: self }
    }
}

/// What `maintain` does: Celery beat's upkeep of Dalgo's data.
#[derive(Debug, Clone, Copy)]
pub struct MaintainOptions {
    /// A lock with no flow run is stale after this long (its taker died).
    pub lock_age: Duration,
    /// How far back the run history is synced.
    pub lookback: Duration,
}

impl Default for MaintainOptions {
    /// Locks with no run after 30 minutes; the history of the last day.
    fn default() -> Self {
        MaintainOptions { lock_age: Duration::from_secs(30 * 60), lookback: Duration::from_secs(24 * 3600) }
    }
}

/// What `maintain` did.
#[derive(Debug, Clone, Serialize)]
pub struct MaintainReport {
    /// Another `maintain` held the upkeep lock: this one did nothing.
    pub skipped: bool,
    pub locks_released: Vec<LockRow>,
    /// The run history recorded; `None` when skipped (see `not_done`).
    pub runs: Option<SyncReport>,
    /// What was left undone and why (Prefect not configured: the locks held
    /// by a flow run were not checked and no run history was recorded).
    pub not_done: Option<String>,
}

/// The session advisory lock one `maintain` at a time holds ("mant").
const MAINTAIN_LOCK: i64 = 0x6d61_6e74;

impl Dalgo {
    /// Dalgo's Celery beat upkeep, for cron or a systemd timer: frees the
    /// locks whose run ended (or that Prefect does not know), and those
    /// older than `lock_age` that never got a run; then records the run
    /// history of every deployment over `lookback` (which frees the locks of
    /// the runs that ended). One at a time across machines: a second
    /// `maintain` while one runs does nothing and says so (`skipped`).
    /// Without Prefect configured, it does what needs none (the locks that
    /// never got a run) and says what it left (`not_done`).
    pub async fn maintain(&self, opts: MaintainOptions) -> Result<MaintainReport> {
        let client = self.prefect_if_configured()?;
        let mut conn = self.db().pool().acquire().await?.detach();
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(MAINTAIN_LOCK)
            .fetch_one(&mut conn)
            .within()
            .await?;
        if !got {
            return Ok(MaintainReport { skipped: true, locks_released: Vec::new(), runs: None, not_done: None });
        }
        let locks_released = pipeline::release_stale(self.db(), client, opts.lock_age, self.actor()).await?;
        let runs = match client {
            Some(client) => Some(pipeline::sync_runs(self.db(), client, None, opts.lookback).await?),
            None => None,
        };
        // Closing the session releases the lock too; this is the prompt way.
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(MAINTAIN_LOCK).execute(&mut conn).within().await?;
        let not_done = client.is_none().then(|| {
            "Prefect is not configured (PREFECT_API_URL): the locks held by a flow run were not checked \
             and no run history was recorded"
                .to_string()
        });
        Ok(MaintainReport { skipped: false, locks_released, runs, not_done })
    }
}

/// The audit log.
pub struct Audit<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

impl Audit<'_> {
    /// The audit entries `q` asks for, newest first.
    pub async fn list(&self, q: &Query<'_>) -> Result<Vec<Record>> {
        let db = self.dalgo.db();
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, resource_type, resource_id, org_slug AS org, details
               FROM audit_log
              WHERE ($1::text IS NULL OR org_slug = lower($1))
                AND ($2::text IS NULL OR actor = $2)
                AND ($3::timestamptz IS NULL OR at >= $3)
              ORDER BY at DESC, id DESC
              LIMIT $4",
        )
        .bind(q.org)
        .bind(q.actor)
        .bind(q.since)
        .bind(q.limit.unwrap_or(i64::MAX))
        .fetch_all(db.pool())
        .within()
        .await?)
    }
}
