//! `dalgo createorganduser` and `dalgo create-system-orguser`.

use predicates::str::contains;

use crate::common::{TestDb, json, onboard, stderr};

fn nothing_written(db: &TestDb) {
    assert_eq!(db.count("orgs"), 0);
    assert_eq!(db.count("users"), 0);
    assert_eq!(db.count("org_users"), 0);
    assert_eq!(db.count("org_plans"), 0);
    assert_eq!(db.count("audit_log"), 0);
}

#[test]
fn creates_org_plan_user_membership_and_audit_rows() {
    let db = TestDb::migrated();
    let out = db
        .dalgo(&["createorganduser", "Acme NGO", " Asha@Acme.ORG ", "--role", "super-admin", "--output", "json"])
        .env("PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["org"]["slug"], "acme-ngo");
    assert_eq!(
        (r["org_created"].clone(), r["plan_created"].clone(), r["user_created"].clone()),
        (true.into(), true.into(), true.into())
    );
    assert_eq!(r["email"], "Asha@acme.org");
    assert_eq!(r["membership"], serde_json::json!({"role": "super-admin", "created": true}));

    assert_eq!(db.rows("SELECT name, slug FROM orgs"), ["Acme NGO|acme-ngo"]);
    assert_eq!(
        db.rows("SELECT base_plan, subscription_duration, can_upgrade_plan, superset_included FROM org_plans"),
        ["Internal|Monthly|t|f"]
    );
    assert_eq!(db.rows("SELECT email, email_verified, can_create_orgs FROM users"), ["Asha@acme.org|t|t"]);
    let hash = db.scalar("SELECT password FROM users");
    assert!(hash.starts_with("pbkdf2_sha256$600000$"), "{hash}");
    assert!(db.password_works("Asha@acme.org", "correct horse"));
    assert_eq!(
        db.rows("SELECT o.slug, r.slug, ou.email_verified FROM org_users ou JOIN orgs o ON o.id = ou.org_id JOIN roles r ON r.id = ou.role_id"),
        ["acme-ngo|super-admin|t"]
    );
    assert_eq!(
        db.rows("SELECT actor, action, resource_type, org_slug FROM audit_log ORDER BY id"),
        [
            "tester|create|org|acme-ngo",
            "tester|create|org_plan|acme-ngo",
            "tester|create|user|",
            "tester|create|org_user|acme-ngo"
        ]
    );
}

#[test]
fn rerunning_is_harmless_and_leaves_the_password_alone() {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "asha@acme.org", "admin");
    let hash = db.scalar("SELECT password FROM users");
    let out = db
        .dalgo(&["createorganduser", "ACME ngo", "ASHA@acme.org", "--output", "json"])
        .env("PASSWORD", "another password")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("password was left unchanged"));
    let r = json(&out);
    assert_eq!((r["org_created"].as_bool(), r["user_created"].as_bool()), (Some(false), Some(false)));
    assert_eq!(r["password"], "unchanged");
    assert_eq!(r["membership"]["created"], false);
    assert_eq!(db.scalar("SELECT password FROM users"), hash);
    assert_eq!((db.count("orgs"), db.count("users"), db.count("org_users"), db.count("audit_log")), (1, 1, 1, 4));
}

#[test]
fn an_existing_member_keeps_its_role_and_is_told() {
    let db = TestDb::migrated();
    onboard(&db, "Acme", "a@acme.org", "analyst");
    db.dalgo(&["createorganduser", "Acme", "a@acme.org", "--role", "admin"])
        .assert()
        .success()
        .stderr(contains("already a member of acme with role analyst"));
    assert_eq!(db.scalar("SELECT r.slug FROM org_users ou JOIN roles r ON r.id = ou.role_id"), "analyst");
}

#[test]
fn invalid_email_exits_65_and_writes_nothing() {
    let db = TestDb::migrated();
    for bad in ["not-an-email", "a@b", "two@@example.org", ""] {
        db.dalgo(&["createorganduser", "Acme", bad])
            .env("PASSWORD", "pw")
            .assert()
            .code(65)
            .stderr(contains("error: invalid email address"));
    }
    nothing_written(&db);
}

#[test]
fn unknown_role_exits_65_lists_the_roles_and_writes_nothing() {
    let db = TestDb::migrated();
    db.dalgo(&["createorganduser", "Acme", "a@acme.org", "--role", "owner"])
        .env("PASSWORD", "pw")
        .assert()
        .code(65)
        .stderr(contains("unknown role \"owner\"; valid roles: super-admin, admin, analyst, member"));
    // Checked before any password is asked for.
    db.dalgo(&["createorganduser", "Acme", "a@acme.org", "--role", "owner"]).assert().code(65);
    nothing_written(&db);
}

#[test]
fn bad_org_names_exit_65() {
    let db = TestDb::migrated();
    for bad in ["   ", &"x".repeat(51)] {
        db.dalgo(&["createorganduser", bad, "a@acme.org"]).env("PASSWORD", "pw").assert().code(65);
    }
    nothing_written(&db);
}

#[test]
fn no_password_and_no_terminal_is_a_usage_error_naming_the_flag() {
    let db = TestDb::migrated();
    db.dalgo(&["createorganduser", "Acme", "a@acme.org"]).assert().code(2).stderr(contains("--password-stdin"));
    nothing_written(&db);
    // An empty password on stdin is bad input.
    db.dalgo(&["createorganduser", "Acme", "a@acme.org", "--password-stdin"]).write_stdin("\n").assert().code(65);
    nothing_written(&db);
}

#[test]
fn password_sources_stdin_then_positional_with_a_warning() {
    let db = TestDb::migrated();
    db.dalgo(&["createorganduser", "Acme", "stdin@acme.org", "--password-stdin"])
        .write_stdin("from stdin\n")
        .assert()
        .success();
    assert!(db.password_works("stdin@acme.org", "from stdin"));

    db.dalgo(&["createorganduser", "Acme", "arg@acme.org", "positional pw"])
        .env("PASSWORD", "ignored")
        .assert()
        .success()
        .stderr(contains("warning: a password given as an argument is visible"));
    assert!(db.password_works("arg@acme.org", "positional pw"));
}

#[test]
fn slugs_are_unique_non_empty_and_within_twenty_characters() {
    let db = TestDb::migrated();
    for name in
        ["Acme Org", "Acme-Org", "acme   org!", "ACME ORG", "संस्था", "Café Ünïcode", "The Quick Brown Fox Jumps Over"]
    {
        onboard(&db, name, "admin@example.org", "admin");
    }
    assert_eq!(
        db.rows("SELECT name, slug FROM orgs ORDER BY id"),
        [
            "Acme Org|acme-org",
            "Acme-Org|acme-org-2",
            "acme   org!|acme-org-3",
            &format!("संस्था|{}", db.scalar("SELECT slug FROM orgs WHERE name = 'संस्था'")),
            "Café Ünïcode|cafe-unicode",
            "The Quick Brown Fox Jumps Over|the-quick-brown-fox",
        ]
    );
    let devanagari = db.scalar("SELECT slug FROM orgs WHERE name = 'संस्था'");
    assert!(devanagari.starts_with("org-") && devanagari.len() == 12, "{devanagari}");
    // "ACME ORG" is "Acme Org": the same org, so one membership there.
    assert_eq!(db.count("org_users"), 6);
}

#[test]
fn eight_concurrent_runs_leave_one_org_user_and_membership() {
    let db = TestDb::migrated();
    let args = ["createorganduser", "Concurrent NGO", "boss@ngo.org", "--role", "admin"];
    let children: Vec<_> = (0..8).map(|_| db.spawn(&args, &[("PASSWORD", "pw")])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!((db.count("orgs"), db.count("users"), db.count("org_users"), db.count("org_plans")), (1, 1, 1, 1));
    assert_eq!(db.count("audit_log"), 4);
}

#[test]
fn system_user_is_created_once_with_an_orgless_admin_membership() {
    let db = TestDb::migrated();
    let first = json(&db.dalgo(&["create-system-orguser", "--output", "json"]).output().unwrap());
    assert_eq!(first["user_created"], true);
    assert_eq!(first["membership"], serde_json::json!({"role": "admin", "created": true}));
    let again = json(&db.dalgo(&["create-system-orguser", "--output", "json"]).output().unwrap());
    assert_eq!((again["user_created"].as_bool(), again["membership"]["created"].as_bool()), (Some(false), Some(false)));
    assert_eq!(
        db.rows("SELECT u.email, u.is_system, ou.org_id IS NULL, r.slug FROM users u JOIN org_users ou ON ou.user_id = u.id JOIN roles r ON r.id = ou.role_id"),
        ["System User|t|t|admin"]
    );
    // Django's unusable password: "!" and random text, which no password matches.
    assert!(db.scalar("SELECT password FROM users").starts_with('!'));
    let list = json(&db.dalgo(&["user", "list", "--output", "json"]).output().unwrap());
    assert_eq!(list[0]["org"], serde_json::Value::Null);
    assert_eq!(list[0]["role"], "admin");
}

/// The README's first command (`scripts/quickstart.sh` builds, then runs
/// `scripts/demo.sh`): it prints a generated admin password only on the run
/// that set it. A re-run used to print a new password that was never set.
#[test]
fn the_demo_prints_a_generated_password_only_when_it_set_it() {
    let db = TestDb::new();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/demo.sh");
    let run = || {
        let out = db.program("bash", &[script, env!("CARGO_BIN_EXE_dalgo")]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };

    let first = run();
    let err = stderr(&first);
    let shown = err.lines().find_map(|l| l.split("its password (shown once): ").nth(1)).expect(&err).to_string();
    assert!(db.password_works("admin@demo-ngo.example", &shown));
    assert!(String::from_utf8_lossy(&first.stdout).contains("admin@demo-ngo.example"), "the admin is shown");

    let hash = db.scalar("SELECT password FROM users WHERE email = 'admin@demo-ngo.example'");
    let again = stderr(&run());
    assert!(!again.contains("password (shown once)"), "{again}");
    assert!(again.contains("exists; its password was left unchanged"), "{again}");
    assert_eq!(db.scalar("SELECT password FROM users WHERE email = 'admin@demo-ngo.example'"), hash);
    assert_eq!(db.count("orgs"), 1);
}

/// The README's first command itself, with cargo stood in for by a shim
/// that records its arguments and puts this build's binary where the
/// release build would go. quickstart builds with cargo's progress (it used
/// to pass --quiet: twenty silent minutes) into CARGO_TARGET_DIR (it used to
/// run target/release/dalgo whatever CARGO_TARGET_DIR said, and fail), then
/// migrates and shows the demo org.
#[test]
fn quickstart_builds_with_progress_into_cargo_target_dir_then_runs_the_demo() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new();
    let (shims, target, args) = (db.home().join("shims"), db.home().join("elsewhere"), db.home().join("cargo-args"));
    std::fs::create_dir_all(&shims).unwrap();
    let cargo = shims.join("cargo");
    let shim = format!(
        "#!/bin/sh\necho \"$@\" > '{}'\nmkdir -p \"$CARGO_TARGET_DIR/release\"\nln -s '{}' \"$CARGO_TARGET_DIR/release/dalgo\"\n",
        args.display(),
        env!("CARGO_BIN_EXE_dalgo")
    );
    std::fs::write(&cargo, shim).unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/quickstart.sh");
    let out = db
        .program("bash", &[script])
        .env("PATH", format!("{}:{}", shims.display(), std::env::var("PATH").unwrap_or_default()))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&args).unwrap().trim(), "build --release --locked -p dalgo-cli");
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin@demo-ngo.example"), "the demo org is shown");
    assert_eq!(db.rows("SELECT slug FROM orgs"), ["demo-ngo"]);
    // It ends saying where the binary is and what to try next (it used to end without a word).
    let err = stderr(&out);
    assert!(err.contains("dalgo is built: ") && err.contains("org show demo-ngo"), "{err}");
    assert!(err.contains("provision.sh --prefect"), "{err}");
}

/// `provision.sh --prefect` is the recipe for a Prefect server to try
/// pipelines with: it starts one, waits for it, and prints the line that
/// points dalgo at it; run again, it finds it running.
#[test]
fn provision_starts_a_prefect_server_for_trying_pipelines() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let database = format!("dalgo_test_recipe_{}", std::process::id());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/provision.sh");
    let run = || {
        std::process::Command::new("bash")
            .arg(script)
            .arg("--prefect")
            .env("DALGO_PREFECT_PORT", &port)
            .env("DALGO_PREFECT_DATABASE", &database)
            .output()
            .unwrap()
    };
    let out = run();
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(&std::env::var_os("HOME").unwrap()).join(".cache"));
    let home = cache.join(format!("dalgo/prefect-{port}"));
    let pid = std::fs::read_to_string(home.join("server.pid")).unwrap_or_default();
    let stop = || {
        std::process::Command::new("kill").args(["-TERM", "--", pid.trim()]).status().unwrap();
        crate::common::wait_for(
            || (!std::path::Path::new(&format!("/proc/{}", pid.trim())).exists()).then_some(()),
            "Prefect to stop",
        );
        let _ = std::fs::remove_dir_all(&home);
        std::process::Command::new("psql")
            .args(["-X", "-q", "-h", "/var/run/postgresql", "-d", "postgres", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"))
            .status()
            .unwrap();
    };
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let ok = out.status.success()
        && printed.trim_end().ends_with(&format!("export PREFECT_API_URL=http://127.0.0.1:{port}/api"));
    let again = run();
    stop();
    assert!(ok, "{printed}{}", stderr(&out));
    assert!(again.status.success() && !stderr(&again).contains("starting a Prefect server"), "{}", stderr(&again));
}
