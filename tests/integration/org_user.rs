//! `dalgo org`, `dalgo user`, `dalgo role`.

use predicates::str::contains;
use serde_json::json;

use crate::common::{TestDb, json, onboard, stderr};

fn two_orgs() -> TestDb {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "super-admin");
    onboard(&db, "Acme NGO", "analyst@acme.org", "analyst");
    onboard(&db, "Beta Trust", "boss@beta.org", "admin");
    // A consultant in both orgs.
    onboard(&db, "Acme NGO", "consultant@example.org", "admin");
    onboard(&db, "Beta Trust", "consultant@example.org", "analyst");
    db
}

/// For scripts: `-o name` gives one identifier per line, `--no-headers` a
/// table without its header line (`-q` silences messages, not results).
#[test]
fn names_and_headerless_tables_for_scripts() {
    let db = two_orgs();
    let stdout = |args: &[&str]| {
        let out = db.dalgo(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(stdout(&["org", "list", "-o", "name"]), "acme-ngo\nbeta-trust\n");
    assert_eq!(stdout(&["org", "show", "acme-ngo", "-o", "name"]), "acme-ngo\n");
    assert_eq!(
        stdout(&["user", "list", "--org", "acme-ngo", "-o", "name"]),
        "analyst@acme.org\nboss@acme.org\nconsultant@example.org\n"
    );
    let headed = stdout(&["org", "list"]);
    let bare = stdout(&["org", "list", "--no-headers"]);
    assert!(headed.starts_with(" NAME"), "{headed}");
    assert_eq!(bare.lines().count(), 2, "{bare}");
    assert!(bare.starts_with(" Acme NGO ") && !bare.contains("SLUG"), "{bare}");
    assert_eq!(stdout(&["org", "list", "-q", "-o", "name"]), "acme-ngo\nbeta-trust\n");
}

#[test]
fn org_list_and_show_json_contracts() {
    let db = two_orgs();
    let list = json(&db.dalgo(&["org", "list", "--output", "json"]).output().unwrap());
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["name"], "Acme NGO");
    assert_eq!(rows[0]["slug"], "acme-ngo");
    assert!(rows[0]["created_at"].as_str().unwrap().ends_with('Z'));
    // One key, one meaning: the plan's name and the member count are spelt
    // the same in `org list` and `org show`.
    assert_eq!((&rows[0]["member_count"], &rows[0]["base_plan"]), (&json!(3), &json!("Internal")));
    assert_eq!(rows[1]["slug"], "beta-trust");

    let show = json(&db.dalgo(&["org", "show", "acme-ngo", "--output", "json"]).output().unwrap());
    assert_eq!(show["name"], "Acme NGO");
    assert_eq!((&show["member_count"], &show["base_plan"]), (&json!(3), &json!("Internal")));
    assert_eq!(show["plan"]["base_plan"], "Internal");
    assert_eq!(show["airbyte_workspace_id"], serde_json::Value::Null);
    let members: Vec<_> = show["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        members,
        [("analyst@acme.org", "analyst"), ("boss@acme.org", "super-admin"), ("consultant@example.org", "admin")]
    );
    insta::assert_json_snapshot!("org_show_json", show, {
        ".uuid" => "[uuid]", ".created_at" => "[ts]", ".updated_at" => "[ts]", ".members[].joined_at" => "[ts]"
    });
}

#[test]
fn org_show_table_and_unknown_org() {
    let db = two_orgs();
    let out = db.dalgo(&["org", "show", "beta-trust"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Beta Trust") && text.contains("boss@beta.org") && text.contains("Internal"), "{text}");
    db.dalgo(&["org", "show", "nope"]).assert().code(67).stderr(contains("no org with slug \"nope\""));
    db.dalgo(&["org", "delete", "nope", "--yes"]).assert().code(67);
}

#[test]
fn org_delete_needs_confirmation_without_a_terminal() {
    let db = two_orgs();
    db.dalgo(&["org", "delete", "acme-ngo"]).assert().code(2).stderr(contains("--yes"));
    assert_eq!(db.count("orgs"), 2);
}

#[test]
fn org_delete_dry_run_lists_and_changes_nothing() {
    let db = two_orgs();
    db.dalgo(&["manage-feature-flags", "REPORTS", "--enable", "--org-slug", "acme-ngo"]).assert().success();
    let before = db.scalar("SELECT (SELECT count(*) FROM orgs) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM audit_log)");
    let r = json(&db.dalgo(&["org", "delete", "acme-ngo", "--dry-run", "--output", "json"]).output().unwrap());
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["memberships"].as_array().unwrap().len(), 3);
    assert_eq!(r["users_removed"], serde_json::json!(["analyst@acme.org", "boss@acme.org"]));
    assert_eq!((r["plan"].as_bool(), r["feature_flag_overrides"].as_i64()), (Some(true), Some(1)));
    let text = db.dalgo(&["org", "delete", "acme-ngo", "--dry-run"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("would delete 2 user(s) left with no membership"));
    let after = db.scalar("SELECT (SELECT count(*) FROM orgs) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM audit_log)");
    assert_eq!(before, after);
}

#[test]
fn org_delete_removes_rows_and_orphaned_users_only() {
    let db = two_orgs();
    db.dalgo(&["create-system-orguser"]).assert().success();
    db.dalgo(&["manage-feature-flags", "REPORTS", "--enable", "--org-slug", "acme-ngo"]).assert().success();
    let out = db.dalgo(&["org", "delete", "acme-ngo", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(db.rows("SELECT slug FROM orgs"), ["beta-trust"]);
    assert_eq!(
        db.rows("SELECT email FROM users ORDER BY email COLLATE \"C\""),
        ["System User", "boss@beta.org", "consultant@example.org"]
    );
    assert_eq!(db.count("org_plans"), 1);
    assert_eq!(db.count("feature_flag_values"), 0);
    assert_eq!(db.count("org_users WHERE org_id IS NULL"), 1);
    // The audit trail survives, keyed by slug.
    assert_eq!(db.rows("SELECT action, org_id IS NULL FROM audit_log WHERE org_slug = 'acme-ngo' AND resource_type = 'org' ORDER BY id"), ["create|t", "delete|t"]);
    // Idempotent from a script's point of view: the org is gone.
    db.dalgo(&["org", "delete", "acme-ngo", "--yes"]).assert().code(67);
}

#[test]
fn user_list_json_contract_and_org_filter() {
    let db = two_orgs();
    let all = json(&db.dalgo(&["user", "list", "--output", "json"]).output().unwrap());
    assert_eq!(all.as_array().unwrap().len(), 5);
    let beta = json(&db.dalgo(&["user", "list", "--org", "beta-trust", "--output", "json"]).output().unwrap());
    let rows: Vec<_> = beta
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!("{}|{}|{}", m["email"].as_str().unwrap(), m["org"].as_str().unwrap(), m["role"].as_str().unwrap())
        })
        .collect();
    assert_eq!(rows, ["boss@beta.org|beta-trust|admin", "consultant@example.org|beta-trust|analyst"]);
    db.dalgo(&["user", "list", "--org", "nope"]).assert().code(67);
    // DALGO_ORG is every --org's default, user list's too (it listed every org's users).
    let scoped =
        json(&db.dalgo(&["user", "list", "--output", "json"]).env("DALGO_ORG", "beta-trust").output().unwrap());
    assert_eq!(scoped, beta);
    // Help never shows an unset variable as `DALGO_ORG=`.
    let help = db.dalgo(&["user", "add", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[env: DALGO_ORG]") && !help.contains("DALGO_ORG="), "{help}");
}

#[test]
fn user_add_creates_or_reuses_and_refuses_a_conflicting_role() {
    let db = two_orgs();
    let r = json(
        &db.dalgo(&["user", "add", "new@beta.org", "--org", "beta-trust", "--role", "member", "--output", "json"])
            .env("PASSWORD", "pw1")
            .output()
            .unwrap(),
    );
    assert_eq!((r["user_created"].as_bool(), r["membership"]["created"].as_bool()), (Some(true), Some(true)));
    // An existing user needs no password.
    db.dalgo(&["user", "add", "boss@acme.org", "--org", "beta-trust", "--role", "analyst"]).assert().success();
    db.dalgo(&["user", "add", "boss@acme.org", "--org", "beta-trust", "--role", "analyst"])
        .assert()
        .success()
        .stdout(contains("already a member"));
    db.dalgo(&["user", "add", "boss@acme.org", "--org", "beta-trust", "--role", "admin"])
        .assert()
        .code(65)
        .stderr(contains("set-role"));
    db.dalgo(&["user", "add", "x@beta.org", "--org", "beta-trust"]).assert().code(2);
    db.dalgo(&["user", "add", "x@beta.org", "--org", "nope"]).env("PASSWORD", "pw").assert().code(67);
    assert_eq!(db.count("users WHERE email = 'x@beta.org'"), 0);
    assert_eq!(db.count("org_users"), 7);
}

#[test]
fn user_set_role_remove_and_set_password() {
    let db = two_orgs();
    let r = json(
        &db.dalgo(&[
            "user",
            "set-role",
            "analyst@acme.org",
            "--org",
            "acme-ngo",
            "--role",
            "admin",
            "--output",
            "json",
        ])
        .output()
        .unwrap(),
    );
    assert_eq!(
        (r["old_role"].as_str(), r["new_role"].as_str(), r["changed"].as_bool()),
        (Some("analyst"), Some("admin"), Some(true))
    );
    db.dalgo(&["user", "set-role", "analyst@acme.org", "--org", "beta-trust", "--role", "admin"]).assert().code(67);
    db.dalgo(&["user", "set-role", "ghost@acme.org", "--org", "acme-ngo", "--role", "admin"]).assert().code(67);
    db.dalgo(&["user", "set-role", "analyst@acme.org", "--org", "acme-ngo", "--role", "boss"]).assert().code(65);

    db.dalgo(&["user", "set-password", "analyst@acme.org", "--password-stdin"])
        .write_stdin("n3w pass")
        .assert()
        .success();
    assert!(db.password_works("analyst@acme.org", "n3w pass"));
    db.dalgo(&["user", "set-password", "analyst@acme.org"]).assert().code(2);

    db.dalgo(&["user", "remove", "consultant@example.org", "--org", "acme-ngo"]).assert().code(2);
    let r = json(
        &db.dalgo(&["user", "remove", "consultant@example.org", "--org", "acme-ngo", "--yes", "--output", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(r["user_deleted"], false);
    let r = json(
        &db.dalgo(&["user", "remove", "analyst@acme.org", "--org", "acme-ngo", "--yes", "--output", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(r["user_deleted"], true);
    assert_eq!(db.count("users WHERE email = 'analyst@acme.org'"), 0);
    assert_eq!(
        db.rows("SELECT action || ':' || resource_type FROM audit_log WHERE resource_id = 'analyst@acme.org' AND action <> 'create' ORDER BY id"),
        ["update:org_user", "update:user", "delete:org_user"]
    );
}

#[test]
fn role_list_and_show() {
    let db = TestDb::migrated();
    let out = db.dalgo(&["role", "list"]).output().unwrap();
    insta::assert_snapshot!("role_list_table", String::from_utf8(out.stdout).unwrap());
    let roles = json(&db.dalgo(&["role", "list", "--output", "json"]).output().unwrap());
    insta::assert_json_snapshot!("role_list_json", roles);
    let admin = json(&db.dalgo(&["role", "show", "admin", "--output", "json"]).output().unwrap());
    let perms = admin["permissions"].as_array().unwrap();
    assert_eq!(perms.len(), 83);
    assert!(!perms.iter().any(|p| p["slug"] == "can_create_org"));
    db.dalgo(&["role", "show", "owner"]).assert().code(65).stderr(contains("valid roles"));
}

/// A near miss is suggested for a prefix of a slug (`acme` → `acme-ngo`;
/// it was missed) and for a mistyped email (users had no suggestion).
#[test]
fn near_misses_of_slugs_and_emails_are_suggested() {
    let db = two_orgs();
    db.dalgo(&["org", "show", "acme"]).assert().code(67).stderr(predicates::str::contains("did you mean acme-ngo?"));
    db.dalgo(&["user", "set-role", "boss@acme.or", "--org", "acme-ngo", "--role", "admin"])
        .assert()
        .code(67)
        .stderr(predicates::str::contains("did you mean boss@acme.org?"));
    db.dalgo(&["user", "set-password", "analyst@acme.orgg", "--password-stdin"])
        .write_stdin("pw\n")
        .assert()
        .code(67)
        .stderr(predicates::str::contains("did you mean analyst@acme.org?"));
}

/// `dalgo audit list` reads the audit log: by org (a deleted org's too), by
/// actor, since a time, at most N, newest first; JSON for scripts.
#[test]
fn the_audit_log_is_read_by_org_actor_and_age() {
    let db = two_orgs();
    db.dalgo(&["user", "set-role", "analyst@acme.org", "--org", "acme-ngo", "--role", "admin"])
        .env("DALGO_ACTOR", "asha")
        .assert()
        .success();
    let list = |args: &[&str]| {
        let mut full = vec!["audit", "list", "-o", "json"];
        full.extend_from_slice(args);
        let out = db.dalgo(&full).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out).as_array().unwrap().clone()
    };
    let acme = list(&["--org", "acme-ngo"]);
    assert!(!acme.is_empty() && acme.iter().all(|e| e["org"] == "acme-ngo"), "{acme:?}");
    let by_asha = list(&["--actor", "asha"]);
    assert_eq!(by_asha.len(), 1);
    assert_eq!(
        (by_asha[0]["action"].as_str(), by_asha[0]["resource_type"].as_str()),
        (Some("update"), Some("org_user"))
    );
    assert_eq!(list(&["--limit", "1"])[0]["actor"], "asha", "newest first");
    assert_eq!(list(&["--since", "1h"]).len(), list(&[]).len());
    db.dalgo(&["org", "delete", "beta-trust", "--yes"]).assert().success();
    assert!(list(&["--org", "beta-trust"]).iter().any(|e| e["resource_type"] == "org" && e["action"] == "delete"));
}

/// `org plan set|show`: Dalgo's plans in any case, what Dalgo derives from
/// them, dates that no time zone shifts, idempotence, and refusals.
#[test]
fn org_plans_are_set_as_dalgo_derives_them_and_shown_with_its_names() {
    let db = two_orgs();
    // A session time zone far from UTC: the dates must not move.
    db.exec(&format!("ALTER DATABASE \"{}\" SET timezone TO 'Pacific/Kiritimati'", db.name));
    let set = [
        "org",
        "plan",
        "set",
        "--org",
        "acme-ngo",
        "--plan",
        "DALGO",
        "--duration",
        "annual",
        "--superset",
        "yes",
        "--start",
        "2026-01-01",
        "--end",
        "2026-12-31",
        "-o",
        "json",
    ];
    let first = json(&db.dalgo(&set).output().unwrap());
    assert_eq!(first["changed"], true);
    let plan = &first["plan"];
    assert_eq!((plan["base_plan"].as_str(), plan["subscription_duration"].as_str()), (Some("Dalgo"), Some("Annual")));
    assert_eq!((plan["superset_included"].as_bool(), plan["can_upgrade_plan"].as_bool()), (Some(true), Some(false)));
    assert_eq!((plan["start_date"].as_str(), plan["end_date"].as_str()), (Some("2026-01-01"), Some("2026-12-31")));
    assert!(plan["features"]["superset"].is_array() && plan["features"]["pipeline"].is_array(), "{plan}");
    // Stored as midnight UTC, whatever the session's zone.
    assert_eq!(
        db.scalar("SELECT (start_date AT TIME ZONE 'UTC')::text FROM org_plans p JOIN orgs o ON o.id = p.org_id WHERE o.slug = 'acme-ngo'"),
        "2026-01-01 00:00:00"
    );
    let audited = || db.scalar("SELECT count(*) FROM audit_log WHERE resource_type = 'org_plan' AND action = 'update'");
    assert_eq!(audited(), "1");

    // The same plan again changes nothing, not even updated_at.
    let updated = || {
        db.scalar("SELECT p.updated_at::text FROM org_plans p JOIN orgs o ON o.id = p.org_id WHERE o.slug = 'acme-ngo'")
    };
    let before = updated();
    let again = db.dalgo(&set).output().unwrap();
    assert_eq!(json(&again)["changed"], false);
    assert!(stderr(&again).contains("nothing changed"), "{}", stderr(&again));
    assert_eq!((updated(), audited()), (before, "1".to_string()));

    // Shown with the same names by `org plan show` and `org show`.
    let shown = json(&db.dalgo(&["org", "plan", "show", "--org", "acme-ngo", "-o", "json"]).output().unwrap());
    assert_eq!(&shown, plan);
    let org = json(&db.dalgo(&["org", "show", "acme-ngo", "-o", "json"]).output().unwrap());
    assert_eq!(&org["plan"], plan);
    assert_eq!(org["base_plan"], "Dalgo");

    // A window that ends before it starts is refused, and nothing changes.
    let plan_set = |args: &[&str]| db.dalgo(&[&["org", "plan", "set", "--org", "acme-ngo"], args].concat());
    plan_set(&["--plan", "free trial", "--duration", "trial", "--start", "2027-02-01", "--end", "2027-01-31"])
        .assert()
        .code(65)
        .stderr(contains("ends (2027-01-31) before it starts (2027-02-01)"));
    assert_eq!(json(&db.dalgo(&["org", "plan", "show", "--org", "acme-ngo", "-o", "json"]).output().unwrap()), shown);
    plan_set(&["--plan", "Gold", "--duration", "annual"]).assert().code(2);
    db.dalgo(&["org", "plan", "show", "--org", "ghost"]).assert().code(67);
    let trial = json(&plan_set(&["--plan", "free trial", "--duration", "trial", "-o", "json"]).output().unwrap());
    assert_eq!(
        (trial["plan"]["base_plan"].as_str(), trial["plan"]["can_upgrade_plan"].as_bool()),
        (Some("Free Trial"), Some(true))
    );
    assert!(trial["plan"]["start_date"].is_null(), "a plan set without dates has none");
}

/// `user attributes`: Dalgo's four, shown and set in one transaction;
/// refusals as manage-user-attributes should have made them.
#[test]
fn user_attributes_are_shown_and_set() {
    let db = two_orgs();
    let shown = json(&db.dalgo(&["user", "attributes", "analyst@acme.org", "-o", "json"]).output().unwrap());
    assert_eq!(shown["is_consultant"], false);
    assert_eq!(shown["is_platform_admin"], false);
    let set = [
        "user",
        "attributes",
        "Analyst@ACME.org",
        "--enable",
        "is_consultant",
        "--enable",
        "IS_PLATFORM_ADMIN",
        "--disable",
        "can_create_orgs",
        "-o",
        "json",
    ];
    let r = json(&db.dalgo(&set).output().unwrap());
    assert_eq!(r["changed"], true);
    assert_eq!((r["is_consultant"].as_bool(), r["is_platform_admin"].as_bool()), (Some(true), Some(true)));
    assert_eq!(r["can_create_orgs"], false);
    assert_eq!(
        db.rows("SELECT can_create_orgs, is_consultant, is_platform_admin FROM users WHERE email = 'analyst@acme.org'"),
        ["f|t|t"]
    );
    let audited =
        || db.scalar("SELECT count(*) FROM audit_log WHERE resource_type = 'user' AND details ? 'attributes'");
    assert_eq!(audited(), "1");
    let again = db.dalgo(&set).output().unwrap();
    assert_eq!(json(&again)["changed"], false);
    assert!(stderr(&again).contains("nothing changed"), "{}", stderr(&again));
    assert_eq!(audited(), "1");

    db.dalgo(&["user", "attributes", "analyst@acme.org", "--enable", "is_admin"])
        .assert()
        .code(65)
        .stderr(contains("is_platform_admin"));
    db.dalgo(&["user", "attributes", "analyst@acme.org", "--enable", "is_consultant", "--disable", "is_consultant"])
        .assert()
        .code(65)
        .stderr(contains("both enabled and disabled"));
    db.dalgo(&["user", "attributes", "nobody@acme.org", "--enable", "is_consultant"]).assert().code(67);
    assert_eq!(audited(), "1", "nothing written on bad input");
}
