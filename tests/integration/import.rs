//! `dalgo import django` against a Django-shaped source: Dalgo's schema
//! (tests/fixtures/django/schema.sql) with rows of our own carrying every
//! quirk an import meets (tests/fixtures/django/rows.sql).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{LockHolder, TestDb, admin_url, json, psql, stderr, wait_until_blocked};

/// A Dalgo Django database for one test, dropped at the end.
pub(crate) struct DjangoSource {
    name: String,
    pub(crate) url: String,
}

impl DjangoSource {
    /// Dalgo's schema with the rows of tests/fixtures/django/rows.sql.
    pub(crate) fn new(db: &TestDb) -> DjangoSource {
        DjangoSource::with_files(db, &["schema.sql", "rows.sql"])
    }

    /// Dalgo's schema with only its migrations' row: a test adds the rest.
    pub(crate) fn empty(db: &TestDb) -> DjangoSource {
        let src = DjangoSource::with_files(db, &["schema.sql"]);
        src.exec("INSERT INTO django_migrations (id, app, name, applied) VALUES (1, 'ddpui', '0001_initial', now())");
        src
    }

    fn with_files(db: &TestDb, files: &[&str]) -> DjangoSource {
        let name = format!("{}_django", db.name);
        psql(&admin_url(), &format!("CREATE DATABASE \"{name}\""));
        let url = format!("postgresql:///{name}?host={}", crate::common::pg_host());
        load_fixtures(&url, files);
        DjangoSource { name, url }
    }

    pub(crate) fn exec(&self, sql: &str) {
        psql(&self.url, sql);
    }
}

impl Drop for DjangoSource {
    fn drop(&mut self) {
        crate::common::drop_database(&self.name);
    }
}

/// Runs each of tests/fixtures/django's `files` into the database at `url`,
/// each in one transaction.
pub(crate) fn load_fixtures(url: &str, files: &[&str]) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/django");
    for file in files {
        let out = std::process::Command::new("psql")
            .args(["-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
            .arg(fixtures.join(file))
            .output()
            .unwrap();
        assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Dalgo's DEV_SECRETS_DIR with the secrets the source's rows name, but
/// the Snowflake warehouse's.
fn django_secrets(db: &TestDb) -> PathBuf {
    let dir = db.home().join("django-secrets");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, value) in [
        ("warehouseCreds-acme-aaaa", r#"{"host": "db.acme", "password": "pw-a"}"#),
        ("warehouseCreds-oldbeta-bbbb", r#"{"project_id": "beta"}"#),
        ("gitrepoAccessToken-acme-1111", "ghp_token"),
    ] {
        let file = serde_json::json!({"Name": name, "SecretId": name, "SecretString": value});
        std::fs::write(dir.join(name), file.to_string()).unwrap();
    }
    dir
}

fn import(db: &TestDb, src: &DjangoSource, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["import", "django", "--from", &src.url, "-o", "json"];
    args.extend_from_slice(extra);
    let out = db.dalgo(&args).output().unwrap();
    let code = out.status.code().unwrap();
    assert!(matches!(code, 0 | 3), "{code}: {}", stderr(&out));
    (code, json(&out))
}

/// The counts of one table in a report.
fn counts(report: &Value, table: &str) -> (u64, u64, u64, u64) {
    let t = report["tables"].as_array().unwrap().iter().find(|t| t["table"] == table).unwrap();
    let n = |k: &str| t[k].as_u64().unwrap();
    (n("new"), n("changed"), n("unchanged"), n("refused"))
}

fn refused(report: &Value) -> Vec<String> {
    report["refused"].as_array().unwrap().iter().map(|r| r["source"].as_str().unwrap().to_string()).collect()
}

/// Every table the import writes, as rows, to compare two databases.
const STATE: &str = "SELECT 'org', slug, name, coalesce(queue_config::text, '') FROM orgs
    UNION ALL SELECT 'plan', o.slug, p.base_plan || coalesce(p.subscription_duration, '') || p.superset_included, p.features::text
      FROM org_plans p JOIN orgs o ON o.id = p.org_id
    UNION ALL SELECT 'user', email, password, concat_ws(',', is_active, is_system, email_verified, can_create_orgs, is_consultant, is_platform_admin) FROM users
    UNION ALL SELECT 'member', u.email, coalesce(o.slug, '-'), r.slug FROM org_users m JOIN users u ON u.id = m.user_id
      JOIN roles r ON r.id = m.role_id LEFT JOIN orgs o ON o.id = m.org_id
    UNION ALL SELECT 'flag', coalesce(o.slug, '-'), f.flag_name, f.value::text FROM feature_flag_values f LEFT JOIN orgs o ON o.id = f.org_id
    UNION ALL SELECT 'secret', s.name, o.slug, s.kind FROM org_secrets s JOIN orgs o ON o.id = s.org_id
    UNION ALL SELECT 'warehouse', o.slug, w.wtype, w.credentials_secret FROM warehouses w JOIN orgs o ON o.id = w.org_id
    UNION ALL SELECT 'dbt', o.slug, d.source || ' ' || d.project_dir, coalesce(d.repo_url, '') || ' ' || coalesce(d.token_secret, '')
      FROM dbt_workspaces d JOIN orgs o ON o.id = d.org_id
    UNION ALL SELECT 'task', t.uuid::text, o.slug, k.slug || ' ' || coalesce(t.connection_id, '') || ' ' || t.parameters::text
      FROM org_tasks t JOIN orgs o ON o.id = t.org_id JOIN tasks k ON k.id = t.task_id
    UNION ALL SELECT 'pipeline', p.deployment_name, p.name, coalesce(p.cron, '-') || ' ' || p.dataflow_type FROM pipelines p
    UNION ALL SELECT 'step', p.name, s.seq::text, t.uuid::text FROM pipeline_tasks s JOIN pipelines p ON p.id = s.pipeline_id
      JOIN org_tasks t ON t.id = s.org_task_id
    UNION ALL SELECT 'lock', t.uuid::text, l.locked_by, coalesce(l.flow_run_id, '-') || ' ' || coalesce(p.name, '-')
      FROM task_locks l JOIN org_tasks t ON t.id = l.org_task_id LEFT JOIN pipelines p ON p.id = l.pipeline_id
    UNION ALL SELECT 'run', r.flow_run_id, coalesce(p.name, '-'), r.state_type || ' ' || r.state_name
      FROM flow_runs r LEFT JOIN pipelines p ON p.id = r.pipeline_id
    UNION ALL SELECT 'job', job_id::text, connection_id, coalesce(o.slug, '-') FROM airbyte_jobs j LEFT JOIN orgs o ON o.id = j.org_id
    ORDER BY 1, 2, 3, 4";

#[test]
fn a_dry_run_plans_every_table_and_writes_nothing() {
    let db = TestDb::own();
    let src = DjangoSource::new(&db);
    let before = db.rows(STATE);
    let secrets = django_secrets(&db);
    let (code, plan) = import(&db, &src, &["--dry-run", "--secrets-dir", secrets.to_str().unwrap()]);
    assert_eq!(code, 3, "rows were refused");
    assert_eq!(plan["dry_run"], true);
    assert_eq!(db.rows(STATE), before, "a dry run writes nothing");
    assert!(!db.secrets_dir().join("warehouseCreds-acme-aaaa").exists());
    assert_eq!(counts(&plan, "orgs"), (3, 0, 0, 2));
    assert_eq!(counts(&plan, "users"), (7, 0, 0, 4));
    assert_eq!(counts(&plan, "pipelines"), (4, 0, 0, 1));
    let outcomes: Vec<(String, String)> = plan["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().into(), s["outcome"].as_str().unwrap().into()))
        .collect();
    assert!(outcomes.contains(&("warehouseCreds-acme-aaaa".into(), "would copy".into())), "{outcomes:?}");
    assert!(outcomes.contains(&("warehouseCreds-gamma-cccc".into(), "missing".into())), "{outcomes:?}");
    // Two orgs sharing a slug: both refused, named with what carries the slug.
    let shared = &plan["shared_slugs"][0];
    assert_eq!(shared["slug"], "delta");
    assert_eq!(shared["orgs"], serde_json::json!([[4, "Delta One"], [5, "Delta Two"]]));
    assert!(shared["external_names"].to_string().contains("dbt-profile-delta"));
    assert!(refused(&plan).contains(&"ddpui_org 4".to_string()) && refused(&plan).contains(&"ddpui_org 5".to_string()));
    assert_eq!(
        plan["no_home"],
        serde_json::json!([{"table": "ddpui_invitation", "rows": 2}, {"table": "ddpui_orgpreferences", "rows": 1}])
    );
}

#[test]
fn the_import_carries_each_table_over_as_dalgo_holds_it() {
    let db = TestDb::own();
    let src = DjangoSource::new(&db);
    let secrets = django_secrets(&db);
    let (code, report) = import(&db, &src, &["--secrets-dir", secrets.to_str().unwrap()]);
    assert_eq!(code, 3);
    let q = |sql: &str| db.rows(sql);
    // Orgs keep their slugs; a NULL slug gets dalgo's rule; legacy queues take the object shape.
    assert_eq!(q("SELECT slug FROM orgs ORDER BY 1"), ["acme", "beta", "gamma-foundation"]);
    assert_eq!(
        db.scalar("SELECT queue_config->'scheduled_pipeline_queue'->>'name' FROM orgs WHERE slug = 'beta'"),
        "ddp"
    );
    // Plans: DALGO is Dalgo; NULLs become dalgo's defaults.
    assert_eq!(
        q(
            "SELECT o.slug, base_plan, superset_included, subscription_duration, features FROM org_plans p JOIN orgs o ON o.id = p.org_id ORDER BY 1"
        ),
        ["acme|Dalgo|t|Annual|{\"pipeline\": [\"ingest\"]}", "beta|Free Trial|f|trial|{}"]
    );
    // Users: hashes kept (every password still works), the System User's made unusable.
    assert!(db.password_works("Ana.Admin@acme.org", "correct horse battery staple"));
    assert!(db.password_works("old@beta.org", "old-django-pw"));
    assert_eq!(
        q(
            "SELECT email, password, is_active, is_system FROM users WHERE email IN ('System User', 'gone@beta.org', 'argon@acme.org') ORDER BY 1"
        ),
        ["System User|!|t|t", "argon@acme.org|!|t|f", "gone@beta.org|!unusablehash|f|f"]
    );
    assert_eq!(
        db.scalar("SELECT concat_ws(',', email_verified, can_create_orgs, is_consultant, is_platform_admin) FROM users WHERE email = 'both@acme.org'"),
        "t,f,t,f",
        "the newest UserAttributes row"
    );
    assert_eq!(db.count("users WHERE lower(email) IN ('dup@acme.org', 'admin')"), 0);
    // Memberships by role slug; the newest of two; the System User's org-less one.
    assert_eq!(
        q(
            "SELECT u.email, coalesce(o.slug, '-'), r.slug FROM org_users m JOIN users u ON u.id = m.user_id JOIN roles r ON r.id = m.role_id LEFT JOIN orgs o ON o.id = m.org_id WHERE u.email IN ('both@acme.org', 'old@beta.org', 'System User') ORDER BY 1, 2"
        ),
        ["System User|-|admin", "both@acme.org|acme|analyst", "both@acme.org|beta|admin", "old@beta.org|beta|analyst"]
    );
    // Flags: global values and overrides both ways; the unknown one refused.
    assert_eq!(
        q(
            "SELECT coalesce(o.slug, '-'), flag_name, value FROM feature_flag_values f LEFT JOIN orgs o ON o.id = f.org_id ORDER BY 1, 2"
        ),
        ["-|DATA_QUALITY|t", "-|USAGE_DASHBOARD|f", "acme|DATA_QUALITY|f", "beta|USAGE_DASHBOARD|t"]
    );
    check_stores(&db);
    check_flows(&db);
    assert_eq!(counts(&report, "flow_runs"), (4, 0, 0, 1));
    assert_eq!(
        report["rehomed"],
        serde_json::json!([{ "org": "gamma-foundation", "from": "gamma/dbtrepo", "to": "gamma-foundation/dbtrepo" }])
    );
}

/// Warehouses and dbt workspaces with their secrets' names, recorded and copied.
fn check_stores(db: &TestDb) {
    assert_eq!(
        db.rows("SELECT o.slug, wtype, credentials_secret FROM warehouses w JOIN orgs o ON o.id = w.org_id ORDER BY 1"),
        [
            "acme|postgres|warehouseCreds-acme-aaaa",
            "beta|bigquery|warehouseCreds-oldbeta-bbbb",
            "gamma-foundation|snowflake|warehouseCreds-gamma-cccc"
        ]
    );
    assert_eq!(db.count("org_secrets"), 4);
    let stored = std::fs::read_to_string(db.secrets_dir().join("warehouseCreds-acme-aaaa")).unwrap();
    assert!(stored.contains("pw-a"));
    assert!(!db.secrets_dir().join("warehouseCreds-gamma-cccc").exists(), "a missing secret is never invented");
    let beta_project = db.clientdbt_root().join("beta/dbtrepo");
    assert_eq!(
        db.rows("SELECT o.slug, source, project_dir, coalesce(repo_url, '-'), coalesce(token_secret, '-'), target_type FROM dbt_workspaces d JOIN orgs o ON o.id = d.org_id ORDER BY 1"),
        [
            "acme|git|acme/dbtrepo|https://github.com/acme/dbt.git|gitrepoAccessToken-acme-1111|postgres".to_string(),
            format!("beta|local|{}|-|-|bigquery", beta_project.display()),
            // Django's clone was under its old slug's directory: moved beneath the org's own.
            "gamma-foundation|git|gamma-foundation/dbtrepo|https://github.com/gamma/dbt.git|-|snowflake".to_string(),
        ]
    );
}

/// Org tasks by uuid, pipelines with their deployments, steps in order,
/// locks and runs.
fn check_flows(db: &TestDb) {
    let uuid = |n: u8| format!("00000000-0000-4000-8000-00000000000{n}");
    assert_eq!(db.count("org_tasks"), 5, "the second git-pull system task is folded into the first used");
    assert_eq!(db.count(&format!("org_tasks WHERE uuid = '{}'", uuid(2))), 0);
    assert_eq!(
        db.rows("SELECT name, coalesce(cron, '-'), dataflow_type, deployment_id FROM pipelines ORDER BY 1"),
        [
            "beta-daily|0 3 * * *|orchestrate|00000000-0000-4000-9000-000000000005",
            "manual-sync-c-1|-|manual|00000000-0000-4000-9000-000000000003",
            "nightly|0 2 * * *|orchestrate|00000000-0000-4000-9000-000000000001",
            "paused|-|orchestrate|00000000-0000-4000-9000-000000000002"
        ]
    );
    assert_eq!(
        db.rows("SELECT s.seq, t.uuid FROM pipeline_tasks s JOIN pipelines p ON p.id = s.pipeline_id JOIN org_tasks t ON t.id = s.org_task_id WHERE p.name = 'nightly' ORDER BY s.seq"),
        [format!("0|{}", uuid(1)), format!("1|{}", uuid(5)), format!("2|{}", uuid(3)), format!("3|{}", uuid(4))]
    );
    assert_eq!(
        db.rows("SELECT t.uuid, l.locked_by, coalesce(l.flow_run_id, '-'), coalesce(p.name, '-') FROM task_locks l JOIN org_tasks t ON t.id = l.org_task_id LEFT JOIN pipelines p ON p.id = l.pipeline_id ORDER BY 1"),
        [format!("{}|Ana.Admin@acme.org|-|-", uuid(3)), format!("{}|Ana.Admin@acme.org|fr-live|nightly", uuid(5))]
    );
    assert_eq!(
        db.rows("SELECT flow_run_id, state_type, state_name, coalesce(p.name, '-'), r.org_id IS NULL FROM flow_runs r LEFT JOIN pipelines p ON p.id = r.pipeline_id ORDER BY 1"),
        ["fr-1|COMPLETED|Completed|nightly|f", "fr-2|FAILED|DBT_TEST_FAILED|nightly|f", "fr-3|COMPLETED|Completed|-|t", "fr-live|RUNNING|Running|nightly|f"]
    );
    assert_eq!(
        db.scalar("SELECT o.slug FROM airbyte_jobs j JOIN orgs o ON o.id = j.org_id WHERE job_id = 101"),
        "acme"
    );
}

#[test]
fn a_rerun_changes_nothing_and_a_changed_source_brings_only_the_difference() {
    let db = TestDb::own();
    let src = DjangoSource::new(&db);
    import(&db, &src, &[]);
    let first = db.rows(STATE);
    let audit = db.count("audit_log");
    let (_, again) = import(&db, &src, &[]);
    for t in again["tables"].as_array().unwrap() {
        assert_eq!((t["new"].as_u64(), t["changed"].as_u64()), (Some(0), Some(0)), "{t}");
    }
    assert_eq!(db.rows(STATE), first);
    assert_eq!(db.count("audit_log"), audit, "nothing changed, nothing audited");
    // A run dalgo has synced since (it ended) is not put back to Django's older RUNNING.
    db.exec("UPDATE flow_runs SET state_type = 'COMPLETED', state_name = 'Completed', updated_at = now() WHERE flow_run_id = 'fr-live'");
    let (_, after_sync) = import(&db, &src, &[]);
    assert_eq!(counts(&after_sync, "flow_runs"), (0, 0, 4, 1));
    assert_eq!(db.scalar("SELECT state_type FROM flow_runs WHERE flow_run_id = 'fr-live'"), "COMPLETED");
    src.exec(
        "UPDATE ddpui_org SET name = 'Acme NGO India', updated_at = now() WHERE id = 1;
         UPDATE ddpui_orgdataflowv1 SET cron = '0 4 * * *' WHERE id = 1;
         INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
           VALUES (11, '!z', false, 'late@acme.org', '', '', 'late@acme.org', false, true, now())",
    );
    let (_, diff) = import(&db, &src, &[]);
    assert_eq!(counts(&diff, "orgs"), (0, 1, 2, 2));
    assert_eq!(counts(&diff, "pipelines"), (0, 1, 3, 1));
    assert_eq!(counts(&diff, "users").0, 1);
    assert_eq!(counts(&diff, "org_users"), (0, 0, 7, 4));
    assert_eq!(db.scalar("SELECT name FROM orgs WHERE slug = 'acme'"), "Acme NGO India");
    // The operator chooses the shared slug's owner: both orgs come over, and stay so.
    let (_, renamed) = import(&db, &src, &["--rename", "4=delta-one"]);
    assert_eq!(counts(&renamed, "orgs"), (2, 0, 3, 0));
    assert!(renamed["shared_slugs"].as_array().unwrap().is_empty());
    let (_, later) = import(&db, &src, &[]);
    assert_eq!(counts(&later, "orgs"), (0, 0, 5, 0), "the chosen slug is remembered");
    assert_eq!(db.rows("SELECT slug FROM orgs WHERE django_id IN (4, 5) ORDER BY django_id"), ["delta-one", "delta"]);
}

/// Killed while a step waits (its table locked by another session), the
/// import re-runs to the state an uninterrupted one reaches.
#[test]
fn a_killed_import_reruns_to_the_same_end() {
    let whole = TestDb::own();
    let src = DjangoSource::new(&whole);
    import(&whole, &src, &[]);
    let db = TestDb::own();
    let holder = LockHolder::new(&db, "LOCK TABLE pipelines IN ACCESS EXCLUSIVE MODE");
    let mut child = db.spawn(&["import", "django", "--from", &src.url], &[]);
    wait_until_blocked(&db);
    assert!(db.count("orgs") > 0 && db.count("org_tasks") > 0, "the steps before pipelines are committed");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(holder);
    import(&db, &src, &[]);
    // A local dbt project lives under each test's own CLIENTDBT_ROOT.
    let state = |d: &TestDb| d.rows(STATE).join("\n").replace(&d.clientdbt_root().display().to_string(), "ROOT");
    assert_eq!(state(&db), state(&whole));
}

#[test]
fn a_wrong_source_or_rename_is_said_of_the_source_and_writes_nothing() {
    let db = TestDb::own();
    let out = db.dalgo(&["import", "django", "--from", &db.url]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not a Dalgo Django database"), "{}", stderr(&out));
    let src = DjangoSource::new(&db);
    let out = db.dalgo(&["import", "django", "--from", &src.url, "--rename", "4=Not A Slug"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert_eq!(db.count("orgs"), 0);
    // A secrets directory that is not there is said, not every secret reported missing.
    let out = db.dalgo(&["import", "django", "--from", &src.url, "--secrets-dir", "/nonexistent"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("the secrets directory /nonexistent is not a directory"), "{}", stderr(&out));
    assert_eq!(db.count("orgs"), 0);
    // What goes wrong with the source is said of the source, with no hint about dalgo's own database.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sources = [
        (format!("postgresql://u@127.0.0.1:{closed}/ddp"), 69, "the Django database (--from): cannot reach"),
        (format!("postgresql:///{}_nothing?host={}", db.name, crate::common::pg_host()), 65, "does not exist"),
        ("mysql://django/ddp".to_string(), 2, "--from: invalid database URL"),
    ];
    for (url, code, says) in sources {
        let out = db.dalgo(&["import", "django", "--from", &url]).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{url}: {}", stderr(&out));
        assert!(stderr(&out).contains(says) && !stderr(&out).contains("dalgo migrate"), "{}", stderr(&out));
    }
}

/// `--check-external` looks up what the imported orgs' rows name outside
/// dalgo's database and says what is not there (exit 3).
#[test]
fn check_external_names_the_workspaces_deployments_and_blocks_not_there() {
    let db = TestDb::own();
    let src = DjangoSource::new(&db);
    let stub = crate::airbyte_stub::Stub::start(crate::airbyte_stub::Options::default());
    let secrets = django_secrets(&db);
    let out = db
        .dalgo(&["import", "django", "--from", &src.url, "--check-external", "-o", "json"])
        .args(["--secrets-dir", secrets.to_str().unwrap()])
        .env("PREFECT_API_URL", crate::common::prefect_url())
        .env("AIRBYTE_SERVER_HOST", "127.0.0.1")
        .env("AIRBYTE_SERVER_PORT", stub.port())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let external: Vec<(String, String, String)> = json(&out)["external"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["org"].as_str().unwrap().into(),
                e["object"].as_str().unwrap().into(),
                e["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    let has = |org: &str, object: &str| external.contains(&(org.into(), object.into(), "missing".into()));
    assert!(has("acme", "Airbyte workspace ws-acme"), "{external:?}");
    assert!(has("acme", "Prefect deployment 00000000-0000-4000-9000-000000000001 (pipeline nightly)"), "{external:?}");
    assert!(has("beta", "Prefect block dbt-profile-beta"), "{external:?}");
    let out = db.dalgo(&["import", "django", "--from", &src.url, "--check-external", "--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a dry run writes no org to check");
}
