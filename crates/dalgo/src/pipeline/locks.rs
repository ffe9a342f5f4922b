//! Task locks: listing them, and releasing the ones nothing will release.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::runs::record_run;
use crate::audit::{self, Action, Resource};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::org;
use crate::prefect::{Client, PAGE};

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
    /// Why `release-stale` released it.
    #[sqlx(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

const LOCK_QUERY: &str =
    "SELECT ot.uuid AS org_task_uuid, o.slug AS org, t.slug AS task, ot.connection_id, l.locked_by,
        l.locked_at, l.flow_run_id, p.name AS pipeline, NULL::text AS reason
   FROM task_locks l JOIN org_tasks ot ON ot.id = l.org_task_id JOIN tasks t ON t.id = ot.task_id
   JOIN orgs o ON o.id = ot.org_id LEFT JOIN pipelines p ON p.id = l.pipeline_id";

/// Every held lock, or an org's.
pub async fn list_locks(db: &Db, org_slug: Option<&str>) -> Result<Vec<LockRow>> {
    let org_id = match org_slug {
        Some(slug) => Some(org::get(&mut *db.pool().acquire().await?, slug).await?.id),
        None => None,
    };
    let sql = format!("{LOCK_QUERY} WHERE $1::bigint IS NULL OR o.id = $1 ORDER BY l.locked_at");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(db.pool()).await?)
}

async fn delete_lock(db: &Db, lock: &LockRow, actor: &str, why: &str) -> Result<bool> {
    let mut tx = db.pool().begin().await?;
    // Only the lock as it was seen: a new lock on the task since is left alone.
    let deleted = sqlx::query(
        "DELETE FROM task_locks l USING org_tasks ot
          WHERE l.org_task_id = ot.id AND ot.uuid = $1 AND l.flow_run_id IS NOT DISTINCT FROM $2 AND l.locked_at = $3",
    )
    .bind(lock.org_task_uuid)
    .bind(&lock.flow_run_id)
    .bind(lock.locked_at)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if deleted {
        let entry = audit::Entry {
            actor,
            action: Action::Delete,
            resource: Resource::TaskLock,
            resource_id: lock.org_task_uuid.to_string(),
            org: None,
            details: json!({ "org": lock.org, "task": lock.task, "flow_run_id": lock.flow_run_id, "locked_by": lock.locked_by, "why": why }),
        };
        audit::record(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(deleted)
}

/// Releases one lock by its org task's uuid.
pub async fn release_lock(db: &Db, task_uuid: uuid::Uuid, actor: &str) -> Result<LockRow> {
    let sql = format!("{LOCK_QUERY} WHERE ot.uuid = $1");
    let lock: LockRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(task_uuid)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::LockNotFound(task_uuid.to_string()))?;
    delete_lock(db, &lock, actor, "released by hand").await?;
    Ok(lock)
}

/// Releases locks whose run is final, whose run Prefect does not know, or
/// that never got a flow run and are older than `older_than`.
pub async fn release_stale(db: &Db, client: &Client, older_than: Duration, actor: &str) -> Result<Vec<LockRow>> {
    let locks = list_locks(db, None).await?;
    let cutoff = Utc::now() - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::minutes(30));
    let run_ids: Vec<String> = {
        let mut ids: Vec<String> = locks.iter().filter_map(|l| l.flow_run_id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut known = Vec::new();
    for chunk in run_ids.chunks(PAGE) {
        known.extend(client.filter_flow_runs(&json!({ "flow_runs": { "id": { "any_": chunk } } }), 0).await?);
    }
    let mut released = Vec::new();
    for mut lock in locks {
        let why = match &lock.flow_run_id {
            None if lock.locked_at < cutoff => Some("no flow run was ever started for it".to_string()),
            None => None,
            Some(id) => match known.iter().find(|r| &r.id == id) {
                None => Some(format!("Prefect does not know flow run {id}")),
                Some(run) if run.is_final() => {
                    record_run(&mut *db.pool().acquire().await?, None, None, run).await?;
                    Some(format!("flow run {id} is {}", run.state_type()))
                }
                Some(_) => None,
            },
        };
        if let Some(why) = why
            && delete_lock(db, &lock, actor, &why).await?
        {
            lock.reason = Some(why);
            released.push(lock);
        }
    }
    Ok(released)
}
