//! Live mode: dalgo in place on Dalgo's own (Django) database, built from
//! Dalgo's schema (tests/fixtures/django/schema.sql, DDP_backend e2f35e17)
//! with rows as Dalgo's code writes them (rows.sql) and every migration of
//! that commit recorded. What dalgo writes is read back from Django's tables;
//! what is written there as the web app would is read through dalgo.

use serde_json::Value;

use crate::common::{TestDb, json, stderr};
use crate::import::load_fixtures;

/// A Dalgo Django database at DDP_backend e2f35e17, `dalgo migrate`d.
fn live() -> TestDb {
    let db = unmigrated_live();
    db.dalgo(&["migrate"]).assert().success();
    db
}

/// The same, before `dalgo migrate`.
fn unmigrated_live() -> TestDb {
    let db = TestDb::new();
    crate::common::create_empty_database(&db.name);
    load_fixtures(&db.url, &["schema.sql", "rows.sql", "sequences.sql"]);
    djangos_seed(&db);
    db
}

/// A new Dalgo's database, `dalgo migrate`d, holding only what Dalgo's
/// set-up writes: every migration of e2f35e17 recorded and its seed
/// (`loaddata` of roles, permissions, role permissions and tasks); no
/// System User yet (`create-system-orguser`: dalgo makes it when it first
/// takes a task lock). Raw SQL of the tests names dalgo's
/// tables, which are the views of schema dalgo here: the database's search
/// path says so. The suite runs on it with `DALGO_TEST_STORAGE=live`.
pub(crate) fn new_dalgo_database(db: &TestDb) {
    crate::common::create_empty_database(&db.name);
    load_fixtures(&db.url, &["schema.sql"]);
    djangos_seed(db);
    db.exec(&format!("ALTER DATABASE \"{}\" SET search_path = dalgo, public", db.name));
}

/// Dalgo's migrations recorded (those rows.sql lacks) and its seed, as
/// `migrate` and `loaddata seed/*.json` leave them (rows the fixture has
/// already are kept).
fn djangos_seed(db: &TestDb) {
    let known = include_str!("../../crates/dalgo/src/db/ddpui_migrations.txt");
    let names: Vec<String> = known
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| format!("('ddpui', '{l}', now())"))
        .collect();
    let quoted = |json: &str| format!("'{}'", json.replace('\'', "''"));
    db.exec(&format!(
        "INSERT INTO django_migrations (app, name, applied)
         SELECT * FROM (VALUES {}) AS m(app, name, applied)
          WHERE NOT EXISTS (SELECT 1 FROM django_migrations d WHERE d.app = m.app AND d.name = m.name);
         INSERT INTO ddpui_role (uuid, slug, name, level)
         SELECT t.uuid, t.slug, t.name, t.level
           FROM jsonb_to_recordset({}) AS t(uuid uuid, slug text, name text, level int)
          WHERE NOT EXISTS (SELECT 1 FROM ddpui_role d WHERE d.slug = t.slug);
         INSERT INTO ddpui_permission (uuid, slug, name)
         SELECT t.uuid, t.slug, t.name FROM jsonb_to_recordset({}) AS t(uuid uuid, slug text, name text)
          WHERE NOT EXISTS (SELECT 1 FROM ddpui_permission d WHERE d.slug = t.slug);
         INSERT INTO ddpui_rolepermission (role_id, permission_id)
         SELECT r.id, p.id FROM jsonb_each({}) AS e(role, perms)
           CROSS JOIN jsonb_array_elements_text(e.perms) AS g(perm)
           JOIN ddpui_role r ON r.slug = e.role JOIN ddpui_permission p ON p.slug = g.perm
          WHERE NOT EXISTS (SELECT 1 FROM ddpui_rolepermission d WHERE d.role_id = r.id AND d.permission_id = p.id);
         INSERT INTO ddpui_task (type, slug, label, command, is_system)
         SELECT t.type, t.slug, t.label, t.command, t.is_system
           FROM jsonb_to_recordset({}) AS t(type text, slug text, label text, command text, is_system bool)
          WHERE NOT EXISTS (SELECT 1 FROM ddpui_task d WHERE d.slug = t.slug)",
        names.join(", "),
        quoted(include_str!("../../seed/001_roles.json")),
        quoted(include_str!("../../seed/002_permissions.json")),
        quoted(include_str!("../../seed/003_role_permissions.json")),
        quoted(include_str!("../../seed/004_tasks.json")),
    ));
}

/// Every table, column, index, constraint and trigger outside schema dalgo.
fn django_schema(db: &TestDb) -> Vec<String> {
    db.rows(
        "SELECT 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type
                || ' ' || is_nullable || ' ' || coalesce(column_default, '')
           FROM information_schema.columns WHERE table_schema NOT IN ('dalgo', 'pg_catalog', 'information_schema')
         UNION ALL
         SELECT 'index ' || schemaname || '.' || indexname || ' ' || indexdef FROM pg_indexes
          WHERE schemaname NOT IN ('dalgo', 'pg_catalog')
         UNION ALL
         SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace
         UNION ALL
         SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger
          WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
         ORDER BY 1",
    )
}

/// `dalgo migrate` on Dalgo's database adds schema dalgo and nothing else:
/// the tables, columns, indexes, constraints and triggers of Django's
/// schema are the same after it and after commands that write everywhere.
#[test]
fn migrate_on_dalgos_database_touches_nothing_of_djangos_schema() {
    let db = unmigrated_live();
    let before = django_schema(&db);
    let out = db.dalgo(&["migrate"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Dalgo's Django database"));
    db.dalgo(&["migrate"]).assert().success().stdout(predicates::str::contains("nothing to do"));
    db.dalgo(&["createorganduser", "Schema Org", "s@schema.org", "--role", "admin"])
        .env("PASSWORD", "pw-123456")
        .assert()
        .success();
    db.dalgo(&["manage-feature-flags", "DATA_QUALITY", "--enable", "--org-slug", "schema-org"]).assert().success();
    db.dalgo(&["org", "delete", "schema-org", "--yes"]).assert().success();
    assert_eq!(django_schema(&db), before);
    let config = db.dalgo(&["config", "show", "-o", "json"]).output().unwrap();
    assert_eq!(json(&config)["database"]["mode"], "live", "{}", stderr(&config));
}

/// A Django schema other than e2f35e17's is refused (78) before anything is
/// written: a migration dalgo does not know (a newer Dalgo), or one missing.
#[test]
fn an_unknown_django_schema_is_refused_with_nothing_written() {
    let db = unmigrated_live();
    db.exec("INSERT INTO django_migrations (app, name, applied) VALUES ('ddpui', '0177_from_the_future', now())");
    let out = db.dalgo(&["migrate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ddpui.0177_from_the_future") && err.contains("0176_trialsignup"), "{err}");
    assert_eq!(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'dalgo'"), "0");
    db.exec("DELETE FROM django_migrations WHERE name IN ('0177_from_the_future', '0135_add_dashboard_sharing')");
    let out = db.dalgo(&["migrate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("lacks migration ddpui.0135"), "{}", stderr(&out));
    assert_eq!(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'dalgo'"), "0");
}

/// Whether Django's PBKDF2 hasher accepts `password` for `encoded`
/// (`pbkdf2_sha256$<iterations>$<salt>$<base64 sha256>`), computed as
/// Django computes it.
fn django_accepts(encoded: &str, password: &str) -> bool {
    let script = "import base64, hashlib, sys\n\
                  algo, it, salt, want = sys.argv[1].split('$')\n\
                  got = base64.b64encode(hashlib.pbkdf2_hmac('sha256', sys.argv[2].encode(), salt.encode(), int(it)))\n\
                  sys.exit(0 if algo == 'pbkdf2_sha256' and got.decode() == want else 1)";
    std::process::Command::new("python3").args(["-c", script, encoded, password]).status().unwrap().success()
}

/// `createorganduser` writes the rows Dalgo's own command writes: the Org
/// (its queues left to Dalgo's defaults), its Internal plan, a User whose username is
/// the email (with a hash Django verifies), its UserAttributes, and the
/// admin OrgUser by Role id.
#[test]
fn createorganduser_writes_djangos_rows_as_dalgo_does() {
    let db = live();
    db.dalgo(&["createorganduser", "River Trust", "ravi@river.org"]).env("PASSWORD", "pw-river-1").assert().success();
    let org = db.rows(
        "SELECT name, slug, queue_config, created_at <= now() AND updated_at <= now()
           FROM ddpui_org WHERE slug = 'river-trust'",
    );
    // Dalgo's Org.get_queue_config fills an empty one from its environment.
    assert_eq!(org, ["River Trust|river-trust|{}|t"]);
    let plan = db.rows(
        "SELECT p.base_plan, p.subscription_duration, p.can_upgrade_plan, p.superset_included
           FROM ddpui_orgplans p JOIN ddpui_org o ON o.id = p.org_id WHERE o.slug = 'river-trust'",
    );
    assert_eq!(plan, ["Internal|Monthly|t|f"]);
    let user = db.rows(
        "SELECT u.username, u.email, u.is_active, u.is_staff, u.is_superuser, a.email_verified, a.can_create_orgs
           FROM auth_user u JOIN ddpui_userattributes a ON a.user_id = u.id WHERE u.username = 'ravi@river.org'",
    );
    assert_eq!(user, ["ravi@river.org|ravi@river.org|t|f|f|t|t"]);
    let hash = db.scalar("SELECT password FROM auth_user WHERE username = 'ravi@river.org'");
    assert!(django_accepts(&hash, "pw-river-1") && !django_accepts(&hash, "pw-river-2"), "{hash}");
    let membership = db.rows(
        "SELECT r.slug, ou.email_verified, ou.llm_optin, ou.has_seen_rbac_notice
           FROM ddpui_orguser ou JOIN ddpui_role r ON r.id = ou.new_role_id JOIN ddpui_org o ON o.id = ou.org_id
          WHERE o.slug = 'river-trust'",
    );
    assert_eq!(membership, ["admin|t|f|f"]);
}

/// What the web app writes is dalgo's at once, and the other way round: a
/// membership and a flag value written as Django writes them are in
/// dalgo's listings; a role and a flag dalgo sets are in Django's rows.
#[test]
fn each_side_sees_the_others_writes_at_once() {
    let db = live();
    // As Django's ORM: OrgUser.objects.create(org=acme, user=delta's user, new_role=analyst).
    db.exec(
        "INSERT INTO ddpui_orguser (org_id, user_id, new_role_id, email_verified, llm_optin, has_seen_rbac_notice,
                                    created_at, updated_at)
         VALUES (1, 10, 2, true, false, false, now(), now());
         INSERT INTO ddpui_orgfeatureflag (org_id, flag_name, flag_value) VALUES (1, 'REPORTS', true)",
    );
    let members = json(&db.dalgo(&["user", "list", "--org", "acme", "-o", "json"]).output().unwrap());
    let row = members.as_array().unwrap().iter().find(|m| m["email"] == "delta@delta.org").cloned();
    assert_eq!(row.map(|m| m["role"].clone()), Some(Value::from("analyst")));
    let flags =
        json(&db.dalgo(&["manage-feature-flags", "--list-all", "--org-slug", "acme", "-o", "json"]).output().unwrap());
    assert_eq!(flags["REPORTS"], true);

    db.dalgo(&["user", "set-role", "delta@delta.org", "--org", "acme", "--role", "admin"]).assert().success();
    db.dalgo(&["manage-feature-flags", "REPORTS", "--disable", "--org-slug", "acme"]).assert().success();
    assert_eq!(db.scalar("SELECT new_role_id FROM ddpui_orguser WHERE org_id = 1 AND user_id = 10"), "4");
    assert_eq!(
        db.scalar("SELECT flag_value FROM ddpui_orgfeatureflag WHERE org_id = 1 AND flag_name = 'REPORTS'"),
        "f"
    );
}

/// Django's tables let two orgs share a slug and two users an email in
/// different case: such a name is refused (65) naming both, never guessed.
#[test]
fn an_ambiguous_slug_or_email_is_refused_naming_both() {
    let db = live();
    let out = db.dalgo(&["org", "show", "delta"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("\"Delta One\" (id 4)") && err.contains("\"Delta Two\" (id 5)"), "{err}");
    let out = db.dalgo(&["user", "add", "DUP@ACME.ORG", "--org", "beta", "--role", "member"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("Dup@Acme.org (id 8) and dup@acme.org (id 9)"), "{}", stderr(&out));
    assert_eq!(db.count("ddpui_orguser WHERE org_id = 2 AND user_id IN (8, 9)"), 0);
    // Spelled exactly as one of them, it is that one.
    db.dalgo(&["user", "add", "dup@acme.org", "--org", "beta", "--role", "member"]).assert().success();
    assert_eq!(db.rows("SELECT user_id FROM ddpui_orguser WHERE org_id = 2 AND user_id IN (8, 9)"), ["9"]);
}

/// `org delete` removes the org and everything that refers to it in
/// Django's tables, as Dalgo's `deleteorg` does (here a dashboard and a
/// chart of the org, its memberships, plan and flags, the users left with
/// no org); other orgs' rows stay.
#[test]
fn org_delete_removes_what_refers_to_the_org_in_djangos_tables() {
    let db = live();
    db.dalgo(&["createorganduser", "Gone NGO", "g@gone.org"]).env("PASSWORD", "pw-gone-12").assert().success();
    let org = db.scalar("SELECT id FROM ddpui_org WHERE slug = 'gone-ngo'");
    let orguser = db.scalar(&format!("SELECT id FROM ddpui_orguser WHERE org_id = {org}"));
    db.exec(&format!(
        "INSERT INTO ddpui_orgfeatureflag (org_id, flag_name, flag_value) VALUES ({org}, 'REPORTS', true);
         INSERT INTO ddpui_userpreferences (orguser_id, enable_email_notifications, disclaimer_shown,
                                            enable_discord_notifications, trial_emails_sent, trial_walkthrough,
                                            created_at, updated_at)
         VALUES ({orguser}, false, false, false, '{{}}', '{{}}', now(), now())"
    ));
    let others = db.count(&format!("ddpui_orguser WHERE org_id <> {org}"));
    let out = db.dalgo(&["org", "delete", "gone-ngo", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(db.count(&format!("ddpui_org WHERE id = {org}")), 0);
    for table in ["ddpui_orguser", "ddpui_orgplans", "ddpui_orgfeatureflag"] {
        assert_eq!(db.count(&format!("{table} WHERE org_id = {org}")), 0, "{table}");
    }
    assert_eq!(db.count(&format!("ddpui_userpreferences WHERE orguser_id = {orguser}")), 0);
    assert_eq!(db.count("auth_user WHERE username = 'g@gone.org'"), 0);
    assert_eq!(db.count(&format!("ddpui_orguser WHERE org_id <> {org}")), others);
}

/// Django's task locks are dalgo's: `locks list` shows the ones the web
/// app took, with the user who took them.
#[test]
fn the_web_apps_task_locks_are_listed() {
    let db = live();
    let locks = json(&db.dalgo(&["locks", "list", "-o", "json"]).output().unwrap());
    let rows: Vec<(String, String)> = locks
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["task"].as_str().unwrap().to_string(), l["locked_by"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        rows,
        [("dbt-run".to_string(), "Ana.Admin@Acme.ORG".to_string()), ("git-pull".into(), "Ana.Admin@Acme.ORG".into())]
    );
}

/// `import django` into Dalgo's own database is refused (78): its data is
/// dalgo's in place already.
#[test]
fn import_into_dalgos_own_database_is_refused() {
    let db = live();
    let out = db.dalgo(&["import", "django", "--from", &db.url, "--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("live mode"), "{}", stderr(&out));
}

/// A pipeline on Dalgo's database: `pipeline create` writes Django's
/// dataflow, its tasks and their org tasks; `pipeline run` takes the
/// `TaskLock`s the web app checks (held by the System User's membership);
/// `dalgo worker` runs it and frees them; the run is in Django's
/// `PrefectFlowRun` history, which the web app shows.
#[test]
fn a_pipeline_is_created_run_and_recorded_in_djangos_tables() {
    let db = live();
    // Raw SQL in the shared helpers names dalgo's tables: the views here.
    db.exec(&format!("ALTER DATABASE \"{}\" SET search_path = dalgo, public", db.name));
    let env = crate::worker::worker_env_in(db, "Live Worker NGO", crate::airbyte_stub::Options::default());
    let deployment = env.create("daily", &["--connection", &env.a]);
    let org = env.db.scalar("SELECT id FROM public.ddpui_org WHERE name = 'Live Worker NGO'");
    let flow = env.db.rows(&format!(
        "SELECT f.name, f.dataflow_type, count(t.id) FROM public.ddpui_orgdataflowv1 f
           JOIN public.ddpui_datafloworgtask t ON t.dataflow_id = f.id
          WHERE f.org_id = {org} AND f.deployment_id = '{deployment}' GROUP BY f.name, f.dataflow_type"
    ));
    assert_eq!(flow, ["daily|orchestrate|5"], "the sync, dbt-clean, dbt-deps, dbt-run and dbt-test");

    let run = crate::pipeline::start(&env, "daily");
    let held = format!(
        "public.ddpui_tasklock l JOIN public.ddpui_orguser ou ON ou.id = l.locked_by_id
           JOIN public.auth_user u ON u.id = ou.user_id
          WHERE l.flow_run_id = '{run}' AND u.username = 'System User'"
    );
    assert_eq!(env.db.count(&held), 5, "the web app sees the run's locks");
    let out = crate::worker::worker_once(&env, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(crate::worker::flow_run(&run)["state"]["type"], "COMPLETED");
    assert_eq!(env.db.count("public.ddpui_tasklock"), 2, "only the fixture's own locks are left");
    let recorded =
        env.db.rows(&format!("SELECT status, state_name FROM public.ddpui_prefectflowrun WHERE flow_run_id = '{run}'"));
    assert_eq!(recorded, ["COMPLETED|Completed"]);
}

/// The rest of the admin commands on Dalgo's database: each reads Django's
/// rows, and each write lands in them (plan, attributes, a warehouse whose
/// secret dalgo writes; the web app's secrets are listed as the org's).
#[test]
fn plans_attributes_warehouses_and_secrets_work_in_place() {
    let db = live();
    let json_of = |args: &[&str]| {
        let out = db.dalgo(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    };
    let secrets = json_of(&["secrets", "list", "-o", "json"]);
    let names: Vec<&str> = secrets.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"warehouseCreds-acme-aaaa") && names.contains(&"gitrepoAccessToken-acme-1111"),
        "{secrets}"
    );

    db.dalgo(&["org", "plan", "set", "--org", "beta", "--plan", "Dalgo", "--duration", "Annual", "--superset", "yes"])
        .assert()
        .success();
    assert_eq!(
        db.rows("SELECT base_plan, subscription_duration, superset_included FROM ddpui_orgplans WHERE org_id = 2"),
        ["Dalgo|Annual|t"]
    );
    db.dalgo(&["user", "attributes", "old@beta.org", "--enable", "is_consultant"]).assert().success();
    assert_eq!(db.scalar("SELECT is_consultant FROM ddpui_userattributes WHERE user_id = 4 ORDER BY id LIMIT 1"), "t");
    assert_eq!(json_of(&["user", "attributes", "old@beta.org", "-o", "json"])["is_consultant"], true);

    let config = "host: db.beta\nport: 5432\nusername: u\npassword: pw\ndatabase: d\n";
    db.dalgo(&["warehouse", "set", "--org", "beta", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(config)
        .assert()
        .success();
    let secret = db.scalar("SELECT credentials FROM ddpui_orgwarehouse WHERE org_id = 2");
    assert!(secret.starts_with("warehouseCreds-beta-") && db.secrets_dir().join(&secret).exists(), "{secret}");
    assert_eq!(json_of(&["warehouse", "show", "--org", "beta", "-o", "json"])["credentials"]["host"], "db.beta");
    let export = db.dalgo(&["org", "export", "beta"]).output().unwrap();
    assert!(String::from_utf8_lossy(&export.stdout).contains("base_plan: Dalgo"), "{}", stderr(&export));
}

/// The System User dalgo makes is the one Dalgo's webhooks look up (by
/// email, `OrgUser.objects.filter(user__email="System User")`): username
/// and email "System User", no usable password, an org-less admin membership, as
/// `create-system-orguser` makes it (its email used to be left empty).
#[test]
fn the_system_user_is_made_as_djangos_command_makes_it() {
    let db = TestDb::migrated_in(true);
    db.dalgo(&["create-system-orguser"]).assert().success();
    let made = db.rows(
        "SELECT u.username, u.email, u.password = '' OR u.password LIKE '!%', ou.org_id IS NULL, r.slug FROM auth_user u
           JOIN ddpui_orguser ou ON ou.user_id = u.id JOIN ddpui_role r ON r.id = ou.new_role_id
          WHERE u.email = 'System User'",
    );
    // No password Django accepts: '' (the command's) or '!…' (Django's unusable one).
    assert_eq!(made, ["System User|System User|t|t|admin"]);
}
