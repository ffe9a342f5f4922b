//! `dalgo worker`: a Prefect worker that runs Dalgo's pipeline flow itself.
//!
//! It heartbeats on a work pool, polls its queues for scheduled runs, and
//! claims a run by proposing PENDING: Prefect accepts one proposal per run,
//! so several dalgo workers, and Python workers, share a pool and each run
//! is executed once. Only runs of deployments whose entrypoint is Dalgo's
//! pipeline flow (v5, or the legacy v4), and whose tasks it can all do, are
//! claimed; others are left for other workers.
//!
//! A run does what its deployment says, as Dalgo's flow does. For an org
//! dalgo's database knows, dalgo adds what it has: the org's Airbyte
//! workspace (only its connections are reached), its dbt workspace,
//! profile and dbt lock, its task locks and its run history. For an org it
//! does not know (a Django-made org on a shared pool), the run is done from
//! the deployment alone: the Airbyte server in the block the task names,
//! dbt in the task's `project_dir` with profiles.yml written into its
//! `profiles_dir` from the `dbt-profile-<slug>` Secret, git in the task's
//! directory from the `<slug>-git-pull-url` Secret. A dbt or git task that
//! names another directory than dalgo's workspace for the org is run there
//! too. A run of an unknown org whose tasks do not name all that is left
//! for other workers.
//!
//! A run leaves in Prefect what Dalgo's Python flow leaves: the parent run
//! goes RUNNING, then COMPLETED or FAILED; each task is a subflow run of
//! Dalgo's flow for it (`airbyte-sync-trigger` of `run-airbyte-connection-flow-v1`
//! with its `airbyte-sync` of `run-connection-sync`, `airbyte-clear-trigger`
//! of `run-airbyte-conn-clear`, `airbyte-update-schema-trigger` of
//! `run-refresh-schema-flow`, `dbtjob-<slug>` of `dbtjob_v2_runner`,
//! `shellop-<slug>` of `shellopjob`) under a wrapper task run named
//! `<flow>-<n>` whose state copies the subflow's; a failing `dbt-test`
//! completes as DBT_TEST_FAILED and the next task runs; log lines go to
//! Prefect on the subflow run that wrote them.
//!
//! # Crash safety
//!
//! - A run is claimed before anything else is done, and its task locks are
//!   taken as `dalgo pipeline run` takes them (a run that `pipeline run`
//!   started holds them already), so a worker's run never overlaps a manual
//!   one; a run whose tasks another live run holds is scheduled again a
//!   minute later. The locks go when the run is final, with the run
//!   recorded in `flow_runs`.
//! - dbt steps take the org's dbt lock like `dalgo dbt run`; child processes
//!   (dbt, git, shell) die with the worker, however it dies.
//! - A run set to CANCELLING stops its task (the child process is killed,
//!   the Airbyte job cancelled) and ends CANCELLED. On SIGTERM the worker
//!   stops claiming, lets its runs finish within a grace period, then stops
//!   them: their tasks end CANCELLED and the runs CRASHED.
//! - The PENDING and RUNNING states carry the worker's name; a worker
//!   starting under a name marks the runs its previous life left unfinished
//!   CRASHED (and frees their locks). A worker that vanished stops
//!   heartbeating: Prefect marks it OFFLINE, and its runs are found by the
//!   name in their state message.

mod deployed;
mod plan;
mod tree;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use deployed::AirbyteVia;
pub use plan::{Plan, Step, Work, is_pipeline_flow, plan};
use tree::{ERROR, End, INFO, Node, Tree, WARNING, lock};

use crate::airbyte::{OrgWorkspace, StreamRef, SyncEvent, SyncOptions};
use crate::context::Dalgo;
use crate::dbt::{ChildStdout, GitStep, RunRequest};
use crate::error::{Error, OrWarn, Result};
use crate::org::Org;
use crate::pipeline::DeploymentOwner;
use crate::prefect::{Client, FlowRun, StateType};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub pool: String,
    /// The pool's queues to take runs from; all of them when empty.
    pub queues: Vec<String>,
    /// How many runs at once.
    pub concurrency: usize,
    /// The worker's name in Prefect (and in its runs' states).
    pub name: String,
    /// How often to poll for scheduled runs, for cancellations and for
    /// Airbyte job states.
    pub poll: Duration,
    /// Run what is scheduled now, then exit.
    pub once: bool,
    /// After a stop request, how long running runs may take to finish.
    pub grace: Duration,
    /// How often to heartbeat on the pool. Prefect marks the worker OFFLINE
    /// after three missed beats (its foreman's default), which is how a
    /// worker that vanished is seen.
    pub heartbeat: Duration,
}

/// What a worker did, as it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WorkerEvent {
    /// Registered on the pool; `crashed` runs a previous life left were marked CRASHED.
    Online {
        pool: String,
        /// The pool did not exist and the worker made it (type `process`).
        pool_created: bool,
        name: String,
        crashed: usize,
    },
    Started {
        flow_run_id: String,
        flow_run_name: String,
        deployment_id: String,
        org: Option<String>,
    },
    Finished {
        flow_run_id: String,
        flow_run_name: String,
        state_type: StateType,
        state_name: String,
        message: Option<String>,
        seconds: f64,
    },
    /// A run of Dalgo's flow this worker cannot do, left for other workers
    /// (said once per run).
    Left {
        flow_run_id: String,
        flow_run_name: String,
        reason: String,
    },
    /// Its tasks are locked by another live run: scheduled again later.
    Rescheduled {
        flow_run_id: String,
        flow_run_name: String,
        reason: String,
    },
    /// Polling or claiming failed (Prefect away); tried again at the next poll.
    Trouble {
        error: String,
    },
    /// Asked to stop; `running` runs have the grace period to finish.
    Stopping {
        running: usize,
    },
}

/// What a worker did in all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkerReport {
    pub runs: usize,
    pub completed: usize,
    pub failed: usize,
}

/// A run rescheduled for locked tasks waits this long.
const RETRY_LOCKED_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// Why a run's task is being stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Cancel,
    Shutdown,
}

/// Runs the worker until `stop` resolves (then shuts down as the module
/// says) or, with `once`, until nothing it can run is scheduled.
pub async fn run(
    dalgo: &Dalgo,
    opts: &WorkerOptions,
    on_event: &dyn Fn(WorkerEvent),
    stop: impl Future<Output = ()>,
) -> Result<WorkerReport> {
    let client = dalgo.prefect()?;
    // As Prefect's own workers: a pool that does not exist is made.
    let pool_created = !client.work_pool_exists(&opts.pool).await? && client.create_work_pool(&opts.pool).await?;
    let w = Worker {
        dalgo,
        client,
        opts,
        on_event,
        marker: format!("dalgo worker {}", opts.name),
        entrypoints: Mutex::default(),
        flows: Mutex::default(),
    };
    w.heartbeat().await?;
    let crashed = w.mark_left_runs().await?;
    on_event(WorkerEvent::Online { pool: opts.pool.clone(), pool_created, name: opts.name.clone(), crashed });
    w.serve(stop).await
}

struct Worker<'a> {
    dalgo: &'a Dalgo,
    client: &'a Client,
    opts: &'a WorkerOptions,
    on_event: &'a dyn Fn(WorkerEvent),
    /// In the state messages of the runs this worker claims.
    marker: String,
    /// Whether each deployment seen runs Dalgo's flow.
    entrypoints: Mutex<HashMap<String, bool>>,
    flows: Mutex<HashMap<&'static str, String>>,
}

/// A claimed run.
struct Claimed {
    run: FlowRun,
    deployment_id: String,
    plan: Plan,
}

/// What dalgo's database knows of a run's org: the pipeline it is (whose
/// task locks it takes), the org, and the org's dbt project.
struct Scope {
    owner: Option<DeploymentOwner>,
    org: Option<Org>,
    workspace: Option<std::path::PathBuf>,
}

impl Scope {
    /// Whether the step runs dalgo's way (dalgo's workspace, profile and
    /// locks for the org): the org is dalgo's and the deployment names no
    /// other directory for the step. Otherwise it runs as the deployment says.
    fn dalgo_way(&self, step: &Step) -> bool {
        self.org.is_some() && step.deployed.dir.as_deref().is_none_or(|d| Some(d) == self.workspace.as_deref())
    }
}

/// Why a scheduled run was not claimed.
enum NotClaimed {
    /// Another worker claimed it first.
    Taken,
    /// Not a run of Dalgo's flow: other workers' (not asked about again).
    NotDalgos(String),
    /// A run of Dalgo's flow this worker cannot do (a task it does not run,
    /// an unknown org whose deployment names too little): left for other
    /// workers, said once.
    Unrunnable { run: FlowRun, reason: String },
}

/// A dbt step as the deployment gives it.
struct DbtTask<'a> {
    org: &'a str,
    command: crate::dbt::Command,
    args: &'a [String],
    /// The run the step belongs to, whose task locks do not refuse it.
    for_flow_run: Option<&'a str>,
}

/// A shell step as the deployment gives it.
struct ShellTask<'a> {
    commands: &'a [String],
    working_dir: Option<&'a std::path::Path>,
    env: &'a [(String, String)],
    shell: &'a str,
}

impl Worker<'_> {
    async fn serve(&self, stop: impl Future<Output = ()>) -> Result<WorkerReport> {
        let mut report = WorkerReport::default();
        let mut running = FuturesUnordered::new();
        let (hard_stop, hard_stopped) = watch::channel(false);
        let mut stop = std::pin::pin!(stop);
        let mut stopping: Option<Instant> = None;
        let mut left_alone: HashSet<String> = HashSet::new();
        let mut last_beat = Instant::now();
        loop {
            let mut claimed_now = 0;
            if stopping.is_none() && running.len() < self.opts.concurrency {
                let free = self.opts.concurrency - running.len();
                let limit = (free + left_alone.len()).min(crate::prefect::PAGE);
                let scheduled = match self
                    .client
                    .scheduled_flow_runs(&self.opts.pool, &self.opts.queues, Utc::now(), limit)
                    .await
                {
                    Ok(runs) => runs,
                    Err(e) => {
                        self.trouble(e)?;
                        Vec::new()
                    }
                };
                // Runs left alone that are no longer scheduled are forgotten.
                left_alone.retain(|id| scheduled.iter().any(|fr| &fr.id == id));
                for fr in scheduled {
                    if running.len() >= self.opts.concurrency {
                        break;
                    }
                    if left_alone.contains(&fr.id) {
                        continue;
                    }
                    match self.try_claim(fr, &mut left_alone).await {
                        Ok(Some(c)) => {
                            claimed_now += 1;
                            running.push(self.execute(c, hard_stopped.clone()));
                        }
                        Ok(None) => {}
                        Err(e) => self.trouble(e)?,
                    }
                }
            }
            if running.is_empty() && (stopping.is_some() || (self.opts.once && claimed_now == 0)) {
                return Ok(report);
            }
            let grace_over = async {
                match stopping {
                    Some(at) => tokio::time::sleep_until((at + self.opts.grace).into()).await,
                    None => std::future::pending().await,
                }
            };
            // Back to the top at least every poll interval (at once after a
            // claim, for the next one), runs in progress or not: heartbeats,
            // cancellations and new runs are seen while a long run goes on.
            // (Waiting only for a run to end stopped the heartbeats: Prefect
            // marked a worker busy with a long dbt run OFFLINE.)
            let pause = if claimed_now == 0 { self.opts.poll } else { Duration::ZERO };
            tokio::select! {
                Some(end) = running.next() => report.count(&end),
                () = tokio::time::sleep(pause) => {}
                () = &mut stop, if stopping.is_none() => {
                    (self.on_event)(WorkerEvent::Stopping { running: running.len() });
                    stopping = Some(Instant::now());
                }
                () = grace_over, if !*hard_stop.borrow() => {
                    let _ = hard_stop.send(true);
                }
            }
            if last_beat.elapsed() >= self.opts.heartbeat {
                // A missed heartbeat is retried at the next one.
                let _ = self.heartbeat().await;
                last_beat = Instant::now();
            }
        }
    }

    /// Tells Prefect this worker is alive, and how often it will say so
    /// (whole seconds, as Prefect takes it).
    async fn heartbeat(&self) -> Result<()> {
        let every = self.opts.heartbeat.as_secs_f64().ceil().max(1.0) as u64;
        self.client.worker_heartbeat(&self.opts.pool, &self.opts.name, every).await
    }

    /// A failed poll or claim: the end of a `once` worker; a long-running
    /// one says so and tries again at the next poll.
    fn trouble(&self, e: Error) -> Result<()> {
        if self.opts.once {
            return Err(e);
        }
        (self.on_event)(WorkerEvent::Trouble { error: e.to_string() });
        Ok(())
    }

    /// Claims a scheduled run, or leaves it: a run that is not this worker's
    /// to do goes into `left_alone` (not asked about again while it waits),
    /// and one of Dalgo's flow it cannot do is said, once.
    async fn try_claim(&self, fr: FlowRun, left_alone: &mut HashSet<String>) -> Result<Option<Claimed>> {
        Ok(match self.claim(fr).await? {
            Ok(c) => Some(c),
            Err(NotClaimed::NotDalgos(id)) => {
                left_alone.insert(id);
                None
            }
            Err(NotClaimed::Unrunnable { run, reason }) => {
                left_alone.insert(run.id.clone());
                (self.on_event)(WorkerEvent::Left { flow_run_id: run.id, flow_run_name: run.name, reason });
                None
            }
            Err(NotClaimed::Taken) => None,
        })
    }

    /// Claims a scheduled run: `Ok` when it is this worker's now, else why not.
    async fn claim(&self, fr: FlowRun) -> Result<std::result::Result<Claimed, NotClaimed>> {
        let Some(deployment_id) = fr.deployment_id.clone() else {
            tracing::debug!("flow run {} has no deployment: left for other workers", fr.id);
            return Ok(Err(NotClaimed::NotDalgos(fr.id)));
        };
        if !self.runs_dalgo_flow(&deployment_id).await? {
            tracing::debug!("flow run {} is not of Dalgo's pipeline flow: left for other workers", fr.id);
            return Ok(Err(NotClaimed::NotDalgos(fr.id)));
        }
        let unrunnable = |fr: FlowRun, reason: String| Ok(Err(NotClaimed::Unrunnable { run: fr, reason }));
        let plan = match plan(fr.extra.get("parameters").unwrap_or(&Value::Null)) {
            Ok(p) => p,
            Err(why) => return unrunnable(fr, why),
        };
        // An org this database does not know runs from its deployment alone,
        // when the deployment names all that takes.
        if let Some(slug) = plan.org()
            && crate::org::find(&mut *self.dalgo.db().pool().acquire().await?, slug).await?.is_none()
            && let Err(why) = plan.steps.iter().try_for_each(Step::alone)
        {
            return unrunnable(fr, format!("its org {slug} is not in dalgo's database and {why}"));
        }
        let pending = json!({ "type": "PENDING", "name": "Pending", "message": self.marker });
        let verdict = self.client.propose_state(&fr.id, pending).await?;
        if !verdict.accepted() {
            tracing::debug!("flow run {} was claimed by another worker ({})", fr.id, verdict.status);
            return Ok(Err(NotClaimed::Taken));
        }
        Ok(Ok(Claimed { run: fr, deployment_id, plan }))
    }

    async fn runs_dalgo_flow(&self, deployment_id: &str) -> Result<bool> {
        if let Some(known) = lock(&self.entrypoints).get(deployment_id) {
            return Ok(*known);
        }
        let dep = self.client.get_deployment(deployment_id).await?;
        let ours = dep.entrypoint.as_deref().is_some_and(is_pipeline_flow);
        lock(&self.entrypoints).insert(deployment_id.to_string(), ours);
        Ok(ours)
    }

    /// Runs a claimed run to its final state; that state.
    async fn execute(&self, c: Claimed, hard_stop: watch::Receiver<bool>) -> Option<StateType> {
        let id = c.run.id.clone();
        match self.execute_run(c, hard_stop).await {
            Ok(state) => state,
            Err(e) => {
                // Prefect or PostgreSQL failed under the run: it cannot go on.
                let state = json!({ "type": "CRASHED", "name": "Crashed", "message": format!("{}: {e}", self.marker) });
                self.client.set_state(&id, state).await.or_warn(format_args!("mark flow run {id} CRASHED"));
                crate::pipeline::settle_flow_run(self.dalgo.db(), self.client, &id)
                    .await
                    .or_warn(format_args!("free the task locks of flow run {id}"));
                Some(StateType::Crashed)
            }
        }
    }

    async fn execute_run(&self, c: Claimed, hard_stop: watch::Receiver<bool>) -> Result<Option<StateType>> {
        let started = Instant::now();
        let run = &c.run;
        let scope = self.scope(&c).await?;
        if let Some(owner) = &scope.owner {
            match crate::pipeline::lock_for_run(self.dalgo.db(), self.client, owner, run, &self.marker).await {
                Ok(()) => {}
                Err(e @ Error::Locked { .. }) => {
                    let at = Utc::now() + RETRY_LOCKED_AFTER;
                    let state = json!({ "type": "SCHEDULED", "name": "AwaitingRetry", "message": e.to_string(),
                                        "state_details": { "scheduled_time": at } });
                    self.client.set_state(&run.id, state).await?;
                    (self.on_event)(WorkerEvent::Rescheduled {
                        flow_run_id: run.id.clone(),
                        flow_run_name: run.name.clone(),
                        reason: e.to_string(),
                    });
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
        let verdict = self
            .client
            .propose_state(&run.id, json!({ "type": "RUNNING", "name": "Running", "message": self.marker }))
            .await?;
        if !verdict.accepted() {
            // Cancelled while pending: nothing ran.
            let fr = crate::pipeline::settle_flow_run(self.dalgo.db(), self.client, &run.id).await?;
            return Ok(Some(fr.state_type()));
        }
        (self.on_event)(WorkerEvent::Started {
            flow_run_id: run.id.clone(),
            flow_run_name: run.name.clone(),
            deployment_id: c.deployment_id.clone(),
            org: c.plan.org_slug.clone(),
        });
        let (stop_tx, stop_rx) = watch::channel(None);
        let watcher = async {
            let why = tokio::select! {
                () = self.cancel_requested(&run.id) => Stop::Cancel,
                () = wait_true(hard_stop) => Stop::Shutdown,
            };
            let _ = stop_tx.send(Some(why));
            std::future::pending::<std::convert::Infallible>().await
        };
        let tree = Tree::new(self.client, &self.flows);
        tree.log(&run.id, INFO, &format!("Beginning flow run '{}' with {} task(s)", run.name, c.plan.steps.len()));
        let end = tokio::select! {
            end = self.tasks(&tree, run, &c.plan, &scope, stop_rx) => end,
            never = watcher => match never {},
        };
        let final_state = match &end {
            RunEnd::Completed => json!({ "type": "COMPLETED", "name": "Completed" }),
            RunEnd::Failed(m) => json!({ "type": "FAILED", "name": "Failed", "message": m }),
            RunEnd::Stopped(Stop::Cancel) => json!({ "type": "CANCELLED", "name": "Cancelled",
                                                     "message": "cancelled; its task was stopped" }),
            RunEnd::Stopped(Stop::Shutdown) => json!({ "type": "CRASHED", "name": "Crashed",
                "message": format!("{} stopped before the run ended", self.marker) }),
        };
        let level = if matches!(end, RunEnd::Completed) { INFO } else { ERROR };
        tree.log(&run.id, level, &format!("Finished in state {}", final_state["name"].as_str().unwrap_or_default()));
        tree.flush().await;
        self.client.set_state(&run.id, final_state).await?;
        let fr = crate::pipeline::settle_flow_run(self.dalgo.db(), self.client, &run.id).await?;
        (self.on_event)(WorkerEvent::Finished {
            flow_run_id: fr.id.clone(),
            flow_run_name: fr.name.clone(),
            state_type: fr.state_type(),
            state_name: fr.state_name().to_string(),
            message: match end {
                RunEnd::Failed(m) => Some(m),
                _ => None,
            },
            seconds: started.elapsed().as_secs_f64(),
        });
        Ok(Some(fr.state_type()))
    }

    /// What dalgo's database knows of the run's org.
    async fn scope(&self, c: &Claimed) -> Result<Scope> {
        let db = self.dalgo.db();
        let owner = crate::pipeline::owner_of(db, &c.deployment_id).await?;
        let mut conn = db.pool().acquire().await?;
        let org = match c.plan.org() {
            Some(slug) => crate::org::find(&mut conn, slug).await?,
            None => None,
        };
        let workspace = match &org {
            Some(o) => crate::dbt::find(&mut conn, o).await?.map(|ws| ws.project_path(&self.dalgo.config().dbt)),
            None => None,
        };
        Ok(Scope { owner, org, workspace })
    }

    /// Resolves when the run is set to CANCELLING (or already cancelled) in Prefect.
    async fn cancel_requested(&self, flow_run_id: &str) {
        loop {
            tokio::time::sleep(self.opts.poll).await;
            if let Ok(fr) = self.client.get_flow_run(flow_run_id).await
                && matches!(fr.state_type(), StateType::Cancelling | StateType::Cancelled)
            {
                return;
            }
        }
    }

    /// Runs the plan's tasks as Dalgo's flow does: fail-fast in order; with
    /// `continue_on_sync_failure`, every sync first, then (if all succeeded)
    /// the rest.
    async fn tasks(
        &self,
        tree: &Tree<'_>,
        run: &FlowRun,
        plan: &Plan,
        scope: &Scope,
        stop: watch::Receiver<Option<Stop>>,
    ) -> RunEnd {
        let (first, rest): (Vec<&Step>, Vec<&Step>) = if plan.continue_on_sync_failure {
            plan.steps.iter().partition(|s| s.is_sync())
        } else {
            (Vec::new(), plan.steps.iter().collect())
        };
        let mut failed_syncs = Vec::new();
        for step in first {
            match self.step(tree, run, plan, scope, step, stop.clone()).await {
                End::Failed(m) => failed_syncs.push(m),
                End::Cancelled(_) => return RunEnd::Stopped(stopped_why(&stop)),
                End::Completed | End::TestFailed => {}
            }
        }
        if !failed_syncs.is_empty() {
            return RunEnd::Failed(format!(
                "{} airbyte sync(s) failed: {}",
                failed_syncs.len(),
                failed_syncs.join("; ")
            ));
        }
        for step in rest {
            match self.step(tree, run, plan, scope, step, stop.clone()).await {
                End::Failed(m) => return RunEnd::Failed(m),
                End::Cancelled(_) => return RunEnd::Stopped(stopped_why(&stop)),
                End::Completed | End::TestFailed => {}
            }
        }
        RunEnd::Completed
    }

    /// One task as a subflow run; how it ended. A task Prefect could not be
    /// told about fails the run.
    async fn step(
        &self,
        tree: &Tree<'_>,
        run: &FlowRun,
        plan: &Plan,
        scope: &Scope,
        step: &Step,
        stop: watch::Receiver<Option<Stop>>,
    ) -> End {
        tree.log(&run.id, INFO, &format!("Starting task {}", step.slug));
        let outcome = async {
            let (node, logs_on) = match &step.work {
                Work::AirbyteSync { .. } => {
                    let trigger = tree
                        .child(
                            &run.id,
                            "run_airbyte_connection_flow_v1",
                            "run-airbyte-connection-flow-v1",
                            "airbyte-sync-trigger",
                        )
                        .await?;
                    let sync = tree
                        .child(&trigger.flow_run, "run_connection_sync", "run-connection-sync", "airbyte-sync")
                        .await?;
                    (vec![sync.clone(), trigger], sync.flow_run)
                }
                Work::UpdateSchema { .. } => {
                    let n = tree
                        .child(
                            &run.id,
                            "run_refresh_schema_flow",
                            "run-refresh-schema-flow",
                            "airbyte-update-schema-trigger",
                        )
                        .await?;
                    (vec![n.clone()], n.flow_run)
                }
                Work::AirbyteClear { .. } => {
                    let n = tree
                        .child(&run.id, "run_airbyte_conn_clear", "run-airbyte-conn-clear", "airbyte-clear-trigger")
                        .await?;
                    (vec![n.clone()], n.flow_run)
                }
                Work::Dbt { .. } => {
                    let n = tree
                        .child(&run.id, "dbtjob_v2_runner", "dbtjob_v2_runner", &format!("dbtjob-{}", step.slug))
                        .await?;
                    (vec![n.clone()], n.flow_run)
                }
                Work::GitPull | Work::GitClone | Work::Shell { .. } => {
                    let n = tree.child(&run.id, "shellopjob", "shellopjob", &format!("shellop-{}", step.slug)).await?;
                    (vec![n.clone()], n.flow_run)
                }
            };
            let log = |level: i64, line: &str| tree.log(&logs_on, level, line);
            let end = tree.flushing(self.work(run, plan, scope, step, &log, stop)).await;
            match &end {
                End::Failed(m) | End::Cancelled(m) => log(ERROR, m),
                End::TestFailed => log(WARNING, "dbt tests failed; the pipeline goes on"),
                End::Completed => {}
            }
            finish_all(tree, &node, &end).await?;
            Ok::<End, Error>(end)
        };
        let end = outcome
            .await
            .unwrap_or_else(|e: Error| End::Failed(format!("Prefect could not record task {}: {e}", step.slug)));
        let level = if matches!(end, End::Failed(_)) { ERROR } else { INFO };
        tree.log(&run.id, level, &format!("Task {} finished in state {}", step.slug, end.state_name()));
        end
    }

    async fn work(
        &self,
        run: &FlowRun,
        plan: &Plan,
        scope: &Scope,
        step: &Step,
        log: &dyn Fn(i64, &str),
        stop: watch::Receiver<Option<Stop>>,
    ) -> End {
        let stopped = || async { wait_stop(stop.clone()).await };
        let org = plan.org().unwrap_or_default();
        let dalgo_way = scope.dalgo_way(step);
        match &step.work {
            Work::AirbyteSync { connection } => self.airbyte(scope, step, connection, None, log, stopped()).await,
            Work::AirbyteClear { connection, streams } => {
                self.airbyte(scope, step, connection, Some(streams), log, stopped()).await
            }
            Work::UpdateSchema { connection, catalog_diff } => {
                self.update_schema(scope, step, connection, catalog_diff, log, stopped()).await
            }
            Work::Dbt { command, args } if dalgo_way => {
                let for_flow_run = scope.owner.as_ref().map(|_| run.id.as_str());
                let req = DbtTask { org, command: *command, args, for_flow_run };
                self.dbt(req, step.is_dbt_test(), log, stopped()).await
            }
            Work::Dbt { command, args } => self.deployed_dbt(scope, step, *command, args, log, stopped()).await,
            Work::GitPull if dalgo_way => self.git(org, GitStep::Pull, log, stopped()).await,
            Work::GitClone if dalgo_way => self.git(org, GitStep::Clone, log, stopped()).await,
            Work::GitPull | Work::GitClone => self.deployed_git(step, log, stopped()).await,
            Work::Shell { commands, working_dir, env, shell } => {
                let cmd = ShellTask { commands, working_dir: working_dir.as_deref(), env, shell };
                self.shell(org, cmd, log, stop).await
            }
        }
    }

    /// Where the step's Airbyte calls go: the workspace of an org dalgo
    /// knows, else the server in the deployment's block.
    async fn airbyte_via(&self, scope: &Scope, step: &Step) -> std::result::Result<AirbyteVia<'_>, End> {
        let via = match (&scope.org, &step.deployed.block) {
            (Some(org), _) => self.dalgo.airbyte().and_then(|c| Ok(AirbyteVia::Org(c, OrgWorkspace::of(org.clone())?))),
            (None, Some(block)) => {
                let configured = self.dalgo.config().airbyte.get().ok().flatten();
                deployed::airbyte_client(self.client, configured, block).await.map(AirbyteVia::Block)
            }
            (None, None) => return Err(unnamed(step)),
        };
        via.map_err(|e| End::Failed(e.to_string()))
    }

    /// Dalgo's schema update: the connection's catalog refreshed, and the
    /// approved change applied if it is still the change Airbyte sees.
    async fn update_schema(
        &self,
        scope: &Scope,
        step: &Step,
        connection: &str,
        catalog_diff: &serde_json::Value,
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let update = async {
            let via = self.airbyte_via(scope, step).await?;
            log(INFO, &format!("refreshing connection {connection}'s catalog and checking the approved change"));
            via.update_schema(connection, catalog_diff).await.map_err(|e| End::Failed(e.to_string()))
        };
        tokio::select! {
            done = update => match done {
                Ok(u) => {
                    log(INFO, &format!("connection {connection} updated to catalog {}; streams changed: {}",
                        u.catalog_id.as_deref().unwrap_or("?"), u.affected_streams.join(", ")));
                    End::Completed
                }
                Err(end) => end,
            },
            () = stopped => End::Cancelled("the schema update was stopped".into()),
        }
    }

    /// A dbt step, its lines to the run's log; a failing `dbt test` ends
    /// as DBT_TEST_FAILED (the pipeline goes on).
    async fn dbt(
        &self,
        task: DbtTask<'_>,
        is_test: bool,
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let sink = |line: &str| log(INFO, line);
        let command = task.command;
        let req = RunRequest {
            org: task.org,
            command,
            target: None,
            extra: task.args,
            wait: true,
            actor: &self.marker,
            prefect: Some(self.client),
            stdout: ChildStdout::Lines(&sink),
            for_flow_run: task.for_flow_run,
        };
        let on_wait = |holder: &str| log(INFO, &format!("waiting for {holder} to finish"));
        let cfg = &self.dalgo.config().dbt;
        let ran = crate::dbt::run(self.dalgo.db(), cfg, self.dalgo.store(), &req, on_wait, stopped).await;
        dbt_end(ran.map(|r| r.exit_code), command, is_test)
    }

    /// A dbt step in the project the deployment names, with the profile in
    /// its Secret (for an org dalgo knows whose Secret Prefect lacks, the
    /// org's profile from dalgo's secrets).
    async fn deployed_dbt(
        &self,
        scope: &Scope,
        step: &Step,
        command: crate::dbt::Command,
        args: &[String],
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let d = &step.deployed;
        let (Some(project_dir), Some(profiles_dir)) = (d.dir.as_deref(), d.profiles_dir.as_deref()) else {
            return unnamed(step);
        };
        let from_block = match &d.block {
            Some(name) => deployed::profile_secret(self.client, name).await,
            None => Err(Error::Internal(format!("task {} names no profile Secret", step.slug))),
        };
        let profile = match (from_block, &scope.org) {
            (Ok(profile), _) => profile,
            (Err(_), Some(org)) => match crate::dbt::profile_secret(self.dalgo.db(), self.dalgo.store(), org).await {
                Ok(profile) => profile,
                Err(e) => return End::Failed(e.to_string()),
            },
            (Err(e), None) => return End::Failed(e.to_string()),
        };
        log(INFO, &format!("{} in {}, the deployment's project", command.label(), project_dir.display()));
        let task = deployed::DbtInProject { project_dir, profiles_dir, profile: &profile, command, args };
        let sink = |line: &str| log(INFO, line);
        tokio::select! {
            code = deployed::dbt(&self.dalgo.config().dbt, &task, ChildStdout::Lines(&sink)) => {
                dbt_end(code.map(Some), command, step.is_dbt_test())
            }
            () = stopped => End::Cancelled(format!("{} was stopped", command.label())),
        }
    }

    /// Dalgo's git-pull or git-clone step on the org's clone.
    async fn git(&self, org: &str, what: GitStep, log: &dyn Fn(i64, &str), stopped: impl Future<Output = ()>) -> End {
        let on_wait = |h: &str| log(INFO, &format!("waiting for {h} to finish"));
        let (db, cfg, store) = (self.dalgo.db(), &self.dalgo.config().dbt, self.dalgo.store());
        let req = crate::dbt::GitRequest { org, step: what, wait: true, actor: &self.marker };
        git_end(what == GitStep::Clone, crate::dbt::git_update(db, cfg, store, &req, on_wait, stopped).await, log)
    }

    /// A git step on the directory the deployment names, from the URL in
    /// its Secret (or git-clone's `gitrepo_url`).
    async fn deployed_git(&self, step: &Step, log: &dyn Fn(i64, &str), stopped: impl Future<Output = ()>) -> End {
        let d = &step.deployed;
        let Some(dir) = d.dir.as_deref() else { return unnamed(step) };
        let clone = matches!(step.work, Work::GitClone);
        let url = match &d.block {
            Some(name) => match deployed::secret(self.client, name).await {
                Ok(url) => Some(url),
                Err(e) => return End::Failed(e.to_string()),
            },
            None => d.repo_url.clone().map(secrecy::SecretString::from),
        };
        tokio::select! {
            done = deployed::git(&self.dalgo.config().dbt, dir, url.as_ref(), clone) => git_end(clone, done, log),
            () = stopped => git_end(clone, Err(Error::Interrupted { what: "git".into() }), log),
        }
    }

    /// A shell step's commands, one after another, confined like dbt: the
    /// org's files, and the directory the deployment names.
    async fn shell(
        &self,
        org: &str,
        task: ShellTask<'_>,
        log: &dyn Fn(i64, &str),
        stop: watch::Receiver<Option<Stop>>,
    ) -> End {
        let cfg = &self.dalgo.config().dbt;
        let mut jail = cfg.jail(&cfg.clientdbt_root.join(org));
        if let Some(dir) = task.working_dir {
            jail = jail.write(dir);
        }
        let jail = match jail.prepare() {
            Ok(j) => j,
            Err(e) => return End::Failed(e.to_string()),
        };
        let shell = task.shell;
        for line in task.commands {
            let mut cmd = tokio::process::Command::new(shell);
            cmd.arg("-c").arg(line).env_clear().envs(cfg.child_env.vars()).envs(task.env.iter().map(|(k, v)| (k, v)));
            if let Some(dir) = task.working_dir {
                cmd.current_dir(dir);
            }
            let sink = |l: &str| log(INFO, l);
            let code = tokio::select! {
                code = crate::process::exit_code(&mut cmd, ChildStdout::Lines(&sink), &jail) => code,
                () = wait_stop(stop.clone()) => return End::Cancelled(format!("`{line}` was stopped")),
            };
            match code {
                Ok(0) => {}
                Ok(c) => return End::Failed(format!("`{line}` exited with {c}")),
                Err(e) => return End::Failed(format!("cannot run `{line}` with {shell}: {e}")),
            }
        }
        End::Completed
    }

    /// An Airbyte sync, or with `clear` Airbyte's clear (of these streams
    /// when there are any), through dalgo's client, followed to its end; a
    /// stop cancels the job.
    async fn airbyte(
        &self,
        scope: &Scope,
        step: &Step,
        connection: &str,
        clear: Option<&[StreamRef]>,
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let via = match self.airbyte_via(scope, step).await {
            Ok(via) => via,
            Err(end) => return end,
        };
        let job = Mutex::new(None);
        let on_event = |ev: SyncEvent| match ev {
            SyncEvent::Started { job: id, .. } => {
                *lock(&job) = Some(id);
                log(INFO, &format!("Airbyte job {id} started for connection {connection}"));
            }
            SyncEvent::Progress { job, status, records, bytes, .. } => {
                log(INFO, &format!("Airbyte job {job}: {}, {records} records, {bytes} bytes", status.as_str()));
            }
            SyncEvent::Failed { error, .. } => log(ERROR, &error),
        };
        let opts = SyncOptions { wait: true, concurrency: 1, poll: self.opts.poll };
        let what = if clear.is_some() { "clear" } else { "sync" };
        tokio::select! {
            outcome = via.run(self.dalgo.db(), connection, clear, opts, &on_event) => match outcome {
                Ok(o) if o.succeeded() => End::Completed,
                Ok(o) => End::Failed(o.error.or(o.failure).unwrap_or_else(|| {
                    format!("Airbyte job {} {}", o.job_id.unwrap_or_default(), o.status.map_or("failed", |s| s.as_str()))
                })),
                Err(e) => End::Failed(e.to_string()),
            },
            () = stopped => {
                let id = *lock(&job);
                if let Some(id) = id {
                    match via.cancel_job(self.dalgo.db(), id).await {
                        Ok(_) => log(INFO, &format!("Airbyte job {id} cancelled")),
                        Err(e) => log(ERROR, &format!("could not cancel Airbyte job {id}: {e}")),
                    }
                }
                End::Cancelled(format!("the {what} was stopped"))
            }
        }
    }

    /// Marks CRASHED the runs this worker's name left PENDING or RUNNING (a
    /// previous life killed), CANCELLED those left CANCELLING; frees their
    /// locks. How many.
    async fn mark_left_runs(&self) -> Result<usize> {
        let filter = json!({ "work_pools": { "name": { "any_": [self.opts.pool] } },
                             "flow_runs": { "state": { "type": { "any_": ["PENDING", "RUNNING", "CANCELLING"] } } } });
        let runs = crate::prefect::all_pages(|offset| self.client.filter_flow_runs(&filter, offset)).await?;
        let mut n = 0;
        for fr in runs.iter().filter(|fr| {
            fr.extra.get("state").and_then(|s| s.get("message")).and_then(Value::as_str) == Some(&self.marker)
        }) {
            let state = if fr.state_type() == StateType::Cancelling {
                json!({ "type": "CANCELLED", "name": "Cancelled", "message": format!("{} restarted", self.marker) })
            } else {
                json!({ "type": "CRASHED", "name": "Crashed",
                        "message": format!("{} restarted; the run was left unfinished", self.marker) })
            };
            crate::pipeline::end_left_subflows(self.client, &fr.id, &state).await?;
            self.client.set_state(&fr.id, state).await?;
            crate::pipeline::settle_flow_run(self.dalgo.db(), self.client, &fr.id).await?;
            n += 1;
        }
        Ok(n)
    }
}

/// How a run's tasks ended.
enum RunEnd {
    Completed,
    Failed(String),
    Stopped(Stop),
}

impl WorkerReport {
    fn count(&mut self, end: &Option<StateType>) {
        match end {
            None => {}
            Some(StateType::Completed) => {
                self.runs += 1;
                self.completed += 1;
            }
            Some(_) => {
                self.runs += 1;
                self.failed += 1;
            }
        }
    }
}

/// How a dbt step ended, from dbt's exit code: a failing `dbt-test` is
/// DBT_TEST_FAILED.
fn dbt_end(code: Result<Option<i32>>, command: crate::dbt::Command, is_test: bool) -> End {
    match code {
        Ok(Some(0)) => End::Completed,
        Ok(_) if is_test => End::TestFailed,
        Ok(code) => End::Failed(format!("{} exited with {}", command.label(), code.unwrap_or(1))),
        Err(Error::Interrupted { .. }) => End::Cancelled(format!("{} was stopped", command.label())),
        Err(e) => End::Failed(e.to_string()),
    }
}

/// How a git step ended; its new head is logged.
fn git_end(clone: bool, done: Result<String>, log: &dyn Fn(i64, &str)) -> End {
    let verb = if clone { "clone" } else { "pull" };
    match done {
        Ok(head) => {
            log(INFO, &format!("git {verb} done; now at {head}"));
            End::Completed
        }
        Err(Error::Interrupted { .. }) => End::Cancelled(format!("git {verb} was stopped")),
        Err(e) => End::Failed(e.to_string()),
    }
}

/// A step whose deployment does not name what running it takes.
fn unnamed(step: &Step) -> End {
    End::Failed(step.alone().err().unwrap_or_else(|| format!("task {} cannot run here", step.slug)))
}

/// Ends a task's subflow runs, innermost first.
async fn finish_all(tree: &Tree<'_>, nodes: &[Node], end: &End) -> Result<()> {
    for node in nodes {
        tree.finish(node, end).await?;
    }
    Ok(())
}

async fn wait_true(mut rx: watch::Receiver<bool>) {
    // A dropped sender never stops the run.
    if rx.wait_for(|v| *v).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn wait_stop(mut rx: watch::Receiver<Option<Stop>>) {
    if rx.wait_for(Option::is_some).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn stopped_why(rx: &watch::Receiver<Option<Stop>>) -> Stop {
    rx.borrow().unwrap_or(Stop::Cancel)
}
