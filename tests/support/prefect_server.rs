//! A PostgreSQL to test against and a Prefect server of the test process's
//! own (started once, on a free port, on its own database), shared by the
//! CLI's integration tests and the library's.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

/// The PostgreSQL socket directory (or host) the tests use.
pub fn pg_host() -> String {
    std::env::var("DALGO_TEST_PGHOST").unwrap_or_else(|_| "/var/run/postgresql".into())
}

pub fn admin_url() -> String {
    format!("postgresql:///postgres?host={}", pg_host())
}

pub fn psql(url: &str, sql: &str) -> String {
    let out =
        StdCommand::new("psql").args(["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]).output().unwrap();
    assert!(out.status.success(), "psql failed for {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The virtualenv with dbt that scripts/test.sh provisions: `DBT_VENV`, else
/// the cached one it builds.
pub fn dbt_venv() -> Option<std::path::PathBuf> {
    if let Some(v) = std::env::var_os("DBT_VENV") {
        return Some(v.into());
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
    std::fs::read_dir(cache.join("dalgo"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.join("bin/dbt").is_file())
}

/// A Prefect server for this test process, started once on a free port with
/// its own home and its own database on the local PostgreSQL (on SQLite,
/// Prefect answers "database is locked" under workers' concurrent writes),
/// with a work pool `dalgo-test-pool`. A watchdog stops it and drops its
/// database when the test process is gone. `DALGO_TEST_PREFECT_API_URL`
/// names a running one instead.
pub fn prefect_url() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("DALGO_TEST_PREFECT_API_URL") {
            ensure_pool(&url);
            return url;
        }
        let venv =
            dbt_venv().expect("the virtualenv with Prefect (scripts/test.sh builds it), or DALGO_TEST_PREFECT_API_URL");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let home = std::env::temp_dir().join(format!("dalgo-test-prefect-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        let database = format!("dalgo_test_prefect_{}", std::process::id());
        psql(&admin_url(), &format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"));
        psql(&admin_url(), &format!("CREATE DATABASE \"{database}\""));
        let script = format!(
            "set -m; '{}' server start --host 127.0.0.1 --port {port} > '{}/server.log' 2>&1 & S=$!; \
             while kill -0 {} 2>/dev/null; do sleep 1; done; kill -TERM -- -$S 2>/dev/null; wait; rm -rf '{}'; \
             psql -X -q -d '{}' -c 'DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)'",
            venv.join("bin/prefect").display(),
            home.display(),
            std::process::id(),
            home.display(),
            admin_url(),
        );
        // Kept, not waited for: the watchdog ends with this process.
        static WATCHDOG: std::sync::OnceLock<std::sync::Mutex<std::process::Child>> = std::sync::OnceLock::new();
        let watchdog = StdCommand::new("bash")
            .args(["-c", &script])
            .env("PREFECT_HOME", &home)
            .env("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            .env("PREFECT_API_DATABASE_CONNECTION_URL", format!("postgresql+asyncpg:///{database}?host={}", pg_host()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        WATCHDOG.get_or_init(|| std::sync::Mutex::new(watchdog));
        let url = format!("http://127.0.0.1:{port}/api");
        let started = std::time::Instant::now();
        while !StdCommand::new("curl")
            .args(["-sf", &format!("{url}/health")])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
        {
            let log = std::fs::read_to_string(home.join("server.log")).unwrap_or_default();
            assert!(started.elapsed() < std::time::Duration::from_secs(180), "Prefect did not start: {log}");
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        ensure_pool(&url);
        url
    })
}

fn ensure_pool(url: &str) {
    prefect_call(
        "POST",
        &format!("{url}/work_pools/"),
        Some(&serde_json::json!({"name": "dalgo-test-pool", "type": "process"})),
    );
}

/// One call to the Prefect REST API (standing in for a worker or a person in
/// the UI). Prefect answers 503 when its database is busy under the whole
/// suite's load; like dalgo's client, the call is retried then (a few
/// times, with growing pauses).
pub fn prefect_call(method: &str, url: &str, body: Option<&serde_json::Value>) -> (u16, serde_json::Value) {
    let mut answer = prefect_call_once(method, url, body);
    for attempt in 1..=5u64 {
        if answer.0 != 503 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200 * attempt));
        answer = prefect_call_once(method, url, body);
    }
    answer
}

fn prefect_call_once(method: &str, url: &str, body: Option<&serde_json::Value>) -> (u16, serde_json::Value) {
    let mut cmd = StdCommand::new("curl");
    cmd.args(["-s", "-X", method, "-H", "content-type: application/json", "-w", "\n%{http_code}", url]);
    if let Some(b) = body {
        cmd.args(["-d", &b.to_string()]);
    }
    let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    let (text, code) = out.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), serde_json::from_str(text).unwrap_or(serde_json::Value::Null))
}
