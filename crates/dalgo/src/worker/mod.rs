//! `dalgo worker`: a Prefect worker that runs Dalgo's pipeline flow itself.
//!
//! It heartbeats on a work pool, polls its queues for scheduled runs, and
//! claims a run by proposing PENDING: Prefect accepts one proposal per run,
//! so several dalgo workers, and Python workers, share a pool and each run
//! is executed once. Only runs of deployments whose entrypoint is Dalgo's
//! pipeline flow (v5, or the legacy v4), and whose tasks it can all do, are
//! claimed; others are left for other workers.
//!
//! The worker runs only what its database vouches for (see `vouch`): the
//! run's deployment must be a pipeline the database holds, and the run is
//! done for that pipeline's org, with that org's Airbyte workspace (only its
//! connections are reached), its dbt workspace, profile and dbt lock, its
//! task locks and its run history. A deployment's parameters are a request:
//! a task that asks for another org, another directory, another command or
//! environment than the database gives is refused (the run FAILED, naming
//! the disagreement, nothing run). A run of a deployment the database does
//! not hold is left for other workers (Dalgo's Python workers on a mixed
//! pool), said once. Of Dalgo's shell tasks only git-pull and git-clone are
//! run, with the commands dalgo builds; a run with any other shell task is
//! left likewise.
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

mod claim;
mod plan;
mod tasks;
mod tree;
mod vouch;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::watch;

pub use plan::{Plan, Step, Work, is_pipeline_flow, plan};
use tree::{ERROR, End, INFO, Node, Tree, WARNING, lock};
use vouch::Verdict;

use crate::airbyte::{JobKind, OrgWorkspace, StreamRef, SyncEvent, SyncOptions};
use crate::context::Dalgo;
use crate::dbt::{ChildStdout, GitStep, RunRequest};
use crate::error::{Error, OrWarn, Result};
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

/// A claimed run: its pipeline (whose org it runs for and whose task locks
/// it takes) and its plan as the database vouched for it.
struct Claimed {
    run: FlowRun,
    deployment_id: String,
    owner: DeploymentOwner,
    plan: Plan,
}

/// What came of a scheduled run at a poll.
enum Taken {
    /// Claimed: to be run.
    Run(Box<Claimed>),
    /// Claimed and failed: its database does not vouch for what it asks.
    Refused,
    /// Not this worker's, or not now.
    Nothing,
}

/// Why a scheduled run was not claimed.
enum NotClaimed {
    /// Another worker claimed it first.
    Taken,
    /// Not a run of Dalgo's flow: other workers' (not asked about again).
    NotDalgos(String),
    /// A run of Dalgo's flow this worker does not do (a task it does not
    /// run, a deployment its database does not hold): left for other
    /// workers, said once.
    Unrunnable { run: FlowRun, reason: String },
    /// A run that asked for what its database does not give its org:
    /// claimed and failed, nothing of it run.
    Refused(FlowRun, StateType, String),
}

/// A dbt step of a vouched run.
struct DbtTask<'a> {
    org: &'a crate::org::Org,
    command: crate::dbt::Command,
    args: &'a [String],
    /// The run the step belongs to, whose task locks do not refuse it.
    for_flow_run: &'a str,
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
                    Ok(runs) => {
                        // Left runs no longer scheduled are forgotten (not on a failed poll).
                        left_alone.retain(|id| runs.iter().any(|fr| &fr.id == id));
                        runs
                    }
                    Err(e) => {
                        self.trouble(e)?;
                        Vec::new()
                    }
                };
                for fr in scheduled {
                    if running.len() >= self.opts.concurrency {
                        break;
                    }
                    if left_alone.contains(&fr.id) {
                        continue;
                    }
                    match self.try_claim(fr, &mut left_alone, &mut report).await {
                        Ok(Taken::Run(c)) => {
                            claimed_now += 1;
                            running.push(self.execute(*c, hard_stopped.clone()));
                        }
                        // Ended here: the next poll may find more.
                        Ok(Taken::Refused) => claimed_now += 1,
                        Ok(Taken::Nothing) => {}
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
        match crate::pipeline::lock_for_run(self.dalgo.db(), self.client, &c.owner, run, &self.marker).await {
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
            org: Some(c.owner.org.slug.clone()),
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
            end = self.tasks(&tree, &c, stop_rx) => end,
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
    async fn tasks(&self, tree: &Tree<'_>, c: &Claimed, stop: watch::Receiver<Option<Stop>>) -> RunEnd {
        let plan = &c.plan;
        let (first, rest): (Vec<&Step>, Vec<&Step>) = if plan.continue_on_sync_failure {
            plan.steps.iter().partition(|s| s.is_sync())
        } else {
            (Vec::new(), plan.steps.iter().collect())
        };
        let mut failed_syncs = Vec::new();
        for step in first {
            match self.step(tree, c, step, stop.clone()).await {
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
            match self.step(tree, c, step, stop.clone()).await {
                End::Failed(m) => return RunEnd::Failed(m),
                End::Cancelled(_) => return RunEnd::Stopped(stopped_why(&stop)),
                End::Completed | End::TestFailed => {}
            }
        }
        RunEnd::Completed
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
