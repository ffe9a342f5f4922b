//! Running pipelines: task locks, flow runs, their history and logs.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;

use crate::db::Db;
use crate::db::Within;
use crate::error::Result;
use crate::prefect::{Client, FINAL_STATES, FlowRun, PAGE, StateType, all_pages};

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
    /// Where the run waits for a worker.
    pub work_pool: Option<String>,
    pub work_queue: Option<String>,
}

/// A queue a worker polled this recently counts as served (Prefect marks
/// queues READY when polled, NOT_READY a minute after the last poll).
const POLLED_WITHIN: chrono::Duration = chrono::Duration::seconds(60);

/// Why nothing would pick up a flow run waiting on this pool's queue, or
/// `None` when a worker polls it: the most common reason a run stays
/// Scheduled, then Late. Two Prefect calls.
pub async fn no_worker(client: &Client, pool: &str, queue: &str) -> Result<Option<String>> {
    if !client.work_pool_exists(pool).await? {
        return Ok(Some(format!("work pool {pool:?} does not exist")));
    }
    Ok(match client.work_queue(pool, queue).await? {
        None => Some(format!("work pool {pool:?} has no queue {queue:?}")),
        Some(q) if q.is_paused => Some(format!("queue {queue:?} of work pool {pool:?} is paused")),
        Some(q)
            if q.status.as_deref() == Some("READY")
                || q.last_polled.is_some_and(|t| t > Utc::now() - POLLED_WITHIN) =>
        {
            None
        }
        Some(_) => Some(format!("no worker has polled queue {queue:?} of work pool {pool:?} in the last minute")),
    })
}

/// Takes the locks of all these tasks, or none: whether it did.
pub(crate) async fn lock_tasks(db: &Db, pipeline_id: i64, task_ids: &[i64], actor: &str) -> Result<bool> {
    let mut tx = db.pool().begin().within().await?;
    let locked = sqlx::query(
        "INSERT INTO task_locks (org_task_id, locked_by, pipeline_id) SELECT id, $2, $3 FROM UNNEST($1::bigint[]) AS id
         ON CONFLICT DO NOTHING",
    )
    .bind(task_ids)
    .bind(actor)
    .bind(pipeline_id)
    .execute(&mut *tx)
    .within()
    .await?
    .rows_affected() as usize;
    if locked < task_ids.len() {
        tx.rollback().within().await?;
        return Ok(false);
    }
    tx.commit().within().await?;
    Ok(true)
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

/// Upserts flow runs whose owners are recorded already, in one statement.
pub(crate) async fn record_run_rows(conn: &mut PgConnection, runs: &[&FlowRun]) -> Result<()> {
    let rows: Vec<_> = runs.iter().map(|f| (None, None, *f)).collect();
    upsert(conn, &rows).await
}

/// Upserts flow runs in one statement: those recorded are updated where
/// their state moved, the others inserted (one a concurrent caller inserted
/// meanwhile keeps that caller's state; no conflict target, which Django's
/// table lacks). Sorted by id so concurrent callers take row locks in the
/// same order and never deadlock.
async fn upsert(conn: &mut PgConnection, runs: &[(Option<i64>, Option<i64>, &FlowRun)]) -> Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    let mut runs: Vec<_> = runs.to_vec();
    runs.sort_by(|a, b| a.2.id.cmp(&b.2.id));
    runs.dedup_by(|a, b| a.2.id == b.2.id);
    sqlx::query(
        "WITH new (flow_run_id, org_id, pipeline_id, deployment_id, name, state_type, state_name, start_time,
                   expected_start_time, end_time, total_run_time) AS (
            SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::float8[])
         ), upd AS (
            UPDATE flow_runs f SET state_type = n.state_type, state_name = n.state_name, start_time = n.start_time,
                   end_time = n.end_time, total_run_time = n.total_run_time, name = n.name,
                   expected_start_time = n.expected_start_time, pipeline_id = COALESCE(f.pipeline_id, n.pipeline_id),
                   org_id = COALESCE(f.org_id, n.org_id), updated_at = now()
              FROM new n
             WHERE f.flow_run_id = n.flow_run_id
               AND (f.state_type, f.state_name, f.end_time, f.total_run_time)
                   IS DISTINCT FROM (n.state_type, n.state_name, n.end_time, n.total_run_time)
         )
         INSERT INTO flow_runs (flow_run_id, org_id, pipeline_id, deployment_id, name, state_type, state_name,
                                start_time, expected_start_time, end_time, total_run_time)
         SELECT * FROM new n WHERE NOT EXISTS (SELECT 1 FROM flow_runs f WHERE f.flow_run_id = n.flow_run_id)
         ON CONFLICT DO NOTHING",
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
    .within()
    .await?;
    Ok(())
}

/// Gives each completed run among `runs` Dalgo's state name DBT_TEST_FAILED
/// when one of its task runs has it (the wrapper task of a dbt test step
/// copies its subflow's state name), as Dalgo's proxy reports it: one
/// Prefect call per page of completed runs.
pub(crate) async fn true_states(client: &Client, runs: &mut [FlowRun]) -> Result<()> {
    let completed: Vec<String> = runs
        .iter()
        .filter(|r| r.state_type() == StateType::Completed && r.state_name() != DBT_TEST_FAILED)
        .map(|r| r.id.clone())
        .collect();
    let mut failed = HashSet::new();
    for chunk in completed.chunks(PAGE) {
        let filter = json!({ "flow_runs": { "id": { "any_": chunk } },
                             "task_runs": { "state": { "name": { "any_": [DBT_TEST_FAILED] } } } });
        let found = all_pages(|offset| client.filter_task_runs(&filter, offset)).await?;
        failed.extend(found.into_iter().filter_map(|t| t.flow_run_id));
    }
    for r in runs.iter_mut().filter(|r| failed.contains(&r.id)) {
        r.state_name = Some(DBT_TEST_FAILED.into());
    }
    Ok(())
}

/// The flow runs with these ids that Prefect has, a page per call.
pub(crate) async fn runs_by_id(client: &Client, ids: &[String]) -> Result<Vec<FlowRun>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(PAGE) {
        found.extend(client.filter_flow_runs(&json!({ "flow_runs": { "id": { "any_": chunk } } }), 0).await?);
    }
    Ok(found)
}

/// Brings the recorded history of these pipelines in line with Prefect:
/// runs recorded before they ended are read again, with their true state;
/// those Prefect no longer has (the scheduled runs it drops when a schedule
/// changes) are removed; the locks of runs that ended are released.
async fn reconcile(conn: &mut PgConnection, client: &Client, pipeline_ids: &[i64]) -> Result<()> {
    let open: Vec<String> =
        sqlx::query_scalar("SELECT flow_run_id FROM flow_runs WHERE pipeline_id = ANY($1) AND state_type <> ALL($2)")
            .bind(pipeline_ids)
            .bind(final_names())
            .fetch_all(&mut *conn)
            .within()
            .await?;
    if open.is_empty() {
        return Ok(());
    }
    let mut current = runs_by_id(client, &open).await?;
    true_states(client, &mut current).await?;
    let present: HashSet<&str> = current.iter().map(|r| r.id.as_str()).collect();
    let gone: Vec<&String> = open.iter().filter(|id| !present.contains(id.as_str())).collect();
    record_run_rows(conn, &current.iter().collect::<Vec<_>>()).await?;
    sqlx::query("DELETE FROM flow_runs WHERE flow_run_id = ANY($1) AND state_type <> ALL($2)")
        .bind(gone)
        .bind(final_names())
        .execute(&mut *conn)
        .within()
        .await?;
    release_final(conn).await?;
    Ok(())
}

fn final_names() -> Vec<&'static str> {
    FINAL_STATES.iter().map(|s| s.as_str()).collect()
}

/// Refreshes the history of an org's pipelines for `pipeline list`: the
/// latest started runs of their deployments (one page, newest first) and
/// every run recorded before it ended.
pub(crate) async fn refresh_org(
    conn: &mut PgConnection,
    client: &Client,
    org_id: i64,
    pipelines: &[(i64, String)],
) -> Result<()> {
    if pipelines.is_empty() {
        return Ok(());
    }
    let owner: HashMap<&str, i64> = pipelines.iter().map(|(id, dep)| (dep.as_str(), *id)).collect();
    let deps: Vec<&str> = owner.keys().copied().collect();
    let filter = json!({ "deployments": { "id": { "any_": deps } },
                         "flow_runs": { "start_time": { "is_null_": false } }, "sort": "START_TIME_DESC" });
    let mut started = client.filter_flow_runs(&filter, 0).await?;
    true_states(client, &mut started).await?;
    let rows: Vec<_> = started
        .iter()
        .map(|f| (Some(org_id), f.deployment_id.as_deref().and_then(|d| owner.get(d).copied()), f))
        .collect();
    upsert(conn, &rows).await?;
    let ids: Vec<i64> = pipelines.iter().map(|(id, _)| *id).collect();
    reconcile(conn, client, &ids).await
}

/// Releases the locks of runs that reached a final state, each with an
/// audit row (actor `dalgo`, the run and its end) as `locks release-stale`
/// writes them: one statement, the audit rows built from the rows deleted.
async fn release_final(conn: &mut PgConnection) -> Result<u64> {
    let released: i64 = sqlx::query_scalar(
        "WITH gone AS (
           DELETE FROM task_locks l USING flow_runs f, org_tasks ot
            WHERE l.flow_run_id = f.flow_run_id AND f.state_type = ANY($1) AND ot.id = l.org_task_id
        RETURNING ot.uuid, ot.org_id, ot.task_id, l.flow_run_id, l.locked_by, f.state_type, f.state_name
        ), audit AS (
           INSERT INTO audit_log (actor, action, resource_type, resource_id, org_id, org_slug, details)
           SELECT 'dalgo', $2, $3, g.uuid::text, o.id, o.slug,
                  jsonb_build_object('org', o.slug, 'task', t.slug, 'flow_run_id', g.flow_run_id,
                                     'locked_by', g.locked_by,
                                     'why', 'its run ended: ' || g.state_name || ' (' || g.state_type || ')')
             FROM gone g JOIN orgs o ON o.id = g.org_id JOIN tasks t ON t.id = g.task_id
        )
        SELECT count(*) FROM gone",
    )
    .bind(final_names())
    .bind(crate::audit::Action::Delete.as_str())
    .bind(crate::audit::Resource::TaskLock.as_str())
    .fetch_one(conn)
    .within()
    .await?;
    Ok(u64::try_from(released).unwrap_or(0))
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

pub(crate) async fn recorded(conn: &mut PgConnection, pipeline_id: i64, limit: i64) -> Result<Vec<RunRecord>> {
    Ok(sqlx::query_as(
        "SELECT flow_run_id, name, state_type, state_name, start_time, expected_start_time, end_time, total_run_time
           FROM flow_runs WHERE pipeline_id = $1 ORDER BY expected_start_time DESC NULLS LAST LIMIT $2",
    )
    .bind(pipeline_id)
    .bind(limit)
    .fetch_all(conn)
    .within()
    .await?)
}

pub(crate) async fn history(
    conn: &mut PgConnection,
    client: &Client,
    org_id: i64,
    p: &super::Pipeline,
    limit: usize,
) -> Result<Vec<RunRecord>> {
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
        true_states(client, &mut fetched).await?;
        let rows: Vec<_> = fetched.iter().map(|f| (Some(org_id), Some(p.id), f)).collect();
        upsert(conn, &rows).await?;
        reconcile(conn, client, &[p.id]).await?;
    }
    recorded(conn, p.id, limit as i64).await
}

/// Ends, with `state`, the subflow runs (at any depth) and wrapper task
/// runs a killed worker left unfinished under `parent`: they would stay
/// RUNNING for ever.
pub(crate) async fn end_left_subflows(client: &Client, parent: &str, state: &serde_json::Value) -> Result<()> {
    let open = json!({ "type": { "any_": ["SCHEDULED", "PENDING", "RUNNING", "CANCELLING"] } });
    let mut pending = vec![parent.to_string()];
    while let Some(run) = pending.pop() {
        let subflows = json!({ "flow_runs": { "parent_flow_run_id": { "any_": [run] }, "state": open } });
        for sub in crate::prefect::all_pages(|offset| client.filter_flow_runs(&subflows, offset)).await? {
            client.set_state(&sub.id, state.clone()).await?;
            pending.push(sub.id);
        }
        let tasks = json!({ "task_runs": { "flow_run_id": { "any_": [run] }, "state": open } });
        for task in crate::prefect::all_pages(|offset| client.filter_task_runs(&tasks, offset)).await? {
            client.set_task_state(&task.id, state.clone()).await?;
        }
    }
    Ok(())
}

pub(crate) async fn settle(db: &Db, client: &Client, flow_run_id: &str) -> Result<FlowRun> {
    settle_run(db, client, client.get_flow_run(flow_run_id).await?).await
}

/// Records a run as Prefect has it now, with its true state, and releases
/// the locks of runs that have ended; the run with that state.
pub(crate) async fn settle_run(db: &Db, client: &Client, run: FlowRun) -> Result<FlowRun> {
    let mut run = [run];
    true_states(client, &mut run).await?;
    let [run] = run;
    let mut tx = db.pool().begin().within().await?;
    record_run(&mut tx, None, None, &run).await?;
    release_final(&mut tx).await?;
    tx.commit().within().await?;
    Ok(run)
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
pub async fn sync_runs(db: &Db, client: &Client, org_id: Option<i64>, lookback: Duration) -> Result<SyncReport> {
    let pipelines: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT deployment_id, org_id, id FROM pipelines WHERE deployment_id IS NOT NULL AND ($1::bigint IS NULL OR org_id = $1)",
    )
    .bind(org_id)
    .fetch_all(db.pool()).within()
    .await?;
    let since = Utc::now() - chrono::Duration::from_std(lookback).unwrap_or(chrono::Duration::hours(24));
    let mut report = SyncReport { deployments: pipelines.len(), ..Default::default() };
    for chunk in pipelines.chunks(PAGE) {
        let owner: HashMap<&str, (i64, i64)> = chunk.iter().map(|(d, o, p)| (d.as_str(), (*o, *p))).collect();
        let ids: Vec<&String> = chunk.iter().map(|(d, _, _)| d).collect();
        let filter = json!({ "deployments": { "id": { "any_": ids } },
                             "flow_runs": { "expected_start_time": { "after_": since } }, "sort": "ID_DESC" });
        let mut offset = 0;
        loop {
            let mut page = client.filter_flow_runs(&filter, offset).await?;
            true_states(client, &mut page).await?;
            let rows: Vec<_> = page
                .iter()
                .map(|f| {
                    let o = f.deployment_id.as_deref().and_then(|d| owner.get(d));
                    (o.map(|o| o.0), o.map(|o| o.1), f)
                })
                .collect();
            upsert(&mut *db.pool().acquire().await?, &rows).await?;
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

/// The dalgo pipeline a deployment belongs to, if it is one: its org, its
/// id and its tasks in order.
#[derive(Debug, Clone)]
pub(crate) struct DeploymentOwner {
    pub org: crate::org::Org,
    pub pipeline_id: i64,
    pub task_ids: Vec<i64>,
}

pub(crate) async fn owner_of(db: &Db, deployment_id: &str) -> Result<Option<DeploymentOwner>> {
    let mut conn = db.pool().acquire().await?;
    let row: Option<(i64, i64, Vec<i64>)> = sqlx::query_as(
        "SELECT o.id, p.id, COALESCE(array_agg(pt.org_task_id ORDER BY pt.seq) FILTER (WHERE pt.org_task_id IS NOT NULL), '{}')
           FROM pipelines p JOIN orgs o ON o.id = p.org_id LEFT JOIN pipeline_tasks pt ON pt.pipeline_id = p.id
          WHERE p.deployment_id = $1 GROUP BY o.id, p.id",
    )
    .bind(deployment_id)
    .fetch_optional(&mut *conn).within()
    .await?;
    let Some((org_id, pipeline_id, task_ids)) = row else { return Ok(None) };
    // Deleted since the row was read: no owner any more.
    let Some(org) = crate::org::by_id(&mut conn, org_id).await? else { return Ok(None) };
    Ok(Some(DeploymentOwner { org, pipeline_id, task_ids }))
}

/// Records a run as Prefect has it now and releases the locks of runs that
/// have ended (a worker, once its run is final).
pub(crate) async fn settle_flow_run(db: &Db, client: &Client, flow_run_id: &str) -> Result<FlowRun> {
    settle(db, client, flow_run_id).await
}
