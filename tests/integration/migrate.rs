//! `dalgo migrate`: database creation, schema, seed data, idempotence, concurrency.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use predicates::prelude::PredicateBooleanExt;

use crate::common::{TestDb, json, stderr};

/// How many migrations the binary embeds.
fn migrations() -> usize {
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations")).unwrap();
    // migrations/live is live mode's (live.rs).
    files.filter(|f| f.as_ref().unwrap().path().extension().is_some_and(|e| e == "sql")).count()
}

const SEEDED: &str = "(SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY id) FROM roles) ||
    (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY id) FROM permissions) ||
    (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY role_id, permission_id) FROM role_permissions) ||
    (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY id) FROM tasks) ||
    (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY name) FROM feature_flags)";

#[test]
fn fresh_migrate_creates_the_database_schema_and_seed() {
    let db = TestDb::new();
    let out = db.dalgo(&["migrate", "--output", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["database_created"], true);
    assert_eq!(report["applied"].as_array().unwrap().len(), migrations());
    assert_eq!(report["seed"]["role_permissions_added"], 221);

    let seed: serde_json::Value = serde_json::from_str(include_str!("../../seed/001_roles.json")).unwrap();
    let expected: Vec<String> = seed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}|{}|{}", r["slug"].as_str().unwrap(), r["level"], r["uuid"].as_str().unwrap()))
        .collect();
    assert_eq!(db.rows("SELECT slug, level, uuid FROM roles ORDER BY level DESC"), expected);
    assert_eq!(expected[0], "super-admin|5|".to_string() + seed[0]["uuid"].as_str().unwrap());
    assert_eq!(db.count("permissions"), 85);
    assert_eq!(db.count("role_permissions"), 221);
    assert_eq!(
        db.rows(
            "SELECT r.slug, count(*) FROM role_permissions rp JOIN roles r ON r.id = rp.role_id GROUP BY r.slug ORDER BY r.slug"
        ),
        ["admin|83", "analyst|45", "member|9", "super-admin|84"]
    );
    assert_eq!(
        db.scalar(
            "SELECT string_agg(r.slug, ',' ORDER BY r.slug) FROM role_permissions rp JOIN roles r ON r.id = rp.role_id
              JOIN permissions p ON p.id = rp.permission_id WHERE p.slug = 'can_request_llm_analysis_feature'"
        ),
        "analyst,member"
    );
    assert_eq!(db.count("tasks"), 13);
    assert_eq!(db.scalar("SELECT command FROM tasks WHERE slug = 'dbt-docs-generate'"), "docs generate");
    assert_eq!(db.count("feature_flags"), 7);
}

#[test]
fn rerunning_migrate_changes_nothing() {
    let db = TestDb::own();
    let before = db.scalar(&format!("SELECT {SEEDED}"));
    let out = db.dalgo(&["migrate"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to do"), "{out:?}");
    assert_eq!(db.scalar(&format!("SELECT {SEEDED}")), before, "seed rows were rewritten");
    let report = json(&db.dalgo(&["migrate", "--output", "json"]).output().unwrap());
    assert_eq!(report["database_created"], false);
    assert_eq!(report["applied"], serde_json::json!([]));
    assert!(report["seed"].as_object().unwrap().values().all(|v| v == 0), "{report}");
}

#[test]
fn migrate_repairs_seed_drift() {
    let db = TestDb::own();
    let uuid = db.scalar("SELECT uuid FROM roles WHERE slug = 'admin'");
    db.exec("UPDATE roles SET name = 'Boss', level = 3 WHERE slug = 'admin'");
    db.exec("DELETE FROM role_permissions WHERE role_id = (SELECT id FROM roles WHERE slug = 'member')");
    db.exec(
        "INSERT INTO role_permissions SELECT r.id, p.id FROM roles r, permissions p
          WHERE r.slug = 'member' AND p.slug = 'can_create_org'",
    );
    let report = json(&db.dalgo(&["migrate", "--output", "json"]).output().unwrap());
    assert_eq!(report["seed"]["roles"], 1);
    assert_eq!(report["seed"]["role_permissions_added"], 9);
    assert_eq!(report["seed"]["role_permissions_removed"], 1);
    assert_eq!(db.scalar("SELECT name || level || uuid FROM roles WHERE slug = 'admin'"), format!("Admin4{uuid}"));
    assert_eq!(db.count("role_permissions"), 221);
}

#[test]
fn two_concurrent_migrates_on_a_fresh_database_both_succeed_once() {
    let db = TestDb::new();
    let children: Vec<_> = (0..2).map(|_| db.spawn(&["migrate"], &[])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(db.count("_sqlx_migrations"), migrations() as i64);
    assert_eq!(db.count("roles"), 4);
    assert_eq!(db.count("role_permissions"), 221);
}

#[test]
fn status_lists_pending_then_applied() {
    let db = TestDb::new();
    let pending = json(&db.dalgo(&["migrate", "--status", "--output", "json"]).output().unwrap());
    let states: Vec<_> = pending.as_array().unwrap().iter().map(|m| m["state"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["pending"; migrations()]);
    assert!(!crate::common::database_exists(&db.name), "--status must not create the database");

    db.dalgo(&["migrate"]).assert().success();
    let applied = json(&db.dalgo(&["migrate", "--status", "--output", "json"]).output().unwrap());
    assert_eq!(applied[0]["version"], 1);
    assert_eq!(applied[0]["description"], "core");
    assert!(applied.as_array().unwrap().iter().all(|m| m["state"] == "applied" && m["installed_on"].is_string()));
    let table = db.dalgo(&["migrate", "--status"]).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout).into_owned();
    let row = text.lines().find(|l| l.trim_start().starts_with("0002")).unwrap();
    assert_eq!(row.split_whitespace().take(4).collect::<Vec<_>>(), ["0002", "feature", "flags", "applied"]);
}

#[test]
fn commands_on_an_unmigrated_database_say_to_migrate() {
    let db = TestDb::new();
    db.dalgo(&["org", "list"]).assert().code(78).stderr(predicates::str::contains("dalgo migrate"));
    let empty = TestDb::new();
    crate::common::create_empty_database(&empty.name);
    empty.dalgo(&["org", "list"]).assert().code(78).stderr(predicates::str::contains("run `dalgo migrate` first"));
}

/// A Dalgo Django database (its `django_migrations` has `ddpui` rows) at a
/// schema other than the one live mode knows (here only its first
/// migration) is refused before anything is written (live.rs has the
/// database live mode works on).
#[test]
fn migrate_refuses_a_django_schema_it_does_not_know_and_writes_nothing() {
    let db = TestDb::new();
    crate::common::create_empty_database(&db.name);
    db.exec(
        "CREATE TABLE django_migrations (id bigserial PRIMARY KEY, app varchar(255) NOT NULL,
             name varchar(255) NOT NULL, applied timestamptz NOT NULL DEFAULT now());
         INSERT INTO django_migrations (app, name) VALUES ('ddpui', '0001_initial');
         CREATE TABLE audit_log (id bigserial PRIMARY KEY, orguser_email varchar(254))",
    );
    let before = db.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    db.dalgo(&["migrate"]).assert().code(78).stderr(
        predicates::str::contains("is Dalgo's Django database at a schema dalgo does not know")
            .and(predicates::str::contains("nothing was written")),
    );
    assert_eq!(db.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"), before);
    // A database that only shares the table name with another Django project is dalgo's to use.
    db.exec("DELETE FROM django_migrations; DROP TABLE audit_log");
    db.dalgo(&["migrate"]).assert().success();
}

#[test]
fn unreachable_postgres_exits_69_naming_the_host() {
    let db = TestDb::new();
    let out = db.dalgo(&["--database-url", "postgres://nobody@127.0.0.1:1/dalgo", "org", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: cannot reach PostgreSQL at 127.0.0.1:1/dalgo"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
}

#[test]
fn a_server_that_never_answers_times_out_with_69() {
    // Accepts TCP connections (the kernel's backlog) but never speaks.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let db = TestDb::new();
    let url = format!("postgres://nobody@127.0.0.1:{port}/dalgo");
    let started = Instant::now();
    let out = db.dalgo(&["--database-url", &url, "migrate"]).env("DALGO_DB_CONNECT_TIMEOUT", "1").output().unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("127.0.0.1:{port}")));
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(listener);
}

#[test]
fn a_refused_database_user_exits_77() {
    let db = TestDb::new();
    let url = format!("postgresql:///postgres?host={}&user=no_such_role_here", crate::common::pg_host());
    db.dalgo(&["--database-url", &url, "org", "list"])
        .assert()
        .code(77)
        .stderr(predicates::str::contains("refused user \"no_such_role_here\""))
        // PostgreSQL's words, not the line of its C source sqlx appends.
        .stderr(predicates::str::contains(" at line ").not());
}

/// Each command's statements run one after another, so one session serves
/// them all: a second connection is another TCP and TLS start-up. Seen
/// failing before: `migrate` and `createorganduser` opened two.
#[test]
fn a_command_opens_one_connection() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "admin@acme.org", "admin");
    for args in [
        &["migrate"][..],
        &["createorganduser", "Acme NGO", "admin@acme.org", "--role", "admin"],
        &["org", "list"],
        &["user", "list"],
        &["org", "show", "acme-ngo"],
        &["manage-feature-flags", "--list-all", "--org", "acme-ngo"],
        &["locks", "list"],
    ] {
        let before = db.sessions();
        db.dalgo(args).env("PASSWORD", "pw-for-tests").assert().success();
        assert_eq!(db.sessions() - before, 1, "dalgo {args:?} opened more than one connection");
    }
}

/// PostgreSQL's refusal is said in its own words with its SQLSTATE, not with
/// the line of PostgreSQL's C source that raised it ("… at line 3211").
#[test]
fn a_database_error_names_its_sqlstate_not_a_source_line() {
    let db = TestDb::migrated();
    let role = format!("{}_nobody", db.name);
    db.exec(&format!("CREATE ROLE {role} LOGIN"));
    if crate::common::live_storage() {
        // Without it, the role does not see schema dalgo at all.
        db.exec(&format!("GRANT USAGE ON SCHEMA dalgo TO {role}"));
    }
    let out = db.dalgo(&["org", "list"]).env("DATABASE_URL", format!("{}&user={role}", db.url)).output().unwrap();
    db.exec(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("permission denied for ") && err.contains("SQLSTATE 42501"), "{err}");
    assert!(!err.contains(" at line "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
