//! Org tasks, pipelines and their steps, task locks, flow runs and Airbyte
//! jobs: what Prefect deployments and their runs refer to.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::PgConnection;

use super::{RETURNING_INSERTED, counted};
use crate::db::Within;
use crate::error::Result;
use crate::import::source;
use crate::import::{Counts, Importer, Table};

impl Importer<'_> {
    pub(super) async fn org_tasks(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let tasks: HashMap<String, i64> =
            sqlx::query_as("SELECT slug, id FROM tasks").fetch_all(&mut *c).within().await?.into_iter().collect();
        self.fold_duplicate_tasks();
        let mut rows: Vec<(&source::OrgTask, i64, i64, Option<i64>)> = Vec::new();
        for t in &self.src.org_tasks {
            if self.task_dups.contains_key(&t.id) {
                continue;
            }
            let checked = (|| {
                let (org, _) = self.org_of(t.org_id)?;
                let task = *tasks.get(&t.task).ok_or(format!("dalgo has no task {:?}", t.task))?;
                let dbt = match t.dbt_id {
                    Some(d) => Some(
                        *self
                            .ids
                            .dbts
                            .get(&d)
                            .ok_or(format!("its dbt workspace (ddpui_orgdbt {d}) was not imported"))?,
                    ),
                    None => None,
                };
                if !["system", "client"].contains(&t.generated_by.as_str()) || !t.parameters.is_object() {
                    return Err(format!(
                        "generated_by {:?} or parameters {} is not dalgo's",
                        t.generated_by, t.parameters
                    ));
                }
                Ok((org, task, dbt))
            })();
            match checked {
                Ok((org, task, dbt)) => rows.push((t, org, task, dbt)),
                Err(reason) => self.refuse(Table::OrgTasks, format!("ddpui_orgtask {}", t.id), reason),
            }
        }
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO org_tasks (uuid, org_id, task_id, connection_id, parameters, generated_by, dbt_workspace_id,
                                    created_at, updated_at)
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::jsonb[], $6::text[],
                                  $7::bigint[], $8::timestamptz[], $9::timestamptz[])
             ON CONFLICT (uuid) DO UPDATE SET task_id = excluded.task_id, connection_id = excluded.connection_id,
                 parameters = excluded.parameters, generated_by = excluded.generated_by,
                 dbt_workspace_id = excluded.dbt_workspace_id, updated_at = excluded.updated_at
             WHERE (org_tasks.task_id, org_tasks.connection_id, org_tasks.parameters, org_tasks.generated_by,
                    org_tasks.dbt_workspace_id)
                   IS DISTINCT FROM (excluded.task_id, excluded.connection_id, excluded.parameters, excluded.generated_by,
                    excluded.dbt_workspace_id)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.0.uuid).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.connection_id.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.parameters.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.generated_by.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.3).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.updated_at).collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .within()
        .await?;
        let uuids: Vec<uuid::Uuid> = rows.iter().map(|r| r.0.uuid).collect();
        let ids: HashMap<uuid::Uuid, i64> = sqlx::query_as("SELECT uuid, id FROM org_tasks WHERE uuid = ANY($1)")
            .bind(&uuids)
            .fetch_all(&mut *c)
            .within()
            .await?
            .into_iter()
            .collect();
        self.ids.org_tasks = rows.iter().filter_map(|r| ids.get(&r.0.uuid).map(|id| (r.0.id, *id))).collect();
        Ok(counted(rows.len(), inserted.into_iter()))
    }

    /// dalgo holds one system task per org, task and connection; Django
    /// may hold several. The one a pipeline uses (else the first) is kept,
    /// the others refused, and their pipeline steps and locks point to it.
    fn fold_duplicate_tasks(&mut self) {
        let used: HashSet<i64> = self.src.steps.iter().map(|s| s.orgtask_id).collect();
        let mut groups: BTreeMap<(i64, &str, Option<&str>), Vec<&source::OrgTask>> = BTreeMap::new();
        for t in self.src.org_tasks.iter().filter(|t| t.generated_by == "system") {
            groups.entry((t.org_id, t.task.as_str(), t.connection_id.as_deref())).or_default().push(t);
        }
        let mut dups = HashMap::new();
        for group in groups.values().filter(|g| g.len() > 1) {
            let kept = group.iter().find(|t| used.contains(&t.id)).unwrap_or(&group[0]);
            for t in group.iter().filter(|t| t.id != kept.id) {
                dups.insert(t.id, (kept.id, kept.uuid));
            }
        }
        for (id, (_, uuid)) in &dups {
            let reason = format!("a second system task of its kind: its pipeline steps and lock go to org task {uuid}");
            self.refuse(Table::OrgTasks, format!("ddpui_orgtask {id}"), reason);
        }
        self.task_dups = dups.into_iter().map(|(id, (kept, _))| (id, kept)).collect();
    }

    /// The dalgo org task a source org task id became (a duplicate's is
    /// the one kept).
    fn org_task(&self, id: i64) -> std::result::Result<i64, String> {
        let id = self.task_dups.get(&id).copied().unwrap_or(id);
        self.ids
            .org_tasks
            .get(&id)
            .copied()
            .ok_or_else(|| format!("its org task (ddpui_orgtask {id}) was not imported"))
    }

    pub(super) async fn pipelines(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let mut names: HashMap<(i64, &str), usize> = HashMap::new();
        let mut deployments: HashMap<&str, usize> = HashMap::new();
        for d in &self.src.dataflows {
            *names.entry((d.org_id, d.name.as_str())).or_default() += 1;
            if let Some(n) = &d.deployment_name {
                *deployments.entry(n.as_str()).or_default() += 1;
            }
        }
        let mut rows: Vec<(&source::Dataflow, i64, &str)> = Vec::new();
        for d in &self.src.dataflows {
            let checked = (|| {
                let (org, _) = self.org_of(d.org_id)?;
                let deployment =
                    d.deployment_name.as_deref().ok_or("it has no deployment name (it never got a deployment)")?;
                if names[&(d.org_id, d.name.as_str())] > 1 {
                    return Err(format!("another dataflow of its org is named {:?}", d.name));
                }
                if deployments[deployment] > 1
                    || d.name.trim().is_empty()
                    || !["orchestrate", "manual"].contains(&d.dataflow_type.as_str())
                {
                    return Err(format!(
                        "deployment name {deployment:?} is shared, or the name or type {:?} is not dalgo's",
                        d.dataflow_type
                    ));
                }
                Ok((org, deployment))
            })();
            match checked {
                Ok((org, deployment)) => rows.push((d, org, deployment)),
                Err(reason) => self.refuse(Table::Pipelines, format!("ddpui_orgdataflowv1 {}", d.id), reason),
            }
        }
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO pipelines (org_id, name, deployment_name, deployment_id, cron, dataflow_type, created_at, updated_at)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::timestamptz[], $8::timestamptz[])
             ON CONFLICT (deployment_name) DO UPDATE SET name = excluded.name, deployment_id = excluded.deployment_id,
                 cron = excluded.cron, dataflow_type = excluded.dataflow_type, updated_at = excluded.updated_at
             WHERE (pipelines.name, pipelines.deployment_id, pipelines.cron, pipelines.dataflow_type)
                   IS DISTINCT FROM (excluded.name, excluded.deployment_id, excluded.cron, excluded.dataflow_type)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.to_string()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.deployment_id.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.cron.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.dataflow_type.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.updated_at).collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .within()
        .await?;
        let names: Vec<String> = rows.iter().map(|r| r.2.to_string()).collect();
        let ids: HashMap<String, i64> =
            sqlx::query_as("SELECT deployment_name, id FROM pipelines WHERE deployment_name = ANY($1)")
                .bind(&names)
                .fetch_all(&mut *c)
                .within()
                .await?
                .into_iter()
                .collect();
        self.ids.pipelines = rows.iter().filter_map(|r| ids.get(r.2).map(|id| (r.0.id, *id))).collect();
        Ok(counted(rows.len(), inserted.into_iter()))
    }

    /// Each pipeline's steps, numbered from 0 in Django's (seq, id) order,
    /// a task once per pipeline. A pipeline whose steps differ from
    /// dalgo's gets its whole list again.
    pub(super) async fn pipeline_tasks(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let mut wanted: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for s in &self.src.steps {
            let Some(pipeline) = self.ids.pipelines.get(&s.dataflow_id).copied() else { continue };
            let steps = wanted.entry(pipeline).or_default();
            match self.org_task(s.orgtask_id) {
                Ok(t) if steps.contains(&t) => {
                    let reason = "its task is an earlier step of the same pipeline already";
                    self.refuse(Table::PipelineTasks, format!("ddpui_datafloworgtask {}", s.id), reason);
                }
                Ok(t) => steps.push(t),
                Err(reason) => self.refuse(Table::PipelineTasks, format!("ddpui_datafloworgtask {}", s.id), reason),
            }
        }
        let pipelines: Vec<i64> = wanted.keys().copied().collect();
        let current: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT pipeline_id, org_task_id FROM pipeline_tasks WHERE pipeline_id = ANY($1) ORDER BY pipeline_id, seq",
        )
        .bind(&pipelines)
        .fetch_all(&mut *c)
        .within()
        .await?;
        let mut have: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (p, t) in current {
            have.entry(p).or_default().push(t);
        }
        let mut counts = Counts::default();
        let (mut ps, mut ts, mut seqs) = (Vec::new(), Vec::new(), Vec::new());
        for (p, steps) in &wanted {
            let n = steps.len() as u64;
            match have.get(p) {
                Some(h) if h == steps => counts.unchanged += n,
                Some(_) => counts.changed += n,
                None => counts.new += n,
            }
            if have.get(p) != Some(steps) {
                for (seq, t) in steps.iter().enumerate() {
                    ps.push(*p);
                    ts.push(*t);
                    seqs.push(seq as i32);
                }
            }
        }
        sqlx::query("DELETE FROM pipeline_tasks WHERE pipeline_id = ANY($1)")
            .bind(&ps)
            .execute(&mut *c)
            .within()
            .await?;
        sqlx::query("INSERT INTO pipeline_tasks (pipeline_id, org_task_id, seq) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::int[])")
            .bind(&ps)
            .bind(&ts)
            .bind(&seqs)
            .execute(&mut *c)
            .within()
            .await?;
        Ok(counts)
    }

    /// Locks as Django holds them: by the locking member's address, no
    /// flow run for Django's `''`.
    pub(super) async fn locks(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let mut rows: BTreeMap<i64, (&source::Lock, String, Option<i64>)> = BTreeMap::new();
        for l in &self.src.locks {
            let checked = (|| {
                let task = self.org_task(l.orgtask_id)?;
                let by =
                    l.user_id.and_then(|u| self.ids.users.get(&u)).ok_or("the member who took it was not imported")?;
                if rows.contains_key(&task) {
                    return Err("its org task is locked by another lock already (a duplicate task's)".to_string());
                }
                Ok((task, by.1.clone()))
            })();
            match checked {
                Ok((task, by)) => {
                    let pipeline = l.locking_dataflow_id.and_then(|d| self.ids.pipelines.get(&d).copied());
                    rows.insert(task, (l, by, pipeline));
                }
                Err(reason) => self.refuse(Table::TaskLocks, format!("ddpui_tasklock {}", l.id), reason),
            }
        }
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO task_locks (org_task_id, locked_by, locked_at, flow_run_id, pipeline_id)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[])
             ON CONFLICT (org_task_id) DO UPDATE SET locked_by = excluded.locked_by, locked_at = excluded.locked_at,
                 flow_run_id = excluded.flow_run_id, pipeline_id = excluded.pipeline_id
             WHERE (task_locks.locked_by, task_locks.locked_at, task_locks.flow_run_id, task_locks.pipeline_id)
                   IS DISTINCT FROM (excluded.locked_by, excluded.locked_at, excluded.flow_run_id, excluded.pipeline_id)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.keys().copied().collect::<Vec<_>>())
        .bind(rows.values().map(|r| r.1.clone()).collect::<Vec<_>>())
        .bind(rows.values().map(|r| r.0.locked_at).collect::<Vec<_>>())
        .bind(rows.values().map(|r| Some(r.0.flow_run_id.clone()).filter(|f| !f.is_empty())).collect::<Vec<_>>())
        .bind(rows.values().map(|r| r.2).collect::<Vec<_>>())
        .fetch_all(c)
        .within()
        .await?;
        Ok(counted(rows.len(), inserted.into_iter()))
    }

    /// Run history, one row per flow run (the newest of Django's copies),
    /// with the org and pipeline its deployment belongs to; a deleted
    /// deployment's runs belong to none. A row dalgo updated after
    /// Django's (a run it has synced since) is left as dalgo has it.
    pub(super) async fn flow_runs(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let by_deployment: HashMap<&str, &source::Dataflow> =
            self.src.dataflows.iter().filter_map(|d| d.deployment_id.as_deref().map(|id| (id, d))).collect();
        let src = self.src;
        let (newest, passed) =
            super::newest(src.flow_runs.iter().map(|r| (r.flow_run_id.as_str(), r)), |r: &source::FlowRun| {
                (r.updated_at, r.id)
            });
        for (old, new) in passed {
            let reason = format!("a second copy of the run in ddpui_prefectflowrun {} (the newest is kept)", new.id);
            self.refuse(Table::FlowRuns, format!("ddpui_prefectflowrun {}", old.id), reason);
        }
        let owner = |r: &source::FlowRun| {
            let d = r.deployment_id.as_deref().and_then(|id| by_deployment.get(id));
            let org = d.and_then(|d| self.ids.orgs.get(&d.org_id)).map(|o| o.0);
            (org, d.and_then(|d| self.ids.pipelines.get(&d.id).copied()))
        };
        let rows: Vec<(&source::FlowRun, Option<i64>, Option<i64>)> = newest
            .values()
            .map(|r| {
                let (org, pipeline) = owner(r);
                (*r, org, pipeline)
            })
            .collect();
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO flow_runs (flow_run_id, org_id, pipeline_id, deployment_id, name, state_type, state_name,
                                    start_time, expected_start_time, total_run_time, created_at, updated_at)
             SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                                  $8::timestamptz[], $9::timestamptz[], $10::float8[], $11::timestamptz[], $12::timestamptz[])
             ON CONFLICT (flow_run_id) DO UPDATE SET org_id = excluded.org_id, pipeline_id = excluded.pipeline_id,
                 deployment_id = excluded.deployment_id, name = excluded.name, state_type = excluded.state_type,
                 state_name = excluded.state_name, start_time = excluded.start_time,
                 expected_start_time = excluded.expected_start_time, total_run_time = excluded.total_run_time,
                 updated_at = excluded.updated_at
             WHERE (flow_runs.org_id, flow_runs.pipeline_id, flow_runs.deployment_id, flow_runs.name, flow_runs.state_type,
                    flow_runs.state_name, flow_runs.start_time, flow_runs.expected_start_time, flow_runs.total_run_time)
                   IS DISTINCT FROM (excluded.org_id, excluded.pipeline_id, excluded.deployment_id, excluded.name,
                    excluded.state_type, excluded.state_name, excluded.start_time, excluded.expected_start_time,
                    excluded.total_run_time)
               -- What dalgo learnt later (a run it synced since) is never put back to Django's older row.
               AND flow_runs.updated_at <= excluded.updated_at
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.0.flow_run_id.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.deployment_id.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.status.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.state_name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.start_time).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.expected_start_time).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.total_run_time).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.updated_at).collect::<Vec<_>>())
        .fetch_all(c)
        .within()
        .await?;
        Ok(counted(rows.len(), inserted.into_iter()))
    }

    /// Airbyte jobs, with the org whose org task syncs their connection.
    pub(super) async fn airbyte_jobs(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let by_connection: HashMap<&str, i64> = self
            .src
            .org_tasks
            .iter()
            .filter_map(|t| t.connection_id.as_deref().and_then(|conn| Some((conn, self.ids.orgs.get(&t.org_id)?.0))))
            .collect();
        let jobs = &self.src.airbyte_jobs;
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO airbyte_jobs (job_id, org_id, connection_id, job_type, status, records, bytes, started_at,
                                       ended_at, created_at, updated_at)
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                                  $7::bigint[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[])
             ON CONFLICT (job_id) DO UPDATE SET org_id = excluded.org_id, status = excluded.status,
                 records = excluded.records, bytes = excluded.bytes, started_at = excluded.started_at,
                 ended_at = excluded.ended_at, updated_at = excluded.updated_at
             WHERE (airbyte_jobs.org_id, airbyte_jobs.status, airbyte_jobs.records, airbyte_jobs.bytes,
                    airbyte_jobs.started_at, airbyte_jobs.ended_at)
                   IS DISTINCT FROM (excluded.org_id, excluded.status, excluded.records, excluded.bytes,
                    excluded.started_at, excluded.ended_at)
               AND airbyte_jobs.updated_at <= excluded.updated_at
             {RETURNING_INSERTED}"
        )))
        .bind(jobs.iter().map(|j| j.job_id).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| by_connection.get(j.config_id.as_str()).copied()).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.config_id.clone()).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.job_type.clone()).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.status.clone()).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.records_committed.max(0)).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.bytes_committed.max(0)).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.started_at).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.ended_at).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.created_at).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.updated_at).collect::<Vec<_>>())
        .fetch_all(c)
        .within()
        .await?;
        Ok(counted(jobs.len(), inserted.into_iter()))
    }
}
