//! Airbyte jobs: triggering syncs and resets, following them to their end,
//! their logs, and dalgo's record of them.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{Value, json};

use super::Client;
use super::client::{Call, Wait};
use super::types::{AttemptInfo, AttemptStatus, Job, JobInfo, JobStatus};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, ErrorKind, Failure, Result};
use crate::org::Org;

/// Job types dalgo lists: the ones every server version since 0.58 knows.
const LISTED_TYPES: [&str; 2] = ["sync", "reset_connection"];

/// A stream of a connection, as Airbyte names it in `ConnectionStream`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamRef {
    pub stream_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_namespace: Option<String>,
}

/// The job to start on a connection.
#[derive(Debug, Clone, Copy)]
pub enum JobKind<'a> {
    Sync,
    /// A reset: synced data and cursors go.
    Reset,
    /// Airbyte's clear (a `reset_connection` job): the data the connection
    /// wrote and its cursors, of these streams only when there are any.
    Clear(&'a [StreamRef]),
}

/// Starts a job on a connection. A job already running is reported with its
/// id (exit 75).
pub(crate) async fn trigger(c: &Client, connection_id: &str, kind: JobKind<'_>) -> Result<Job> {
    let (path, body) = match kind {
        JobKind::Sync => ("/connections/sync", json!({ "connectionId": connection_id })),
        JobKind::Reset => ("/connections/reset", json!({ "connectionId": connection_id })),
        JobKind::Clear([]) => ("/connections/clear", json!({ "connectionId": connection_id })),
        JobKind::Clear(streams) => {
            ("/connections/clear/stream", json!({ "connectionId": connection_id, "streams": streams }))
        }
    };
    match c.post::<JobInfo>(path, &body, Call::Once, Wait::Normal).await {
        Ok(info) => Ok(info.job),
        Err(Error::Airbyte { failure: Failure::Busy, status: Some(409), message }) => {
            let running = list_jobs(c, connection_id, 5)
                .await
                .ok()
                .and_then(|jobs| jobs.into_iter().find(|j| !j.status.is_final()).map(|j| j.id));
            // The job may have ended between Airbyte's refusal and the list: still dalgo's words.
            let detail = running.map_or_else(
                || format!("a job was already running for connection {connection_id} (Airbyte: {message}); try again"),
                |id| format!("a sync is already running for connection {connection_id}, job {id}"),
            );
            Err(Error::Airbyte { failure: Failure::Busy, status: Some(409), message: detail })
        }
        Err(e) => Err(e),
    }
}

pub(crate) async fn get_job(c: &Client, id: i64) -> Result<Job> {
    let v: Value = c.post("/jobs/get_light", &json!({ "id": id }), Call::Safe, Wait::Normal).await?;
    serde_json::from_value(v.get("job").cloned().unwrap_or(Value::Null)).map_err(|e| Error::Airbyte {
        failure: Failure::Unexpected,
        status: None,
        message: format!("unexpected job from Airbyte: {e}"),
    })
}

/// A connection's latest jobs, newest first.
pub(crate) async fn list_jobs(c: &Client, connection_id: &str, limit: usize) -> Result<Vec<Job>> {
    let body = json!({
        "configTypes": LISTED_TYPES, "configId": connection_id,
        "pagination": { "pageSize": limit, "rowOffset": 0 },
    });
    let v: Value = c.post("/jobs/list", &body, Call::Safe, Wait::Normal).await?;
    let jobs = v.get("jobs").and_then(Value::as_array).cloned().unwrap_or_default();
    jobs.into_iter()
        .map(|j| {
            serde_json::from_value(j.get("job").cloned().unwrap_or(Value::Null)).map_err(|e| Error::Airbyte {
                failure: Failure::Unexpected,
                status: None,
                message: format!("unexpected job list from Airbyte: {e}"),
            })
        })
        .collect()
}

pub(crate) async fn cancel(c: &Client, id: i64) -> Result<Job> {
    let info: JobInfo = c.post("/jobs/cancel", &json!({ "id": id }), Call::Safe, Wait::Normal).await?;
    Ok(info.job)
}

/// One attempt's log lines.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptLogs {
    pub attempt: i64,
    pub status: AttemptStatus,
    pub lines: Vec<String>,
}

/// The logs of every attempt of a job, in order, in either of Airbyte's formats.
pub(crate) async fn job_logs(c: &Client, id: i64) -> Result<Vec<AttemptLogs>> {
    let info: JobInfo = c.post("/jobs/get_without_logs", &json!({ "id": id }), Call::Safe, Wait::Normal).await?;
    let mut out = Vec::with_capacity(info.attempts.len());
    for (n, a) in info.attempts.iter().enumerate() {
        let body = json!({ "jobId": id, "attemptNumber": n });
        let attempt: AttemptInfo = c.post("/attempt/get_for_job", &body, Call::Safe, Wait::Normal).await?;
        out.push(AttemptLogs {
            attempt: a.attempt.id,
            status: attempt.attempt.status,
            lines: attempt.logs.map(|l| l.lines()).unwrap_or_default(),
        });
    }
    Ok(out)
}

fn at(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

/// Records (or refreshes) a job in `airbyte_jobs`.
pub(crate) async fn record_job(db: &Db, org: Option<&Org>, connection_id: &str, job: &Job) -> Result<()> {
    let (records, bytes) = job.progress();
    let ended = job.status.is_final().then_some(job.updated_at);
    sqlx::query(
        "INSERT INTO airbyte_jobs (job_id, org_id, connection_id, job_type, status, records, bytes, started_at, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, records = EXCLUDED.records,
             bytes = EXCLUDED.bytes, started_at = COALESCE(EXCLUDED.started_at, airbyte_jobs.started_at),
             ended_at = EXCLUDED.ended_at, org_id = COALESCE(airbyte_jobs.org_id, EXCLUDED.org_id), updated_at = now()",
    )
    .bind(job.id)
    .bind(org.map(|o| o.id))
    .bind(connection_id)
    .bind(&job.config_type)
    .bind(job.status.as_str())
    .bind(records.max(0))
    .bind(bytes.max(0))
    .bind(at(job.started_at.or(Some(job.created_at))))
    .bind(at(ended))
    .execute(db.pool()).within()
    .await?;
    Ok(())
}

/// A job as dalgo recorded it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobRecord {
    pub job_id: i64,
    pub connection_id: String,
    pub job_type: String,
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
    pub records: i64,
    pub bytes: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// What happened to one connection's sync.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    Started { connection: String, job: i64 },
    Progress { connection: String, job: i64, status: JobStatus, records: i64, bytes: i64 },
    Failed { connection: String, error: String },
}

/// The end of one connection's sync.
#[derive(Debug, Clone, Serialize)]
pub struct SyncOutcome {
    pub connection_id: String,
    pub job_id: Option<i64>,
    pub status: Option<JobStatus>,
    /// Committed when Airbyte says, else emitted.
    pub records: i64,
    /// Read from the source, as Airbyte reports it (a failed job may have
    /// emitted records and committed none).
    pub records_emitted: i64,
    pub bytes: i64,
    /// Why Airbyte says a failed job failed (its last attempt's failure summary).
    pub failure: Option<String>,
    /// dalgo could not start or follow the job.
    pub error: Option<String>,
    #[serde(skip)]
    pub error_kind: Option<ErrorKind>,
}

impl SyncOutcome {
    pub fn succeeded(&self) -> bool {
        self.status == Some(JobStatus::Succeeded)
    }
}

/// How to run several syncs.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Follow each job to its end.
    pub wait: bool,
    /// How many connections to trigger and follow at once.
    pub concurrency: usize,
    pub poll: Duration,
}

/// How jobs are run: recorded in `db`, started and followed in Airbyte
/// (`client`) as `opts` say, each state change told to `on_event`.
#[derive(Clone, Copy)]
pub(crate) struct Jobs<'a> {
    pub db: &'a Db,
    pub client: &'a Client,
    pub opts: SyncOptions,
    pub on_event: &'a dyn Fn(SyncEvent),
}

/// Triggers a sync of each connection and, with `wait`, follows each job to
/// its end, `concurrency` at a time.
pub(crate) async fn sync_and_wait(jobs: Jobs<'_>, org: &Org, connections: &[String]) -> Vec<SyncOutcome> {
    futures_util::stream::iter(connections)
        .map(|conn| run_job(jobs, Some(org), conn, JobKind::Sync))
        .buffer_unordered(jobs.opts.concurrency.max(1))
        .collect()
        .await
}

/// Starts a job on a connection, records it (as the org's, when dalgo
/// knows the org) and, with `wait`, follows it to its end.
pub(crate) async fn run_job(jobs: Jobs<'_>, org: Option<&Org>, conn: &str, kind: JobKind<'_>) -> SyncOutcome {
    let Jobs { db, client: c, opts, on_event } = jobs;
    let failed = |e: Error, job: Option<i64>| {
        on_event(SyncEvent::Failed { connection: conn.to_string(), error: e.to_string() });
        SyncOutcome {
            connection_id: conn.to_string(),
            job_id: job,
            status: None,
            records: 0,
            records_emitted: 0,
            bytes: 0,
            failure: None,
            error: Some(e.to_string()),
            error_kind: Some(e.kind()),
        }
    };
    let mut job = match trigger(c, conn, kind).await {
        Ok(j) => j,
        Err(e) => return failed(e, None),
    };
    on_event(SyncEvent::Started { connection: conn.to_string(), job: job.id });
    if let Err(e) = record_job(db, org, conn, &job).await {
        return failed(e, Some(job.id));
    }
    let mut last = (job.status, job.progress());
    while opts.wait && !job.status.is_final() {
        tokio::time::sleep(opts.poll).await;
        job = match get_job(c, job.id).await {
            Ok(j) => j,
            Err(e) => return failed(e, Some(job.id)),
        };
        let now = (job.status, job.progress());
        if now != last {
            let (records, bytes) = now.1;
            on_event(SyncEvent::Progress {
                connection: conn.to_string(),
                job: job.id,
                status: job.status,
                records,
                bytes,
            });
            last = now;
        }
    }
    if let Err(e) = record_job(db, org, conn, &job).await {
        return failed(e, Some(job.id));
    }
    let (records, bytes) = job.progress();
    let failure = match job.status {
        JobStatus::Failed => failure_reason(c, job.id).await,
        _ => None,
    };
    SyncOutcome {
        connection_id: conn.to_string(),
        job_id: Some(job.id),
        status: Some(job.status),
        records,
        records_emitted: job.aggregated_stats.as_ref().and_then(|s| s.records_emitted).unwrap_or(records),
        bytes,
        failure,
        error: None,
        error_kind: None,
    }
}

/// The failure messages of a job's last attempt, as Airbyte summarises
/// them (`externalMessage`, else `internalMessage`); `None` when it says
/// nothing or cannot be asked.
pub(crate) async fn failure_reason(c: &Client, id: i64) -> Option<String> {
    let v: Value = c.post("/jobs/get_without_logs", &json!({ "id": id }), Call::Safe, Wait::Normal).await.ok()?;
    let attempt = v.get("attempts")?.as_array()?.last()?;
    let failures = attempt.get("attempt").unwrap_or(attempt).pointer("/failureSummary/failures")?.as_array()?;
    let messages: Vec<&str> = failures
        .iter()
        .filter_map(|f| f.get("externalMessage").or_else(|| f.get("internalMessage")).and_then(Value::as_str))
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}
