//! Operations that span PostgreSQL, the secrets store, files, Airbyte and
//! Prefect, stopped at each external step: by a failure, by a hang (a psql
//! session holding a lock dalgo needs, the Airbyte stub or a proxy in front
//! of the real Prefect not answering) followed by SIGKILL. After each stop:
//! no credential lost, no orphan anywhere, and a re-run converges to exactly
//! one of everything.

use std::path::Path;

use serde_json::Value;

use crate::airbyte_stub::{Fault, Options, Stub};
use crate::common::{
    LockHolder, TestDb, git, json, onboard, pg_host, prefect_call, prefect_url, sigkill, stderr, wait_for,
    wait_until_blocked, wait_while_running,
};
use crate::dbt::secret_files;
use crate::fault_proxy::{FaultProxy, Mode};

/// A PostgreSQL warehouse config (stored with --no-check) with this password.
fn warehouse(password: &str) -> String {
    format!("host: {}\nport: 5432\nusername: u\npassword: {password}\ndatabase: d\nschema: analytics\n", pg_host())
}

/// `warehouse set` of a config file (`-`: stdin).
fn set_args<'a>(slug: &'a str, config: &'a str) -> Vec<&'a str> {
    vec!["warehouse", "set", "--org", slug, "--type", "postgres", "--config", config, "--no-check"]
}

/// The value of a secret in the test's store (Dalgo's file layout).
fn secret_value(db: &TestDb, name: &str) -> String {
    let raw: Value = serde_json::from_str(&std::fs::read_to_string(db.secrets_dir().join(name)).unwrap()).unwrap();
    raw["SecretString"].as_str().unwrap().to_string()
}

/// The warehouse secret the row names, and its value.
fn warehouse_secret(db: &TestDb) -> (String, String) {
    let name = db.scalar("SELECT credentials_secret FROM warehouses");
    let value = secret_value(db, &name);
    (name, value)
}

/// No secret in the store that no row names, and every recorded version is named.
fn assert_no_orphans(db: &TestDb) {
    let out = db.dalgo(&["secrets", "gc", "--older-than", "0s", "--dry-run", "-o", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out), serde_json::json!([]), "orphaned secrets");
    let unnamed = db.count(
        "org_secrets s WHERE NOT EXISTS (SELECT 1 FROM warehouses w WHERE w.credentials_secret = s.name) \
         AND NOT EXISTS (SELECT 1 FROM dbt_workspaces d WHERE d.token_secret = s.name)",
    );
    assert_eq!(unnamed, 0, "recorded versions no row names");
}

fn acme() -> TestDb {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    db.dalgo(&set_args("acme-ngo", "-")).write_stdin(warehouse("old-pw")).assert().success();
    db
}

#[test]
fn a_warehouse_set_that_fails_after_storing_keeps_the_old_credentials() {
    let db = acme();
    let (before, _) = warehouse_secret(&db);
    db.exec(&format!(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'injected fault'; END$$;
         CREATE TRIGGER refuse BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION refuse();",
        db.table("warehouses")
    ));
    db.dalgo(&set_args("acme-ngo", "-")).write_stdin(warehouse("new-pw")).assert().failure();
    let (name, value) = warehouse_secret(&db);
    assert_eq!(name, before);
    assert!(value.contains("old-pw"), "the working credentials were overwritten: {value}");
    assert_eq!(secret_files(&db), [name]);
    assert_no_orphans(&db);
}

#[test]
fn a_warehouse_set_killed_midway_loses_nothing_and_a_rerun_finishes() {
    let db = acme();
    {
        let _held = LockHolder::new(&db, "SELECT 1 FROM warehouses FOR UPDATE");
        std::fs::write(db.home().join("new.yaml"), warehouse("new-pw")).unwrap();
        let child = db.spawn(&set_args("acme-ngo", "new.yaml"), &[]);
        wait_until_blocked(&db);
        sigkill(child);
    }
    let (_, value) = warehouse_secret(&db);
    assert!(value.contains("old-pw"), "the working credentials were lost: {value}");
    db.dalgo(&set_args("acme-ngo", "-")).write_stdin(warehouse("new-pw")).assert().success();
    let (name, value) = warehouse_secret(&db);
    assert!(value.contains("new-pw"));
    assert_eq!(secret_files(&db), std::slice::from_ref(&name));
    assert_eq!(db.rows("SELECT name FROM org_secrets"), [name]);
    assert_no_orphans(&db);
}

/// The settings that point dalgo at the Airbyte stub.
fn airbyte_env(stub: &Stub) -> Vec<(&'static str, String)> {
    vec![
        ("AIRBYTE_SERVER_HOST", "127.0.0.1".into()),
        ("AIRBYTE_SERVER_PORT", stub.port()),
        ("AIRBYTE_RETRIES", "0".into()),
    ]
}

/// dalgo with these settings added to the test's clean environment.
fn with_env(db: &TestDb, env: &[(&'static str, String)], args: &[&str]) -> assert_cmd::Command {
    let mut cmd = db.dalgo(args);
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd
}

/// The same, spawned, to be stopped midway.
fn spawn_with_env(db: &TestDb, env: &[(&'static str, String)], args: &[&str]) -> std::process::Child {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    db.spawn(args, &pairs)
}

/// An org with an Airbyte workspace on the stub.
struct Airbyte {
    db: TestDb,
    stub: Stub,
}

impl Airbyte {
    fn new() -> Airbyte {
        let a = Airbyte { db: TestDb::migrated(), stub: Stub::start(Options::default()) };
        onboard(&a.db, "Acme NGO", "boss@acme.org", "admin");
        a.dalgo(&["airbyte", "workspace", "create", "--org", "acme-ngo"]).assert().success();
        a
    }

    fn dalgo(&self, args: &[&str]) -> assert_cmd::Command {
        with_env(&self.db, &airbyte_env(&self.stub), args)
    }

    fn spawn(&self, args: &[&str]) -> std::process::Child {
        spawn_with_env(&self.db, &airbyte_env(&self.stub), args)
    }

    fn set_warehouse(&self, password: &str) -> std::process::Output {
        let mut args = set_args("acme-ngo", "-");
        args.extend(["-o", "json"]);
        self.dalgo(&args).write_stdin(warehouse(password)).output().unwrap()
    }
}

#[test]
fn a_warehouse_set_whose_airbyte_step_fails_is_a_partial_success_finished_by_a_rerun() {
    let a = Airbyte::new();
    a.stub.fault("/v1/destinations/create", Fault::Status(500), 1);
    let out = a.set_warehouse("pw-1");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["warehouse"]["credentials_secret"], a.db.scalar("SELECT credentials_secret FROM warehouses"));
    assert_eq!(report["airbyte_destination"]["status"], "failed");
    assert!(stderr(&out).contains("saved, but the airbyte destination step failed"), "{}", stderr(&out));
    assert!(stderr(&out).contains("hint: finish with `dalgo warehouse set --org acme-ngo"), "{}", stderr(&out));

    let out = a.set_warehouse("pw-1");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(a.stub.count("destinations"), 1);
    assert_eq!(json(&out)["airbyte_destination_id"], a.db.scalar("SELECT airbyte_destination_id FROM warehouses"));
    assert!(a.stub.violations().is_empty(), "{:?}", a.stub.violations());
    assert_no_orphans(&a.db);
}

#[test]
fn a_warehouse_set_killed_after_airbyte_made_the_destination_is_adopted_by_the_rerun() {
    let a = Airbyte::new();
    a.stub.fault("/v1/destinations/create", Fault::HangAfter, 1);
    std::fs::write(a.db.home().join("wh.yaml"), warehouse("pw-1")).unwrap();
    let child = a.spawn(&set_args("acme-ngo", "wh.yaml"));
    wait_for(|| (a.stub.count("destinations") == 1).then_some(()), "Airbyte to make the destination");
    sigkill(child);

    let out = a.set_warehouse("pw-2");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(a.stub.count("destinations"), 1, "a second destination was made");
    assert_eq!(a.stub.requests_to("/v1/destinations/create").len(), 1);
    assert!(a.stub.violations().is_empty(), "{:?}", a.stub.violations());
    assert_no_orphans(&a.db);
}

/// A git repository with a dbt project, as a file URL.
fn repo(db: &TestDb) -> String {
    let dir = db.home().join("upstream");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dbt_project.yml"), "name: p\nprofile: p\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "project"]);
    format!("file://{}", dir.display())
}

fn token_file(db: &TestDb, token: &str) -> String {
    let path = db.home().join(format!("{token}.txt"));
    std::fs::write(&path, token).unwrap();
    path.display().to_string()
}

fn setup_args<'a>(url: &'a str, token: &'a str) -> Vec<&'a str> {
    vec!["dbt", "setup", "--org", "acme-ngo", "--repo", url, "--token-file", token]
}

fn token_secret(db: &TestDb) -> String {
    db.scalar("SELECT token_secret FROM dbt_workspaces")
}

#[test]
fn a_dbt_setup_with_a_token_that_fails_keeps_the_working_token() {
    let db = acme();
    let url = repo(&db);
    let good = token_file(&db, "ghp_good");
    db.dalgo(&setup_args(&url, &good)).assert().success();
    let before = token_secret(&db);
    let bad = token_file(&db, "ghp_wrong");
    db.dalgo(&setup_args("file:///nonexistent/repo", &bad)).assert().failure();
    assert_eq!(token_secret(&db), before);
    assert_eq!(secret_value(&db, &before), "ghp_good", "the working token was replaced");
    assert_eq!(secret_files(&db).len(), 2);
    assert_no_orphans(&db);
}

#[test]
fn four_dbt_setups_at_once_leave_one_token() {
    let db = acme();
    let url = repo(&db);
    let files: Vec<String> = (1..=4).map(|n| token_file(&db, &format!("ghp_{n}"))).collect();
    let children: Vec<_> = files.iter().map(|f| db.spawn(&setup_args(&url, f), &[])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let token = token_secret(&db);
    assert!(secret_value(&db, &token).starts_with("ghp_"));
    let wh = db.scalar("SELECT credentials_secret FROM warehouses");
    let mut expected = vec![token, wh];
    expected.sort();
    assert_eq!(secret_files(&db), expected);
    assert_no_orphans(&db);
}

/// Holds the org's row the way a concurrent writer would, so dalgo stops when
/// it locks the org to record its change (foreign-key checks still pass).
fn hold_org(db: &TestDb) -> LockHolder {
    LockHolder::new(db, "SELECT 1 FROM orgs FOR NO KEY UPDATE")
}

#[test]
fn a_dbt_setup_killed_before_recording_is_finished_by_a_rerun_without_leftovers() {
    let db = acme();
    let url = repo(&db);
    let token = token_file(&db, "ghp_first");
    {
        let _held = hold_org(&db);
        let child = db.spawn(&setup_args(&url, &token), &[]);
        wait_until_blocked(&db);
        sigkill(child);
    }
    assert_eq!(db.count("dbt_workspaces"), 0);
    let token = token_file(&db, "ghp_second");
    db.dalgo(&setup_args(&url, &token)).assert().success();
    assert_eq!(secret_value(&db, &token_secret(&db)), "ghp_second");
    assert_eq!(secret_files(&db).len(), 2);
    let org_dir = db.clientdbt_root().join("acme-ngo");
    let leftovers: Vec<_> = std::fs::read_dir(&org_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".dbtrepo.tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_no_orphans(&db);
}

#[test]
fn a_dbt_teardown_killed_midway_is_finished_by_a_rerun() {
    let db = acme();
    let url = repo(&db);
    db.dalgo(&setup_args(&url, &token_file(&db, "ghp_t"))).assert().success();
    {
        let _held = hold_org(&db);
        let child = db.spawn(&["dbt", "teardown", "--org", "acme-ngo", "--yes"], &[]);
        wait_until_blocked(&db);
        sigkill(child);
    }
    assert_eq!(db.count("dbt_workspaces"), 1, "the workspace stays for the re-run to find");
    db.dalgo(&["dbt", "teardown", "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(secret_files(&db), [db.scalar("SELECT credentials_secret FROM warehouses")]);
    let org_dir = db.clientdbt_root().join("acme-ngo");
    assert!(!org_dir.join("dbtrepo").exists() && !org_dir.join("profiles").exists());
    assert_no_orphans(&db);
}

#[test]
fn dbt_run_without_a_workspace_records_no_run() {
    let db = acme();
    db.dalgo(&["dbt", "run", "--org", "acme-ngo"]).assert().code(67);
    assert_eq!(db.count("dbt_runs"), 0);
}

#[test]
fn org_delete_waits_for_a_concurrent_user_add_and_keeps_that_user() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    onboard(&db, "Other NGO", "chief@other.org", "admin");
    // `user add boss@acme.org --org other-ngo`, caught before its commit.
    let adding = LockHolder::new(
        &db,
        "INSERT INTO org_users (user_id, org_id, role_id)
         SELECT u.id, o.id, r.id FROM users u, orgs o, roles r
          WHERE u.email = 'boss@acme.org' AND o.slug = 'other-ngo' AND r.slug = 'analyst'",
    );
    let deleting = db.spawn(&["org", "delete", "acme-ngo", "--yes", "-o", "json"], &[]);
    wait_until_blocked(&db);
    adding.commit();
    let out = deleting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["users_removed"], serde_json::json!([]));
    assert_eq!(
        db.rows(
            "SELECT o.slug FROM org_users ou JOIN users u ON u.id = ou.user_id JOIN orgs o ON o.id = ou.org_id \
                 WHERE u.email = 'boss@acme.org'"
        ),
        ["other-ngo"]
    );
}

/// Writes a secret file in Dalgo's layout.
fn put_secret_file(db: &TestDb, name: &str) {
    let body = serde_json::json!({"Name": name, "SecretId": name, "SecretString": "x"});
    std::fs::write(db.secrets_dir().join(name), body.to_string()).unwrap();
}

#[test]
fn secrets_gc_removes_only_the_recorded_versions_no_row_names() {
    let db = acme();
    let (named, _) = warehouse_secret(&db);
    let recorded = [
        "warehouseCreds-acme-ngo-3f1c2d4e-0000-4000-8000-000000000001".to_string(),
        "gitrepoAccessToken-3f1c2d4e-0000-4000-8000-000000000002".to_string(),
    ];
    for (name, kind) in recorded.iter().zip(["warehouse", "git_token"]) {
        put_secret_file(&db, name);
        db.exec(&format!("INSERT INTO org_secrets (name, org_id, kind) SELECT '{name}', id, '{kind}' FROM orgs"));
    }
    // Dalgo's own secrets in a shared store: in dalgo's naming, never recorded by dalgo.
    let djangos = "warehouseCreds-acme-ngo-3f1c2d4e-0000-4000-8000-00000000000d".to_string();
    for name in [&djangos, &"someoneElsesSecret".to_string()] {
        put_secret_file(&db, name);
    }
    // Young versions may belong to an operation under way.
    let out = db.dalgo(&["secrets", "gc", "--dry-run", "-o", "json"]).output().unwrap();
    assert_eq!(json(&out), serde_json::json!([]));
    let out = db.dalgo(&["secrets", "gc", "--older-than", "0s", "--dry-run", "-o", "json"]).output().unwrap();
    let listed: Vec<String> =
        json(&out).as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().into()).collect();
    let mut expected = recorded.to_vec();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(secret_files(&db).len(), 5, "a dry run removes nothing");
    db.dalgo(&["secrets", "gc", "--older-than", "0s"]).assert().code(2);
    db.dalgo(&["secrets", "gc", "--older-than", "0s", "--yes"]).assert().success();
    let mut left = vec![named, djangos, "someoneElsesSecret".to_string()];
    left.sort();
    assert_eq!(secret_files(&db), left);
}

/// gc while an operation holds the org's lock (a `warehouse set` switching
/// versions, here held by another session) leaves that org alone and says
/// so: the version being switched to survives, and the next gc, once the
/// lock is free, finishes the job.
#[test]
fn secrets_gc_skips_an_org_whose_operation_is_under_way() {
    let db = acme();
    let (named, _) = warehouse_secret(&db);
    let switching = "warehouseCreds-acme-ngo-3f1c2d4e-0000-4000-8000-0000000000a1";
    db.exec(&format!("INSERT INTO org_secrets (name, org_id, kind) SELECT '{switching}', id, 'warehouse' FROM orgs"));
    put_secret_file(&db, switching);
    let key = "SELECT pg_advisory_lock(x'6f7073'::int, id::int) FROM orgs WHERE slug = 'acme-ngo'";
    let holder = crate::common::LockHolder::new(&db, key);
    let out = db.dalgo(&["secrets", "gc", "--older-than", "0s", "--yes", "-o", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out), serde_json::json!([]));
    assert!(stderr(&out).contains("org acme-ngo skipped"), "{}", stderr(&out));
    assert!(secret_files(&db).contains(&switching.to_string()));
    drop(holder);
    db.dalgo(&["secrets", "gc", "--older-than", "0s", "--yes"]).assert().success();
    assert_eq!(secret_files(&db), [named]);
}

/// An org with a warehouse, a local dbt project, an Airbyte workspace on the
/// stub, and Prefect reached through a fault proxy.
struct Platform {
    db: TestDb,
    stub: Stub,
    proxy: FaultProxy,
    slug: String,
}

impl Platform {
    fn new(name: &str) -> Platform {
        let db = TestDb::migrated();
        onboard(&db, name, "boss@ngo.org", "admin");
        let slug = db.scalar("SELECT slug FROM orgs");
        let p = Platform { db, stub: Stub::start(Options::default()), proxy: FaultProxy::start(prefect_url()), slug };
        p.dalgo(&["airbyte", "workspace", "create", "--org", &p.slug]).assert().success();
        p.dalgo(&set_args(&p.slug, "-")).write_stdin(warehouse("pw")).assert().success();
        let url = repo(&p.db);
        let token = token_file(&p.db, "ghp_platform");
        p.dalgo(&["dbt", "setup", "--org", &p.slug, "--repo", &url, "--token-file", &token]).assert().success();
        p
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = airbyte_env(&self.stub);
        env.push(("PREFECT_API_URL", self.proxy.url.clone()));
        env.push(("PREFECT_WORKER_POOL_NAME", "dalgo-test-pool".into()));
        env
    }

    fn dalgo(&self, args: &[&str]) -> assert_cmd::Command {
        with_env(&self.db, &self.env(), args)
    }

    fn spawn(&self, args: &[&str]) -> std::process::Child {
        spawn_with_env(&self.db, &self.env(), args)
    }

    fn create(&self, name: &str) -> std::process::Output {
        self.dalgo(&["pipeline", "create", "--org", &self.slug, "--name", name, "--cron", "0 2 * * *", "-o", "json"])
            .output()
            .unwrap()
    }

    /// The deployments Prefect has under this org's naming.
    fn deployments(&self) -> Vec<Value> {
        let body = serde_json::json!({ "deployments": { "name": { "like_": format!("pipeline-{}-", self.slug) } } });
        let (code, v) = prefect_call("POST", &format!("{}/deployments/filter", prefect_url()), Some(&body));
        assert_eq!(code, 200, "{v}");
        v.as_array().unwrap().clone()
    }

    fn block_exists(&self, block_type: &str, name: &str) -> bool {
        let url = format!("{}/block_types/slug/{block_type}/block_documents/name/{name}", prefect_url());
        prefect_call("GET", &url, None).0 == 200
    }
}

#[test]
fn a_blank_pipeline_name_reaches_prefect_in_no_form() {
    let p = Platform::new("Blank Name NGO");
    let out = p.create("   ");
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(!p.block_exists("secret", &format!("dbt-profile-{}", p.slug)), "credentials were written to Prefect");
    assert_eq!(p.db.count("pipelines"), 0);
    assert!(p.deployments().is_empty());
}

#[test]
fn a_pipeline_create_killed_after_prefect_made_the_deployment_is_adopted_then_deleted_with_the_org() {
    let p = Platform::new("Killed Create NGO");
    p.proxy.on("POST", "/api/deployments/", Mode::HangAfter);
    let child = p.spawn(&["pipeline", "create", "--org", &p.slug, "--name", "nightly", "--cron", "0 2 * * *"]);
    p.proxy.wait_for(Mode::HangAfter);
    sigkill(child);
    p.proxy.clear();
    // Recorded before the deployment was made: findable, and not yet linked.
    assert_eq!(p.db.rows("SELECT deployment_id IS NULL FROM pipelines"), ["t"]);
    let made = p.deployments();
    assert_eq!(made.len(), 1);

    let out = p.create("nightly");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["deployment_id"], made[0]["id"], "the re-run made another deployment");
    assert_eq!(p.deployments().len(), 1);

    p.dalgo(&["org", "delete", &p.slug, "--yes"]).assert().success();
    assert!(p.deployments().is_empty());
}

#[test]
fn a_pipeline_create_that_prefect_refuses_leaves_nothing() {
    let p = Platform::new("Refused Create NGO");
    p.proxy.on("POST", "/api/deployments/", Mode::Fail(500));
    let out = p.create("nightly");
    assert!(!out.status.success());
    assert_eq!(p.db.count("pipelines"), 0);
    assert!(p.deployments().is_empty());
}

#[test]
fn a_pipeline_update_killed_at_prefect_is_finished_by_a_rerun() {
    let p = Platform::new("Killed Update NGO");
    let out = p.create("nightly");
    assert!(out.status.success(), "{}", stderr(&out));
    let id = json(&out)["deployment_id"].as_str().unwrap().to_string();
    p.proxy.on("PATCH", "/api/deployments/", Mode::HangBefore);
    let update = ["pipeline", "update", "nightly", "--org", p.slug.as_str(), "--cron", "0 3 * * *"];
    let child = p.spawn(&update);
    p.proxy.wait_for(Mode::HangBefore);
    sigkill(child);
    p.proxy.clear();
    assert_eq!(p.db.scalar("SELECT cron FROM pipelines"), "0 2 * * *");
    p.dalgo(&update).assert().success();
    assert_eq!(p.db.scalar("SELECT cron FROM pipelines"), "0 3 * * *");
    let (_, dep) = prefect_call("GET", &format!("{}/deployments/{id}", prefect_url()), None);
    assert_eq!(dep["schedules"][0]["schedule"]["cron"], "0 3 * * *");
}

#[test]
fn org_delete_removes_everything_the_org_owns_everywhere_and_a_killed_one_is_finished() {
    let p = Platform::new("Everything NGO");
    let out = p.create("nightly");
    assert!(out.status.success(), "{}", stderr(&out));
    // What a crash before versions were recorded could leave: a stray
    // warehouse version, and a deployment no row names.
    let stray = format!("warehouseCreds-{}-3f1c2d4e-0000-4000-8000-00000000000f", p.slug);
    std::fs::write(p.db.secrets_dir().join(&stray), r#"{"Name":"s","SecretId":"s","SecretString":"{}"}"#).unwrap();
    let (code, flow) = prefect_call(
        "POST",
        &format!("{}/flows/", prefect_url()),
        Some(&serde_json::json!({"name": "deployment-schedule-flow-v5"})),
    );
    assert!(code < 300);
    let orphan = format!("pipeline-{}-deadbeef", p.slug);
    let body = serde_json::json!({"name": orphan, "flow_id": flow["id"], "work_pool_name": "dalgo-test-pool"});
    assert!(prefect_call("POST", &format!("{}/deployments/", prefect_url()), Some(&body)).0 < 300);
    assert_eq!(p.deployments().len(), 2);

    let dry = p.dalgo(&["org", "delete", &p.slug, "--dry-run", "-o", "json"]).output().unwrap();
    assert!(dry.status.success(), "{}", stderr(&dry));
    let dry = json(&dry);
    assert_eq!(dry["airbyte_workspace"], p.db.scalar("SELECT airbyte_workspace_id FROM orgs"));
    assert_eq!(dry["prefect_deployments"].as_array().unwrap().len(), 2);
    let blocks = dry["prefect_blocks"].to_string();
    assert!(blocks.contains(&format!("dbt-profile-{}", p.slug)) && blocks.contains("git-pull-url"), "{dry}");
    assert_eq!(dry["secrets"].as_array().unwrap().len(), 3, "{dry}");
    assert_eq!(dry["paths"][0], p.db.clientdbt_root().join(&p.slug).display().to_string());
    assert_eq!(secret_files(&p.db).len(), 3, "a dry run removes nothing");
    // What stays is said too: Prefect keeps the runs of deleted deployments.
    assert_eq!(dry["kept"], serde_json::json!(["prefect_run_history", "audit_log"]));
    let table = p.dalgo(&["org", "delete", &p.slug, "--dry-run"]).output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("kept: Prefect's run history and logs"));

    // Killed while Airbyte deletes the workspace: the org stays, a re-run finishes.
    p.stub.fault("/v1/workspaces/delete", Fault::Hang, 1);
    let mut child = p.spawn(&["org", "delete", &p.slug, "--yes"]);
    wait_while_running(&mut child, || !p.stub.requests_to("/v1/workspaces/delete").is_empty(), "the workspace delete");
    sigkill(child);
    assert_eq!(p.db.count("orgs"), 1);
    p.dalgo(&["org", "delete", &p.slug, "--yes"]).assert().success();

    assert_eq!(p.db.count("orgs"), 0);
    assert!(secret_files(&p.db).is_empty(), "{:?}", secret_files(&p.db));
    assert!(!p.db.clientdbt_root().join(&p.slug).exists());
    assert!(p.deployments().is_empty());
    for (t, name) in [
        ("secret", format!("dbt-profile-{}", p.slug)),
        ("secret", format!("{}-git-pull-url", p.slug)),
        ("airbyte-server", format!("{}-airbyte-server", p.slug)),
    ] {
        assert!(!p.block_exists(t, &name), "{name} stayed in Prefect");
    }
    assert_eq!(p.stub.count("workspaces"), 0);
    // A new org of the same name gets the same slug and inherits nothing.
    onboard(&p.db, "Everything NGO", "new@ngo.org", "admin");
    assert!(!p.db.clientdbt_root().join(&p.slug).exists());
    assert!(p.stub.violations().is_empty(), "{:?}", p.stub.violations());
    assert!(Path::new(&p.db.secrets_dir()).read_dir().unwrap().next().is_none());
}

#[test]
fn credentials_inside_lists_are_masked_in_every_output() {
    let db = acme();
    let config = format!(
        "{}tunnel:\n  hops:\n    - 1\n    - password: hidden-in-a-list\n      host: bastion\n",
        warehouse("top-secret-pw")
    );
    db.dalgo(&set_args("acme-ngo", "-")).write_stdin(config).assert().success();
    let name = db.scalar("SELECT credentials_secret FROM warehouses");
    for args in [
        vec!["warehouse", "show", "--org", "acme-ngo"],
        vec!["warehouse", "show", "--org", "acme-ngo", "-o", "json"],
        vec!["secrets", "show", &name],
        vec!["secrets", "show", &name, "-o", "json"],
    ] {
        let out = db.dalgo(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("hidden-in-a-list") && !text.contains("top-secret-pw"), "{args:?}: {text}");
        assert!(text.contains("bastion"), "{args:?}: {text}");
    }
}
