//! The scopes that are not one org's: the database itself, orgs as a set,
//! users, roles, global feature flags, the audit log, the secrets store,
//! task locks and flow runs by id.
//!
//! Each of these changes dalgo's own database in one transaction (the
//! transaction is its unit: it cannot be half done), or reads only; the
//! ones that reach another system (a lock's run in Prefect, a secret in the
//! store) say in their docs what they do first.

use std::time::Duration;

use futures_util::Stream;
use serde::Serialize;

use super::members::Flags;
use crate::config::Config;
use crate::context::Dalgo;
use crate::db::{self, Db, MigrateReport, MigrationStatus, Within};
use crate::error::{Error, Result};
use crate::onboard;
use crate::org::{self, OrgSummary};
use crate::pipeline::{self, LockRow, LogStream, SyncReport, WaitOutcome};
use crate::prefect::FlowRun;
use crate::role::{self, RoleDetails, RoleSummary};
use crate::secrets::{self, GcReport, SecretEntry};
use crate::user::{self, Email, Membership, PasswordHash, SystemUserReport};

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

/// Orgs as a set.
pub struct Orgs<'a> {
    dalgo: &'a Dalgo,
}

impl<'a> Orgs<'a> {
    /// Every org with its plan and member count, by name, as PostgreSQL
    /// sends them: memory stays flat however many there are.
    pub fn list(&self) -> impl Stream<Item = Result<OrgSummary>> + 'a {
        org::list_stream(self.dalgo.db())
    }

    /// (slug, name) of the orgs whose slug starts with `prefix`, for completion.
    pub async fn slugs_starting(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        org::slugs_starting(self.dalgo.db(), prefix).await
    }

    /// (pipeline name, org slug) pairs whose name starts with `prefix`, of
    /// one org or of all, for completion.
    pub async fn pipeline_names_starting(&self, org: Option<&str>, prefix: &str) -> Result<Vec<(String, String)>> {
        pipeline::names_starting(self.dalgo.db(), org, prefix).await
    }

    /// Dalgo's `createorganduser`: the org (with the Internal plan), the user
    /// and the membership, each only if missing, in one transaction. A new
    /// user needs `password`; check [`Users::exists`] first to know whether
    /// to ask for one.
    pub async fn create_with_user(&self, req: &CreateOrgAndUser<'_>) -> Result<onboard::Report> {
        // The name and the role are checked in the transaction itself.
        let request = onboard::Request {
            org_name: req.org_name,
            email: req.email,
            role: req.role,
            password: req.password,
            actor: self.dalgo.actor(),
        };
        onboard::create_org_and_user(self.dalgo.db(), &request).await
    }

    /// Checks an org's name as [`Orgs::create_with_user`] does, without
    /// the database: not blank, no control characters, not too long.
    pub fn validate_name(name: &str) -> Result<()> {
        org::validate_name(name).map(|_| ())
    }

    /// Checks what [`Orgs::create_with_user`] would refuse before any
    /// password is asked: the org's name and the role.
    pub async fn check_create(&self, org_name: &str, role: &str) -> Result<()> {
        org::validate_name(org_name)?;
        role::require(self.dalgo.db(), role).await.map(|_| ())
    }
}

/// What `createorganduser` makes.
#[derive(Debug, Clone, Copy)]
pub struct CreateOrgAndUser<'a> {
    pub org_name: &'a str,
    pub email: &'a Email,
    /// The role's slug (`admin`, `member`…).
    pub role: &'a str,
    /// Needed only when the user does not exist yet.
    pub password: Option<&'a PasswordHash>,
}

/// User accounts.
pub struct Users<'a> {
    dalgo: &'a Dalgo,
}

impl<'a> Users<'a> {
    /// Every membership, or with `org` those of one org
    /// ([`Error::OrgNotFound`] first if there is none), by email, streamed.
    pub async fn list(&self, org: Option<&str>) -> Result<impl Stream<Item = Result<Membership>> + use<'a>> {
        let scope = user::list_scope(self.dalgo.db(), org).await?;
        Ok(user::list_stream(self.dalgo.db(), scope))
    }

    /// Whether a user with this email exists (compared case-insensitively).
    pub async fn exists(&self, email: &Email) -> Result<bool> {
        user::exists(self.dalgo.db(), email).await
    }

    /// Fails with [`Error::UserNotFound`] (naming the nearest email) when
    /// there is no such user: before a password is asked for.
    pub async fn require(&self, email: &Email) -> Result<()> {
        user::require(self.dalgo.db(), email).await
    }

    /// Whether `password` is the user's: Django's PBKDF2 hashes as Dalgo
    /// stores them (an unknown user or an unusable password: `false`).
    pub async fn check_password(&self, email: &Email, password: &secrecy::SecretString) -> Result<bool> {
        user::check_user_password(self.dalgo.db(), email, password).await
    }

    /// A user's four attributes (Dalgo's `UserAttributes`) after setting
    /// each of `changes`; with none, as they are. One transaction, audited;
    /// [`Error::UserNotFound`] for an unknown email.
    pub async fn attributes(
        &self,
        email: &Email,
        changes: &[(crate::user::attributes::Attribute, bool)],
    ) -> Result<crate::user::attributes::AttributesReport> {
        crate::user::attributes::set(self.dalgo.db(), email, changes, self.dalgo.actor()).await
    }

    /// Replaces a user's password (never the system user's).
    pub async fn set_password(&self, email: &Email, hash: &PasswordHash) -> Result<()> {
        user::set_password(self.dalgo.db(), email, hash, self.dalgo.actor()).await
    }

    /// Dalgo's `create-system-orguser`: the system user and its org-less
    /// admin membership, each only if missing.
    pub async fn create_system_orguser(&self) -> Result<SystemUserReport> {
        user::create_system_orguser(self.dalgo.db(), self.dalgo.actor()).await
    }
}

/// Roles and their permissions.
pub struct Roles<'a> {
    dalgo: &'a Dalgo,
}

impl Roles<'_> {
    pub async fn list(&self) -> Result<Vec<RoleSummary>> {
        role::list(self.dalgo.db()).await
    }

    /// A role and its permissions; [`Error::UnknownRole`] if there is none.
    pub async fn show(&self, slug: &str) -> Result<RoleDetails> {
        role::show(self.dalgo.db(), slug).await
    }

    /// Fails with [`Error::UnknownRole`] (listing the roles) when there is
    /// no such role: before a password is asked for.
    pub async fn require(&self, slug: &str) -> Result<()> {
        role::require(self.dalgo.db(), slug).await.map(|_| ())
    }
}

/// The audit log.
pub struct Audit<'a> {
    dalgo: &'a Dalgo,
}

impl Audit<'_> {
    /// The entries `q` asks for, newest first.
    pub async fn list(&self, q: &crate::audit::Query<'_>) -> Result<Vec<crate::audit::Record>> {
        crate::audit::list(self.dalgo.db(), q).await
    }
}

/// The secrets store.
pub struct Secrets<'a> {
    dalgo: &'a Dalgo,
}

impl Secrets<'_> {
    /// The secrets rows refer to, and those the store holds besides.
    pub async fn list(&self) -> Result<Vec<SecretEntry>> {
        secrets::inventory(self.dalgo.db(), self.dalgo.store()).await
    }

    /// A secret's value: masked (a warehouse config with its sensitive
    /// values as `********`, anything else wholly), or with `reveal` as it
    /// is stored. [`Error::SecretNotFound`] if the store has none.
    pub async fn show(&self, name: &str, reveal: bool) -> Result<serde_json::Value> {
        use secrecy::ExposeSecret;
        use serde_json::Value;
        let value = self.dalgo.store().get(name).await?.ok_or_else(|| Error::SecretNotFound(name.to_string()))?;
        Ok(match (reveal, crate::document::parse_object(value.expose_secret(), "secret")) {
            (true, _) => Value::String(value.expose_secret().to_string()),
            (false, Ok(map)) => Value::Object(crate::document::masked(&map)),
            (false, Err(_)) => Value::String("********".into()),
        })
    }

    /// What [`Secrets::delete`] would refuse (a secret a row names, or none
    /// by that name), changing nothing.
    pub async fn check_delete(&self, name: &str) -> Result<()> {
        secrets::check_delete(self.dalgo.db(), self.dalgo.store(), name).await
    }

    /// Deletes a secret no row refers to ([`Error::InUse`] naming the row otherwise).
    pub async fn delete(&self, name: &str) -> Result<()> {
        secrets::delete_unused(self.dalgo.db(), self.dalgo.store(), name, self.dalgo.actor()).await
    }

    /// Removes the credential versions dalgo recorded that no row names
    /// (what a killed operation left), each org under its operations lock
    /// (an org whose lock is held is skipped and named); versions younger
    /// than `min_age` are left. A secret dalgo never recorded (Dalgo's own,
    /// in a store shared with Django) is never touched.
    pub async fn gc(&self, min_age: Duration, dry_run: bool) -> Result<GcReport> {
        secrets::gc(self.dalgo.db(), self.dalgo.store(), min_age, dry_run).await
    }
}

/// Task locks.
pub struct Locks<'a> {
    dalgo: &'a Dalgo,
}

impl Locks<'_> {
    /// Every held lock, or an org's; each with its run's state when Prefect is configured.
    pub async fn list(&self, org: Option<&str>) -> Result<Vec<LockRow>> {
        pipeline::list_locks(self.dalgo.db(), self.dalgo.prefect_if_configured()?, org).await
    }

    /// The lock on an org task; [`Error::LockNotFound`] if there is none.
    pub async fn find(&self, task_uuid: uuid::Uuid) -> Result<LockRow> {
        pipeline::find_lock(self.dalgo.db(), task_uuid).await
    }

    /// Releases one lock, whatever holds it (audited).
    pub async fn release(&self, task_uuid: uuid::Uuid) -> Result<LockRow> {
        pipeline::release_lock(self.dalgo.db(), task_uuid, self.dalgo.actor()).await
    }

    /// Releases the locks whose run has ended or that Prefect does not know,
    /// and those older than `older_than` that never got a run.
    pub async fn release_stale(&self, older_than: Duration) -> Result<Vec<LockRow>> {
        pipeline::release_stale(self.dalgo.db(), Some(self.dalgo.prefect()?), older_than, self.dalgo.actor()).await
    }
}

/// Prefect flow runs by id.
pub struct FlowRuns<'a> {
    dalgo: &'a Dalgo,
}

impl<'a> FlowRuns<'a> {
    /// Cancels a run (its task locks go when Prefect says it ended).
    pub async fn cancel(&self, flow_run_id: &str) -> Result<FlowRun> {
        pipeline::cancel(self.dalgo.db(), self.dalgo.prefect()?, flow_run_id).await
    }

    /// Marks CRASHED a run whose worker is gone (a killed Python or dalgo
    /// worker left it PENDING, RUNNING or CANCELLING for ever), with the
    /// subflow runs and wrapper task runs under it; records it and frees
    /// its locks. [`Error::RunFinished`] for a run that has ended. A run a
    /// live worker is running is ended under it: only for runs whose
    /// worker is known to be gone.
    pub async fn crash(&self, flow_run_id: &str) -> Result<FlowRun> {
        pipeline::crash(self.dalgo.db(), self.dalgo.prefect()?, flow_run_id).await
    }

    /// Runs a finished flow run again.
    pub async fn retry(&self, flow_run_id: &str) -> Result<FlowRun> {
        pipeline::retry(self.dalgo.db(), self.dalgo.prefect()?, flow_run_id).await
    }

    /// Follows a run until it ends, calling `on_state` on each change;
    /// records the end and frees the run's locks.
    pub async fn wait(&self, flow_run_id: &str, poll: Duration, on_state: &dyn Fn(&FlowRun)) -> Result<WaitOutcome> {
        pipeline::wait(self.dalgo.db(), self.dalgo.prefect()?, flow_run_id, poll, on_state).await
    }

    /// A run's whole log, its subflows' and tasks' lines included, in
    /// pages; with `follow`, until the run has ended.
    pub fn logs(&self, flow_run_id: &str, follow: bool, poll: Duration) -> Result<LogStream<'a>> {
        Ok(LogStream::new(self.dalgo.prefect()?, flow_run_id, follow, poll))
    }

    /// For cron: records the recent runs of every deployment (or an org's)
    /// and frees the locks of the finished ones.
    pub async fn sync(&self, org: Option<&str>, lookback: Duration) -> Result<SyncReport> {
        pipeline::sync_runs(self.dalgo.db(), self.dalgo.prefect()?, org, lookback).await
    }

    /// Why no worker would take a run on this pool and queue now, if none would.
    pub async fn no_worker(&self, pool: &str, queue: &str) -> Result<Option<String>> {
        pipeline::no_worker(self.dalgo.prefect()?, pool, queue).await
    }
}
