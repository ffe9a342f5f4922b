//! The worker's wall: a run is done only as dalgo's database says it may
//! be. A Prefect deployment's parameters are a request from whoever could
//! write them (anyone who reaches the Prefect API, tenant code included),
//! so nothing in them is followed:
//!
//! - the run's deployment must be a pipeline the database holds (dalgo's
//!   own, or one an import brought in), else the run is left for other
//!   workers: the database does not vouch for it;
//! - its org is that pipeline's org; an `org_slug` naming another is refused;
//! - each task must name (`orgtask_uuid`) one of that org's tasks: a dbt or
//!   git task the same task, an Airbyte task one of the org's on the same
//!   connection; a dbt task's arguments must be the ones dalgo builds from
//!   the task's row;
//! - every directory, block and environment entry a task gives must be the
//!   one dalgo derives for the org (`CLIENTDBT_ROOT/<slug>`, the org's dbt
//!   workspace, Dalgo's block names); an environment entry Dalgo never
//!   writes (`LD_PRELOAD`, `PATH`, …) is refused.
//!
//! A refused run is failed with the first disagreement named; nothing of
//! it runs and nothing is written for it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sqlx::PgConnection;

use super::plan::{Plan, Step, Work, dbt_work};
use crate::config::DbtConfig;
use crate::db::{Db, Within};
use crate::dbt::Workspace;
use crate::error::Result;
use crate::pipeline::{DeploymentOwner, blocks, deployment};

/// What the database says of a run.
pub(super) enum Verdict {
    /// Its pipeline, and the plan with each task's work as the database has it.
    Vouched(DeploymentOwner, Plan),
    /// The database holds no pipeline for its deployment: other workers'.
    Unknown(String),
    /// It asks for something the database does not give its org.
    Refused(String),
}

/// An org task as the database has it.
#[derive(sqlx::FromRow)]
struct OrgTask {
    uuid: uuid::Uuid,
    slug: String,
    task_type: String,
    command: Option<String>,
    connection_id: Option<String>,
    parameters: Value,
}

/// Holds a run's plan against dalgo's database (see the module).
pub(super) async fn vouch(db: &Db, cfg: &DbtConfig, deployment_id: &str, plan: Plan) -> Result<Verdict> {
    let Some(owner) = crate::pipeline::owner_of(db, deployment_id).await? else {
        return Ok(Verdict::Unknown(format!("its deployment {deployment_id} is not a pipeline in dalgo's database")));
    };
    let org = &owner.org;
    if let Some(asked) = plan.org_slug.as_deref().filter(|s| *s != org.slug) {
        return Ok(Verdict::Refused(format!(
            "its parameters name org {asked:?}, but its deployment is a pipeline of org {}",
            org.slug
        )));
    }
    let mut conn = db.pool().acquire().await?;
    let tasks = org_tasks(&mut conn, org.id, &plan).await?;
    let workspace = crate::dbt::find(&mut conn, org).await?;
    let derived = Derived { cfg, slug: &org.slug, workspace: workspace.as_ref() };
    let mut vouched = Vec::with_capacity(plan.steps.len());
    for step in plan.steps {
        match derived.step(&tasks, step) {
            Ok(step) => vouched.push(step),
            Err(why) => return Ok(Verdict::Refused(why)),
        }
    }
    let plan = Plan { org_slug: Some(org.slug.clone()), steps: vouched, ..plan };
    Ok(Verdict::Vouched(owner, plan))
}

/// The org's tasks the plan's tasks name.
async fn org_tasks(conn: &mut PgConnection, org_id: i64, plan: &Plan) -> Result<Vec<OrgTask>> {
    let named: Vec<uuid::Uuid> =
        plan.steps.iter().filter_map(|s| s.org_task.as_deref()).filter_map(|u| u.parse().ok()).collect();
    Ok(sqlx::query_as(
        "SELECT ot.uuid, tk.slug, tk.type AS task_type, tk.command, ot.connection_id, ot.parameters
           FROM org_tasks ot JOIN tasks tk ON tk.id = ot.task_id
          WHERE ot.org_id = $1 AND ot.uuid = ANY($2)",
    )
    .bind(org_id)
    .bind(named)
    .fetch_all(conn)
    .within()
    .await?)
}

/// What dalgo derives for one org: its places, its blocks.
struct Derived<'a> {
    cfg: &'a DbtConfig,
    slug: &'a str,
    workspace: Option<&'a Workspace>,
}

/// A value a task may give for one of its fields.
enum Expect {
    Path(PathBuf),
    Text(String),
    /// Dalgo writes an empty value where there is nothing to name.
    TextOrEmpty(String),
}

impl Expect {
    fn admits(&self, given: &str) -> bool {
        match self {
            // Compared by components: a trailing slash is the same place, `..` is not.
            Expect::Path(p) => Path::new(given) == p,
            Expect::Text(t) => given == t,
            Expect::TextOrEmpty(t) => given.is_empty() || given == t,
        }
    }

    fn describe(&self) -> String {
        match self {
            Expect::Path(p) => p.display().to_string(),
            Expect::Text(t) | Expect::TextOrEmpty(t) => t.clone(),
        }
    }
}

impl Derived<'_> {
    /// The step with the work its org task gives, or the first disagreement.
    fn step(&self, tasks: &[OrgTask], step: Step) -> std::result::Result<Step, String> {
        let slug = &step.slug;
        let Some(named) = step.org_task.as_deref() else {
            return Err(format!("task {slug} names no orgtask_uuid, so no task of org {} vouches for it", self.slug));
        };
        let Some(row) = tasks.iter().find(|t| t.uuid.to_string() == named.to_ascii_lowercase()) else {
            return Err(format!("task {slug}'s orgtask_uuid {named} is not a task of org {}", self.slug));
        };
        let work = self.work(row, &step)?;
        let expected = self.expected(&step.work)?;
        for (field, given) in &step.asked {
            match expected.iter().find(|(name, _)| name == field) {
                Some((_, expect)) if expect.admits(given) => {}
                Some((_, expect)) => {
                    return Err(format!(
                        "task {slug}'s {field} is {given:?}, but org {}'s is {:?}",
                        self.slug,
                        expect.describe()
                    ));
                }
                None => return Err(format!("task {slug} gives {field}, which dalgo does not take from a deployment")),
            }
        }
        Ok(Step { work, ..step })
    }

    /// The work the org task gives, when the step asks for that task's work.
    fn work(&self, row: &OrgTask, step: &Step) -> std::result::Result<Work, String> {
        let slug = &step.slug;
        let mismatch = |what: String| format!("task {slug} {what}, but its org task {} is {}", row.uuid, row.slug);
        match &step.work {
            Work::AirbyteSync { .. } | Work::AirbyteClear { .. } | Work::UpdateSchema { .. } => {
                let connection = step.work.connection().unwrap_or_default();
                if row.task_type != "airbyte" || row.connection_id.as_deref() != Some(connection) {
                    let of = row.connection_id.as_deref().map(|c| format!(" of connection {c}")).unwrap_or_default();
                    return Err(mismatch(format!("acts on connection {connection}{of}")));
                }
                Ok(step.work.clone())
            }
            _ if row.slug != *slug => Err(mismatch(format!("is {slug}"))),
            Work::Dbt { .. } => {
                let line =
                    format!("dbt {}", deployment::dbt_args(row.command.as_deref().unwrap_or(""), &row.parameters));
                let own = dbt_work(&line)
                    .ok_or_else(|| format!("org task {} runs `{line}`, which is not dbt's", row.uuid))?;
                if own != step.work {
                    let given = step.commands.first().map_or("", String::as_str);
                    return Err(mismatch(format!("runs `{given}`, not `{line}`")));
                }
                Ok(own)
            }
            Work::GitPull | Work::GitClone => {
                let own = format!("git {}", row.command.as_deref().unwrap_or_default());
                if step.commands != [own.clone()] {
                    return Err(mismatch(format!("runs {:?}, not [{own:?}]", step.commands)));
                }
                Ok(step.work.clone())
            }
        }
    }

    /// The fields a task of this work may give, each with the one value dalgo derives.
    fn expected(&self, work: &Work) -> std::result::Result<Vec<(String, Expect)>, String> {
        let field = |name: &str, e: Expect| (name.to_string(), e);
        Ok(match work {
            Work::AirbyteSync { .. } | Work::AirbyteClear { .. } | Work::UpdateSchema { .. } => {
                vec![field("airbyte_server_block", Expect::Text(blocks::airbyte_server_block(self.slug)))]
            }
            Work::Dbt { .. } => {
                let project = self.project()?;
                vec![
                    field("project_dir", Expect::Path(project.clone())),
                    field("working_dir", Expect::Path(project.clone())),
                    field("profiles_dir", Expect::Path(project.join("profiles"))),
                    field("env.dbt-profile-secret-block", Expect::Text(blocks::dbt_profile_block(self.slug))),
                ]
            }
            Work::GitPull => vec![
                field("working_dir", Expect::Path(self.project()?)),
                field("env.secret-git-pull-url-block", Expect::TextOrEmpty(blocks::git_pull_url_block(self.slug))),
            ],
            Work::GitClone => {
                let ws = self.workspace.ok_or_else(|| self.no_workspace())?;
                let mut fields = vec![
                    field("working_dir", Expect::Path(self.cfg.clientdbt_root.clone())),
                    field("env.project_dir", Expect::Path(PathBuf::from(&ws.project_dir))),
                    field("env.secret-git-pull-url-block", Expect::TextOrEmpty(blocks::git_pull_url_block(self.slug))),
                ];
                if let Some(url) = &ws.repo_url {
                    fields.push(field("env.gitrepo_url", Expect::Text(url.clone())));
                }
                fields
            }
        })
    }

    fn project(&self) -> std::result::Result<PathBuf, String> {
        self.workspace.map(|ws| ws.project_path(self.cfg)).ok_or_else(|| self.no_workspace())
    }

    fn no_workspace(&self) -> String {
        format!("org {} has no dbt workspace", self.slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(slug: &str, task_type: &str, command: Option<&str>, connection: Option<&str>) -> OrgTask {
        OrgTask {
            uuid: uuid::Uuid::new_v4(),
            slug: slug.into(),
            task_type: task_type.into(),
            command: command.map(String::from),
            connection_id: connection.map(String::from),
            parameters: json!({ "flags": [], "options": { "select": "orders" } }),
        }
    }

    fn workspace(project_dir: &str, repo: Option<&str>) -> Workspace {
        Workspace {
            id: 1,
            source: crate::dbt::DbtSource::Git,
            repo_url: repo.map(String::from),
            branch: None,
            project_dir: project_dir.into(),
            target_type: "postgres".into(),
            default_schema: "analytics".into(),
            default_schema_given: false,
            token_secret: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    /// What dalgo itself writes in a deployment is what its worker vouches
    /// for: each kind of task config, read back as a run's plan, passes.
    #[test]
    fn every_task_config_dalgo_builds_is_vouched_for() {
        use crate::pipeline::deployment::{DbtContext, Deploying, task_config, tests as made};
        let cfg = made::dbt();
        let ws = workspace("myngo/dbtrepo", Some("https://github.com/myngo/dbt.git"));
        let derived = Derived { cfg: &cfg, slug: "myngo", workspace: Some(&ws) };
        let ctx = DbtContext { project_dir: ws.project_dir.clone(), has_token: true, repo_url: ws.repo_url.clone() };
        let kinds = [
            ("airbyte-sync", "airbyte", None),
            ("git-pull", "git", Some("pull")),
            ("git-clone", "git", Some("clone")),
            ("dbt-run", "dbt", Some("run")),
            ("dbt-test", "dbt", Some("test")),
            ("dbt-docs-generate", "dbt", Some("docs generate")),
        ];
        for (slug, task_type, command) in kinds {
            let mut task = made::task(slug, task_type, command);
            task.uuid = uuid::Uuid::new_v4();
            let row = OrgTask {
                uuid: task.uuid,
                slug: slug.into(),
                task_type: task_type.into(),
                command: command.map(String::from),
                connection_id: task.connection_id.clone(),
                parameters: task.parameters.clone(),
            };
            let prefect = made::prefect();
            let of = Deploying { org_slug: "myngo", prefect: &prefect, dbt: &cfg, ctx: Some(&ctx) };
            let config = task_config(&task, 0, of);
            let vouched = derived.step(&[row], one(config.clone()));
            assert!(vouched.is_ok(), "{slug}: {:?} for {config}", vouched.err());
        }
    }

    fn one(task: Value) -> Step {
        super::super::plan::plan(&json!({ "config": { "tasks": [task] } })).unwrap().steps.remove(0)
    }

    /// Each lie a deployment can tell about a task is refused, naming it;
    /// Dalgo's own task configs pass.
    #[test]
    fn a_task_is_held_to_its_org_task_and_to_the_places_dalgo_derives() {
        let cfg = DbtConfig::new("/data/clients_dbt".into());
        let ws = workspace("acme/dbtrepo", Some("https://h/acme.git"));
        let derived = Derived { cfg: &cfg, slug: "acme", workspace: Some(&ws) };
        let (run, pull, clone, sync) = (
            row("dbt-run", "dbt", Some("run"), None),
            row("git-pull", "git", Some("pull"), None),
            row("git-clone", "git", Some("clone"), None),
            row("airbyte-sync", "airbyte", None, Some("c1")),
        );
        let uuid = |r: &OrgTask| r.uuid.to_string();
        let tasks = [run, pull, clone, sync];
        let project = "/data/clients_dbt/acme/dbtrepo";
        let dbt = |extra: Value| {
            let mut t = json!({ "slug": "dbt-run", "type": "dbt Core Operation", "orgtask_uuid": uuid(&tasks[0]),
                                "commands": ["/venv/bin/dbt run --select orders"], "project_dir": project,
                                "working_dir": project, "profiles_dir": format!("{project}/profiles/"),
                                "env": { "dbt-profile-secret-block": "dbt-profile-acme" } });
            t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            one(t)
        };
        assert!(derived.step(&tasks, dbt(json!({}))).is_ok(), "Dalgo's own dbt task");
        let refused = |step: Step, needle: &str| {
            let why = derived.step(&tasks, step).unwrap_err();
            assert!(why.contains(needle), "{why:?} does not name {needle:?}");
        };
        refused(dbt(json!({ "profiles_dir": "/data/clients_dbt/victim/dbtrepo/profiles" })), "profiles_dir");
        refused(dbt(json!({ "project_dir": format!("{project}/../../victim/dbtrepo") })), "project_dir");
        refused(dbt(json!({ "env": { "LD_PRELOAD": "/tmp/evil.so" } })), "env.LD_PRELOAD");
        refused(dbt(json!({ "commands": ["/venv/bin/dbt run --select orders --profiles-dir /etc"] })), "runs `");
        refused(dbt(json!({ "orgtask_uuid": uuid(&tasks[1]) })), "is dbt-run, but its org task");
        refused(dbt(json!({ "orgtask_uuid": uuid::Uuid::new_v4().to_string() })), "is not a task of org acme");
        refused(dbt(json!({ "orgtask_uuid": null })), "names no orgtask_uuid");

        let git = |slug: &str, r: &OrgTask, extra: Value| {
            let command = if slug == "git-pull" { "git pull" } else { "git clone" };
            let mut t =
                json!({ "slug": slug, "type": "Shell Operation", "orgtask_uuid": uuid(r), "commands": [command] });
            t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            one(t)
        };
        let ok_pull = json!({ "working_dir": project, "env": { "secret-git-pull-url-block": "" } });
        assert!(derived.step(&tasks, git("git-pull", &tasks[1], ok_pull)).is_ok());
        refused(git("git-pull", &tasks[1], json!({ "working_dir": "/" })), "working_dir");
        refused(git("git-pull", &tasks[1], json!({ "commands": ["git pull; cat /etc/shadow"] })), "runs [");
        let ok_clone = json!({ "working_dir": "/data/clients_dbt/", "env": { "project_dir": "acme/dbtrepo",
                               "gitrepo_url": "https://h/acme.git", "secret-git-pull-url-block": "acme-git-pull-url" } });
        assert!(derived.step(&tasks, git("git-clone", &tasks[2], ok_clone)).is_ok());
        refused(
            git("git-clone", &tasks[2], json!({ "env": { "gitrepo_url": "file:///data/clients_dbt/victim/dbtrepo" } })),
            "gitrepo_url",
        );
        refused(git("git-clone", &tasks[2], json!({ "env": { "project_dir": "victim/dbtrepo" } })), "env.project_dir");

        let sync = |conn: &str, extra: Value| {
            let mut t = json!({ "slug": "airbyte-sync", "type": "Airbyte Connection", "orgtask_uuid": uuid(&tasks[3]),
                                "connection_id": conn, "airbyte_server_block": "acme-airbyte-server", "timeout": 15 });
            t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            one(t)
        };
        assert!(derived.step(&tasks, sync("c1", json!({}))).is_ok());
        refused(sync("victims-connection", json!({})), "acts on connection victims-connection of connection c1");
        refused(sync("c1", json!({ "airbyte_server_block": "victim-airbyte-server" })), "airbyte_server_block");

        let bare = Derived { cfg: &cfg, slug: "acme", workspace: None };
        assert!(bare.step(&tasks, dbt(json!({}))).unwrap_err().contains("has no dbt workspace"));
    }
}
