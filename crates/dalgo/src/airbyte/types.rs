//! Airbyte's Config API objects, as dalgo reads them. Every struct keeps the
//! fields it does not name in `extra`, and every enum has an `Unknown` case,
//! so newer servers' additions are carried along, never fatal.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

type Extra = Map<String, Value>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub workspace_id: String,
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A connector definition's specification: the JSON Schema its config must meet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionSpec {
    #[serde(default)]
    pub connection_specification: Value,
    pub documentation_url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Succeeded,
    Failed,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub status: CheckStatus,
    pub message: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Active,
    Inactive,
    Deprecated,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub connection_id: String,
    pub name: String,
    pub source_id: String,
    pub destination_id: String,
    pub status: ConnectionStatus,
    #[serde(default)]
    pub sync_catalog: Value,
    pub schedule_type: Option<String>,
    pub namespace_definition: Option<String>,
    pub namespace_format: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Connection {
    /// The catalog's entries of the streams selected for sync.
    pub fn selected(&self) -> impl Iterator<Item = &Value> {
        streams(&self.sync_catalog).filter(|s| s.pointer("/config/selected").and_then(Value::as_bool).unwrap_or(true))
    }

    /// Names of the streams selected for sync.
    pub fn selected_streams(&self) -> Vec<String> {
        self.selected().filter_map(|s| s.pointer("/stream/name").and_then(Value::as_str).map(String::from)).collect()
    }
}

/// The streams of a catalog (`{"streams": [{"stream": …, "config": …}]}`).
pub fn streams(catalog: &Value) -> impl Iterator<Item = &Value> {
    catalog.get("streams").and_then(Value::as_array).into_iter().flatten()
}

string_enum! {
    /// A job's status, as Airbyte spells it (and dalgo records it); a status
    /// a newer Airbyte adds reads as `Unknown`.
    pub enum JobStatus {
        Pending => "pending",
        Running => "running",
        Incomplete => "incomplete",
        Failed => "failed",
        Succeeded => "succeeded",
        Cancelled => "cancelled",
        Unknown => "unknown",
    } else Unknown
}

impl JobStatus {
    /// Final: succeeded, failed or cancelled (`incomplete` may still retry).
    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled)
    }
}

string_enum! {
    /// An attempt's status, as Airbyte spells it.
    pub enum AttemptStatus {
        Running => "running",
        Failed => "failed",
        Succeeded => "succeeded",
        Unknown => "unknown",
    } else Unknown
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStats {
    pub records_emitted: Option<i64>,
    pub bytes_emitted: Option<i64>,
    pub records_committed: Option<i64>,
    pub bytes_committed: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A job; its timestamps are epoch seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: i64,
    pub config_type: String,
    pub config_id: String,
    pub status: JobStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub aggregated_stats: Option<JobStats>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Job {
    /// Records and bytes so far: committed when known, else emitted.
    pub fn progress(&self) -> (i64, i64) {
        let s = self.aggregated_stats.clone().unwrap_or_default();
        (s.records_committed.or(s.records_emitted).unwrap_or(0), s.bytes_committed.or(s.bytes_emitted).unwrap_or(0))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub id: i64,
    pub status: AttemptStatus,
    pub records_synced: Option<i64>,
    pub bytes_synced: Option<i64>,
    pub ended_at: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An attempt's logs: plain lines (before 1.2, or `formatted`) or structured events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Logs {
    Lines {
        #[serde(rename = "logLines")]
        log_lines: Vec<String>,
    },
    Events {
        events: Vec<LogEvent>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    pub timestamp: Option<i64>,
    pub message: String,
    pub level: Option<String>,
    pub log_source: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Logs {
    /// One line per entry, whichever format the server used.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Logs::Lines { log_lines } => log_lines.clone(),
            Logs::Events { events } => events
                .iter()
                .map(|e| match (&e.level, &e.log_source) {
                    (Some(l), Some(s)) => format!("{} {s} {}", l.to_uppercase(), e.message),
                    (Some(l), None) => format!("{} {}", l.to_uppercase(), e.message),
                    _ => e.message.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptInfo {
    pub attempt: Attempt,
    pub logs: Option<Logs>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    pub job: Job,
    #[serde(default)]
    pub attempts: Vec<AttemptInfo>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_job_statuses_read_back_as_themselves() {
        use JobStatus::*;
        for status in [Pending, Running, Incomplete, Failed, Succeeded, Cancelled, Unknown] {
            assert_eq!(JobStatus::try_from(status.as_str().to_string()).unwrap(), status);
        }
        assert_eq!(JobStatus::try_from("paused".to_string()).unwrap(), Unknown);
    }

    #[test]
    fn newer_servers_fields_and_values_are_tolerated() {
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": 7, "configType": "clear", "configId": "c", "status": "queued_for_the_future",
            "createdAt": 1, "updatedAt": 2, "streamAggregatedStats": [], "aggregatedStats": {"recordsEmitted": 5, "recordsRejected": 0}
        }))
        .unwrap();
        assert_eq!(job.status, JobStatus::Unknown);
        assert_eq!(job.config_type, "clear");
        assert_eq!(job.progress(), (5, 0));
        assert!(job.extra.contains_key("streamAggregatedStats"));
    }

    #[test]
    fn both_log_formats_read_as_lines() {
        let plain: Logs = serde_json::from_value(serde_json::json!({"logLines": ["a", "b"]})).unwrap();
        assert_eq!(plain.lines(), ["a", "b"]);
        let structured: Logs = serde_json::from_value(serde_json::json!({
            "events": [{"timestamp": 1, "message": "hello", "level": "info", "logSource": "platform"}], "version": "1"
        }))
        .unwrap();
        assert_eq!(structured.lines(), ["INFO platform hello"]);
    }
}
