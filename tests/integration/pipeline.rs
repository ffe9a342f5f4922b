//! `dalgo pipeline` and `dalgo locks` against a real Prefect server.

use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::{Value, json};

use crate::common::{TestDb, git, json, onboard, pg_host, prefect_call, prefect_url, stderr};

const CONN_A: &str = "0a0a0a0a-0000-4000-8000-00000000000a";
const CONN_B: &str = "0b0b0b0b-0000-4000-8000-00000000000b";

struct Env {
    db: TestDb,
    slug: String,
}

impl Env {
    /// An org (unique slug, since the Prefect server is shared) with a
    /// warehouse and a local dbt project, so it has git-less dbt tasks.
    fn new(name: &str) -> Env {
        let db = TestDb::migrated();
        onboard(&db, name, "boss@ngo.org", "admin");
        let slug = db.scalar("SELECT slug FROM orgs");
        let env = Env { db, slug };
        env.set_warehouse("p");
        let project = env.db.home().join("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("dbt_project.yml"), "name: p\nprofile: p\n").unwrap();
        env.dalgo(&[
            "dbt",
            "setup",
            "--org",
            &env.slug,
            "--local",
            project.to_str().unwrap(),
            "--default-schema",
            "analytics",
        ])
        .assert()
        .success();
        env
    }

    fn set_warehouse(&self, password: &str) {
        let wh = format!("host: {}\nport: 5432\nusername: u\npassword: {password}\ndatabase: d\n", pg_host());
        self.dalgo(&["warehouse", "set", "--org", &self.slug, "--type", "postgres", "--config", "-", "--no-check"])
            .write_stdin(wh)
            .assert()
            .success();
    }

    fn dalgo(&self, args: &[&str]) -> Command {
        let mut cmd = self.db.dalgo(args);
        cmd.env("PREFECT_API_URL", prefect_url()).env("PREFECT_WORKER_POOL_NAME", "dalgo-test-pool");
        cmd
    }

    fn ok_json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend(["--output", "json"]);
        let out = self.dalgo(&full).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    }

    fn create(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["pipeline", "create", "--org", &self.slug, "--name", name];
        args.extend_from_slice(extra);
        self.ok_json(&args)["deployment_id"].as_str().unwrap().to_string()
    }
}

fn deployment(id: &str) -> (u16, Value) {
    prefect_call("GET", &format!("{}/deployments/{id}", prefect_url()), None)
}

fn set_state(flow_run: &str, state_type: &str, name: &str) {
    let body = json!({ "state": { "type": state_type, "name": name }, "force": true });
    let (code, _) = prefect_call("POST", &format!("{}/flow_runs/{flow_run}/set_state", prefect_url()), Some(&body));
    assert!(code == 200 || code == 201, "set_state answered {code}");
}

#[test]
fn the_deployment_has_dalgos_shape_and_follows_pause_resume_and_update() {
    let env = Env::new("Shape NGO");
    let id = env.create("nightly", &["--connection", CONN_A, "--connection", CONN_B, "--cron", "0 2 * * *"]);
    let (code, dep) = deployment(&id);
    assert_eq!(code, 200);
    assert_eq!(dep["entrypoint"], "proxy/prefect_flows_runner.py:deployment_schedule_flow_v5");
    assert_eq!(dep["tags"], json!([env.slug]));
    assert_eq!(
        (dep["work_pool_name"].as_str(), dep["work_queue_name"].as_str()),
        (Some("dalgo-test-pool"), Some("ddp"))
    );
    assert_eq!(dep["schedules"][0]["schedule"]["cron"], "0 2 * * *");
    assert_eq!(dep["parameter_openapi_schema"]["required"], json!(["config"]));
    assert_eq!(
        dep["pull_steps"][0]["prefect.deployments.steps.git_clone"]["repository"],
        "https://github.com/DalgoT4D/prefect-proxy.git"
    );
    let (_, flow) = prefect_call("GET", &format!("{}/flows/{}", prefect_url(), dep["flow_id"].as_str().unwrap()), None);
    assert_eq!(flow["name"], "deployment-schedule-flow-v5");
    let config = &dep["parameters"]["config"];
    assert_eq!(config["org_slug"], env.slug.as_str());
    assert_eq!(config["continue_on_sync_failure"], false);
    let tasks = config["tasks"].as_array().unwrap();
    let slugs: Vec<_> = tasks.iter().map(|t| (t["slug"].as_str().unwrap(), t["seq"].as_i64().unwrap())).collect();
    assert_eq!(
        slugs,
        [("airbyte-sync", 0), ("airbyte-sync", 1), ("dbt-clean", 2), ("dbt-deps", 3), ("dbt-run", 4), ("dbt-test", 5)]
    );
    assert_eq!(tasks[0]["connection_id"], CONN_A);
    assert_eq!(tasks[0]["airbyte_server_block"], format!("{}-airbyte-server", env.slug));
    assert_eq!((tasks[0]["type"].as_str(), tasks[0]["timeout"].as_i64()), (Some("Airbyte Connection"), Some(15)));
    assert_eq!(tasks[4]["type"], "dbt Core Operation");
    assert_eq!(tasks[4]["env"]["dbt-profile-secret-block"], format!("dbt-profile-{}", env.slug));
    assert!(tasks[4]["commands"][0].as_str().unwrap().ends_with("dbt run"), "{}", tasks[4]["commands"]);
    assert_eq!(env.db.count("pipeline_tasks"), 6);

    env.dalgo(&["pipeline", "pause", "nightly", "--org", &env.slug]).assert().success();
    let (_, dep) = deployment(&id);
    assert_eq!((dep["paused"].as_bool(), dep["schedules"][0]["active"].as_bool()), (Some(true), Some(false)));
    let listed = env.ok_json(&["pipeline", "list", "--org", &env.slug]);
    assert_eq!((listed[0]["status"].as_str(), listed[0]["next_run_at"].is_null()), (Some("paused"), true));
    env.dalgo(&["pipeline", "resume", "nightly", "--org", &env.slug]).assert().success();
    let (_, dep) = deployment(&id);
    assert_eq!((dep["paused"].as_bool(), dep["schedules"][0]["active"].as_bool()), (Some(false), Some(true)));

    // Changing the tasks keeps the schedule (the whole schedule is sent).
    env.dalgo(&["pipeline", "update", "nightly", "--org", &env.slug, "--connection", CONN_B, "--transform", "dbt-run"])
        .assert()
        .success();
    let (_, dep) = deployment(&id);
    assert_eq!(dep["schedules"][0]["schedule"]["cron"], "0 2 * * *");
    let slugs: Vec<_> = dep["parameters"]["config"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(slugs, ["airbyte-sync", "dbt-run"]);
    env.dalgo(&["pipeline", "update", "nightly", "--org", &env.slug, "--cron", "30 4 * * 1"]).assert().success();
    assert_eq!(deployment(&id).1["schedules"][0]["schedule"]["cron"], "30 4 * * 1");
    assert_eq!(deployment(&id).1["parameters"]["config"]["tasks"].as_array().unwrap().len(), 2);
    env.dalgo(&["pipeline", "update", "nightly", "--org", &env.slug, "--no-schedule"]).assert().success();
    assert_eq!(deployment(&id).1["schedules"], json!([]));
    let show = env.ok_json(&["pipeline", "show", "nightly", "--org", &env.slug]);
    assert_eq!(show["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(show["cron"], Value::Null);

    env.dalgo(&["pipeline", "delete", "nightly", "--org", &env.slug]).assert().code(2);
    env.dalgo(&["pipeline", "delete", "nightly", "--org", &env.slug, "--yes"]).assert().success();
    assert_eq!(deployment(&id).0, 404);
    assert_eq!(env.db.count("pipelines"), 0);
    env.dalgo(&["pipeline", "delete", "nightly", "--org", &env.slug, "--yes"]).assert().code(67);
}

#[test]
fn runs_hold_locks_until_sync_runs_sees_the_end() {
    let env = Env::new("Runs NGO");
    env.create("daily", &["--connection", CONN_A, "--no-transform"]);
    let started = env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug]);
    let run = started["flow_run_id"].as_str().unwrap().to_string();
    assert_eq!(env.db.rows("SELECT flow_run_id FROM task_locks"), std::slice::from_ref(&run));
    let (code, fr) = prefect_call("GET", &format!("{}/flow_runs/{run}", prefect_url()), None);
    assert_eq!((code, fr["state_type"].as_str()), (200, Some("SCHEDULED")));
    env.dalgo(&["pipeline", "run", "daily", "--org", &env.slug])
        .assert()
        .code(75)
        .stderr(contains(format!("airbyte-sync is locked by tester for pipeline \"daily\" (flow run {run})")));

    // A worker would finish it; the test moves it through Prefect's API.
    set_state(&run, "COMPLETED", "Completed");
    let r = env.ok_json(&["pipeline", "sync-runs", "--org", &env.slug]);
    assert_eq!((r["runs_seen"].as_i64(), r["locks_released"].as_i64()), (Some(1), Some(1)));
    assert_eq!(env.db.count("task_locks"), 0);
    assert_eq!(env.db.rows("SELECT state_type, state_name FROM flow_runs"), ["COMPLETED|Completed"]);
    // Twice at once is safe.
    let a = env.db.spawn(
        &["pipeline", "sync-runs"],
        &[("PREFECT_API_URL", prefect_url()), ("PREFECT_WORKER_POOL_NAME", "dalgo-test-pool")],
    );
    let b = env.db.spawn(
        &["pipeline", "sync-runs"],
        &[("PREFECT_API_URL", prefect_url()), ("PREFECT_WORKER_POOL_NAME", "dalgo-test-pool")],
    );
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(env.db.count("flow_runs"), 1);

    let runs = env.ok_json(&["pipeline", "runs", "daily", "--org", &env.slug]);
    assert_eq!(runs[0]["flow_run_id"], run.as_str());
    let list = env.ok_json(&["pipeline", "list", "--org", &env.slug]);
    assert_eq!((list[0]["last_run_state"].as_str(), list[0]["status"].as_str()), (Some("Completed"), Some("manual")));
    env.dalgo(&["pipeline", "run", "daily", "--org", &env.slug]).assert().success();
}

#[test]
fn waiting_reports_failures_and_dalgos_dbt_test_failed() {
    let env = Env::new("Wait NGO");
    env.create("daily", &["--connection", CONN_A, "--no-transform"]);
    for (state_type, name, code, message) in [
        ("COMPLETED", "Completed", 0, ""),
        ("FAILED", "Failed", 1, ""),
        ("COMPLETED", "DBT_TEST_FAILED", 1, "dbt tests failed"),
    ] {
        let polls = env.db.count("flow_runs");
        let child = env.db.spawn(
            &["pipeline", "run", "daily", "--org", &env.slug, "--wait", "--poll-interval", "0.2"],
            &[("PREFECT_API_URL", prefect_url()), ("PREFECT_WORKER_POOL_NAME", "dalgo-test-pool")],
        );
        let started = Instant::now();
        while env.db.count("flow_runs") == polls {
            assert!(started.elapsed() < Duration::from_secs(30), "the run never started");
            std::thread::sleep(Duration::from_millis(100));
        }
        let run = env.db.scalar("SELECT flow_run_id FROM flow_runs ORDER BY created_at DESC LIMIT 1");
        set_state(&run, "RUNNING", "Running");
        std::thread::sleep(Duration::from_millis(500));
        set_state(&run, state_type, name);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert!(stderr(&out).contains("Running (RUNNING)"), "plain state lines when not a terminal: {}", stderr(&out));
        assert_eq!(env.db.count("task_locks"), 0, "the end released the locks");
    }
}

#[test]
fn stale_locks_are_released_and_live_ones_kept() {
    let env = Env::new("Locks NGO");
    env.create("daily", &["--connection", CONN_A, "--no-transform"]);
    env.create("other", &["--connection", CONN_B, "--no-transform"]);
    env.create("third", &["--connection", CONN_A, "--no-transform"]);
    // One Prefect call lists them all, however many there are.
    let out = env.dalgo(&["pipeline", "list", "--org", &env.slug, "-vv"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out).matches("prefect request").count(), 1, "{}", stderr(&out));
    env.dalgo(&["pipeline", "delete", "third", "--org", &env.slug, "--yes"]).assert().success();
    let live =
        env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug])["flow_run_id"].as_str().unwrap().to_string();
    // A lock that never got a run (dalgo killed in between) and one whose run Prefect never heard of.
    env.db.exec("INSERT INTO task_locks (org_task_id, locked_by, locked_at)
                 SELECT ot.id, 'ghost', now() - interval '2 hours' FROM org_tasks ot WHERE ot.connection_id = '0b0b0b0b-0000-4000-8000-00000000000b'");
    let tasks = env.db.rows("SELECT uuid FROM org_tasks WHERE connection_id IS NULL ORDER BY id LIMIT 1");
    env.db.exec(&format!(
        "INSERT INTO task_locks (org_task_id, locked_by, flow_run_id)
                          SELECT id, 'ghost', '9f9f9f9f-0000-4000-8000-000000000000' FROM org_tasks WHERE uuid = '{}'",
        tasks[0]
    ));
    let listed = env.ok_json(&["locks", "list", "--org", &env.slug]);
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let released = env.ok_json(&["locks", "release-stale", "--older-than", "30m"]);
    let why: Vec<_> = released.as_array().unwrap().iter().map(|l| l["reason"].as_str().unwrap().to_string()).collect();
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(why.iter().any(|w| w.contains("no flow run was ever started")));
    assert!(why.iter().any(|w| w.contains("Prefect does not know flow run 9f9f9f9f")));
    assert_eq!(env.db.rows("SELECT flow_run_id FROM task_locks"), std::slice::from_ref(&live));
    // The live run ends: its lock is stale now.
    set_state(&live, "CANCELLED", "Cancelled");
    let released = env.ok_json(&["locks", "release-stale"]);
    assert!(released[0]["reason"].as_str().unwrap().contains("is CANCELLED"));
    assert_eq!(env.db.count("task_locks"), 0);

    let next =
        env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug])["flow_run_id"].as_str().unwrap().to_string();
    let uuid = env.db.scalar("SELECT ot.uuid FROM task_locks l JOIN org_tasks ot ON ot.id = l.org_task_id");
    env.dalgo(&["locks", "release", &uuid]).assert().code(2);
    env.dalgo(&["locks", "release", &uuid, "--yes"]).assert().success();
    assert_eq!(env.db.count("task_locks"), 0);
    env.dalgo(&["locks", "release", &uuid, "--yes"]).assert().code(67);
    let cancelled = env.ok_json(&["pipeline", "cancel", &next]);
    assert!(["CANCELLING", "CANCELLED"].contains(&cancelled["state_type"].as_str().unwrap()));
    set_state(&next, "FAILED", "Failed");
    let retried = env.ok_json(&["pipeline", "retry", &next]);
    assert_eq!(
        (retried["state_type"].as_str(), retried["state_name"].as_str()),
        (Some("SCHEDULED"), Some("AwaitingRetry"))
    );
    assert_eq!(env.db.count("audit_log WHERE resource_type = 'task_lock'"), 4);
}

#[test]
fn logs_page_through_every_line_in_order() {
    let env = Env::new("Logs NGO");
    env.create("daily", &["--connection", CONN_A, "--no-transform"]);
    let run =
        env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug])["flow_run_id"].as_str().unwrap().to_string();
    let base = chrono::Utc::now();
    let lines: Vec<Value> = (0..250)
        .map(|i| {
            json!({ "name": "dalgo.test", "level": 20, "message": format!("line {i:03}"),
                         "timestamp": base + chrono::Duration::milliseconds(i), "flow_run_id": run })
        })
        .collect();
    let (code, _) = prefect_call("POST", &format!("{}/logs/", prefect_url()), Some(&json!(lines)));
    assert_eq!(code, 201);
    let out = env.dalgo(&["pipeline", "logs", &run]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let got: Vec<&str> = text.lines().filter_map(|l| l.split("INFO ").nth(1)).collect();
    assert_eq!(got.len(), 250);
    assert_eq!((got[0], got[249]), ("line 000", "line 249"));
    set_state(&run, "COMPLETED", "Completed");
    let followed = env.ok_json(&["pipeline", "logs", &run, "--follow"]);
    assert_eq!(followed.as_array().unwrap().len(), 250);
}

#[test]
fn bad_input_missing_pool_and_prefect_down_create_nothing() {
    let env = Env::new("Bad Input NGO");
    env.dalgo(&[
        "pipeline",
        "create",
        "--org",
        &env.slug,
        "--name",
        "x",
        "--connection",
        CONN_A,
        "--cron",
        "61 * * * *",
    ])
    .assert()
    .code(65)
    .stderr(contains("invalid cron expression"));
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--connection", CONN_A])
        .env("PREFECT_WORKER_POOL_NAME", "no-such-pool")
        .assert()
        .code(78)
        .stderr(contains("work pool \"no-such-pool\" does not exist"));
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--transform", "git-pull"])
        .assert()
        .code(65)
        .stderr(contains("has no git-pull task"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--connection", CONN_A])
        .env("PREFECT_API_URL", format!("http://127.0.0.1:{closed}/api"))
        .assert()
        .code(69)
        .stderr(contains("cannot reach Prefect"));
    assert_eq!((env.db.count("pipelines"), env.db.count("pipeline_tasks")), (0, 0));
    let filter = json!({ "deployments": { "tags": { "all_": [env.slug] } } });
    let (_, deps) = prefect_call("POST", &format!("{}/deployments/filter", prefect_url()), Some(&filter));
    assert_eq!(deps, json!([]));
    env.create("dup", &["--connection", CONN_A]);
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "dup", "--connection", CONN_A])
        .assert()
        .code(65)
        .stderr(contains("already has a pipeline named \"dup\""));
    let (_, deps) = prefect_call("POST", &format!("{}/deployments/filter", prefect_url()), Some(&filter));
    assert_eq!(deps.as_array().unwrap().len(), 1, "the failed create left no deployment");
    env.dalgo(&["pipeline", "run", "nope", "--org", &env.slug]).assert().code(67);
}

#[test]
fn pipelines_keep_their_tasks_and_go_with_their_org() {
    let env = Env::new("Teardown NGO");
    let id = env.create("daily", &["--connection", CONN_A]);
    env.dalgo(&["dbt", "teardown", "--org", &env.slug, "--yes"])
        .assert()
        .code(65)
        .stderr(contains("pipelines of teardown-ngo use the workspace's tasks (daily)"));
    assert_eq!(env.db.count("dbt_workspaces"), 1);
    env.dalgo(&["org", "delete", &env.slug, "--yes"])
        .assert()
        .success()
        .stdout(contains("deleted 1 Prefect deployment(s)\n  pipeline-teardown-ngo-"));
    assert_eq!(deployment(&id).0, 404);
    let profile = format!("{}/block_types/slug/secret/block_documents/name/dbt-profile-{}", prefect_url(), env.slug);
    assert_eq!(prefect_call("GET", &profile, None).0, 404, "the org's credentials stayed in Prefect");
    assert_eq!((env.db.count("pipelines"), env.db.count("org_tasks"), env.db.count("orgs")), (0, 0, 0));
}

/// The Secret or Airbyte Server block Prefect holds under this name, secrets revealed.
fn block_data(type_slug: &str, name: &str) -> Value {
    let url =
        format!("{}/block_types/slug/{type_slug}/block_documents/name/{name}?include_secrets=true", prefect_url());
    let (code, doc) = prefect_call("GET", &url, None);
    assert_eq!(code, 200, "block {name}: {doc}");
    doc["data"].clone()
}

/// Registers prefect-airbyte's block type, as a worker with the collection does.
fn register_airbyte_server_type() {
    let (_, block_type) = prefect_call(
        "POST",
        &format!("{}/block_types/", prefect_url()),
        Some(&json!({"name": "Airbyte Server", "slug": "airbyte-server"})),
    );
    let fields = json!({"title": "AirbyteServer", "type": "object", "secret_fields": ["password"],
        "block_type_slug": "airbyte-server", "block_schema_references": {},
        "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password", "writeOnly": true},
                       "server_host": {"type": "string"}, "server_port": {"type": "integer"},
                       "api_version": {"type": "string"}, "use_ssl": {"type": "boolean"}}});
    let body = json!({"fields": fields, "block_type_id": block_type["id"], "capabilities": [], "version": "0.91"});
    let (code, schema) = prefect_call("POST", &format!("{}/block_schemas/", prefect_url()), Some(&body));
    assert!(code == 200 || code == 201, "block schema: {schema}");
}

#[test]
fn the_blocks_dalgos_workers_load_are_made_and_kept_current() {
    let env = Env::new("Blocks NGO");
    let blocks = |extra: &[(&str, &str)]| {
        let mut cmd = env.dalgo(&["pipeline", "blocks", "--org", &env.slug, "--output", "json"]);
        cmd.envs([("AIRBYTE_SERVER_HOST", "airbyte.test"), ("AIRBYTE_SERVER_PORT", "8001")]);
        // base64("airbyte:ab-pass")
        cmd.env("AIRBYTE_API_TOKEN", "YWlyYnl0ZTphYi1wYXNz").envs(extra.iter().copied());
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let all = json(&out);
        let status: Vec<String> =
            all.as_array().unwrap().iter().map(|b| b["status"].as_str().unwrap().into()).collect();
        (status, all)
    };
    let (profile, server, url) = (
        format!("dbt-profile-{}", env.slug),
        format!("{}-airbyte-server", env.slug),
        format!("{}-git-pull-url", env.slug),
    );

    // No airbyte-server type in Prefect yet, no git token: those are skipped, saying why.
    let (status, all) = blocks(&[]);
    assert_eq!(status, ["skipped", "created", "skipped"]);
    assert_eq!(
        (all[0]["name"].as_str(), all[1]["name"].as_str(), all[2]["name"].as_str()),
        (Some(&*server), Some(&*profile), Some(&*url))
    );
    assert!(all[0]["reason"].as_str().unwrap().contains("prefect block register -m prefect_airbyte"));
    let value: Value = serde_json::from_str(block_data("secret", &profile)["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        value,
        json!({"wtype": "postgres", "default_schema": "analytics", "extras": {},
               "creds": {"host": pg_host(), "port": 5432, "database": "d", "user": "u", "username": "u", "password": "p"}})
    );
    assert_eq!(blocks(&[]).0, ["skipped", "unchanged", "skipped"]);

    register_airbyte_server_type();
    assert_eq!(blocks(&[]).0, ["created", "unchanged", "skipped"]);
    assert_eq!(
        block_data("airbyte-server", &server),
        json!({"server_host": "airbyte.test", "server_port": 8001, "api_version": "v1", "use_ssl": false,
               "username": "airbyte", "password": "ab-pass"})
    );

    // New warehouse credentials and a git repository with a token reach the blocks.
    env.set_warehouse("rotated");
    let repo = env.db.home().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("dbt_project.yml"), "name: p\nprofile: p\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "project"]);
    let repo_url = format!("file://{}", repo.display());
    env.dalgo(&["dbt", "setup", "--org", &env.slug, "--repo", &repo_url, "--token-stdin"])
        .write_stdin("ghp_blocktoken")
        .assert()
        .success();
    assert_eq!(blocks(&[("AIRBYTE_SERVER_PORT", "8002")]).0, ["updated", "updated", "created"]);
    let value: Value = serde_json::from_str(block_data("secret", &profile)["value"].as_str().unwrap()).unwrap();
    assert_eq!(value["creds"]["password"], "rotated");
    assert_eq!(block_data("airbyte-server", &server)["server_port"], 8002);
    assert_eq!(block_data("secret", &url)["value"], repo_url.as_str());

    // Creating a pipeline checks them too; the deployment names these blocks.
    let out =
        env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "p", "--output", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, dep) = deployment(json(&out)["deployment_id"].as_str().unwrap());
    let tasks = dep["parameters"]["config"]["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks[0]["env"]["secret-git-pull-url-block"], url.as_str());
    assert!(tasks.iter().skip(1).all(|t| t["env"]["dbt-profile-secret-block"] == profile.as_str()));

    // Without the workspace, Prefect keeps neither the profile nor the token.
    env.dalgo(&["pipeline", "delete", "p", "--org", &env.slug, "--yes"]).assert().success();
    env.dalgo(&["dbt", "teardown", "--org", &env.slug, "--yes"])
        .assert()
        .success()
        .stdout(contains(format!("deleted Prefect block {profile}\ndeleted Prefect block {url}")));
    let secret = |name: &str| format!("{}/block_types/slug/secret/block_documents/name/{name}", prefect_url());
    assert_eq!(
        (prefect_call("GET", &secret(&profile), None).0, prefect_call("GET", &secret(&url), None).0),
        (404, 404)
    );
    assert_eq!(block_data("airbyte-server", &server)["server_port"], 8002);
}
