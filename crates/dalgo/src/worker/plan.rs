//! What a flow run of Dalgo's pipeline flow asks for, read from its
//! parameters (`{"config": {"tasks": […], "org_slug", "continue_on_sync_failure"}}`)
//! before the run is claimed: a run with a task this worker cannot do as
//! Dalgo's flow does it is left for other workers.

use std::path::{Path, PathBuf};

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
    /// Shell commands run one by one by `shell -c`, in `working_dir`.
    Shell { commands: Vec<String>, working_dir: Option<PathBuf>, env: Vec<(String, String)>, shell: String },
}

/// A task: its slug (which names its subflow run), its work, and what the
/// deployment says about where it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub slug: String,
    pub work: Work,
    pub deployed: Deployed,
}

/// What a task's fields name beyond its work, from which Dalgo's flow runs
/// it with nothing but Prefect: the directory it acts on, and the Prefect
/// block holding what it needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deployed {
    /// A dbt task's `project_dir`, git-pull's `working_dir`, git-clone's
    /// `working_dir` joined with its `env.project_dir`.
    pub dir: Option<PathBuf>,
    /// A dbt task's `profiles_dir`, where its profiles.yml is written.
    pub profiles_dir: Option<PathBuf>,
    /// The block an Airbyte task's server is in (`airbyte_server_block`), a
    /// dbt task's profile Secret (`env.dbt-profile-secret-block`), a git
    /// task's URL Secret (`env.secret-git-pull-url-block`).
    pub block: Option<String>,
    /// git-clone's repository when no Secret holds it (`env.gitrepo_url`).
    pub repo_url: Option<String>,
}

impl Step {
    /// Why the task cannot run from its deployment alone (for an org
    /// dalgo's database does not know), if it cannot.
    pub fn alone(&self) -> Result<(), String> {
        let d = &self.deployed;
        let need = |named: bool, name: &'static str| (!named).then_some(name);
        let missing = match &self.work {
            Work::AirbyteSync { .. } | Work::AirbyteClear { .. } | Work::UpdateSchema { .. } => {
                need(d.block.is_some(), "airbyte_server_block")
            }
            Work::Dbt { .. } => need(d.dir.is_some(), "project_dir")
                .or(need(d.profiles_dir.is_some(), "profiles_dir"))
                .or(need(d.block.is_some(), "env.dbt-profile-secret-block")),
            Work::GitPull => need(d.dir.is_some(), "working_dir"),
            Work::GitClone => need(d.dir.is_some(), "working_dir and env.project_dir").or(need(
                d.block.is_some() || d.repo_url.is_some(),
                "env.secret-git-pull-url-block or env.gitrepo_url",
            )),
            Work::Shell { .. } => None,
        };
        missing.map_or(Ok(()), |name| Err(format!("task {} names no {name}", self.slug)))
    }

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
    pub org_slug: Option<String>,
    pub steps: Vec<Step>,
    pub continue_on_sync_failure: bool,
}

impl Plan {
    /// The org the tasks act on; shell tasks alone need none.
    pub fn org(&self) -> Option<&str> {
        self.org_slug.as_deref()
    }
}

/// The plan of a run's parameters, or why this worker leaves the run alone.
pub fn plan(parameters: &Value) -> Result<Plan, String> {
    let config = parameters.get("config").ok_or("its parameters have no config")?;
    let mut tasks: Vec<&Value> =
        config.get("tasks").and_then(Value::as_array).ok_or("its config has no tasks")?.iter().collect();
    tasks.sort_by_key(|t| t.get("seq").and_then(Value::as_i64).unwrap_or(0));
    let org_slug = config.get("org_slug").and_then(Value::as_str).filter(|s| !s.is_empty()).map(String::from);
    let steps = tasks.into_iter().map(step).collect::<Result<Vec<_>, _>>()?;
    if org_slug.is_none() && steps.iter().any(|s| !matches!(s.work, Work::Shell { .. })) {
        return Err("its config names no org_slug for its Airbyte, dbt or git tasks".into());
    }
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
        ("Shell Operation", "generate-edr") => {
            return Err(format!("shell task {slug} is not run by this worker"));
        }
        ("Shell Operation", _) => {
            let env = task.get("env").and_then(Value::as_object);
            let vars = env
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .filter(|(k, _)| k != "shell")
                .collect();
            let shell = env.and_then(|e| e.get("shell")).and_then(Value::as_str).unwrap_or("/bin/bash").to_string();
            let working_dir = field("working_dir").filter(|d| !d.is_empty()).map(PathBuf::from);
            Work::Shell { commands: strings(task.get("commands")), working_dir, env: vars, shell }
        }
        (other, slug) => return Err(format!("task {slug} of type {other:?} is not run by this worker")),
    };
    let deployed = deployed(task, &work);
    Ok(Step { slug, work, deployed })
}

fn deployed(task: &Value, work: &Work) -> Deployed {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(String::from);
    let field = |k: &str| text(task.get(k));
    let env = |k: &str| text(task.get("env").and_then(|e| e.get(k)));
    match work {
        Work::AirbyteSync { .. } | Work::AirbyteClear { .. } | Work::UpdateSchema { .. } => {
            Deployed { block: field("airbyte_server_block"), ..Deployed::default() }
        }
        Work::Dbt { .. } => Deployed {
            dir: field("project_dir").map(PathBuf::from),
            profiles_dir: field("profiles_dir").map(PathBuf::from),
            block: env("dbt-profile-secret-block"),
            repo_url: None,
        },
        Work::GitPull | Work::GitClone => Deployed {
            dir: match work {
                Work::GitClone => field("working_dir").zip(env("project_dir")).map(|(w, p)| Path::new(&w).join(p)),
                _ => field("working_dir").map(PathBuf::from),
            },
            profiles_dir: None,
            block: env("secret-git-pull-url-block"),
            repo_url: env("gitrepo_url"),
        },
        Work::Shell { .. } => Deployed::default(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
}

/// `/path/to/dbt run --select x` as a dbt command and its extra arguments
/// (the binary is dalgo's own dbt, as Dalgo's flow uses its worker's).
fn dbt_work(line: &str) -> Option<Work> {
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
            { "seq": 3, "slug": "shell-echo", "type": "Shell Operation", "commands": ["echo hi"],
              "working_dir": "/tmp", "env": { "A": "1", "shell": "/bin/sh" } },
        ] } });
        let p = plan(&params).unwrap();
        assert!(p.continue_on_sync_failure);
        assert_eq!(p.steps[0].work, Work::AirbyteSync { connection: "c1".into() });
        assert_eq!(p.steps[1].work, Work::Dbt { command: Command::Test, args: vec!["--select".into(), "a b".into()] });
        assert!(p.steps[1].is_dbt_test());
        let Work::Shell { shell, env, .. } = &p.steps[2].work else { panic!("{:?}", p.steps[2]) };
        assert_eq!((shell.as_str(), env.as_slice()), ("/bin/sh", &[("A".to_string(), "1".to_string())][..]));

        let edr = json!({ "config": { "org_slug": "acme", "tasks": [
            { "seq": 1, "slug": "generate-edr", "type": "Shell Operation", "commands": ["edr report"] } ] } });
        assert!(plan(&edr).unwrap_err().contains("generate-edr"));

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
        let orgless = json!({ "config": { "tasks": [{ "seq": 1, "slug": "dbt-run", "type": "dbt Core Operation",
                                                      "commands": ["dbt run"] }] } });
        assert!(plan(&orgless).is_err());
        let docs = dbt_work("dbt docs generate --no-compile").unwrap();
        assert_eq!(docs, Work::Dbt { command: Command::DocsGenerate, args: vec!["--no-compile".into()] });
    }

    #[test]
    fn what_a_task_names_is_kept_and_a_task_naming_too_little_cannot_run_alone() {
        let params = json!({ "config": { "org_slug": "acme", "tasks": [
            { "seq": 1, "slug": "airbyte-sync", "type": "Airbyte Connection", "connection_id": "c1",
              "airbyte_server_block": "acme-airbyte-server" },
            { "seq": 2, "slug": "git-clone", "type": "Shell Operation", "commands": ["git clone"],
              "working_dir": "/data/clients_dbt", "env": { "project_dir": "acme/dbtrepo", "gitrepo_url": "https://h/r",
                                                           "secret-git-pull-url-block": "" } },
            { "seq": 3, "slug": "dbt-run", "type": "dbt Core Operation", "commands": ["/v/bin/dbt run"],
              "project_dir": "/data/clients_dbt/acme/dbtrepo", "profiles_dir": "/data/clients_dbt/acme/dbtrepo/profiles/",
              "env": { "dbt-profile-secret-block": "dbt-profile-acme" } },
            { "seq": 4, "slug": "dbt-test", "type": "dbt Core Operation", "commands": ["/v/bin/dbt test"] },
        ] } });
        let p = plan(&params).unwrap();
        assert_eq!(p.steps[0].deployed.block.as_deref(), Some("acme-airbyte-server"));
        let clone = &p.steps[1].deployed;
        assert_eq!(clone.dir.as_deref(), Some(Path::new("/data/clients_dbt/acme/dbtrepo")));
        assert_eq!((clone.block.as_deref(), clone.repo_url.as_deref()), (None, Some("https://h/r")));
        let dbt = &p.steps[2].deployed;
        assert_eq!(dbt.profiles_dir.as_deref(), Some(Path::new("/data/clients_dbt/acme/dbtrepo/profiles")));
        assert_eq!(dbt.block.as_deref(), Some("dbt-profile-acme"));
        assert!(p.steps[..3].iter().all(|s| s.alone().is_ok()));
        assert_eq!(p.steps[3].alone().unwrap_err(), "task dbt-test names no project_dir");
    }
}
