//! `dalgo manage-feature-flags`.

use predicates::str::contains;

use crate::common::{TestDb, json, onboard, stderr};

fn with_org() -> TestDb {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    db
}

fn flags(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["manage-feature-flags"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--output", "json"]);
    let out = db.dalgo(&full).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out)
}

#[test]
fn global_enable_and_disable_report_what_changed() {
    let db = with_org();
    db.dalgo(&["manage-feature-flags", "DATA_QUALITY", "--enable"])
        .assert()
        .success()
        .stdout("DATA_QUALITY enabled globally\n");
    db.dalgo(&["manage-feature-flags", "DATA_QUALITY", "--enable"])
        .assert()
        .success()
        .stdout("DATA_QUALITY already enabled globally\n");
    db.dalgo(&["manage-feature-flags", "DATA_QUALITY", "--disable"])
        .assert()
        .success()
        .stdout("DATA_QUALITY disabled globally\n");
    db.dalgo(&["manage-feature-flags", "DATA_QUALITY", "--disable"])
        .assert()
        .success()
        .stdout("DATA_QUALITY already disabled globally\n");
    assert_eq!(db.rows("SELECT org_id IS NULL, flag_name, value FROM feature_flag_values"), ["t|DATA_QUALITY|f"]);
    let c = flags(&db, &["REPORTS", "--disable"]);
    assert_eq!(
        c,
        serde_json::json!({"flag": "REPORTS", "scope": "global", "old": null, "new": false, "result": "disabled", "changed": true})
    );
}

#[test]
fn org_overrides_both_ways_clear_and_effective_values() {
    let db = with_org();
    // No rows at all: everything defaults to false.
    let effective = flags(&db, &["--list-all", "--org-slug", "acme-ngo"]);
    assert_eq!(effective.as_object().unwrap().len(), 7);
    assert!(effective.as_object().unwrap().values().all(|v| v == false));

    flags(&db, &["DATA_QUALITY", "--enable"]);
    flags(&db, &["REPORTS", "--enable"]);
    flags(&db, &["DATA_QUALITY", "--disable", "--org-slug", "acme-ngo"]);
    flags(&db, &["EMBED_SUPERSET", "--enable", "--org-slug", "acme-ngo"]);
    let org = flags(&db, &["--list-all", "--org-slug", "acme-ngo"]);
    assert_eq!(
        org,
        serde_json::json!({"AI_DATA_ANALYSIS": false, "DATA_QUALITY": false, "DATA_STATISTICS": false,
            "EMBED_SUPERSET": true, "LOG_SUMMARIZATION": false, "REPORTS": true, "USAGE_DASHBOARD": false})
    );
    let global = flags(&db, &["--list-all"]);
    assert_eq!((global["DATA_QUALITY"].as_bool(), global["EMBED_SUPERSET"].as_bool()), (Some(true), Some(false)));

    let table = db.dalgo(&["manage-feature-flags", "--list-all", "--org-slug", "acme-ngo"]).output().unwrap();
    insta::assert_snapshot!("flags_list_all_org_table", String::from_utf8(table.stdout).unwrap());

    let cleared = flags(&db, &["DATA_QUALITY", "--clear", "--org-slug", "acme-ngo"]);
    assert_eq!((cleared["old"].as_bool(), cleared["result"].as_str()), (Some(false), Some("cleared")));
    assert_eq!(flags(&db, &["--list-all", "--org-slug", "acme-ngo"])["DATA_QUALITY"], true);
    let again = flags(&db, &["DATA_QUALITY", "--clear", "--org-slug", "acme-ngo"]);
    assert_eq!((again["changed"].as_bool(), again["result"].as_str()), (Some(false), Some("nothing to clear")));
    assert_eq!(
        db.rows("SELECT action, org_slug, details->>'old', details->>'new' FROM audit_log WHERE resource_type = 'feature_flag' AND resource_id = 'DATA_QUALITY' ORDER BY id"),
        ["create|||true", "create|acme-ngo||false", "delete|acme-ngo|false|"]
    );
}

#[test]
fn unknown_flag_exits_65_and_unknown_org_67_writing_nothing() {
    let db = with_org();
    db.dalgo(&["manage-feature-flags", "NOT_A_FLAG", "--enable"])
        .assert()
        .code(65)
        .stderr(contains("valid flags: AI_DATA_ANALYSIS, DATA_QUALITY"));
    db.dalgo(&["manage-feature-flags", "REPORTS", "--enable", "--org-slug", "nope"]).assert().code(67);
    db.dalgo(&["manage-feature-flags", "--list-all", "--org-slug", "nope"]).assert().code(67);
    db.dalgo(&["manage-feature-flags", "REPORTS", "--clear", "--org-slug", "nope"]).assert().code(67);
    assert_eq!(db.count("feature_flag_values"), 0);
    assert_eq!(db.count("audit_log WHERE resource_type = 'feature_flag'"), 0);
}

/// Flag names and role slugs are matched in any case, and a near miss is
/// suggested (both used to list the valid names only, and `reports` or
/// `ADMIN` were unknown).
#[test]
fn flags_and_roles_are_case_insensitive_with_did_you_mean() {
    let db = with_org();
    db.dalgo(&["manage-feature-flags", "REPORT", "--enable"])
        .assert()
        .code(65)
        .stderr(contains("hint: did you mean REPORTS?"));
    db.dalgo(&["manage-feature-flags", "reports", "--enable"]).assert().success();
    assert_eq!(db.rows("SELECT flag_name, value FROM feature_flag_values"), ["REPORTS|t"]);
    db.dalgo(&["user", "add", "ana@acme.org", "--org", "acme-ngo", "--role", "analist"])
        .env("PASSWORD", "pw-for-tests")
        .assert()
        .code(65)
        .stderr(contains("hint: did you mean analyst?"));
    db.dalgo(&["user", "add", "ana@acme.org", "--org", "acme-ngo", "--role", "ANALYST"])
        .env("PASSWORD", "pw-for-tests")
        .assert()
        .success();
}

#[test]
fn missing_action_or_flag_is_a_usage_error() {
    let db = with_org();
    db.dalgo(&["manage-feature-flags"]).assert().code(2).stderr(contains("--enable"));
    db.dalgo(&["manage-feature-flags", "REPORTS"]).assert().code(2);
    db.dalgo(&["manage-feature-flags", "--enable"]).assert().code(2).stderr(contains("need the flag's name"));
    db.dalgo(&["manage-feature-flags", "REPORTS", "--enable", "--disable"]).assert().code(2);
    assert_eq!(db.count("feature_flag_values"), 0);
}

/// `--clear` without `--org` takes the global value back to the default
/// (off): it used to be a usage error, so a global value could never go.
#[test]
fn clear_without_an_org_removes_the_global_value() {
    let db = with_org();
    flags(&db, &["REPORTS", "--enable"]);
    let cleared = flags(&db, &["REPORTS", "--clear"]);
    assert_eq!((cleared["scope"].as_str(), cleared["result"].as_str()), (Some("global"), Some("cleared")));
    assert_eq!(db.count("feature_flag_values"), 0);
    assert_eq!(flags(&db, &["--list-all"])["REPORTS"], false);
    let again = flags(&db, &["REPORTS", "--clear"]);
    assert_eq!(again["changed"].as_bool(), Some(false));
    assert_eq!(
        db.count("audit_log WHERE resource_type = 'feature_flag'"),
        2,
        "the enable and the clear, not the no-op"
    );
}

#[test]
fn enable_all_global_is_one_transaction_and_idempotent() {
    let db = with_org();
    flags(&db, &["REPORTS", "--disable"]);
    let first = flags(&db, &["--enable-all-global"]);
    assert_eq!(first.as_array().unwrap().iter().filter(|c| c["new"] == true && c["old"] != true).count(), 7);
    db.dalgo(&["manage-feature-flags", "--enable-all-global"])
        .assert()
        .success()
        .stdout(contains("0 of 7 flags changed"));
    assert_eq!(db.count("feature_flag_values WHERE org_id IS NULL AND value"), 7);
    assert_eq!(db.count("feature_flag_values"), 7);
}

#[test]
fn concurrent_enables_leave_one_row() {
    let db = with_org();
    for args in [
        vec!["manage-feature-flags", "LOG_SUMMARIZATION", "--enable"],
        vec!["manage-feature-flags", "LOG_SUMMARIZATION", "--enable", "--org-slug", "acme-ngo"],
    ] {
        let children: Vec<_> = (0..4).map(|_| db.spawn(&args, &[])).collect();
        let outs: Vec<String> = children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                assert!(out.status.success(), "{}", stderr(&out));
                String::from_utf8(out.stdout).unwrap()
            })
            .collect();
        assert_eq!(outs.iter().filter(|o| !o.contains("already")).count(), 1, "{outs:?}");
    }
    assert_eq!(db.count("feature_flag_values"), 2);
    assert_eq!(db.count("audit_log WHERE resource_type = 'feature_flag'"), 2);
}
