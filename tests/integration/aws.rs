//! `DALGO_SECRETS_BACKEND=aws` against moto's AWS Secrets Manager (PyPI
//! `moto[server]`, installed by the test command beside dbt and Prefect):
//! the guarantees the `dir` backend gives, and Django's own secrets read.

use std::net::TcpStream;
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::{Value, json};

use crate::common::{TestDb, dbt_venv, json, onboard, pg_host, stderr, wait_for};

/// A moto server of the test's own (its secrets are the test's alone).
struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    fn start() -> Moto {
        let venv = dbt_venv().expect("the test virtualenv (scripts/test.sh provisions it)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = StdCommand::new(venv.join("bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server in the test virtualenv");
        let url = format!("http://127.0.0.1:{port}");
        wait_for(|| TcpStream::connect(("127.0.0.1", port)).ok(), "moto to listen");
        Moto { child, url }
    }

    /// The AWS settings dalgo and boto3 take: this server, fixed test keys.
    fn env(&self) -> [(&'static str, String); 6] {
        [
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_REGION", "ap-south-1".into()),
            // boto3's name for it.
            ("AWS_DEFAULT_REGION", "ap-south-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("DALGO_SECRETS_BACKEND", "aws".into()),
        ]
    }

    /// Runs `code` with boto3's `sm` client on this server, as Dalgo's
    /// Django backend talks to Secrets Manager; its stdout, parsed as JSON.
    fn boto(&self, code: &str) -> Value {
        let venv = dbt_venv().unwrap();
        let script = format!("import boto3, json\nsm = boto3.client('secretsmanager')\n{code}");
        let out = StdCommand::new(venv.join("bin/python")).args(["-c", &script]).envs(self.env()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// Every secret's name and value.
    fn secrets(&self) -> Value {
        self.boto(
            "names = [s['Name'] for p in sm.get_paginator('list_secrets').paginate() for s in p['SecretList']]\n\
             print(json.dumps({n: sm.get_secret_value(SecretId=n)['SecretString'] for n in sorted(names)}))",
        )
    }

    fn dalgo(&self, db: &TestDb, args: &[&str]) -> Command {
        let mut cmd = db.dalgo(args);
        cmd.envs(self.env());
        cmd
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn warehouse_config(password: &str) -> String {
    format!("host: {}\nport: 5432\nusername: u\npassword: {password}\ndatabase: d\n", pg_host())
}

fn set_warehouse(moto: &Moto, db: &TestDb, password: &str) {
    moto.dalgo(db, &["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(warehouse_config(password))
        .assert()
        .success();
}

/// Credentials as Dalgo keeps them (a JSON object in SecretString), a new
/// secret per change with the old one removed after the switch, list, show,
/// gc of recorded versions only, and org delete taking the org's along.
#[test]
fn the_aws_store_keeps_credentials_as_the_dir_store_does() {
    let moto = Moto::start();
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    set_warehouse(&moto, &db, "old-pw");
    let first = db.scalar("SELECT credentials_secret FROM warehouses");
    let stored = moto.secrets();
    let creds: Value = serde_json::from_str(stored[&first].as_str().unwrap()).unwrap();
    assert_eq!(creds["password"], "old-pw");
    assert!(!db.secrets_dir().exists(), "nothing written to the directory store");
    // Rotation: a new secret, the row switched to it, the old one removed.
    set_warehouse(&moto, &db, "new-pw");
    let second = db.scalar("SELECT credentials_secret FROM warehouses");
    assert_ne!(first, second);
    let stored = moto.secrets();
    assert_eq!(stored.as_object().unwrap().keys().collect::<Vec<_>>(), [&second]);
    let show = json(&moto.dalgo(&db, &["warehouse", "show", "--org", "acme-ngo", "-o", "json"]).output().unwrap());
    assert_eq!(show["credentials"]["password"], "********");
    // Django's own secrets in the same account: listed, never collected.
    let djangos = "warehouseCreds-acme-ngo-3f1c2d4e-0000-4000-8000-00000000000d";
    let recorded = "warehouseCreds-acme-ngo-3f1c2d4e-0000-4000-8000-000000000001";
    moto.boto(&format!(
        "for n in ['{djangos}', '{recorded}', 'supersetCreds-x']: sm.create_secret(Name=n, SecretString='{{}}')"
    ));
    db.exec(&format!("INSERT INTO org_secrets (name, org_id, kind) SELECT '{recorded}', id, 'warehouse' FROM orgs"));
    let list = json(&moto.dalgo(&db, &["secrets", "list", "-o", "json"]).output().unwrap());
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&djangos) && names.contains(&second.as_str()), "{names:?}");
    assert!(!names.contains(&"supersetCreds-x"), "only names dalgo could have made: {names:?}");
    moto.dalgo(&db, &["secrets", "show", &second]).assert().success().stdout(contains("\"password\": \"********\""));
    moto.dalgo(&db, &["secrets", "gc", "--older-than", "0s", "--yes"]).assert().success();
    let left = moto.secrets();
    let mut expected = vec![djangos.to_string(), second.clone(), "supersetCreds-x".into()];
    expected.sort();
    assert_eq!(left.as_object().unwrap().keys().cloned().collect::<Vec<_>>(), expected);
    moto.dalgo(&db, &["org", "delete", "acme-ngo", "--yes"]).assert().success();
    let left = moto.secrets();
    assert!(left.get(&second).is_none(), "org delete removes the org's secrets: {left}");
}

/// Secrets Manager out of reach: 69, and nothing written anywhere.
#[test]
fn an_unreachable_secrets_manager_exits_69_and_writes_nothing() {
    let moto = Moto::start();
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = moto
        .dalgo(&db, &["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}"))
        .env("AWS_MAX_ATTEMPTS", "1")
        .write_stdin(warehouse_config("pw"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(stderr(&out).contains("AWS Secrets Manager"), "{}", stderr(&out));
    assert_eq!((db.count("warehouses"), db.count("org_secrets")), (0, 0));
    assert_eq!(moto.secrets(), json!({}));
}

/// A secret Django wrote (json.dumps of the credentials, through boto3) is
/// read as it is: by an import that finds it in place, and by dalgo's
/// commands on the org afterwards. With the `dir` store, `--secrets-from
/// aws` copies it into the directory.
#[test]
fn secrets_django_wrote_are_read_and_imported() {
    let moto = Moto::start();
    let db = TestDb::own();
    let src = crate::import::DjangoSource::new(&db);
    let creds = json!({"host": pg_host(), "port": 5432, "username": "u", "password": "django-pw", "database": "d"});
    moto.boto(&format!(
        "sm.create_secret(Name='warehouseCreds-acme-aaaa', SecretString=json.dumps({creds}))\n\
         sm.create_secret(Name='gitrepoAccessToken-acme-1111', SecretString='ghp_django')"
    ));
    let out = moto.dalgo(&db, &["import", "django", "--from", &src.url, "-o", "json"]).output().unwrap();
    let report = json(&out);
    let outcome = |r: &Value, name: &str| {
        r["secrets"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["outcome"].clone()
    };
    assert_eq!(outcome(&report, "warehouseCreds-acme-aaaa"), "present");
    assert_eq!(outcome(&report, "warehouseCreds-oldbeta-bbbb"), "missing");
    let show = json(&moto.dalgo(&db, &["warehouse", "show", "--org", "acme", "-o", "json"]).output().unwrap());
    assert_eq!(show["credentials"]["username"], "u");
    assert_eq!(show["credentials"]["password"], "********");

    // The same source into a dalgo whose store is a directory.
    let dir_db = TestDb::own();
    let out = dir_db
        .dalgo(&["import", "django", "--from", &src.url, "--secrets-from", "aws", "-o", "json"])
        .envs(moto.env().into_iter().filter(|(k, _)| *k != "DALGO_SECRETS_BACKEND"))
        .output()
        .unwrap();
    assert_eq!(outcome(&json(&out), "gitrepoAccessToken-acme-1111"), "copied", "{}", stderr(&out));
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(dir_db.secrets_dir().join("gitrepoAccessToken-acme-1111")).unwrap(),
    )
    .unwrap();
    assert_eq!(file["SecretString"], "ghp_django");
}

/// An endpoint that accepts connections and never answers (a stalled
/// proxy): every AWS call ends at `DALGO_AWS_TIMEOUT` as unreachable (69),
/// nothing is saved, and the org is free for the next command (a call with
/// no deadline used to hold `warehouse set`, and the org's lock, until killed).
#[test]
fn a_silent_aws_endpoint_ends_within_dalgo_aws_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().flatten().collect();
        drop(held);
    });
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    let silent = [
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
        ("AWS_REGION", "ap-south-1".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("DALGO_SECRETS_BACKEND", "aws".into()),
        ("DALGO_AWS_TIMEOUT", "1".into()),
    ];
    let out = db
        .dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .envs(silent.clone())
        .write_stdin(warehouse_config("pw"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(stderr(&out).contains("AWS Secrets Manager") || stderr(&out).contains("timed out"), "{}", stderr(&out));
    assert_eq!(db.count("warehouses"), 0, "a warehouse was saved without its credentials");
    // The org's lock went with the command: the next one runs.
    let again = db.dalgo(&["secrets", "list"]).envs(silent).output().unwrap();
    assert_eq!(again.status.code(), Some(69), "{}", stderr(&again));
    db.dalgo(&["org", "show", "acme-ngo"]).assert().success();
}
