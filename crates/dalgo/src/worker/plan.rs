//! What a flow run of Dalgo's pipeline flow asks for, read from its
//! parameters (`{"config": {"tasks": […], "org_slug", "continue_on_sync_failure"}}`)
//! before the run is claimed. The parameters are a request, never an
//! authority: what a task names beyond its work (its org task, directories,
//! blocks, environment) is kept as asked, for [`super::vouch`] to hold
//! against dalgo's database. A run with a task this worker does not do
//! (Elementary's report, any other shell command) is left for other workers.

use serde_json::Value;

use crate::airbyte::StreamRef;
use crate::dbt::Command;

/// Dalgo's pipeline flows: the current one, and the legacy one (same tasks).
const FLOWS: [&str; 2] = ["deployment_schedule_flow_v5", "deployment_schedule_flow_v4"];

/// Whether a deployment's entrypoint (`path/file.py:function`) is Dalgo's pipeline flow.
pub fn is_pipeline_flow(entrypoint: &str) -> bool {
    entrypoint.rsplit(':').next().is_some_and(|f| FLOWS.contains(&f))
}

/// One task of a run, as the worker does it.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// An Airbyte sync of a connection of the org.
    AirbyteSync { connection: String },
    /// Airbyte's clear of a connection of the org: all its streams, or these.
    AirbyteClear { connection: String, streams: Vec<StreamRef> },
    /// The schema change of a connection of the org approved as this catalog diff.
    UpdateSchema { connection: String, catalog_diff: Value },
    /// A dbt command in the org's project with the org's profile; `args`
    /// after dalgo's own (`--select`, `--target`, …).
    Dbt { command: Command, args: Vec<String> },
    /// `git pull` of the org's clone.
    GitPull,
    /// Dalgo's `git clone` (a fresh clone per run on ephemeral machines):
    /// the org's clone made when missing, else pulled.
    GitClone,
}

impl Work {
    /// The connection an Airbyte task acts on.
    pub fn connection(&self) -> Option<&str> {
        match self {
            Work::AirbyteSync { connection }
            | Work::AirbyteClear { connection, .. }
            | Work::UpdateSchema { connection, .. } => Some(connection),
            Work::Dbt { .. } | Work::GitPull | Work::GitClone => None,
        }
    }
}

/// A task: its slug (which names its subflow run), its work, and what it
/// asks for beyond its work.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub slug: String,
    pub work: Work,
    /// `orgtask_uuid`: the org task it claims to be.
    pub org_task: Option<String>,
    /// Its `commands`, as given.
    pub commands: Vec<String>,
    /// The places and names it gives (`project_dir`, `profiles_dir`,
    /// `working_dir`, `airbyte_server_block`, and each `env.<name>`), as given.
    pub asked: Vec<(String, String)>,
}

impl Step {
    pub fn is_sync(&self) -> bool {
        matches!(self.work, Work::AirbyteSync { .. })
    }

    /// A failing `dbt-test` completes with Dalgo's DBT_TEST_FAILED and the run goes on.
    pub fn is_dbt_test(&self) -> bool {
        self.slug == "dbt-test"
    }
}

/// A run's tasks in `seq` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The org the parameters name (`org_slug`), as given: a request the
    /// database must agree with.
    pub org_slug: Option<String>,
    pub steps: Vec<Step>,
    pub continue_on_sync_failure: bool,
}

/// The plan of a run's parameters, or why this worker leaves the run alone.
pub fn plan(parameters: &Value) -> Result<Plan, String> {
    let config = parameters.get("config").ok_or("its parameters have no config")?;
    let mut tasks: Vec<&Value> =
        config.get("tasks").and_then(Value::as_array).ok_or("its config has no tasks")?.iter().collect();
    tasks.sort_by_key(|t| t.get("seq").and_then(Value::as_i64).unwrap_or(0));
    let org_slug = match config.get("org_slug") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v.as_str().map_or_else(|| v.to_string(), String::from)),
    };
    let steps = tasks.into_iter().map(step).collect::<Result<Vec<_>, _>>()?;
    let continue_on_sync_failure = config.get("continue_on_sync_failure").and_then(Value::as_bool).unwrap_or(false);
    Ok(Plan { org_slug, steps, continue_on_sync_failure })
}

fn step(task: &Value) -> Result<Step, String> {
    let field = |k: &str| task.get(k).and_then(Value::as_str);
    let slug = field("slug").ok_or("a task has no slug")?.to_string();
    let kind = field("type").unwrap_or_default();
    let work = match (kind, slug.as_str()) {
        ("Airbyte Connection", "airbyte-sync") => Work::AirbyteSync {
            connection: field("connection_id").ok_or("an airbyte-sync task has no connection_id")?.into(),
        },
        ("Airbyte Connection", "update-schema") => Work::UpdateSchema {
            connection: field("connection_id").ok_or("an update-schema task has no connection_id")?.into(),
            catalog_diff: task
                .get("catalog_diff")
                .filter(|d| d.is_object())
                .cloned()
                .ok_or("an update-schema task has no catalog_diff")?,
        },
        ("Airbyte Connection", "airbyte-clear") => Work::AirbyteClear {
            connection: field("connection_id").ok_or("an airbyte-clear task has no connection_id")?.into(),
            streams: match task.get("streams") {
                None | Some(Value::Null) => Vec::new(),
                Some(v) => serde_json::from_value(v.clone())
                    .map_err(|e| format!("the streams of airbyte-clear task {slug} are not Airbyte's: {e}"))?,
            },
        },
        ("dbt Core Operation", _) => {
            let commands = strings(task.get("commands"));
            let [line] = commands.as_slice() else {
                return Err(format!("dbt task {slug} has {} commands; this worker runs one per task", commands.len()));
            };
            dbt_work(line).ok_or_else(|| format!("dbt task {slug} runs {line:?}, which this worker does not run"))?
        }
        ("Shell Operation", "git-pull") => Work::GitPull,
        ("Shell Operation", "git-clone") => Work::GitClone,
        ("Shell Operation", _) => {
            return Err(format!(
                "shell task {slug} is not run by this worker (it runs Dalgo's git-pull and git-clone, never a \
                 deployment's own commands)"
            ));
        }
        (other, slug) => return Err(format!("task {slug} of type {other:?} is not run by this worker")),
    };
    let org_task = field("orgtask_uuid").map(String::from);
    Ok(Step { slug, work, org_task, commands: strings(task.get("commands")), asked: asked(task) })
}

/// The fields of a task that name places and blocks, and its environment,
/// as given (a value that is not text as its JSON).
const ASKED: [&str; 4] = ["project_dir", "profiles_dir", "working_dir", "airbyte_server_block"];

fn asked(task: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), String::from);
    let fields = ASKED.iter().filter_map(|k| task.get(*k).filter(|v| !v.is_null()).map(|v| (k.to_string(), text(v))));
    let env = task.get("env").and_then(Value::as_object).into_iter().flatten();
    fields.chain(env.map(|(k, v)| (format!("env.{k}"), text(v)))).collect()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
}

/// `/path/to/dbt run --select x` as a dbt command and its extra arguments
/// (the binary is dalgo's own dbt, as Dalgo's flow uses its worker's).
pub(super) fn dbt_work(line: &str) -> Option<Work> {
    let words = shlex::split(line)?;
    let rest = words.get(1..)?;
    let (command, used) = match rest {
        [first, second, ..] if first == "docs" && second == "generate" => (Command::DocsGenerate, 2),
        [first, ..] => (
            match first.as_str() {
                "run" => Command::Run,
                "test" => Command::Test,
                "seed" => Command::Seed,
                "deps" => Command::Deps,
                "clean" => Command::Clean,
                "build" => Command::Build,
                _ => return None,
            },
            1,
        ),
        [] => return None,
    };
    Some(Work::Dbt { command, args: rest[used..].to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_flow_is_known_by_its_function() {
        assert!(is_pipeline_flow("proxy/prefect_flows_runner.py:deployment_schedule_flow_v5"));
        assert!(is_pipeline_flow("proxy/prefect_flows.py:deployment_schedule_flow_v4"));
        assert!(!is_pipeline_flow("flows/etl.py:main"));
    }

    #[test]
    fn tasks_are_read_in_seq_order_and_unknown_ones_leave_the_run() {
        let params = json!({ "config": { "org_slug": "acme", "continue_on_sync_failure": true, "tasks": [
            { "seq": 2, "slug": "dbt-test", "type": "dbt Core Operation", "commands": ["/v/bin/dbt test --select 'a b'"] },
            { "seq": 1, "slug": "airbyte-sync", "type": "Airbyte Connection", "connection_id": "c1" },
            { "seq": 3, "slug": "git-pull", "type": "Shell Operation", "commands": ["git pull"] },
        ] } });
        let p = plan(&params).unwrap();
        assert!(p.continue_on_sync_failure);
        assert_eq!(p.steps[0].work, Work::AirbyteSync { connection: "c1".into() });
        assert_eq!(p.steps[1].work, Work::Dbt { command: Command::Test, args: vec!["--select".into(), "a b".into()] });
        assert!(p.steps[1].is_dbt_test());
        assert_eq!((&p.steps[2].work, p.steps[2].commands.as_slice()), (&Work::GitPull, &["git pull".to_string()][..]));

        // Elementary's report and any shell command of the deployment's own are not this worker's.
        for (slug, command) in [("generate-edr", "edr report"), ("shell-echo", "cat /etc/shadow")] {
            let shell = json!({ "config": { "org_slug": "acme", "tasks": [
                { "seq": 1, "slug": slug, "type": "Shell Operation", "commands": [command] } ] } });
            assert!(plan(&shell).unwrap_err().contains(&format!("shell task {slug} is not run")));
        }

        // Airbyte tasks whose fields are not Dalgo's leave the run too.
        let airbyte = |task: Value| json!({ "config": { "org_slug": "acme", "tasks": [task] } });
        let no_diff = airbyte(json!({ "slug": "update-schema", "type": "Airbyte Connection", "connection_id": "c1" }));
        assert!(plan(&no_diff).unwrap_err().contains("no catalog_diff"));
        let bad_streams =
            airbyte(json!({ "slug": "airbyte-clear", "type": "Airbyte Connection", "connection_id": "c1",
                                          "streams": [{ "name": "orders" }] }));
        assert!(plan(&bad_streams).unwrap_err().contains("streams"));
        let streams = airbyte(json!({ "slug": "airbyte-clear", "type": "Airbyte Connection", "connection_id": "c1",
                                      "streams": [{ "streamName": "orders" }] }));
        let clear = StreamRef { stream_name: "orders".into(), stream_namespace: None };
        assert_eq!(
            plan(&streams).unwrap().steps[0].work,
            Work::AirbyteClear { connection: "c1".into(), streams: vec![clear] }
        );
        let docs = dbt_work("dbt docs generate --no-compile").unwrap();
        assert_eq!(docs, Work::Dbt { command: Command::DocsGenerate, args: vec!["--no-compile".into()] });
    }

    #[test]
    fn what_a_task_asks_for_is_kept_as_given() {
        let params = json!({ "config": { "org_slug": 7, "tasks": [
            { "seq": 1, "slug": "dbt-run", "type": "dbt Core Operation", "commands": ["/v/bin/dbt run"],
              "orgtask_uuid": "u1", "project_dir": "/data/clients_dbt/acme/dbtrepo",
              "profiles_dir": "/data/clients_dbt/acme/dbtrepo/profiles/", "cli_args": [],
              "env": { "dbt-profile-secret-block": "dbt-profile-acme", "LD_PRELOAD": "/tmp/x.so" } },
        ] } });
        let p = plan(&params).unwrap();
        assert_eq!(p.org_slug.as_deref(), Some("7"), "a slug that is not text is kept, to be refused");
        let step = &p.steps[0];
        assert_eq!(step.org_task.as_deref(), Some("u1"));
        let asked: Vec<(&str, &str)> = step.asked.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            asked,
            [
                ("project_dir", "/data/clients_dbt/acme/dbtrepo"),
                ("profiles_dir", "/data/clients_dbt/acme/dbtrepo/profiles/"),
                ("env.LD_PRELOAD", "/tmp/x.so"),
                ("env.dbt-profile-secret-block", "dbt-profile-acme"),
            ]
        );
    }
}
