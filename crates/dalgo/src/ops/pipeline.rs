//! `pipeline create` and `pipeline update`: rows, Prefect blocks and the
//! Prefect deployment of Dalgo's flow.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::OrgOps;
use crate::audit::Action;
use crate::db::Within;
use crate::error::{Error, ErrorKind, NextStep, OrWarn, Result};
use crate::org::Org;
pub use crate::pipeline::Changes as PipelineChanges;
use crate::pipeline::blocks::{self, BlockOutcome};
use crate::pipeline::deployment::{self, DeploymentSpec, FLOW_NAME};
use crate::pipeline::runs;
use crate::pipeline::*;
use crate::pipeline::{
    PIPELINE_COLUMNS, Pipeline, TaskChoice, TaskRow, build_parameters, current_task_rows, ensure_pool, get,
    missing_deployment, pipeline_entry, pipeline_queue, resolve_tasks, validate_cron, validate_name, write_tasks,
};
use crate::prefect::Client;

/// The pipeline operations of an org.
pub struct PipelineOps<'a> {
    pub(crate) org: OrgOps<'a>,
}

/// What a new pipeline is.
#[derive(Debug, Clone, Default)]
pub struct PipelineSpec {
    pub name: String,
    pub tasks: TaskChoice,
    /// Five-field cron, in UTC; `None`: runs only when asked.
    pub cron: Option<String>,
    pub continue_on_sync_failure: bool,
}

/// A pipeline as created or updated, with what happened to the Prefect
/// blocks its deployment loads.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineReport {
    #[serde(flatten)]
    pub pipeline: Pipeline,
    pub blocks: Vec<BlockOutcome>,
}

impl PipelineOps<'_> {
    /// Creates a pipeline and its Prefect deployment. Follows the rule in
    /// [`crate::ops`]: name, cron, tasks and work pool are checked before
    /// anything is written (so bad input reaches Prefect in no form, blocks
    /// included); the rows, with the deployment's name, are committed before
    /// the deployment is made; a failure after that removes both. A run
    /// killed in between leaves a pipeline with no deployment id, which a
    /// re-run of the same create adopts (Prefect upserts the deployment by
    /// name), and which `pipeline delete` and `org delete` find by name.
    pub async fn create(&self, spec: PipelineSpec) -> Result<PipelineReport> {
        let dalgo = self.org.dalgo();
        let name = validate_name(&spec.name)?;
        if let Some(c) = &spec.cron {
            validate_cron(c)?;
        }
        let org = self.org.get().await?;
        let client = dalgo.prefect()?;
        self.check_tasks(&org, &spec.tasks).await?;
        let lock = self.org.lock(&org).await?;
        let queue_config: Option<Value> = sqlx::query_scalar("SELECT queue_config FROM orgs WHERE id = $1")
            .bind(org.id)
            .fetch_one(dalgo.db().pool())
            .within()
            .await?;
        let (pool, queue) = pipeline_queue(dalgo.config(), queue_config.as_ref());
        ensure_pool(client, &pool).await?;
        let (mut pipeline, tasks, parameters) = self.record_pending(&org, name, &spec).await?;
        let made = async {
            let blocks = blocks::sync(dalgo.db(), dalgo.config(), dalgo.store(), client, &org).await?;
            let flow_id = client.ensure_flow(FLOW_NAME).await?;
            let spec = DeploymentSpec {
                name: &pipeline.deployment_name,
                flow_id: &flow_id,
                org_slug: &org.slug,
                parameters,
                cron: spec.cron.as_deref(),
                work_pool: &pool,
                work_queue: &queue,
            };
            let dep = client.create_deployment(&deployment::body(&spec, client.config())).await?;
            let mut tx = dalgo.db().pool().begin().within().await?;
            sqlx::query("UPDATE pipelines SET deployment_id = $2 WHERE id = $1")
                .bind(pipeline.id)
                .bind(&dep.id)
                .execute(&mut *tx)
                .within()
                .await?;
            let details = json!({ "deployment_id": dep.id, "tasks": tasks.len() });
            pipeline_entry(dalgo.actor(), Action::Create, &org, &pipeline).details(details).record(&mut tx).await?;
            tx.commit().within().await?;
            Ok::<_, Error>((blocks, dep.id))
        };
        match made.await {
            Ok((blocks, id)) => {
                lock.release().await?;
                pipeline.deployment_id = Some(id);
                Ok(PipelineReport { pipeline, blocks })
            }
            Err(e) => {
                // Undo: the deployment (if Prefect made it), then the rows.
                if let Ok(Some(dep)) = client.deployment_by_name(FLOW_NAME, &pipeline.deployment_name).await {
                    client
                        .delete_deployment(&dep.id)
                        .await
                        .or_warn(format_args!("delete the Prefect deployment {}", dep.id));
                }
                sqlx::query("DELETE FROM pipelines WHERE id = $1")
                    .bind(pipeline.id)
                    .execute(dalgo.db().pool())
                    .within()
                    .await
                    .or_warn(format_args!("remove the row of pipeline {}", pipeline.name));
                Err(e)
            }
        }
    }

    /// Checks, before anything is written or Prefect is asked, that the
    /// org has every transform task named, and that every connection to
    /// sync is one of its Airbyte connections: 65 for an id that is not a
    /// UUID or a task it has not, 67 for a connection Airbyte does not have
    /// or that is another org's, 78 when Airbyte is not configured (nothing
    /// could be checked).
    async fn check_tasks(&self, org: &Org, choice: &TaskChoice) -> Result<()> {
        crate::pipeline::transforms(&mut *self.org.dalgo().db().pool().acquire().await?, org, choice).await?;
        if choice.connections.is_empty() {
            return Ok(());
        }
        if let Some(bad) = choice.connections.iter().find(|c| uuid::Uuid::parse_str(c).is_err()) {
            return Err(Error::InvalidConnectionId(bad.clone()));
        }
        let airbyte = super::OrgAirbyte::of(self.org.dalgo(), org.clone())?;
        for c in &choice.connections {
            airbyte.connection(c).await?;
        }
        Ok(())
    }

    /// Commits the pipeline's rows without a deployment id, or adopts the
    /// rows a killed create of the same name left. Any problem with the
    /// tasks is reported before anything is committed.
    async fn record_pending(
        &self,
        org: &Org,
        name: &str,
        spec: &PipelineSpec,
    ) -> Result<(Pipeline, Vec<TaskRow>, Value)> {
        let dalgo = self.org.dalgo();
        let mut tx = dalgo.db().pool().begin().within().await?;
        crate::org::lock(&mut tx, org).await?;
        let tasks = resolve_tasks(&mut tx, org, &spec.tasks).await?;
        if tasks.is_empty() {
            return Err(Error::NoTasks { org: org.slug.clone() });
        }
        let deployment_name = format!("pipeline-{}-{}", org.slug, &uuid::Uuid::new_v4().simple().to_string()[..8]);
        // The org's row is locked: no other create of this name runs between
        // the two parts (Django's table has no conflict target to upsert on).
        let sql = format!(
            "WITH upd AS (
                UPDATE pipelines SET cron = $4, continue_on_sync_failure = $5, updated_at = now()
                 WHERE org_id = $1 AND name = $2 AND deployment_id IS NULL RETURNING {PIPELINE_COLUMNS}
             ), ins AS (
                INSERT INTO pipelines (org_id, name, deployment_name, cron, continue_on_sync_failure)
                SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM pipelines WHERE org_id = $1 AND name = $2)
                RETURNING {PIPELINE_COLUMNS}
             )
             SELECT * FROM upd UNION ALL SELECT * FROM ins"
        );
        let pipeline: Pipeline = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.id)
            .bind(name)
            .bind(&deployment_name)
            .bind(spec.cron.as_deref())
            .bind(spec.continue_on_sync_failure)
            .fetch_optional(&mut *tx)
            .within()
            .await?
            .ok_or_else(|| Error::NameTaken { what: "pipeline", name: name.to_string(), org: org.slug.clone() })?;
        write_tasks(&mut tx, pipeline.id, &tasks).await?;
        let parameters = build_parameters(&mut tx, dalgo.config(), org, &tasks, spec.continue_on_sync_failure).await?;
        tx.commit().within().await?;
        Ok((pipeline, tasks, parameters))
    }

    /// Changes a pipeline's tasks or schedule; the whole parameters and the
    /// whole schedule are always sent, so nothing is lost by omission. The
    /// cron and tasks are checked before Prefect is touched; the deployment
    /// is changed inside the transaction that changes the rows, and restored
    /// if that transaction cannot commit. A run killed between the two is
    /// finished by running the same update again.
    pub async fn update(&self, name: &str, ch: &PipelineChanges) -> Result<PipelineReport> {
        let dalgo = self.org.dalgo();
        if let Some(Some(c)) = &ch.cron {
            validate_cron(c)?;
        }
        let org = self.org.get().await?;
        let client = self.client_for(&org, name).await?;
        if let Some(choice) = &ch.tasks {
            self.check_tasks(&org, choice).await?;
        }
        let lock = self.org.lock(&org).await?;
        // Before the transaction: the blocks are written on a session of their own.
        let blocks = blocks::sync(dalgo.db(), dalgo.config(), dalgo.store(), client, &org).await?;
        let mut tx = dalgo.db().pool().begin().within().await?;
        let mut p = get(&mut tx, &org, name, true).await?;
        let deployment_id = p.deployment_id.clone().ok_or_else(|| missing_deployment(&org, &p))?;
        let tasks = match &ch.tasks {
            Some(choice) => {
                let t = resolve_tasks(&mut tx, &org, choice).await?;
                write_tasks(&mut tx, p.id, &t).await?;
                t
            }
            None => current_task_rows(&mut tx, p.id).await?,
        };
        let old_cron = p.cron.clone();
        if let Some(cron) = &ch.cron {
            p.cron = cron.clone();
        }
        if let Some(c) = ch.continue_on_sync_failure {
            p.continue_on_sync_failure = c;
        }
        sqlx::query("UPDATE pipelines SET cron = $2, continue_on_sync_failure = $3, updated_at = now() WHERE id = $1")
            .bind(p.id)
            .bind(&p.cron)
            .bind(p.continue_on_sync_failure)
            .execute(&mut *tx)
            .within()
            .await?;
        let parameters = build_parameters(&mut tx, dalgo.config(), &org, &tasks, p.continue_on_sync_failure).await?;
        let current = client.get_deployment(&deployment_id).await?;
        let active = !current.paused;
        let patch = json!({ "parameters": parameters, "schedules": deployment::schedules(p.cron.as_deref(), active) });
        client.update_deployment(&deployment_id, &patch).await?;
        let details = json!({ "cron": p.cron, "tasks": tasks.len() });
        let committed = async {
            pipeline_entry(dalgo.actor(), Action::Update, &org, &p).details(details).record(&mut tx).await?;
            tx.commit().within().await?;
            Ok::<_, Error>(())
        };
        if let Err(e) = committed.await {
            let restore = json!({ "parameters": current.parameters,
                                  "schedules": deployment::schedules(old_cron.as_deref(), active) });
            client
                .update_deployment(&deployment_id, &restore)
                .await
                .or_warn(format_args!("restore the Prefect deployment {deployment_id}"));
            return Err(e);
        }
        lock.release().await?;
        Ok(PipelineReport { pipeline: p, blocks })
    }
}

/// How to start a pipeline run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Start nothing ([`Error::NoWorker`], 69) when no worker polls the
    /// run's work pool queue.
    pub require_worker: bool,
}

/// How rescheduling one pipeline went.
#[derive(Debug, Clone, Serialize)]
pub struct Rescheduled {
    pub name: String,
    #[serde(flatten)]
    pub step: super::Step,
}

/// Resumes are tried this many times before the pipeline is reported paused.
const RESUME_ATTEMPTS: u32 = 3;

impl PipelineOps<'_> {
    /// Dalgo's `refresh_deployment_schedule`: pauses and resumes each
    /// scheduled, active pipeline's deployment (all of the org's when `names`
    /// is empty), so Prefect drops its future runs and makes them again from
    /// the schedule. A pipeline its operator paused, or one with no schedule,
    /// is left as it is. A failed resume is tried again; if it still fails
    /// the pipeline's step is [`super::Step::Failed`] with the resume that
    /// finishes it. Under the org's operations lock; unknown names are
    /// refused before anything is touched.
    pub async fn reschedule(&self, names: &[String]) -> Result<Vec<Rescheduled>> {
        let org = self.org.get().await?;
        let (dalgo, client) = (self.org.dalgo(), self.org.dalgo().prefect()?);
        self.org
            .locked(org, async |org: Org| {
                let mut conn = dalgo.db().pool().acquire().await?;
                let pipelines = match names {
                    [] => crate::pipeline::all(&mut conn, &org).await?,
                    some => {
                        let mut found = Vec::with_capacity(some.len());
                        for name in some {
                            found.push(get(&mut conn, &org, name, false).await?);
                        }
                        found
                    }
                };
                let mut done = Vec::with_capacity(pipelines.len());
                for p in pipelines {
                    let step = reschedule_one(client, &org, &p).await;
                    if matches!(step, super::Step::Done) {
                        let details = json!({ "rescheduled": true });
                        pipeline_entry(dalgo.actor(), Action::Update, &org, &p)
                            .details(details)
                            .record(&mut conn)
                            .await?;
                    }
                    done.push(Rescheduled { name: p.name, step });
                }
                Ok(done)
            })
            .await
    }
}

/// Pauses, then resumes, one pipeline's deployment.
async fn reschedule_one(client: &crate::prefect::Client, org: &Org, p: &Pipeline) -> super::Step {
    use super::Step;
    let (Some(id), Some(cron)) = (&p.deployment_id, &p.cron) else {
        return Step::skipped(if p.deployment_id.is_none() { "it has no deployment" } else { "it has no schedule" });
    };
    match client.get_deployment(id).await {
        Ok(d) if d.paused => return Step::skipped("it is paused; left paused"),
        Ok(_) => {}
        Err(e) => return Step::failed(&e, NextStep::ListPipelines { org: org.slug.clone() }),
    }
    let pause = json!({ "paused": true, "schedules": deployment::schedules(Some(cron), false) });
    if let Err(e) = client.update_deployment(id, &pause).await {
        // Not paused: nothing to undo.
        return Step::failed(&e, NextStep::ListPipelines { org: org.slug.clone() });
    }
    let resume = json!({ "paused": false, "schedules": deployment::schedules(Some(cron), true) });
    let mut attempt = 0;
    loop {
        attempt += 1;
        match client.update_deployment(id, &resume).await {
            Ok(()) => return Step::Done,
            Err(e) if attempt >= RESUME_ATTEMPTS => {
                return Step::failed(&e, NextStep::ResumePipeline { org: org.slug.clone(), name: p.name.clone() });
            }
            Err(_) => tokio::time::sleep(crate::http::backoff(attempt)).await,
        }
    }
}

impl PipelineOps<'_> {
    /// Every pipeline of the org, with a constant number of Prefect calls
    /// however many there are: their schedules, their latest started runs, and
    /// the runs recorded before they ended. LAST RUN is the latest run that
    /// started (with its true state), not a scheduled one.
    /// The org's pipelines with their schedule state and last and next run.
    /// Without Prefect configured, the rows dalgo keeps, their state
    /// `unknown` and the runs as last recorded.
    pub async fn list(&self) -> Result<Vec<Summary>> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        let (db, client) = (dalgo.db(), dalgo.prefect_if_configured()?);
        let mut conn = db.pool().acquire().await?;
        let deployed: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, deployment_id FROM pipelines WHERE org_id = $1 AND deployment_id IS NOT NULL")
                .bind(org.id)
                .fetch_all(&mut *conn)
                .within()
                .await?;
        if let Some(client) = client {
            runs::refresh_org(&mut conn, client, org.id, &deployed).await?;
        }
        let rows: Vec<(Pipeline, Option<String>, Option<DateTime<Utc>>)> = sqlx::query_as::<_, (i64, uuid::Uuid, String, String, Option<String>, Option<String>, bool, DateTime<Utc>, Option<String>, Option<DateTime<Utc>>)>(
            "SELECT p.id, p.uuid, p.name, p.deployment_name, p.deployment_id, p.cron, p.continue_on_sync_failure, p.created_at,
                    r.state_name, r.start_time
               FROM pipelines p
               LEFT JOIN LATERAL (SELECT state_name, start_time FROM flow_runs f
                                   WHERE f.pipeline_id = p.id AND f.start_time IS NOT NULL
                                   ORDER BY f.start_time DESC LIMIT 1) r ON true
              WHERE p.org_id = $1 ORDER BY p.name",
        )
        .bind(org.id)
        .fetch_all(&mut *conn).within()
        .await?
        .into_iter()
        .map(|(id, uuid, name, deployment_name, deployment_id, cron, continue_on_sync_failure, created_at, state, at)| {
            (Pipeline { id, uuid, name, deployment_name, deployment_id, cron, continue_on_sync_failure, created_at }, state, at)
        })
        .collect();
        let ids: Vec<String> = rows.iter().filter_map(|(p, _, _)| p.deployment_id.clone()).collect();
        let deployments = match client {
            Some(client) => Some(client.deployments(&ids).await?),
            None => None,
        };
        Ok(rows
            .into_iter()
            .map(|(p, state, at)| {
                let dep = deployments.as_ref().map(|all| all.iter().find(|d| Some(&d.id) == p.deployment_id.as_ref()));
                let status = match dep {
                    None => PipelineStatus::Unknown,
                    Some(None) => PipelineStatus::Missing,
                    Some(Some(d)) => match d {
                        d if d.paused => PipelineStatus::Paused,
                        d => match d.cron() {
                            Some((_, true)) => PipelineStatus::Active,
                            Some((_, false)) => PipelineStatus::Paused,
                            None => PipelineStatus::Manual,
                        },
                    },
                };
                let next_run_at =
                    if status == PipelineStatus::Active { p.cron.as_deref().and_then(next_run) } else { None };
                Summary {
                    name: p.name,
                    deployment_id: p.deployment_id,
                    cron: p.cron,
                    status,
                    last_run_state: state,
                    last_run_at: at,
                    next_run_at,
                }
            })
            .collect())
    }

    /// A pipeline's tasks in order, its deployment's schedule and recent runs.
    pub async fn show(&self, name: &str) -> Result<Details> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        let mut conn = dalgo.db().pool().acquire().await?;
        let pipeline = get(&mut conn, &org, name, false).await?;
        let client = dalgo.prefect()?;
        let tasks = pipeline_tasks(&mut conn, pipeline.id).await?;
        let dep = match &pipeline.deployment_id {
            Some(id) => match client.get_deployment(id).await {
                Ok(d) => Some(d),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let runs = runs::history(&mut conn, client, org.id, &pipeline, 10).await?;
        Ok(Details {
            paused: dep.as_ref().map(|d| d.paused || d.cron().is_some_and(|(_, active)| !active)),
            work_pool: dep.as_ref().and_then(|d| d.work_pool_name.clone()),
            work_queue: dep.as_ref().and_then(|d| d.work_queue_name.clone()),
            pipeline,
            tasks,
            runs,
        })
    }

    /// One pipeline, from dalgo's database only (no Prefect call: for a
    /// confirmation, and before Prefect is asked for anything).
    pub async fn find(&self, name: &str) -> Result<Pipeline> {
        let org = self.org.get().await?;
        get(&mut *self.org.dalgo().db().pool().acquire().await?, &org, name, false).await
    }

    /// Deletes the pipeline's deployment (one Prefect no longer knows is
    /// fine; one a killed create left is found by name), then its rows,
    /// under the org's operations lock. A failure leaves the rows, so a
    /// re-run finishes.
    pub async fn delete(&self, name: &str) -> Result<Pipeline> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        let client = self.client_for(&org, name).await?;
        let delete = async |org: Org| {
            let mut tx = dalgo.db().pool().begin().within().await?;
            let p = get(&mut tx, &org, name, true).await?;
            // One whose id was never recorded (a killed create) is found by its name.
            let id = match &p.deployment_id {
                Some(id) => Some(id.clone()),
                None => client.deployment_by_name(deployment::FLOW_NAME, &p.deployment_name).await?.map(|d| d.id),
            };
            if let Some(id) = &id {
                client.delete_deployment(id).await?;
            }
            sqlx::query("DELETE FROM pipelines WHERE id = $1").bind(p.id).execute(&mut *tx).within().await?;
            let details = json!({ "deployment_id": p.deployment_id });
            pipeline_entry(dalgo.actor(), Action::Delete, &org, &p).details(details).record(&mut tx).await?;
            tx.commit().within().await?;
            Ok(p)
        };
        self.org.locked(org, delete).await
    }

    /// Pauses (`true`) or resumes the pipeline's schedule, under the org's
    /// operations lock (so it never races an update sending the schedule).
    pub async fn set_paused(&self, name: &str, paused: bool) -> Result<Pipeline> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        let client = self.client_for(&org, name).await?;
        let set = async |org: Org| {
            let mut conn = dalgo.db().pool().acquire().await?;
            let p = get(&mut conn, &org, name, false).await?;
            let id = p.deployment_id.clone().ok_or_else(|| missing_deployment(&org, &p))?;
            let patch = json!({ "paused": paused, "schedules": deployment::schedules(p.cron.as_deref(), !paused) });
            client.update_deployment(&id, &patch).await?;
            let details = json!({ "paused": paused });
            pipeline_entry(dalgo.actor(), Action::Update, &org, &p).details(details).record(&mut conn).await?;
            Ok(p)
        };
        self.org.locked(org, set).await
    }

    /// Prefect's client, once the pipeline is known to be the org's: a
    /// missing pipeline is 67 whether Prefect is configured or not.
    pub(crate) async fn client_for(&self, org: &Org, name: &str) -> Result<&Client> {
        get(&mut *self.org.dalgo().db().pool().acquire().await?, org, name, false).await?;
        self.org.dalgo().prefect()
    }

    /// Creates or refreshes the Prefect blocks the org's pipelines load
    /// (those the org has no use for yet are reported as skipped).
    pub async fn blocks(&self) -> Result<Vec<BlockOutcome>> {
        let org = self.org.get().await?;
        let dalgo = self.org.dalgo();
        blocks::sync(dalgo.db(), dalgo.config(), dalgo.store(), dalgo.prefect()?, &org).await
    }
}
