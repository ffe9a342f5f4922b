//! Task locks as every user of an org task sees them: which runs hold an
//! org's tasks, and the refusal (75) of work on a task a live run holds.
//! `dalgo dbt` and pipelines both take them; freeing the locks of runs that
//! have ended needs Prefect, which the pipeline layer passes in as
//! [`HealLocks`].

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{Db, Within};
use crate::error::{Error, Result};
use crate::org::Org;

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

pub(crate) const LOCK_QUERY: &str =
    "SELECT ot.uuid AS org_task_uuid, o.slug AS org, t.slug AS task, ot.connection_id, l.locked_by,
        l.locked_at, l.flow_run_id, p.name AS pipeline, NULL::text AS run_state, NULL::text AS reason
   FROM task_locks l JOIN org_tasks ot ON ot.id = l.org_task_id JOIN tasks t ON t.id = ot.task_id
   JOIN orgs o ON o.id = ot.org_id LEFT JOIN pipelines p ON p.id = l.pipeline_id";

/// What [`HealLocks::heal`] returns: the locks still held.
pub(crate) type Healed<'a> = Pin<Box<dyn Future<Output = Result<Vec<LockRow>>> + Send + 'a>>;

/// Frees the locks on these org tasks whose runs have ended, and says which
/// are still held (with their run states).
pub(crate) trait HealLocks: Sync {
    fn heal<'a>(&'a self, db: &'a Db, task_ids: &'a [i64], actor: &'a str) -> Healed<'a>;
}

/// Who frees the locks of runs that have ended ([`HealLocks`], Prefect to
/// ask), and in whose name (the audit log's actor).
#[derive(Clone, Copy)]
pub(crate) struct Healer<'a> {
    pub locks: &'a dyn HealLocks,
    pub actor: &'a str,
}

/// Refuses (75) a command doing the work of these org tasks (`dalgo dbt
/// run` is the `dbt-run` step) while a pipeline run holds one of their
/// locks, except the run `for_flow_run` (the run this command is a step of).
/// With `heal` (Prefect to ask), locks of runs that have ended are freed first.
pub(crate) async fn ensure_free(
    db: &Db,
    heal: Option<Healer<'_>>,
    org: &Org,
    slugs: &[&str],
    for_flow_run: Option<&str>,
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
    let held = match heal {
        Some(Healer { locks, actor }) => locks.heal(db, &locked, actor).await?,
        None => locks_on(db, &locked).await?,
    };
    if held.is_empty() { Ok(()) } else { Err(refusal(org, &held)) }
}

/// The locks on these org tasks, by task.
pub(crate) async fn locks_on(db: &Db, task_ids: &[i64]) -> Result<Vec<LockRow>> {
    let sql = format!("{LOCK_QUERY} WHERE l.org_task_id = ANY($1) ORDER BY t.slug");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task_ids).fetch_all(db.pool()).within().await?)
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
    Error::Locked { org: org.slug.clone(), holder: holders(held), next: crate::error::NextStep::WaitOrCancelRun }
}
