//! Runs: a pipeline's (start one, its history), Prefect flow runs by id,
//! and the task locks runs hold.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use crate::context::Dalgo;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::ops::{PipelineOps, RunOptions};
use crate::pipeline::locks::{self, *};
use crate::pipeline::runs::*;
use crate::prefect::FlowRun;
use crate::prefect::PAGE;
use crate::task_locks::LOCK_QUERY;

/// Task locks.
pub struct Locks<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

/// Prefect flow runs by id.
pub struct FlowRuns<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

impl Locks<'_> {
    /// Every held lock, or an org's; each with its run's state when Prefect
    /// is configured.
    pub async fn list(&self, org: Option<&str>) -> Result<Vec<LockRow>> {
        let org_id = self.dalgo.org_id(org).await?;
        list_locks(self.dalgo.db(), self.dalgo.prefect_if_configured()?, org_id).await
    }

    /// Releases the locks whose run has ended or that Prefect does not know,
    /// and those older than `older_than` that never got a run.
    pub async fn release_stale(&self, older_than: Duration) -> Result<Vec<LockRow>> {
        release_stale(self.dalgo.db(), Some(self.dalgo.prefect()?), older_than, self.dalgo.actor()).await
    }

    /// The lock on an org task, by the task's uuid; [`Error::LockNotFound`]
    /// if it has none.
    pub async fn find(&self, task_uuid: uuid::Uuid) -> Result<LockRow> {
        let db = self.dalgo.db();
        let sql = format!("{LOCK_QUERY} WHERE ot.uuid = $1");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(task_uuid)
            .fetch_optional(db.pool())
            .within()
            .await?
            .ok_or_else(|| Error::LockNotFound(task_uuid.to_string()))
    }

    /// Releases one lock, whatever holds it (audited).
    pub async fn release(&self, task_uuid: uuid::Uuid) -> Result<LockRow> {
        let (db, actor) = (self.dalgo.db(), self.dalgo.actor());
        let lock = self.find(task_uuid).await?;
        let mut released = delete_locks(db, vec![(lock, "released by hand".into())], actor).await?;
        released.pop().ok_or_else(|| Error::LockNotFound(task_uuid.to_string()))
    }
}

impl PipelineOps<'_> {
    /// Locks every task of the pipeline in one transaction, starts a flow run
    /// and records its id on the locks. A task locked by a run that has ended
    /// (or that Prefect does not know) is freed first; one held by a live run
    /// refuses the run with [`Error::Locked`] (exit 75), naming the holder and
    /// its state.
    ///
    /// With [`RunOptions::require_worker`], a run nothing would pick up
    /// (see [`FlowRuns::no_worker`]) is not started: [`Error::NoWorker`] (exit 69).
    pub async fn run(&self, name: &str, opts: RunOptions) -> Result<RunStart> {
        let (dalgo, org, actor) = (self.org.dalgo(), self.org.get().await?, self.org.dalgo().actor());
        let db = dalgo.db();
        let mut conn = db.pool().acquire().await?;
        let p = crate::pipeline::get(&mut conn, &org, name, false).await?;
        let client = dalgo.prefect()?;
        let deployment_id = p.deployment_id.clone().ok_or_else(|| crate::pipeline::missing_deployment(&org, &p))?;
        if opts.require_worker {
            let dep = client.get_deployment(&deployment_id).await?;
            let (pool, queue) = (dep.work_pool_name.unwrap_or_default(), dep.work_queue_name.unwrap_or_default());
            if let Some(reason) = no_worker(client, &pool, &queue).await? {
                return Err(Error::NoWorker { reason, pool, queue });
            }
        }
        let task_ids: Vec<i64> =
            sqlx::query_scalar("SELECT org_task_id FROM pipeline_tasks WHERE pipeline_id = $1 ORDER BY seq")
                .bind(p.id)
                .fetch_all(&mut *conn)
                .within()
                .await?;
        drop(conn);
        if !lock_tasks(db, p.id, &task_ids, actor).await? {
            let held = locks::heal(db, client, &task_ids, actor).await?;
            if !(held.is_empty() && lock_tasks(db, p.id, &task_ids, actor).await?) {
                return Err(crate::task_locks::refusal(&org, &held));
            }
        }
        let flow_run = match client.create_flow_run(&deployment_id, &uuid::Uuid::new_v4().to_string()).await {
            Ok(fr) => fr,
            Err(e) => {
                // No run: give the tasks back.
                sqlx::query(
                    "DELETE FROM task_locks WHERE org_task_id = ANY($1) AND pipeline_id = $2 AND flow_run_id IS NULL",
                )
                .bind(&task_ids)
                .bind(p.id)
                .execute(db.pool())
                .within()
                .await?;
                return Err(e);
            }
        };
        let mut tx = db.pool().begin().within().await?;
        sqlx::query("UPDATE task_locks SET flow_run_id = $3 WHERE org_task_id = ANY($1) AND pipeline_id = $2 AND flow_run_id IS NULL")
            .bind(&task_ids)
            .bind(p.id)
            .bind(&flow_run.id)
            .execute(&mut *tx).within()
            .await?;
        record_run(&mut tx, Some(org.id), Some(p.id), &flow_run).await?;
        tx.commit().within().await?;
        let field = |k: &str| flow_run.extra.get(k).and_then(serde_json::Value::as_str).map(String::from);
        Ok(RunStart {
            work_pool: field("work_pool_name"),
            work_queue: field("work_queue_name"),
            pipeline: p.name,
            flow_run_id: flow_run.id,
            flow_run_name: flow_run.name,
            locked_tasks: task_ids.len(),
        })
    }
}

impl FlowRuns<'_> {
    /// Follows a flow run to a final state, telling `on_state` of each change;
    /// then records it and releases its locks.
    pub async fn wait(&self, flow_run_id: &str, poll: Duration, on_state: &dyn Fn(&FlowRun)) -> Result<WaitOutcome> {
        let (db, client) = (self.dalgo.db(), self.dalgo.prefect()?);
        let mut last = String::new();
        let run = loop {
            let fr = client.get_flow_run(flow_run_id).await?;
            let now = format!("{}/{}", fr.state_type(), fr.state_name());
            if now != last {
                on_state(&fr);
                last = now;
            }
            if fr.is_final() {
                break fr;
            }
            tokio::time::sleep(poll).await;
        };
        let run = settle_run(db, client, run).await?;
        let dbt_test_failed = run.state_name() == DBT_TEST_FAILED;
        Ok(WaitOutcome {
            flow_run_id: run.id.clone(),
            state_type: run.state_type(),
            state_name: run.state_name().to_string(),
            dbt_test_failed,
        })
    }
}

impl PipelineOps<'_> {
    /// The pipeline's latest runs as Prefect knows them now, with their true
    /// states (recorded as they are read; runs Prefect dropped are forgotten).
    pub async fn history(&self, name: &str, limit: usize) -> Result<Vec<RunRecord>> {
        let org = self.org.get().await?;
        let mut conn = self.org.dalgo().db().pool().acquire().await?;
        let p = crate::pipeline::get(&mut conn, &org, name, false).await?;
        history(&mut conn, self.org.dalgo().prefect()?, org.id, &p, limit).await
    }

    /// The pipeline's latest run that started, or is due by now (a run just
    /// asked for), as [`PipelineOps::history`] records it: never one
    /// Prefect's scheduler placed in the future, which the history lists too.
    /// [`Error::NoRuns`] when it never ran.
    pub async fn last_run(&self, name: &str) -> Result<RunRecord> {
        let now = Utc::now();
        self.history(name, PAGE)
            .await?
            .into_iter()
            .find(|r| r.start_time.is_some() || r.expected_start_time.is_some_and(|t| t <= now))
            .ok_or_else(|| Error::NoRuns { org: self.org.slug().to_string(), name: name.to_string() })
    }
}

impl<'a> FlowRuns<'a> {
    /// Cancels a run (its task locks go when Prefect says it ended).
    pub async fn cancel(&self, flow_run_id: &str) -> Result<FlowRun> {
        let (db, client) = (self.dalgo.db(), self.dalgo.prefect()?);
        client.get_flow_run(flow_run_id).await?;
        client.set_state(flow_run_id, json!({ "type": "CANCELLING", "name": "Cancelling" })).await?;
        settle(db, client, flow_run_id).await
    }

    /// Marks CRASHED a run whose worker is gone (killed: it would stay PENDING,
    /// RUNNING or CANCELLING for ever), with the subflow runs and wrapper task
    /// runs it left unfinished; records it and frees its locks. A run that
    /// has ended is refused ([`Error::RunFinished`]).
    pub async fn crash(&self, flow_run_id: &str) -> Result<FlowRun> {
        let (db, client) = (self.dalgo.db(), self.dalgo.prefect()?);
        let fr = client.get_flow_run(flow_run_id).await?;
        if fr.is_final() {
            return Err(Error::RunFinished {
                flow_run: flow_run_id.to_string(),
                state_type: fr.state_type(),
                state_name: fr.state_name().to_string(),
            });
        }
        let state = json!({ "type": "CRASHED", "name": "Crashed",
                            "message": "marked crashed by dalgo: its worker is gone" });
        end_left_subflows(client, flow_run_id, &state).await?;
        client.set_state(flow_run_id, state).await?;
        settle(db, client, flow_run_id).await
    }

    /// Runs a finished flow run again.
    pub async fn retry(&self, flow_run_id: &str) -> Result<FlowRun> {
        let (db, client) = (self.dalgo.db(), self.dalgo.prefect()?);
        let fr = client.get_flow_run(flow_run_id).await?;
        if !fr.is_final() {
            return Err(Error::RunNotFinished {
                flow_run: flow_run_id.to_string(),
                state_type: fr.state_type(),
                state_name: fr.state_name().to_string(),
            });
        }
        let state = json!({ "type": "SCHEDULED", "name": "AwaitingRetry", "message": "retried by dalgo",
                            "state_details": { "scheduled_time": Utc::now() } });
        client.set_state(flow_run_id, state).await?;
        settle(db, client, flow_run_id).await
    }

    /// A run's whole log, its subflows' and tasks' lines included, in
    /// pages; with `follow`, until the run has ended.
    pub fn logs(&self, flow_run_id: &str, follow: bool, poll: Duration) -> Result<crate::pipeline::LogStream<'a>> {
        Ok(crate::pipeline::LogStream::new(self.dalgo.prefect()?, flow_run_id, follow, poll))
    }

    /// For cron: records the recent runs of every deployment (or an org's)
    /// and frees the locks of the finished ones.
    pub async fn sync(&self, org: Option<&str>, lookback: Duration) -> Result<SyncReport> {
        let org_id = self.dalgo.org_id(org).await?;
        sync_runs(self.dalgo.db(), self.dalgo.prefect()?, org_id, lookback).await
    }

    /// Why no worker would take a run on this pool and queue now, if none would.
    pub async fn no_worker(&self, pool: &str, queue: &str) -> Result<Option<String>> {
        no_worker(self.dalgo.prefect()?, pool, queue).await
    }
}
