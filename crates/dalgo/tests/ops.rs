//! The library's operations, called as an embedding program calls them
//! (no binary in between), against a real PostgreSQL database of their own.

#[path = "../../../tests/support/airbyte_stub.rs"]
mod airbyte_stub;

use std::path::{Path, PathBuf};
use std::time::Duration;

use dalgo::config::{AirbyteAuth, AirbyteConfig, Config, DatabaseConfig, DbtConfig, SecretsConfig};
use dalgo::model::user::{Email, PasswordHash};
use dalgo::model::warehouse::WarehouseType;
use dalgo::ops::{CreateOrgAndUser, Dalgo, DeleteOptions, Step, WarehouseSpec};
use dalgo::{Error, ErrorKind};
use serde_json::json;
use sqlx::{Connection, PgConnection};

fn pg_host() -> String {
    std::env::var("DALGO_TEST_PGHOST").unwrap_or_else(|_| "/var/run/postgresql".into())
}

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
    let airbyte = AirbyteConfig {
        base_url: format!("http://127.0.0.1:{}/api/v1", stub.port()),
        auth: AirbyteAuth::None,
        timeout: Duration::from_secs(10),
        check_timeout: Duration::from_secs(10),
        discover_timeout: Duration::from_secs(10),
        retries: 0,
    };
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
    assert!(stub.violations().is_empty(), "{:?}", stub.violations());
    // The database of this test is really there, and really dalgo's.
    let mut conn = PgConnection::connect_with(&fx.config(None).database.options).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM orgs").fetch_one(&mut conn).await.unwrap();
    assert_eq!(n, 2);
}
