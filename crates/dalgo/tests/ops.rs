//! The library's operations, called as an embedding program calls them
//! (no binary in between), against a real PostgreSQL database of their own.

#[path = "../../../tests/support/airbyte_stub.rs"]
mod airbyte_stub;
#[path = "../../../tests/support/fixture_files.rs"]
mod fixture_files;
#[path = "../../../tests/support/prefect_server.rs"]
mod prefect_server;

use std::path::{Path, PathBuf};
use std::time::Duration;

use dalgo::config::{AirbyteAuth, AirbyteConfig, Config, DatabaseConfig, DbtConfig, SecretsConfig};
use dalgo::model::user::{Email, PasswordHash};
use dalgo::model::warehouse::WarehouseType;
use dalgo::ops::{CreateOrgAndUser, Dalgo, DeleteOptions, Step, WarehouseSpec};
use dalgo::{Error, ErrorKind};
use serde_json::json;
use sqlx::{Connection, PgConnection};

use prefect_server::pg_host;

/// A database and a home of one test's own; the database is dropped at the end.
struct Fixture {
    name: String,
    home: tempfile::TempDir,
}

impl Fixture {
    fn new(tag: &str) -> Fixture {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        Fixture { name: format!("dalgo_lib_{tag}_{}_{nanos}", std::process::id()), home: tempfile::tempdir().unwrap() }
    }

    fn url(&self) -> String {
        format!("postgresql:///{}?host={}", self.name, pg_host())
    }

    fn secrets_dir(&self) -> PathBuf {
        self.home.path().join("secrets")
    }

    fn clientdbt_root(&self) -> PathBuf {
        self.home.path().join("clientdbt")
    }

    fn config(&self, airbyte: Option<AirbyteConfig>) -> Config {
        Config {
            database: DatabaseConfig::from_url(&self.url()).unwrap(),
            actor: "library-test".into(),
            secrets: SecretsConfig::Dir(self.secrets_dir()),
            aws: Default::default(),
            dbt: DbtConfig::new(self.clientdbt_root()),
            airbyte: airbyte.into(),
            prefect: Default::default(),
        }
    }

    /// Creates and migrates the database, and returns a handle on it.
    async fn dalgo(&self, airbyte: Option<AirbyteConfig>) -> Dalgo {
        let cfg = self.config(airbyte);
        Dalgo::setup(cfg).await.unwrap().0
    }

    fn secret_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(self.secrets_dir()) {
            Ok(entries) => entries.map(|e| e.unwrap().file_name().into_string().unwrap()).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let admin = format!("postgresql:///postgres?host={}", pg_host());
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let _ = std::process::Command::new("psql").args(["-X", "-q", "-d", &admin, "-c", &sql]).status();
    }
}

async fn onboard(d: &Dalgo, name: &str, email: &str) -> String {
    let email = Email::parse(email).unwrap();
    let hash = PasswordHash::new(&"a long passphrase".to_string().into()).unwrap();
    let req = CreateOrgAndUser { org_name: name, email: &email, role: "admin", password: Some(&hash) };
    d.orgs().create_with_user(&req).await.unwrap().org.slug
}

fn postgres_warehouse(password: &str) -> WarehouseSpec {
    let config = json!({"host": pg_host(), "port": 5432, "username": "u", "password": password, "database": "d"});
    WarehouseSpec {
        wtype: WarehouseType::Postgres,
        config: config.as_object().unwrap().clone(),
        check: false,
        airbyte: true,
    }
}

/// One value read from the handle's database on a connection of the test's own.
async fn scalar<T>(d: &Dalgo, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut conn = PgConnection::connect_with(&d.config().database.options).await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&mut conn).await.unwrap()
}

#[tokio::test]
async fn warehouse_set_versions_credentials_and_org_delete_removes_everything() {
    let fx = Fixture::new("delete");
    let d = fx.dalgo(None).await;
    let slug = onboard(&d, "Acme NGO", "boss@acme.org").await;
    let org = d.org(&slug);

    let first = org.warehouse().set(postgres_warehouse("pw-1")).await.unwrap();
    assert!(first.warehouse.created);
    assert!(matches!(first.airbyte_destination, Step::Skipped { .. }));
    let second = org.warehouse().set(postgres_warehouse("pw-2")).await.unwrap();
    assert_eq!(second.replaced_secret.as_deref(), Some(first.warehouse.credentials_secret.as_str()));
    assert_eq!(fx.secret_files(), std::slice::from_ref(&second.warehouse.credentials_secret));

    // Something of the org's on disk, as dbt setup leaves it.
    let org_dir = fx.clientdbt_root().join(&slug);
    std::fs::create_dir_all(org_dir.join("profiles")).unwrap();
    std::fs::write(org_dir.join("profiles/profiles.yml"), "password: pw-2").unwrap();

    let dry = org.delete(DeleteOptions { dry_run: true, keep_airbyte: false }).await.unwrap();
    assert_eq!(dry.secrets, std::slice::from_ref(&second.warehouse.credentials_secret));
    assert_eq!(dry.paths, std::slice::from_ref(&org_dir));
    assert_eq!(scalar::<i64>(&d, "SELECT count(*) FROM orgs").await, 1, "a dry run changes nothing");

    let done = org.delete(DeleteOptions::default()).await.unwrap();
    assert_eq!(done.rows.users_removed, ["boss@acme.org"]);
    assert_eq!(scalar::<i64>(&d, "SELECT count(*) FROM orgs").await, 0);
    assert_eq!(scalar::<i64>(&d, "SELECT count(*) FROM org_secrets").await, 0);
    assert!(fx.secret_files().is_empty());
    assert!(!org_dir.exists());

    match d.org(&slug).delete(DeleteOptions::default()).await {
        Err(e @ Error::OrgNotFound { .. }) => assert_eq!(e.kind(), ErrorKind::NotFound),
        other => panic!("{other:?}"),
    }
}

/// An example of this build, built first if this test target was built alone
/// (`cargo test` builds every example; `cargo test --test ops` does not).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(Path::parent).unwrap();
    let path = debug.join("examples").join(name);
    if !path.exists() {
        let built = std::process::Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "dalgo", "--example", name])
            .status()
            .unwrap();
        assert!(built.success(), "cannot build the {name} example");
    }
    path
}

#[tokio::test]
async fn the_delete_org_example_deletes_an_org_completely() {
    let fx = Fixture::new("example");
    let d = fx.dalgo(None).await;
    let slug = onboard(&d, "Example NGO", "boss@example.org").await;
    d.org(&slug).warehouse().set(postgres_warehouse("pw")).await.unwrap();
    std::fs::create_dir_all(fx.clientdbt_root().join(&slug).join("dbtrepo")).unwrap();

    let out = std::process::Command::new(example("delete_org"))
        .arg(&slug)
        .env_clear()
        .env("HOME", fx.home.path())
        .env("DATABASE_URL", fx.url())
        .env("DEV_SECRETS_DIR", fx.secrets_dir())
        .env("CLIENTDBT_ROOT", fx.clientdbt_root())
        .current_dir(fx.home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("deleted org Example NGO (example-ngo)"));
    assert_eq!(scalar::<i64>(&d, "SELECT count(*) FROM orgs").await, 0);
    assert!(fx.secret_files().is_empty());
    assert!(!fx.clientdbt_root().join(&slug).exists());
}

#[tokio::test]
async fn an_org_reaches_only_its_own_airbyte_objects() {
    let stub = airbyte_stub::Stub::start(airbyte_stub::Options::default());
    let airbyte = airbyte_config(&stub);
    let fx = Fixture::new("airbyte");
    let d = fx.dalgo(Some(airbyte)).await;
    let (a, b) = (onboard(&d, "Org A", "a@a.org").await, onboard(&d, "Org B", "b@b.org").await);
    for slug in [&a, &b] {
        d.org(slug).create_airbyte_workspace().await.unwrap();
    }
    let ws = |slug: &str| format!("SELECT airbyte_workspace_id FROM orgs WHERE slug = '{slug}'");
    let mine = stub.seed_connections(&scalar::<String>(&d, &ws(&a)).await, 1).remove(0);
    let theirs = stub.seed_connections(&scalar::<String>(&d, &ws(&b)).await, 1).remove(0);

    let oa = d.org(&a).airbyte().await.unwrap();
    assert_eq!(oa.connection(&mine).await.unwrap().connection_id, mine);
    for refused in [oa.connection(&theirs).await.err(), oa.reset(&theirs).await.err()] {
        match refused {
            Some(e @ Error::NotInWorkspace { .. }) => {
                assert_eq!(e.kind(), ErrorKind::NotFound);
                assert_eq!(e.to_string(), format!("connection {theirs} is not in the Airbyte workspace of {a}"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(stub.requests_to("/v1/connections/reset").is_empty(), "another org's connection was reset");
    assert!(d.org(&a).airbyte_jobs(None, 10).await.unwrap().is_empty(), "no job was started");
    // The org's own connection syncs, followed to its end, and the job is recorded.
    let opts = dalgo::model::airbyte::SyncOptions { wait: true, concurrency: 1, poll: Duration::from_millis(100) };
    let synced = oa.sync(std::slice::from_ref(&mine), opts, &|_| {}).await;
    assert!(synced.iter().all(|o| o.succeeded()), "{synced:?}");
    assert_eq!(d.org(&a).airbyte_jobs(Some(&mine), 10).await.unwrap().len(), 1);
    let b_ws = scalar::<String>(&d, &ws(&b)).await;
    assert_eq!(d.org(&b).delete_airbyte_workspace().await.unwrap(), Some(b_ws));
    assert!(matches!(d.org(&b).airbyte().await.err(), Some(Error::NoWorkspace(_))));
    assert!(stub.violations().is_empty(), "{:?}", stub.violations());
    // The database of this test is really there, and really dalgo's.
    let mut conn = PgConnection::connect_with(&fx.config(None).database.options).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM orgs").fetch_one(&mut conn).await.unwrap();
    assert_eq!(n, 2);
}

/// Every use case on dalgo's own database, through the handle alone: orgs,
/// members, users, roles, flags, the audit log, the secrets store, locks and
/// migrations, as a program embedding the library calls them.
#[tokio::test]
async fn the_admin_use_cases_run_through_the_handle() {
    use dalgo::model::audit::Query;
    use futures_util::TryStreamExt;

    let fx = Fixture::new("admin");
    let d = fx.dalgo(None).await;
    let statuses = Dalgo::migration_status(d.config()).await.unwrap();
    assert!(!statuses.is_empty() && statuses.iter().all(|m| m.state.as_str() == "applied"), "{statuses:?}");
    let slug = onboard(&d, "Acme NGO", "boss@acme.org").await;
    let orgs: Vec<_> = d.orgs().list().try_collect().await.unwrap();
    assert_eq!(orgs.iter().map(|o| o.org.slug.as_str()).collect::<Vec<_>>(), [slug.as_str()]);
    assert_eq!(d.orgs().slugs_starting("acme").await.unwrap(), [(slug.clone(), "Acme NGO".to_string())]);
    assert!(matches!(dalgo::ops::Orgs::validate_name(" "), Err(Error::InvalidOrgName { .. })));

    // Members: add (a new user with a password), change the role, remove.
    let org = d.org(&slug);
    let email = Email::parse("analyst@acme.org").unwrap();
    let hash = PasswordHash::new(&"an analyst's passphrase".to_string().into()).unwrap();
    assert!(!d.users().exists(&email).await.unwrap());
    let added = org.members().add(&email, "analyst", Some(&hash)).await.unwrap();
    assert!(added.user_created && added.membership.created);
    assert!(d.users().check_password(&email, &"an analyst's passphrase".to_string().into()).await.unwrap());
    let changed = org.members().set_role(&email, "admin").await.unwrap();
    assert_eq!((changed.old_role.as_str(), changed.new_role.as_str()), ("analyst", "admin"));
    assert_eq!(org.members().role_of(&email).await.unwrap(), "admin");
    let again = org.members().add(&email, "analyst", None).await.unwrap_err();
    assert!(matches!(again.next_step(), Some(dalgo::ops::NextStep::SetRole { .. })), "{again}");
    let members: Vec<_> = org.members().list().await.unwrap().try_collect().await.unwrap();
    assert_eq!(members.len(), 2);
    let new_hash = PasswordHash::new(&"a new passphrase".to_string().into()).unwrap();
    d.users().set_password(&email, &new_hash).await.unwrap();
    assert!(d.users().check_password(&email, &"a new passphrase".to_string().into()).await.unwrap());
    assert!(org.members().remove(&email).await.unwrap().user_deleted);
    assert!(!d.users().exists(&email).await.unwrap());
    let system = d.users().create_system_orguser().await.unwrap();
    assert!(system.user_created);

    // Roles are seed data.
    assert!(d.roles().list().await.unwrap().iter().any(|r| r.role.slug == "admin"));
    assert!(!d.roles().show("admin").await.unwrap().permissions.is_empty());
    assert_eq!(d.roles().require("wizard").await.unwrap_err().kind(), ErrorKind::InvalidInput);

    // Flags: the global value, the org's override over it, and Dalgo's map.
    d.flags().set("data_quality", true).await.unwrap();
    org.flags().set("DATA_QUALITY", false).await.unwrap();
    assert_eq!(org.flags().map().await.unwrap().get("DATA_QUALITY"), Some(&false));
    org.flags().clear("DATA_QUALITY").await.unwrap();
    assert_eq!(org.flags().map().await.unwrap().get("DATA_QUALITY"), Some(&true));
    assert!(d.flags().enable_all().await.unwrap().iter().all(|c| c.new == Some(true)));

    // The warehouse's credentials in the secrets store, masked when shown.
    org.warehouse().set(postgres_warehouse("pw-1")).await.unwrap();
    let secret = org.warehouse().show().await.unwrap().warehouse.credentials_secret;
    assert_eq!(d.secrets().list().await.unwrap().len(), 1);
    assert_eq!(d.secrets().show(&secret, false).await.unwrap()["password"], "********");
    assert_eq!(d.secrets().delete(&secret).await.unwrap_err().kind(), ErrorKind::InvalidInput, "the row names it");
    assert!(d.secrets().gc(Duration::ZERO, true).await.unwrap().orphans.is_empty());
    assert!(d.locks().list(None).await.unwrap().is_empty());

    // Everything above is in the audit log, by the handle's actor.
    let q = Query { org: Some(&slug), actor: Some("library-test"), since: None, limit: Some(100) };
    let entries = d.audit().list(&q).await.unwrap();
    for what in ["org_user", "feature_flag", "warehouse"] {
        assert!(entries.iter().any(|e| e.resource_type == what), "no {what} entry: {entries:?}");
    }

    // A pool the embedding program manages serves the same handle.
    let pool = sqlx::PgPool::connect_with(d.config().database.options.clone()).await.unwrap();
    let shared = Dalgo::with_pool(d.config().clone(), pool);
    assert_eq!(shared.org(&slug).show().await.unwrap().org.slug, slug);
}

/// An org's dbt workspace through the handle: set up on a local project,
/// a dbt command run in it (confined, recorded), its status, its teardown.
#[tokio::test]
async fn a_dbt_workspace_is_set_up_run_and_removed_through_the_handle() {
    let Some(venv) = std::env::var_os("DBT_VENV") else {
        panic!("DBT_VENV must name the virtualenv with dbt (scripts/test.sh builds it)");
    };
    let fx = Fixture::new("dbt");
    let mut cfg = fx.config(None);
    cfg.dbt.venv = Some(PathBuf::from(venv));
    let env: std::collections::HashMap<String, String> = std::env::vars().collect();
    cfg.dbt.child_env = dalgo::config::ChildEnv::allow(&env, "");
    let (d, _) = Dalgo::setup(cfg).await.unwrap();
    let slug = onboard(&d, "Dbt NGO", "boss@dbt.org").await;
    let org = d.org(&slug);
    let no_workspace = org.dbt().status(5).await.unwrap_err();
    assert!(matches!(no_workspace.next_step(), Some(dalgo::ops::NextStep::SetupDbt { .. })), "{no_workspace}");
    org.warehouse().set(postgres_warehouse("pw")).await.unwrap();
    let project = fx.home.path().join("project");
    fixture_files::copy_dir(&fixture_files::dbt_project(), &project);

    use dalgo::model::dbt::{Command, SetupRequest, Source};
    let req =
        SetupRequest { source: Source::Local { path: project.clone() }, default_schema: Some("analytics".into()) };
    let setup = org.dbt().setup(req).await.unwrap();
    assert!(setup.setup.created && setup.setup.tasks.contains(&"dbt-run".to_string()), "{setup:?}");
    let opts = dalgo::ops::DbtRunOptions { stdout: dalgo::model::dbt::ChildStdout::Stderr, ..Default::default() };
    let run = org.dbt().run(Command::Ls, opts, |_| {}, std::future::pending()).await.unwrap();
    assert_eq!(run.exit_code, Some(0), "{run:?}");
    let status = org.dbt().status(5).await.unwrap();
    assert_eq!(status.runs.first().map(|r| r.command.as_str()), Some("dbt ls"));
    let torn = org.dbt().teardown().await.unwrap();
    assert!(project.exists(), "a local project is never deleted: {torn:?}");
    assert!(matches!(org.dbt().status(5).await.unwrap_err(), Error::NoDbtWorkspace(_)));
}

/// The stub's Airbyte, as the library is configured for it.
fn airbyte_config(stub: &airbyte_stub::Stub) -> AirbyteConfig {
    AirbyteConfig {
        base_url: format!("http://127.0.0.1:{}/api/v1", stub.port()),
        auth: AirbyteAuth::None,
        timeout: Duration::from_secs(10),
        check_timeout: Duration::from_secs(10),
        discover_timeout: Duration::from_secs(10),
        retries: 0,
    }
}

/// Pipelines, their runs, locks and upkeep through the handle, against the
/// real Prefect server and the Airbyte stub: create, list, show, run (its
/// tasks locked), cancel, pause, reschedule, history, maintain, delete.
#[tokio::test]
async fn pipelines_run_and_are_kept_through_the_handle() {
    use dalgo::config::{PrefectConfig, Setting};
    use dalgo::model::pipeline::TaskChoice;
    use dalgo::ops::{MaintainOptions, PipelineSpec, RunOptions};

    let stub = airbyte_stub::Stub::start(airbyte_stub::Options::default());
    let fx = Fixture::new("pipelines");
    let mut cfg = fx.config(Some(airbyte_config(&stub)));
    cfg.prefect = Setting::Set(PrefectConfig {
        api_url: prefect_server::prefect_url().to_string(),
        api_key: None,
        timeout: Duration::from_secs(30),
        retries: 3,
        worker_pool: "dalgo-test-pool".into(),
        eks_worker_pool: None,
        entrypoint: dalgo::config::DEFAULT_ENTRYPOINT.into(),
        pull_steps: json!([]),
        airbyte_task_timeout: 15,
    });
    let (d, _) = Dalgo::setup(cfg).await.unwrap();
    let slug = onboard(&d, "Flow NGO", &format!("boss-{}@flow.org", std::process::id())).await;
    let org = d.org(&slug);
    let (ws, _) = org.create_airbyte_workspace().await.unwrap();
    let conn = stub.seed_connections(&ws.workspace_id, 1).remove(0);
    let tasks = TaskChoice { connections: vec![conn], transform: Some(Vec::new()) };
    let spec =
        PipelineSpec { name: "nightly".into(), tasks, cron: Some("0 2 * * *".into()), continue_on_sync_failure: false };
    let made = org.pipelines().create(spec).await.unwrap();
    assert!(made.pipeline.deployment_id.is_some());
    assert_eq!(org.pipelines().list().await.unwrap().len(), 1);
    assert_eq!(org.pipelines().show("nightly").await.unwrap().tasks.len(), 1);

    let started = org.pipelines().run("nightly", RunOptions::default()).await.unwrap();
    assert_eq!(d.locks().list(Some(&slug)).await.unwrap().len(), 1, "its task is locked");
    let again = org.pipelines().run("nightly", RunOptions::default()).await.unwrap_err();
    assert!(matches!(again.next_step(), Some(dalgo::ops::NextStep::WaitOrCancelRun)), "{again}");
    // A worker of the handle's runs it (an Airbyte sync on the stub) to its end.
    let opts = dalgo::model::worker::WorkerOptions {
        pool: "dalgo-test-pool".into(),
        queues: Vec::new(),
        concurrency: 1,
        name: format!("lib-test-{}", std::process::id()),
        poll: Duration::from_millis(500),
        once: true,
        grace: Duration::from_secs(30),
        heartbeat: Duration::from_secs(10),
    };
    let worked = d.worker(&opts, &|_| {}, std::future::pending()).await.unwrap();
    assert_eq!((worked.runs, worked.completed), (1, 1), "{worked:?}");
    let end = d.flow_runs().wait(&started.flow_run_id, Duration::from_millis(200), &|_| {}).await.unwrap();
    assert!(end.succeeded(), "{end:?}");
    assert!(d.locks().list(Some(&slug)).await.unwrap().is_empty(), "the end freed the lock");
    let mut logs = d.flow_runs().logs(&started.flow_run_id, false, Duration::from_millis(200)).unwrap();
    assert!(logs.next().await.unwrap().is_some_and(|lines| !lines.is_empty()), "the run logged");

    org.pipelines().set_paused("nightly", true).await.unwrap();
    let left = org.pipelines().reschedule(&[]).await.unwrap();
    assert!(matches!(left[0].step, Step::Skipped { .. }), "a paused pipeline is left paused: {left:?}");
    org.pipelines().set_paused("nightly", false).await.unwrap();
    assert!(matches!(org.pipelines().reschedule(&[]).await.unwrap()[0].step, Step::Done));

    let upkeep = d.maintain(MaintainOptions::default()).await.unwrap();
    assert!(!upkeep.skipped && upkeep.runs.is_some(), "{upkeep:?}");
    // The history lists what Prefect's scheduler placed ahead too; the last run is the one that ran.
    let history = org.pipelines().history("nightly", 5).await.unwrap();
    assert!(history.iter().any(|r| r.flow_run_id == started.flow_run_id), "{history:?}");
    assert_eq!(org.pipelines().last_run("nightly").await.unwrap().flow_run_id, started.flow_run_id);
    org.pipelines().delete("nightly").await.unwrap();
    assert!(org.pipelines().list().await.unwrap().is_empty());
}
