//! `dalgo worker` against the real Prefect server, real dbt (the test's own
//! database as the warehouse) and the Airbyte stub.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::airbyte_stub::Options;
use crate::common::{onboard, pg_host, prefect_call, prefect_url, stderr, wait_while_running};
use crate::pipeline::{Env, prefect, start};

/// Dalgo's flow, as dalgo's deployments name it.
const ENTRYPOINT: &str = "proxy/prefect_flows_runner.py:deployment_schedule_flow_v5";

/// An org on a pool of its own whose warehouse is the test's database and
/// whose local dbt project is the fixture (a model and its tests).
fn worker_env(name: &str) -> Env {
    worker_env_with(name, Options::default())
}

/// The same with the Airbyte stub's options.
fn worker_env_with(name: &str, stub: Options) -> Env {
    worker_env_in(crate::common::TestDb::migrated(), name, stub)
}

/// The same in a migrated database of the caller's (live mode's).
pub(crate) fn worker_env_in(db: crate::common::TestDb, name: &str, stub: Options) -> Env {
    let pool = format!("worker-{}", uuid_fragment());
    let env = Env::on_pool_in(db, name, &pool, stub);
    let wh = format!(
        "host: {}\nport: 5432\nusername: {}\npassword: any\ndatabase: {}\nschema: analytics\n",
        pg_host(),
        env.db.scalar("SELECT current_user"),
        env.db.name
    );
    env.dalgo(&["warehouse", "set", "--org", &env.slug, "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(wh)
        .assert()
        .success();
    let project = env.db.home().join("project");
    let fixture = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/dbt_project"));
    std::fs::copy(fixture.join("dbt_project.yml"), project.join("dbt_project.yml")).unwrap();
    std::fs::create_dir_all(project.join("models")).unwrap();
    for f in ["orders.sql", "schema.yml"] {
        std::fs::copy(fixture.join("models").join(f), project.join("models").join(f)).unwrap();
    }
    env
}

fn uuid_fragment() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}", std::process::id(), nanos % 0xffff_ffff)
}

/// `dalgo worker --once` on the env's pool, polling every 0.2 s.
pub(crate) fn worker_once(env: &Env, extra: &[&str]) -> Output {
    let mut args = vec!["worker", "--pool", &env.pool, "--once", "--poll-interval", "0.2", "--name"];
    let name = format!("w-{}", env.slug);
    args.push(&name);
    args.extend_from_slice(extra);
    env.dalgo(&args).timeout(std::time::Duration::from_secs(240)).output().unwrap()
}

/// The `finished` event of `dalgo worker --once -o json` whose run did not
/// complete (so it exited 1).
fn failed_run(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(1), "--once exits 1 when a run did not complete: {}", stderr(out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).find(|e| e["event"] == "finished").unwrap()
}

pub(crate) fn flow_run(id: &str) -> Value {
    prefect("GET", &format!("/flow_runs/{id}"), None)
}

/// The task runs of a flow run, by name: (name, state type, state name).
fn task_runs(flow_run: &str) -> Vec<(String, String, String)> {
    let body = json!({ "flow_runs": { "id": { "any_": [flow_run] } }, "sort": "NAME_ASC" });
    let runs = prefect("POST", "/task_runs/filter", Some(&body));
    runs.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |k: &str| t["state"][k].as_str().unwrap_or_default().to_string();
            (t["name"].as_str().unwrap().to_string(), s("type"), s("name"))
        })
        .collect()
}

/// The subflow runs right under a flow run: (flow name, run name) each.
fn subflows(parent: &str) -> Vec<(String, String)> {
    let body = json!({ "flow_runs": { "parent_flow_run_id": { "any_": [parent] } } });
    let runs = prefect("POST", "/flow_runs/filter", Some(&body));
    runs.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let flow = prefect("GET", &format!("/flows/{}", r["flow_id"].as_str().unwrap()), None);
            (flow["name"].as_str().unwrap().to_string(), r["name"].as_str().unwrap().to_string())
        })
        .collect()
}

/// A deployment of Dalgo's flow on the env's pool with these tasks (as
/// Dalgo's backend makes them), and the rows that make it a pipeline of the
/// env's org, as an import of a Django-made pipeline writes them: an org
/// task for each task (named by the task's `orgtask_uuid`) and the
/// pipeline; its id.
fn deploy(env: &Env, tasks: Value) -> String {
    deploy_config(env, json!({ "tasks": tasks, "org_slug": env.slug }))
}

/// The same with the whole `config` parameter.
fn deploy_config(env: &Env, mut config: Value) -> String {
    let tasks = config["tasks"].as_array_mut().unwrap();
    let ids: Vec<String> = tasks.iter_mut().map(|t| org_task(env, t)).collect();
    let deployment = deploy_unvouched(env, config);
    let name = format!("adhoc-{}", uuid_fragment());
    let pipeline = env.db.scalar(&format!(
        "INSERT INTO pipelines (org_id, name, deployment_name, deployment_id)
         SELECT id, '{name}', '{name}', '{deployment}' FROM orgs WHERE slug = '{}' RETURNING id",
        env.slug
    ));
    for (seq, id) in ids.iter().enumerate() {
        env.db.exec(&format!(
            "INSERT INTO pipeline_tasks (pipeline_id, org_task_id, seq) VALUES ({pipeline}, {id}, {seq})"
        ));
    }
    deployment
}

/// An org task of the env's org for `task` (of its master task; Dalgo's
/// update-schema is a sync's), named in the task as its `orgtask_uuid`; its id.
fn org_task(env: &Env, task: &mut Value) -> String {
    let slug = match task["slug"].as_str().unwrap() {
        "update-schema" => "airbyte-sync",
        slug => slug,
    };
    let connection = task["connection_id"].as_str().map_or_else(|| "NULL".to_string(), |c| format!("'{c}'"));
    let row = env.db.scalar(&format!(
        "INSERT INTO org_tasks (org_id, task_id, connection_id, generated_by)
         SELECT o.id, t.id, {connection}, 'client' FROM orgs o, tasks t WHERE o.slug = '{}' AND t.slug = '{slug}'
         RETURNING id || ' ' || uuid",
        env.slug
    ));
    let (id, uuid) = row.split_once(' ').unwrap();
    task["orgtask_uuid"] = json!(uuid);
    id.to_string()
}

/// A deployment of Dalgo's flow with this `config` that no database vouches
/// for (as anyone who reaches Prefect's API can make); its id.
/// Its pull step, for Prefect's own workers, is the env's `flows` directory
/// (where a test may put a stand-in for Dalgo's flow file).
fn deploy_unvouched(env: &Env, config: Value) -> String {
    let flow = prefect("POST", "/flows/", Some(&json!({ "name": "deployment-schedule-flow-v5" })))["id"].clone();
    let pull =
        json!([{ "prefect.deployments.steps.set_working_directory": { "directory": env.db.home().join("flows") } }]);
    let body = json!({ "name": format!("adhoc-{}", uuid_fragment()), "flow_id": flow, "entrypoint": ENTRYPOINT,
                       "work_pool_name": env.pool, "work_queue_name": "ddp", "tags": [env.slug],
                       "pull_steps": pull, "parameters": { "config": config } });
    prefect("POST", "/deployments/", Some(&body))["id"].as_str().unwrap().to_string()
}

fn run_of(deployment: &str) -> String {
    prefect("POST", &format!("/deployments/{deployment}/create_flow_run"), Some(&json!({})))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A run of `deployment` whose parameters are `parameters`, as Prefect
/// lets anyone start one (they replace the deployment's).
fn run_with(deployment: &str, parameters: Value) -> String {
    let body = json!({ "parameters": parameters });
    prefect("POST", &format!("/deployments/{deployment}/create_flow_run"), Some(&body))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An `airbyte-sync` task of `connection`, as Dalgo's backend makes it.
fn sync(env: &Env, seq: i64, connection: &str) -> Value {
    json!({ "seq": seq, "slug": "airbyte-sync", "type": "Airbyte Connection", "connection_id": connection,
            "airbyte_server_block": format!("{}-airbyte-server", env.slug), "timeout": 15 })
}

fn dbt(seq: i64, slug: &str, command: &str) -> Value {
    json!({ "seq": seq, "slug": slug, "type": "dbt Core Operation", "commands": [format!("/venv/bin/dbt {command}")] })
}

#[test]
fn a_pipeline_of_sync_dbt_run_and_dbt_test_completes_with_dalgos_shape() {
    let env = worker_env("Worker NGO");
    env.create("daily", &["--connection", &env.a]);
    let run = start(&env, "daily");
    // The sync, dbt-clean, dbt-deps, dbt-run and dbt-test.
    assert_eq!(env.db.count("task_locks WHERE flow_run_id IS NOT NULL"), 5, "pipeline run locked its tasks");

    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("started {} ({run}) of {}", flow_run(&run)["name"].as_str().unwrap(), env.slug)),
        "{err}"
    );
    assert!(err.contains(&format!("({run}): Completed (COMPLETED)")), "{err}");

    assert_eq!(flow_run(&run)["state"]["type"], "COMPLETED");
    let completed = |name: &str| (name.to_string(), "COMPLETED".to_string(), "Completed".to_string());
    let wrappers: Vec<_> = (0..4).map(|i| completed(&format!("dbtjob_v2_runner-{i}"))).collect();
    assert_eq!(task_runs(&run), [wrappers, vec![completed("run-airbyte-connection-flow-v1-0")]].concat());
    // Filed under Dalgo's own flows (dbt's used to go to a `dbtjob-v2-runner` Dalgo never makes).
    let mut flows = subflows(&run);
    flows.sort();
    let dbt = |slug: &str| ("dbtjob_v2_runner".to_string(), format!("dbtjob-{slug}"));
    assert_eq!(
        flows,
        [
            dbt("dbt-clean"),
            dbt("dbt-deps"),
            dbt("dbt-run"),
            dbt("dbt-test"),
            ("run-airbyte-connection-flow-v1".to_string(), "airbyte-sync-trigger".to_string())
        ]
    );
    assert_eq!(env.db.scalar("SELECT count(*) FROM analytics.orders"), "2", "dbt run built the model");
    assert_eq!(env.stub.requests_to("/v1/connections/sync").len(), 1);
    assert!(!env.stub.requests_to("/v1/jobs/get_light").is_empty(), "the job was polled");
    assert!(env.stub.violations().is_empty(), "{:?}", env.stub.violations());

    // Each task's lines are in Prefect under its own subflow run.
    let logs = env.ok_json(&["pipeline", "logs", &run]);
    let by = |task: &str, needle: &str| {
        logs.as_array().unwrap().iter().any(|l| l["task"] == task && l["message"].as_str().unwrap().contains(needle))
    };
    assert!(by("airbyte-sync", "Airbyte job"), "{logs}");
    assert!(by("dbtjob-dbt-run", "Completed successfully"), "{logs}");
    assert!(by("dbtjob-dbt-test", "PASS=2"), "{logs}");

    // Locks free, the run recorded as the pipeline's, dbt's runs as dalgo dbt run's.
    assert_eq!(env.db.count("task_locks"), 0);
    let history = env.ok_json(&["pipeline", "history", "daily", "--org", &env.slug]);
    assert_eq!(
        (history[0]["flow_run_id"].as_str(), history[0]["state_name"].as_str()),
        (Some(run.as_str()), Some("Completed"))
    );
    assert_eq!(env.db.count("dbt_runs WHERE status = 'succeeded'"), 4);
}

#[test]
fn a_failing_dbt_test_is_dbt_test_failed_and_the_next_task_runs() {
    let env = worker_env("Test Failed NGO");
    let models = env.db.home().join("project/models");
    std::fs::write(
        models.join("schema.yml"),
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        data_tests:\n          - accepted_values:\n              values: ['open']\n",
    )
    .unwrap();
    let tasks = json!([dbt(1, "dbt-run", "run"), dbt(2, "dbt-test", "test"), sync(&env, 3, &env.a)]);
    let run = run_of(&deploy(&env, tasks));
    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "COMPLETED");
    let tasks = task_runs(&run);
    assert_eq!(tasks[1], ("dbtjob_v2_runner-1".into(), "COMPLETED".into(), "DBT_TEST_FAILED".into()));
    assert_eq!(tasks[2], ("run-airbyte-connection-flow-v1-0".into(), "COMPLETED".into(), "Completed".into()));
    assert_eq!(env.stub.requests_to("/v1/connections/sync").len(), 1, "the task after the failed test did not run");
    // Dalgo's true state, as dalgo reads it.
    let shown = env.ok_json(&["pipeline", "logs", &run]);
    assert!(
        shown
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["task"] == "dbtjob-dbt-test" && l["message"].as_str().unwrap().contains("FAIL")),
        "{shown}"
    );
    // The parent run has lines of its own, as Python's flow leaves them; dbt's colour codes are not sent.
    let parent: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["flow_run_id"] == run.as_str())
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        parent[1..],
        [
            "Starting task dbt-run",
            "Task dbt-run finished in state Completed",
            "Starting task dbt-test",
            "Task dbt-test finished in state DBT_TEST_FAILED",
            "Starting task airbyte-sync",
            "Task airbyte-sync finished in state Completed",
            "Finished in state Completed"
        ],
        "{shown}"
    );
    assert!(parent[0].starts_with("Beginning flow run '") && parent[0].ends_with("' with 3 task(s)"), "{parent:?}");
    let said = |needle: &str| shown.as_array().unwrap().iter().any(|l| l["message"].as_str().unwrap().contains(needle));
    assert!(said("dbt tests failed; the pipeline goes on"), "{shown}");
    assert!(!said("\u{1b}["), "{shown}");
}

/// Dalgo's rule for failed syncs: by default the first failure fails the
/// run and nothing after it runs; with `continue_on_sync_failure` every sync
/// runs first, whatever its `seq`, and the run fails naming the failed ones
/// before any other task runs.
#[test]
fn a_failed_sync_stops_the_rest_unless_continue_on_sync_failure_runs_every_sync_first() {
    let env = worker_env("Sync Fail NGO");
    env.stub.fail_syncs_of(&env.a);
    let tasks = json!([sync(&env, 1, &env.a), dbt(2, "dbt-run", "run"), sync(&env, 3, &env.b)]);
    let between = || env.db.count("dbt_runs") > 0;
    let synced = || -> Vec<String> {
        let requests = env.stub.requests_to("/v1/connections/sync");
        requests.iter().map(|r| r.body["connectionId"].as_str().unwrap().to_string()).collect()
    };

    let run = run_of(&deploy(&env, tasks.clone()));
    let end = failed_run(&worker_once(&env, &["-o", "json"]));
    assert_eq!((end["flow_run_id"].as_str(), end["state_type"].as_str()), (Some(run.as_str()), Some("FAILED")));
    assert_eq!(synced(), std::slice::from_ref(&env.a), "the sync after the failed one ran");
    assert!(!between(), "the task after the failed sync ran");

    let config = json!({ "tasks": tasks, "org_slug": env.slug, "continue_on_sync_failure": true });
    let run = run_of(&deploy_config(&env, config));
    let end = failed_run(&worker_once(&env, &["-o", "json"]));
    assert_eq!((end["flow_run_id"].as_str(), end["state_type"].as_str()), (Some(run.as_str()), Some("FAILED")));
    assert!(end["message"].as_str().unwrap().contains("1 airbyte sync(s) failed"), "{end}");
    assert_eq!(synced(), [env.a.clone(), env.a.clone(), env.b.clone()], "every sync ran, the failed one first");
    assert!(!between(), "a task other than a sync ran after a sync failed");
    let wrappers: Vec<_> = task_runs(&run).into_iter().map(|(name, state, _)| (name, state)).collect();
    assert_eq!(
        wrappers,
        [
            ("run-airbyte-connection-flow-v1-0".into(), "FAILED".into()),
            ("run-airbyte-connection-flow-v1-1".into(), "COMPLETED".into())
        ]
    );
}

/// A run cancelled while its sync runs cancels the Airbyte job, which is
/// recorded cancelled, and ends CANCELLED without waiting for the job.
#[test]
fn cancelling_a_run_mid_sync_cancels_the_airbyte_job() {
    let stub = Options { job_duration: std::time::Duration::from_secs(600), ..Options::default() };
    let env = worker_env_with("Sync Cancel NGO", stub);
    let run = run_of(&deploy(&env, json!([sync(&env, 1, &env.a)])));
    cancel_when(&env, &run, "airbyte_jobs WHERE status = 'running'");
    let job = env.db.scalar("SELECT job_id FROM airbyte_jobs");
    let cancels = env.stub.requests_to("/v1/jobs/cancel");
    assert_eq!(cancels.len(), 1, "{cancels:?}");
    assert_eq!(cancels[0].body["id"].to_string(), job);
    assert_eq!(env.db.rows("SELECT status FROM airbyte_jobs"), ["cancelled"]);
    assert!(env.stub.violations().is_empty(), "{:?}", env.stub.violations());
}

/// Dalgo's clear deployments (one per connection): `airbyte-clear` clears
/// the whole connection, or only the task's `streams`, and the run follows
/// the job to its end as a sync's does.
#[test]
fn airbyte_clear_tasks_clear_the_connection_or_its_streams_and_follow_the_job() {
    let env = worker_env("Clear NGO");
    let clear = |seq: i64, conn: &str, streams: Value| {
        json!({ "seq": seq, "slug": "airbyte-clear", "type": "Airbyte Connection", "connection_id": conn,
                "airbyte_server_block": format!("{}-airbyte-server", env.slug), "timeout": 15, "streams": streams })
    };
    let streams = json!([{ "streamName": "orders", "streamNamespace": "public" }, { "streamName": "people" }]);
    let dep = deploy(&env, json!([clear(1, &env.a, json!([])), clear(2, &env.b, streams.clone())]));
    let run = run_of(&dep);
    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "COMPLETED");
    let completed = |name: &str| (name.to_string(), "COMPLETED".to_string(), "Completed".to_string());
    assert_eq!(task_runs(&run), [completed("run-airbyte-conn-clear-0"), completed("run-airbyte-conn-clear-1")]);

    let whole = env.stub.requests_to("/v1/connections/clear");
    assert_eq!(whole.len(), 1);
    assert_eq!(whole[0].body, json!({ "connectionId": env.a }));
    let some = env.stub.requests_to("/v1/connections/clear/stream");
    assert_eq!(some.len(), 1);
    assert_eq!(some[0].body, json!({ "connectionId": env.b, "streams": streams }));
    assert!(env.stub.requests_to("/v1/connections/sync").is_empty());
    assert!(!env.stub.requests_to("/v1/jobs/get_light").is_empty(), "the jobs were followed");
    assert!(env.stub.violations().is_empty(), "{:?}", env.stub.violations());
    // Recorded as the jobs they are, and the logs are under the clear's run.
    assert_eq!(
        env.db.rows("SELECT connection_id || '|' || job_type || '|' || status FROM airbyte_jobs ORDER BY job_id"),
        [format!("{}|reset_connection|succeeded", env.a), format!("{}|reset_connection|succeeded", env.b)]
    );
    let logs = env.ok_json(&["pipeline", "logs", &run]);
    assert!(
        logs.as_array().unwrap().iter().any(|l| l["task"] == "airbyte-clear-trigger"
            && l["message"].as_str().unwrap().contains(&format!("started for connection {}", env.b))),
        "{logs}"
    );
}

/// Dalgo's schema-change approval (`update-schema` with the approved
/// catalog diff): the connection gets its refreshed catalog, the rest as it
/// was and without a reset; an approval that no longer matches Airbyte's
/// change fails the task and writes nothing.
#[test]
fn update_schema_applies_the_approved_change_and_refuses_a_stale_one() {
    let env = worker_env("Schema NGO");
    let before = env.stub.connection(&env.a)["syncCatalog"].clone();
    let mut after = before.clone();
    after["streams"][0]["stream"]["jsonSchema"]["properties"]["status"] = json!({ "type": "string" });
    let diff = json!({ "transforms": [{
        "transformType": "update_stream", "streamDescriptor": { "name": "orders", "namespace": "public" },
        "updateStream": [{ "transformType": "add_field", "fieldName": ["status"], "breaking": false,
                           "addField": { "schema": { "type": "string" } } }] }] });
    env.stub.change_schema(&env.a, after.clone(), diff.clone());
    let task = |diff: Value| {
        json!([{ "seq": 1, "slug": "update-schema", "type": "Airbyte Connection", "connection_id": env.a,
                 "airbyte_server_block": format!("{}-airbyte-server", env.slug), "timeout": 100, "catalog_diff": diff }])
    };

    // Approved before the source changed again: it names another stream.
    let stale =
        json!({ "transforms": [{ "transformType": "remove_stream", "streamDescriptor": { "name": "customers" } }] });
    let run = run_of(&deploy(&env, task(stale)));
    let out = worker_once(&env, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "FAILED");
    assert!(env.stub.requests_to("/v1/web_backend/connections/update").is_empty(), "a stale approval wrote");
    assert_eq!(env.stub.connection(&env.a)["syncCatalog"], before);
    let logs = env.ok_json(&["pipeline", "logs", &run]);
    assert!(
        logs.as_array().unwrap().iter().any(|l| l["task"] == "airbyte-update-schema-trigger"
            && l["message"].as_str().unwrap().contains("schema changed again")),
        "{logs}"
    );

    let run = run_of(&deploy(&env, task(diff)));
    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "COMPLETED");
    let completed = |name: &str| (name.to_string(), "COMPLETED".to_string(), "Completed".to_string());
    assert_eq!(task_runs(&run), [completed("run-refresh-schema-flow-0")]);
    let updates = env.stub.requests_to("/v1/web_backend/connections/update");
    assert_eq!(updates.len(), 1);
    let body = &updates[0].body;
    assert_eq!((&body["skipReset"], &body["syncCatalog"], &body["name"]), (&json!(true), &after, &json!("seed-0")));
    assert!(body["sourceCatalogId"].is_string(), "{body}");
    assert_eq!(env.stub.connection(&env.a)["syncCatalog"], after);
    for path in ["/v1/connections/reset", "/v1/connections/sync", "/v1/connections/clear"] {
        assert!(env.stub.requests_to(path).is_empty(), "{path} was called");
    }
    assert!(env.stub.violations().is_empty(), "{:?}", env.stub.violations());
}

/// The org's dbt workspace cloned from a fresh upstream repository; the
/// upstream's directory and URL.
fn git_workspace(env: &Env) -> (std::path::PathBuf, String) {
    let (upstream, url) = crate::dbt::fixture_repo(&env.db);
    env.dalgo(&["dbt", "setup", "--org", &env.slug, "--repo", &url, "--default-schema", "analytics"])
        .assert()
        .success();
    (upstream, url)
}

/// The checked-out commit of the clone in `dir`.
fn head(dir: &Path) -> String {
    let out = std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(dir).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Dalgo's `git-clone` step (its flow clones afresh on every run, on
/// machines that keep nothing): the org's repository is cloned when its
/// clone is missing, and pulled when it is there, so the next step builds
/// the upstream's head either way.
#[test]
fn git_clone_tasks_clone_a_missing_clone_and_pull_an_existing_one() {
    let env = worker_env("Clone NGO");
    let (upstream, url) = git_workspace(&env);
    let clone = env.db.clientdbt_root().join(&env.slug).join("dbtrepo");
    std::fs::remove_dir_all(&clone).unwrap();
    let root = env.db.clientdbt_root();
    let tasks = json!([
        { "seq": 1, "slug": "git-clone", "type": "Shell Operation", "commands": ["git clone"], "working_dir": root,
          "env": { "secret-git-pull-url-block": "", "project_dir": format!("{}/dbtrepo", env.slug), "gitrepo_url": url } },
        dbt(2, "dbt-run", "run"),
    ]);
    let dep = deploy(&env, tasks);
    for round in 0..2 {
        if round == 1 {
            // Upstream moves on; the clone is there now.
            std::fs::write(upstream.join("README.md"), "moved on\n").unwrap();
            crate::common::git(&upstream, &["add", "."]);
            crate::common::git(&upstream, &["commit", "-qm", "moved on"]);
        }
        let run = run_of(&dep);
        let out = worker_once(&env, &[]);
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        assert_eq!(flow_run(&run)["state"]["type"], "COMPLETED", "round {round}");
        assert_eq!(head(&clone), head(&upstream), "round {round}: the clone is at the upstream's head");
        assert_eq!(env.db.scalar("SELECT count(*) FROM analytics.orders"), "2", "round {round}: dbt ran on the clone");
        let shells: Vec<_> = task_runs(&run).into_iter().filter(|t| t.0.starts_with("shellopjob")).collect();
        assert_eq!(shells, [("shellopjob-0".into(), "COMPLETED".into(), "Completed".into())], "round {round}");
    }
    let runs = env.db.rows("SELECT command || '|' || status FROM dbt_runs ORDER BY id");
    assert_eq!(runs.iter().filter(|r| r.as_str() == "git clone|succeeded").count(), 2, "{runs:?}");
}

/// `dalgo worker --once` takes `run`; once `started` (a table and filter)
/// counts one row, the run is cancelled in Prefect; the worker exits 1 and
/// the run ends CANCELLED.
fn cancel_when(env: &Env, run: &str, started: &str) {
    let name = format!("w-{}", env.slug);
    let mut worker = env.spawn(&["worker", "--pool", &env.pool, "--once", "--poll-interval", "0.2", "--name", &name]);
    wait_while_running(&mut worker, || env.db.count(started) == 1, started);
    env.dalgo(&["pipeline", "cancel", run]).assert().success();
    let out = worker.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(flow_run(run)["state"]["type"], "CANCELLED");
}

#[test]
fn cancelling_a_run_mid_dbt_stops_dbt_and_the_run_ends_cancelled() {
    let env = worker_env("Cancel NGO");
    std::fs::write(env.db.home().join("project/models/slow.sql"), "select 1 as id from pg_sleep(60)\n").unwrap();
    let run = run_of(&deploy(&env, json!([dbt(1, "dbt-run", "run")])));
    cancel_when(&env, &run, "dbt_runs WHERE status = 'running'");
    assert_eq!(task_runs(&run), [("dbtjob_v2_runner-0".into(), "CANCELLED".into(), "Cancelled".into())]);
    assert_eq!(env.db.count("dbt_runs WHERE status = 'interrupted'"), 1, "dbt was stopped, not left to finish");
    assert_eq!(env.db.count("pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"), 0);
}

#[test]
fn cancelling_a_run_mid_git_clone_stops_git_and_keeps_the_old_clone() {
    let env = worker_env("Clone Cancel NGO");
    let (upstream, _) = git_workspace(&env);
    // The workspace now names a remote that never answers: git-clone clones it afresh.
    let remote = crate::common::SilentRemote::new();
    env.db.exec(&format!("UPDATE dbt_workspaces SET repo_url = '{}'", remote.url()));
    let task = json!({ "seq": 1, "slug": "git-clone", "type": "Shell Operation", "commands": ["git clone"],
                       "working_dir": env.db.clientdbt_root(), "env": {} });
    let run = run_of(&deploy(&env, json!([task])));
    let name = format!("w-{}", env.slug);
    let mut worker = env.spawn(&["worker", "--pool", &env.pool, "--once", "--poll-interval", "0.2", "--name", &name]);
    let conn = remote.connected(&mut worker);
    env.dalgo(&["pipeline", "cancel", &run]).assert().success();
    assert!(crate::common::closed(conn), "git still waits on the remote after the run was cancelled");
    let out = worker.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "CANCELLED");
    assert_eq!(task_runs(&run), [("shellopjob-0".into(), "CANCELLED".into(), "Cancelled".into())]);
    assert_eq!(env.db.rows("SELECT command || '|' || status FROM dbt_runs"), ["git clone|interrupted"]);
    let org_dir = env.db.clientdbt_root().join(&env.slug);
    let left: Vec<_> = std::fs::read_dir(&org_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(
        !left.iter().any(|n| n.to_string_lossy().starts_with(".dbtrepo.tmp")),
        "the partial clone is left: {left:?}"
    );
    assert_eq!(head(&org_dir.join("dbtrepo")), head(&upstream), "the old clone is gone");
}

#[test]
fn two_workers_on_one_pool_run_each_of_50_runs_exactly_once() {
    let env = worker_env("Shared Pool NGO");
    // 50 pipelines of one sync each, each of its own connection: runs of one
    // pipeline would wait for each other's task locks.
    let ws = env.db.scalar(&format!("SELECT airbyte_workspace_id FROM orgs WHERE slug = '{}'", env.slug));
    let connections = env.stub.seed_connections(&ws, 50);
    let runs: Vec<String> = connections.iter().map(|c| run_of(&deploy(&env, json!([sync(&env, 1, c)])))).collect();
    let spawn = |name: &str| {
        env.spawn(&[
            "worker",
            "--pool",
            &env.pool,
            "--once",
            "--poll-interval",
            "0.2",
            "--concurrency",
            "4",
            "--name",
            name,
        ])
    };
    let (a, b) = (spawn("w-a"), spawn("w-b"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{}\n{}", stderr(&a), stderr(&b));
    // Both exited with nothing scheduled: every run was taken by one of them.
    let body = json!({ "flow_runs": { "id": { "any_": runs }, "state": { "type": { "any_": ["COMPLETED"] } } } });
    assert_eq!(prefect("POST", "/flow_runs/count", Some(&body)), 50);
    let mut synced: Vec<String> = env
        .stub
        .requests_to("/v1/connections/sync")
        .iter()
        .map(|r| r.body["connectionId"].as_str().unwrap().to_string())
        .collect();
    synced.sort();
    let mut expected = connections.clone();
    expected.sort();
    assert_eq!(synced, expected, "a run was executed twice or not at all");
    for run in &runs {
        assert_eq!(task_runs(run).len(), 1, "run {run} has more than one task run");
    }
    let started = |o: &Output| stderr(o).matches("started ").count();
    assert_eq!(started(&a) + started(&b), 50);
}

#[test]
fn runs_of_other_flows_are_left_for_other_workers() {
    let env = worker_env("Other Flow NGO");
    let flow = prefect("POST", "/flows/", Some(&json!({ "name": "someone-elses-flow" })))["id"].clone();
    let body = json!({ "name": format!("etl-{}", uuid_fragment()), "flow_id": flow, "entrypoint": "flows/etl.py:main",
                       "work_pool_name": env.pool, "work_queue_name": "ddp" });
    let dep = prefect("POST", "/deployments/", Some(&body))["id"].as_str().unwrap().to_string();
    let run = run_of(&dep);
    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "SCHEDULED", "the other flow's run was touched");
}

/// As Prefect's own workers: a worker on a pool that does not exist makes
/// it (type process) and says so; it used to fail.
#[test]
fn a_worker_on_a_new_pool_creates_it() {
    let env = worker_env("New Pool NGO");
    let pool = format!("new-pool-{}", uuid_fragment());
    let (missing, _) = prefect_call("GET", &format!("{}/work_pools/{pool}", prefect_url()), None);
    assert_eq!(missing, 404);
    let out = env
        .dalgo(&["worker", "--pool", &pool, "--once", "--poll-interval", "0.2", "--name", "w-new-pool"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("online on pool {pool} (created, type process)")), "{}", stderr(&out));
    assert_eq!(prefect("GET", &format!("/work_pools/{pool}"), None)["type"], "process");
    // The next start finds it.
    let again = env
        .dalgo(&["worker", "--pool", &pool, "--once", "--poll-interval", "0.2", "--name", "w-new-pool"])
        .output()
        .unwrap();
    assert!(again.status.success() && !stderr(&again).contains("created"), "{}", stderr(&again));
}

/// A run of a deployment dalgo's database does not hold (a Django-made
/// pipeline on a shared pool, or anything anyone made in Prefect), or one
/// whose parameters hold no `config`, is not dalgo's to run: it stays
/// SCHEDULED for the workers that can, and no task lock is taken for it.
#[test]
fn runs_of_unknown_orgs_and_runs_without_config_are_left_for_other_workers() {
    let env = worker_env("Unknown Org NGO");
    let unknown = deploy_unvouched(&env, json!({ "org_slug": "not-in-dalgo", "tasks": [dbt(1, "dbt-run", "run")] }));
    let unknown_run = run_of(&unknown);
    let flow = prefect("POST", "/flows/", Some(&json!({ "name": "deployment-schedule-flow-v5" })))["id"].clone();
    let body = json!({ "name": format!("adhoc-{}", uuid_fragment()), "flow_id": flow, "entrypoint": ENTRYPOINT,
                       "work_pool_name": env.pool, "work_queue_name": "ddp", "parameters": {} });
    let configless = prefect("POST", "/deployments/", Some(&body))["id"].as_str().unwrap().to_string();
    let configless_run = run_of(&configless);
    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for run in [&unknown_run, &configless_run] {
        assert_eq!(flow_run(run)["state"]["type"], "SCHEDULED", "{}", stderr(&out));
    }
    assert_eq!(env.db.count("task_locks"), 0);
    // Each is said once, with why.
    let err = stderr(&out);
    let said =
        |run: &str, why: &str| err.matches(&format!("({run}) for other workers: ")).count() == 1 && err.contains(why);
    assert!(said(&unknown_run, &format!("its deployment {unknown} is not a pipeline in dalgo's database")), "{err}");
    assert!(said(&configless_run, "its parameters have no config"), "{err}");
}

/// Whether a process runs (a zombie waiting for its reaper does not).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) != Some("Z"))
}

fn signal(child: &std::process::Child, sig: &str) {
    assert!(std::process::Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
}

#[test]
fn sigterm_gives_runs_the_grace_then_stops_their_tasks_and_reports_them_crashed() {
    let env = worker_env("Shutdown NGO");
    let slow = "{{ config(materialized='table') }}\nselect 1 as id from pg_sleep(3600)\n";
    std::fs::write(env.db.home().join("project/models/slow.sql"), slow).unwrap();
    let run = run_of(&deploy(&env, json!([dbt(1, "dbt-run", "run")])));
    let name = format!("w-{}", env.slug);
    let mut worker =
        env.spawn(&["worker", "--pool", &env.pool, "--poll-interval", "0.2", "--grace", "1s", "--name", &name]);
    wait_while_running(&mut worker, || env.db.count("dbt_runs WHERE status = 'running'") == 1, "dbt run");
    // dbt and what it started name the org's directory on their command lines.
    let org_dir = env.db.clientdbt_root().join(&env.slug);
    wait_while_running(&mut worker, || !processes_naming(&org_dir).is_empty(), "dbt's process");
    signal(&worker, "-TERM");
    let out = worker.wait_with_output().unwrap();
    assert!(out.status.success(), "a clean shutdown exits 0: {}", stderr(&out));
    assert!(stderr(&out).contains("stopping: 1 run(s) still running"), "{}", stderr(&out));
    let fr = flow_run(&run);
    assert_eq!(fr["state"]["type"], "CRASHED", "{fr}");
    assert_eq!(task_runs(&run), [("dbtjob_v2_runner-0".into(), "CANCELLED".into(), "Cancelled".into())]);
    assert_eq!(processes_naming(&org_dir), Vec::<String>::new(), "dbt outlived the stopped task");
    assert_eq!(env.db.count("dbt_runs WHERE status = 'interrupted'"), 1);
}

/// The live processes (not zombies) whose command line names `path`.
fn processes_naming(path: &Path) -> Vec<String> {
    let needle = path.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|pid| pid.chars().all(|c| c.is_ascii_digit()) && alive(pid))
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).replace('\0', " ").contains(&needle)
        })
        .collect()
}

#[test]
fn a_worker_restarted_under_its_name_marks_the_runs_it_left_crashed_and_frees_their_locks() {
    let env = worker_env("Restart NGO");
    // Runs until the worker is killed, however long the machine takes to get there.
    // A table, so the query runs (a view, dbt's default, is made without running it).
    let slow = "{{ config(materialized='table') }}\nselect 1 as id from pg_sleep(3600)\n";
    std::fs::write(env.db.home().join("project/models/slow.sql"), slow).unwrap();
    env.create("daily", &["--connection", &env.a]);
    let run = start(&env, "daily");
    let name = format!("w-{}", env.slug);
    // Heartbeats every 5 s: Prefect's OFFLINE after three missed ones (15 s) is
    // then something a loaded machine does not cause by itself.
    let args = ["worker", "--pool", &env.pool, "--poll-interval", "0.2", "--heartbeat", "5", "--name", &name];
    let mut worker = env.spawn(&args);
    wait_while_running(
        &mut worker,
        || env.db.count("dbt_runs WHERE command = 'dbt run' AND status = 'running'") == 1,
        "dbt run",
    );
    // Prefect knows the worker by its heartbeats.
    let seen = || {
        let workers = prefect("POST", &format!("/work_pools/{}/workers/filter", env.pool), Some(&json!({})));
        let me = workers.as_array().unwrap().iter().find(|w| w["name"] == name.as_str()).cloned().unwrap();
        (me["status"].as_str().unwrap().to_string(), me["heartbeat_interval_seconds"].as_i64())
    };
    // (Waited for: on a loaded machine Prefect may itself be late to read a heartbeat.)
    crate::common::wait_up_to(
        std::time::Duration::from_secs(90),
        || (seen() == ("ONLINE".to_string(), Some(5))).then_some(()),
        "the worker ONLINE",
    );
    // It goes on heartbeating while the run goes on (its loop used to wait for
    // the run to end, and Prefect marked a worker busy with a long run OFFLINE).
    let beat = || {
        let workers = prefect("POST", &format!("/work_pools/{}/workers/filter", env.pool), Some(&json!({})));
        let me = workers.as_array().unwrap().iter().find(|w| w["name"] == name.as_str()).cloned().unwrap();
        me["last_heartbeat_time"].as_str().unwrap_or_default().to_string()
    };
    let first = beat();
    crate::common::wait_for(|| (beat() != first).then_some(()), "a heartbeat during the run");
    worker.kill().unwrap();
    worker.wait().unwrap();
    assert_eq!(flow_run(&run)["state"]["type"], "RUNNING", "a killed worker cannot say anything");
    assert_eq!(env.db.count("task_locks"), 5);
    // Gone, it is seen: after three missed heartbeats Prefect's foreman marks it OFFLINE (it
    // looks every 15 s); the run, still RUNNING, names it.
    let offline = || (seen().0 == "OFFLINE").then_some(());
    crate::common::wait_up_to(std::time::Duration::from_secs(90), offline, "Prefect to mark the worker OFFLINE");
    let message = flow_run(&run)["state"]["message"].as_str().unwrap_or_default().to_string();
    assert!(message.contains(&format!("dalgo worker {name}")), "{message}");

    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("1 run(s) left by a previous {name} marked CRASHED")), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "CRASHED");
    // Nothing under it stays RUNNING: the dbt subflow and its wrapper end CRASHED with it.
    let open = json!({ "type": { "any_": ["RUNNING", "PENDING"] } });
    let subflows = json!({ "flow_runs": { "parent_flow_run_id": { "any_": [run] }, "state": open } });
    assert_eq!(prefect("POST", "/flow_runs/filter", Some(&subflows)), json!([]));
    let wrappers = json!({ "task_runs": { "flow_run_id": { "any_": [run] }, "state": open } });
    assert_eq!(prefect("POST", "/task_runs/filter", Some(&wrappers)), json!([]));
    assert!(task_runs(&run).iter().any(|(name, state, _)| name == "dbtjob_v2_runner-2" && state == "CRASHED"));
    assert_eq!(env.db.count("task_locks"), 0, "the crashed run's locks were kept");
    assert_eq!(env.db.scalar(&format!("SELECT state_type FROM flow_runs WHERE flow_run_id = '{run}'")), "CRASHED");
}

#[test]
fn a_run_whose_tasks_another_live_run_holds_waits_for_a_later_turn() {
    let env = worker_env("Overlap NGO");
    let dep = env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let manual = start(&env, "daily");
    // A scheduled run of the same pipeline, as Prefect's scheduler makes them.
    let scheduled = run_of(&dep);
    let out = worker_once(&env, &["--concurrency", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("({scheduled}) in a minute: ")), "{}", stderr(&out));
    assert_eq!(flow_run(&manual)["state"]["type"], "COMPLETED");
    let later = flow_run(&scheduled);
    assert_eq!(
        (later["state"]["type"].as_str(), later["state"]["name"].as_str()),
        (Some("SCHEDULED"), Some("AwaitingRetry"))
    );
    assert_eq!(env.stub.requests_to("/v1/connections/sync").len(), 1, "the two runs overlapped");
    assert_eq!(env.db.count("task_locks"), 0);
}

/// The JSON fields whose values are names from a closed set dalgo defines.
const DALGO_ENUMS: [&str; 8] =
    ["status", "kind", "block_type", "source", "type", "job_type", "target_type", "password"];

/// Every (key, string value) pair in a JSON document, at any depth.
fn enum_values<'a>(v: &'a Value, out: &mut Vec<(&'a str, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if let Some(s) = v.as_str() {
                    out.push((k.as_str(), s));
                }
                enum_values(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| enum_values(v, out)),
        _ => {}
    }
}

/// One casing in JSON: values dalgo defines are lowercase in every command's
/// output; Prefect's state types are Prefect's own uppercase names, as its
/// API and UI spell them (README, "JSON contracts").
#[test]
fn json_values_dalgo_defines_are_lowercase_and_prefects_state_types_are_prefects() {
    let env = worker_env("Casing NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    env.create("transform", &["--transform", "dbt-run"]);
    start(&env, "daily");
    let out = worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    env.dalgo(&["dbt", "run", "--org", &env.slug, "-o", "json"]).assert().success();
    let org = env.slug.as_str();
    let commands: [&[&str]; 10] = [
        &["pipeline", "list", "--org", org],
        &["pipeline", "show", "daily", "--org", org],
        &["pipeline", "history", "daily", "--org", org],
        &["pipeline", "blocks", "--org", org],
        &["secrets", "list"],
        &["airbyte", "jobs", "list", "--org", org],
        &["dbt", "status", "--org", org],
        &["warehouse", "show", "--org", org],
        &["org", "show", org],
        &["createorganduser", "Casing NGO", "boss@ngo.org"],
    ];
    let mut seen = std::collections::BTreeSet::<String>::new();
    for args in commands {
        let doc = env.ok_json(args);
        let mut pairs = Vec::new();
        enum_values(&doc, &mut pairs);
        for (key, value) in pairs {
            if DALGO_ENUMS.contains(&key) {
                assert_eq!(value, value.to_lowercase(), "{args:?}: {key} {value:?} is not lowercase in {doc}");
                seen.insert(key.to_string());
            } else if key == "state_type" {
                let state = value.parse::<dalgo::model::pipeline::StateType>();
                assert!(state.is_ok(), "{args:?}: state_type {value:?} is not Prefect's");
                seen.insert(key.to_string());
            }
        }
    }
    // The check looked at something of each kind these commands print.
    for key in ["status", "kind", "block_type", "source", "type", "job_type", "password", "state_type"] {
        assert!(seen.contains(key), "no {key} was printed");
    }
}

/// An org brought over by `import django`: its pipeline's deployment was
/// made by Dalgo's backend (the same shape as `deploy` makes), and dalgo
/// knows it only through the import. A manual `pipeline run` and the run
/// Dalgo's schedule makes never overlap: the worker runs the manual one,
/// and the other goes back to SCHEDULED while the manual run holds the
/// task's lock, as Dalgo's own locks would have it.
#[test]
fn a_django_made_deployment_of_an_imported_org_runs_under_its_task_locks() {
    let db = crate::common::TestDb::own();
    let slug = format!("imp-{}", &uuid_fragment()[..8]);
    let pool = format!("worker-{}", uuid_fragment());
    let (code, answer) = prefect_call(
        "POST",
        &format!("{}/work_pools/", prefect_url()),
        Some(&json!({ "name": pool, "type": "process" })),
    );
    assert!(code == 201 || code == 409, "{code} {answer}");
    let task_uuid = "00000000-0000-4000-8000-0000000000a1";
    let run_task = json!({ "seq": 1, "slug": "dbt-run", "type": "dbt Core Operation", "orgtask_uuid": task_uuid,
                           "commands": ["/venv/bin/dbt run"] });
    let flow = prefect("POST", "/flows/", Some(&json!({ "name": "deployment-schedule-flow-v5" })))["id"].clone();
    let name = format!("pipeline-{slug}-nightly");
    let body = json!({ "name": name, "flow_id": flow, "entrypoint": ENTRYPOINT, "work_pool_name": pool,
                       "work_queue_name": "ddp", "tags": [slug],
                       "parameters": { "config": { "org_slug": slug, "tasks": [run_task] } } });
    let deployment = prefect("POST", "/deployments/", Some(&body))["id"].as_str().unwrap().to_string();
    // Dalgo's rows for it: the org, its warehouse (this test's database), a ui dbt workspace, the task, the pipeline.
    let src = crate::import::DjangoSource::empty(&db);
    let secret = format!("warehouseCreds-{slug}-w1");
    src.exec(&format!(
        "INSERT INTO ddpui_task (id, type, slug, label, command, is_system) VALUES (4, 'dbt', 'dbt-run', 'DBT run', 'run', true);
         INSERT INTO ddpui_orgdbt (id, project_dir, target_type, default_schema, transform_type, created_at, updated_at,
                                   is_repo_managed_by_system)
           VALUES (1, '{slug}/dbtrepo', 'postgres', 'analytics', 'ui', now(), now(), false);
         INSERT INTO ddpui_org (id, name, slug, dbt_id, created_at, updated_at, queue_config)
           VALUES (1, 'Imported {slug}', '{slug}', 1, now(), now(),
                   '{{\"scheduled_pipeline_queue\": {{\"name\": \"ddp\", \"workpool\": \"{pool}\", \"is_workpool_eks\": false}}}}');
         INSERT INTO ddpui_orgwarehouse (id, wtype, credentials, org_id, name, created_at, updated_at)
           VALUES (1, 'postgres', '{secret}', 1, 'warehouse', now(), now());
         INSERT INTO ddpui_orgtask (id, org_id, task_id, parameters, generated_by, uuid, created_at, updated_at, dbt_id)
           VALUES (1, 1, 4, '{{}}', 'system', '{task_uuid}', now(), now(), 1);
         INSERT INTO ddpui_orgdataflowv1 (id, name, deployment_name, deployment_id, dataflow_type, org_id, created_at, updated_at)
           VALUES (1, 'nightly', '{name}', '{deployment}', 'orchestrate', 1, now(), now());
         INSERT INTO ddpui_datafloworgtask (id, dataflow_id, orgtask_id, seq, created_at, updated_at)
           VALUES (1, 1, 1, 1, now(), now())"
    ));
    let secrets = db.home().join("django-secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let creds = json!({ "host": pg_host(), "port": 5432, "username": db.scalar("SELECT current_user"),
                        "password": "any", "database": db.name });
    let file = json!({ "Name": secret, "SecretId": secret, "SecretString": creds.to_string() });
    std::fs::write(secrets.join(&secret), file.to_string()).unwrap();
    crate::dbt::copy_dir(&crate::dbt::dbt_project(), &db.clientdbt_root().join(&slug).join("dbtrepo"));
    let with_prefect = |args: &[&str]| {
        let mut cmd = db.dalgo(args);
        cmd.env("PREFECT_API_URL", prefect_url()).env("PREFECT_WORKER_POOL_NAME", &pool);
        cmd
    };
    let out = with_prefect(&["import", "django", "--from", &src.url, "--secrets-dir", secrets.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));

    let manual = with_prefect(&["pipeline", "run", "nightly", "--org", &slug, "-o", "json"]).output().unwrap();
    assert!(manual.status.success(), "{}", stderr(&manual));
    let manual = serde_json::from_slice::<Value>(&manual.stdout).unwrap()["flow_run_id"].as_str().unwrap().to_string();
    let scheduled = run_of(&deployment);
    let out = with_prefect(&["worker", "--pool", &pool, "--once", "--poll-interval", "0.2", "--name", &slug])
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&manual)["state"]["type"], "COMPLETED", "{}", stderr(&out));
    let other = flow_run(&scheduled);
    assert_eq!(
        (other["state"]["type"].as_str(), other["state"]["name"].as_str()),
        (Some("SCHEDULED"), Some("AwaitingRetry"))
    );
    assert_eq!(db.scalar("SELECT count(*) FROM analytics.orders"), "2", "the imported project was built");
    assert_eq!(db.count("task_locks"), 0, "the manual run's lock went with it; the other took none");
    let history = with_prefect(&["pipeline", "history", "nightly", "--org", &slug, "-o", "json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&history.stdout).contains(&manual), "{}", stderr(&history));
}

/// A worker whose database is not the one that made a pipeline (a Django
/// org on a shared pool, here one dalgo made in another database) leaves
/// its runs to the workers whose database holds it (issue 29's runs "from
/// the deployment alone" are withdrawn: a deployment's word is no
/// authority). Nothing is written, in Prefect or in its database.
#[test]
fn a_deployment_the_workers_database_lacks_is_left_for_other_workers() {
    let env = worker_env("Blocks Only NGO");
    let deployment = env.create("daily", &["--connection", &env.a]);
    let run = run_of(&deployment);
    let elsewhere = crate::common::TestDb::migrated();
    let out = elsewhere
        .dalgo(&["worker", "--pool", &env.pool, "--once", "--poll-interval", "0.2", "--name", "w-elsewhere"])
        .env("PREFECT_API_URL", prefect_url())
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "SCHEDULED", "{}", stderr(&out));
    let said = format!("({run}) for other workers: its deployment {deployment} is not a pipeline in dalgo's database");
    assert_eq!(stderr(&out).matches(&said).count(), 1, "{}", stderr(&out));
    assert!(env.stub.requests_to("/v1/connections/sync").is_empty(), "the sync ran");
    assert_eq!((elsewhere.count("flow_runs"), elsewhere.count("task_locks")), (0, 0));
}

/// Every path, block and process the worker would touch for a run, as
/// (path, size, modification time), under `dir`.
fn snapshot(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            if meta.is_dir() {
                todo.push(e.path());
            }
            out.push((e.path().display().to_string(), meta.len(), meta.modified().unwrap()));
        }
    }
    out.sort();
    out
}

/// The wall, attacked as a hostile tenant would: runs of the tenant's own
/// pipeline whose parameters lie (another org, another org's or the
/// machine's directories, a loader in the environment, another org's task,
/// another repository, arguments of its own) are refused, FAILED with the
/// lie named, before anything runs; a shell command of the deployment's
/// own, and a deployment no database holds, are left for other workers.
/// Nothing outside the tenant's org is read or written, and nothing of the
/// tenant's runs either.
#[test]
fn runs_whose_parameters_lie_are_refused_and_nothing_outside_the_org_is_touched() {
    let env = worker_env("Thief NGO");
    onboard(&env.db, "Victim NGO", "victim@ngo.org", "admin");
    let victim = "victim-ngo";
    env.dalgo(&["airbyte", "workspace", "create", "--org", victim]).assert().success();
    env.dalgo(&["warehouse", "set", "--org", victim, "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(format!("host: {}\nport: 5432\nusername: v\npassword: victim-pw-4417\ndatabase: v\n", pg_host()))
        .assert()
        .success();
    let (_, url) = crate::dbt::fixture_repo(&env.db);
    env.dalgo(&["dbt", "setup", "--org", victim, "--repo", &url, "--default-schema", "analytics"]).assert().success();
    let victim_dir = env.db.clientdbt_root().join(victim);
    let victims_task = env.db.scalar(&format!(
        "SELECT ot.uuid FROM org_tasks ot JOIN orgs o ON o.id = ot.org_id JOIN tasks t ON t.id = ot.task_id
          WHERE o.slug = '{victim}' AND t.slug = 'dbt-run'"
    ));
    let stolen = env.db.home().join("stolen");
    std::fs::create_dir_all(&stolen).unwrap();
    let (victim_before, secrets_before) = (snapshot(&victim_dir), snapshot(&env.db.secrets_dir()));

    // The thief's own pipeline, and its parameters as dalgo made them.
    let deployment = env.create("nightly", &["--transform", "dbt-run"]);
    let params = prefect("GET", &format!("/deployments/{deployment}"), None)["parameters"].clone();
    let lie = |edit: &dyn Fn(&mut Value)| {
        let mut p = params.clone();
        edit(&mut p);
        run_with(&deployment, p)
    };
    // Its one task, dbt-run.
    let set = |p: &mut Value, key: &str, v: Value| p["config"]["tasks"][0][key] = v;
    let victim_project = victim_dir.join("dbtrepo");
    let refused = [
        (lie(&|p| p["config"]["org_slug"] = json!(victim)), format!("name org \"{victim}\"")),
        (lie(&|p| p["config"]["org_slug"] = json!("../..")), "name org \"../..\"".to_string()),
        (
            lie(&|p| {
                p["config"].as_object_mut().unwrap().remove("org_slug");
                set(p, "profiles_dir", json!(stolen));
            }),
            "profiles_dir".into(),
        ),
        (lie(&|p| set(p, "profiles_dir", json!("/etc/dalgo-owned"))), "profiles_dir".into()),
        (lie(&|p| set(p, "project_dir", json!(victim_project))), "project_dir".into()),
        (lie(&|p| set(p, "working_dir", json!("/"))), "working_dir".into()),
        (lie(&|p| set(p, "env", json!({ "LD_PRELOAD": stolen.join("evil.so") }))), "env.LD_PRELOAD".into()),
        (lie(&|p| set(p, "env", json!({ "PATH": stolen }))), "env.PATH".into()),
        (lie(&|p| set(p, "orgtask_uuid", json!(victims_task))), "is not a task of org".into()),
        (lie(&|p| set(p, "orgtask_uuid", Value::Null)), "names no orgtask_uuid".into()),
        (
            lie(&|p| {
                let line = format!("/venv/bin/dbt run --profiles-dir {}", victim_dir.join("profiles").display());
                set(p, "commands", json!([line]));
            }),
            "runs `".into(),
        ),
        (
            lie(&|p| {
                let own = p["config"]["tasks"][0]["orgtask_uuid"].clone();
                p["config"]["tasks"] = json!([{ "seq": 0, "slug": "git-clone", "type": "Shell Operation",
                    "commands": ["git clone"], "orgtask_uuid": own, "working_dir": env.db.clientdbt_root(),
                    "env": { "project_dir": format!("{}/dbtrepo", env.slug),
                             "gitrepo_url": format!("file://{}", victim_project.display()) } }]);
            }),
            "is git-clone, but its org task".into(),
        ),
    ];
    let shell = lie(&|p| {
        p["config"]["tasks"] = json!([{ "seq": 0, "slug": "shell-op", "type": "Shell Operation",
            "commands": [format!("cat {}/profiles/profiles.yml > {}/x", victim_dir.display(), stolen.display())],
            "working_dir": "/", "env": {} }]);
    });
    let unvouched = run_of(&deploy_unvouched(&env, params["config"].clone()));

    let out = worker_once(&env, &["-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "refused runs did not complete: {}", stderr(&out));
    let events: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (run, needle) in &refused {
        let fr = flow_run(run);
        assert_eq!(fr["state"]["type"], "FAILED", "{run}: {fr}");
        let message = fr["state"]["message"].as_str().unwrap();
        assert!(message.contains("refused: ") && message.contains(needle.as_str()), "{needle}: {message}");
        let finished = events.iter().find(|e| e["event"] == "finished" && e["flow_run_id"] == run.as_str()).unwrap();
        assert!(finished["message"].as_str().unwrap().contains(needle.as_str()), "{finished}");
        assert_eq!(subflows(run), Vec::<(String, String)>::new(), "a refused run ran a task");
    }
    for run in [&shell, &unvouched] {
        assert_eq!(flow_run(run)["state"]["type"], "SCHEDULED", "{run} was not left for other workers");
        let left = events.iter().filter(|e| e["event"] == "left" && e["flow_run_id"] == run.as_str()).count();
        assert_eq!(left, 1, "{run} was not said once: {events:?}");
    }
    // Nothing ran for the thief, and nothing outside its org was read or written.
    assert_eq!((env.db.count("dbt_runs"), env.db.count("task_locks")), (0, 0));
    assert_eq!(std::fs::read_dir(&stolen).unwrap().count(), 0, "something was written where a lie pointed");
    assert!(!Path::new("/etc/dalgo-owned").exists() && !Path::new("/profiles.yml").exists());
    assert_eq!(snapshot(&victim_dir), victim_before, "the victim's files changed");
    assert_eq!(snapshot(&env.db.secrets_dir()), secrets_before, "the secrets store changed");
}

/// A stand-in for Dalgo's flow file (`proxy/prefect_flows_runner.py`) in
/// the env's `flows` directory, for Prefect's own process worker: each run
/// it executes leaves a file named after the run in `marks`.
fn python_flow(env: &Env, marks: &Path) {
    let dir = env.db.home().join("flows/proxy");
    std::fs::create_dir_all(&dir).unwrap();
    let code = format!(
        "import os\nfrom prefect import flow\nfrom prefect.runtime import flow_run\n\n\
         @flow(name='deployment-schedule-flow-v5')\n\
         def deployment_schedule_flow_v5(config: dict):\n    \
         open(os.path.join({marks:?}, str(flow_run.id)), 'w').close()\n",
        marks = marks.display().to_string()
    );
    std::fs::write(dir.join("prefect_flows_runner.py"), code).unwrap();
}

/// A pool shared with Prefect's own Python worker (as when taking over
/// from Dalgo's workers): dalgo runs the runs of the pipelines its
/// database holds and leaves the rest, which the Python worker runs; every
/// run is executed once, by one of them.
#[test]
fn a_pool_shared_with_a_python_worker_runs_each_run_once() {
    let env = worker_env("Mixed Pool NGO");
    let marks = env.db.home().join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    python_flow(&env, &marks);
    let ours: Vec<String> = [&env.a, &env.b].iter().map(|c| run_of(&deploy(&env, json!([sync(&env, 1, c)])))).collect();
    let theirs: Vec<String> = [&env.a, &env.b]
        .iter()
        .map(|c| run_of(&deploy_unvouched(&env, json!({ "org_slug": env.slug, "tasks": [sync(&env, 1, c)] }))))
        .collect();
    let name = format!("w-{}", env.slug);
    let mut worker = env.spawn(&["worker", "--pool", &env.pool, "--poll-interval", "0.2", "--name", &name]);
    let completed = |run: &String| flow_run(run)["state"]["type"] == "COMPLETED";
    wait_while_running(&mut worker, || ours.iter().all(completed), "dalgo's runs");
    // dalgo has seen every run by now, and left two.
    assert!(theirs.iter().all(|r| flow_run(r)["state"]["type"] == "SCHEDULED"));
    let venv = crate::common::dbt_venv().unwrap();
    let python = std::process::Command::new(venv.join("bin/prefect"))
        .args(["worker", "start", "--pool", &env.pool, "--type", "process", "--run-once"])
        .env("PREFECT_API_URL", prefect_url())
        .env("PATH", format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default()))
        .current_dir(env.db.home())
        .output()
        .unwrap();
    let said = |o: &std::process::Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(o));
    assert!(python.status.success(), "{}", said(&python));
    signal(&worker, "-TERM");
    let out = worker.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for run in &theirs {
        assert!(completed(run), "the Python worker's run {run}: {}", said(&python));
        assert!(marks.join(run).exists(), "{run} was not run by the Python worker");
        assert!(subflows(run).is_empty(), "dalgo ran {run} too");
        // Said once each time it waits: a run the Python worker took and
        // gave back (PENDING, then SCHEDULED again, as under load) is said again.
        assert!(stderr(&out).contains(&format!("({run}) for other workers")), "{}", stderr(&out));
    }
    for run in &ours {
        assert!(!marks.join(run).exists(), "the Python worker ran dalgo's run {run} too");
        assert_eq!(subflows(run).len(), 1, "{run}");
    }
    assert_eq!(env.stub.requests_to("/v1/connections/sync").len(), 2, "dalgo synced only its own runs");
}

/// A worker's dbt step is tenant code, confined as `dalgo dbt run` is: a
/// "dbt" (DBT_EXECUTABLE) that reads every `/proc/<pid>/environ` it can
/// finds its own few processes and no environment of the worker's (which
/// holds `DATABASE_URL`, Prefect's and Airbyte's settings). What it saw
/// goes to Prefect's logs of the run, read back here.
#[test]
fn a_workers_dbt_step_reads_no_environment_of_the_workers() {
    let env = worker_env("Environ NGO");
    let probe = env.db.home().join("probe/bin/dbt");
    std::fs::create_dir_all(probe.parent().unwrap()).unwrap();
    let script = "#!/bin/sh\necho \"processes=$(ls -d /proc/[0-9]* | wc -l)\"\n\
                  cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | sed 's/^/env: /'\n";
    std::fs::write(&probe, script).unwrap();
    std::fs::set_permissions(&probe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = run_of(&deploy(&env, json!([dbt(1, "dbt-run", "run")])));
    let name = format!("w-{}", env.slug);
    let out = env
        .dalgo(&["worker", "--pool", &env.pool, "--once", "--poll-interval", "0.2", "--name", &name])
        .env("DBT_EXECUTABLE", &probe)
        .env("DALGO_SANDBOX", "require")
        .env("DALGO_WORKER_PROBE_MARK", "worker-secret-8841")
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flow_run(&run)["state"]["type"], "COMPLETED");
    let logs = env.ok_json(&["pipeline", "logs", &run]);
    let lines: Vec<&str> = logs.as_array().unwrap().iter().filter_map(|l| l["message"].as_str()).collect();
    let processes: usize =
        lines.iter().find_map(|l| l.strip_prefix("processes=")).expect("the probe's count").trim().parse().unwrap();
    assert!((1..=4).contains(&processes), "the step sees {processes} processes: {lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("env: HOME=")), "its own environment is there to read: {lines:?}");
    for secret in ["DATABASE_URL", "PREFECT_API_URL", "AIRBYTE_SERVER_PORT", "DALGO_ACTOR", "worker-secret-8841"] {
        assert!(!lines.iter().any(|l| l.contains(secret)), "the step read {secret}: {lines:?}");
    }
}
