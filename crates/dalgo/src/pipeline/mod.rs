//! Orchestration pipelines: an ordered list of an org's tasks (Airbyte syncs,
//! then git and dbt steps), run by Prefect on a schedule as a deployment of
//! Dalgo's flow. The database rows and the deployment are made and changed so
//! that a failure on either side leaves nothing half-made.

pub mod blocks;
pub mod deployment;
pub(crate) mod locks;
pub mod logs;
pub(crate) mod runs;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;

pub use deployment::TaskRow;
pub(crate) use locks::list_locks;
pub(crate) use locks::lock_for_run;
pub use locks::{LockRow, release_stale};
pub use logs::{LogLine, LogStream};
pub use runs::{DBT_TEST_FAILED, RunRecord, RunStart, SyncReport, WaitOutcome, sync_runs};
pub(crate) use runs::{DeploymentOwner, end_left_subflows, owner_of, settle_flow_run};

use crate::audit::{self, Action, Resource};
use crate::config::Config;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::org::Org;
use crate::prefect::Client;
use deployment::DbtContext;

/// Checks a five-field cron expression (as Prefect takes them).
pub fn validate_cron(expr: &str) -> Result<()> {
    if expr.chars().any(char::is_control) {
        let reason = "it holds a control character (a line break?)".to_string();
        return Err(Error::InvalidCron { expr: expr.to_string(), reason });
    }
    let cron =
        cron_parser().parse(expr).map_err(|e| Error::InvalidCron { expr: expr.to_string(), reason: e.to_string() })?;
    // `0 0 30 2 *` parses, and never runs.
    match cron.find_next_occurrence(&Utc::now(), false) {
        Ok(_) => Ok(()),
        Err(_) => {
            Err(Error::InvalidCron { expr: expr.to_string(), reason: "it never runs: no date matches it".into() })
        }
    }
}

/// Five fields, no seconds: the cron Dalgo's deployments take.
fn cron_parser() -> croner::parser::CronParser {
    croner::parser::CronParser::builder().seconds(croner::parser::Seconds::Disallowed).build()
}

/// Trims and checks a pipeline name: not blank, at most 100 characters, no
/// control or format characters.
pub fn validate_name(name: &str) -> Result<&str> {
    let trimmed = name.trim();
    let problem = if trimmed.is_empty() {
        Some("it is blank")
    } else if trimmed.chars().count() > 100 {
        Some("it is longer than 100 characters")
    } else if trimmed.chars().any(char::is_control) {
        Some("it contains control characters")
    } else if trimmed.chars().any(crate::values::is_hidden_char) {
        Some("it contains invisible characters (a right-to-left override, a line separator)")
    } else {
        None
    };
    match problem {
        Some(reason) => Err(Error::InvalidPipelineName { given: name.to_string(), reason }),
        None => Ok(trimmed),
    }
}

/// The next time a cron fires after now.
pub fn next_run(expr: &str) -> Option<DateTime<Utc>> {
    cron_parser().parse(expr).ok()?.find_next_occurrence(&Utc::now(), false).ok()
}

/// The work pool and queue an org's pipelines run on: its `queue_config`, or
/// Dalgo's defaults (`PREFECT_WORKER_POOL_NAME` and queue `ddp`, or the EKS
/// pool and queue `scheduled_pipeline`).
pub fn pipeline_queue(cfg: &Config, org_queue_config: Option<&Value>) -> (String, String) {
    let queue = org_queue_config.and_then(|c| c.get("scheduled_pipeline_queue"));
    let field = |k: &str| queue.and_then(|q| q.get(k)).and_then(Value::as_str);
    if let (Some(pool), Some(name)) = (field("workpool"), field("name")) {
        return (pool.to_string(), name.to_string());
    }
    let prefect = cfg.prefect.get().ok().flatten();
    match prefect.and_then(|p| p.eks_worker_pool.clone()) {
        Some(eks) => (eks, "scheduled_pipeline".into()),
        None => (prefect.map_or_else(|| "default".into(), |p| p.worker_pool.clone()), "ddp".into()),
    }
}

/// A pipeline row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Pipeline {
    #[serde(skip)]
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub deployment_name: String,
    pub deployment_id: Option<String>,
    pub cron: Option<String>,
    pub continue_on_sync_failure: bool,
    pub created_at: DateTime<Utc>,
}

pub(crate) const PIPELINE_COLUMNS: &str =
    "id, uuid, name, deployment_name, deployment_id, cron, continue_on_sync_failure, created_at";

/// The tasks a pipeline is made of.
#[derive(Debug, Clone, Default)]
pub struct TaskChoice {
    /// Airbyte connection ids, synced first in this order.
    pub connections: Vec<String>,
    /// Transform task slugs; `None`: Dalgo's default (dbt-run, dbt-test, with
    /// git-pull, dbt-clean and dbt-deps first where the org has them).
    pub transform: Option<Vec<String>>,
}

/// The org's tasks for a choice, in pipeline order: syncs, then transforms by Dalgo's rank.
pub(crate) async fn resolve_tasks(conn: &mut PgConnection, org: &Org, choice: &TaskChoice) -> Result<Vec<TaskRow>> {
    let mut tasks = Vec::new();
    for connection in &choice.connections {
        // One airbyte-sync org task per connection, made on first use.
        sqlx::query(
            "INSERT INTO org_tasks (org_id, task_id, connection_id) SELECT $1, t.id, $2 FROM tasks t WHERE t.slug = 'airbyte-sync'
             ON CONFLICT DO NOTHING",
        )
        .bind(org.id)
        .bind(connection)
        .execute(&mut *conn).within()
        .await?;
        let row: TaskRow = sqlx::query_as(
            "SELECT ot.id, ot.uuid, tk.slug, tk.type AS task_type, tk.command, ot.connection_id, ot.parameters
               FROM org_tasks ot JOIN tasks tk ON tk.id = ot.task_id
              WHERE ot.org_id = $1 AND ot.connection_id = $2 AND tk.slug = 'airbyte-sync' AND ot.generated_by = 'system'",
        )
        .bind(org.id)
        .bind(connection)
        .fetch_one(&mut *conn).within()
        .await?;
        tasks.push(row);
    }
    tasks.extend(transforms(conn, org, choice).await?);
    Ok(tasks)
}

/// The org's transform tasks `choice` names (or, with none named, its dbt
/// steps when it has them), in the order they run; [`Error::UnknownTasks`]
/// for a name the org has no task for. Read only: `pipeline create` and
/// `update` ask it before any service is.
pub(crate) async fn transforms(conn: &mut PgConnection, org: &Org, choice: &TaskChoice) -> Result<Vec<TaskRow>> {
    let available: Vec<TaskRow> = sqlx::query_as(
        "SELECT ot.id, ot.uuid, tk.slug, tk.type AS task_type, tk.command, ot.connection_id, ot.parameters
           FROM org_tasks ot JOIN tasks tk ON tk.id = ot.task_id
          WHERE ot.org_id = $1 AND tk.type IN ('git', 'dbt', 'edr') AND ot.generated_by = 'system'",
    )
    .bind(org.id)
    .fetch_all(&mut *conn)
    .within()
    .await?;
    let wanted: Vec<String> = match &choice.transform {
        Some(list) => list.clone(),
        None => {
            let has = |s: &str| available.iter().any(|t| t.slug == s);
            if has("dbt-run") || has("dbt-test") {
                ["git-pull", "dbt-clean", "dbt-deps", "dbt-run", "dbt-test"]
                    .into_iter()
                    .filter(|s| has(s))
                    .map(String::from)
                    .collect()
            } else {
                Vec::new()
            }
        }
    };
    let missing: Vec<&String> = wanted.iter().filter(|w| !available.iter().any(|t| &t.slug == *w)).collect();
    if !missing.is_empty() {
        return Err(Error::UnknownTasks { org: org.slug.clone(), missing: missing.into_iter().cloned().collect() });
    }
    let mut transforms: Vec<TaskRow> = available.into_iter().filter(|t| wanted.contains(&t.slug)).collect();
    transforms.sort_by_key(|t| deployment::transform_rank(&t.slug));
    Ok(transforms)
}

/// The org's dbt project location and whether it has a git token.
async fn dbt_context(conn: &mut PgConnection, org: &Org) -> Result<Option<DbtContext>> {
    let row: Option<(String, bool, Option<String>)> =
        sqlx::query_as("SELECT project_dir, token_secret IS NOT NULL, repo_url FROM dbt_workspaces WHERE org_id = $1")
            .bind(org.id)
            .fetch_optional(conn)
            .within()
            .await?;
    Ok(row.map(|(project_dir, has_token, repo_url)| DbtContext { project_dir, has_token, repo_url }))
}

/// The deployment parameters for a task list.
pub(crate) async fn build_parameters(
    conn: &mut PgConnection,
    cfg: &Config,
    org: &Org,
    tasks: &[TaskRow],
    continue_on_sync_failure: bool,
) -> Result<Value> {
    let prefect = cfg.prefect.get()?.ok_or(Error::PrefectNotConfigured)?;
    let ctx = dbt_context(conn, org).await?;
    let of = deployment::Deploying { org_slug: &org.slug, prefect, dbt: &cfg.dbt, ctx: ctx.as_ref() };
    let configs: Vec<Value> = tasks.iter().enumerate().map(|(seq, t)| deployment::task_config(t, seq, of)).collect();
    Ok(deployment::parameters(&configs, &org.slug, continue_on_sync_failure))
}

pub(crate) async fn write_tasks(conn: &mut PgConnection, pipeline_id: i64, tasks: &[TaskRow]) -> Result<()> {
    sqlx::query("DELETE FROM pipeline_tasks WHERE pipeline_id = $1")
        .bind(pipeline_id)
        .execute(&mut *conn)
        .within()
        .await?;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let seqs: Vec<i32> = (0..tasks.len() as i32).collect();
    sqlx::query(
        "INSERT INTO pipeline_tasks (pipeline_id, org_task_id, seq) SELECT $1, * FROM UNNEST($2::bigint[], $3::int[])",
    )
    .bind(pipeline_id)
    .bind(ids)
    .bind(seqs)
    .execute(conn)
    .within()
    .await?;
    Ok(())
}

pub(crate) async fn ensure_pool(client: &Client, pool: &str) -> Result<()> {
    if client.work_pool_exists(pool).await? { Ok(()) } else { Err(Error::NoWorkPool { pool: pool.to_string() }) }
}

/// The audit log's entry for `action` on the org's pipeline `p`; the
/// caller adds its details and records it.
pub(crate) fn pipeline_entry<'a>(actor: &'a str, action: Action, org: &'a Org, p: &Pipeline) -> audit::Entry<'a> {
    audit::Entry::new(actor, action, Resource::Pipeline, &p.name).of(Some(org))
}

/// The org's pipeline with this name.
pub async fn get(conn: &mut PgConnection, org: &Org, name: &str, lock: bool) -> Result<Pipeline> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE org_id = $1 AND name = $2 {}",
        if lock { "FOR UPDATE" } else { "" }
    );
    if let Some(p) =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.id).bind(name).fetch_optional(&mut *conn).within().await?
    {
        return Ok(p);
    }
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM pipelines WHERE org_id = $1 ORDER BY name")
        .bind(org.id)
        .fetch_all(conn)
        .within()
        .await?;
    Err(Error::PipelineNotFound {
        org: org.slug.clone(),
        name: name.to_string(),
        suggestion: crate::values::nearest(name, &names),
    })
}

string_enum! {
    /// Whether a pipeline runs on its schedule.
    pub enum PipelineStatus {
        Active => "active",
        Paused => "paused",
        /// No schedule: runs only when asked.
        Manual => "manual",
        /// Prefect has no such deployment.
        Missing => "missing",
        /// Prefect is not configured: only dalgo's own rows are shown.
        Unknown => "unknown",
    }
}

/// A pipeline in `dalgo pipeline list`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub name: String,
    pub deployment_id: Option<String>,
    pub cron: Option<String>,
    pub status: PipelineStatus,
    pub last_run_state: Option<String>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// One of a pipeline's tasks, in order.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PipelineTask {
    pub seq: i32,
    pub slug: String,
    pub org_task_uuid: uuid::Uuid,
    pub connection_id: Option<String>,
}

/// A pipeline with its tasks, its deployment's state and recent runs.
#[derive(Debug, Clone, Serialize)]
pub struct Details {
    #[serde(flatten)]
    pub pipeline: Pipeline,
    pub tasks: Vec<PipelineTask>,
    pub paused: Option<bool>,
    pub work_pool: Option<String>,
    pub work_queue: Option<String>,
    pub runs: Vec<RunRecord>,
}

pub(crate) async fn pipeline_tasks(conn: &mut PgConnection, pipeline_id: i64) -> Result<Vec<PipelineTask>> {
    Ok(sqlx::query_as(
        "SELECT pt.seq, t.slug, ot.uuid AS org_task_uuid, ot.connection_id
           FROM pipeline_tasks pt JOIN org_tasks ot ON ot.id = pt.org_task_id JOIN tasks t ON t.id = ot.task_id
          WHERE pt.pipeline_id = $1 ORDER BY pt.seq",
    )
    .bind(pipeline_id)
    .fetch_all(conn)
    .within()
    .await?)
}

/// Every pipeline of the org with its tasks, by name.
pub(crate) async fn all_with_tasks(conn: &mut PgConnection, org: &Org) -> Result<Vec<(Pipeline, Vec<PipelineTask>)>> {
    let sql = format!("SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE org_id = $1 ORDER BY name");
    let pipelines: Vec<Pipeline> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.id).fetch_all(&mut *conn).within().await?;
    let mut out = Vec::with_capacity(pipelines.len());
    for p in pipelines {
        let tasks = pipeline_tasks(conn, p.id).await?;
        out.push((p, tasks));
    }
    Ok(out)
}

/// What an update changes; `None` keeps it.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub tasks: Option<TaskChoice>,
    /// `Some(None)` removes the schedule.
    pub cron: Option<Option<String>>,
    pub continue_on_sync_failure: Option<bool>,
}

pub(crate) fn missing_deployment(org: &Org, p: &Pipeline) -> Error {
    Error::PipelineNotFound {
        org: org.slug.clone(),
        name: format!("{} (it has no deployment; delete and create it again)", p.name),
        suggestion: None,
    }
}

pub(crate) async fn current_task_rows(conn: &mut PgConnection, pipeline_id: i64) -> Result<Vec<TaskRow>> {
    Ok(sqlx::query_as(
        "SELECT ot.id, ot.uuid, tk.slug, tk.type AS task_type, tk.command, ot.connection_id, ot.parameters
           FROM pipeline_tasks pt JOIN org_tasks ot ON ot.id = pt.org_task_id JOIN tasks tk ON tk.id = ot.task_id
          WHERE pt.pipeline_id = $1 ORDER BY pt.seq",
    )
    .bind(pipeline_id)
    .fetch_all(conn)
    .within()
    .await?)
}

/// Every pipeline of the org, by name.
pub(crate) async fn all(conn: &mut PgConnection, org: &Org) -> Result<Vec<Pipeline>> {
    let sql = format!("SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE org_id = $1 ORDER BY name");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.id).fetch_all(conn).within().await?)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_cron_that_never_runs_is_refused() {
        assert!(validate_cron("0 2 * * *").is_ok());
        assert!(validate_cron("0 0 29 2 *").is_ok(), "leap days come");
        let e = validate_cron("0 0 30 2 *").unwrap_err();
        assert!(e.to_string().contains("never runs"), "{e}");
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }

    use super::*;

    #[test]
    fn crons_are_checked_as_prefect_reads_them() {
        assert!(validate_cron("0 2 * * *").is_ok());
        assert!(validate_cron("*/15 6-18 * * 1-5").is_ok());
        for bad in ["61 * * * *", "0 0 2 * * ?", "every day", ""] {
            assert!(validate_cron(bad).is_err(), "{bad}");
        }
        assert!(next_run("0 2 * * *").is_some_and(|t| t > Utc::now()));
    }
}
