//! `dalgo airbyte` against the stub server, which checks every request
//! against the real Config API spec.

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::airbyte_stub::{Auth, Fault, Options, Stub, Version};
use crate::common::{TestDb, json, onboard, pg_host, stderr};

const TOKEN: &str = "YWlyYnl0ZTpzM2NyZXQtYWItcHc="; // base64("airbyte:s3cret-ab-pw")
const SOURCE_PASSWORD: &str = "src-pw-0042";

struct Env {
    db: TestDb,
    stub: Stub,
    /// The credentials dalgo is given, matching the stub's auth mode.
    auth_env: Vec<(&'static str, String)>,
}

impl Env {
    fn new(opts: Options) -> Env {
        let db = TestDb::migrated();
        onboard(&db, "Acme NGO", "boss@acme.org", "admin");
        let auth_env = match &opts.auth {
            Auth::None => vec![],
            Auth::Basic(token) => vec![("AIRBYTE_API_TOKEN", token.clone())],
            Auth::Client { id, secret } => {
                vec![("AIRBYTE_CLIENT_ID", id.clone()), ("AIRBYTE_CLIENT_SECRET", secret.clone())]
            }
        };
        Env { db, stub: Stub::start(opts), auth_env }
    }

    fn basic() -> Env {
        Env::new(Options { auth: Auth::Basic(TOKEN.into()), ..Default::default() })
    }

    fn dalgo(&self, args: &[&str]) -> Command {
        let mut cmd = self.db.dalgo(args);
        cmd.env("AIRBYTE_SERVER_HOST", "127.0.0.1")
            .env("AIRBYTE_SERVER_PORT", self.stub.port())
            .env("AIRBYTE_RETRIES", "2");
        for (k, v) in &self.auth_env {
            cmd.env(k, v);
        }
        cmd
    }

    fn ok_json(&self, args: &[&str]) -> serde_json::Value {
        let mut full = args.to_vec();
        full.extend(["--output", "json"]);
        let out = self.dalgo(&full).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    }

    /// `airbyte sources create` of a Postgres source named `name` from `config`.
    fn create_source(&self, name: &str, config: &str) -> Command {
        self.dalgo(&[
            "airbyte",
            "sources",
            "create",
            "--org",
            "acme-ngo",
            "--name",
            name,
            "--definition",
            "Postgres",
            "--config",
            config,
        ])
    }

    /// Creates a Postgres source; its JSON.
    fn source(&self, name: &str, config: &str) -> serde_json::Value {
        let out = self.create_source(name, config).args(["--output", "json"]).output().unwrap();
        assert!(out.status.success(), "sources create: {}", stderr(&out));
        json(&out)
    }

    fn workspace(&self) -> String {
        self.ok_json(&["airbyte", "workspace", "create", "--org", "acme-ngo"])["workspace_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn no_violations(&self) {
        assert_eq!(self.stub.violations(), Vec::<String>::new());
    }
}

#[test]
fn health_reports_version_and_refused_credentials_exit_77() {
    let env = Env::basic();
    let h = env.ok_json(&["airbyte", "health"]);
    assert_eq!((h["available"].as_bool(), h["version"].as_str()), (Some(true), Some("0.58.0")));
    let auth: Vec<_> = env.stub.requests().iter().map(|r| r.authorization.clone()).collect();
    assert!(auth.iter().all(|a| a.as_deref() == Some(&format!("Basic {TOKEN}"))), "{auth:?}");
    env.dalgo(&["airbyte", "health"]).env("AIRBYTE_API_TOKEN", "d3Jvbmc=").assert().code(77).stderr(contains("401"));
    env.db.dalgo(&["airbyte", "health"]).assert().code(78).stderr(contains("AIRBYTE_SERVER_HOST"));
    env.no_violations();
}

#[test]
fn workspace_create_is_idempotent_recorded_and_deleted() {
    let env = Env::basic();
    let first = env.ok_json(&["airbyte", "workspace", "create", "--org", "acme-ngo"]);
    assert_eq!(first["created"], true);
    let again = env.ok_json(&["airbyte", "workspace", "create", "--org", "acme-ngo"]);
    assert_eq!((again["created"].as_bool(), &again["workspace_id"]), (Some(false), &first["workspace_id"]));
    assert_eq!(env.stub.count("workspaces"), 1);
    assert_eq!(env.stub.requests_to("/v1/workspaces/create")[0].body["name"], "acme-ngo");
    let org = json(&env.db.dalgo(&["org", "show", "acme-ngo", "--output", "json"]).output().unwrap());
    assert_eq!(org["airbyte_workspace_id"], first["workspace_id"]);
    env.dalgo(&["airbyte", "workspace", "delete", "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(env.stub.count("workspaces"), 0);
    assert_eq!(env.db.scalar("SELECT airbyte_workspace_id IS NULL FROM orgs"), "t");
    env.dalgo(&["airbyte", "sources", "list", "--org", "acme-ngo"])
        .assert()
        .code(67)
        .stderr(contains("workspace create"));
    env.no_violations();
}

/// A Postgres source "crm" in the org's workspace; its id.
fn crm_source(env: &Env) -> String {
    let src = write(env, "src.json", r#"{"host": "db", "port": 5432, "database": "crm", "username": "ro"}"#);
    env.source("crm", &src)["id"].as_str().unwrap().to_string()
}

/// `airbyte connections create` of the source's "orders" stream, with `extra` options.
fn orders_connection(env: &Env, source: &str, extra: &[&str]) -> serde_json::Value {
    let mut args =
        vec!["airbyte", "connections", "create", "--org", "acme-ngo", "--source", source, "--stream", "orders"];
    args.extend_from_slice(extra);
    env.ok_json(&args)
}

fn write(env: &Env, name: &str, text: &str) -> String {
    let path = env.db.home().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn sources_are_validated_against_the_spec_before_anything_is_sent() {
    let env = Env::basic();
    env.workspace();
    let bad = write(&env, "bad.yaml", "host: db.example.org\nport: \"5432\"\n");
    env.dalgo(&[
        "airbyte",
        "sources",
        "create",
        "--org",
        "acme-ngo",
        "--name",
        "crm",
        "--definition",
        "postgres",
        "--config",
        &bad,
    ])
    .assert()
    .code(65)
    .stderr(contains("invalid source config"))
    .stderr(contains("port: \"5432\" is not of type \"integer\""))
    .stderr(contains("\"database\" is a required property"));
    assert!(env.stub.requests_to("/v1/sources/create").is_empty(), "an invalid config was sent");

    let good = write(
        &env,
        "good.yaml",
        &format!("host: db.example.org\nport: 5432\ndatabase: crm\nusername: ro\npassword: {SOURCE_PASSWORD}\n"),
    );
    let created = env.source("crm", &good);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["configuration"]["password"], "**********");
    let listed = env.ok_json(&["airbyte", "sources", "list", "--org", "acme-ngo"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let check = env.ok_json(&["airbyte", "sources", "check", &id, "--org", "acme-ngo"]);
    assert_eq!(check["status"], "succeeded");
    let streams = env.ok_json(&["airbyte", "sources", "discover", &id, "--org", "acme-ngo"]);
    assert_eq!(streams[0]["name"], "orders");
    assert_eq!(streams[0]["supported_sync_modes"], serde_json::json!(["full_refresh", "incremental"]));

    let unreachable =
        write(&env, "unreachable.yaml", "host: unreachable.example\nport: 5432\ndatabase: crm\nusername: ro\n");
    env.ok_json(&["airbyte", "sources", "update", &id, "--org", "acme-ngo", "--config", &unreachable]);
    env.dalgo(&["airbyte", "sources", "check", &id, "--org", "acme-ngo"])
        .assert()
        .code(1)
        .stdout(contains("Could not connect"));
    env.dalgo(&["airbyte", "sources", "delete", &id, "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(env.stub.count("sources"), 0);
    env.dalgo(&["airbyte", "sources", "show", &id, "--org", "acme-ngo"]).assert().code(67);
    env.dalgo(&[
        "airbyte",
        "sources",
        "create",
        "--org",
        "acme-ngo",
        "--name",
        "x",
        "--definition",
        "Oracle",
        "--config",
        &good,
    ])
    .assert()
    .code(65)
    .stderr(contains("source-definitions"));
    env.no_violations();
}

#[test]
fn warehouse_destination_and_connections_follow_the_org() {
    let env = Env::basic();
    env.workspace();
    let wh = format!(
        "host: {}\nport: 5432\nusername: loader\npassword: wh-pw-99\ndatabase: warehouse\nschema: staging\n",
        pg_host()
    );
    let set = env
        .dalgo(&[
            "warehouse",
            "set",
            "--org",
            "acme-ngo",
            "--type",
            "postgres",
            "--config",
            "-",
            "--no-check",
            "--output",
            "json",
        ])
        .write_stdin(wh.clone())
        .output()
        .unwrap();
    assert!(set.status.success(), "{}", stderr(&set));
    let dest = json(&set)["airbyte_destination_id"].as_str().unwrap().to_string();
    assert_eq!(env.db.scalar("SELECT airbyte_destination_id FROM warehouses"), dest);
    assert_eq!(env.stub.requests_to("/v1/destinations/create")[0].body["connectionConfiguration"]["schema"], "staging");
    // Setting it again updates the same destination.
    env.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(wh)
        .assert()
        .success();
    assert_eq!((env.stub.count("destinations"), env.stub.requests_to("/v1/destinations/update").len()), (1, 1));

    let source = crm_source(&env);
    let conn = orders_connection(
        &env,
        &source,
        &["--namespace", "raw_crm", "--schedule", "0 2 * * *", "--name", "crm to warehouse"],
    );
    let conn_id = conn["connectionId"].as_str().unwrap().to_string();
    assert_eq!(conn["destinationId"], dest.as_str());
    let sent = &env.stub.requests_to("/v1/connections/create")[0].body;
    assert_eq!((sent["namespaceFormat"].as_str(), sent["scheduleType"].as_str()), (Some("raw_crm"), Some("cron")));
    // 5-field cron, as pipelines take, sent as Airbyte's Quartz (it used to be passed on as typed).
    assert_eq!(sent["scheduleData"]["cron"]["cronExpression"], "0 0 2 * * ?");
    let selected: Vec<_> = sent["syncCatalog"]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stream"]["name"].clone(), s["config"]["selected"].clone()))
        .collect();
    assert_eq!(
        selected,
        [
            (serde_json::json!("orders"), serde_json::json!(true)),
            (serde_json::json!("customers"), serde_json::json!(false))
        ]
    );
    env.dalgo(&["airbyte", "connections", "create", "--org", "acme-ngo", "--source", &source, "--stream", "nope"])
        .assert()
        .code(65)
        .stderr(contains("nope: no such stream"));
    env.dalgo(&[
        "airbyte",
        "connections",
        "create",
        "--org",
        "acme-ngo",
        "--source",
        &source,
        "--stream",
        "customers",
        "--sync-mode",
        "incremental",
    ])
    .assert()
    .code(65)
    .stderr(contains("does not support sync mode incremental"));

    let updated =
        env.ok_json(&["airbyte", "connections", "update", &conn_id, "--org", "acme-ngo", "--schedule", "30 3 * * 1-5"]);
    let sent = &env.stub.requests_to("/v1/connections/update").last().unwrap().body.clone();
    assert_eq!(sent["scheduleData"]["cron"]["cronExpression"], "0 30 3 ? * 2-6", "{updated}");
    let updates = env.stub.requests_to("/v1/connections/update").len();
    env.dalgo(&["airbyte", "connections", "update", &conn_id, "--org", "acme-ngo", "--schedule", "0 2 1 * 1"])
        .assert()
        .code(65)
        .stderr(contains("cannot name both a day of the month and a day of the week"));
    assert_eq!(env.stub.requests_to("/v1/connections/update").len(), updates, "a bad schedule reached Airbyte");
    let updated =
        env.ok_json(&["airbyte", "connections", "update", &conn_id, "--org", "acme-ngo", "--no-schedule", "--disable"]);
    assert_eq!((updated["scheduleType"].as_str(), updated["status"].as_str()), (Some("manual"), Some("inactive")));
    let list = env.ok_json(&["airbyte", "connections", "list", "--org", "acme-ngo"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    env.dalgo(&["airbyte", "connections", "delete", &conn_id, "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(env.stub.count("connections"), 0);

    // Deleting the org deletes its Airbyte workspace first.
    env.dalgo(&["org", "delete", "acme-ngo", "--yes"]).assert().success().stdout(contains("deleted Airbyte workspace"));
    assert_eq!(env.stub.count("workspaces"), 0);
    env.no_violations();
}

/// Airbyte cannot change a destination's connector: a warehouse that goes
/// from postgres to bigquery gets a BigQuery destination in place of the
/// Postgres one (it used to send BigQuery's config to the Postgres
/// destination, exit 3, for ever). While connections still write to the old
/// destination, the change is refused before anything is written.
#[test]
fn a_warehouse_of_another_type_gets_a_destination_of_its_connector() {
    let env = Env::basic();
    env.workspace();
    let set = |wtype: &str, config: &str| {
        env.dalgo(&[
            "warehouse",
            "set",
            "--org",
            "acme-ngo",
            "--type",
            wtype,
            "--config",
            "-",
            "--no-check",
            "-o",
            "json",
        ])
        .write_stdin(config.to_string())
        .output()
        .unwrap()
    };
    let pg = format!(
        "host: {}\nport: 5432\nusername: loader\npassword: pw\ndatabase: warehouse\nschema: staging\n",
        pg_host()
    );
    let key = r#"{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key\": \"k\", \"client_email\": \"e@p.iam\"}"#;
    let bq = format!(
        r#"{{"project_id": "p", "dataset_id": "marts", "dataset_location": "EU", "credentials_json": "{key}"}}"#
    );
    let out = set("postgres", &pg);
    assert!(out.status.success(), "{}", stderr(&out));
    let postgres_dest = json(&out)["airbyte_destination_id"].as_str().unwrap().to_string();

    let source = crm_source(&env);
    let conn = orders_connection(&env, &source, &[]);
    let secrets_before = env.db.rows("SELECT name FROM org_secrets ORDER BY name");
    let out = set("bigquery", &bq);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 connection"), "{}", stderr(&out));
    assert_eq!(env.db.scalar("SELECT wtype FROM warehouses"), "postgres");
    assert_eq!(env.db.rows("SELECT name FROM org_secrets ORDER BY name"), secrets_before);
    assert!(env.stub.requests_to("/v1/destinations/update").is_empty());

    let conn_id = conn["connectionId"].as_str().unwrap();
    env.dalgo(&["airbyte", "connections", "delete", conn_id, "--org", "acme-ngo", "--yes"]).assert().success();
    let out = set("bigquery", &bq);
    assert!(out.status.success(), "{}", stderr(&out));
    let bigquery_dest = json(&out)["airbyte_destination_id"].as_str().unwrap().to_string();
    assert_ne!(bigquery_dest, postgres_dest);
    let dest = env.ok_json(&["airbyte", "destinations", "show", &bigquery_dest, "--org", "acme-ngo"]);
    assert_eq!(dest["connector"], "BigQuery");
    assert_eq!(env.stub.count("destinations"), 1, "the Postgres destination stayed");
    // Converged: a re-run updates the BigQuery destination in place.
    let out = set("bigquery", &bq);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["airbyte_destination_id"], bigquery_dest.as_str());
    env.no_violations();
}

/// A Snowflake warehouse (Dalgo's schema allows it): its config in Airbyte's
/// shape (a host from the account, the password under `credentials`), a
/// Snowflake destination the stub accepts against the connector's spec, and
/// its credentials masked when shown.
#[test]
fn a_snowflake_warehouse_gets_a_snowflake_destination() {
    let env = Env::basic();
    env.workspace();
    let set = |config: &str| {
        env.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "snowflake", "--config", "-", "-o", "json"])
            .write_stdin(config.to_string())
            .output()
            .unwrap()
    };
    let bad = set("account: xy12345.eu-west-1\nusername: loader\ndatabase: RAW\nwarehouse: LOAD_WH\nschema: staging\n");
    assert_eq!(bad.status.code(), Some(65), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("role: missing") && stderr(&bad).contains("credentials: missing"),
        "{}",
        stderr(&bad)
    );
    assert_eq!(env.db.count("warehouses"), 0, "nothing stored on bad input");

    let good = "account: xy12345.eu-west-1\nusername: loader\npassword: s3cret\ndatabase: RAW\nwarehouse: LOAD_WH\nrole: LOADER\nschema: staging\n";
    let out = set(good);
    assert!(out.status.success(), "{}", stderr(&out));
    let dest_id = json(&out)["airbyte_destination_id"].as_str().unwrap().to_string();
    let dest = env.ok_json(&["airbyte", "destinations", "show", &dest_id, "--org", "acme-ngo"]);
    assert_eq!(dest["connector"], "Snowflake");
    let body = &env.stub.requests_to("/v1/destinations/create")[0].body;
    let config = &body["connectionConfiguration"];
    assert_eq!(config["host"], "xy12345.eu-west-1.snowflakecomputing.com");
    assert_eq!(config["credentials"], serde_json::json!({"auth_type": "Username and Password", "password": "s3cret"}));
    let shown = env.ok_json(&["warehouse", "show", "--org", "acme-ngo"]);
    assert_eq!(shown["type"], "snowflake");
    assert_eq!(shown["credentials"]["credentials"], "********", "the whole of it: {shown}");
    env.no_violations();
}

#[test]
fn sync_waits_records_history_and_reports_failures_and_conflicts() {
    let env = Env::basic();
    let ws = env.workspace();
    let conns = env.stub.seed_connections(&ws, 2);
    let out = env
        .dalgo(&[
            "airbyte",
            "sync",
            &conns[0],
            "--org",
            "acme-ngo",
            "--wait",
            "--poll-interval",
            "0.1",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome = &json(&out)[0];
    assert_eq!((outcome["status"].as_str(), outcome["records"].as_i64()), (Some("succeeded"), Some(1000)));
    assert!(stderr(&out).contains("started") && stderr(&out).contains("succeeded"), "{}", stderr(&out));
    assert_eq!(
        env.db.rows("SELECT connection_id, job_type, status, records FROM airbyte_jobs"),
        [format!("{}|sync|succeeded|1000", conns[0])]
    );

    // A failed job says why (Airbyte's failure summary) and how to read its logs, and counts the
    // records as Airbyte does: 1000 read, none committed (it used to say only "failed", and 0).
    env.stub.fail_syncs_of(&conns[1]);
    let failed = env
        .dalgo(&["airbyte", "sync", &conns[1], "--org", "acme-ngo", "--wait", "--poll-interval", "0.1", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let outcome = &json(&failed)[0];
    assert_eq!((outcome["records"].as_i64(), outcome["records_emitted"].as_i64()), (Some(0), Some(1000)), "{outcome}");
    assert_eq!(outcome["failure"], "Destination failed: relation \"orders\" is locked");
    let job = outcome["job_id"].as_i64().unwrap();
    let err = stderr(&failed);
    assert!(err.contains("failed: Destination failed: relation \"orders\" is locked"), "{err}");
    assert!(err.contains(&format!("`dalgo airbyte jobs logs {job} --org acme-ngo`")), "{err}");
    // A sync already running: 75, naming its job (held running, however slow the machine).
    env.stub.hold_jobs();
    env.dalgo(&["airbyte", "sync", &conns[0], "--org", "acme-ngo"]).assert().success();
    env.dalgo(&["airbyte", "sync", &conns[0], "--org", "acme-ngo"])
        .assert()
        .code(75)
        .stderr(contains(format!("a sync is already running for connection {}, job", conns[0])));
    env.stub.release_jobs();

    let history = env.ok_json(&["airbyte", "jobs", "list", "--org", "acme-ngo"]);
    assert_eq!(history.as_array().unwrap().len(), 3);
    // The history is read from the database: no Airbyte settings needed (it used to exit 78).
    let offline = env.db.dalgo(&["airbyte", "jobs", "list", "--org", "acme-ngo", "-o", "json"]).output().unwrap();
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert_eq!(json(&offline), history);
    let job = history[0]["job_id"].as_i64().unwrap().to_string();
    let shown = env.ok_json(&["airbyte", "jobs", "show", &job, "--org", "acme-ngo"]);
    assert_eq!(shown["id"].as_i64().unwrap().to_string(), job);
    let cancelled = env.ok_json(&["airbyte", "jobs", "cancel", &job, "--org", "acme-ngo"]);
    assert_eq!(cancelled["status"], "cancelled");
    let logs = env.dalgo(&["airbyte", "jobs", "logs", &job, "--org", "acme-ngo"]).output().unwrap();
    assert!(String::from_utf8_lossy(&logs.stdout).contains("--- attempt 0"));
    assert!(String::from_utf8_lossy(&logs.stdout).contains("sync done"));
    env.dalgo(&["airbyte", "reset", &conns[1], "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(env.db.count("airbyte_jobs WHERE job_type = 'reset_connection'"), 1);
    env.no_violations();
}

/// `airbyte reset` clears synced data: like every destructive command it
/// finds its target first, then needs `--yes` off a terminal, and takes
/// `--dry-run`. Seen failing before: reset ran at once without a terminal.
#[test]
fn reset_and_deletes_find_their_target_then_ask_and_take_dry_run() {
    let env = Env::basic();
    let ws = env.workspace();
    let conns = env.stub.seed_connections(&ws, 1);
    let resets = || env.stub.requests_to("/v1/connections/reset").len();
    env.dalgo(&["airbyte", "reset", &conns[0], "--org", "acme-ngo"])
        .assert()
        .code(2)
        .stderr(contains("refusing to proceed without confirmation: reset connection"));
    env.dalgo(&["airbyte", "reset", &conns[0], "--org", "acme-ngo", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("would reset connection"));
    let dry = env.ok_json(&["airbyte", "reset", &conns[0], "--org", "acme-ngo", "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(resets(), 0, "a refused or dry reset reached Airbyte");
    // A connection that does not exist is 67, before anything is asked.
    let missing = "00000000-0000-4000-8000-000000000000";
    for args in [
        &["airbyte", "reset", missing][..],
        &["airbyte", "connections", "delete", missing],
        &["airbyte", "sources", "delete", missing],
    ] {
        env.dalgo(args).args(["--org", "acme-ngo"]).assert().code(67);
    }
    // An id that cannot be Airbyte's is 65 before any call (it was Airbyte's 404, 67).
    let calls = env.stub.requests().len();
    for args in [&["airbyte", "sources", "show", "nope"][..], &["airbyte", "connections", "delete", "../x", "--yes"]] {
        env.dalgo(args).args(["--org", "acme-ngo"]).assert().code(65).stderr(contains("must be a UUID"));
    }
    assert_eq!(env.stub.requests().len(), calls, "an invalid id reached Airbyte");
    env.dalgo(&["airbyte", "connections", "delete", &conns[0], "--org", "acme-ngo", "--dry-run"]).assert().success();
    assert_eq!(env.stub.count("connections"), 1);
    env.dalgo(&["airbyte", "workspace", "delete", "--org", "acme-ngo", "--dry-run"])
        .assert()
        .success()
        .stdout(contains(format!("would delete Airbyte workspace {ws}")));
    assert_eq!(env.stub.count("workspaces"), 1);
    env.dalgo(&["airbyte", "reset", &conns[0], "--org", "acme-ngo", "--yes"]).assert().success();
    assert_eq!(resets(), 1);
    // -v times each call: Airbyte's and the database's.
    env.dalgo(&["airbyte", "connections", "list", "--org", "acme-ngo", "-v"])
        .assert()
        .success()
        .stderr(contains("airbyte POST /connections/list -> 200 in").and(contains("INFO dalgo::db: SELECT")));
    env.no_violations();
}

#[test]
fn sync_all_follows_every_connection_concurrently() {
    let env = Env::basic();
    let ws = env.workspace();
    env.stub.seed_connections(&ws, 6);
    let out = env
        .dalgo(&[
            "airbyte",
            "sync",
            "--all",
            "--org",
            "acme-ngo",
            "--wait",
            "--concurrency",
            "3",
            "--poll-interval",
            "0.1",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let outcomes = json(&out);
    assert_eq!(outcomes.as_array().unwrap().len(), 6);
    assert!(outcomes.as_array().unwrap().iter().all(|o| o["status"] == "succeeded"));
    assert_eq!(env.db.count("airbyte_jobs WHERE status = 'succeeded'"), 6);
    env.no_violations();
}

#[test]
fn structured_logs_and_paginated_lists_of_newer_servers() {
    let env = Env::new(Options {
        version: Version::V200,
        page_size: 20,
        auth: Auth::Basic(TOKEN.into()),
        ..Default::default()
    });
    let ws = env.workspace();
    env.stub.seed_sources(&ws, 45);
    let listed = env.ok_json(&["airbyte", "sources", "list", "--org", "acme-ngo"]);
    assert_eq!(listed.as_array().unwrap().len(), 45);
    let pages = env.stub.requests_to("/v1/sources/list");
    assert_eq!(pages.len(), 3);
    assert!(pages[0].body.get("cursor").is_none() && pages[1].body["cursor"].is_string());

    let conns = env.stub.seed_connections(&ws, 1);
    env.dalgo(&["airbyte", "sync", &conns[0], "--org", "acme-ngo", "--wait", "--poll-interval", "0.1"])
        .assert()
        .success();
    let job = env.db.scalar("SELECT job_id FROM airbyte_jobs");
    let logs = env.dalgo(&["airbyte", "jobs", "logs", &job, "--org", "acme-ngo"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&logs.stdout).contains("INFO replication-orchestrator sync done"),
        "{}",
        String::from_utf8_lossy(&logs.stdout)
    );
    env.no_violations();
}

#[test]
fn transient_faults_are_retried_and_others_mapped_to_exit_codes() {
    let env = Env::basic();
    env.workspace();
    env.stub.fault("/v1/sources/list", Fault::Status(503), 1);
    env.ok_json(&["airbyte", "sources", "list", "--org", "acme-ngo"]);
    assert_eq!(env.stub.requests_to("/v1/sources/list").len(), 2);

    env.stub.fault("/v1/sources/list", Fault::Status(503), 5);
    env.dalgo(&["airbyte", "sources", "list", "--org", "acme-ngo"]).assert().code(75);

    env.stub.fault("/v1/connections/list", Fault::Delay(Duration::from_secs(3)), 1);
    env.dalgo(&["airbyte", "connections", "list", "--org", "acme-ngo"])
        .env("AIRBYTE_TIMEOUT", "0.5")
        .env("AIRBYTE_RETRIES", "0")
        .assert()
        .code(75)
        .stderr(contains("did not answer /connections/list within"));

    // Creates are not blindly repeated.
    env.stub.fault("/v1/sources/create", Fault::Status(503), 1);
    let cfg = write(&env, "s.yaml", "host: db\nport: 5432\ndatabase: crm\nusername: ro\n");
    env.create_source("s", &cfg).assert().code(75);
    assert_eq!(env.stub.requests_to("/v1/sources/create").len(), 1);

    // A server that hangs costs the timeout once: the deadline covers the retries.
    env.stub.fault("/v1/destinations/list", Fault::Hang, 5);
    env.dalgo(&["airbyte", "destinations", "list", "--org", "acme-ngo"])
        .env("AIRBYTE_TIMEOUT", "1")
        .env("AIRBYTE_RETRIES", "3")
        .assert()
        .code(75)
        .stderr(contains("did not answer /destinations/list within 1s"));
    assert_eq!(env.stub.requests_to("/v1/destinations/list").len(), 1, "a hanging call was retried");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    env.dalgo(&["airbyte", "health"])
        .env("AIRBYTE_SERVER_PORT", &closed)
        .assert()
        .code(69)
        .stderr(contains("cannot reach Airbyte at http://127.0.0.1"));
    env.no_violations();
}

#[test]
fn bearer_tokens_are_fetched_cached_and_renewed_after_a_401() {
    let opts = Options {
        auth: Auth::Client { id: "dalgo-app".into(), secret: "client-s3cret-77".into() },
        job_duration: Duration::from_secs(2),
        ..Default::default()
    };
    let env = Env::new(opts);
    let ws = env.workspace();
    assert_eq!(env.stub.requests_to("/v1/applications/token").len(), 1, "one token per process, reused across calls");
    let conns = env.stub.seed_connections(&ws, 1);
    // The job runs until the renewal has been seen, however slow the machine.
    env.stub.hold_jobs();
    let mut cmd =
        env.dalgo(&["airbyte", "sync", &conns[0], "--org", "acme-ngo", "--wait", "--poll-interval", "0.2", "-vv"]);
    let sync = std::thread::spawn(move || cmd.output().unwrap());
    let polled = || (!env.stub.requests_to("/v1/jobs/get_light").is_empty()).then_some(());
    crate::common::wait_for(polled, "the first poll of the job");
    env.stub.expire_tokens();
    crate::common::wait_for(
        || (env.stub.requests_to("/v1/applications/token").len() == 3).then_some(()),
        "a new token",
    );
    env.stub.release_jobs();
    let out = sync.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The poll after expiry got a 401; the client fetched a new token and went on.
    assert_eq!(env.stub.requests_to("/v1/applications/token").len(), 3);
    let auths: Vec<_> = env
        .stub
        .requests()
        .iter()
        .filter(|r| r.path != "/v1/applications/token")
        .map(|r| r.authorization.clone())
        .collect();
    assert!(auths.iter().all(|a| a.as_deref().is_some_and(|a| a.starts_with("Bearer token-"))), "{auths:?}");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!all.contains("client-s3cret-77") && !all.contains("Bearer"), "a credential leaked: {all}");
    env.no_violations();
}

#[test]
fn no_credential_appears_in_any_output() {
    let env = Env::basic();
    env.workspace();
    let cfg = write(
        &env,
        "s.yaml",
        &format!("host: db\nport: 5432\ndatabase: crm\nusername: ro\npassword: {SOURCE_PASSWORD}\n"),
    );
    let mut outputs = Vec::new();
    for args in [
        vec!["airbyte", "health", "-vv"],
        vec![
            "airbyte",
            "sources",
            "create",
            "--org",
            "acme-ngo",
            "--name",
            "s",
            "--definition",
            "Postgres",
            "--config",
            &cfg,
            "-vv",
        ],
        vec!["airbyte", "sources", "list", "--org", "acme-ngo", "-vv", "--output", "json"],
    ] {
        outputs.push(env.dalgo(&args).output().unwrap());
    }
    outputs.push(env.dalgo(&["airbyte", "health", "-vv"]).env("AIRBYTE_API_TOKEN", "d3Jvbmc=").output().unwrap());
    for out in &outputs {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out));
        for secret in [TOKEN, SOURCE_PASSWORD, "d3Jvbmc="] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
    }
    env.no_violations();
}

#[test]
fn definitions_invalid_input_and_keeping_the_workspace() {
    let env = Env::basic();
    env.workspace();
    let sources = env.ok_json(&["airbyte", "source-definitions", "--org", "acme-ngo"]);
    assert_eq!(sources[0]["name"], "Postgres");
    let dests = env.ok_json(&["airbyte", "destination-definitions", "--org", "acme-ngo"]);
    assert_eq!(
        dests.as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Postgres", "BigQuery", "Snowflake"]
    );
    // Airbyte's 422: bad input, exit 65, its message shown.
    env.stub.fault("/v1/connections/list", Fault::Status(422), 1);
    env.dalgo(&["airbyte", "connections", "list", "--org", "acme-ngo"])
        .assert()
        .code(65)
        .stderr(contains("injected fault"));
    env.dalgo(&["org", "delete", "acme-ngo", "--yes", "--keep-airbyte"]).assert().success();
    assert_eq!(env.stub.count("workspaces"), 1);
    env.no_violations();
}

#[test]
fn ctrl_c_stops_waiting_and_optionally_cancels() {
    let env = Env::new(Options {
        auth: Auth::Basic(TOKEN.into()),
        job_duration: Duration::from_secs(30),
        ..Default::default()
    });
    let ws = env.workspace();
    let conns = env.stub.seed_connections(&ws, 2);
    for (conn, cancel) in [(&conns[0], false), (&conns[1], true)] {
        let mut args = vec!["airbyte", "sync", conn.as_str(), "--org", "acme-ngo", "--wait", "--poll-interval", "0.2"];
        if cancel {
            args.push("--cancel-on-interrupt");
        }
        let polls_before = env.stub.requests_to("/v1/jobs/get_light").len();
        let port = env.stub.port();
        let child = env.db.spawn(
            &args,
            &[("AIRBYTE_SERVER_HOST", "127.0.0.1"), ("AIRBYTE_SERVER_PORT", &port), ("AIRBYTE_API_TOKEN", TOKEN)],
        );
        let started = std::time::Instant::now();
        // Waiting: the job is being polled.
        while env.stub.requests_to("/v1/jobs/get_light").len() == polls_before {
            assert!(started.elapsed() < Duration::from_secs(20), "the sync never started waiting");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
        let expected = if cancel { "cancelled 1 job" } else { "keep running in Airbyte" };
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
    assert_eq!(env.stub.requests_to("/v1/jobs/cancel").len(), 1);
    // The history says what became of each job: cancelled, or still running.
    let statuses = env.db.rows("SELECT connection_id, status FROM airbyte_jobs ORDER BY job_id");
    assert_eq!(statuses, [format!("{}|running", conns[0]), format!("{}|cancelled", conns[1])]);
    env.no_violations();
}

#[test]
fn login_keeps_credentials_in_the_session_keyring() {
    let env = Env::new(Options {
        auth: Auth::Client { id: "dalgo-app".into(), secret: "client-s3cret-77".into() },
        ..Default::default()
    });
    let script = "set -e
        printf %s client-s3cret-77 | dalgo airbyte login --client-id dalgo-app
        dalgo airbyte health --output json";
    let out = env
        .db
        .program("keyctl", &["session", "-", "bash", "-c", script])
        .env("AIRBYTE_SERVER_HOST", "127.0.0.1")
        .env("AIRBYTE_SERVER_PORT", env.stub.port())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"available\": true"));
    assert_eq!(env.stub.requests_to("/v1/applications/token").len(), 1);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("client-s3cret-77"));
    env.no_violations();
}

/// At a terminal the syncs' spinners are named by connection, and Ctrl-C's
/// message is printed below them, not drawn over; with TERM=dumb there is
/// one line per state change (there used to be no progress at all), named
/// too, not one per poll.
#[test]
fn sync_progress_at_a_terminal_is_named_and_ctrl_c_is_not_drawn_over() {
    let args = ["airbyte", "sync", "--all", "--org", "acme-ngo", "--wait", "--poll-interval", "0.1"];
    for term in ["dumb", "xterm-256color"] {
        let env = Env::new(Options {
            auth: Auth::Basic(TOKEN.into()),
            job_duration: Duration::from_secs(30),
            ..Default::default()
        });
        let ws = env.workspace();
        let conns = env.stub.seed_connections(&ws, 2);
        let port = env.stub.port();
        let vars = [
            ("AIRBYTE_SERVER_HOST", "127.0.0.1"),
            ("AIRBYTE_SERVER_PORT", port.as_str()),
            ("AIRBYTE_API_TOKEN", TOKEN),
            ("TERM", term),
        ];
        let t = env.db.terminal(&[], &args, &vars, 150);
        t.wait_for_text("seed-1");
        // Several polls of each job before the interrupt.
        crate::common::wait_for(|| (env.stub.requests_to("/v1/jobs/get_light").len() >= 10).then_some(()), "polls");
        t.key("C-c");
        let (code, screen) = t.wait_exit();
        assert_eq!(code, 130, "{screen}");
        let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
        let last = lines.iter().rev().nth(1).copied().unwrap_or_default();
        assert!(
            last.contains("interrupted: stopped waiting; 2 job(s) keep running"),
            "{term}: the message is not last:\n{screen}"
        );
        for (i, id) in conns.iter().enumerate() {
            let name = format!("seed-{i}");
            assert!(screen.contains(&name), "{term}: no line names {name}:\n{screen}");
            if term == "dumb" {
                let running = lines.iter().filter(|l| l.contains(id.as_str()) && l.contains(" running ")).count();
                assert_eq!(running, 1, "{term}: not one line per state change:\n{screen}");
            }
        }
    }
}
