//! One org's code never reaches another org's files: real dbt and git in the
//! kernel's sandbox, and the checks made before anything runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{TestDb, git, onboard, pg_host, stderr};
use crate::dbt::{copy_dir, dbt_project, fixture_repo, setup_git, with_warehouse};

const VICTIM_PASSWORD: &str = "warehouse-pw-7781";

/// Two orgs: `acme-ngo` (the victim: a warehouse, a clone of the fixture
/// project, its profile on disk) and `evil-ngo` (the attacker: the same
/// warehouse settings but its own project, `project`, set up in place).
fn victim_and_attacker(prepare: impl FnOnce(&Path, &Path)) -> (TestDb, PathBuf) {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    onboard(&db, "Evil NGO", "mallory@evil.org", "admin");
    let yaml = format!(
        "host: {}\nport: 5432\nusername: {}\npassword: evil-pw\ndatabase: {}\nschema: evil\n",
        pg_host(),
        db.scalar("SELECT current_user"),
        db.name
    );
    db.dalgo(&["warehouse", "set", "--org", "evil-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin(yaml)
        .assert()
        .success();
    let project = db.home().join("evil_project");
    copy_dir(&dbt_project(), &project);
    prepare(&project, &db.clientdbt_root().join("acme-ngo"));
    (db, project)
}

/// Every file under `dir` whose bytes contain the victim's password.
fn leaked_into(dir: &Path) -> Vec<String> {
    let out = Command::new("grep").args(["-rl", "--", VICTIM_PASSWORD]).arg(dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect()
}

/// The victim's own runs still work, confined as they are.
fn victim_still_runs(db: &TestDb) {
    let out = db.dalgo(&["dbt", "run", "--org", "acme-ngo"]).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
}

fn setup_local(db: &TestDb, project: &Path) -> std::process::Output {
    db.dalgo(&["dbt", "setup", "--org", "evil-ngo", "--local", project.to_str().unwrap()]).output().unwrap()
}

#[test]
fn a_symlinked_model_reading_another_orgs_profile_is_refused_with_65() {
    let (db, project) = victim_and_attacker(|project, victim| {
        std::os::unix::fs::symlink(victim.join("profiles/profiles.yml"), project.join("models/leak.sql")).unwrap();
    });
    let out = setup_local(&db, &project);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("models/leak.sql") && stderr(&out).contains("symlink"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(VICTIM_PASSWORD));
    assert_eq!(leaked_into(&project), Vec::<String>::new());
    victim_still_runs(&db);
}

#[test]
fn a_symlinked_seed_in_a_clone_is_refused_and_nothing_is_loaded() {
    let db = with_warehouse();
    onboard(&db, "Evil NGO", "mallory@evil.org", "admin");
    db.dalgo(&["warehouse", "set", "--org", "evil-ngo", "--type", "postgres", "--config", "-"])
        .write_stdin(crate::dbt::warehouse_yaml(&db, "evil"))
        .assert()
        .success();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    // The attacker's repository: the fixture with a seed that is a link to the victim's profile.
    let repo = db.home().join("evil_upstream");
    copy_dir(&dbt_project(), &repo);
    std::fs::create_dir_all(repo.join("seeds")).unwrap();
    let victim = db.clientdbt_root().join("acme-ngo/profiles/profiles.yml");
    std::os::unix::fs::symlink(&victim, repo.join("seeds/stolen.csv")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "seed"]);
    let out = db
        .dalgo(&["dbt", "setup", "--org", "evil-ngo", "--repo", &format!("file://{}", repo.display())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("seeds/stolen.csv"), "{}", stderr(&out));
    // No clone was kept, no workspace recorded, nothing loaded.
    assert!(!db.clientdbt_root().join("evil-ngo/dbtrepo").exists());
    assert_eq!(db.count("dbt_workspaces w JOIN orgs o ON o.id = w.org_id WHERE o.slug = 'evil-ngo'"), 0);
    assert_eq!(db.count("information_schema.tables WHERE table_name = 'stolen'"), 0);
    victim_still_runs(&db);
}

#[test]
fn a_local_package_outside_the_project_is_refused_with_65() {
    let (db, project) = victim_and_attacker(|project, victim| {
        let rel = format!("../clientdbt/{}/dbtrepo", victim.file_name().unwrap().to_str().unwrap());
        std::fs::write(project.join("packages.yml"), format!("packages:\n  - local: {rel}\n")).unwrap();
    });
    let out = setup_local(&db, &project);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("packages.yml") && stderr(&out).contains("outside the project"), "{}", stderr(&out));
    assert!(!project.join("dbt_packages").exists());
    victim_still_runs(&db);
}

/// What the checks cannot see, the kernel stops: dbt told (by an extra
/// argument) to take its profile from another org's directory would connect
/// with that org's credentials; confined, it cannot read them.
#[test]
fn the_kernel_stops_dbt_reading_another_orgs_profile() {
    let (db, project) = victim_and_attacker(|_, _| {});
    let out = setup_local(&db, &project);
    assert!(out.status.success(), "{}", stderr(&out));
    let victim_profiles = db.clientdbt_root().join("acme-ngo/profiles");
    let run = db
        .dalgo(&["dbt", "run", "--org", "evil-ngo", "--", "--profiles-dir", victim_profiles.to_str().unwrap()])
        .env("DALGO_SANDBOX", "require")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&run.stdout), stderr(&run));
    assert!(!run.status.success(), "dbt ran with the victim's profile:\n{text}");
    assert!(text.contains("Permission denied"), "dbt was not stopped by the sandbox:\n{text}");
    assert!(!text.contains(VICTIM_PASSWORD) && !text.contains("analytics"), "{text}");
    assert_eq!(leaked_into(&project), Vec::<String>::new(), "{text}");
    victim_still_runs(&db);
}

/// `config show` says whether tenant code is confined and what it cannot
/// see, and `require` on a machine that confines runs dbt.
#[test]
fn config_show_says_tenant_code_is_confined() {
    let db = TestDb::new();
    let out = db.dalgo(&["config", "show", "-o", "json"]).env("DALGO_SANDBOX", "require").output().unwrap();
    let v = crate::common::json(&out);
    assert_eq!(v["sandbox"]["mode"], "require");
    assert_eq!(v["sandbox"]["confined"], true, "{v}");
    assert!(v["sandbox"]["landlock_abi"].as_i64().unwrap() >= 1);
    // Its own /proc, and dalgo's database socket directory and secrets store out of its world.
    assert_eq!(v["sandbox"]["private_proc"], true, "{v}");
    let hidden: Vec<&str> = v["sandbox"]["hidden"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    let secrets = db.secrets_dir();
    std::fs::create_dir_all(&secrets).unwrap();
    let again = crate::common::json(&db.dalgo(&["config", "show", "-o", "json"]).output().unwrap());
    let hidden_now: Vec<&str> =
        again["sandbox"]["hidden"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert!(hidden_now.contains(&secrets.to_str().unwrap()), "{hidden_now:?}");
    let socket = std::fs::canonicalize(pg_host()).unwrap();
    assert!(hidden.contains(&socket.to_str().unwrap()), "{hidden:?}");
    let table = db.dalgo(&["config", "show"]).env("DALGO_SANDBOX", "off").output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("tenant code: NOT confined (DALGO_SANDBOX=off)"));
    db.dalgo(&["config", "show"]).env("DALGO_SANDBOX", "sometimes").assert().code(78);
}

/// git that hears nothing from its remote is stopped at DALGO_GIT_TIMEOUT:
/// 75, and the pull recorded interrupted.
#[test]
fn a_silent_git_remote_ends_within_dalgo_git_timeout() {
    let db = with_warehouse();
    let (_, url) = fixture_repo(&db);
    setup_git(&db, &url);
    let remote = crate::common::SilentRemote::new();
    git(&db.clientdbt_root().join("acme-ngo/dbtrepo"), &["remote", "set-url", "origin", &remote.url()]);
    let mut pull = db.spawn(&["dbt", "git-pull", "--org", "acme-ngo"], &[("DALGO_GIT_TIMEOUT", "2")]);
    let conn = remote.connected(&mut pull);
    assert!(crate::common::closed(conn), "git still waits on the remote");
    let out = pull.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(stderr(&out).contains("DALGO_GIT_TIMEOUT"), "{}", stderr(&out));
    assert_eq!(db.rows("SELECT command || '|' || status FROM dbt_runs"), ["git pull|interrupted"]);
}

/// The live git processes started for this test (their HOME is its home).
fn git_processes(home: &Path) -> Vec<String> {
    let home = home.display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let zombie = stat.rsplit(") ").next()?.starts_with('Z');
            (cmdline.starts_with("git") || cmdline.contains("git-remote")).then_some(())?;
            let env = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
            (!zombie && String::from_utf8_lossy(&env).contains(&home)).then_some(format!("{pid} {cmdline}"))
        })
        .collect()
}

/// After SIGKILL of `dbt setup` mid-clone, no git process is left: git and
/// its remote helper die with dalgo (they ran in a PID namespace of their
/// own), taking the token in their environment with them.
#[test]
fn after_sigkill_mid_clone_no_git_process_remains() {
    let db = with_warehouse();
    let remote = crate::common::SilentRemote::new();
    let token = db.home().join("token.txt");
    std::fs::write(&token, "ghp_secret\n").unwrap();
    let mut setup = db.spawn(
        &["dbt", "setup", "--org", "acme-ngo", "--repo", &remote.url(), "--token-file", token.to_str().unwrap()],
        &[],
    );
    let conn = remote.connected(&mut setup);
    assert!(!git_processes(db.home()).is_empty(), "git is not running");
    setup.kill().unwrap();
    setup.wait().unwrap();
    assert!(crate::common::closed(conn), "the remote helper still holds the connection");
    crate::common::wait_for(|| git_processes(db.home()).is_empty().then_some(()), "git to be gone");
}

/// `probe-ngo`, whose warehouse is over TCP (one reached through dalgo's
/// socket directory keeps that directory visible) and whose dbt project is
/// the fixture, set up in place; a "dbt" running `script` (for
/// DBT_EXECUTABLE) and the project.
fn probe_org(db: &TestDb, script: &str) -> (PathBuf, PathBuf) {
    onboard(db, "Probe NGO", "probe@ngo.org", "admin");
    let wh = format!("host: 127.0.0.1\nport: 5432\nusername: u\npassword: p\ndatabase: {}\nschema: s\n", db.name);
    db.dalgo(&["warehouse", "set", "--org", "probe-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(wh)
        .assert()
        .success();
    let project = db.home().join("probe_project");
    copy_dir(&dbt_project(), &project);
    db.dalgo(&["dbt", "setup", "--org", "probe-ngo", "--local", project.to_str().unwrap()]).assert().success();
    let probe = db.home().join("probe/bin/dbt");
    std::fs::create_dir_all(probe.parent().unwrap()).unwrap();
    std::fs::write(&probe, script).unwrap();
    std::fs::set_permissions(&probe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (probe, project)
}

/// Tenant code is dbt here: a "dbt" (DBT_EXECUTABLE) that looks for what a
/// tenant should never see. In its world, `/proc` shows no environment of
/// dalgo's (whose `DATABASE_URL` it used to read from dalgo's own
/// `/proc/<pid>/environ`), `psql` to dalgo's database over its socket finds
/// no socket, and the secrets store is empty.
#[test]
fn tenant_code_reads_no_environment_of_dalgos_and_cannot_reach_its_database() {
    let db = TestDb::migrated();
    std::fs::create_dir_all(db.secrets_dir()).unwrap();
    let script = format!(
        "#!/bin/sh\n\
         echo \"processes=$(ls -d /proc/[0-9]* | wc -l)\"\n\
         cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | sed 's/^/env: /'\n\
         psql -X -h {socket} -d {name} -tAc 'SELECT count(*) FROM users' >/dev/null 2>&1; echo \"psql-socket=$?\"\n\
         psql -X -d {name} -tAc 'SELECT count(*) FROM users' >/dev/null 2>&1; echo \"psql-default=$?\"\n\
         echo \"secrets=$(ls -A {secrets} 2>/dev/null | wc -l)\"\n",
        socket = pg_host(),
        name = db.name,
        secrets = db.secrets_dir().display()
    );
    let (probe, _) = probe_org(&db, &script);
    assert!(db.count("users") > 0, "dalgo's database has a user to steal");
    let out = db
        .dalgo(&["dbt", "run", "--org", "probe-ngo"])
        .env("DBT_EXECUTABLE", &probe)
        .env("DALGO_SANDBOX", "require")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let said = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).map(str::trim);
    let processes: usize = said("processes").unwrap().parse().unwrap();
    assert!((1..=4).contains(&processes), "tenant code sees {processes} processes:\n{text}");
    for secret in ["DATABASE_URL", "DALGO_ACTOR", "DEV_SECRETS_DIR", db.name.as_str()] {
        assert!(!text.contains(secret), "tenant code read {secret}:\n{text}");
    }
    assert!(text.lines().any(|l| l.starts_with("env: HOME=")), "its own environment is there to read:\n{text}");
    assert_eq!(said("psql-socket"), Some("2"), "psql reached dalgo's database over its socket:\n{text}");
    assert_eq!(said("psql-default"), Some("2"), "psql reached dalgo's database over the default socket:\n{text}");
    assert_eq!(said("secrets"), Some("0"), "the secrets store is visible:\n{text}");
}

/// An operator's git configuration (`~/.gitconfig`, `~/.config/git/config`)
/// neither breaks git in the sandbox (unreadable there, it stopped every
/// clone with "Permission denied") nor reaches it: here it would send
/// every `file://` URL elsewhere.
#[test]
fn git_ignores_the_operators_git_configuration() {
    let db = with_warehouse();
    let config = "[user]\n\tname = Operator\n[url \"file:///nonexistent/\"]\n\tinsteadOf = file://\n";
    std::fs::write(db.home().join(".gitconfig"), config).unwrap();
    std::fs::create_dir_all(db.home().join(".config/git")).unwrap();
    std::fs::write(db.home().join(".config/git/config"), config).unwrap();
    let (upstream, url) = fixture_repo(&db);
    let out = setup_git(&db, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    let clone = db.clientdbt_root().join("acme-ngo/dbtrepo");
    let head = |dir: &Path| {
        let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(dir).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(head(&clone), head(&upstream));
    let pull = db.dalgo(&["dbt", "git-pull", "--org", "acme-ngo"]).output().unwrap();
    assert!(pull.status.success(), "{}", stderr(&pull));
}

/// With `DALGO_TENANT_USER`, dalgo as root runs tenant code as that user:
/// a "dbt" (DBT_EXECUTABLE) finds itself unprivileged, reads its org's
/// profile and writes its project (handed to it first); git clones as it.
/// Without it, `config show` says tenant code runs as root.
#[test]
fn as_root_tenant_code_runs_as_dalgo_tenant_user() {
    let db = TestDb::migrated();
    let shown = db.dalgo(&["config", "show"]).output().unwrap();
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
        assert!(!String::from_utf8_lossy(&shown.stdout).contains("it runs as root"));
        return;
    }
    assert!(String::from_utf8_lossy(&shown.stdout).contains("it runs as root, dalgo's own user"), "{shown:?}");
    let nobody = db.dalgo(&["config", "show"]).env("DALGO_TENANT_USER", "nobody").output().unwrap();
    assert!(String::from_utf8_lossy(&nobody.stdout).contains("it runs as nobody (uid 65534)"), "{nobody:?}");
    db.dalgo(&["config", "show"]).env("DALGO_TENANT_USER", "root").assert().code(78);
    db.dalgo(&["config", "show"]).env("DALGO_TENANT_USER", "no-such-user").assert().code(78);
    // The tenant's user must be able to walk to its org's directory.
    std::fs::set_permissions(db.home(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = "#!/bin/sh\necho \"uid=$(id -u)\"\n\
                  grep -q password \"$HOME/profiles/profiles.yml\" && echo profile=read\n\
                  touch target_probe && echo project=written\n";
    let (probe, project) = probe_org(&db, script);
    let out = db
        .dalgo(&["dbt", "run", "--org", "probe-ngo"])
        .env("DBT_EXECUTABLE", &probe)
        .env("DALGO_SANDBOX", "require")
        .env("DALGO_TENANT_USER", "nobody")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    for said in ["uid=65534", "profile=read", "project=written"] {
        assert!(text.lines().any(|l| l == said), "{said} not in:\n{text}");
    }
    assert_eq!(std::fs::metadata(project.join("target_probe")).unwrap().uid(), 65534);
    // git, as the tenant's user, from a repository on this machine.
    onboard(&db, "Clone NGO", "clone@ngo.org", "admin");
    db.dalgo(&["warehouse", "set", "--org", "clone-ngo", "--type", "postgres", "--config", "-", "--no-check"])
        .write_stdin(format!("host: 127.0.0.1\nport: 5432\nusername: u\npassword: p\ndatabase: {}\n", db.name))
        .assert()
        .success();
    let (_, url) = fixture_repo(&db);
    let setup = db
        .dalgo(&["dbt", "setup", "--org", "clone-ngo", "--repo", &url, "--default-schema", "s"])
        .env("DALGO_TENANT_USER", "nobody")
        .output()
        .unwrap();
    assert!(setup.status.success(), "{}", stderr(&setup));
    let clone = db.clientdbt_root().join("clone-ngo/dbtrepo");
    assert_eq!(std::fs::metadata(clone.join("dbt_project.yml")).unwrap().uid(), 65534, "git ran as root");
}
