//! Task locks: listing them, and releasing the ones nothing will release.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::runs::{record_run_rows, runs_by_id, true_states};
use crate::audit::{Action, Resource};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::org::{self, Org};
use crate::prefect::{Client, FlowRun};

/// A held lock.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LockRow {
    pub org_task_uuid: uuid::Uuid,
    pub org: String,
    pub task: String,
    pub connection_id: Option<String>,
    pub locked_by: String,
    pub locked_at: DateTime<Utc>,
    pub flow_run_id: Option<String>,
    pub pipeline: Option<String>,
    /// The state of its flow run in Prefect ("Running", "Late", "Unknown"
    /// when Prefect does not know it), when Prefect was asked.
    #[sqlx(default)]
    pub run_state: Option<String>,
    /// Why `release-stale` released it.
    #[sqlx(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

const LOCK_QUERY: &str =
    "SELECT ot.uuid AS org_task_uuid, o.slug AS org, t.slug AS task, ot.connection_id, l.locked_by,
        l.locked_at, l.flow_run_id, p.name AS pipeline, NULL::text AS run_state, NULL::text AS reason
   FROM task_locks l JOIN org_tasks ot ON ot.id = l.org_task_id JOIN tasks t ON t.id = ot.task_id
   JOIN orgs o ON o.id = ot.org_id LEFT JOIN pipelines p ON p.id = l.pipeline_id";

/// Every held lock, or an org's; with `client`, each with its run's state.
pub async fn list_locks(db: &Db, client: Option<&Client>, org_slug: Option<&str>) -> Result<Vec<LockRow>> {
    let org_id = match org_slug {
        Some(slug) => Some(org::get(&mut *db.pool().acquire().await?, slug).await?.id),
        None => None,
    };
    let sql = format!("{LOCK_QUERY} WHERE $1::bigint IS NULL OR o.id = $1 ORDER BY l.locked_at");
    let mut locks: Vec<LockRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(db.pool()).within().await?;
    if let Some(client) = client {
        with_states(client, &mut locks).await?;
    }
    Ok(locks)
}

/// Asks Prefect for the runs holding these locks (a call per 200 runs) and
/// notes each lock's run state; the runs Prefect has, by id.
async fn with_states(client: &Client, locks: &mut [LockRow]) -> Result<HashMap<String, FlowRun>> {
    let mut ids: Vec<String> = locks.iter().filter_map(|l| l.flow_run_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut runs = runs_by_id(client, &ids).await?;
    true_states(client, &mut runs).await?;
    let known: HashMap<String, FlowRun> = runs.into_iter().map(|r| (r.id.clone(), r)).collect();
    for lock in locks.iter_mut() {
        lock.run_state = lock.flow_run_id.as_ref().map(|id| {
            known.get(id).map_or_else(|| "Unknown".to_string(), |r| format!("{} ({})", r.state_name(), r.state_type()))
        });
    }
    Ok(known)
}

/// Deletes these locks as they were seen (a lock taken on the task since is
/// left alone), each with its reason in the audit log: one statement however
/// many there are, the audit rows built by the server from the rows it
/// deleted. The ones deleted.
async fn delete_locks(db: &Db, stale: Vec<(LockRow, String)>, actor: &str) -> Result<Vec<LockRow>> {
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let deleted: HashSet<uuid::Uuid> = sqlx::query_scalar(
        "WITH gone AS (
           DELETE FROM task_locks l
            USING org_tasks ot, UNNEST($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) AS s(uuid, run, at, why)
            WHERE l.org_task_id = ot.id AND ot.uuid = s.uuid AND l.flow_run_id IS NOT DISTINCT FROM s.run
              AND l.locked_at = s.at
        RETURNING ot.uuid, ot.org_id, ot.task_id, l.flow_run_id, l.locked_by, s.why
        ), audit AS (
           INSERT INTO audit_log (actor, action, resource_type, resource_id, details)
           SELECT $5, $6, $7, g.uuid::text,
                  jsonb_build_object('org', o.slug, 'task', t.slug, 'flow_run_id', g.flow_run_id,
                                     'locked_by', g.locked_by, 'why', g.why)
             FROM gone g JOIN orgs o ON o.id = g.org_id JOIN tasks t ON t.id = g.task_id
        )
        SELECT uuid FROM gone",
    )
    .bind(stale.iter().map(|(l, _)| l.org_task_uuid).collect::<Vec<_>>())
    .bind(stale.iter().map(|(l, _)| l.flow_run_id.clone()).collect::<Vec<_>>())
    .bind(stale.iter().map(|(l, _)| l.locked_at).collect::<Vec<_>>())
    .bind(stale.iter().map(|(_, why)| why.as_str()).collect::<Vec<_>>())
    .bind(actor)
    .bind(Action::Delete.as_str())
    .bind(Resource::TaskLock.as_str())
    .fetch_all(db.pool())
    .within()
    .await?
    .into_iter()
    .collect();
    Ok(stale
        .into_iter()
        .filter(|(l, _)| deleted.contains(&l.org_task_uuid))
        .map(|(mut l, why)| {
            l.reason = Some(why);
            l
        })
        .collect())
}

/// The lock on an org task, by the task's uuid; [`Error::LockNotFound`] if it has none.
pub async fn find_lock(db: &Db, task_uuid: uuid::Uuid) -> Result<LockRow> {
    let sql = format!("{LOCK_QUERY} WHERE ot.uuid = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(task_uuid)
        .fetch_optional(db.pool())
        .within()
        .await?
        .ok_or_else(|| Error::LockNotFound(task_uuid.to_string()))
}

/// Releases one lock by its org task's uuid.
pub async fn release_lock(db: &Db, task_uuid: uuid::Uuid, actor: &str) -> Result<LockRow> {
    let lock = find_lock(db, task_uuid).await?;
    let mut released = delete_locks(db, vec![(lock, "released by hand".into())], actor).await?;
    released.pop().ok_or_else(|| Error::LockNotFound(task_uuid.to_string()))
}

/// Releases locks whose run is final, whose run Prefect does not know, or
/// that never got a flow run and are older than `older_than`: a constant
/// number of statements and a Prefect call per 200 runs, however many locks.
pub async fn release_stale(db: &Db, client: &Client, older_than: Duration, actor: &str) -> Result<Vec<LockRow>> {
    let locks = list_locks(db, None, None).await?;
    Ok(release_if_stale(db, client, locks, older_than, actor).await?.0)
}

/// Who holds the locks on a pipeline's tasks, for the refusal message.
fn holders(held: &[LockRow]) -> String {
    let parts: Vec<String> = held
        .iter()
        .map(|l| {
            let pipeline = l.pipeline.as_ref().map(|p| format!(" for pipeline {p:?}")).unwrap_or_default();
            let run = match (&l.flow_run_id, &l.run_state) {
                (None, _) => " (no flow run yet)".to_string(),
                (Some(r), Some(state)) => format!(" (flow run {r}, {state})"),
                (Some(r), None) => format!(" (flow run {r})"),
            };
            format!("{} is locked by {}{pipeline}{run}", l.task, l.locked_by)
        })
        .collect();
    if parts.is_empty() { "its tasks were locked meanwhile".into() } else { parts.join("; ") }
}

/// The refusal (75) of a command whose tasks live runs hold.
pub(crate) fn refusal(org: &Org, held: &[LockRow]) -> Error {
    Error::Locked {
        org: org.slug.clone(),
        holder: holders(held),
        hint: "wait for that run to end (`dalgo pipeline logs <flow run> --follow`), or cancel it \
               (`dalgo pipeline cancel <flow run>`)",
    }
}

/// Refuses (75) a command doing the work of these org tasks (`dalgo dbt
/// run` is the `dbt-run` step) while a pipeline run holds one of their
/// locks, except the run `for_flow_run` (the run this command is a step of).
/// With Prefect to ask, locks of runs that have ended are freed first.
pub(crate) async fn ensure_tasks_free(
    db: &Db,
    client: Option<&Client>,
    org: &Org,
    slugs: &[&str],
    for_flow_run: Option<&str>,
    actor: &str,
) -> Result<()> {
    let locked: Vec<i64> = sqlx::query_scalar(
        "SELECT ot.id FROM org_tasks ot JOIN tasks t ON t.id = ot.task_id JOIN task_locks l ON l.org_task_id = ot.id
          WHERE ot.org_id = $1 AND t.slug = ANY($2) AND l.flow_run_id IS DISTINCT FROM $3",
    )
    .bind(org.id)
    .bind(slugs)
    .bind(for_flow_run)
    .fetch_all(db.pool())
    .within()
    .await?;
    if locked.is_empty() {
        return Ok(());
    }
    let held = match client {
        Some(client) => heal(db, client, &locked, actor).await?,
        None => locks_on(db, &locked).await?,
    };
    if held.is_empty() { Ok(()) } else { Err(refusal(org, &held)) }
}

/// Frees the locks on these tasks whose runs have ended (`pipeline run`
/// does this before refusing); the locks still held, with their run states.
pub(crate) async fn heal(db: &Db, client: &Client, task_ids: &[i64], actor: &str) -> Result<Vec<LockRow>> {
    let locks = locks_on(db, task_ids).await?;
    Ok(release_if_stale(db, client, locks, Duration::from_secs(30 * 60), actor).await?.1)
}

/// The locks on these org tasks, by task.
async fn locks_on(db: &Db, task_ids: &[i64]) -> Result<Vec<LockRow>> {
    let sql = format!("{LOCK_QUERY} WHERE l.org_task_id = ANY($1) ORDER BY t.slug");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task_ids).fetch_all(db.pool()).within().await?)
}

/// The locks released, and the ones kept.
async fn release_if_stale(
    db: &Db,
    client: &Client,
    mut locks: Vec<LockRow>,
    older_than: Duration,
    actor: &str,
) -> Result<(Vec<LockRow>, Vec<LockRow>)> {
    let cutoff = Utc::now() - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::minutes(30));
    let known = with_states(client, &mut locks).await?;
    let ended: Vec<&FlowRun> = known.values().filter(|r| r.is_final()).collect();
    record_run_rows(&mut *db.pool().acquire().await?, &ended).await?;
    let (mut stale, mut kept) = (Vec::new(), Vec::new());
    for lock in locks {
        let why = match &lock.flow_run_id {
            None if lock.locked_at < cutoff => Some("no flow run was ever started for it".to_string()),
            None => None,
            Some(id) => match known.get(id) {
                None => Some(format!("Prefect does not know flow run {id}")),
                Some(run) if run.is_final() => Some(format!("flow run {id} is {}", run.state_type())),
                Some(_) => None,
            },
        };
        match why {
            Some(why) => stale.push((lock, why)),
            None => kept.push(lock),
        }
    }
    Ok((delete_locks(db, stale, actor).await?, kept))
}
