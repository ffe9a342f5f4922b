//! `dalgo pipeline` and `dalgo locks` against a real Prefect server.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::{Value, json};

use crate::airbyte_stub::{Options, Stub};
use crate::common::{TestDb, git, json, onboard, pg_host, prefect_call, prefect_url, stderr};

pub(crate) struct Env {
    pub(crate) db: TestDb,
    pub(crate) slug: String,
    pub(crate) stub: Stub,
    /// Two connections of the org's Airbyte workspace.
    pub(crate) a: String,
    pub(crate) b: String,
    /// The Prefect work pool its pipelines run on.
    pub(crate) pool: String,
}

impl Env {
    /// An org (unique slug, since the Prefect server is shared) with a
    /// warehouse and a local dbt project, so it has git-less dbt tasks.
    pub(crate) fn new(name: &str) -> Env {
        Env::on_pool(name, "dalgo-test-pool", Options::default())
    }

    /// The same on a pool of its own (made here), with the stub's options.
    pub(crate) fn on_pool(name: &str, pool: &str, stub: Options) -> Env {
        Env::on_pool_in(TestDb::migrated(), name, pool, stub)
    }

    /// The same in a migrated database of the caller's (live mode's).
    pub(crate) fn on_pool_in(db: TestDb, name: &str, pool: &str, stub: Options) -> Env {
        onboard(&db, name, "boss@ngo.org", "admin");
        let slug = db.scalar(&format!("SELECT slug FROM orgs WHERE name = '{name}'"));
        let (code, answer) = prefect_call(
            "POST",
            &format!("{}/work_pools/", prefect_url()),
            Some(&json!({ "name": pool, "type": "process" })),
        );
        assert!(code == 201 || code == 409, "work pool {pool}: {code} {answer}");
        let (a, b) = (String::new(), String::new());
        let mut env = Env { db, slug, stub: Stub::start(stub), a, b, pool: pool.to_string() };
        let ws = env.ok_json(&["airbyte", "workspace", "create", "--org", &env.slug])["workspace_id"]
            .as_str()
            .unwrap()
            .to_string();
        let conns = env.stub.seed_connections(&ws, 2);
        (env.a, env.b) = (conns[0].clone(), conns[1].clone());
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

    pub(crate) fn set_warehouse(&self, password: &str) {
        let wh = format!("host: {}\nport: 5432\nusername: u\npassword: {password}\ndatabase: d\n", pg_host());
        self.dalgo(&["warehouse", "set", "--org", &self.slug, "--type", "postgres", "--config", "-", "--no-check"])
            .write_stdin(wh)
            .assert()
            .success();
    }

    pub(crate) fn dalgo(&self, args: &[&str]) -> Command {
        let mut cmd = self.db.dalgo(args);
        cmd.envs(self.vars());
        cmd
    }

    /// Prefect and the Airbyte stub, for dalgo.
    pub(crate) fn vars(&self) -> [(&'static str, String); 4] {
        [
            ("PREFECT_API_URL", prefect_url().to_string()),
            ("PREFECT_WORKER_POOL_NAME", self.pool.clone()),
            ("AIRBYTE_SERVER_HOST", "127.0.0.1".into()),
            ("AIRBYTE_SERVER_PORT", self.stub.port()),
        ]
    }

    /// `pipeline run daily --wait`, polling every 0.2 s, with `extra` flags.
    fn spawn_wait(&self, extra: &[&str]) -> std::process::Child {
        let mut args = vec!["pipeline", "run", "daily", "--org", &self.slug, "--wait", "--poll-interval", "0.2"];
        args.extend_from_slice(extra);
        self.spawn(&args)
    }

    pub(crate) fn spawn(&self, args: &[&str]) -> std::process::Child {
        let vars = self.vars();
        let env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.db.spawn(args, &env)
    }

    pub(crate) fn ok_json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend(["--output", "json"]);
        let out = self.dalgo(&full).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    }

    pub(crate) fn create(&self, name: &str, extra: &[&str]) -> String {
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
    let id = env.create("nightly", &["--connection", &env.a, "--connection", &env.b, "--cron", "0 2 * * *"]);
    let (code, dep) = deployment(&id);
    assert_eq!(code, 200);
    // dalgo's own rows need no Prefect: without PREFECT_API_URL the list is there, its state unknown.
    let offline = env.db.dalgo(&["pipeline", "list", "--org", &env.slug, "-o", "json"]).output().unwrap();
    assert!(offline.status.success(), "{}", stderr(&offline));
    let offline = json(&offline);
    assert_eq!((offline[0]["name"].as_str(), offline[0]["status"].as_str()), (Some("nightly"), Some("unknown")));
    env.db.dalgo(&["pipeline", "show", "nightly", "--org", &env.slug]).assert().code(78);
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
    assert_eq!(tasks[0]["connection_id"], env.a.as_str());
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
    env.dalgo(&["pipeline", "update", "nightly", "--org", &env.slug, "--connection", &env.b, "--transform", "dbt-run"])
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
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let started = env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug]);
    let run = started["flow_run_id"].as_str().unwrap().to_string();
    assert_eq!(env.db.rows("SELECT flow_run_id FROM task_locks"), std::slice::from_ref(&run));
    let (code, fr) = prefect_call("GET", &format!("{}/flow_runs/{run}", prefect_url()), None);
    assert_eq!((code, fr["state_type"].as_str()), (200, Some("SCHEDULED")));
    env.dalgo(&["pipeline", "run", "daily", "--org", &env.slug])
        .assert()
        .code(75)
        .stderr(contains(format!(
            "airbyte-sync is locked by tester for pipeline \"daily\" (flow run {run}, Scheduled (SCHEDULED))"
        )))
        .stderr(contains("dalgo pipeline cancel"));

    // A worker would finish it; the test moves it through Prefect's API.
    set_state(&run, "COMPLETED", "Completed");
    let r = env.ok_json(&["pipeline", "sync-runs", "--org", &env.slug]);
    assert_eq!((r["runs_seen"].as_i64(), r["locks_released"].as_i64()), (Some(1), Some(1)));
    assert_eq!(env.db.count("task_locks"), 0);
    assert_eq!(env.db.rows("SELECT state_type, state_name FROM flow_runs"), ["COMPLETED|Completed"]);
    // Twice at once is safe.
    let a = env.spawn(&["pipeline", "sync-runs"]);
    let b = env.spawn(&["pipeline", "sync-runs"]);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(env.db.count("flow_runs"), 1);

    let runs = env.ok_json(&["pipeline", "runs", "daily", "--org", &env.slug]);
    assert_eq!(runs[0]["flow_run_id"], run.as_str());
    assert_eq!(env.ok_json(&["pipeline", "history", "daily", "--org", &env.slug]), runs, "history is runs' new name");
    env.dalgo(&["pipeline", "show", "dailyy", "--org", &env.slug])
        .assert()
        .code(67)
        .stderr(contains("hint: did you mean daily?"));
    let list = env.ok_json(&["pipeline", "list", "--org", &env.slug]);
    assert_eq!((list[0]["last_run_state"].as_str(), list[0]["status"].as_str()), (Some("Completed"), Some("manual")));
    env.dalgo(&["pipeline", "run", "daily", "--org", &env.slug]).assert().success();
}

#[test]
fn waiting_reports_failures_and_dalgos_dbt_test_failed() {
    let env = Env::new("Wait NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    for (state_type, name, code, message) in [
        ("COMPLETED", "Completed", 0, ""),
        ("FAILED", "Failed", 1, ""),
        ("COMPLETED", "DBT_TEST_FAILED", 1, "dbt tests failed"),
    ] {
        let before = env.db.count("flow_runs");
        let mut child = env.spawn_wait(&[]);
        let mut lines = crate::common::StderrLines::of(&mut child);
        let run = started_run(&env, &mut child, before);
        set_state(&run, "RUNNING", "Running");
        // Plain state lines when not a terminal: the poller reports RUNNING before the run ends.
        lines.wait_for("Running (RUNNING)", 1);
        set_state(&run, state_type, name);
        let status = child.wait().unwrap();
        let err = lines.rest();
        assert_eq!(status.code(), Some(code), "{name}: {err}");
        assert!(err.contains(message), "{err}");
        assert_eq!(env.db.count("task_locks"), 0, "the end released the locks");
    }
    // Each freed lock says so in the audit log (they used to go without a row).
    let freed = env.db.count("audit_log WHERE resource_type = 'task_lock' AND details->>'why' LIKE 'its run ended%'");
    assert_eq!(freed, 3, "{:?}", env.db.rows("SELECT actor || ' ' || details::text FROM audit_log"));
}

/// `org show --entities`: everything the org owns, in dalgo's database,
/// Airbyte (the stub) and Prefect (the real server); what a service lacks is
/// marked missing, what cannot be asked is marked unknown, never fatal.
#[test]
fn org_entities_list_everything_the_org_owns_and_mark_what_is_missing() {
    let env = Env::new("Entities NGO");
    env.create("nightly", &["--connection", &env.a, "--cron", "0 2 * * *"]);
    env.create("gone", &["--connection", &env.b, "--no-transform"]);
    let gone = env.db.scalar("SELECT deployment_id FROM pipelines WHERE name = 'gone'");
    let (code, _) = prefect_call("DELETE", &format!("{}/deployments/{gone}", prefect_url()), None);
    assert!(code == 204 || code == 200, "{code}");
    let e = env.ok_json(&["org", "show", &env.slug, "--entities"]);
    assert_eq!(e["slug"], env.slug.as_str());
    assert_eq!(e["warehouse"]["credentials"]["password"], "********", "{e}");
    assert!(e["dbt_workspace"]["project_dir"].as_str().unwrap().ends_with("project"));
    assert_eq!(e["airbyte"]["workspace"]["state"], "present");
    let conns: Vec<&str> =
        e["airbyte"]["connections"].as_array().unwrap().iter().map(|c| c["connectionId"].as_str().unwrap()).collect();
    assert!(conns.contains(&env.a.as_str()) && conns.contains(&env.b.as_str()), "{conns:?}");
    let tasks: Vec<&str> = e["org_tasks"].as_array().unwrap().iter().map(|t| t["task"].as_str().unwrap()).collect();
    assert!(tasks.contains(&"airbyte-sync") && tasks.contains(&"dbt-run"), "{tasks:?}");
    let state = |name: &str| {
        let p = e["pipelines"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
        p["deployment"]["state"].as_str().unwrap().to_string()
    };
    assert_eq!((state("nightly"), state("gone")), ("present".to_string(), "missing".to_string()));
    let blocks: Vec<(&str, &str)> = e["prefect_blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap(), b["state"].as_str().unwrap()))
        .collect();
    assert!(blocks.contains(&(&*format!("dbt-profile-{}", env.slug), "present")), "{blocks:?}");
    // Skipped on purpose, not missing (it said MISSING).
    assert!(
        blocks.contains(&(&*format!("{}-git-pull-url", env.slug), "not_needed")),
        "a local project has no git block: {blocks:?}"
    );
    assert!(e["locks"].as_array().unwrap().is_empty());

    // Without Prefect, what only Prefect knows is unknown; the rest is there.
    let out =
        env.dalgo(&["org", "show", &env.slug, "--entities", "-o", "json"]).env("PREFECT_API_URL", "").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let e = json(&out);
    assert_eq!(e["pipelines"][0]["deployment"]["state"], "unknown");
    assert!(e["prefect_blocks"].as_array().unwrap().iter().all(|b| b["state"] == "unknown"));
    // The note is said once for the blocks (it was said three times).
    let table = env.dalgo(&["org", "show", &env.slug, "--entities"]).env("PREFECT_API_URL", "").output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert_eq!(text.matches("Prefect is not configured").count(), 3, "each pipeline's, then the blocks' once: {text}");
    assert!(text.contains("Prefect blocks: not checked (Prefect is not configured"), "{text}");
    let table = env.dalgo(&["org", "show", &env.slug, "--entities"]).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("MISSING") && text.contains("not needed: the dbt workspace has no git token"), "{text}");
}

/// `org show --entities` of an org that owns nothing outside dalgo says so
/// in a line each, not with empty tables (it printed three).
#[test]
fn entities_of_an_org_with_nothing_outside_are_a_line_each() {
    let db = TestDb::migrated();
    onboard(&db, "Bare NGO", "boss@bare.org", "admin");
    let out = db.dalgo(&["org", "show", "bare-ngo", "--entities"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in ["no Airbyte sources, destinations or connections", "no org tasks", "no pipelines"] {
        assert!(text.lines().any(|l| l == line), "{line}: {text}");
    }
    assert!(!text.contains("ORG TASK") && !text.contains("PIPELINE "), "{text}");
    assert_eq!(text.matches("Prefect is not configured").count(), 1, "{text}");
}

/// `pipeline reschedule`: active scheduled pipelines are paused and resumed
/// (Prefect drops their future runs and makes them again), a paused one is
/// left paused, and a resume that keeps failing is reported with the command
/// that finishes it (exit 1).
#[test]
fn reschedule_never_leaves_a_schedule_paused_unsaid() {
    let env = Env::new("Schedules NGO");
    env.create("nightly", &["--connection", &env.a, "--no-transform", "--cron", "0 2 * * *"]);
    env.create("weekly", &["--connection", &env.b, "--no-transform", "--cron", "0 3 * * 1"]);
    env.create("by-hand", &["--connection", &env.a, "--no-transform"]);
    env.dalgo(&["pipeline", "pause", "weekly", "--org", &env.slug]).assert().success();
    let id = |name: &str| env.db.scalar(&format!("SELECT deployment_id FROM pipelines WHERE name = '{name}'"));
    let paused = |name: &str| deployment(&id(name)).1["paused"].as_bool();

    env.dalgo(&["pipeline", "reschedule", "--org", &env.slug]).assert().code(2);
    env.dalgo(&["pipeline", "reschedule", "nightlyy", "--org", &env.slug]).assert().code(67);
    let r = env.ok_json(&["pipeline", "reschedule", "--all", "--org", &env.slug]);
    let statuses: Vec<(&str, &str)> =
        r.as_array().unwrap().iter().map(|x| (x["name"].as_str().unwrap(), x["status"].as_str().unwrap())).collect();
    assert_eq!(statuses, [("by-hand", "skipped"), ("nightly", "done"), ("weekly", "skipped")]);
    assert_eq!((paused("nightly"), paused("weekly")), (Some(false), Some(true)));

    // The pause goes through; every resume fails.
    let proxy = crate::fault_proxy::FaultProxy::start(prefect_url());
    proxy.on_after("PATCH", "/api/deployments/", 1, crate::fault_proxy::Mode::Fail(503));
    let out = env
        .dalgo(&["pipeline", "reschedule", "nightly", "--org", &env.slug])
        .env("PREFECT_API_URL", &proxy.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error: nightly was not rescheduled"), "{}", stderr(&out));
    let hint = format!("hint: run `dalgo pipeline resume nightly --org {}`", env.slug);
    assert!(stderr(&out).contains(&hint), "{}", stderr(&out));
    assert_eq!(paused("nightly"), Some(true), "the failed resume left it paused, as said");
    env.dalgo(&["pipeline", "resume", "nightly", "--org", &env.slug]).assert().success();
    assert_eq!(paused("nightly"), Some(false));
}

/// `dalgo maintain`, Celery beat's upkeep: a three-hour-old lock that never
/// got a run is freed, the run history is synced (which frees the lock of a
/// run that ended), and a second one while one runs does nothing.
#[test]
fn maintain_frees_stale_locks_and_syncs_history_one_at_a_time() {
    let env = Env::new("Upkeep NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    env.create("other", &["--connection", &env.b, "--no-transform"]);
    let run =
        env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug])["flow_run_id"].as_str().unwrap().to_string();
    set_state(&run, "COMPLETED", "Completed");
    env.db.exec(&format!(
        "INSERT INTO task_locks (org_task_id, locked_by, locked_at)
              SELECT ot.id, 'ghost', now() - interval '3 hours' FROM org_tasks ot WHERE ot.connection_id = '{}'",
        env.b
    ));
    {
        // The upkeep lock ("mant"), as a maintain running elsewhere holds it.
        let _other = crate::common::LockHolder::new(&env.db, "SELECT pg_advisory_lock(1835101812)");
        let out = env.dalgo(&["maintain", "-o", "json"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(json(&out)["skipped"], true);
        assert!(stderr(&out).contains("another `dalgo maintain` is running"), "{}", stderr(&out));
        assert_eq!(env.db.count("task_locks"), 2, "a skipped maintain changes nothing");
    }
    let r = env.ok_json(&["maintain"]);
    assert_eq!(r["skipped"], false);
    let reasons: Vec<&str> =
        r["locks_released"].as_array().unwrap().iter().filter_map(|l| l["reason"].as_str()).collect();
    assert_eq!(reasons.len(), 2, "{r}");
    assert!(reasons.iter().any(|w| w.contains("no flow run was ever started")), "{reasons:?}");
    assert!(r["runs"]["runs_seen"].as_i64().unwrap() >= 1, "{r}");
    assert_eq!(env.db.count("task_locks"), 0);
    assert_eq!(env.db.rows(&format!("SELECT state_type FROM flow_runs WHERE flow_run_id = '{run}'")), ["COMPLETED"]);
    // Idempotent: again, nothing left to do.
    let again = env.ok_json(&["maintain"]);
    assert!(again["locks_released"].as_array().unwrap().is_empty(), "{again}");

    // Without Prefect: what needs none is done (a lock that never got a run
    // freed), a lock held by a run is kept unchecked, and it says so (exit 0).
    env.db.exec(&format!(
        "INSERT INTO task_locks (org_task_id, locked_by, locked_at)
              SELECT ot.id, 'ghost', now() - interval '3 hours' FROM org_tasks ot WHERE ot.connection_id = '{}';
         INSERT INTO task_locks (org_task_id, locked_by, flow_run_id)
              SELECT ot.id, 'ghost', '9f9f9f9f-0000-4000-8000-000000000000' FROM org_tasks ot
               WHERE ot.connection_id = '{}'",
        env.b, env.a
    ));
    let out = env.dalgo(&["maintain", "-o", "json"]).env("PREFECT_API_URL", "").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["locks_released"].as_array().map(Vec::len), Some(1), "{r}");
    assert!(r["runs"].is_null() && r["not_done"].as_str().unwrap().contains("Prefect is not configured"), "{r}");
    assert!(stderr(&out).contains("not done: Prefect is not configured"), "{}", stderr(&out));
    assert_eq!(env.db.rows("SELECT flow_run_id FROM task_locks"), ["9f9f9f9f-0000-4000-8000-000000000000"]);
}

#[test]
fn stale_locks_are_released_and_live_ones_kept() {
    let env = Env::new("Locks NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    env.create("other", &["--connection", &env.b, "--no-transform"]);
    env.create("third", &["--connection", &env.a, "--no-transform"]);
    // Two Prefect calls list them all (their deployments, their latest started runs), however many there are.
    let out = env.dalgo(&["pipeline", "list", "--org", &env.slug, "-vv"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out).matches("prefect request").count(), 2, "{}", stderr(&out));
    env.dalgo(&["pipeline", "delete", "third", "--org", &env.slug, "--yes"]).assert().success();
    let live =
        env.ok_json(&["pipeline", "run", "daily", "--org", &env.slug])["flow_run_id"].as_str().unwrap().to_string();
    // A lock that never got a run (dalgo killed in between) and one whose run Prefect never heard of.
    env.db.exec(&format!(
        "INSERT INTO task_locks (org_task_id, locked_by, locked_at)
                 SELECT ot.id, 'ghost', now() - interval '2 hours' FROM org_tasks ot WHERE ot.connection_id = '{}'",
        env.b
    ));
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
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    env.dalgo(&["pipeline", "logs", "daily", "--last", "--org", &env.slug])
        .assert()
        .code(67)
        .stderr(contains("has never run"));
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
    let got: Vec<&str> = text.lines().filter_map(|l| l.split("] ").nth(1)).collect();
    assert_eq!(got.len(), 250);
    assert_eq!((got[0], got[249]), ("line 000", "line 249"));
    let all = env.ok_json(&["pipeline", "logs", &run]);
    assert_eq!(all.as_array().unwrap().len(), 250);
    // The latest run's log, by the pipeline's name.
    assert_eq!(env.ok_json(&["pipeline", "logs", "daily", "--last", "--org", &env.slug]), all);
    set_state(&run, "COMPLETED", "Completed");
    // Following, JSON is one object per line (NDJSON), for `| jq` as lines arrive.
    let out = env.dalgo(&["pipeline", "logs", &run, "--follow", "-o", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let objects: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 250);
    assert_eq!(objects[249]["message"], "line 249");
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
        &env.a,
        "--cron",
        "61 * * * *",
    ])
    .assert()
    .code(65)
    .stderr(contains("invalid cron expression"));
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--connection", &env.a])
        .env("PREFECT_WORKER_POOL_NAME", "no-such-pool")
        .assert()
        .code(78)
        .stderr(contains("work pool \"no-such-pool\" does not exist"));
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--transform", "git-pull"])
        .assert()
        .code(65)
        .stderr(contains("has no git-pull task"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--connection", &env.a])
        .env("PREFECT_API_URL", format!("http://127.0.0.1:{closed}/api"))
        .assert()
        .code(69)
        .stderr(contains("cannot reach Prefect"));
    assert_eq!((env.db.count("pipelines"), env.db.count("pipeline_tasks")), (0, 0));
    let filter = json!({ "deployments": { "tags": { "all_": [env.slug] } } });
    let (_, deps) = prefect_call("POST", &format!("{}/deployments/filter", prefect_url()), Some(&filter));
    assert_eq!(deps, json!([]));
    env.create("dup", &["--connection", &env.a]);
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "dup", "--connection", &env.a])
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
    let id = env.create("daily", &["--connection", &env.a]);
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

/// Held by the tests that need Prefect with, or without, prefect-airbyte's
/// block type: it is one Prefect server for the whole test process.
pub(crate) fn airbyte_server_type_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// prefect-airbyte's block type as Prefect has it, if it does.
fn airbyte_server_type() -> Option<Value> {
    let (code, block_type) = prefect_call("GET", &format!("{}/block_types/slug/airbyte-server", prefect_url()), None);
    (code == 200).then_some(block_type)
}

/// Registers prefect-airbyte's block type, as a worker with the collection
/// does (under [`airbyte_server_type_lock`]).
pub(crate) fn register_airbyte_server_type() {
    let block_type = airbyte_server_type().unwrap_or_else(|| {
        let (code, block_type) = prefect_call(
            "POST",
            &format!("{}/block_types/", prefect_url()),
            Some(&json!({"name": "Airbyte Server", "slug": "airbyte-server"})),
        );
        assert_eq!(code, 201, "block type: {block_type}");
        block_type
    });
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
    let _only = airbyte_server_type_lock();
    // Another test of this process may have registered prefect-airbyte's type first.
    let registered = airbyte_server_type().is_some();
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
    let (server_first, server_then) = if registered { ("created", "unchanged") } else { ("skipped", "skipped") };
    let (status, all) = blocks(&[]);
    assert_eq!(status, [server_first, "created", "skipped"]);
    assert_eq!(
        (all[0]["name"].as_str(), all[1]["name"].as_str(), all[2]["name"].as_str()),
        (Some(&*server), Some(&*profile), Some(&*url))
    );
    if !registered {
        assert!(all[0]["reason"].as_str().unwrap().contains("prefect block register -m prefect_airbyte"));
    }
    let value: Value = serde_json::from_str(block_data("secret", &profile)["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        value,
        json!({"wtype": "postgres", "default_schema": "analytics", "extras": {},
               "creds": {"host": pg_host(), "port": 5432, "database": "d", "user": "u", "username": "u", "password": "p"}})
    );
    assert_eq!(blocks(&[]).0, [server_then, "unchanged", "skipped"]);

    register_airbyte_server_type();
    assert_eq!(blocks(&[]).0, [if registered { "unchanged" } else { "created" }, "unchanged", "skipped"]);
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
    // The Airbyte server block stays (it is not the workspace's), as `pipeline create` last wrote it.
    let port: u16 = env.stub.port().parse().unwrap();
    assert_eq!(block_data("airbyte-server", &server)["server_port"], port);
}

/// A call to Prefect's REST API that must succeed; its answer.
pub(crate) fn prefect(method: &str, path: &str, body: Option<&Value>) -> Value {
    let (code, v) = prefect_call(method, &format!("{}{path}", prefect_url()), body);
    assert!((200..300).contains(&code), "{method} {path} answered {code}: {v}");
    v
}

/// A task run of `flow_run`, as a worker's flow engine makes one.
fn task_run(flow_run: &str, name: &str) -> String {
    let body = json!({ "name": name, "flow_run_id": flow_run, "task_key": name, "dynamic_key": "0" });
    prefect("POST", "/task_runs/", Some(&body))["id"].as_str().unwrap().to_string()
}

fn set_task_state(task_run: &str, state_type: &str, name: &str) {
    let body = json!({ "state": { "type": state_type, "name": name }, "force": true });
    prefect("POST", &format!("/task_runs/{task_run}/set_state"), Some(&body));
}

/// A subflow run of `parent` under a wrapper task run, as Dalgo's flow runs each task.
fn subflow(parent: &str, name: &str) -> String {
    let wrapper = task_run(parent, &format!("{name}-wrapper"));
    let flow = prefect("POST", "/flows/", Some(&json!({ "name": "dalgo-test-subflow" })))["id"].clone();
    let body = json!({ "name": name, "flow_id": flow, "parent_task_run_id": wrapper });
    prefect("POST", "/flow_runs/", Some(&body))["id"].as_str().unwrap().to_string()
}

fn log_line(at: chrono::DateTime<chrono::Utc>, message: &str, flow_run: &str, task_run: Option<&str>) -> Value {
    json!({ "name": "dalgo.test", "level": 20, "message": message, "timestamp": at,
            "flow_run_id": flow_run, "task_run_id": task_run })
}

/// A pipeline on a daily cron, with at least `runs` runs scheduled by Prefect's scheduler.
fn scheduled(env: &Env, name: &str, runs: usize) {
    let dep = env.create(name, &["--connection", &env.a, "--no-transform", "--cron", "0 2 * * *"]);
    let now = chrono::Utc::now();
    let window = json!({ "start_time": now, "end_time": now + chrono::Duration::days(3), "min_runs": runs });
    prefect("POST", &format!("/deployments/{dep}/schedule"), Some(&window));
}

/// Starts a run of `pipeline` without waiting; its flow run id.
pub(crate) fn start(env: &Env, pipeline: &str) -> String {
    env.ok_json(&["pipeline", "run", pipeline, "--org", &env.slug])["flow_run_id"].as_str().unwrap().to_string()
}

/// Waits until a spawned `pipeline run` has recorded its flow run; its id.
fn started_run(env: &Env, child: &mut std::process::Child, before: i64) -> String {
    crate::common::wait_while_running(child, || env.db.count("flow_runs") > before, "the run to start");
    env.db.scalar("SELECT flow_run_id FROM flow_runs ORDER BY created_at DESC LIMIT 1")
}

#[test]
fn logs_gather_every_subflow_and_task_in_time_order() {
    let env = Env::new("Subflow Logs NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let run = start(&env, "daily");
    let base = chrono::Utc::now();
    let at = |ms: i64| base + chrono::Duration::milliseconds(ms);
    let mut lines = vec![log_line(at(0), "flow started", &run, None)];
    for i in 0..3 {
        let child = subflow(&run, &format!("dbtjob-step{i}"));
        let task = task_run(&child, &format!("dbt-step{i}"));
        lines.push(log_line(at(i * 10 + 2), &format!("step {i} output"), &child, Some(&task)));
        lines.push(log_line(at(i * 10 + 1), &format!("step {i} begins"), &child, None));
    }
    prefect("POST", "/logs/", Some(&json!(lines)));
    let all = env.ok_json(&["pipeline", "logs", &run]);
    let got: Vec<(&str, &str)> =
        all.as_array().unwrap().iter().map(|l| (l["task"].as_str().unwrap(), l["message"].as_str().unwrap())).collect();
    assert_eq!(got.len(), 7, "{all}");
    assert_eq!(got[1], ("dbtjob-step0", "step 0 begins"));
    assert_eq!(got[2], ("dbt-step0", "step 0 output"));
    assert_eq!(got[6], ("dbt-step2", "step 2 output"));
    let text = env.dalgo(&["pipeline", "logs", &run]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("INFO [dbt-step1] step 1 output"));
}

#[test]
fn dbt_test_failed_is_the_runs_state_in_runs_show_and_list_and_last_run_is_one_that_started() {
    let env = Env::new("True State NGO");
    // Runs Prefect's scheduler makes for the cron: in the future, not the last run.
    scheduled(&env, "daily", 2);
    let run = start(&env, "daily");
    let wrapper = task_run(&run, "dbtjob_v2_runner-0");
    set_state(&run, "RUNNING", "Running");
    set_task_state(&wrapper, "COMPLETED", "DBT_TEST_FAILED");
    set_state(&run, "COMPLETED", "Completed");

    let runs = env.ok_json(&["pipeline", "runs", "daily", "--org", &env.slug]);
    let ours = runs.as_array().unwrap().iter().find(|r| r["flow_run_id"] == run.as_str()).unwrap();
    assert_eq!(
        (ours["state_type"].as_str(), ours["state_name"].as_str()),
        (Some("COMPLETED"), Some("DBT_TEST_FAILED"))
    );
    assert!(runs.as_array().unwrap().len() > 1, "the scheduled runs are listed too: {runs}");
    let show = env.ok_json(&["pipeline", "show", "daily", "--org", &env.slug]);
    let shown = show["runs"].as_array().unwrap().iter().find(|r| r["flow_run_id"] == run.as_str()).unwrap();
    assert_eq!(shown["state_name"], "DBT_TEST_FAILED");
    let list = env.ok_json(&["pipeline", "list", "--org", &env.slug]);
    assert_eq!(list[0]["last_run_state"], "DBT_TEST_FAILED", "{list}");
    let last_at: chrono::DateTime<chrono::Utc> = serde_json::from_value(list[0]["last_run_at"].clone()).unwrap();
    assert!(last_at <= chrono::Utc::now(), "LAST RUN is a run that started, not a scheduled one: {list}");
    assert_eq!(
        env.db.scalar(&format!("SELECT state_name FROM flow_runs WHERE flow_run_id = '{run}'")),
        "DBT_TEST_FAILED"
    );
}

#[test]
fn scheduled_runs_prefect_drops_on_a_schedule_change_leave_the_history() {
    let env = Env::new("Cron Change NGO");
    scheduled(&env, "nightly", 3);
    let before = env.ok_json(&["pipeline", "runs", "nightly", "--org", &env.slug]);
    let old: Vec<String> =
        before.as_array().unwrap().iter().map(|r| r["flow_run_id"].as_str().unwrap().to_string()).collect();
    assert!(!old.is_empty(), "{before}");
    env.dalgo(&["pipeline", "update", "nightly", "--org", &env.slug, "--cron", "0 3 * * *"]).assert().success();
    let gone: Vec<&String> = old
        .iter()
        .filter(|id| prefect_call("GET", &format!("{}/flow_runs/{id}", prefect_url()), None).0 == 404)
        .collect();
    assert!(!gone.is_empty(), "Prefect kept every run scheduled under the old cron");
    let after = env.ok_json(&["pipeline", "runs", "nightly", "--org", &env.slug]);
    for r in after.as_array().unwrap() {
        assert!(
            !gone.contains(&&r["flow_run_id"].as_str().unwrap().to_string()),
            "a run Prefect dropped is still listed: {after}"
        );
    }
    for id in gone {
        assert_eq!(env.db.count(&format!("flow_runs WHERE flow_run_id = '{id}'")), 0);
    }
}

#[test]
fn a_lock_held_by_a_run_that_ended_does_not_block_the_next_run() {
    let env = Env::new("Healing NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let first = start(&env, "daily");
    // It ends while nobody waits for it.
    set_state(&first, "COMPLETED", "Completed");
    let locks = env.ok_json(&["locks", "list", "--org", &env.slug]);
    assert_eq!(locks[0]["run_state"], "Completed (COMPLETED)", "{locks}");
    let second = start(&env, "daily");
    assert_eq!(env.db.rows("SELECT flow_run_id FROM task_locks"), std::slice::from_ref(&second));
    let why = env.db.scalar("SELECT details->>'why' FROM audit_log WHERE resource_type = 'task_lock'");
    assert_eq!(why, format!("flow run {first} is COMPLETED"));
    // A live holder still refuses, naming its state and what to do.
    set_state(&second, "RUNNING", "Running");
    env.dalgo(&["pipeline", "run", "daily", "--org", &env.slug])
        .assert()
        .code(75)
        .stderr(contains(format!("(flow run {second}, Running (RUNNING))")))
        .stderr(contains("dalgo pipeline cancel"));
}

#[test]
fn pipelines_take_only_the_orgs_own_connections_and_write_nothing_otherwise() {
    let env = Env::new("Own Connections NGO");
    let other = env.stub.seed_workspace("someone else");
    let foreign = env.stub.seed_connections(&other, 1).remove(0);
    let unknown = "0c0c0c0c-0000-4000-8000-00000000000c";
    for (connection, code, says) in
        [("not-a-uuid", 65, "not a UUID"), (foreign.as_str(), 67, "not in"), (unknown, 67, unknown)]
    {
        env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "x", "--connection", connection])
            .assert()
            .code(code)
            .stderr(contains(says));
    }
    assert_eq!((env.db.count("pipelines"), env.db.count("org_tasks WHERE connection_id IS NOT NULL")), (0, 0));
    let filter = json!({ "deployments": { "tags": { "all_": [env.slug] } } });
    assert_eq!(prefect("POST", "/deployments/filter", Some(&filter)), json!([]));
    let id = env.create("daily", &["--connection", &env.a]);
    env.dalgo(&["pipeline", "update", "daily", "--org", &env.slug, "--connection", &foreign]).assert().code(67);
    let (_, dep) = deployment(&id);
    assert_eq!(dep["parameters"]["config"]["tasks"][0]["connection_id"], env.a.as_str());
}

#[test]
fn waiting_warns_once_when_no_worker_polls_and_require_worker_starts_nothing() {
    let env = Env::new("No Worker NGO");
    let pool = format!("idle-{}", env.slug);
    prefect("POST", "/work_pools/", Some(&json!({ "name": pool, "type": "process" })));
    env.dalgo(&["pipeline", "create", "--org", &env.slug, "--name", "daily", "--connection", &env.a, "--no-transform"])
        .env("PREFECT_WORKER_POOL_NAME", &pool)
        .assert()
        .success();
    env.dalgo(&["pipeline", "run", "daily", "--org", &env.slug, "--wait", "--require-worker"])
        .assert()
        .code(69)
        .stderr(contains(format!("no worker has polled queue \"ddp\" of work pool \"{pool}\"")))
        .stderr(contains(format!("prefect worker start --pool {pool} --work-queue ddp")));
    assert_eq!((env.db.count("flow_runs"), env.db.count("task_locks")), (0, 0), "a run was started");

    let mut child = env.spawn_wait(&[]);
    let run = started_run(&env, &mut child, 0);
    set_state(&run, "COMPLETED", "Completed");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("warning: no worker has polled").count(), 1, "{}", stderr(&out));

    // A worker polls the queue (as `prefect worker` does): no warning, and --require-worker runs.
    let poll = json!({ "work_queue_names": ["ddp"] });
    prefect("POST", &format!("/work_pools/{pool}/get_scheduled_flow_runs"), Some(&poll));
    crate::common::wait_for(
        || (prefect("GET", &format!("/work_pools/{pool}/queues/ddp"), None)["status"] == "READY").then_some(()),
        "Prefect to mark the queue ready",
    );
    let mut child = env.spawn_wait(&["--require-worker"]);
    let run = started_run(&env, &mut child, 1);
    set_state(&run, "COMPLETED", "Completed");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

fn interrupt(child: &std::process::Child) {
    let ok = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -INT");
}

#[test]
fn ctrl_c_while_waiting_says_how_to_cancel_and_cancel_on_interrupt_cancels() {
    let env = Env::new("Interrupt NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let mut child = env.spawn_wait(&[]);
    let run = started_run(&env, &mut child, 0);
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("`dalgo pipeline cancel {run}`")), "{}", stderr(&out));
    assert_eq!(prefect("GET", &format!("/flow_runs/{run}"), None)["state_type"], "SCHEDULED", "the run goes on");
    env.dalgo(&["pipeline", "cancel", &run]).assert().success();
    set_state(&run, "CANCELLED", "Cancelled");

    let mut child = env.spawn_wait(&["--cancel-on-interrupt"]);
    let run = started_run(&env, &mut child, 1);
    interrupt(&child);
    // A worker would see the cancellation and end the run.
    let state = crate::common::wait_for(
        || {
            let s = prefect("GET", &format!("/flow_runs/{run}"), None)["state_type"].as_str().unwrap().to_string();
            ["CANCELLING", "CANCELLED"].contains(&s.as_str()).then_some(s)
        },
        "the run to be cancelled",
    );
    if state == "CANCELLING" {
        set_state(&run, "CANCELLED", "Cancelled");
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("flow run {run} is Cancelled (CANCELLED)")), "{}", stderr(&out));
    assert_eq!(env.db.count("task_locks"), 0);
}

#[test]
fn a_wait_across_many_polls_at_the_default_interval_sees_the_end() {
    let env = Env::new("Long Wait NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let mut child = env.spawn(&["pipeline", "run", "daily", "--org", &env.slug, "--wait", "-vv"]);
    let mut lines = crate::common::StderrLines::of(&mut child);
    let run = started_run(&env, &mut child, 0);
    set_state(&run, "RUNNING", "Running");
    // The run lasts eleven polls at the default 5 s, each on a connection
    // Prefect's server (keep-alive 5 s) may be closing: counted, not timed.
    lines.wait_for(&format!("GET /flow_runs/{run} "), 11);
    set_state(&run, "COMPLETED", "Completed");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", lines.rest());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Completed (COMPLETED)"));
    assert_eq!(env.db.count("task_locks"), 0);
}

/// The statements one `locks release-stale` sends (sqlx logs each at -vv),
/// with `n` stale locks in the database.
fn release_stale_statements(n: usize) -> usize {
    let db = TestDb::migrated();
    onboard(&db, "Many Locks NGO", "boss@ngo.org", "admin");
    db.exec(&format!(
        "INSERT INTO org_tasks (org_id, task_id, connection_id)
         SELECT o.id, t.id, gen_random_uuid()::text FROM orgs o, tasks t, generate_series(1, {n}) WHERE t.slug = 'airbyte-sync';
         INSERT INTO task_locks (org_task_id, locked_by, locked_at)
         SELECT id, 'ghost', now() - interval '2 hours' FROM org_tasks WHERE connection_id IS NOT NULL"
    ));
    let out = db
        .dalgo(&["locks", "release-stale", "-vv", "-o", "json"])
        .env("PREFECT_API_URL", prefect_url())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out).as_array().unwrap().len(), n);
    assert_eq!((db.count("task_locks"), db.count("audit_log WHERE resource_type = 'task_lock'")), (0, n as i64));
    stderr(&out).lines().filter(|l| l.contains("sqlx::query")).count()
}

#[test]
fn releasing_stale_locks_takes_as_many_statements_for_200_locks_as_for_2() {
    let (few, many) = (release_stale_statements(2), release_stale_statements(200));
    assert!(few > 0, "no statements were logged");
    assert_eq!(few, many, "the statements grow with the number of locks");
}

#[test]
fn a_manual_dbt_run_does_not_overlap_a_pipeline_run_doing_that_step() {
    let env = Env::new("Dbt Step NGO");
    env.create("transform", &["--transform", "dbt-run"]);
    let run = start(&env, "transform");
    let dbt = |command: &str| {
        let mut cmd = env.dalgo(&["dbt", command, "--org", &env.slug]);
        cmd.env("DBT_EXECUTABLE", "/bin/true");
        cmd
    };
    dbt("run").assert().code(75).stderr(contains(format!(
        "dbt-run is locked by tester for pipeline \"transform\" (flow run {run}, Scheduled (SCHEDULED))"
    )));
    // Another step is free.
    dbt("test").assert().success();
    // Once the pipeline run has ended, its lock is freed on the way.
    set_state(&run, "COMPLETED", "Completed");
    dbt("run").assert().success();
    assert_eq!(env.db.count("task_locks"), 0);
}

#[test]
fn completion_offers_the_orgs_pipelines_and_connections_there_are() {
    let env = Env::new("Complete NGO");
    env.create("daily", &["--connection", &env.a]);
    env.create("dawn", &["--connection", &env.b]);
    let complete = |org: Option<&str>, words: &[&str]| {
        let mut cmd = env.dalgo(&[]);
        cmd.env("COMPLETE", "fish").env_remove("DALGO_ORG").arg("--").arg("dalgo").args(words);
        if let Some(org) = org {
            cmd.env("DALGO_ORG", org);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{words:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete(None, &["org", "show", "comp"]), format!("{}\tComplete NGO\n", env.slug));
    assert_eq!(complete(None, &["user", "list", "--org", "nope"]), "");
    assert_eq!(
        complete(None, &["pipeline", "show", "da"]),
        format!("daily\tpipeline of {0}\ndawn\tpipeline of {0}\n", env.slug)
    );
    assert_eq!(complete(Some("other-org"), &["pipeline", "show", "da"]), "", "DALGO_ORG narrows to one org");
    assert_eq!(complete(None, &["pipeline", "create", "--name", "da"]), "", "a new name is not offered an old one");
    let conns = complete(Some(&env.slug), &["airbyte", "sync", ""]);
    assert!(
        conns.contains(&format!("{}\tseed-0\n", env.a)) && conns.contains(&format!("{}\tseed-1\n", env.b)),
        "{conns}"
    );
    assert_eq!(complete(None, &["airbyte", "sync", ""]).lines().filter(|l| l.contains("seed-")).count(), 0);
}

/// `pipeline crash`: a run a killed worker left RUNNING, with a subflow
/// and its wrapper task run, all end CRASHED, the run is recorded and its
/// locks freed; a dry run changes nothing, and a run that has ended is
/// refused.
#[test]
fn crash_ends_a_run_its_dead_worker_left_and_everything_under_it() {
    let env = Env::new("Crash NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let run = start(&env, "daily");
    assert_eq!(env.db.count("task_locks WHERE flow_run_id IS NOT NULL"), 1);
    // What a worker killed mid-run leaves.
    set_state(&run, "RUNNING", "Running");
    let sub = subflow(&run, "airbyte-sync-trigger");
    set_state(&sub, "RUNNING", "Running");
    let wrapper = task_run_ids(&run)[0].clone();
    set_task_state(&wrapper, "RUNNING", "Running");
    let state = |id: &str| prefect("GET", &format!("/flow_runs/{id}"), None)["state"]["type"].clone();

    env.dalgo(&["pipeline", "crash", &run, "--dry-run"]).assert().success().stdout(contains("would mark flow run"));
    env.dalgo(&["pipeline", "crash", &run]).assert().code(2);
    assert_eq!(state(&run), "RUNNING", "nothing changed");
    let out = env.ok_json(&["pipeline", "crash", &run, "--yes"]);
    assert_eq!(out["state"]["type"], "CRASHED");
    assert_eq!((state(&run), state(&sub)), (json!("CRASHED"), json!("CRASHED")));
    let wrapper_state = prefect("GET", &format!("/task_runs/{wrapper}"), None)["state"]["type"].clone();
    assert_eq!(wrapper_state, "CRASHED");
    assert_eq!(env.db.count("task_locks"), 0, "its locks are freed");
    assert_eq!(env.db.scalar(&format!("SELECT state_type FROM flow_runs WHERE flow_run_id = '{run}'")), "CRASHED");
    env.dalgo(&["pipeline", "crash", &run, "--yes"]).assert().code(65).stderr(contains("has ended"));
}

/// The ids of a flow run's task runs.
fn task_run_ids(flow_run: &str) -> Vec<String> {
    let body = json!({ "flow_runs": { "id": { "any_": [flow_run] } } });
    let runs = prefect("POST", "/task_runs/filter", Some(&body));
    runs.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

/// A pipeline the org does not have is 67, whatever Prefect's settings:
/// its row is looked up before Prefect's client is asked for (show,
/// history, run, update, pause, resume and delete used to say "Prefect is
/// not configured", 78).
#[test]
fn a_missing_pipeline_is_67_with_prefect_unset() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    let org = ["--org", "acme-ngo"];
    let commands: [&[&str]; 8] = [
        &["pipeline", "show", "nope"],
        &["pipeline", "history", "nope"],
        &["pipeline", "logs", "nope", "--last"],
        &["pipeline", "run", "nope"],
        &["pipeline", "update", "nope", "--cron", "0 1 * * *"],
        &["pipeline", "pause", "nope"],
        &["pipeline", "resume", "nope"],
        &["pipeline", "delete", "nope", "--yes"],
    ];
    for args in commands {
        let out = db.dalgo(&[args, &org[..]].concat()).output().unwrap();
        assert_eq!(out.status.code(), Some(67), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("nope"), "{args:?}: {}", stderr(&out));
    }
}

/// `logs NAME --last` is the log of the latest run that started (or is
/// due), never of the one Prefect's scheduler placed in the future, which
/// the history lists too (it used to be tomorrow's: empty, exit 0).
#[test]
fn logs_last_is_the_latest_run_that_started_not_tomorrows() {
    let env = Env::new("Later NGO");
    let deployment = env.create("daily", &["--connection", &env.a, "--no-transform", "--cron", "0 2 * * *"]);
    let ran = start(&env, "daily");
    set_state(&ran, "RUNNING", "Running");
    set_state(&ran, "COMPLETED", "Completed");
    prefect("POST", "/logs/", Some(&json!([log_line(chrono::Utc::now(), "the run that ran", &ran, None)])));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let body = json!({ "state": { "type": "SCHEDULED", "name": "Scheduled", "state_details": { "scheduled_time": tomorrow } } });
    let (code, later) =
        prefect_call("POST", &format!("{}/deployments/{deployment}/create_flow_run", prefect_url()), Some(&body));
    assert!(code == 200 || code == 201, "{code} {later}");
    let history = env.ok_json(&["pipeline", "history", "daily", "--org", &env.slug]);
    assert_eq!(history[0]["flow_run_id"], later["id"], "the history lists tomorrow's run first: {history}");
    let last = env.ok_json(&["pipeline", "logs", "daily", "--last", "--org", &env.slug]);
    let lines: Vec<&str> = last.as_array().unwrap().iter().filter_map(|l| l["message"].as_str()).collect();
    assert_eq!(lines, ["the run that ran"], "--last is not the run that ran: {last}");
}

/// An operation reads its org by slug once, first (`show`, `history`,
/// `pause`, `resume` and `run` used to read it twice: once to find the
/// pipeline before asking for Prefect's client, once more for the work
/// itself).
#[test]
fn each_operation_reads_its_org_by_slug_once() {
    let env = Env::new("Once NGO");
    env.create("daily", &["--connection", &env.a, "--no-transform"]);
    let commands: [&[&str]; 6] = [
        &["pipeline", "list"],
        &["pipeline", "show", "daily"],
        &["pipeline", "history", "daily"],
        &["pipeline", "pause", "daily"],
        &["pipeline", "resume", "daily"],
        &["pipeline", "run", "daily"],
    ];
    for args in commands {
        let out = env.dalgo(&[args, &["--org", &env.slug, "-vv"][..]].concat()).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let reads = stderr(&out).lines().filter(|l| l.contains("FROM orgs WHERE slug = $1")).count();
        assert_eq!(reads, 1, "{args:?} read the org {reads} times");
    }
}
