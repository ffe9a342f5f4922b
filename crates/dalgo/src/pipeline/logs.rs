//! A flow run's whole log. Dalgo's flow runs each task as a subflow run,
//! whose own task runs write the Airbyte and dbt output; the parent run holds
//! a tenth of the lines. [`LogStream`] gathers the run's subflows (at any
//! depth) and task runs, and yields every line in time order, named by the
//! task it came from, once; following, it goes on until the run has ended.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::error::Result;
use crate::prefect::{Client, FlowRun, LogEntry, PAGE, all_pages};

/// How deep subflows are looked for (Dalgo's flow nests one level).
const MAX_DEPTH: usize = 8;

/// While following, each read goes back this far before the newest line
/// seen, for lines a worker delivered late; lines already printed are known
/// by their id and skipped.
const LATE_LINES: chrono::Duration = chrono::Duration::seconds(30);

/// One log line, with the name of the task (or subflow) that wrote it.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    pub timestamp: DateTime<Utc>,
    pub level: i64,
    /// The task run's name, else the (sub)flow run's.
    pub task: String,
    pub message: String,
    pub flow_run_id: Option<String>,
    pub task_run_id: Option<String>,
}

/// A flow run and what ran under it: ids of the run and its subflow runs,
/// and the names of every flow and task run among them.
struct RunTree {
    flow_runs: Vec<String>,
    names: HashMap<String, String>,
}

impl RunTree {
    /// Finds the subflow runs level by level, then their task runs:
    /// `depth + 2` Prefect calls for a run whose subflows nest `depth` deep.
    async fn read(client: &Client, root: &FlowRun) -> Result<RunTree> {
        let mut names = HashMap::from([(root.id.clone(), root.name.clone())]);
        let mut flow_runs = vec![root.id.clone()];
        let mut frontier = vec![root.id.clone()];
        for _ in 0..MAX_DEPTH {
            let mut next = Vec::new();
            for chunk in frontier.chunks(PAGE) {
                let filter = json!({ "flow_runs": { "parent_flow_run_id": { "any_": chunk } } });
                let children = all_pages(|offset| client.filter_flow_runs(&filter, offset)).await?;
                for child in children {
                    if !names.contains_key(&child.id) {
                        names.insert(child.id.clone(), child.name.clone());
                        next.push(child.id);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            flow_runs.extend(next.iter().cloned());
            frontier = next;
        }
        for chunk in flow_runs.chunks(PAGE) {
            let filter = json!({ "flow_runs": { "id": { "any_": chunk } } });
            for t in all_pages(|offset| client.filter_task_runs(&filter, offset)).await? {
                names.insert(t.id, t.name);
            }
        }
        Ok(RunTree { flow_runs, names })
    }

    fn line(&self, e: LogEntry) -> LogLine {
        let name = |id: &Option<String>| id.as_ref().and_then(|i| self.names.get(i)).cloned();
        LogLine {
            timestamp: e.timestamp,
            level: e.level,
            task: name(&e.task_run_id).or_else(|| name(&e.flow_run_id)).unwrap_or_default(),
            message: e.message,
            flow_run_id: e.flow_run_id,
            task_run_id: e.task_run_id,
        }
    }
}

/// The lines of a flow run and everything under it, batch by batch.
pub struct LogStream<'a> {
    client: &'a Client,
    flow_run_id: String,
    follow: bool,
    poll: Duration,
    seen: HashSet<String>,
    newest: Option<DateTime<Utc>>,
    started: bool,
    done: bool,
}

impl<'a> LogStream<'a> {
    /// Without `follow`, one batch holds every line there is now; with it,
    /// batches come every `poll` until the run has ended.
    pub fn new(client: &'a Client, flow_run_id: &str, follow: bool, poll: Duration) -> Self {
        LogStream {
            client,
            flow_run_id: flow_run_id.to_string(),
            follow,
            poll,
            seen: HashSet::new(),
            newest: None,
            started: false,
            done: false,
        }
    }

    /// Whether it goes on until the run has ended.
    pub fn follows(&self) -> bool {
        self.follow
    }

    /// The next lines, oldest first (possibly none yet); `None` once all are
    /// out. The run's state is read before its lines, so the batch read
    /// after the run ended holds every line written before the end.
    pub async fn next(&mut self) -> Result<Option<Vec<LogLine>>> {
        if self.done {
            return Ok(None);
        }
        if std::mem::replace(&mut self.started, true) {
            tokio::time::sleep(self.poll).await;
        }
        let root = self.client.get_flow_run(&self.flow_run_id).await?;
        self.done = !self.follow || root.is_final();
        let tree = RunTree::read(self.client, &root).await?;
        let since = self.newest.map(|t| t - LATE_LINES);
        let entries = all_pages(|offset| self.client.logs(&tree.flow_runs, since, offset)).await?;
        let mut lines = Vec::with_capacity(entries.len());
        for e in entries {
            if !e.id.is_empty() && !self.seen.insert(e.id.clone()) {
                continue;
            }
            self.newest = self.newest.max(Some(e.timestamp));
            lines.push(tree.line(e));
        }
        Ok(Some(lines))
    }
}
