//! A run's shape in Prefect, as Dalgo's Python flow leaves it: each task a
//! subflow run under a wrapper task run of the parent (whose state copies
//! the subflow's), and the task's log lines on the subflow run, sent in
//! batches.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::error::Result;
use crate::prefect::Client;

/// Prefect's log levels.
pub const INFO: i64 = 20;
pub const WARNING: i64 = 30;
pub const ERROR: i64 = 40;

/// How a task (a subflow run) ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    Completed,
    /// A failing dbt test: completed, with Dalgo's state name.
    TestFailed,
    Failed(String),
    /// Stopped: cancelled in Prefect, or its worker shut down.
    Cancelled(String),
}

impl End {
    /// The subflow's state name, as Prefect shows it.
    pub fn state_name(&self) -> &'static str {
        match self {
            End::Completed => "Completed",
            End::TestFailed => crate::pipeline::DBT_TEST_FAILED,
            End::Failed(_) => "Failed",
            End::Cancelled(_) => "Cancelled",
        }
    }

    pub fn state(&self) -> Value {
        let (kind, message) = match self {
            End::Completed => ("COMPLETED", None),
            End::TestFailed => ("COMPLETED", Some("dbt tests failed")),
            End::Failed(m) => ("FAILED", Some(m.as_str())),
            End::Cancelled(m) => ("CANCELLED", Some(m.as_str())),
        };
        let mut state = json!({ "type": kind, "name": self.state_name() });
        if let Some(m) = message {
            state["message"] = json!(m);
        }
        state
    }
}

fn running() -> Value {
    json!({ "type": "RUNNING", "name": "Running" })
}

/// A subflow run and the wrapper task run in its parent.
#[derive(Debug, Clone)]
pub struct Node {
    pub task_run: String,
    pub flow_run: String,
}

/// Makes the subflow runs of one parent run and carries their log lines.
pub struct Tree<'a> {
    client: &'a Client,
    /// Flow ids by flow name, shared by the worker's runs.
    flows: &'a Mutex<HashMap<&'static str, String>>,
    /// How many task runs of each task key each flow run has (Prefect's
    /// dynamic key: `shellopjob-0`, `shellopjob-1`, …).
    counters: Mutex<HashMap<(String, &'static str), usize>>,
    logs: Mutex<Vec<Value>>,
}

impl<'a> Tree<'a> {
    pub fn new(client: &'a Client, flows: &'a Mutex<HashMap<&'static str, String>>) -> Tree<'a> {
        Tree { client, flows, counters: Mutex::default(), logs: Mutex::default() }
    }

    async fn flow_id(&self, name: &'static str) -> Result<String> {
        if let Some(id) = lock(self.flows).get(name) {
            return Ok(id.clone());
        }
        let id = self.client.ensure_flow(name).await?;
        lock(self.flows).insert(name, id.clone());
        Ok(id)
    }

    /// A running subflow run `run_name` of flow `flow` under a new running
    /// task run of `parent`, as Prefect files a subflow call: the task run is
    /// named `<flow>-<n>`, its key is the flow function's name.
    pub async fn child(
        &self,
        parent: &str,
        task_key: &'static str,
        flow: &'static str,
        run_name: &str,
    ) -> Result<Node> {
        let n = {
            let mut counters = lock(&self.counters);
            let n = counters.entry((parent.to_string(), task_key)).or_insert(0);
            *n += 1;
            *n - 1
        };
        let wrapper = format!("{flow}-{n}");
        let task = self.client.create_task_run(parent, &wrapper, (task_key, &n.to_string()), running()).await?;
        let flow_id = self.flow_id(flow).await?;
        let run = self.client.create_child_flow_run(&flow_id, run_name, &task.id, running()).await?;
        Ok(Node { task_run: task.id, flow_run: run.id })
    }

    /// Ends a subflow run, and its wrapper with the same state.
    pub async fn finish(&self, node: &Node, end: &End) -> Result<()> {
        self.flush().await;
        self.client.set_state(&node.flow_run, end.state()).await?;
        self.client.set_task_state(&node.task_run, end.state()).await
    }

    /// A log line of a flow run, sent with the next batch.
    /// Terminal colour codes (dbt colours its lines even into a pipe) are
    /// left out: Prefect's UI would show them as text.
    pub fn log(&self, flow_run: &str, level: i64, message: &str) {
        let message = without_ansi(message);
        lock(&self.logs).push(json!({ "name": "dalgo.worker", "level": level, "message": message,
                                      "timestamp": Utc::now(), "flow_run_id": flow_run }));
    }

    /// Sends the lines gathered so far. Lines Prefect did not take are kept
    /// for the next batch (up to a bound, so a Prefect outage cannot grow
    /// the worker without limit).
    pub async fn flush(&self) {
        let batch = std::mem::take(&mut *lock(&self.logs));
        if batch.is_empty() {
            return;
        }
        if let Err(e) = self.client.send_logs(&batch).await {
            tracing::warn!("could not send {} log lines to Prefect: {e}", batch.len());
            let mut logs = lock(&self.logs);
            if logs.len() + batch.len() <= MAX_UNSENT {
                logs.splice(0..0, batch);
            }
        }
    }

    /// Runs `work`, sending its log lines every [`FLUSH_EVERY`] meanwhile.
    pub async fn flushing<T>(&self, work: impl Future<Output = T>) -> T {
        let mut work = std::pin::pin!(work);
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        loop {
            tokio::select! {
                out = &mut work => {
                    self.flush().await;
                    return out;
                }
                _ = tick.tick() => self.flush().await,
            }
        }
    }
}

/// How often a running task's lines are sent.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
const MAX_UNSENT: usize = 10_000;

/// A poisoned lock still holds usable data (a log buffer, a cache).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `text` without ANSI escape sequences (`ESC [ … final byte`, and any
/// other `ESC` with the character after it).
fn without_ansi(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\x1b') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            // Parameters and intermediates, up to the final byte (@ to ~).
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn colour_codes_are_left_out_of_log_lines() {
        let dbt = "\x1b[32mPASS\x1b[0m=2 \x1b[1;31mERROR\x1b[0m=0 \x1b(B done";
        assert_eq!(super::without_ansi(dbt), "PASS=2 ERROR=0 B done");
        assert!(matches!(super::without_ansi("plain"), std::borrow::Cow::Borrowed("plain")));
    }
}
