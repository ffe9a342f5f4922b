//! The Prefect deployment of a pipeline, in Dalgo's exact shape, so Dalgo's
//! workers run it unchanged: flow `deployment-schedule-flow-v5`, parameters
//! `{"config": {"tasks": […], "org_slug", "continue_on_sync_failure"}}`, each
//! task's JSON as Dalgo's backend builds it for its type.

use std::path::Path;

use serde_json::{Value, json};

use super::blocks;
use crate::config::{DbtConfig, PrefectConfig};

/// The flow every pipeline deployment runs.
pub const FLOW_NAME: &str = "deployment-schedule-flow-v5";

/// Dalgo's order of transform tasks within a pipeline.
pub fn transform_rank(slug: &str) -> u32 {
    match slug {
        "git-pull" | "git-clone" => 1,
        "dbt-clean" => 2,
        "dbt-deps" => 3,
        "dbt-seed" => 4,
        "dbt-run" => 5,
        "dbt-test" => 6,
        "dbt-docs-generate" => 7,
        "generate-edr" => 25,
        _ => 50,
    }
}

/// An org task as a pipeline uses it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub slug: String,
    pub task_type: String,
    pub command: Option<String>,
    pub connection_id: Option<String>,
    pub parameters: Value,
}

/// Where the org's dbt project lives on the workers, and its git token.
#[derive(Debug, Clone)]
pub struct DbtContext {
    pub project_dir: String,
    pub has_token: bool,
    /// The repository a git workspace clones (git-clone's `env.gitrepo_url`).
    pub repo_url: Option<String>,
}

/// A dbt command line with the task's flags and options, as Dalgo writes it.
fn dbt_command(dbt: &DbtConfig, command: &str, parameters: &Value) -> String {
    let exe = dbt
        .venv
        .as_ref()
        .map(|v| if v.join("bin/dbt").is_file() { v.join("bin/dbt") } else { v.join("venv/bin/dbt") })
        .map_or_else(|| "dbt".to_string(), |p| p.display().to_string());
    format!("{exe} {}", dbt_args(command, parameters))
}

/// What follows dbt's binary on a task's command line: the command, then
/// the task's flags and options, as Dalgo writes them.
pub(crate) fn dbt_args(command: &str, parameters: &Value) -> String {
    let mut line = command.to_string();
    for flag in parameters.get("flags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        line.push_str(&format!(" --{flag}"));
    }
    if let Some(options) = parameters.get("options").and_then(Value::as_object) {
        for (k, v) in options {
            let v = v.as_str().map_or_else(|| v.to_string(), String::from);
            line.push_str(&format!(" --{k} {v}"));
        }
    }
    line
}

/// What every task of one org's deployment is configured from: the org, the
/// Prefect and dbt settings, and the org's dbt workspace, if it has one.
#[derive(Clone, Copy)]
pub struct Deploying<'a> {
    pub org_slug: &'a str,
    pub prefect: &'a PrefectConfig,
    pub dbt: &'a DbtConfig,
    pub ctx: Option<&'a DbtContext>,
}

/// One task's JSON in the deployment parameters.
pub fn task_config(task: &TaskRow, seq: usize, of: Deploying<'_>) -> Value {
    let Deploying { org_slug, prefect, dbt, ctx } = of;
    let project = ctx
        .map(|c| dbt.clientdbt_root.join(&c.project_dir))
        .unwrap_or_else(|| Path::new(&dbt.clientdbt_root).join(org_slug).join("dbtrepo"));
    let project = project.display().to_string();
    match task.task_type.as_str() {
        "airbyte" => json!({
            "slug": task.slug, "airbyte_server_block": blocks::airbyte_server_block(org_slug),
            "connection_id": task.connection_id, "timeout": prefect.airbyte_task_timeout, "type": "Airbyte Connection",
            "orgtask_uuid": task.uuid, "flow_name": null, "flow_run_name": null, "seq": seq,
        }),
        "git" => {
            let url_block =
                if ctx.is_some_and(|c| c.has_token) { blocks::git_pull_url_block(org_slug) } else { String::new() };
            let mut config = json!({
                "seq": seq, "type": "Shell Operation", "commands": [format!("git {}", task.command.as_deref().unwrap_or("pull"))],
                "working_dir": project, "env": { "secret-git-pull-url-block": url_block },
                "orgtask_uuid": task.uuid, "slug": task.slug, "flow_name": null, "flow_run_name": null,
            });
            // Dalgo's git-clone clones `env.gitrepo_url` into `working_dir/env.project_dir`.
            if task.slug == "git-clone" {
                let relative = ctx.map_or_else(|| format!("{org_slug}/dbtrepo"), |c| c.project_dir.clone());
                config["working_dir"] = json!(dbt.clientdbt_root);
                config["env"]["project_dir"] = json!(relative);
                config["env"]["gitrepo_url"] = json!(ctx.and_then(|c| c.repo_url.clone()));
            }
            config
        }
        _ => json!({
            "type": "dbt Core Operation", "slug": task.slug, "profiles_dir": format!("{project}/profiles/"),
            "project_dir": project, "working_dir": project, "orgtask_uuid": task.uuid,
            "env": { "dbt-profile-secret-block": blocks::dbt_profile_block(org_slug) },
            "commands": [dbt_command(dbt, task.command.as_deref().unwrap_or("run"), &task.parameters)],
            "cli_profile_block": null, "cli_args": [], "flow_name": null, "flow_run_name": null, "seq": seq,
        }),
    }
}

/// The deployment parameters: `{"config": {"tasks", "org_slug", "continue_on_sync_failure"}}`.
pub fn parameters(tasks: &[Value], org_slug: &str, continue_on_sync_failure: bool) -> Value {
    json!({ "config": { "tasks": tasks, "org_slug": org_slug, "continue_on_sync_failure": continue_on_sync_failure } })
}

/// Prefect's schedules for a cron (UTC), or none.
pub fn schedules(cron: Option<&str>, active: bool) -> Value {
    match cron {
        Some(c) => json!([{ "schedule": { "cron": c, "timezone": "UTC", "day_or": true }, "active": active }]),
        None => json!([]),
    }
}

/// The flow's parameter schema, as Dalgo's deployments declare it.
fn parameter_schema() -> Value {
    json!({
        "title": "Parameters", "type": "object",
        "properties": {
            "config": { "additionalProperties": true, "position": 0, "title": "config", "type": "object" },
            "dbt_blocks": { "anyOf": [{ "items": {}, "type": "array" }, { "type": "null" }], "default": null, "position": 1, "title": "dbt_blocks" },
            "airbyte_blocks": { "anyOf": [{ "items": {}, "type": "array" }, { "type": "null" }], "default": null, "position": 2, "title": "airbyte_blocks" }
        },
        "required": ["config"]
    })
}

/// Everything a deployment body needs.
#[derive(Debug, Clone)]
pub struct DeploymentSpec<'a> {
    pub name: &'a str,
    pub flow_id: &'a str,
    pub org_slug: &'a str,
    pub parameters: Value,
    pub cron: Option<&'a str>,
    pub work_pool: &'a str,
    pub work_queue: &'a str,
}

/// The body of `POST /deployments/`.
pub fn body(spec: &DeploymentSpec<'_>, prefect: &PrefectConfig) -> Value {
    json!({
        "name": spec.name, "flow_id": spec.flow_id, "paused": false,
        "schedules": schedules(spec.cron, true),
        "enforce_parameter_schema": true, "parameter_openapi_schema": parameter_schema(),
        "parameters": spec.parameters, "tags": [spec.org_slug],
        "pull_steps": prefect.pull_steps, "work_pool_name": spec.work_pool, "work_queue_name": spec.work_queue,
        "entrypoint": prefect.entrypoint, "description": format!("dalgo pipeline of {}", spec.org_slug),
        "job_variables": {},
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn dbt() -> DbtConfig {
        DbtConfig { venv: Some("/data/dbt_venv".into()), ..DbtConfig::new("/data/clients_dbt".into()) }
    }

    pub(crate) fn prefect() -> PrefectConfig {
        PrefectConfig {
            api_url: "http://p/api".into(),
            api_key: None,
            timeout: std::time::Duration::from_secs(1),
            retries: 0,
            worker_pool: "default".into(),
            eks_worker_pool: None,
            entrypoint: crate::config::DEFAULT_ENTRYPOINT.into(),
            pull_steps: json!([]),
            airbyte_task_timeout: 15,
        }
    }

    pub(crate) fn task(slug: &str, ttype: &str, command: Option<&str>) -> TaskRow {
        TaskRow {
            id: 1,
            uuid: uuid::Uuid::nil(),
            slug: slug.into(),
            task_type: ttype.into(),
            command: command.map(String::from),
            connection_id: (ttype == "airbyte").then(|| "conn-1".into()),
            parameters: json!({"flags": ["full-refresh"], "options": {"select": "m1"}}),
        }
    }

    #[test]
    fn task_configs_have_dalgos_shape() {
        let ctx = DbtContext {
            project_dir: "myngo/dbtrepo".into(),
            has_token: true,
            repo_url: Some("https://github.com/myngo/dbt.git".into()),
        };
        let (prefect, dbt) = (prefect(), dbt());
        let site = Deploying { org_slug: "myngo", prefect: &prefect, dbt: &dbt, ctx: Some(&ctx) };
        let sync = task_config(&task("airbyte-sync", "airbyte", None), 0, site);
        assert_eq!(sync["airbyte_server_block"], "myngo-airbyte-server");
        assert_eq!(
            (sync["type"].as_str(), sync["timeout"].as_i64(), sync["seq"].as_i64()),
            (Some("Airbyte Connection"), Some(15), Some(0))
        );
        let pull = task_config(&task("git-pull", "git", Some("pull")), 1, site);
        assert_eq!(pull["commands"], json!(["git pull"]));
        assert_eq!(pull["working_dir"], "/data/clients_dbt/myngo/dbtrepo");
        assert_eq!(pull["env"]["secret-git-pull-url-block"], "myngo-git-pull-url");
        // Dalgo's git-clone: the repository into CLIENTDBT_ROOT/<project_dir>.
        let clone = task_config(&task("git-clone", "git", Some("clone")), 1, site);
        assert_eq!(
            (clone["commands"].clone(), clone["working_dir"].clone()),
            (json!(["git clone"]), json!("/data/clients_dbt"))
        );
        assert_eq!(
            clone["env"],
            json!({ "secret-git-pull-url-block": "myngo-git-pull-url", "project_dir": "myngo/dbtrepo",
                    "gitrepo_url": "https://github.com/myngo/dbt.git" })
        );
        let run = task_config(&task("dbt-run", "dbt", Some("run")), 2, site);
        assert_eq!(run["commands"], json!(["/data/dbt_venv/venv/bin/dbt run --full-refresh --select m1"]));
        assert_eq!(run["profiles_dir"], "/data/clients_dbt/myngo/dbtrepo/profiles/");
        assert_eq!(run["env"]["dbt-profile-secret-block"], "dbt-profile-myngo");
    }
}
