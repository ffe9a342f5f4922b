//! Task locks: listing them, and releasing the ones nothing will release.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;

use super::runs::{DeploymentOwner, record_run, record_run_rows, runs_by_id, true_states};
use crate::audit::{Action, Resource};
use crate::db::Db;
use crate::db::Within;
use crate::error::Result;
use crate::prefect::{Client, FlowRun};
pub use crate::task_locks::LockRow;
use crate::task_locks::{HealLocks, LOCK_QUERY, locks_on};

/// Every held lock, or an org's; with `client`, each with its run's state.
pub(crate) async fn list_locks(db: &Db, client: Option<&Client>, org_id: Option<i64>) -> Result<Vec<LockRow>> {
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
pub(crate) async fn delete_locks(db: &Db, stale: Vec<(LockRow, String)>, actor: &str) -> Result<Vec<LockRow>> {
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

/// Releases locks whose run is final, whose run Prefect does not know, or
/// that never got a flow run and are older than `older_than`: a constant
/// number of statements and a Prefect call per 200 runs, however many locks.
///
/// Without a Prefect `client`, only what needs none: a lock that never got
/// a run is freed once older than `older_than`; a lock held by a run is
/// kept, unchecked.
pub async fn release_stale(
    db: &Db,
    client: Option<&Client>,
    older_than: Duration,
    actor: &str,
) -> Result<Vec<LockRow>> {
    let locks = list_locks(db, None, None).await?;
    Ok(release_if_stale(db, client, locks, older_than, actor).await?.0)
}

/// Frees the locks on these tasks whose runs have ended (`pipeline run`
/// does this before refusing); the locks still held, with their run states.
pub(crate) async fn heal(db: &Db, client: &Client, task_ids: &[i64], actor: &str) -> Result<Vec<LockRow>> {
    let locks = locks_on(db, task_ids).await?;
    Ok(release_if_stale(db, Some(client), locks, Duration::from_secs(30 * 60), actor).await?.1)
}

/// Prefect, asked about the runs holding locks, frees those that ended.
impl HealLocks for Client {
    fn heal<'a>(&'a self, db: &'a Db, task_ids: &'a [i64], actor: &'a str) -> crate::task_locks::Healed<'a> {
        Box::pin(heal(db, self, task_ids, actor))
    }
}

/// The locks released, and the ones kept.
async fn release_if_stale(
    db: &Db,
    client: Option<&Client>,
    mut locks: Vec<LockRow>,
    older_than: Duration,
    actor: &str,
) -> Result<(Vec<LockRow>, Vec<LockRow>)> {
    let cutoff = Utc::now() - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::minutes(30));
    let known = match client {
        Some(client) => with_states(client, &mut locks).await?,
        None => HashMap::new(),
    };
    let ended: Vec<&FlowRun> = known.values().filter(|r| r.is_final()).collect();
    record_run_rows(&mut *db.pool().acquire().await?, &ended).await?;
    let (mut stale, mut kept) = (Vec::new(), Vec::new());
    for lock in locks {
        let why = match &lock.flow_run_id {
            None if lock.locked_at < cutoff => Some("no flow run was ever started for it".to_string()),
            None => None,
            Some(_) if client.is_none() => None,
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

/// Takes the locks of a run's tasks for that run (a run `pipeline run`
/// started holds them already), as `pipeline run` does: locks of runs
/// that ended are freed first; one held by another live run refuses with
/// [`Error::Locked`]. The run is recorded as its pipeline's.
pub(crate) async fn lock_for_run(
    db: &Db,
    client: &Client,
    owner: &DeploymentOwner,
    run: &FlowRun,
    actor: &str,
) -> Result<()> {
    let mut healed = false;
    loop {
        let mut tx = db.pool().begin().within().await?;
        let held: i64 = sqlx::query_scalar(
            "WITH ins AS (
                 INSERT INTO task_locks (org_task_id, locked_by, pipeline_id, flow_run_id)
                 SELECT id, $2, $3, $4 FROM UNNEST($1::bigint[]) AS id ON CONFLICT DO NOTHING RETURNING 1)
             SELECT (SELECT count(*) FROM ins) + (SELECT count(*) FROM task_locks WHERE org_task_id = ANY($1) AND flow_run_id = $4)",
        )
        .bind(&owner.task_ids)
        .bind(actor)
        .bind(owner.pipeline_id)
        .bind(&run.id)
        .fetch_one(&mut *tx).within()
        .await?;
        if held as usize >= owner.task_ids.len() {
            record_run(&mut tx, Some(owner.org.id), Some(owner.pipeline_id), run).await?;
            tx.commit().within().await?;
            return Ok(());
        }
        tx.rollback().within().await?;
        let others = heal(db, client, &owner.task_ids, actor).await?;
        let others: Vec<_> = others.into_iter().filter(|l| l.flow_run_id.as_deref() != Some(run.id.as_str())).collect();
        // Freed locks taken again by someone else in between: refused like a held one.
        if healed || !others.is_empty() {
            return Err(crate::task_locks::refusal(&owner.org, &others));
        }
        healed = true;
    }
}
