//! Running pipelines: task locks, flow runs, their history and logs.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;

use super::get;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::org;
use crate::prefect::{Client, FINAL_STATES, FlowRun, LogEntry, PAGE, StateType};

/// Dalgo's state name for a run whose dbt tests failed (the run itself completes).
pub const DBT_TEST_FAILED: &str = "DBT_TEST_FAILED";

/// A flow run as dalgo recorded it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RunRecord {
    pub flow_run_id: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub state_type: StateType,
    pub state_name: String,
    pub start_time: Option<DateTime<Utc>>,
    pub expected_start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub total_run_time: f64,
}

/// A started run.
#[derive(Debug, Clone, Serialize)]
pub struct RunStart {
    pub pipeline: String,
    pub flow_run_id: String,
    pub flow_run_name: String,
    pub locked_tasks: usize,
}

/// Locks every task of the pipeline in one transaction (refusing, exit 75,
/// when any is locked), starts a flow run and records its id on the locks.
pub async fn run(db: &Db, client: &Client, org_slug: &str, name: &str, actor: &str) -> Result<RunStart> {
    let mut tx = db.pool().begin().await?;
    let org = org::get(&mut tx, org_slug).await?;
    let p = get(&mut tx, &org, name, false).await?;
    let deployment_id = p.deployment_id.clone().ok_or_else(|| super::missing_deployment(&org, &p))?;
    let task_ids: Vec<i64> =
        sqlx::query_scalar("SELECT org_task_id FROM pipeline_tasks WHERE pipeline_id = $1 ORDER BY seq")
            .bind(p.id)
            .fetch_all(&mut *tx)
            .await?;
    let locked = sqlx::query(
        "INSERT INTO task_locks (org_task_id, locked_by, pipeline_id) SELECT id, $2, $3 FROM UNNEST($1::bigint[]) AS id
         ON CONFLICT (org_task_id) DO NOTHING",
    )
    .bind(&task_ids)
    .bind(actor)
    .bind(p.id)
    .execute(&mut *tx)
    .await?
    .rows_affected() as usize;
    if locked < task_ids.len() {
        tx.rollback().await?;
        return Err(Error::Locked {
            org: org.slug.clone(),
            holder: holders(db, &task_ids).await?,
            hint: "try again when that run ends; `dalgo locks release-stale` frees locks of runs that are over",
        });
    }
    tx.commit().await?;
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
            .await?;
            return Err(e);
        }
    };
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE task_locks SET flow_run_id = $3 WHERE org_task_id = ANY($1) AND pipeline_id = $2 AND flow_run_id IS NULL")
        .bind(&task_ids)
        .bind(p.id)
        .bind(&flow_run.id)
        .execute(&mut *tx)
        .await?;
    record_run(&mut tx, Some(org.id), Some(p.id), &flow_run).await?;
    tx.commit().await?;
    Ok(RunStart {
        pipeline: p.name,
        flow_run_id: flow_run.id,
        flow_run_name: flow_run.name,
        locked_tasks: task_ids.len(),
    })
}

/// Who holds the locks on these tasks, for the refusal message.
async fn holders(db: &Db, task_ids: &[i64]) -> Result<String> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT t.slug, l.locked_by, l.flow_run_id, p.name
           FROM task_locks l JOIN org_tasks ot ON ot.id = l.org_task_id JOIN tasks t ON t.id = ot.task_id
           LEFT JOIN pipelines p ON p.id = l.pipeline_id
          WHERE l.org_task_id = ANY($1) ORDER BY t.slug",
    )
    .bind(task_ids)
    .fetch_all(db.pool())
    .await?;
    let parts: Vec<String> = rows
        .iter()
        .map(|(slug, by, run, pipeline)| {
            let pipeline = pipeline.as_ref().map(|p| format!(" for pipeline {p:?}")).unwrap_or_default();
            let run = run.as_ref().map_or_else(|| " (no flow run yet)".to_string(), |r| format!(" (flow run {r})"));
            format!("{slug} is locked by {by}{pipeline}{run}")
        })
        .collect();
    Ok(if parts.is_empty() { "its tasks were locked meanwhile".into() } else { parts.join("; ") })
}

/// Upserts one flow run.
pub async fn record_run(
    conn: &mut PgConnection,
    org_id: Option<i64>,
    pipeline_id: Option<i64>,
    fr: &FlowRun,
) -> Result<()> {
    upsert(conn, &[(org_id, pipeline_id, fr)]).await
}

/// Upserts flow runs in one statement; sorted by id so concurrent callers
/// take row locks in the same order and never deadlock.
async fn upsert(conn: &mut PgConnection, runs: &[(Option<i64>, Option<i64>, &FlowRun)]) -> Result<()> {
    let mut runs: Vec<_> = runs.to_vec();
    runs.sort_by(|a, b| a.2.id.cmp(&b.2.id));
    runs.dedup_by(|a, b| a.2.id == b.2.id);
    sqlx::query(
        "INSERT INTO flow_runs (flow_run_id, org_id, pipeline_id, deployment_id, name, state_type, state_name,
                                start_time, expected_start_time, end_time, total_run_time)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                              $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::float8[])
         ON CONFLICT (flow_run_id) DO UPDATE SET state_type = EXCLUDED.state_type, state_name = EXCLUDED.state_name,
             start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, total_run_time = EXCLUDED.total_run_time,
             name = EXCLUDED.name, expected_start_time = EXCLUDED.expected_start_time,
             pipeline_id = COALESCE(flow_runs.pipeline_id, EXCLUDED.pipeline_id),
             org_id = COALESCE(flow_runs.org_id, EXCLUDED.org_id), updated_at = now()
         WHERE (flow_runs.state_type, flow_runs.state_name, flow_runs.end_time, flow_runs.total_run_time)
               IS DISTINCT FROM (EXCLUDED.state_type, EXCLUDED.state_name, EXCLUDED.end_time, EXCLUDED.total_run_time)",
    )
    .bind(runs.iter().map(|r| r.2.id.clone()).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.0).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.1).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.deployment_id.clone()).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.name.clone()).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.state_type().as_str()).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.state_name().to_string()).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.start_time).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.expected_start_time).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.end_time).collect::<Vec<_>>())
    .bind(runs.iter().map(|r| r.2.total_run_time).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// Releases the locks of runs that reached a final state.
async fn release_final(conn: &mut PgConnection) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM task_locks l USING flow_runs f
          WHERE l.flow_run_id = f.flow_run_id AND f.state_type = ANY($1)",
    )
    .bind(FINAL_STATES.iter().map(|s| s.as_str()).collect::<Vec<_>>())
    .execute(conn)
    .await?
    .rows_affected())
}

/// How a followed run ended.
#[derive(Debug, Clone, Serialize)]
pub struct WaitOutcome {
    pub flow_run_id: String,
    pub state_type: StateType,
    pub state_name: String,
    /// Dalgo's DBT_TEST_FAILED: the run completed, but dbt tests failed.
    pub dbt_test_failed: bool,
}

impl WaitOutcome {
    pub fn succeeded(&self) -> bool {
        self.state_type == StateType::Completed && !self.dbt_test_failed
    }
}

/// Follows a flow run to a final state, telling `on_state` of each change;
/// then records it and releases its locks.
pub async fn wait(
    db: &Db,
    client: &Client,
    flow_run_id: &str,
    poll: Duration,
    on_state: &dyn Fn(&FlowRun),
) -> Result<WaitOutcome> {
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
    let dbt_test_failed = run.state_name() == DBT_TEST_FAILED
        || client.task_run_state_names(&run.id).await?.iter().any(|n| n == DBT_TEST_FAILED);
    let mut tx = db.pool().begin().await?;
    record_run(&mut tx, None, None, &run).await?;
    release_final(&mut tx).await?;
    tx.commit().await?;
    Ok(WaitOutcome {
        flow_run_id: run.id.clone(),
        state_type: run.state_type(),
        state_name: if dbt_test_failed { DBT_TEST_FAILED.into() } else { run.state_name().to_string() },
        dbt_test_failed,
    })
}

pub(crate) async fn recorded(conn: &mut PgConnection, pipeline_id: i64, limit: i64) -> Result<Vec<RunRecord>> {
    Ok(sqlx::query_as(
        "SELECT flow_run_id, name, state_type, state_name, start_time, expected_start_time, end_time, total_run_time
           FROM flow_runs WHERE pipeline_id = $1 ORDER BY expected_start_time DESC NULLS LAST LIMIT $2",
    )
    .bind(pipeline_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A pipeline's latest runs as Prefect knows them now (recorded as they are read).
pub async fn runs(db: &Db, client: &Client, org_slug: &str, name: &str, limit: usize) -> Result<Vec<RunRecord>> {
    let mut conn = db.pool().acquire().await?;
    let org = org::get(&mut conn, org_slug).await?;
    let p = get(&mut conn, &org, name, false).await?;
    if let Some(dep) = &p.deployment_id {
        let filter = json!({ "deployments": { "id": { "any_": [dep] } }, "sort": "EXPECTED_START_TIME_DESC" });
        let mut fetched = Vec::new();
        while fetched.len() < limit {
            let page = client.filter_flow_runs(&filter, fetched.len()).await?;
            let n = page.len();
            fetched.extend(page);
            if n < PAGE {
                break;
            }
        }
        let rows: Vec<_> = fetched.iter().map(|f| (Some(org.id), Some(p.id), f)).collect();
        if !rows.is_empty() {
            upsert(&mut conn, &rows).await?;
        }
    }
    recorded(&mut conn, p.id, limit as i64).await
}

/// Every log line of a flow run from `offset` on, oldest first, page by page.
pub async fn logs(client: &Client, flow_run_id: &str, offset: usize) -> Result<Vec<LogEntry>> {
    let mut all = Vec::new();
    loop {
        let page = client.logs(flow_run_id, offset + all.len()).await?;
        let n = page.len();
        all.extend(page);
        if n < PAGE {
            return Ok(all);
        }
    }
}

/// Cancels a flow run; a run that ends at once is recorded and its locks released.
pub async fn cancel(db: &Db, client: &Client, flow_run_id: &str) -> Result<FlowRun> {
    client.get_flow_run(flow_run_id).await?;
    client.set_state(flow_run_id, json!({ "type": "CANCELLING", "name": "Cancelling" })).await?;
    settle(db, client, flow_run_id).await
}

/// Schedules a failed or crashed flow run to run again now.
pub async fn retry(db: &Db, client: &Client, flow_run_id: &str) -> Result<FlowRun> {
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

async fn settle(db: &Db, client: &Client, flow_run_id: &str) -> Result<FlowRun> {
    let fr = client.get_flow_run(flow_run_id).await?;
    let mut tx = db.pool().begin().await?;
    record_run(&mut tx, None, None, &fr).await?;
    release_final(&mut tx).await?;
    tx.commit().await?;
    Ok(fr)
}

/// What `sync_runs` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub deployments: usize,
    pub runs_seen: usize,
    pub locks_released: u64,
}

/// Upserts the runs of every deployment (of one org, or all) from the last
/// `lookback`, page by page, and releases the locks of runs that reached a
/// final state. Safe to run twice at once: upserts and deletes are idempotent.
pub async fn sync_runs(db: &Db, client: &Client, org_slug: Option<&str>, lookback: Duration) -> Result<SyncReport> {
    let org_id = match org_slug {
        Some(slug) => Some(org::get(&mut *db.pool().acquire().await?, slug).await?.id),
        None => None,
    };
    let pipelines: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT deployment_id, org_id, id FROM pipelines WHERE deployment_id IS NOT NULL AND ($1::bigint IS NULL OR org_id = $1)",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    let since = Utc::now() - chrono::Duration::from_std(lookback).unwrap_or(chrono::Duration::hours(24));
    let mut report = SyncReport { deployments: pipelines.len(), ..Default::default() };
    for chunk in pipelines.chunks(PAGE) {
        let ids: Vec<&String> = chunk.iter().map(|(d, _, _)| d).collect();
        let filter = json!({ "deployments": { "id": { "any_": ids } },
                             "flow_runs": { "expected_start_time": { "after_": since } }, "sort": "ID_DESC" });
        let mut offset = 0;
        loop {
            let page = client.filter_flow_runs(&filter, offset).await?;
            let rows: Vec<_> = page
                .iter()
                .map(|f| {
                    let owner = chunk.iter().find(|(d, _, _)| Some(d) == f.deployment_id.as_ref());
                    (owner.map(|o| o.1), owner.map(|o| o.2), f)
                })
                .collect();
            if !rows.is_empty() {
                upsert(&mut *db.pool().acquire().await?, &rows).await?;
            }
            report.runs_seen += page.len();
            offset += page.len();
            if page.len() < PAGE {
                break;
            }
        }
    }
    report.locks_released = release_final(&mut *db.pool().acquire().await?).await?;
    Ok(report)
}
