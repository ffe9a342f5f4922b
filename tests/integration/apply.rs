//! `dalgo org export`, `dalgo apply` and `dalgo schema`: an org as a
//! document, against PostgreSQL, the real Prefect server and the Airbyte stub.

use serde_json::{Value, json};

use crate::airbyte_stub::Fault;
use crate::common::{TestDb, onboard, stderr};
use crate::pipeline::{Env, prefect};

/// The org as `org export` writes it (YAML), parsed.
fn export(env: &Env) -> (String, Value) {
    let out = env.dalgo(&["org", "export", &env.slug]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = serde_yaml::from_str(&text).unwrap();
    (text, doc)
}

/// `dalgo apply -f FILE` with `extra`; its output.
fn apply(env: &Env, doc: &Value, extra: &[&str]) -> std::process::Output {
    let file = env.db.home().join("org.yaml");
    std::fs::write(&file, serde_yaml::to_string(doc).unwrap()).unwrap();
    let mut args = vec!["apply", "-f", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.dalgo(&args).output().unwrap()
}

fn role_of(db: &TestDb, email: &str) -> String {
    db.scalar(&format!(
        "SELECT r.slug FROM org_users ou JOIN users u ON u.id = ou.user_id JOIN roles r ON r.id = ou.role_id
          WHERE u.email = '{email}'"
    ))
}

/// An org with members, a flag of its own and a scheduled pipeline: its
/// export validates against `dalgo schema`, holds no credential, and
/// applied unchanged plans nothing; an edit changing a role, removing a
/// member, adding one, flipping the flag and moving the cron plans exactly
/// those five changes, `--dry-run` writes nothing, the apply converges
/// (the Prefect deployment rescheduled), and the next plan is empty.
#[test]
fn an_export_plans_nothing_and_an_edit_plans_and_applies_exactly_its_changes() {
    let env = Env::new("Document NGO");
    for (email, role) in [("ana@ngo.org", "analyst"), ("bo@ngo.org", "member")] {
        env.dalgo(&["user", "add", email, "--org", &env.slug, "--role", role, "--password-stdin"])
            .write_stdin("a-long-password-1")
            .assert()
            .success();
    }
    env.dalgo(&["manage-feature-flags", "DATA_QUALITY", "--enable", "--org-slug", &env.slug]).assert().success();
    let deployment = env.create("daily", &["--connection", &env.a, "--cron", "0 2 * * *"]);

    let (text, doc) = export(&env);
    for secret in ["password", "\"p\"", "pbkdf2"] {
        assert!(!text.contains(secret), "{secret} in the export:\n{text}");
    }
    let schema: Value = serde_json::from_slice(&env.dalgo(&["schema"]).output().unwrap().stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&doc), "{doc}");
    assert_eq!(doc["flags"], json!({ "DATA_QUALITY": true }));
    assert_eq!(doc["pipelines"][0]["cron"], "0 2 * * *");
    assert_eq!(doc["warehouse"]["type"], "postgres");
    assert_eq!(doc["dbt"]["default_schema"], "analytics");
    assert_eq!(doc["airbyte"]["sources"][0]["name"], "seed-source");
    assert_eq!(doc["airbyte"]["connections"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["members"].as_array().map(Vec::len), Some(3));
    let unchanged = apply(&env, &doc, &["--dry-run", "--exit-code"]);
    assert_eq!(unchanged.status.code(), Some(0), "{}", String::from_utf8_lossy(&unchanged.stdout));

    let mut edit = doc.clone();
    edit["members"] = json!([
        { "email": "ana@ngo.org", "role": "member" },
        { "email": "boss@ngo.org", "role": "admin" },
        { "email": "cy@ngo.org", "role": "analyst" },
    ]);
    edit["flags"]["DATA_QUALITY"] = json!(false);
    edit["pipelines"][0]["cron"] = json!("0 3 * * *");
    let planned = apply(&env, &edit, &["--dry-run", "--exit-code", "-o", "json"]);
    assert_eq!(planned.status.code(), Some(2), "changes, as terraform's -detailed-exitcode: {}", stderr(&planned));
    let report: Value = serde_json::from_slice(&planned.stdout).unwrap();
    let mut changes: Vec<(String, String, String)> = report["orgs"][0]["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "unchanged")
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("kind"), s("name"), s("action"))
        })
        .collect();
    changes.sort();
    let change = |k: &str, n: &str, a: &str| (k.to_string(), n.to_string(), a.to_string());
    assert_eq!(
        changes,
        [
            change("flag", "DATA_QUALITY", "update"),
            change("member", "ana@ngo.org", "update"),
            change("member", "bo@ngo.org", "delete"),
            change("member", "cy@ngo.org", "create"),
            change("pipeline", "daily", "update"),
        ]
    );
    assert_eq!(role_of(&env.db, "ana@ngo.org"), "analyst", "the dry run wrote nothing");

    // The plan removes a member: off a terminal, only with --yes (2 without, naming it; nothing written).
    let refused = apply(&env, &edit, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("member bo@ngo.org") && stderr(&refused).contains("--yes"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(role_of(&env.db, "ana@ngo.org"), "analyst", "the refused apply wrote nothing");
    let applied = apply(&env, &edit, &["--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(String::from_utf8_lossy(&applied.stdout).contains("5 changed"));
    assert_eq!(role_of(&env.db, "ana@ngo.org"), "member");
    assert_eq!(role_of(&env.db, "cy@ngo.org"), "analyst");
    assert_eq!(env.db.count("users WHERE email = 'bo@ngo.org'"), 0, "a user left in no org goes, as Dalgo does");
    let dep = prefect("GET", &format!("/deployments/{deployment}"), None);
    assert_eq!(dep["schedules"][0]["schedule"]["cron"], "0 3 * * *");
    let again = apply(&env, &edit, &["--exit-code"]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stdout));
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 changed"));
    assert_eq!(export(&env).1, edit, "the export is the document applied");
}

/// A document with an unknown key, or a role dalgo does not have, is
/// refused (65) naming the place in it; nothing is written.
#[test]
fn a_document_with_an_unknown_key_or_role_is_refused_naming_where() {
    let db = TestDb::migrated();
    onboard(&db, "Refuse NGO", "boss@ngo.org", "admin");
    let file = db.home().join("doc.yaml");
    for (text, place) in [
        ("org: refuse-ngo\nmembers:\n  - email: boss@ngo.org\n    role: admin\n    team: x\n", "members[0].team"),
        (
            "org: refuse-ngo\nmembers:\n  - email: boss@ngo.org\n    role: admin\n  - email: x@ngo.org\n    role: owner\n",
            "members[1].role",
        ),
        ("org: refuse-ngo\nflags:\n  NO_SUCH_FLAG: true\n", "flags.NO_SUCH_FLAG"),
        ("org: refuse-ngo\nwarehouses: []\n", "warehouses"),
    ] {
        std::fs::write(&file, text).unwrap();
        db.dalgo(&["apply", "-f", file.to_str().unwrap()])
            .assert()
            .code(65)
            .stderr(predicates::str::contains(format!("{}: {place}", file.display())));
    }
    assert_eq!(db.count("users"), 1, "nothing was written");
}

/// A document naming an org that does not exist creates it, with its
/// members and flags; reading it from stdin works the same.
#[test]
fn a_new_orgs_document_creates_it() {
    let db = TestDb::migrated();
    let doc = "org: fresh-ngo\nname: Fresh NGO\nplan:\n  base_plan: DALGO\n  duration: annual\n  start: 2027-01-01\n\
               members:\n  - email: lead@fresh.org\n    role: admin\nflags:\n  DATA_QUALITY: true\n";
    db.dalgo(&["apply", "-f", "-", "--dry-run"])
        .write_stdin(doc)
        .assert()
        .success()
        .stdout(predicates::str::contains("org fresh-ngo: 4 to change"));
    assert_eq!(db.count("orgs"), 0);
    db.dalgo(&["apply", "-f", "-"]).write_stdin(doc).assert().success();
    assert_eq!(db.scalar("SELECT name FROM orgs WHERE slug = 'fresh-ngo'"), "Fresh NGO");
    assert_eq!(
        db.scalar("SELECT base_plan || ' ' || subscription_duration || ' ' || start_date::date FROM org_plans"),
        "Dalgo Annual 2027-01-01"
    );
    assert_eq!(db.count("org_users"), 1);
    db.dalgo(&["apply", "-f", "-", "--exit-code"]).write_stdin(doc).assert().code(0);
}

/// From a directory, each org is planned and applied on its own: one whose
/// document this deployment refuses is reported, the others are applied,
/// and the exit is 3. A file that cannot be parsed stops them all first.
#[test]
fn a_directory_applies_each_org_and_reports_the_one_that_failed() {
    let db = TestDb::migrated();
    let dir = db.home().join("orgs");
    std::fs::create_dir_all(&dir).unwrap();
    let good = "org: good-ngo\nname: Good NGO\nflags:\n  REPORTS: true\n";
    std::fs::write(dir.join("a.yaml"), good).unwrap();
    std::fs::write(dir.join("b.yml"), "org: bad-ngo\nname: Bad NGO\nmembers:\n  - email: x@bad.org\n    role: owner\n")
        .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a document").unwrap();
    let out = db.dalgo(&["apply", "-f", dir.to_str().unwrap(), "-o", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let orgs = report["orgs"].as_array().unwrap();
    assert_eq!((orgs[0]["org"].as_str(), orgs[0]["applied"].as_bool()), (Some("good-ngo"), Some(true)));
    assert_eq!((orgs[1]["org"].as_str(), orgs[1]["applied"].as_bool()), (Some("bad-ngo"), Some(false)));
    assert!(orgs[1]["error"].as_str().unwrap().contains("members[0].role"), "{report}");
    assert_eq!(db.scalar("SELECT string_agg(slug, ',') FROM orgs"), "good-ngo");
    // When every org fails, the exit is the error's own.
    let bad_only = db.home().join("bad-only");
    std::fs::create_dir_all(&bad_only).unwrap();
    std::fs::copy(dir.join("b.yml"), bad_only.join("b.yml")).unwrap();
    std::fs::write(bad_only.join("c.yaml"), "org: c-ngo\nflags:\n  NO_SUCH: true\n").unwrap();
    db.dalgo(&["apply", "-f", bad_only.to_str().unwrap()]).assert().code(65);

    std::fs::write(dir.join("c.json"), "{\"org\": \"c-ngo\", \"name\": \"C\", \"flag\": {}}").unwrap();
    db.dalgo(&["apply", "-f", dir.to_str().unwrap()])
        .assert()
        .code(65)
        .stderr(predicates::str::contains("c.json: flag: unknown field `flag`"));
    assert_eq!(db.count("orgs"), 1, "nothing was written");
}

/// A warehouse's configuration comes from a file or an environment
/// variable the document names, and goes out as a reference to the secret
/// that holds it: never in clear. The same values again are no change; a
/// document cannot take another org's credentials by naming their secret.
#[test]
fn a_warehouse_comes_from_a_reference_and_is_exported_as_one() {
    let db = TestDb::migrated();
    onboard(&db, "Wh NGO", "boss@ngo.org", "admin");
    let config = |password: &str| {
        format!(
            "host: {}\nport: 5432\nusername: {}\npassword: {password}\ndatabase: {}\n",
            crate::common::pg_host(),
            db.scalar("SELECT current_user"),
            db.name
        )
    };
    let file = db.home().join("wh.yaml");
    std::fs::write(&file, config("s3cret-pw")).unwrap();
    let doc = format!("org: wh-ngo\nwarehouse:\n  type: Postgres\n  config:\n    file: {}\n", file.display());
    let apply = |doc: &str, extra: &[&str]| {
        let mut args = vec!["apply", "-f", "-"];
        args.extend_from_slice(extra);
        db.dalgo(&args).env("WH_CONFIG", config("rotated-pw")).write_stdin(doc.to_string()).output().unwrap()
    };
    let planned = apply(&doc, &["--dry-run"]);
    assert!(String::from_utf8_lossy(&planned.stdout).contains("+ warehouse wh-ngo"), "{}", stderr(&planned));
    assert!(apply(&doc, &[]).status.success());
    assert_eq!(apply(&doc, &["--exit-code"]).status.code(), Some(0), "the same values are no change");

    let out = db.dalgo(&["org", "export", "wh-ngo"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let secret = db.scalar("SELECT credentials_secret FROM warehouses");
    assert!(text.contains(&format!("secret: {secret}")) && !text.contains("s3cret-pw"), "{text}");
    assert_eq!(apply(&text, &["--exit-code"]).status.code(), Some(0), "the export is no change");

    let rotated = "org: wh-ngo\nwarehouse:\n  type: postgres\n  config:\n    env: WH_CONFIG\n";
    let out = apply(rotated, &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("~ warehouse wh-ngo: config"), "{}", stderr(&out));
    assert_ne!(db.scalar("SELECT credentials_secret FROM warehouses"), secret, "a new credentials version");

    onboard(&db, "Other NGO", "other@ngo.org", "admin");
    db.dalgo(&["warehouse", "set", "--org", "other-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(config("theirs"))
        .assert()
        .success();
    let theirs = db.scalar(
        "SELECT credentials_secret FROM warehouses w JOIN orgs o ON o.id = w.org_id WHERE o.slug = 'other-ngo'",
    );
    let steal = format!("org: wh-ngo\nwarehouse:\n  type: postgres\n  config:\n    secret: {theirs}\n");
    let out = apply(&steal, &[]);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("warehouse.config"), "{}", stderr(&out));
}

/// The dbt workspace: a repository cloned with a token from the
/// environment, exported with the token as the secret that holds it; the
/// same token again is no change, another is a new version; a document
/// giving both a repository and a local project is refused.
#[test]
fn a_dbt_workspace_is_cloned_from_the_document_and_its_token_never_shows() {
    let db = crate::dbt::with_warehouse();
    let (_, url) = crate::dbt::fixture_repo(&db);
    let doc =
        format!("org: acme-ngo\ndbt:\n  repo: {url}\n  default_schema: analytics\n  token:\n    env: GIT_TOKEN\n");
    let apply = |doc: &str, token: &str, extra: &[&str]| {
        let mut args = vec!["apply", "-f", "-"];
        args.extend_from_slice(extra);
        db.dalgo(&args).env("GIT_TOKEN", token).write_stdin(doc.to_string()).output().unwrap()
    };
    let out = apply(&doc, "ghp_first", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(db.clientdbt_root().join("acme-ngo/dbtrepo/dbt_project.yml").is_file(), "cloned");
    assert_eq!(apply(&doc, "ghp_first", &["--exit-code"]).status.code(), Some(0), "the same token is no change");
    let token = db.scalar("SELECT token_secret FROM dbt_workspaces");

    let out = db.dalgo(&["org", "export", "acme-ngo"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("secret: {token}")) && !text.contains("ghp_first"), "{text}");
    assert_eq!(apply(&text, "unused", &["--exit-code"]).status.code(), Some(0), "the export is no change");

    let out = apply(&doc, "ghp_second", &["--dry-run"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("~ dbt acme-ngo: token"), "{}", stderr(&out));
    assert!(apply(&doc, "ghp_second", &[]).status.success());
    assert_ne!(db.scalar("SELECT token_secret FROM dbt_workspaces"), token, "a new token version");

    let both = format!("org: acme-ngo\ndbt:\n  repo: {url}\n  local: /srv/project\n");
    let out = apply(&both, "x", &[]);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("<stdin>: dbt: give the repository"), "{}", stderr(&out));
}

/// An apply killed half-way is finished by applying the same documents
/// again: every change is one of the operations' own transactions, and the
/// plan is made afresh from what is there.
#[test]
fn a_killed_apply_is_finished_by_applying_again() {
    let db = TestDb::migrated();
    let dir = db.home().join("orgs");
    std::fs::create_dir_all(&dir).unwrap();
    const ORGS: usize = 300;
    for i in 0..ORGS {
        let members: String = (0..4).map(|m| format!("  - email: m{m}@org{i}.example\n    role: analyst\n")).collect();
        let doc = format!("org: kill-{i}\nname: Kill {i}\nflags:\n  REPORTS: true\nmembers:\n{members}");
        std::fs::write(dir.join(format!("org-{i:03}.yaml")), doc).unwrap();
    }
    let mut child = db.spawn(&["apply", "-f", dir.to_str().unwrap()], &[]);
    crate::common::wait_while_running(&mut child, || db.count("orgs") > 0, "the first org was made");
    crate::common::sigkill(child);
    let made = db.count("org_users");
    assert!(made < (ORGS * 4) as i64, "the apply was killed before it ended ({made} members made)");

    db.dalgo(&["apply", "-f", dir.to_str().unwrap()]).timeout(std::time::Duration::from_secs(180)).assert().success();
    assert_eq!((db.count("orgs"), db.count("org_users")), (ORGS as i64, (ORGS * 4) as i64));
    assert_eq!(db.count("feature_flag_values WHERE org_id IS NOT NULL"), ORGS as i64);
    db.dalgo(&["apply", "-f", dir.to_str().unwrap(), "--dry-run", "--exit-code"])
        .timeout(std::time::Duration::from_secs(180))
        .assert()
        .code(0);
}

/// `apply -f FILE` with the environment variable `KOBO_PW` set to `pw`,
/// and Airbyte calls given up after one second, without retries.
fn apply_with(env: &Env, doc: &Value, pw: &str, extra: &[&str]) -> std::process::Output {
    let file = env.db.home().join("org.yaml");
    std::fs::write(&file, serde_yaml::to_string(doc).unwrap()).unwrap();
    let mut args = vec!["apply", "-f", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let mut cmd = env.dalgo(&args);
    cmd.env("KOBO_PW", pw).env("AIRBYTE_TIMEOUT", "1").env("AIRBYTE_RETRIES", "0");
    cmd.output().unwrap()
}

/// The org's document with a source `kobo` whose password comes from `KOBO_PW`.
fn with_kobo(env: &Env) -> Value {
    let mut doc = export(env).1;
    let kobo = json!({ "name": "kobo", "definition": "Postgres", "config": {
        "host": "kobo.example.org", "port": 5432, "database": "kobo", "username": "reader",
        "password": { "env": "KOBO_PW" } } });
    doc["airbyte"]["sources"].as_array_mut().unwrap().push(kobo);
    doc
}

/// The org's Airbyte sources and connections are a section of its document,
/// by name: the export shows a source made elsewhere with its secret kept
/// by Airbyte and pipelines naming connections; a new source with its
/// password from the environment, a connection from it, a pipeline naming
/// that connection and a connection removed plan exactly those four changes
/// and apply; the password reaches Airbyte, never the export (which names
/// the version holding it); the same value again is no change, another is
/// a new version; a password in clear is refused with its place.
#[test]
fn airbyte_sources_and_connections_are_applied_by_name_with_secrets_by_reference() {
    let env = Env::new("Airbyte Doc NGO");
    env.create("daily", &["--connection", &env.a]);
    let (_, doc) = export(&env);
    assert_eq!(
        doc["airbyte"]["sources"],
        json!([{ "name": "seed-source", "definition": "Postgres", "config": { "host": "h" } }])
    );
    assert_eq!(doc["airbyte"]["connections"][0]["name"], "seed-0");
    assert_eq!(doc["airbyte"]["connections"][0]["source"], "seed-source");
    assert_eq!(doc["airbyte"]["connections"][0]["destination"], "seed-dest", "not the warehouse's");
    assert_eq!(doc["pipelines"][0]["connections"], json!(["seed-0"]), "pipelines name connections");
    assert_eq!(apply_with(&env, &doc, "", &["--exit-code"]).status.code(), Some(0));
    let mut listed = doc.clone();
    listed["airbyte"]["connections"][0]["streams"] = json!(["customers", "orders"]);
    let every = apply_with(&env, &listed, "", &["--exit-code"]);
    assert_eq!(every.status.code(), Some(0), "every stream, listed: {}", String::from_utf8_lossy(&every.stdout));

    let mut edit = with_kobo(&env);
    edit["airbyte"]["sources"][1]["definition"] = json!("postgres");
    edit["airbyte"]["connections"] = json!([doc["airbyte"]["connections"][0], {
        "name": "kobo-sync", "source": "kobo", "streams": ["orders"], "sync_mode": "incremental",
        "destination_sync_mode": "append", "cron": "0 4 * * *", "enabled": false }]);
    edit["pipelines"].as_array_mut().unwrap().push(json!({ "name": "nightly", "connections": ["kobo-sync"] }));
    let planned = apply_with(&env, &edit, "s3cret-kobo", &["--dry-run", "--exit-code", "-o", "json"]);
    assert_eq!(planned.status.code(), Some(2), "{}", stderr(&planned));
    let report: Value = serde_json::from_slice(&planned.stdout).unwrap();
    let mut changes: Vec<String> = report["orgs"][0]["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "unchanged")
        .map(|c| {
            format!("{} {} {}", c["action"].as_str().unwrap(), c["kind"].as_str().unwrap(), c["name"].as_str().unwrap())
        })
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        ["create connection kobo-sync", "create pipeline nightly", "create source kobo", "delete connection seed-1"]
    );
    assert_eq!(env.stub.count("sources"), 1, "the dry run wrote nothing");

    let applied = apply_with(&env, &edit, "s3cret-kobo", &["--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let created = env.stub.requests_to("/v1/sources/create");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].body["connectionConfiguration"]["password"], "s3cret-kobo", "Airbyte got the password");
    let made = &env.stub.requests_to("/v1/connections/create")[0].body;
    assert_eq!(made["scheduleData"]["cron"]["cronExpression"], "0 0 4 * * ?");
    let selected: Vec<&Value> =
        made["syncCatalog"]["streams"].as_array().unwrap().iter().filter(|s| s["config"]["selected"] == true).collect();
    assert_eq!((selected.len(), &selected[0]["config"]["syncMode"]), (1, &json!("incremental")));
    assert_eq!(env.stub.count("connections"), 2, "seed-1 is gone, kobo-sync is made");
    let task_connection = env.db.scalar(
        "SELECT ot.connection_id FROM org_tasks ot JOIN pipeline_tasks pt ON pt.org_task_id = ot.id
           JOIN pipelines p ON p.id = pt.pipeline_id WHERE p.name = 'nightly'",
    );
    let kobo_sync = env.stub.connection(&task_connection);
    assert_eq!(kobo_sync["name"], "kobo-sync", "the pipeline syncs the one it names");
    assert_eq!(kobo_sync["status"], "inactive", "made paused, as the document says");

    let (text, exported) = export(&env);
    assert!(!text.contains("s3cret-kobo"), "{text}");
    let secret = env.db.scalar("SELECT secret FROM source_secrets WHERE field = 'password'");
    assert_eq!(exported["airbyte"]["sources"][1]["config"]["password"], json!({ "secret": secret }));
    let held: Value = serde_json::from_slice(&std::fs::read(env.db.secrets_dir().join(&secret)).unwrap()).unwrap();
    assert_eq!(held["SecretString"], "s3cret-kobo", "the version holds the value sent");
    let schema: Value = serde_json::from_slice(&env.dalgo(&["schema"]).output().unwrap().stdout).unwrap();
    assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&exported), "{exported}");
    assert_eq!(apply_with(&env, &edit, "s3cret-kobo", &["--exit-code"]).status.code(), Some(0), "same value");
    assert_eq!(apply_with(&env, &exported, "", &["--exit-code"]).status.code(), Some(0), "the export");

    let rotated = apply_with(&env, &edit, "rotated-kobo", &[]);
    assert!(
        String::from_utf8_lossy(&rotated.stdout).contains("~ source kobo: config.password"),
        "{}",
        stderr(&rotated)
    );
    let now = env.db.scalar("SELECT secret FROM source_secrets WHERE field = 'password'");
    assert_ne!(now, secret, "a new version");
    // The schema keeps a source's field to versions of its own org.
    onboard(&env.db, "Other NGO", "other@ngo.org", "admin");
    let steal = "INSERT INTO source_secrets (org_id, source_id, field, secret)
         SELECT o.id, 'other-source', 'password', w.credentials_secret FROM orgs o, warehouses w
          WHERE o.slug = 'other-ngo'";
    let sql = std::process::Command::new("psql")
        .args(["-X", "-v", "ON_ERROR_STOP=1", "-d", &env.db.url, "-c", steal])
        .output()
        .unwrap();
    assert!(stderr(&sql).contains("violates foreign key constraint"), "{}", stderr(&sql));
    assert!(!env.db.secrets_dir().join(&secret).exists(), "the old version is removed");
    let updated = env.stub.requests_to("/v1/sources/update");
    assert_eq!(updated.last().unwrap().body["connectionConfiguration"]["password"], "rotated-kobo");

    // Changed by hand: dalgo no longer knows the password Airbyte holds.
    let sources = env.ok_json(&["airbyte", "sources", "list", "--org", &env.slug]);
    let kobo_id = sources.as_array().unwrap().iter().find(|s| s["name"] == "kobo").unwrap()["id"].clone();
    let by_hand = env.db.home().join("kobo.yaml");
    std::fs::write(&by_hand, "host: kobo.example.org\nport: 5432\ndatabase: kobo\nusername: reader\npassword: typed\n")
        .unwrap();
    let update = ["airbyte", "sources", "update", "--org", &env.slug, kobo_id.as_str().unwrap(), "--config"];
    env.dalgo(&[&update[..], &[by_hand.to_str().unwrap()]].concat()).assert().success();
    assert_eq!(export(&env).1["airbyte"]["sources"][1]["config"]["password"], json!({ "kept": "airbyte" }));
    let again = apply_with(&env, &edit, "rotated-kobo", &["--exit-code"]);
    assert_eq!(again.status.code(), Some(2), "the document's value is written again");
    assert!(apply_with(&env, &edit, "rotated-kobo", &[]).status.success());

    let mut clear = edit.clone();
    clear["airbyte"]["sources"][1]["config"]["password"] = json!("in-clear");
    let refused = apply_with(&env, &clear, "", &[]);
    assert_eq!(refused.status.code(), Some(65), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("airbyte.sources[1].config.password: a secret field"), "{}", stderr(&refused));
    let mut others = Vec::new();
    let mut unknown = edit.clone();
    unknown["airbyte"]["sources"][1]["definition"] = json!("Kobo Toolbox");
    others.push((unknown, "airbyte.sources[1].definition: no source connector"));
    let mut kept = edit.clone();
    kept["airbyte"]["sources"][1]["name"] = json!("kobo-2");
    kept["airbyte"]["sources"][1]["config"]["password"] = json!({ "kept": "airbyte" });
    others.push((kept, "airbyte.sources[1].config.password: a new source has no value to keep"));
    let mut dangling = edit.clone();
    dangling["pipelines"][1]["connections"] = json!(["no-such-connection"]);
    others.push((dangling, "pipelines[1].connections[0]: no connection named"));
    let mut removed = edit.clone();
    removed["pipelines"][1]["connections"] = json!(["seed-1"]);
    others.push((removed, "pipelines[1].connections[0]: no connection named \"seed-1\""));
    let mut orphaned = edit.clone();
    orphaned["airbyte"]["sources"].as_array_mut().unwrap().remove(0);
    others.push((orphaned, "airbyte.connections[0].source: no source named \"seed-source\""));
    let mut moved = edit.clone();
    moved["airbyte"]["connections"][1]["source"] = json!("seed-source");
    others.push((moved, "airbyte.connections[1].source: Airbyte cannot move a connection"));
    for (doc, why) in others {
        let refused = apply_with(&env, &doc, "rotated-kobo", &[]);
        assert_eq!(refused.status.code(), Some(65), "{why}: {}", stderr(&refused));
        assert!(stderr(&refused).contains(why), "{why}: {}", stderr(&refused));
    }
    assert_eq!(apply_with(&env, &edit, "rotated-kobo", &["--exit-code"]).status.code(), Some(0), "nothing written");
    assert!(env.stub.violations().is_empty(), "{:?}", env.stub.violations());
}

/// A source's write stopped at each step loses nothing and a re-run
/// converges: Airbyte refusing the create leaves no secret version behind;
/// a create whose answer never comes leaves a source that the next apply
/// adopts by name (not a second one) and a version it sweeps; an update
/// refused keeps the version that works.
#[test]
fn a_source_write_stopped_at_each_step_leaves_no_orphan_and_a_rerun_converges() {
    let env = Env::new("Fault Doc NGO");
    let doc = with_kobo(&env);
    let versions = || env.db.count("org_secrets WHERE kind = 'source_field'");
    let files = || {
        std::fs::read_dir(env.db.secrets_dir())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("airbyteSourceSecret-"))
            .count()
    };

    env.stub.fault("/v1/sources/create", Fault::Status(500), 1);
    assert!(!apply_with(&env, &doc, "first-pw", &[]).status.success());
    assert_eq!((env.stub.count("sources"), versions(), files()), (1, 0, 0), "the unused version is removed");

    env.stub.fault("/v1/sources/create", Fault::HangAfter, 1);
    let lost = apply_with(&env, &doc, "first-pw", &[]);
    assert_eq!(lost.status.code(), Some(75), "{}", stderr(&lost));
    assert_eq!((env.stub.count("sources"), env.db.count("source_secrets")), (2, 0), "made, not recorded");

    let rerun = apply_with(&env, &doc, "first-pw", &[]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert_eq!(env.stub.count("sources"), 2, "the source a lost answer made is adopted, not made again");
    let update = env.stub.requests_to("/v1/sources/update");
    assert_eq!(update.last().unwrap().body["connectionConfiguration"]["password"], "first-pw");
    assert_eq!((env.db.count("source_secrets"), versions(), files()), (1, 1, 1), "the orphan is swept");
    assert_eq!(apply_with(&env, &doc, "first-pw", &["--exit-code"]).status.code(), Some(0));

    let held = env.db.scalar("SELECT secret FROM source_secrets");
    env.stub.fault("/v1/sources/update", Fault::Status(500), 1);
    assert!(!apply_with(&env, &doc, "second-pw", &[]).status.success());
    assert_eq!(env.db.scalar("SELECT secret FROM source_secrets"), held, "the working version stays");
    assert_eq!((versions(), files()), (1, 1), "the new version is removed");
    assert!(apply_with(&env, &doc, "second-pw", &[]).status.success());
    assert_ne!(env.db.scalar("SELECT secret FROM source_secrets"), held);
    assert_eq!((versions(), files()), (1, 1));

    // Airbyte down: a document that names none of its objects still applies.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let members = json!({ "org": env.slug, "members": doc["members"] });
    let file = env.db.home().join("members.yaml");
    std::fs::write(&file, serde_yaml::to_string(&members).unwrap()).unwrap();
    let down = |file: &std::path::Path| {
        let mut cmd = env.dalgo(&["apply", "-f", file.to_str().unwrap(), "--exit-code"]);
        cmd.env("AIRBYTE_SERVER_PORT", &closed).env("AIRBYTE_RETRIES", "0").output().unwrap()
    };
    assert_eq!(down(&file).status.code(), Some(0), "{}", stderr(&down(&file)));
    std::fs::write(&file, serde_yaml::to_string(&doc).unwrap()).unwrap();
    assert_eq!(down(&file).status.code(), Some(69), "one that does cannot be planned");

    env.dalgo(&["org", "delete", &env.slug, "--yes"]).assert().success();
    assert_eq!((versions(), files()), (0, 0), "the org's source secrets go with it");
    assert!(env.stub.violations().is_empty(), "{:?}", env.stub.violations());
}

/// Two documents for one org in one directory would undo each other in
/// turn and never converge: refused (65) naming both, before anything is
/// written (both used to be applied, one after the other).
#[test]
fn two_documents_for_one_org_are_refused_before_anything_is_written() {
    let db = TestDb::migrated();
    let dir = db.home().join("orgs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.yaml"), "org: twin-ngo\nname: Twin NGO\nflags:\n  DATA_QUALITY: true\n").unwrap();
    std::fs::write(dir.join("b.yaml"), "org: Twin-NGO\nname: Twin NGO\nflags:\n  DATA_QUALITY: false\n").unwrap();
    let out = db.dalgo(&["apply", "-f", dir.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("b.yaml") && err.contains("a.yaml") && err.contains("one document per org"), "{err}");
    assert_eq!(db.count("orgs"), 0, "something was written");
}

/// Six identical applies at once (overlapping cron jobs, a retrying
/// script): the org changes once and every one ends 0, the later ones
/// finding nothing left to do (five used to exit 65, "already has a
/// pipeline named …", telling a script its document was invalid).
#[test]
fn identical_applies_at_once_change_the_org_once_and_all_end_0() {
    let env = Env::new("Concurrent Apply NGO");
    let (_, doc) = export(&env);
    let mut edit = doc.clone();
    edit["pipelines"] = json!([{ "name": "nightly", "cron": "0 3 * * *", "connections": [env.a], "transform": [] }]);
    edit["flags"] = json!({ "DATA_QUALITY": true });
    let file = env.db.home().join("org.yaml");
    std::fs::write(&file, serde_yaml::to_string(&edit).unwrap()).unwrap();
    let applies: Vec<_> = (0..6).map(|_| env.spawn(&["apply", "-f", file.to_str().unwrap()])).collect();
    for child in applies {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(env.db.count("pipelines WHERE name = 'nightly'"), 1);
    assert_eq!(env.db.count("audit_log WHERE resource_type = 'pipeline' AND action = 'create'"), 1);
    let deployments =
        prefect("POST", "/deployments/filter", Some(&json!({ "deployments": { "tags": { "all_": [env.slug] } } })));
    assert_eq!(deployments.as_array().unwrap().len(), 1, "{deployments}");
    assert_eq!(
        env.dalgo(&["apply", "-f", file.to_str().unwrap(), "--exit-code"]).output().unwrap().status.code(),
        Some(0)
    );
}
