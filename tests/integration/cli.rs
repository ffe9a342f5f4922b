//! Behaviour of the binary itself: help, completions, errors, pipes.

use std::process::Command;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::common::{TestDb, json, stderr};

#[test]
fn help_documents_exit_codes_and_configuration() {
    let db = TestDb::new();
    let out = db.dalgo(&["--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Exit codes:",
        "65    invalid input data",
        "69    a required service is unreachable",
        "DATABASE_URL",
        "createorganduser",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}");
    }
    db.dalgo(&["createorganduser", "--help"]).assert().success().stdout(contains("--password-stdin"));
}

#[test]
fn committed_completions_are_current() {
    let db = TestDb::new();
    for (shell, file) in [("bash", "dalgo.bash"), ("zsh", "_dalgo"), ("fish", "dalgo.fish")] {
        let out = db.dalgo(&["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read(format!("{}/../../completions/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(
            out.stdout == committed,
            "completions/{file} is stale: run scripts/gen-completions.sh and commit the result"
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let status = Command::new("bash")
        .args([
            "-c",
            &format!("set -o pipefail; '{}' completions zsh | head -c 10 > /dev/null", env!("CARGO_BIN_EXE_dalgo")),
        ])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn errors_are_one_line_or_json_on_stderr_with_nothing_on_stdout() {
    let db = TestDb::migrated();
    let out = db.dalgo(&["org", "show", "ghost"]).output().unwrap();
    assert_eq!(out.status.code(), Some(67));
    assert!(out.stdout.is_empty());
    assert_eq!(stderr(&out), "error: no org with slug \"ghost\"\nhint: `dalgo org list` shows the orgs\n");

    let out = db.dalgo(&["org", "show", "ghost", "--output", "json"]).output().unwrap();
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "not_found");
    assert_eq!(err["error"]["message"], "no org with slug \"ghost\"");
    // DALGO_OUTPUT selects the format too.
    let out = db.dalgo(&["role", "list"]).env("DALGO_OUTPUT", "json").output().unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().is_array());
}

#[test]
fn dotenv_in_the_working_directory_is_read_with_dalgo_names() {
    let db = TestDb::migrated();
    std::fs::write(db.home().join(".env"), format!("DBHOST={}\nDBNAME={}\n", crate::common::pg_host(), db.name))
        .unwrap();
    db.dalgo(&["role", "list"]).env_remove("DATABASE_URL").assert().success().stdout(contains("super-admin"));
    // The environment beats .env.
    db.dalgo(&["role", "list"]).env_remove("DATABASE_URL").env("DBNAME", "dalgo_no_such_db").assert().code(78);

    // From a directory below (a Dalgo checkout's subdirectory), the nearest
    // .env above is read, and `config show` names it; the nearer one wins.
    let below = db.home().join("ddp/scripts");
    std::fs::create_dir_all(&below).unwrap();
    let from_below = |args: &[&str]| {
        let mut cmd = db.dalgo(args);
        cmd.env_remove("DATABASE_URL").current_dir(&below);
        cmd
    };
    from_below(&["role", "list"]).assert().success().stdout(contains("super-admin"));
    let shown = from_below(&["config", "show"]).output().unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains(&format!(".env: {}", db.home().join(".env").display())), "{text}");
    std::fs::write(db.home().join("ddp/.env"), "DBNAME=dalgo_no_such_db\n").unwrap();
    from_below(&["role", "list"]).assert().code(78).stderr(contains("dalgo_no_such_db"));
    // Above the working directory, a .env another user owns is passed over;
    // the working directory's own is read whoever owns it.
    if std::os::unix::fs::chown(db.home().join("ddp/.env"), Some(65534), Some(65534)).is_ok() {
        from_below(&["role", "list"]).assert().success();
        let mut here = db.dalgo(&["role", "list"]);
        here.env_remove("DATABASE_URL").current_dir(db.home().join("ddp")).assert().code(78);
    }
}

#[test]
fn user_config_file_is_the_lowest_layer() {
    let db = TestDb::migrated();
    let dir = db.home().join(".config/dalgo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.yaml"), format!("DATABASE_URL: \"{}\"\n", db.url)).unwrap();
    db.dalgo(&["org", "list"]).env_remove("DATABASE_URL").assert().success();
    std::fs::write(dir.join("config.yaml"), "DATABASE_URL: [not, a, string]\n").unwrap();
    db.dalgo(&["org", "list"]).env_remove("DATABASE_URL").assert().code(78).stderr(contains("config.yaml"));
}

#[test]
fn one_org_vocabulary_with_a_default_org_case_folding_and_did_you_mean() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    // --org everywhere, DALGO_ORG as the default.
    db.dalgo(&["warehouse", "show"]).assert().code(2).stderr(contains("--org <SLUG>"));
    db.dalgo(&["warehouse", "show"]).env("DALGO_ORG", "acme-ngo").assert().code(67).stderr(contains("acme-ngo"));
    db.dalgo(&["warehouse", "show", "--org", "acme-ngo"]).env("DALGO_ORG", "nope").assert().code(67);
    let help = String::from_utf8(db.dalgo(&["warehouse", "show", "--help"]).output().unwrap().stdout).unwrap();
    assert!(help.contains("The org's slug") && help.contains("[env: DALGO_ORG"), "{help}");
    // Feature flags take --org, and Dalgo's --org-slug still works (hidden from help).
    for spelling in ["--org", "--org-slug"] {
        db.dalgo(&["manage-feature-flags", "--list-all", spelling, "acme-ngo"]).assert().success();
    }
    let help = String::from_utf8(db.dalgo(&["manage-feature-flags", "--help"]).output().unwrap().stdout).unwrap();
    assert!(help.contains("--org <SLUG>") && !help.contains("--org-slug <"), "{help}");
    // `org show` and `org delete` take --org as well as their positional (it was the only spelling);
    // show defaults to DALGO_ORG, delete never does.
    for args in [&["org", "show", "--org", "acme-ngo"][..], &["org", "show"]] {
        db.dalgo(args).env("DALGO_ORG", "acme-ngo").assert().success().stdout(contains("acme-ngo"));
    }
    db.dalgo(&["org", "show", "acme-ngo"]).env("DALGO_ORG", "nope").assert().success();
    db.dalgo(&["org", "show"]).assert().code(2).stderr(contains("error: no org named"));
    db.dalgo(&["org", "show", "acme-ngo", "--org", "acme-ngo"]).assert().code(2);
    // Without Prefect its deployments and blocks were not looked for: not "0".
    db.dalgo(&["org", "delete", "--org", "acme-ngo", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("would delete").and(contains("Prefect deployment(s): not checked")));
    let dry = json(&db.dalgo(&["org", "delete", "acme-ngo", "--dry-run", "-o", "json"]).output().unwrap());
    assert!(dry["prefect_deployments"].is_null() && dry["prefect_blocks"].is_null(), "{dry}");
    db.dalgo(&["org", "delete", "--yes"]).env("DALGO_ORG", "acme-ngo").assert().code(2);
    assert_eq!(db.count("orgs"), 1);
    // Slugs are case-folded; a near miss is suggested.
    db.dalgo(&["org", "show", "ACME-NGO"]).assert().success().stdout(contains("acme-ngo"));
    db.dalgo(&["org", "show", "acme-ng"]).assert().code(67).stderr(contains("hint: did you mean acme-ngo?"));
    db.dalgo(&["org", "show", "zzzzzzzzzzzz"]).assert().code(67).stderr(contains("`dalgo org list` shows the orgs"));
    db.dalgo(&["manage-feature-flags", "--list-all", "--org", "acme-ng"])
        .assert()
        .code(67)
        .stderr(contains("did you mean acme-ngo?"));
}

/// Every destructive command finds its target first (67 before anything is
/// asked), then asks on a terminal or needs `--yes`, and takes `--dry-run`,
/// which changes nothing. Seen failing before: each missing target was 2
/// ("refusing to proceed without confirmation") instead of 67, and only
/// `org delete` and `secrets gc` took `--dry-run`.
#[test]
fn destructive_commands_find_their_target_first_and_take_dry_run() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "admin@acme.org", "admin");
    let missing_lock = "00000000-0000-4000-8000-000000000000";
    for args in [
        &["user", "remove", "nobody@acme.org", "--org", "acme-ngo"][..],
        &["warehouse", "delete", "--org", "acme-ngo"],
        &["dbt", "teardown", "--org", "acme-ngo"],
        &["secrets", "delete", "no-such-secret"],
        &["locks", "release", missing_lock],
        &["org", "delete", "no-such-org"],
    ] {
        let out = db.dalgo(args).output().unwrap();
        assert_eq!(out.status.code(), Some(67), "dalgo {args:?}: {}", stderr(&out));
    }
    // A target that exists: refused without --yes off a terminal, reported by --dry-run.
    let remove = ["user", "remove", "admin@acme.org", "--org", "acme-ngo"];
    db.dalgo(&remove).assert().code(2).stderr(contains("pass --yes"));
    db.dalgo(&remove)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(contains("would remove admin@acme.org (role admin) from org acme-ngo"));
    let dry = crate::common::json(&db.dalgo(&remove).args(["--dry-run", "-o", "json"]).output().unwrap());
    assert_eq!((dry["dry_run"].as_bool(), dry["would"].as_str().is_some()), (Some(true), true));
    assert_eq!(db.count("org_users"), 1, "a dry run removed the membership");
    db.dalgo(&remove).arg("--yes").assert().success();
    assert_eq!(db.count("org_users"), 0);
}

/// At a terminal, `airbyte login` asks for the secret without echo (it used
/// to read stdin as typed, echoing the secret); a confirmation prompt comes
/// only after the target was found; `--no-input` says prompting is off, not
/// that there is no terminal.
#[test]
fn prompts_at_a_terminal_hide_secrets_and_come_after_the_target_is_found() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "admin@acme.org", "admin");
    // In a session keyring of its own, so nothing is left in the user's.
    let login = db.terminal(&["keyctl", "session", "-"], &["airbyte", "login", "--username", "airbyte-user"], &[], 100);
    login.wait_for_text("Airbyte password for airbyte-user");
    login.wait_for_no_echo();
    login.type_line("s3cret-typed");
    let (code, screen) = login.wait_exit();
    assert!(!screen.contains("s3cret-typed"), "the secret was echoed:\n{screen}");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("stored Airbyte credentials in the OS keyring"), "{screen}");

    let no_input = db.terminal(&[], &["--no-input", "createorganduser", "Beta NGO", "b@beta.org"], &[], 100);
    let (code, screen) = no_input.wait_exit();
    assert_eq!(code, 2, "{screen}");
    assert!(screen.contains("prompting is off (--no-input)"), "{screen}");

    let missing = db.terminal(&[], &["user", "remove", "nobody@acme.org", "--org", "acme-ngo"], &[], 100);
    let (code, screen) = missing.wait_exit();
    assert_eq!(code, 67, "{screen}");
    assert!(!screen.contains("[y/N]"), "asked before finding the target:\n{screen}");

    let remove = db.terminal(&[], &["user", "remove", "admin@acme.org", "--org", "acme-ngo"], &[], 100);
    remove.wait_for_text("remove admin@acme.org (role admin) from org acme-ngo?");
    remove.wait_for_no_echo();
    remove.type_line("n");
    let (code, screen) = remove.wait_exit();
    assert_eq!(code, 1, "{screen}");
    assert_eq!(db.count("org_users"), 1);
}

/// An empty list is a line on stderr and nothing on stdout (it used to be a
/// bare header); JSON stays `[]`. Tables say booleans one way, yes/no
/// (`manage-feature-flags --list-all` said false).
#[test]
fn empty_lists_say_so_on_stderr_and_booleans_are_yes_or_no() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "admin@acme.org", "admin");
    let out = db.dalgo(&["locks", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!((String::from_utf8_lossy(&out.stdout).as_ref(), stderr(&out).as_str()), ("", "no locks\n"));
    let out = db.dalgo(&["user", "list", "--org", "acme-ngo"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin@acme.org") && stderr(&out).is_empty());
    db.exec("DELETE FROM org_users");
    db.dalgo(&["user", "list"]).assert().success().stdout("").stderr("no users\n");
    db.dalgo(&["user", "list", "-o", "json"]).assert().success().stdout("[]\n").stderr("");
    // --limit on every list (streamed ones stop reading there).
    crate::common::onboard(&db, "Beta NGO", "admin@beta.org", "admin");
    let orgs = crate::common::json(&db.dalgo(&["org", "list", "--limit", "1", "-o", "json"]).output().unwrap());
    assert_eq!(orgs.as_array().map(Vec::len), Some(1), "{orgs}");
    let roles = crate::common::json(&db.dalgo(&["role", "list", "--limit", "2", "-o", "json"]).output().unwrap());
    assert_eq!(roles.as_array().map(Vec::len), Some(2), "{roles}");
    let flags = db.dalgo(&["manage-feature-flags", "--list-all"]).output().unwrap();
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    assert!(flags.contains(" no ") && !flags.contains("false") && !flags.contains("true"), "{flags}");
}

/// The help people read, kept as snapshots so a change to it is reviewed:
/// the top level (exit codes, configuration), a command with global options
/// under their own heading and an example, and a destructive one.
#[test]
fn help_snapshots() {
    let db = TestDb::new();
    for (name, args) in [
        ("help_top", &["--help"][..]),
        ("help_pipeline_run", &["pipeline", "run", "--help"]),
        ("help_user_remove", &["user", "remove", "--help"]),
    ] {
        let out = db.dalgo(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(help.lines().all(|l| l.chars().count() <= 100), "{name} has a line over 100 columns");
        insta::assert_snapshot!(name, help);
    }
}

/// The committed man/ is what `dalgo man --dir` writes now (regenerate with
/// scripts/gen-completions.sh), and one page prints on its own.
#[test]
fn committed_man_pages_are_current() {
    let db = TestDb::new();
    let fresh = tempfile::tempdir().unwrap();
    db.dalgo(&["man", "--dir", fresh.path().to_str().unwrap()]).assert().success();
    let committed = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../man"));
    let names = |dir: &std::path::Path| {
        let mut n: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(names(fresh.path()), names(committed), "man/ is stale: run scripts/gen-completions.sh");
    for name in names(committed) {
        let (want, got) =
            (std::fs::read(committed.join(&name)).unwrap(), std::fs::read(fresh.path().join(&name)).unwrap());
        assert!(want == got, "man/{name} is stale: run scripts/gen-completions.sh and commit the result");
    }
    let page = db.dalgo(&["man", "pipeline", "run"]).output().unwrap();
    assert!(String::from_utf8_lossy(&page.stdout).contains(".TH dalgo-pipeline-run 1"));
    db.dalgo(&["man", "no-such-command"]).assert().code(2);
}

/// `DALGO_OUTPUT` (and `DALGO_NO_INPUT`) are read from `.env` and the user
/// config file like every other setting (they used to be ignored there), and
/// `dalgo config show` names each setting's source, masks secrets, and warns
/// about Dalgo settings dalgo does not use.
#[test]
fn config_show_names_sources_masks_secrets_and_output_comes_from_every_layer() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "admin@acme.org", "admin");
    std::fs::write(
        db.home().join(".env"),
        "DALGO_OUTPUT=json\nUSE_AWS_SECRETS_MANAGER=True\nAIRBYTE_API_TOKEN=tok-123\n",
    )
    .unwrap();
    let config_dir = db.home().join(".config/dalgo");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.yaml"), "DALGO_ORG: acme-ngo\nPREFECT_PROXY_API_URL: http://proxy:8080\n")
        .unwrap();
    // From .env: JSON without -o.
    let list = db.dalgo(&["org", "list"]).output().unwrap();
    assert!(crate::common::json(&list).is_array(), "{}", String::from_utf8_lossy(&list.stdout));
    db.dalgo(&["org", "list", "-o", "table"]).assert().success().stdout(contains("SLUG"));

    let out = db
        .dalgo(&["config", "show", "--actor", "ops-bot"])
        .env("DALGO_DB_LOCK_TIMEOUT", "7")
        .env("DATABASE_URL", "postgres://dalgo:hunter2@127.0.0.1:1/x")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("hunter2")
            && !String::from_utf8_lossy(&out.stdout).contains("tok-123")
    );
    let shown = crate::common::json(&out);
    let setting = |name: &str| {
        let s = shown["settings"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap().clone();
        (s["value"].as_str().map(String::from), s["source"].as_str().unwrap().to_string())
    };
    assert_eq!(setting("DALGO_ACTOR"), (Some("ops-bot".into()), "flag".into()));
    assert_eq!(setting("DALGO_DB_LOCK_TIMEOUT"), (Some("7".into()), "env".into()));
    assert_eq!(setting("DATABASE_URL"), (Some("postgres://dalgo:********@127.0.0.1:1/x".into()), "env".into()));
    assert_eq!(setting("DALGO_OUTPUT"), (Some("json".into()), ".env".into()));
    assert_eq!(setting("AIRBYTE_API_TOKEN"), (Some("********".into()), ".env".into()));
    assert_eq!(setting("DALGO_ORG"), (Some("acme-ngo".into()), "file".into()));
    assert_eq!(setting("PREFECT_API_URL"), (None, "default".into()));
    let warnings = shown["warnings"].to_string();
    assert!(
        warnings.contains("USE_AWS_SECRETS_MANAGER (from .env)")
            && warnings.contains("PREFECT_PROXY_API_URL (from file)"),
        "{warnings}"
    );
    assert!(stderr(&out).contains("warning: USE_AWS_SECRETS_MANAGER"), "{}", stderr(&out));
    // A bad value in a file is a usage error naming it.
    std::fs::write(db.home().join(".env"), "DALGO_OUTPUT=yaml\n").unwrap();
    db.dalgo(&["org", "list"]).assert().code(2).stderr(contains("DALGO_OUTPUT must be table, wide, json or name"));
}

/// At an 80-column terminal a table fits: text is cut with an ellipsis, ids
/// and times never (they used to be split across lines mid-token), times
/// carry their age; `-o wide` keeps everything.
#[test]
fn tables_fit_an_80_column_terminal_without_splitting_ids_and_wide_shows_all() {
    let db = TestDb::migrated();
    let name = "Rural Water and Sanitation Projects of the North";
    crate::common::onboard(&db, name, "admin@water.org", "admin");
    let org = crate::common::json(&db.dalgo(&["org", "list", "-o", "json"]).output().unwrap());
    let slug = org[0]["slug"].as_str().unwrap().to_string();
    let created = db.scalar("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || 'Z' FROM orgs");
    let t = db.terminal(&[], &["org", "list"], &[], 80);
    let (code, screen) = t.wait_exit();
    assert_eq!(code, 0, "{screen}");
    let table: Vec<&str> = screen.lines().take_while(|l| !l.starts_with("[exit")).collect();
    assert!(table.iter().all(|l| l.trim_end().chars().count() <= 80), "a line is over 80 columns:\n{screen}");
    let row = table.iter().find(|l| l.contains(&slug)).unwrap_or_else(|| panic!("no row with {slug}:\n{screen}"));
    assert!(row.contains('…') && !row.contains(name), "{screen}");
    assert!(screen.contains("column(s) left out to fit 80 columns; -o wide shows them"), "{screen}");
    let wide = db.terminal(&[], &["org", "list", "-o", "wide"], &[], 80);
    let (_, screen) = wide.wait_exit();
    assert!(
        screen.contains(name) && screen.contains(&created) && screen.contains(" ago)"),
        "-o wide cut something:\n{screen}"
    );
}

/// On a terminal dalgo's own `error:` and `hint:` are coloured as clap's
/// are (they were plain); with NO_COLOR, or piped, they are not.
#[test]
fn errors_and_hints_are_coloured_on_a_terminal_only() {
    let db = TestDb::migrated();
    let on_a_terminal = |no_color: bool| {
        let line = format!("{} org show nope", env!("CARGO_BIN_EXE_dalgo"));
        let mut cmd = db.program("script", &["-qec", &line, "/dev/null"]);
        cmd.env("TERM", "xterm-256color");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_a_terminal(false);
    assert!(
        coloured.contains("\x1b[1;31merror:\x1b[0m no org") && coloured.contains("\x1b[1;32mhint:\x1b[0m"),
        "{coloured:?}"
    );
    let plain = on_a_terminal(true);
    assert!(plain.contains("error: no org") && !plain.contains('\x1b'), "{plain:?}");
    let piped = db.dalgo(&["org", "show", "nope"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&piped.stderr).contains('\x1b'));
}

/// A terminal that reports 0 columns (`script`, some `docker exec -t`) gets
/// the whole table (it collapsed into one column and lost the slug), and
/// `COLUMNS` is honoured.
#[test]
fn tables_on_a_zero_column_terminal_are_whole_and_columns_is_honoured() {
    let db = TestDb::migrated();
    crate::common::onboard(&db, "Acme NGO", "admin@acme.org", "admin");
    let on_script = |columns: Option<&str>| {
        let line = format!("stty cols 0 2>/dev/null; {} org list", env!("CARGO_BIN_EXE_dalgo"));
        let mut cmd = db.program("script", &["-qec", &line, "/dev/null"]);
        cmd.env("TERM", "xterm-256color");
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let whole = on_script(None);
    let header = whole.lines().find(|l| l.contains("NAME")).unwrap_or_default().to_string();
    assert!(header.contains("SLUG") && header.contains("MEMBERS"), "{whole}");
    assert!(whole.contains("acme-ngo"), "{whole}");
    let narrow = on_script(Some("30"));
    let rows: Vec<&str> = narrow.lines().filter(|l| l.starts_with(' ') || l.starts_with('-')).collect();
    assert!(narrow.contains("acme-ngo") && rows.iter().all(|l| l.trim_end().chars().count() <= 30), "{narrow}");
    assert!(narrow.contains("left out to fit 30 columns"), "{narrow}");
}

/// An org that is not there is 67 whatever is configured: each operation
/// reads the org's row before it asks for Airbyte's or Prefect's client
/// (these said "Airbyte is not configured" or "Prefect is not
/// configured", 78, with neither set).
#[test]
fn a_missing_org_is_67_before_any_service_is_asked_for() {
    let db = TestDb::migrated();
    let commands: [&[&str]; 6] = [
        &["airbyte", "sources", "list"],
        &["airbyte", "connections", "list"],
        &["airbyte", "workspace", "create"],
        &["airbyte", "sync", "--all"],
        &["pipeline", "create", "--name", "nightly", "--no-transform"],
        &["pipeline", "list"],
    ];
    for args in commands {
        let out = db.dalgo(&[args, &["--org", "nope"][..]].concat()).output().unwrap();
        assert_eq!(out.status.code(), Some(67), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("no org with slug \"nope\""), "{args:?}: {}", stderr(&out));
    }
}
