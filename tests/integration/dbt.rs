//! `dalgo warehouse`, `dalgo secrets`, `dalgo dbt`: real git, real dbt, the
//! local PostgreSQL as the warehouse.

use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::str::contains;

use crate::common::{TestDb, git, json, onboard, pg_host, stderr, wait_for, wait_while_running};
pub(crate) use crate::fixture_files::{copy_dir, dbt_project};

const TOKEN: &str = "ghp_TOPSECRETtoken4242";
const DB_PASSWORD: &str = "warehouse-pw-7781";

/// The org's warehouse is this test's own database, reached over the socket.
pub(crate) fn warehouse_yaml(db: &TestDb, schema: &str) -> String {
    format!(
        "host: {}\nport: 5432\nusername: {}\npassword: {DB_PASSWORD}\ndatabase: {}\nschema: {schema}\n",
        pg_host(),
        db.scalar("SELECT current_user"),
        db.name
    )
}

pub(crate) fn with_warehouse() -> TestDb {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin(warehouse_yaml(&db, "analytics"))
        .assert()
        .success();
    db
}

/// A git repository holding the dbt project fixture, as a file URL.
pub(crate) fn fixture_repo(db: &TestDb) -> (PathBuf, String) {
    let repo = db.home().join("upstream");
    copy_dir(&dbt_project(), &repo);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "fixture"]);
    let url = format!("file://{}", repo.display());
    (repo, url)
}

pub(crate) fn setup_git(db: &TestDb, url: &str) -> std::process::Output {
    let token_file = db.home().join("token.txt");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let out = db
        .dalgo(&[
            "dbt",
            "setup",
            "--org",
            "acme-ngo",
            "--repo",
            url,
            "--token-file",
            token_file.to_str().unwrap(),
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_file(token_file).unwrap();
    out
}

/// The names of the files in the test's secrets directory, sorted.
pub fn secret_files(db: &TestDb) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(db.secrets_dir()) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().into_string().unwrap()).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let out = Command::new("grep").args(["-rl", "--", needle]).arg(dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().map(PathBuf::from).collect()
}

#[test]
fn warehouse_set_with_missing_fields_exits_65_and_writes_nothing() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin("host: db.example.org\nport: 99999\n")
        .assert()
        .code(65)
        .stderr(contains(
            "username: missing; password: missing; database: missing; port: must be a number from 1 to 65535",
        ));
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "bigquery", "--config", "-"])
        .write_stdin("{\"project_id\": \"p\"}")
        .assert()
        .code(65)
        .stderr(contains("credentials_json: missing"));
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin("host: [unclosed")
        .assert()
        .code(65)
        .stderr(contains("not valid YAML or JSON"));
    assert_eq!(db.count("warehouses"), 0);
    assert!(!db.secrets_dir().exists() || std::fs::read_dir(db.secrets_dir()).unwrap().next().is_none());
}

#[test]
fn warehouse_credentials_are_checked_for_real() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    let bad = warehouse_yaml(&db, "analytics").replace(&pg_host(), "127.0.0.1").replace("5432", "1");
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin(bad.clone())
        .assert()
        .code(69)
        .stderr(contains("warehouse check failed: cannot connect to 127.0.0.1:1/"));
    assert_eq!(db.count("warehouses"), 0);
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(bad)
        .assert()
        .success();
    assert_eq!(db.count("warehouses"), 1);
}

#[test]
fn warehouse_set_show_update_delete() {
    let db = with_warehouse();
    let name = db.scalar("SELECT credentials_secret FROM warehouses");
    assert!(name.starts_with("warehouseCreds-acme-ngo-"), "{name}");
    let file = db.secrets_dir().join(&name);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let stored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(stored["Name"], name.as_str());
    assert!(stored["SecretString"].as_str().unwrap().contains(DB_PASSWORD));

    let show = db.dalgo(&["warehouse", "show", "--org", "acme-ngo", "--output", "json"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&show.stdout).contains(DB_PASSWORD));
    let show = json(&show);
    assert_eq!(show["credentials"]["password"], "********");
    assert_eq!(show["type"], "postgres");

    // Re-running updates: the credentials go to a new version (never
    // overwritten in place), the row switches to it, the old one is removed.
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin(warehouse_yaml(&db, "marts"))
        .assert()
        .success()
        .stdout(contains("updated"));
    let renamed = db.scalar("SELECT credentials_secret FROM warehouses");
    assert_ne!(renamed, name);
    assert!(renamed.starts_with("warehouseCreds-acme-ngo-"));
    assert_eq!(secret_files(&db), std::slice::from_ref(&renamed));
    assert_eq!(db.rows("SELECT name FROM org_secrets"), [renamed]);

    db.dalgo(&["warehouse", "delete", "--org", "acme-ngo"]).assert().code(2);
    db.dalgo(&["warehouse", "delete", "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(db.count("warehouses"), 0);
    assert!(!file.exists());
    db.dalgo(&["warehouse", "show", "--org", "acme-ngo"]).assert().code(67);
}

#[test]
fn a_secrets_directory_written_by_dalgo_is_read_back() {
    let db = with_warehouse();
    let name = db.scalar("SELECT credentials_secret FROM warehouses");
    // Python's json.dumps output, as Dalgo's DevSecretsManager writes it.
    let creds = serde_json::json!({"host": pg_host(), "port": 5432, "username": db.scalar("SELECT current_user"),
        "password": "from-dalgo", "database": db.name, "schema": "dalgo_schema"});
    let body = format!(
        "{{\"Name\": \"{name}\", \"SecretId\": \"{name}\", \"SecretString\": {}}}",
        serde_json::to_string(&creds.to_string()).unwrap()
    );
    std::fs::write(db.secrets_dir().join(&name), body).unwrap();
    let show = json(&db.dalgo(&["warehouse", "show", "--org", "acme-ngo", "--output", "json"]).output().unwrap());
    assert_eq!(show["credentials"]["schema"], "dalgo_schema");
    assert_eq!(show["credentials"]["password"], "********");
    let project = db.home().join("local_project");
    copy_dir(&dbt_project(), &project);
    db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--local", project.to_str().unwrap()]).assert().success();
    let profile = std::fs::read_to_string(db.clientdbt_root().join("acme-ngo/profiles/profiles.yml")).unwrap();
    assert!(profile.contains("password: from-dalgo") && profile.contains("schema: dalgo_schema"), "{profile}");
}

#[test]
fn dbt_setup_run_test_pull_and_status_with_real_dbt_and_git() {
    let db = with_warehouse();
    let (upstream, url) = fixture_repo(&db);
    let mut outputs = vec![setup_git(&db, &url)];
    let setup = json(&outputs[0]);
    assert_eq!(setup["branch"], "main");
    assert_eq!(setup["profile"], "fixture_profile");
    assert_eq!(
        setup["tasks"],
        serde_json::json!([
            "git-pull",
            "dbt-clean",
            "dbt-deps",
            "dbt-run",
            "dbt-test",
            "dbt-docs-generate",
            "dbt-seed"
        ])
    );
    assert_eq!(
        db.rows("SELECT source, repo_url, branch, project_dir, default_schema FROM dbt_workspaces"),
        [format!("git|{url}|main|acme-ngo/dbtrepo|analytics")]
    );
    assert_eq!(db.count("org_tasks"), 7);

    // profiles.yml: Dalgo's shape, mode 0600.
    let profiles = db.clientdbt_root().join("acme-ngo/profiles/profiles.yml");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&profiles).unwrap().permissions().mode() & 0o777, 0o600);
    let doc: serde_json::Value = serde_yaml::from_str(&std::fs::read_to_string(&profiles).unwrap()).unwrap();
    let out = &doc["fixture_profile"]["outputs"]["default"];
    assert_eq!(doc["fixture_profile"]["target"], "default");
    assert_eq!(
        (out["type"].as_str(), out["schema"].as_str(), out["dbname"].as_str()),
        (Some("postgres"), Some("analytics"), None)
    );
    assert_eq!(
        (out["database"].as_str(), out["password"].as_str(), out["threads"].as_i64()),
        (Some(db.name.as_str()), Some(DB_PASSWORD), Some(4))
    );

    let run = db.dalgo(&["dbt", "run", "--org", "acme-ngo"]).output().unwrap();
    assert!(run.status.success(), "{}{}", String::from_utf8_lossy(&run.stdout), stderr(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("Completed successfully"));
    assert_eq!(db.rows("SELECT id, status FROM analytics.orders ORDER BY id"), ["1|open", "2|closed"]);
    outputs.push(run);
    let test = db.dalgo(&["dbt", "test", "--org", "acme-ngo"]).output().unwrap();
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stdout));
    outputs.push(test);
    // -o json: stdout is one summary object (it used to be dbt's lines and
    // no JSON); dbt's own lines go to stderr.
    let seeded = db.dalgo(&["dbt", "seed", "--org", "acme-ngo", "-o", "json"]).output().unwrap();
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let summary = json(&seeded);
    assert_eq!(
        (
            summary["org"].as_str(),
            summary["command"].as_str(),
            summary["status"].as_str(),
            summary["exit_code"].as_i64()
        ),
        (Some("acme-ngo"), Some("dbt seed"), Some("succeeded"), Some(0)),
        "{summary}"
    );
    assert!(summary["ended_at"].is_string() && summary["id"].is_i64(), "{summary}");
    assert!(stderr(&seeded).contains("Completed successfully"), "{}", stderr(&seeded));
    outputs.push(seeded);

    // Upstream gains a failing test; git-pull brings it; dbt test fails.
    std::fs::write(
        upstream.join("models/schema.yml"),
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        data_tests:\n          - accepted_values:\n              arguments:\n                values: ['open']\n",
    )
    .unwrap();
    git(&upstream, &["commit", "-qam", "status must be open"]);
    let pull = db.dalgo(&["dbt", "git-pull", "--org", "acme-ngo", "--output", "json"]).output().unwrap();
    assert!(pull.status.success(), "{}", stderr(&pull));
    let head = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&upstream).output().unwrap();
    assert_eq!(json(&pull)["head_commit"], String::from_utf8_lossy(&head.stdout).trim());
    outputs.push(pull);
    let failing = db.dalgo(&["dbt", "test", "--org", "acme-ngo"]).output().unwrap();
    assert_eq!(failing.status.code(), Some(1), "{}", String::from_utf8_lossy(&failing.stdout));
    assert!(String::from_utf8_lossy(&failing.stdout).contains("FAIL 1 accepted_values_orders_status__open"));
    outputs.push(failing);

    let status = db.dalgo(&["dbt", "status", "--org", "acme-ngo", "--output", "json"]).output().unwrap();
    let s = json(&status);
    assert_eq!(s["head_commit"], String::from_utf8_lossy(&head.stdout).trim());
    assert_eq!(s["profile"], "fixture_profile");
    let runs: Vec<String> = s["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}",
                r["command"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["exit_code"],
                r["actor"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            "dbt test|failed|1|tester",
            "git pull|succeeded|0|tester",
            "dbt seed|succeeded|0|tester",
            "dbt test|succeeded|0|tester",
            "dbt run|succeeded|0|tester"
        ]
    );
    outputs.push(status);

    // The token is in the secrets store and nowhere else.
    let token_secret = db.scalar("SELECT token_secret FROM dbt_workspaces");
    assert_eq!(files_containing(db.home(), TOKEN), [db.secrets_dir().join(&token_secret)]);
    let clone = db.clientdbt_root().join("acme-ngo/dbtrepo");
    let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    assert!(config.contains(&url) && !config.contains(TOKEN));
    let dump = Command::new("pg_dump").args(["--data-only", "-d", &db.url]).output().unwrap();
    assert!(dump.status.success());
    assert!(!String::from_utf8_lossy(&dump.stdout).contains(TOKEN));
    for out in &outputs {
        assert!(!String::from_utf8_lossy(&out.stdout).contains(TOKEN) && !stderr(out).contains(TOKEN));
    }
}

/// The advisory locks dalgo holds on this test's database for dbt runs.
const DBT_LOCKS: &str = "pg_locks l JOIN pg_database d ON d.oid = l.database \
    WHERE l.locktype = 'advisory' AND l.classid = 6578804 AND d.datname = current_database()";

/// `/proc/<pid>/stat`: "pid (comm) state ppid …"; comm may hold spaces.
fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    Some((state, rest.next()?.parse().ok()?))
}

fn children(parent: u32) -> Vec<u32> {
    let pids = std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok());
    pids.filter(|&pid| proc_stat(pid).is_some_and(|(_, ppid)| ppid == parent)).collect()
}

fn alive(pid: u32) -> bool {
    proc_stat(pid).is_some_and(|(state, _)| state != 'Z')
}

#[test]
fn a_second_concurrent_run_is_refused_with_75_and_a_killed_run_frees_the_lock() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);

    let first = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    wait_for(|| (db.count("dbt_runs WHERE status = 'running'") > 0).then_some(()), "the first run to start");
    db.dalgo(&["dbt", "test", "--org", "acme-ngo", "--no-wait"])
        .assert()
        .code(75)
        .stderr(contains("org acme-ngo is busy: dbt run by tester since"));
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // Killed while holding the lock: the lock goes with its connection, and
    // dbt goes with dalgo instead of finishing on its own.
    let results = db.clientdbt_root().join("acme-ngo/dbtrepo/target/run_results.json");
    let before = std::fs::read(&results).unwrap();
    let mut victim = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    let dbt = wait_for(|| children(victim.id()).first().copied(), "dbt to start");
    victim.kill().unwrap();
    victim.wait().unwrap();
    wait_for(|| (!alive(dbt)).then_some(()), "the orphaned dbt to exit");
    wait_for(|| (db.count(DBT_LOCKS) == 0).then_some(()), "the lock to be released");
    assert_eq!(std::fs::read(&results).unwrap(), before, "the killed run's dbt finished its run");
    let next = db.dalgo(&["dbt", "run", "--org", "acme-ngo", "--no-wait"]).output().unwrap();
    assert!(next.status.success(), "{}\n{}", String::from_utf8_lossy(&next.stdout), stderr(&next));
    assert_eq!(db.rows("SELECT status FROM dbt_runs ORDER BY id"), ["succeeded", "interrupted", "succeeded"]);
}

#[test]
fn teardown_removes_workspace_tasks_profile_token_and_clone() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    let token_secret = db.scalar("SELECT token_secret FROM dbt_workspaces");
    db.dalgo(&["dbt", "teardown", "--org", "acme-ngo"]).assert().code(2);
    db.dalgo(&["warehouse", "delete", "--org", "acme-ngo", "--yes"]).assert().code(65).stderr(contains("dbt teardown"));
    let r = json(&db.dalgo(&["dbt", "teardown", "--org", "acme-ngo", "--yes", "--output", "json"]).output().unwrap());
    assert_eq!(r["tasks_removed"], 7);
    assert_eq!(r["token_secret_removed"], token_secret.as_str());
    assert_eq!((db.count("dbt_workspaces"), db.count("org_tasks")), (0, 0));
    assert!(!db.secrets_dir().join(&token_secret).exists());
    assert!(!db.clientdbt_root().join("acme-ngo/dbtrepo").exists());
    assert!(!db.clientdbt_root().join("acme-ngo/profiles").exists());
    db.dalgo(&["dbt", "status", "--org", "acme-ngo"]).assert().code(67).stderr(contains("dalgo dbt setup"));
}

#[test]
fn a_local_project_is_used_in_place_and_never_deleted() {
    let db = with_warehouse();
    let project = db.home().join("my_project");
    copy_dir(&dbt_project(), &project);
    let r = json(
        &db.dalgo(&[
            "dbt",
            "setup",
            "--org",
            "acme-ngo",
            "--local",
            project.to_str().unwrap(),
            "--default-schema",
            "local_marts",
            "--output",
            "json",
        ])
        .output()
        .unwrap(),
    );
    assert_eq!(r["source"], "local");
    assert!(!r["tasks"].as_array().unwrap().iter().any(|t| t == "git-pull"));
    db.dalgo(&["dbt", "seed", "--org", "acme-ngo"]).assert().success();
    db.dalgo(&["dbt", "git-pull", "--org", "acme-ngo"]).assert().code(65);
    db.dalgo(&["dbt", "teardown", "--org", "acme-ngo", "--yes"]).assert().success();
    assert!(project.join("dbt_project.yml").is_file());
}

/// `--default-schema` is kept by later setups; without it the schema is the
/// warehouse's, followed when the warehouse changes (it used to stay at the
/// first warehouse's schema for ever).
#[test]
fn the_default_schema_follows_the_warehouse_unless_it_was_given() {
    let db = with_warehouse();
    let project = db.home().join("schema_project");
    copy_dir(&dbt_project(), &project);
    let setup = |extra: &[&str]| {
        let mut args = vec!["dbt", "setup", "--org", "acme-ngo", "--local", project.to_str().unwrap(), "-o", "json"];
        args.extend_from_slice(extra);
        let out = db.dalgo(&args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out)["default_schema"].as_str().unwrap().to_string()
    };
    let warehouse = |schema: &str| {
        db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-"])
            .write_stdin(warehouse_yaml(&db, schema))
            .assert()
            .success();
    };
    assert_eq!(setup(&[]), "analytics");
    warehouse("marts");
    assert_eq!(setup(&[]), "marts");
    assert_eq!(setup(&["--default-schema", "mine"]), "mine");
    warehouse("elsewhere");
    assert_eq!(setup(&[]), "mine");
    let profile = std::fs::read_to_string(db.clientdbt_root().join("acme-ngo/profiles/profiles.yml")).unwrap();
    assert!(profile.contains("schema: mine"), "{profile}");
}

/// A replaced credentials version that cannot be removed is a partial
/// success (3) naming what finishes it; it exited 0 with a warning.
#[test]
fn a_replaced_version_that_cannot_be_removed_is_a_partial_success() {
    let db = with_warehouse();
    let old = db.scalar("SELECT credentials_secret FROM warehouses");
    // A directory where the file was: the store cannot remove it.
    std::fs::remove_file(db.secrets_dir().join(&old)).unwrap();
    std::fs::create_dir(db.secrets_dir().join(&old)).unwrap();
    let out = db
        .dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "-o", "json"])
        .write_stdin(warehouse_yaml(&db, "marts"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("dalgo secrets gc"), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["replaced_secret"], old.as_str());
    assert_eq!(r["replaced_secret_removed"]["status"], "failed", "{r}");
    assert_ne!(db.scalar("SELECT credentials_secret FROM warehouses"), old, "the new credentials are in use");
    assert_eq!(db.count(&format!("org_secrets WHERE name = '{old}'")), 1, "still recorded, for the sweep");
}

#[test]
fn bad_setups_and_missing_dbt_fail_clearly() {
    let db = with_warehouse();
    db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--repo", &format!("https://oauth2:{TOKEN}@github.com/o/r.git")])
        .assert()
        .code(65)
        .stderr(contains("carries credentials"))
        .stderr(predicates::prelude::PredicateBooleanExt::not(predicates::str::contains(TOKEN)));
    db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--repo", "file:///nonexistent/repo"]).assert().code(67);
    assert_eq!(db.count("dbt_workspaces"), 0);
    db.dalgo(&["dbt", "run", "--org", "acme-ngo"])
        .env("DBT_VENV", "/nonexistent")
        .assert()
        .code(78)
        .stderr(contains("DBT_VENV"));
    db.dalgo(&["dbt", "run", "--org", "acme-ngo"]).env_remove("DBT_VENV").assert().code(78);
    db.dalgo(&["dbt", "run", "--org", "acme-ngo"]).assert().code(67).stderr(contains("no dbt workspace"));
    let other = TestDb::migrated();
    onboard(&other, "Beta", "b@beta.org", "admin");
    let project = other.home().join("local_project");
    copy_dir(&dbt_project(), &project);
    other
        .dalgo(&["dbt", "setup", "--org", "beta", "--local", project.to_str().unwrap()])
        .assert()
        .code(67)
        .stderr(contains("no warehouse"));
    // A directory that is no dbt project is refused first, as bad input.
    other.dalgo(&["dbt", "setup", "--org", "beta", "--local", "/tmp"]).assert().code(65);
}

#[test]
fn secrets_list_show_and_delete() {
    let db = with_warehouse();
    let name = db.scalar("SELECT credentials_secret FROM warehouses");
    std::fs::write(
        db.secrets_dir().join("orphan-secret"),
        r#"{"Name":"orphan-secret","SecretId":"orphan-secret","SecretString":"plain"}"#,
    )
    .unwrap();
    let list = json(&db.dalgo(&["secrets", "list", "--output", "json"]).output().unwrap());
    let rows: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}|{}|{}", e["name"].as_str().unwrap(), e["org"], e["in_store"]))
        .collect();
    assert_eq!(rows, ["orphan-secret|null|true".to_string(), format!("{name}|\"acme-ngo\"|true")]);
    let show = db.dalgo(&["secrets", "show", &name]).output().unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("\"password\": \"********\"") && !text.contains(DB_PASSWORD), "{text}");
    db.dalgo(&["secrets", "show", "orphan-secret"]).assert().success().stdout("********\n");
    db.dalgo(&["secrets", "show", &name, "--reveal"]).assert().code(2);
    db.dalgo(&["secrets", "delete", &name, "--yes"]).assert().code(65).stderr(contains("warehouse of org acme-ngo"));
    db.dalgo(&["secrets", "delete", "orphan-secret", "--yes"]).assert().success();
    db.dalgo(&["secrets", "delete", "orphan-secret", "--yes"]).assert().code(67);
    assert!(db.secrets_dir().join(&name).exists());
    // A deleted credential is said in the audit log, as every other change is.
    assert_eq!(
        db.rows("SELECT action, resource_type, resource_id FROM audit_log WHERE resource_type = 'secret'"),
        ["delete|secret|orphan-secret"]
    );
}

#[test]
fn the_keyring_backend_keeps_credentials_in_the_session_keyring() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    let config = db.home().join("wh.yaml");
    std::fs::write(&config, warehouse_yaml(&db, "analytics")).unwrap();
    let config = config.to_str().unwrap();
    let script = format!(
        "set -e
         dalgo warehouse set --org acme-ngo --type postgres --config {config}
         dalgo warehouse show --org acme-ngo --output json
         dalgo warehouse delete --org acme-ngo --yes"
    );
    let out = db
        .program("keyctl", &["session", "-", "bash", "-c", &script])
        .env("DALGO_SECRETS_BACKEND", "keyring")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"password\": \"********\"") && text.contains("\"schema\": \"analytics\""), "{text}");
    assert!(!text.contains(DB_PASSWORD));
    assert!(!db.secrets_dir().exists(), "the keyring backend wrote files");
    assert_eq!(db.count("audit_log WHERE resource_type = 'warehouse'"), 2);
}

#[test]
fn a_tenants_dbt_project_cannot_read_the_platforms_credentials() {
    let db = with_warehouse();
    let project = db.home().join("tenant_project");
    copy_dir(&dbt_project(), &project);
    // What a hostile tenant would commit: a model that prints the platform's secrets.
    let probes = ["DATABASE_URL", "AIRBYTE_API_TOKEN", "PREFECT_API_KEY", "DBPASSWORD", "PASSED_THROUGH"]
        .map(|v| format!("'{v}=' ~ env_var('{v}', 'absent')"))
        .join(" ~ ' ' ~ ");
    std::fs::write(
        project.join("models/leak.sql"),
        format!("{{{{ log('LEAK ' ~ {probes}, info=True) }}}}\nselect 1 as x\n"),
    )
    .unwrap();
    db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--local", project.to_str().unwrap()]).assert().success();
    let out = db
        .dalgo(&["dbt", "run", "--org", "acme-ngo", "--", "--select", "leak"])
        .env("AIRBYTE_API_TOKEN", "platform-airbyte-token")
        .env("PREFECT_API_KEY", "platform-prefect-key")
        .env("DBPASSWORD", "platform-db-password")
        .env("PASSED_THROUGH", "chosen-by-the-operator")
        .env("DALGO_CHILD_ENV", "PASSED_THROUGH")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "LEAK DATABASE_URL=absent AIRBYTE_API_TOKEN=absent PREFECT_API_KEY=absent DBPASSWORD=absent \
             PASSED_THROUGH=chosen-by-the-operator"
        ),
        "{text}"
    );
    for secret in ["platform-airbyte-token", "platform-prefect-key", "platform-db-password", db.url.as_str()] {
        assert!(!text.contains(secret) && !stderr(&out).contains(secret), "{secret} reached dbt");
    }
}

/// An org with a dbt project whose run takes a few seconds (a model that sleeps).
fn with_slow_project() -> TestDb {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    let models = db.clientdbt_root().join("acme-ngo/dbtrepo/models");
    // A table, so the query runs (a view, dbt's default, is made without running it).
    std::fs::write(models.join("slow.sql"), "{{ config(materialized='table') }}\nselect 1 as id from pg_sleep(4)\n")
        .unwrap();
    db
}

/// Ends the PostgreSQL session holding the org's dbt lock, as a restarted
/// pooler or a network cut would.
fn kill_lock_session(db: &TestDb) {
    db.exec(&format!("SELECT pg_terminate_backend(l.pid) FROM {DBT_LOCKS} AND l.granted"));
}

/// dbt runs of this test's orgs now going: dbt processes whose parent is not
/// one too. dbt starts helpers of its own (Python's `subprocess` forks, and
/// until it execs the fork shows dbt's command line), which are part of the
/// same run: counted as runs, they made two of one under load.
fn dbt_processes(db: &TestDb) -> usize {
    let root = db.clientdbt_root().display().to_string();
    let pids = std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok());
    let dbt: std::collections::HashMap<u32, u32> = pids
        .filter_map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline);
            let (state, parent) = proc_stat(pid)?;
            (cmdline.contains("--profiles-dir") && cmdline.contains(&root) && state != 'Z').then_some((pid, parent))
        })
        .collect();
    dbt.values().filter(|parent| !dbt.contains_key(parent)).count()
}

#[test]
fn a_run_whose_lock_session_dies_takes_the_lock_again_and_records_its_real_result() {
    let db = with_slow_project();
    let mut run = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    wait_while_running(&mut run, || dbt_processes(&db) > 0, "dbt to start");
    kill_lock_session(&db);
    let out = run.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(db.rows("SELECT status FROM dbt_runs"), ["succeeded"]);
    assert_eq!(db.count(DBT_LOCKS), 0);
}

#[test]
fn a_queued_run_never_overlaps_one_whose_lock_session_died() {
    let db = with_slow_project();
    let mut first = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    wait_while_running(&mut first, || dbt_processes(&db) > 0, "the first dbt to start");
    let second = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    crate::common::wait_until_blocked(&db);
    kill_lock_session(&db);
    // Sample the dbt processes until both commands end: never two at once.
    let (mut first, mut second) = (first, second);
    let mut most = 0;
    let started = std::time::Instant::now();
    while first.try_wait().unwrap().is_none() || second.try_wait().unwrap().is_none() {
        most = most.max(dbt_processes(&db));
        assert!(started.elapsed() < std::time::Duration::from_secs(120), "the runs did not end");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(most, 1, "two dbt runs of one org ran at once");
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(75), "{}", stderr(&first));
    assert!(stderr(&first).contains("lost org acme-ngo's dbt lock"), "{}", stderr(&first));
    let second = second.wait_with_output().unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(db.rows("SELECT status FROM dbt_runs ORDER BY id"), ["interrupted", "succeeded"]);
}

#[test]
fn askpass_helpers_left_by_dead_dalgos_are_removed() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    let tmp = db.home().join("tmp");
    let dead = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    let mut dead = dead;
    dead.wait().unwrap();
    let stale = tmp.join(format!("dalgo-askpass-{dead_pid}-x1"));
    let live = tmp.join(format!("dalgo-askpass-{}-x2", std::process::id()));
    for dir in [&stale, &live] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("askpass.sh"), "#!/bin/sh\n").unwrap();
    }
    db.dalgo(&["dbt", "git-pull", "--org", "acme-ngo"]).env("TMPDIR", &tmp).assert().success();
    assert!(!stale.exists(), "a dead dalgo's askpass directory was left");
    assert!(live.exists(), "a running dalgo's askpass directory was removed");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn an_unusable_clientdbt_root_is_named_as_such_not_as_the_secrets_store() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    // A root under a regular file: nothing can be created there.
    let file = db.home().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let root = file.join("clientdbt");
    let out =
        db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--repo", &url]).env("CLIENTDBT_ROOT", &root).output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("CLIENTDBT_ROOT") && err.contains(&root.display().to_string()), "{err}");
    assert!(!err.contains("secrets store"), "{err}");
    // The OS's reason once, not twice (the message used to end with it and
    // the error chain repeated it).
    assert_eq!(err.matches("Not a directory").count(), 1, "{err}");
    assert_eq!(db.count("dbt_workspaces"), 0);
    // A root that cannot be made (nothing can be created in /proc, even by
    // root) is a setting to fix too: 78, not 1.
    let project = db.home().join("root_project");
    copy_dir(&dbt_project(), &project);
    let out = db
        .dalgo(&["dbt", "setup", "--org", "acme-ngo", "--local", project.to_str().unwrap()])
        .env("CLIENTDBT_ROOT", "/proc/dalgo-clientdbt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert_eq!(db.count("dbt_workspaces"), 0);
}

/// SIGTERM (systemd stopping a unit, `kill`) during a dbt run stops dbt and
/// records the run as interrupted at once, exit 130 (`dbt status` used to say
/// `running` after it), and frees the org's lock for the next run.
#[test]
fn sigterm_during_a_run_stops_dbt_and_records_it_interrupted() {
    let db = with_slow_project();
    let mut run = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    wait_while_running(&mut run, || dbt_processes(&db) > 0, "dbt to start");
    Command::new("kill").args(["-TERM", &run.id().to_string()]).status().unwrap();
    let out = run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted: dbt run was stopped"), "{}", stderr(&out));
    assert_eq!(db.rows("SELECT status, exit_code IS NULL FROM dbt_runs"), ["interrupted|t"]);
    crate::common::wait_for(|| (dbt_processes(&db) == 0).then_some(()), "dbt to stop");
    assert_eq!(db.count(DBT_LOCKS), 0);
}

/// SIGTERM during `dbt git-pull` stops git (it used to go on waiting on the
/// remote after dalgo died) and records the pull as interrupted, exit 130.
#[test]
fn sigterm_during_a_git_pull_stops_git_and_records_it_interrupted() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    let remote = crate::common::SilentRemote::new();
    git(&db.clientdbt_root().join("acme-ngo/dbtrepo"), &["remote", "set-url", "origin", &remote.url()]);
    let mut pull = db.spawn(&["dbt", "git-pull", "--org", "acme-ngo"], &[]);
    let conn = remote.connected(&mut pull);
    Command::new("kill").args(["-TERM", &pull.id().to_string()]).status().unwrap();
    assert!(crate::common::closed(conn), "git still waits on the remote after dalgo was stopped");
    let out = pull.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted: git pull was stopped"), "{}", stderr(&out));
    assert_eq!(db.rows("SELECT command || '|' || status FROM dbt_runs"), ["git pull|interrupted"]);
    assert_eq!(db.count(DBT_LOCKS), 0);
}

/// SIGINT to a dbt command queued behind another run ends it at once (130),
/// while the other still runs, and records nothing: it used to wait for the
/// other run to end, then record an interrupted run that never started.
#[test]
fn a_queued_dbt_command_stops_at_once_on_sigint_and_records_nothing() {
    let db = with_slow_project();
    let mut first = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[]);
    wait_while_running(&mut first, || dbt_processes(&db) > 0, "the first run's dbt");
    let mut queued = db.spawn(&["dbt", "test", "--org", "acme-ngo"], &[]);
    let mut lines = crate::common::StderrLines::of(&mut queued);
    lines.wait_for("waiting: dbt run", 1);
    Command::new("kill").args(["-INT", &queued.id().to_string()]).status().unwrap();
    let status = queued.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{}", lines.rest());
    assert_eq!(db.rows("SELECT command || '|' || status FROM dbt_runs"), ["dbt run|running"]);
    assert!(first.wait().unwrap().success());
    assert_eq!(db.rows("SELECT command || '|' || status FROM dbt_runs"), ["dbt run|succeeded"]);
}

/// A project dbt cannot read (a broken dbt_project.yml) is refused with 65
/// before anything runs, and no run is recorded.
#[test]
fn a_broken_dbt_project_is_refused_with_65_and_not_recorded() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    std::fs::write(db.clientdbt_root().join("acme-ngo/dbtrepo/dbt_project.yml"), "name: [unclosed\n").unwrap();
    let out = db.dalgo(&["dbt", "run", "--org", "acme-ngo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert_eq!(db.count("dbt_runs"), 0);
}

/// `dbt debug`, `compile` and `ls` run in the org's project with its profile,
/// confined like every dbt command.
#[test]
fn dbt_debug_compile_and_ls() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    let run = |cmd: &str| {
        let out = db.dalgo(&["dbt", cmd, "--org", "acme-ngo"]).output().unwrap();
        assert!(out.status.success(), "dbt {cmd}: {}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(run("debug").contains("All checks passed"));
    run("compile");
    assert!(db.clientdbt_root().join("acme-ngo/dbtrepo/target/compiled/fixture/models/orders.sql").is_file());
    assert!(run("ls").contains("fixture.orders"));
    assert_eq!(db.rows("SELECT command FROM dbt_runs ORDER BY id"), ["dbt debug", "dbt compile", "dbt ls"]);
}

/// A Snowflake warehouse's dbt profile is one dbt-snowflake takes: `dbt
/// parse` (which loads the profile and the adapter, and connects nowhere)
/// accepts the profile `dbt setup` wrote.
#[test]
fn dbt_snowflake_takes_the_profile_of_a_snowflake_warehouse() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    let config = "account: xy12345.eu-west-1\nusername: loader\npassword: s3cret\ndatabase: RAW\n\
                  warehouse: LOAD_WH\nrole: LOADER\nschema: staging\n";
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "snowflake", "--config", "-", "--no-check"])
        .write_stdin(config)
        .assert()
        .success();
    let project = db.home().join("local_project");
    copy_dir(&dbt_project(), &project);
    db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--local", project.to_str().unwrap()]).assert().success();
    let profiles = db.clientdbt_root().join("acme-ngo/profiles");
    let text = std::fs::read_to_string(profiles.join("profiles.yml")).unwrap();
    assert!(text.contains("type: snowflake") && text.contains("account: xy12345.eu-west-1"), "{text}");
    let venv = crate::common::dbt_venv().expect("the test virtualenv");
    let out = Command::new(venv.join("bin/dbt"))
        .args(["parse", "--project-dir", project.to_str().unwrap(), "--profiles-dir", profiles.to_str().unwrap()])
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .current_dir(db.home())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
}
