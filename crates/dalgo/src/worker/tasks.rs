//! One task of a run: its subflow in Prefect, then the work itself (an
//! Airbyte sync or clear, a schema update, a dbt command, a git step).

use super::*;

impl Worker<'_> {
    /// One task as a subflow run; how it ended. A task Prefect could not be
    /// told about fails the run.
    pub(super) async fn step(
        &self,
        tree: &Tree<'_>,
        c: &Claimed,
        step: &Step,
        stop: watch::Receiver<Option<Stop>>,
    ) -> End {
        let run = &c.run;
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
                Work::GitPull | Work::GitClone => {
                    let n = tree.child(&run.id, "shellopjob", "shellopjob", &format!("shellop-{}", step.slug)).await?;
                    (vec![n.clone()], n.flow_run)
                }
            };
            let log = |level: i64, line: &str| tree.log(&logs_on, level, line);
            let end = tree.flushing(self.work(c, step, &log, stop)).await;
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

    /// One task of a vouched run, for its org, as the database gives it.
    pub(super) async fn work(
        &self,
        c: &Claimed,
        step: &Step,
        log: &dyn Fn(i64, &str),
        stop: watch::Receiver<Option<Stop>>,
    ) -> End {
        let stopped = || async { wait_stop(stop.clone()).await };
        let org = &c.owner.org;
        match &step.work {
            Work::AirbyteSync { connection } => self.airbyte(c, connection, None, log, stopped()).await,
            Work::AirbyteClear { connection, streams } => {
                self.airbyte(c, connection, Some(streams), log, stopped()).await
            }
            Work::UpdateSchema { connection, catalog_diff } => {
                self.update_schema(c, connection, catalog_diff, log, stopped()).await
            }
            Work::Dbt { command, args } => {
                let req = DbtTask { org, command: *command, args, for_flow_run: c.run.id.as_str() };
                self.dbt(req, step.is_dbt_test(), log, stopped()).await
            }
            Work::GitPull => self.git(org, GitStep::Pull, log, stopped()).await,
            Work::GitClone => self.git(org, GitStep::Clone, log, stopped()).await,
        }
    }

    /// The run's org's Airbyte workspace, through dalgo's client: only its
    /// connections are reached.
    pub(super) fn org_airbyte(&self, c: &Claimed) -> std::result::Result<(&crate::airbyte::Client, OrgWorkspace), End> {
        let client = self.dalgo.airbyte().map_err(|e| End::Failed(e.to_string()))?;
        let workspace = OrgWorkspace::of(c.owner.org.clone()).map_err(|e| End::Failed(e.to_string()))?;
        Ok((client, workspace))
    }

    /// Dalgo's schema update: the connection's catalog refreshed, and the
    /// approved change applied if it is still the change Airbyte sees.
    pub(super) async fn update_schema(
        &self,
        c: &Claimed,
        connection: &str,
        catalog_diff: &serde_json::Value,
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let update = async {
            let (client, ws) = self.org_airbyte(c)?;
            log(INFO, &format!("refreshing connection {connection}'s catalog and checking the approved change"));
            ws.update_schema(client, connection, catalog_diff).await.map_err(|e| End::Failed(e.to_string()))
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
    pub(super) async fn dbt(
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
            for_flow_run: Some(task.for_flow_run),
        };
        let on_wait = |holder: &str| log(INFO, &format!("waiting for {holder} to finish"));
        let ran = crate::dbt::run(self.dalgo.dbt_tools(), &req, on_wait, stopped).await;
        dbt_end(ran.map(|r| r.exit_code), command, is_test)
    }

    /// Dalgo's git-pull or git-clone step on the org's clone.
    pub(super) async fn git(
        &self,
        org: &crate::org::Org,
        what: GitStep,
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let on_wait = |h: &str| log(INFO, &format!("waiting for {h} to finish"));
        let req = crate::dbt::GitRequest { org, step: what, wait: true, actor: &self.marker };
        git_end(
            what == GitStep::Clone,
            crate::dbt::git_update(self.dalgo.dbt_tools(), &req, on_wait, stopped).await,
            log,
        )
    }

    /// An Airbyte sync, or with `clear` Airbyte's clear (of these streams
    /// when there are any), of a connection of the run's org, through
    /// dalgo's client, followed to its end and recorded as the org's; a stop
    /// cancels the job.
    pub(super) async fn airbyte(
        &self,
        c: &Claimed,
        connection: &str,
        clear: Option<&[StreamRef]>,
        log: &dyn Fn(i64, &str),
        stopped: impl Future<Output = ()>,
    ) -> End {
        let (client, ws) = match self.org_airbyte(c) {
            Ok(pair) => pair,
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
        let kind = clear.map_or(JobKind::Sync, JobKind::Clear);
        let (db, org) = (self.dalgo.db(), Some(&ws.org));
        let jobs = crate::airbyte::Jobs { db, client, opts, on_event: &on_event };
        tokio::select! {
            outcome = ws.run_job(jobs, connection, kind) => match outcome {
                Ok(o) if o.succeeded() => End::Completed,
                Ok(o) => End::Failed(o.error.or(o.failure).unwrap_or_else(|| {
                    format!("Airbyte job {} {}", o.job_id.unwrap_or_default(), o.status.map_or("failed", |s| s.as_str()))
                })),
                Err(e) => End::Failed(e.to_string()),
            },
            () = stopped => {
                let id = *lock(&job);
                if let Some(id) = id {
                    let cancelled = async {
                        let job = crate::airbyte::cancel(client, id).await?;
                        crate::airbyte::record_job(db, org, &job.config_id, &job).await
                    };
                    match cancelled.await {
                        Ok(()) => log(INFO, &format!("Airbyte job {id} cancelled")),
                        Err(e) => log(ERROR, &format!("could not cancel Airbyte job {id}: {e}")),
                    }
                }
                End::Cancelled(format!("the {what} was stopped"))
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
