//! What a hostile tenant or a careless operator tries: oversized and deeply
//! nested input, nonsense settings, closed pipes, invisible characters.

use crate::common::{LockHolder, TestDb, onboard, pg_host, stderr, wait_until_blocked};

fn warehouse_set(db: &TestDb, config: &str) -> assert_cmd::Command {
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", config, "--no-check"])
}

fn acme() -> TestDb {
    let db = TestDb::migrated();
    onboard(&db, "Acme NGO", "boss@acme.org", "admin");
    db
}

#[test]
fn oversized_and_deeply_nested_input_is_refused_with_65_and_nothing_written() {
    let db = acme();
    let out = warehouse_set(&db, "/dev/zero").output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("larger than 1 MiB"), "{}", stderr(&out));
    let out = warehouse_set(&db, "-").write_stdin("[".repeat(200_000)).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("nested more than 64 levels"), "{}", stderr(&out));
    assert_eq!(db.count("warehouses"), 0);
    assert!(!db.secrets_dir().exists() || db.secrets_dir().read_dir().unwrap().next().is_none());
}

#[test]
fn nonsense_timeouts_and_a_blank_actor_are_refused_without_a_panic() {
    let db = acme();
    for (key, value, command) in [
        ("DALGO_DB_CONNECT_TIMEOUT", "1e30", &["org", "list"][..]),
        ("DALGO_DB_LOCK_TIMEOUT", "-3", &["org", "list"]),
        ("AIRBYTE_TIMEOUT", "1e300", &["airbyte", "health"]),
        ("PREFECT_HTTP_TIMEOUT", "-1", &["pipeline", "list", "--org", "acme-ngo"]),
    ] {
        let mut cmd = db.dalgo(command);
        cmd.env(key, value).env("AIRBYTE_SERVER_HOST", "127.0.0.1").env("PREFECT_API_URL", "http://127.0.0.1:9/api");
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(78), "{key}={value}: {}", stderr(&out));
        assert!(stderr(&out).contains(key) && !stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    // Only the commands that use a service fail for its settings.
    db.dalgo(&["org", "list"])
        .env("AIRBYTE_SERVER_HOST", "127.0.0.1")
        .env("AIRBYTE_TIMEOUT", "1e300")
        .env("PREFECT_API_URL", "http://127.0.0.1:9/api")
        .env("PREFECT_HTTP_TIMEOUT", "-1")
        .assert()
        .success();
    let out = db.dalgo(&["org", "list", "--actor", " "]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("invalid actor"), "{}", stderr(&out));
    // Poll intervals: NaN panicked (101) in every waiting command; they are usage errors now.
    for command in [
        &["worker", "--pool", "p", "--once"][..],
        &["pipeline", "run", "nightly", "--org", "acme-ngo", "--wait"],
        &["airbyte", "sync", "--all", "--org", "acme-ngo", "--wait"],
    ] {
        for value in ["nan", "inf", "-1", "0", "1e9"] {
            let out = db.dalgo(command).args(["--poll-interval", value]).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{command:?} --poll-interval {value}: {}", stderr(&out));
            assert!(stderr(&out).contains("0.05 to 3600 seconds"), "{}", stderr(&out));
        }
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_0_in_every_format() {
    let db = acme();
    for format in ["table", "json"] {
        let script = format!("dalgo user list -o {format} | head -c 10 >/dev/null; echo \"${{PIPESTATUS[0]}}\"");
        let out = db.program("bash", &["-c", &script]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");
    }
}

#[test]
fn org_names_with_invisible_format_characters_are_refused() {
    let db = TestDb::migrated();
    for name in ["Evil\u{202E}gpj.exe", "Zero\u{200B}Width", "Line\u{2028}Break"] {
        let out = db.dalgo(&["createorganduser", name, "a@b.org"]).env("PASSWORD", "pw").output().unwrap();
        assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
        assert!(stderr(&out).contains("invisible characters"), "{}", stderr(&out));
    }
    // Nor in an email (U+202E was accepted there).
    let out =
        db.dalgo(&["createorganduser", "Fine NGO", "ann\u{202E}gro@b.org"]).env("PASSWORD", "pw").output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert_eq!(db.count("orgs"), 0);
    assert_eq!(db.count("users"), 0);
}

#[test]
fn sqlx_statement_logs_appear_only_from_vv() {
    let db = acme();
    let quiet = db.dalgo(&["org", "list", "-v"]).env_remove("RUST_LOG").output().unwrap();
    assert!(!stderr(&quiet).contains("sqlx"), "{}", stderr(&quiet));
    // -v: one line per statement with its time (it used to print nothing).
    assert!(stderr(&quiet).contains("INFO dalgo::db: SELECT") && stderr(&quiet).contains(" ms"), "{}", stderr(&quiet));
    let loud = db.dalgo(&["org", "list", "-vv"]).output().unwrap();
    assert!(stderr(&loud).contains("sqlx::query"), "{}", stderr(&loud));
}

#[test]
fn an_org_deleted_under_a_user_add_is_67_not_a_raw_database_error() {
    let db = acme();
    onboard(&db, "Other NGO", "chief@other.org", "admin");
    let deleting = LockHolder::new(&db, "DELETE FROM orgs WHERE slug = 'other-ngo'");
    let adding = db.spawn(&["user", "add", "boss@acme.org", "--org", "other-ngo", "--role", "analyst"], &[]);
    wait_until_blocked(&db);
    deleting.commit();
    let out = adding.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(67), "{}", stderr(&out));
    assert!(stderr(&out).contains("removed meanwhile by another command"), "{}", stderr(&out));
}

#[test]
fn a_terminated_backend_is_69() {
    let db = acme();
    db.dalgo(&["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(format!("host: {}\nport: 5432\nusername: u\npassword: p\ndatabase: d\n", pg_host()))
        .assert()
        .success();
    let _held = LockHolder::new(&db, "SELECT 1 FROM warehouses FOR UPDATE");
    std::fs::write(
        db.home().join("wh.yaml"),
        format!("host: {}\nport: 5432\nusername: u\npassword: q\ndatabase: d\n", pg_host()),
    )
    .unwrap();
    let child = db.spawn(
        &["warehouse", "set", "--org", "acme-ngo", "--type", "postgres", "--config", "wh.yaml", "--no-check"],
        &[],
    );
    wait_until_blocked(&db);
    db.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'dalgo' AND wait_event_type = 'Lock'",
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
}

#[test]
fn a_server_that_is_not_postgresql_is_69() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            use std::io::Write;
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
        }
    });
    let db = TestDb::new();
    let url = format!("postgres://u@127.0.0.1:{port}/dalgo?sslmode=disable");
    let out = db.dalgo(&["org", "list"]).env("DATABASE_URL", &url).output().unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
}

#[test]
fn a_locked_table_fails_with_75_naming_the_limit_instead_of_hanging() {
    let db = acme();
    let _held = LockHolder::new(&db, "LOCK TABLE orgs IN ACCESS EXCLUSIVE MODE");
    let out = db.dalgo(&["org", "list"]).env("DALGO_DB_LOCK_TIMEOUT", "0.3").output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lock timeout") && stderr(&out).contains("DALGO_DB_LOCK_TIMEOUT"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_refused_connection_says_so_without_waiting_for_the_timeout() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let db = TestDb::new();
    for url in [format!("postgres://u@127.0.0.1:{closed}/dalgo"), "postgres:///dalgo?host=/nonexistent-dir".into()] {
        // The test's own limit (60 s) is shorter than the connect timeout: waiting it out fails the test.
        let out = db
            .dalgo(&["org", "list"])
            .env("DATABASE_URL", &url)
            .env("DALGO_DB_CONNECT_TIMEOUT", "300")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(69), "{url}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("refused") || err.contains("No such file"), "{url}: {err}");
        assert!(!err.contains("no answer within"), "{err}");
    }
}

#[test]
fn concurrent_migrates_each_report_only_their_own_work() {
    let db = TestDb::new();
    let runs: Vec<_> = (0..4).map(|_| db.spawn(&["migrate", "-o", "json"], &[])).collect();
    let reports: Vec<serde_json::Value> = runs
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            crate::common::json(&out)
        })
        .collect();
    let created = reports.iter().filter(|r| r["database_created"] == true).count();
    assert!(created <= 1, "{created} runs claim they created the database: {reports:?}");
    let mut applied: Vec<i64> = reports
        .iter()
        .flat_map(|r| r["applied"].as_array().unwrap().iter().map(|m| m["version"].as_i64().unwrap()))
        .collect();
    applied.sort();
    let known = db.count("_sqlx_migrations");
    assert_eq!(applied.len() as i64, known, "each migration reported by exactly one run: {reports:?}");
    applied.dedup();
    assert_eq!(applied.len() as i64, known, "{reports:?}");
}

/// Completion is inert: bash's real completion script (`COMPLETE=bash
/// dalgo`), asked to complete pipeline names that hold `$( )` and `*`,
/// offers neither, so entering the completed line runs nothing and expands
/// nothing; a plain name is still completed.
#[test]
fn completing_hostile_pipeline_names_runs_and_expands_nothing() {
    let db = acme();
    for name in ["$(touch PWNED)", "*", "nightly"] {
        db.exec(&format!(
            "INSERT INTO pipelines (org_id, name, deployment_name) SELECT id, $q${name}$q$, 'd-' || md5($q${name}$q$) FROM orgs"
        ));
    }
    let script = db.dalgo(&[]).env("COMPLETE", "bash").output().unwrap();
    assert!(script.status.success());
    let dir = db.home().join("completion");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("script.bash"), &script.stdout).unwrap();
    std::fs::write(dir.join("visible-file"), "").unwrap();
    // Complete the word, then enter the line as bash would: every candidate evaluated.
    let complete = |word: &str| {
        let line = format!(
            "source script.bash; COMP_WORDS=(dalgo pipeline run '{word}'); COMP_CWORD=3; COMP_TYPE=9; \
             _clap_complete_dalgo dalgo '{word}' run; for c in \"${{COMPREPLY[@]}}\"; do eval \"printf '<%s>' $c\"; done"
        );
        let out = db.program("bash", &["-c", &line]).env("DALGO_ORG", "acme-ngo").current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(complete("$(t"), "");
    assert_eq!(complete("*"), "");
    let all = complete("");
    assert!(all.starts_with("<nightly><--org>") && !all.contains("PWNED") && !all.contains("visible-file"), "{all}");
    assert_eq!(complete("nig"), "<nightly>");
    assert!(!dir.join("PWNED").exists(), "completion ran the name");
}

/// `--password-stdin` reads at most 4096 bytes: 50 MB ends at once with 65,
/// nothing written.
#[test]
fn an_oversized_password_on_stdin_is_refused_at_once() {
    let db = acme();
    let out = db
        .dalgo(&["user", "add", "big@acme.org", "--org", "acme-ngo", "--role", "analyst", "--password-stdin"])
        .write_stdin(vec![b'x'; 50 << 20])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("longer than 4096 bytes"), "{}", stderr(&out));
    assert_eq!(db.count("users WHERE email = 'big@acme.org'"), 0);
    // The longest accepted still works.
    let out = db
        .dalgo(&["user", "add", "big@acme.org", "--org", "acme-ngo", "--role", "analyst", "--password-stdin"])
        .write_stdin(format!("{}\n", "y".repeat(4096)))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// An id bound for a URL path is checked first: `pipeline cancel
/// ../work_pools/default` is 65 and no call is made (Prefect here is a port
/// nothing listens on: a call would be 69).
#[test]
fn ids_bound_for_url_paths_are_checked_before_any_call() {
    let db = acme();
    for id in ["../work_pools/default", "../x"] {
        let out =
            db.dalgo(&["pipeline", "cancel", id]).env("PREFECT_API_URL", "http://127.0.0.1:9/api").output().unwrap();
        assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
        assert!(stderr(&out).contains("must be a UUID"), "{}", stderr(&out));
    }
}

/// This test's database through a proxy that forwards only the start-up.
fn stalled_url(db: &TestDb, proxy: &crate::stall_proxy::StallProxy) -> String {
    format!("postgres://{}@127.0.0.1:{}/{}?sslmode=disable", db.scalar("SELECT current_user"), proxy.port(), db.name)
}

/// A link that stalls after the start-up (the server never sees the
/// statement, so its statement_timeout never fires) ends `org list` with 75
/// at dalgo's own deadline, naming the setting, instead of hanging.
#[test]
fn a_stalled_database_link_ends_with_75_at_the_client_deadline() {
    let db = acme();
    let proxy = crate::stall_proxy::StallProxy::start("127.0.0.1:5432");
    let out = db
        .dalgo(&["org", "list"])
        .env("DATABASE_URL", stalled_url(&db, &proxy))
        .env("DALGO_DB_STATEMENT_TIMEOUT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(stderr(&out).contains("DALGO_DB_STATEMENT_TIMEOUT"), "{}", stderr(&out));
    assert!(proxy.swallowed() > 0, "no statement was sent");
}

/// SIGTERM while `dbt run` waits on a stalled link ends it at once (130),
/// long before the deadline, with no run recorded.
#[test]
fn sigterm_ends_a_dbt_run_waiting_on_a_stalled_database() {
    let db = acme();
    let proxy = crate::stall_proxy::StallProxy::start("127.0.0.1:5432");
    let url = stalled_url(&db, &proxy);
    let mut run = db.spawn(&["dbt", "run", "--org", "acme-ngo"], &[("DATABASE_URL", &url)]);
    crate::common::wait_while_running(&mut run, || proxy.swallowed() > 0, "a statement to stall");
    std::process::Command::new("kill").args(["-TERM", &run.id().to_string()]).status().unwrap();
    let out = run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(db.count("dbt_runs"), 0);
}

/// Blank names never reach a service: a usage error (2) before anything is
/// asked (they used to reach Airbyte and Prefect).
#[test]
fn blank_names_are_usage_errors() {
    let db = acme();
    for args in [
        &["worker", "--pool", "", "--once"][..],
        &["worker", "--pool", "p", "--queue", " ", "--once"],
        &[
            "airbyte",
            "sources",
            "create",
            "--org",
            "acme-ngo",
            "--name",
            "",
            "--definition",
            "Postgres",
            "--config",
            "-",
        ],
    ] {
        let out = db.dalgo(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("must not be blank"), "{}", stderr(&out));
    }
}

/// A cron that parses but never runs (30 February) is refused with 65.
#[test]
fn a_cron_that_never_runs_is_refused_before_anything_is_written() {
    let db = acme();
    let out = db
        .dalgo(&[
            "pipeline",
            "create",
            "--org",
            "acme-ngo",
            "--name",
            "never",
            "--cron",
            "0 0 30 2 *",
            "--no-transform",
        ])
        .env("PREFECT_API_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("never runs"), "{}", stderr(&out));
    assert_eq!(db.count("pipelines"), 0);
}

/// Exit codes that say what is wrong: a repository URL git must not use is
/// 65 (an `ext::` URL runs a program), a token holding a NUL is 65 (was 78),
/// a refused git connection is 69 (was 1), a database URL that is not
/// PostgreSQL's is 78 (was 69).
#[test]
fn wrong_inputs_and_settings_get_their_exit_codes() {
    let db = crate::dbt::with_warehouse();
    let setup = |repo: &str, token: &[u8]| {
        let file = db.home().join("token");
        std::fs::write(&file, token).unwrap();
        db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--repo", repo, "--token-file", file.to_str().unwrap()])
            .output()
            .unwrap()
    };
    for repo in ["ext::sh -c touch% PWNED", "ftp://127.0.0.1/r.git"] {
        let out = setup(repo, b"t");
        assert_eq!(out.status.code(), Some(65), "{repo}: {}", stderr(&out));
    }
    assert!(!db.home().join("PWNED").exists());
    let out = setup("https://127.0.0.1:1/r.git", b"to\0ken");
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let out = setup("http://127.0.0.1:1/r.git", b"token");
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let out = db.dalgo(&["org", "list"]).env("DATABASE_URL", "mysql://root@127.0.0.1/dalgo").output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("postgres://"), "{}", stderr(&out));
}

/// `DALGO_CONFIG` naming a directory or a device is refused (78): it was
/// silently taken as no settings (a directory) or read without end.
#[test]
fn dalgo_config_must_name_a_regular_file() {
    let db = acme();
    for path in [db.home().to_str().unwrap(), "/dev/zero"] {
        let out = db.dalgo(&["org", "list"]).env("DALGO_CONFIG", path).output().unwrap();
        assert_eq!(out.status.code(), Some(78), "{path}: {}", stderr(&out));
        assert!(stderr(&out).contains("not a regular file"), "{}", stderr(&out));
    }
    let out = db.dalgo(&["org", "list"]).env("DALGO_CONFIG", db.home().join("missing.yaml")).output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
}

/// Settings and arguments that cannot be right are said as what they are,
/// before any call: a Prefect URL that is no URL, an Airbyte API version
/// that is a path, a line break in a token (78, not "unreachable", 69); a
/// secret's name that is a path (65, not 78); a worker name or cron with a
/// line break (usage, 2; 65) never reaches Prefect; DALGO_NO_INPUT that is
/// neither yes nor no (2).
#[test]
fn settings_and_names_that_cannot_be_right_are_refused_as_what_they_are() {
    let db = acme();
    let out =
        db.dalgo(&["pipeline", "list", "--org", "acme-ngo"]).env("PREFECT_API_URL", "not a url").output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("PREFECT_API_URL"), "{}", stderr(&out));
    for (key, value) in [("AIRBYTE_SERVER_APIVER", "../../x"), ("AIRBYTE_API_TOKEN", "tok\r\nX-Injected: 1")] {
        let out =
            db.dalgo(&["airbyte", "health"]).env("AIRBYTE_SERVER_HOST", "127.0.0.1").env(key, value).output().unwrap();
        assert_eq!(out.status.code(), Some(78), "{key}: {}", stderr(&out));
        assert!(stderr(&out).contains(key) && !stderr(&out).contains("X-Injected"), "{key}: {}", stderr(&out));
    }
    let out = db.dalgo(&["secrets", "show", "../../etc/passwd"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("invalid secret name"), "{}", stderr(&out));
    let out = db
        .dalgo(&["worker", "--pool", "p", "--once", "--name", "a\nb"])
        .env("PREFECT_API_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("control character"), "{}", stderr(&out));
    let out = db
        .dalgo(&["pipeline", "create", "--org", "acme-ngo", "--name", "n", "--cron", "0 1 * * *\n", "--no-transform"])
        .env("PREFECT_API_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    // A transform the org has no task for, with Prefect down: 65 before Prefect (it was 69).
    let out = db
        .dalgo(&["pipeline", "create", "--org", "acme-ngo", "--name", "n", "--transform", "dbt-evil"])
        .env("PREFECT_API_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("dbt-evil"), "{}", stderr(&out));
    // sqlx ignores a PGSSLMODE it cannot parse (a typo meant `prefer`).
    let out = db.dalgo(&["org", "list"]).env("PGSSLMODE", "bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("PGSSLMODE"), "{}", stderr(&out));
    let out = db.dalgo(&["org", "list"]).env("DALGO_NO_INPUT", "maybe").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    std::fs::write(db.home().join(".env"), "DALGO_NO_INPUT=perhaps\n").unwrap();
    let out = db.dalgo(&["org", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("DALGO_NO_INPUT"), "{}", stderr(&out));
}

/// A repository URL or branch git would refuse, or read as an option, is 65
/// before anything is read or any network is touched (a 100 KB host and
/// `ssh://-oProxyCommand=…` were 1; a branch with a line break or `..` was
/// cloned first, then 69; without a warehouse all of them were 67).
#[test]
fn repository_urls_and_branches_are_checked_before_anything_else() {
    let db = acme();
    let huge = format!("https://{}/dbt.git", "h".repeat(100_000));
    let cases: [(&str, &str, &str); 5] = [
        (&huge, "main", "longer than 2048 bytes"),
        ("ssh://-oProxyCommand=touch%20/tmp/x/dbt.git", "main", "git would take for an option"),
        ("https://git.example/a\nb.git", "main", "control character"),
        ("https://git.example/dbt.git", "a\nb", "invalid branch name"),
        ("https://git.example/dbt.git", "a..b", "invalid branch name"),
    ];
    for (url, branch, says) in cases {
        let out = db.dalgo(&["dbt", "setup", "--org", "acme-ngo", "--repo", url, "--branch", branch]).output().unwrap();
        assert_eq!(out.status.code(), Some(65), "{says}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
        assert!(stderr(&out).len() < 1000, "the message repeats the URL: {} bytes", stderr(&out).len());
    }
    assert_eq!(db.count("dbt_workspaces"), 0);
}

/// A password with a NUL character is refused (65), as Django's forms
/// refuse it: it could not be typed into Dalgo's login form.
#[test]
fn a_password_with_a_nul_character_is_refused() {
    let db = TestDb::migrated();
    let out = db
        .dalgo(&["createorganduser", "Acme", "nul@acme.org", "--password-stdin"])
        .write_stdin("pass\0word\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("NUL"), "{}", stderr(&out));
    assert_eq!(db.count("users"), 0);
}

/// `-q migrate`: one line for the outcome, not one per migration.
#[test]
fn quiet_migrate_says_the_outcome_in_one_line() {
    let db = TestDb::new();
    let out = db.dalgo(&["-q", "migrate"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("migration(s) applied"), "{text}");
}
