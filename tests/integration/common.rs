//! Shared test fixtures: a fresh PostgreSQL database per test, and the
//! `dalgo` binary run in a clean environment against it.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use assert_cmd::Command;
use tempfile::TempDir;

pub use crate::prefect_server::{admin_url, dbt_venv, pg_host, prefect_call, prefect_url, psql};

/// A database of its own for one test, dropped at the end. It is not created
/// here: `dalgo migrate` creates it, as on a fresh machine.
pub struct TestDb {
    pub name: String,
    pub url: String,
    home: TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// Whether `password` is the password of the user with `email`, as the
    /// library checks it (Django's PBKDF2 hashes).
    pub fn password_works(&self, email: &str, password: &str) -> bool {
        let overrides = dalgo::config::Overrides { database_url: Some(self.url.clone()), actor: None };
        let cfg = dalgo::config::Config::load(&overrides).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let dalgo = dalgo::ops::Dalgo::connect(cfg).await.unwrap();
            let email = dalgo::model::user::Email::parse(email).unwrap();
            dalgo.users().check_password(&email, &password.to_string().into()).await.unwrap()
        })
    }

    pub fn new() -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let name = format!("dalgo_test_{}_{n}_{nanos}", std::process::id());
        let url = format!("postgresql:///{name}?host={}", pg_host());
        TestDb { name, url, home: tempfile::tempdir().unwrap() }
    }

    /// A database already migrated and seeded by `dalgo migrate`: dalgo's
    /// own, or with `DALGO_TEST_STORAGE=live` a new Dalgo's (Django's)
    /// database, so that the same tests run in live mode.
    pub fn migrated() -> TestDb {
        TestDb::migrated_in(live_storage())
    }

    /// A database of dalgo's own, migrated, whatever the run's storage:
    /// for what only dalgo's own database does (its seed, `import django`
    /// into it).
    pub fn own() -> TestDb {
        TestDb::migrated_in(false)
    }

    /// A new Dalgo's database (`live`) or dalgo's own, `dalgo migrate`d.
    pub fn migrated_in(live: bool) -> TestDb {
        let db = TestDb::new();
        if live {
            crate::live::new_dalgo_database(&db);
        }
        db.dalgo(&["migrate"]).assert().success();
        db
    }

    /// The table under one of dalgo's names: dalgo's own table, or in live
    /// mode the Django table its view writes (for a test's injected fault).
    pub fn table(&self, dalgo_name: &str) -> String {
        match (live_storage(), dalgo_name) {
            (true, "warehouses") => "public.ddpui_orgwarehouse".into(),
            (true, other) => panic!("no Django table is named for {other}"),
            (false, name) => name.into(),
        }
    }

    /// The binary with a clean environment: only this database, no `.env`,
    /// no user config, no PASSWORD, actor "tester".
    pub fn dalgo(&self, args: &[&str]) -> Command {
        let mut std_cmd = StdCommand::new(env!("CARGO_BIN_EXE_dalgo"));
        self.prepare(&mut std_cmd);
        let mut cmd = Command::from_std(std_cmd);
        cmd.args(args);
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// Another program (e.g. a shell script calling dalgo) in the same clean
    /// environment, with the binary's directory first on PATH.
    pub fn program(&self, program: &str, args: &[&str]) -> Command {
        let mut std_cmd = StdCommand::new(program);
        self.prepare(&mut std_cmd);
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_dalgo")).parent().unwrap();
        std_cmd.env("PATH", format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()));
        let mut cmd = Command::from_std(std_cmd);
        cmd.args(args).timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// The same, as a plain process for running several at once.
    pub fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
        let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_dalgo"));
        self.prepare(&mut cmd);
        cmd.args(args).envs(env.iter().copied()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn().unwrap()
    }

    fn prepare(&self, cmd: &mut StdCommand) {
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("DALGO_ACTOR", "tester")
            .env("DATABASE_URL", &self.url)
            .env("DEV_SECRETS_DIR", self.secrets_dir())
            .env("CLIENTDBT_ROOT", self.clientdbt_root())
            .current_dir(self.home.path());
        if let Some(venv) = dbt_venv() {
            cmd.env("DBT_VENV", venv);
        }
    }

    /// This test's secrets directory (Dalgo's layout).
    pub fn secrets_dir(&self) -> std::path::PathBuf {
        self.home.path().join("secrets")
    }

    /// This test's CLIENTDBT_ROOT.
    pub fn clientdbt_root(&self) -> std::path::PathBuf {
        self.home.path().join("clientdbt")
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The first column of the first row of `sql`, as psql prints it.
    pub fn scalar(&self, sql: &str) -> String {
        psql(&self.url, sql).lines().next().unwrap_or_default().to_string()
    }

    pub fn count(&self, table_and_filter: &str) -> i64 {
        self.scalar(&format!("SELECT count(*) FROM {table_and_filter}")).parse().unwrap()
    }

    /// Every row of `sql`, columns joined by `|`.
    pub fn rows(&self, sql: &str) -> Vec<String> {
        psql(&self.url, sql).lines().map(String::from).collect()
    }

    pub fn exec(&self, sql: &str) {
        psql(&self.url, sql);
    }
}

impl TestDb {
    /// How many sessions this database has had, counted once every backend
    /// on it has ended (PostgreSQL flushes a session's count when it exits).
    /// Read from the maintenance database, so the reading adds none.
    pub fn sessions(&self) -> i64 {
        let active = format!("SELECT count(*) FROM pg_stat_activity WHERE datname = '{}'", self.name);
        wait_for(|| (psql(&admin_url(), &active).trim() == "0").then_some(()), "the database's sessions to end");
        let sql = format!("SELECT sessions FROM pg_stat_database WHERE datname = '{}'", self.name);
        psql(&admin_url(), &sql).trim().parse().unwrap()
    }
}

impl TestDb {
    /// `dalgo args` at a real terminal of `width` columns, in this clean
    /// environment, run through `wrapper` (e.g. `keyctl session -`) if given.
    pub fn terminal(&self, wrapper: &[&str], args: &[&str], env: &[(&str, &str)], width: u16) -> Terminal {
        let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_dalgo"));
        self.prepare(&mut cmd);
        cmd.envs(env.iter().copied());
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        // The shell outlives a Ctrl-C meant for dalgo, to report its exit code.
        let mut line = String::from("trap true INT; cd ") + &quote(&self.home().display().to_string()) + " && env -i";
        for (k, v) in cmd.get_envs() {
            if let (k, Some(v)) = (k.to_string_lossy(), v) {
                line += &format!(" {}={}", k, quote(&v.to_string_lossy()));
            }
        }
        if !env.iter().any(|(k, _)| *k == "TERM") {
            line += " TERM=xterm-256color";
        }
        for w in wrapper {
            line += " ";
            line += &quote(w);
        }
        line += " ";
        line += &quote(env!("CARGO_BIN_EXE_dalgo"));
        for a in args {
            line += " ";
            line += &quote(a);
        }
        line += "; echo \"[exit $?]\"; sleep 3600";
        Terminal::start(&line, width)
    }
}

/// A shell command in a detached tmux session on a server of its own: the
/// program sees a real terminal; the test reads the screen and types keys.
pub struct Terminal {
    socket: String,
}

impl Terminal {
    fn start(line: &str, width: u16) -> Terminal {
        static N: AtomicU32 = AtomicU32::new(0);
        let socket = format!("dalgo-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let t = Terminal { socket };
        let w = width.to_string();
        t.tmux(&["new-session", "-d", "-x", &w, "-y", "40", "sh", "-c", line]);
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = StdCommand::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux (apt: tmux)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// What the terminal shows now.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J"])
    }

    /// The screen once it shows `text` (at most 120 s).
    pub fn wait_for_text(&self, text: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(120), "no {text:?} on the terminal:\n{screen}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Waits until the program has turned the terminal's echo off (a secret
    /// prompt is ready to read): what is typed before that is echoed by the
    /// terminal and may be flushed by the prompt.
    pub fn wait_for_no_echo(&self) {
        let tty = self.tmux(&["display-message", "-p", "#{pane_tty}"]).trim().to_string();
        wait_for(
            || {
                let out = StdCommand::new("stty").args(["-F", &tty, "-a"]).output().ok()?;
                String::from_utf8_lossy(&out.stdout).split_whitespace().any(|w| w == "-echo").then_some(())
            },
            "the prompt to turn echo off",
        );
    }

    /// Types `text` and Enter.
    pub fn type_line(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
        self.tmux(&["send-keys", "Enter"]);
    }

    /// Presses a key, in tmux's names (`C-c`).
    pub fn key(&self, key: &str) {
        self.tmux(&["send-keys", key]);
    }

    /// The program's exit code and the screen, once it has ended.
    pub fn wait_exit(&self) -> (i32, String) {
        let screen = self.wait_for_text("[exit ");
        let code = screen.rsplit("[exit ").next().and_then(|r| r.split(']').next()).and_then(|c| c.parse().ok());
        (code.unwrap_or(-1), screen)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop_database(&self.name);
    }
}

/// Drops a test's database, whoever is still connected to it.
pub fn drop_database(name: &str) {
    let _ = StdCommand::new("psql")
        .args(["-X", "-q", "-d", &admin_url(), "-c", &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")])
        .stderr(Stdio::null())
        .status();
}

pub fn database_exists(name: &str) -> bool {
    psql(&admin_url(), &format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'")).trim() == "1"
}

/// Creates a database with no schema in it.
/// Whether this run's `TestDb::migrated` databases are Dalgo's (live mode).
pub fn live_storage() -> bool {
    std::env::var("DALGO_TEST_STORAGE").is_ok_and(|s| s == "live")
}

pub fn create_empty_database(name: &str) {
    psql(&admin_url(), &format!("CREATE DATABASE \"{name}\""));
}

/// Runs git in `dir` as a test author would.
pub fn git(dir: &Path, args: &[&str]) {
    // A fixture repository is the same whatever the operator's git
    // configuration says (`commit.gpgsign`, hooks, a default branch): the
    // suite runs on machines that are lived in. dalgo's own git is tested
    // under that configuration; this only makes the repositories it reads.
    let ok = StdCommand::new("git")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "user.email=t@example.org", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// A git remote over HTTP that takes connections and never answers: git
/// waits on it until it is stopped.
pub struct SilentRemote(std::net::TcpListener);

impl SilentRemote {
    pub fn new() -> SilentRemote {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        SilentRemote(listener)
    }

    pub fn url(&self) -> String {
        format!("http://{}/repo.git", self.0.local_addr().unwrap())
    }

    /// Waits for git to connect while `child` runs; the connection.
    pub fn connected(&self, child: &mut std::process::Child) -> std::net::TcpStream {
        let mut conn = None;
        wait_while_running(
            child,
            || {
                conn = self.0.accept().ok().map(|(c, _)| c);
                conn.is_some()
            },
            "git to connect",
        );
        conn.unwrap()
    }
}

/// Whether the other end closes `conn` (its process was stopped) within 120 s.
pub fn closed(mut conn: std::net::TcpStream) -> bool {
    use std::io::Read;
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(120))).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => return !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
        }
    }
}

/// Parses a command's stdout as JSON.
pub fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Creates an org and its user with a password from the environment.
pub fn onboard(db: &TestDb, org: &str, email: &str, role: &str) {
    db.dalgo(&["createorganduser", org, email, "--role", role]).env("PASSWORD", "pw-for-tests").assert().success();
}

/// Polls `probe` until it finds something (at most 120 s): waiting for an
/// event that has no notification of its own, such as a row or a lock.
pub fn wait_for<T>(probe: impl FnMut() -> Option<T>, what: &str) -> T {
    // The limit only ends a test that already failed: generous, for a loaded machine.
    wait_up_to(std::time::Duration::from_secs(120), probe, what)
}

/// [`wait_for`] with a limit of its own, for what another program does on
/// its own schedule.
pub fn wait_up_to<T>(limit: std::time::Duration, mut probe: impl FnMut() -> Option<T>, what: &str) -> T {
    let started = std::time::Instant::now();
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A psql session holding locks in an open transaction, as another program
/// would: statements dalgo sends that need those locks wait until it ends.
pub struct LockHolder {
    child: std::process::Child,
}

impl LockHolder {
    /// Opens a transaction in `db`, runs `sql` in it (e.g. a `SELECT … FOR
    /// UPDATE`), and returns once it holds what `sql` took.
    pub fn new(db: &TestDb, sql: &str) -> LockHolder {
        use std::io::{BufRead, Write};
        let mut child = StdCommand::new("psql")
            .args(["-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", &db.url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.as_mut().unwrap();
        writeln!(stdin, "BEGIN;\n{sql};\n\\echo held").unwrap();
        stdin.flush().unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while out.read_line(&mut line).unwrap() > 0 && line.trim() != "held" {
            line.clear();
        }
        assert_eq!(line.trim(), "held", "psql could not take the lock");
        LockHolder { child }
    }
}

impl LockHolder {
    /// Commits the transaction (dropping the holder rolls it back).
    pub fn commit(mut self) {
        self.end("COMMIT");
    }

    fn end(&mut self, how: &str) {
        use std::io::Write;
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = writeln!(stdin, "{how};\n\\q");
        }
        let _ = self.child.wait();
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        self.end("ROLLBACK");
    }
}

/// Waits until one of dalgo's sessions of `db` waits for a lock (stopped by
/// a [`LockHolder`]).
pub fn wait_until_blocked(db: &TestDb) {
    wait_for(
        || {
            let n: i64 = db
                .scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND wait_event_type = 'Lock' AND application_name = 'dalgo'",
                )
                .parse()
                .unwrap();
            (n > 0).then_some(())
        },
        "dalgo to wait for the held lock",
    );
}

/// Waits until `probe` finds something while `child` runs; if the child
/// ends first, fails with what it printed.
pub fn wait_while_running(child: &mut std::process::Child, mut probe: impl FnMut() -> bool, what: &str) {
    wait_for(
        || {
            if probe() {
                return Some(());
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                child.stderr.take().map(|mut e| e.read_to_string(&mut err));
                panic!("dalgo ended ({status}) before {what}: {err}");
            }
            None
        },
        what,
    )
}

/// Kills a spawned dalgo with SIGKILL, as the OOM killer or `kill -9` would.
pub fn sigkill(mut child: std::process::Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A running dalgo's stderr, line by line as it comes: a test waits for
/// the line that says what it needs (a state seen, a poll made) instead of
/// for an amount of time.
pub struct StderrLines {
    lines: std::sync::mpsc::Receiver<String>,
    seen: String,
}

impl StderrLines {
    /// Takes `child`'s piped stderr.
    pub fn of(child: &mut std::process::Child) -> StderrLines {
        use std::io::BufRead;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        StderrLines { lines, seen: String::new() }
    }

    /// Waits (at most 120 s) until `count` lines so far contain `needle`.
    pub fn wait_for(&mut self, needle: &str, count: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while self.seen.matches(needle).count() < count {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                }
                Err(_) => panic!("no {count} lines with {needle:?} on stderr; so far:\n{}", self.seen),
            }
        }
    }

    /// Everything written, once the process has ended.
    pub fn rest(mut self) -> String {
        while let Ok(line) = self.lines.recv() {
            self.seen.push_str(&line);
            self.seen.push('\n');
        }
        self.seen
    }
}
