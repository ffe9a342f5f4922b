//! The secrets store: credentials live here, and the database keeps only
//! their names (`warehouseCreds-<slug>-<uuid>`, `gitrepoAccessToken-<uuid>`),
//! as Dalgo does.
//!
//! Two backends, chosen by `DALGO_SECRETS_BACKEND`:
//! - `dir` (default): Dalgo's `DEV_SECRETS_DIR` layout, one file per secret
//!   named after it, holding `{"Name","SecretId","SecretString"}`, so an
//!   existing Dalgo secrets directory works unchanged. Written atomically,
//!   mode 0600.
//! - `keyring`: the OS keyring (Linux keyutils), for an engineer's own machine.
//!   It needs a session keyring, which cron and containers usually lack.
//! - `aws` (with the `aws` feature): AWS Secrets Manager, as production
//!   Dalgo keeps its secrets (see [`aws`]).

#[cfg(feature = "aws")]
pub(crate) mod aws;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::SecretsConfig;
use crate::db::Within;
use crate::error::{Error, OrWarn, Result};

/// The keyring service every dalgo secret is filed under.
const KEYRING_SERVICE: &str = "dalgo";

/// A configured secrets store.
#[derive(Debug)]
pub enum SecretStore {
    Dir(PathBuf),
    Keyring,
    #[cfg(feature = "aws")]
    Aws(aws::Store),
}

/// Dalgo's on-disk shape of one secret.
#[derive(Serialize, Deserialize)]
struct SecretFile {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "SecretId")]
    secret_id: String,
    #[serde(rename = "SecretString")]
    secret_string: String,
}

impl SecretStore {
    pub fn open(cfg: &SecretsConfig) -> SecretStore {
        match cfg {
            SecretsConfig::Dir(dir) => SecretStore::Dir(dir.clone()),
            SecretsConfig::Keyring => SecretStore::Keyring,
            #[cfg(feature = "aws")]
            SecretsConfig::Aws(settings) => SecretStore::Aws(aws::Store::new(settings.clone())),
        }
    }

    /// `dir` or `keyring`, for messages.
    pub fn describe(&self) -> String {
        match self {
            SecretStore::Dir(dir) => format!("directory {}", dir.display()),
            SecretStore::Keyring => "OS keyring".into(),
            #[cfg(feature = "aws")]
            SecretStore::Aws(_) => "AWS Secrets Manager".into(),
        }
    }

    /// The secret's value, or `None` if there is no such secret.
    pub async fn get(&self, name: &str) -> Result<Option<SecretString>> {
        check_name(name)?;
        match self {
            SecretStore::Dir(dir) => {
                let path = dir.join(name);
                let text = match fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(io_error(&path, e)),
                };
                let file: SecretFile = serde_json::from_str(&text).map_err(|e| Error::Secrets {
                    message: format!("{} is not a Dalgo secret file: {e}", path.display()),
                })?;
                Ok(Some(SecretString::from(file.secret_string)))
            }
            SecretStore::Keyring => keyring::get(name),
            #[cfg(feature = "aws")]
            SecretStore::Aws(aws) => aws.get(name).await,
        }
    }

    /// Creates or replaces a secret.
    pub async fn put(&self, name: &str, value: &SecretString) -> Result<()> {
        check_name(name)?;
        match self {
            SecretStore::Dir(dir) => {
                let path = dir.join(name);
                write_private_atomically(&path, &file_body(name, value)?).map_err(|e| io_error(&path, e))
            }
            SecretStore::Keyring => keyring::put(name, value),
            #[cfg(feature = "aws")]
            SecretStore::Aws(aws) => aws.put(name, value).await,
        }
    }

    /// Creates or replaces each of these secrets. The directory store
    /// flushes them to disk together: each is written to a temporary file,
    /// the file system is synced once (not once a file: a thousand secrets
    /// took a thousand `fsync`s), then each is renamed in and the directory
    /// synced. A failure leaves each secret old or new, never part-written.
    /// Other stores put them one at a time.
    pub async fn put_all(&self, secrets: &[(String, SecretString)]) -> Result<()> {
        let SecretStore::Dir(dir) = self else {
            for (name, value) in secrets {
                self.put(name, value).await?;
            }
            return Ok(());
        };
        let mut files = Vec::with_capacity(secrets.len());
        for (name, value) in secrets {
            check_name(name)?;
            files.push((dir.join(name), file_body(name, value)?));
        }
        write_all_private_atomically(dir, &files).map_err(|e| io_error(dir, e))
    }

    /// Removes a secret; `false` if there was none.
    pub async fn delete(&self, name: &str) -> Result<bool> {
        check_name(name)?;
        match self {
            SecretStore::Dir(dir) => match fs::remove_file(dir.join(name)) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(io_error(&dir.join(name), e)),
            },
            SecretStore::Keyring => keyring::delete(name),
            #[cfg(feature = "aws")]
            SecretStore::Aws(aws) => aws.delete(name).await,
        }
    }

    /// The names of every secret, where the backend can enumerate them (the
    /// keyring cannot: `None`).
    pub async fn list(&self) -> Result<Option<Vec<String>>> {
        match self {
            SecretStore::Dir(dir) => {
                let entries = match fs::read_dir(dir) {
                    Ok(e) => e,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(Vec::new())),
                    Err(e) => return Err(io_error(dir, e)),
                };
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| check_name(n).is_ok() && !n.starts_with('.'))
                    .collect();
                names.sort();
                Ok(Some(names))
            }
            SecretStore::Keyring => Ok(None),
            // A Secrets Manager account holds more than Dalgo's: only names dalgo could have made.
            #[cfg(feature = "aws")]
            SecretStore::Aws(aws) => {
                let dalgos = |n: &String| SecretKind::ALL.iter().any(|k| k.names(n));
                Ok(Some(aws.list().await?.into_iter().filter(|n| check_name(n).is_ok() && dalgos(n)).collect()))
            }
        }
    }
}

/// A secret as `dalgo secrets list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SecretEntry {
    pub name: String,
    /// `warehouse`, `git token` or `Airbyte source secret`, when the database refers to it.
    pub kind: Option<&'static str>,
    /// The org whose row refers to it.
    pub org: Option<String>,
    /// Whether the store holds it; `None` where the store cannot tell without reading it.
    pub in_store: Option<bool>,
}

/// (secret name, what it holds, org slug) for every secret a row names.
pub(crate) async fn references(db: &crate::db::Db) -> Result<Vec<(String, &'static str, String)>> {
    let rows: Vec<(String, i32, String)> = sqlx::query_as(
        "SELECT w.credentials_secret, 0, o.slug FROM warehouses w JOIN orgs o ON o.id = w.org_id
         UNION ALL
         SELECT d.token_secret, 1, o.slug FROM dbt_workspaces d JOIN orgs o ON o.id = d.org_id
          WHERE d.token_secret IS NOT NULL
         UNION ALL
         SELECT f.secret, 2, o.slug FROM source_secrets f JOIN orgs o ON o.id = f.org_id",
    )
    .fetch_all(db.pool())
    .within()
    .await?;
    let kind = |k: i32| ["warehouse", "git token", "Airbyte source secret"][k.clamp(0, 2) as usize];
    Ok(rows.into_iter().map(|(n, k, org)| (n, kind(k), org)).collect())
}

pub(crate) async fn refuse_referenced(db: &crate::db::Db, name: &str) -> Result<()> {
    match references(db).await?.into_iter().find(|(n, _, _)| n == name) {
        Some((_, kind, org)) => Err(Error::InUse {
            message: format!(
                "secret {name} holds the {kind} of org {org}; remove it with the command that manages the {kind}"
            ),
            next: None,
        }),
        None => Ok(()),
    }
}

/// What a secret version holds, as `org_secrets.kind` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// An org's warehouse credentials: `warehouseCreds-<slug>-<uuid>`.
    Warehouse,
    /// An org's git access token: `gitrepoAccessToken-<uuid>`.
    GitToken,
    /// A secret field of one of the org's Airbyte sources, as an org
    /// document gave it: `airbyteSourceSecret-<slug>-<uuid>` (dalgo's own).
    SourceField,
}

impl SecretKind {
    #[cfg(any(feature = "aws", test))]
    pub(crate) const ALL: [SecretKind; 3] = [SecretKind::Warehouse, SecretKind::GitToken, SecretKind::SourceField];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SecretKind::Warehouse => "warehouse",
            SecretKind::GitToken => "git_token",
            SecretKind::SourceField => "source_field",
        }
    }

    /// What Dalgo's names of this kind start with, before a `-`.
    fn prefix(self) -> &'static str {
        match self {
            SecretKind::Warehouse => "warehouseCreds",
            SecretKind::GitToken => "gitrepoAccessToken",
            SecretKind::SourceField => "airbyteSourceSecret",
        }
    }

    /// Whether `name` is one of this kind as `org_secrets` takes it: the
    /// prefix, a `-`, then letters, digits, `_`, `.` and `-`.
    pub(crate) fn names(self, name: &str) -> bool {
        name.strip_prefix(self.prefix()).and_then(|rest| rest.strip_prefix('-')).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        })
    }

    /// A fresh name for a new version, in Dalgo's naming.
    fn new_name(self, org_slug: &str) -> String {
        let id = uuid::Uuid::new_v4();
        match self {
            SecretKind::Warehouse | SecretKind::SourceField => format!("{}-{org_slug}-{id}", self.prefix()),
            SecretKind::GitToken => format!("{}-{id}", self.prefix()),
        }
    }
}

/// Stores `value` as a new version of one of the org's secrets and returns
/// its name. The name is recorded in `org_secrets` before the value is
/// written, so a crash in between leaves a record, never an unknown file.
pub(crate) async fn put_new_version(
    db: &crate::db::Db,
    store: &SecretStore,
    org: &crate::org::Org,
    kind: SecretKind,
    value: &SecretString,
) -> Result<String> {
    let name = kind.new_name(&org.slug);
    sqlx::query("INSERT INTO org_secrets (name, org_id, kind) VALUES ($1, $2, $3)")
        .bind(&name)
        .bind(org.id)
        .bind(kind.as_str())
        .execute(db.pool())
        .within()
        .await?;
    if let Err(e) = store.put(&name, value).await {
        forget(db, &name).await.or_warn(format_args!("forget the unwritten secret version {name}"));
        return Err(e);
    }
    Ok(name)
}

/// Removes a version from the store, then its record. Callers remove only
/// versions no row names any more.
pub(crate) async fn remove_version(db: &crate::db::Db, store: &SecretStore, name: &str) -> Result<()> {
    store.delete(name).await?;
    forget(db, name).await
}

pub(crate) async fn forget(db: &crate::db::Db, name: &str) -> Result<()> {
    sqlx::query("DELETE FROM org_secrets WHERE name = $1").bind(name).execute(db.pool()).within().await?;
    Ok(())
}

/// Whether a row names the version `s.name` (a warehouse's credentials, a
/// dbt workspace's token, a source's secret field).
pub(crate) const REFERENCED: &str = "EXISTS (SELECT 1 FROM warehouses w WHERE w.credentials_secret = s.name)
      OR EXISTS (SELECT 1 FROM dbt_workspaces d WHERE d.token_secret = s.name)
      OR EXISTS (SELECT 1 FROM source_secrets f WHERE f.secret = s.name)";

/// The org's (`$1`) recorded versions that no row names: what an operation
/// killed midway left. Only safe under the org's operations lock, which
/// every operation that writes a version holds.
pub(crate) fn unused_versions() -> String {
    format!("SELECT s.name FROM org_secrets s WHERE s.org_id = $1 AND NOT ({REFERENCED})")
}

/// Removes the org's versions no row names (see [`unused_versions`]) and
/// returns their names. Called first by every operation that writes one.
pub(crate) async fn sweep(db: &crate::db::Db, store: &SecretStore, org: &crate::org::Org) -> Result<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{} ORDER BY s.name", unused_versions())))
        .bind(org.id)
        .fetch_all(db.pool())
        .within()
        .await?;
    for name in &names {
        tracing::info!(secret = %name, org = %org.slug, "removing a secret version left by an interrupted operation");
        remove_version(db, store, name).await?;
    }
    Ok(names)
}

/// Every secret the org has: the versions recorded for it, those its rows
/// name, and (from before versions were recorded) any warehouse secret in
/// the store under its slug's prefix.
pub(crate) async fn org_versions(
    db: &crate::db::Db,
    store: &SecretStore,
    org: &crate::org::Org,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM org_secrets WHERE org_id = $1
         UNION SELECT credentials_secret FROM warehouses WHERE org_id = $1
         UNION SELECT token_secret FROM dbt_workspaces WHERE org_id = $1 AND token_secret IS NOT NULL
         UNION SELECT secret FROM source_secrets WHERE org_id = $1",
    )
    .bind(org.id)
    .fetch_all(db.pool())
    .within()
    .await?;
    let prefix = format!("warehouseCreds-{}-", org.slug);
    for held in store.list().await?.unwrap_or_default() {
        // The rest must be a bare uuid, so `acme-` never takes `acme-ngo-`'s.
        let ours = held.strip_prefix(&prefix).is_some_and(|rest| uuid::Uuid::parse_str(rest).is_ok());
        if ours && !names.contains(&held) {
            names.push(held);
        }
    }
    names.sort();
    Ok(names)
}

/// A secret version no row names, as `dalgo secrets gc` finds it.
#[derive(Debug, Clone, Serialize)]
pub struct Orphan {
    pub name: String,
    /// The org it was recorded for.
    pub org: Option<String>,
    /// Whether it was removed (false in a dry run).
    pub removed: bool,
}

/// What `dalgo secrets gc` did.
#[derive(Debug, Clone, Serialize)]
pub struct GcReport {
    /// The versions removed (or, in a dry run, that would be).
    pub orphans: Vec<Orphan>,
    /// Orgs left alone because an operation held their lock: run gc again later.
    pub skipped: Vec<String>,
}

/// Secret names become file names: no separators, no dot-files.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 255
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok { Ok(()) } else { Err(Error::InvalidSecretName(name.to_string())) }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Secrets { message: format!("{}: {e}", path.display()) }
}

/// A secret as Dalgo's directory store keeps it (AWS's shape).
fn file_body(name: &str, value: &SecretString) -> Result<Vec<u8>> {
    let file = SecretFile {
        name: name.to_string(),
        secret_id: name.to_string(),
        secret_string: value.expose_secret().to_string(),
    };
    serde_json::to_vec(&file).map_err(|e| Error::Secrets { message: e.to_string() })
}

/// The temporary file a write goes through beside `path`.
fn temporary(dir: &Path, path: &Path) -> PathBuf {
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("secret");
    dir.join(format!(".{file_name}.tmp-{}", uuid::Uuid::new_v4()))
}

/// [`write_private_atomically`] for many files in one directory, with one
/// flush to disk for all their contents and one for the renames.
fn write_all_private_atomically(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    create_private_dir(dir)?;
    let mut written: Vec<(PathBuf, &Path)> = Vec::with_capacity(files.len());
    let result = (|| {
        for (path, body) in files {
            let tmp = temporary(dir, path);
            open_private(&tmp)?.write_all(body)?;
            written.push((tmp, path));
        }
        sync_filesystem(dir)?;
        for (tmp, path) in &written {
            fs::rename(tmp, path)?;
        }
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        for (tmp, _) in written.iter().filter(|(tmp, _)| tmp.exists()) {
            fs::remove_file(tmp).or_warn(format_args!("remove {}", tmp.display()));
        }
    }
    result
}

/// Flushes the file system holding `dir` to disk: every file written there
/// so far is durable once it returns.
#[cfg(target_os = "linux")]
fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = fs::File::open(dir)?;
    // SAFETY: syncfs only reads the descriptor, which `handle` keeps open.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn sync_filesystem(_: &Path) -> std::io::Result<()> {
    // No syncfs: sync(2) flushes every file system, which covers this one.
    // SAFETY: sync takes no arguments and touches no memory of ours.
    unsafe { libc::sync() };
    Ok(())
}

/// Writes `body` to `path` with mode 0600 through a temporary file and a
/// rename, so readers see the old content or the new, never a part.
pub(crate) fn write_private_atomically(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or(std::io::ErrorKind::InvalidInput)?;
    create_private_dir(dir)?;
    let tmp = temporary(dir, path);
    let result = (|| {
        let mut f = open_private(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() && tmp.exists() {
        fs::remove_file(&tmp).or_warn(format_args!("remove {}", tmp.display()));
    }
    result
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// Creates a directory (and parents) readable only by its owner.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

#[cfg(target_os = "linux")]
pub(crate) mod keyring {
    use std::sync::Once;

    use keyring_core::{Entry, Error as KeyringError};
    use secrecy::{ExposeSecret, SecretString};

    use super::KEYRING_SERVICE;
    use crate::error::{Error, Result};

    fn entry(name: &str) -> Result<Entry> {
        static STORE: Once = Once::new();
        let mut failure = None;
        STORE.call_once(|| match linux_keyutils_keyring_store::Store::new() {
            Ok(store) => keyring_core::set_default_store(store),
            Err(e) => failure = Some(e.to_string()),
        });
        if let Some(message) = failure {
            return Err(Error::Secrets { message: format!("OS keyring unavailable: {message}") });
        }
        Entry::new(KEYRING_SERVICE, name).map_err(keyring_error)
    }

    fn keyring_error(e: KeyringError) -> Error {
        Error::Secrets {
            message: format!(
                "OS keyring: {e} (it needs a session keyring; use DALGO_SECRETS_BACKEND=dir under cron or in containers)"
            ),
        }
    }

    pub fn get(name: &str) -> Result<Option<SecretString>> {
        match entry(name)?.get_password() {
            Ok(pw) => Ok(Some(SecretString::from(pw))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    pub fn put(name: &str, value: &SecretString) -> Result<()> {
        entry(name)?.set_password(value.expose_secret()).map_err(keyring_error)
    }

    pub fn delete(name: &str) -> Result<bool> {
        match entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) mod keyring {
    use secrecy::SecretString;

    use crate::error::{Error, Result};

    fn unsupported<T>() -> Result<T> {
        Err(Error::Secrets {
            message: "the keyring backend is only built for Linux; use DALGO_SECRETS_BACKEND=dir".into(),
        })
    }

    pub fn get(_: &str) -> Result<Option<SecretString>> {
        unsupported()
    }

    pub fn put(_: &str, _: &SecretString) -> Result<()> {
        unsupported()
    }

    pub fn delete(_: &str) -> Result<bool> {
        unsupported()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_a_secret_written_in_dalgos_layout() {
        let dir = tempfile::tempdir().unwrap();
        // As Dalgo's DevSecretsManager writes it.
        fs::write(
            dir.path().join("gitrepoAccessToken-3f1c"),
            r#"{"Name": "gitrepoAccessToken-3f1c", "SecretId": "gitrepoAccessToken-3f1c", "SecretString": "ghp_abc"}"#,
        )
        .unwrap();
        let store = SecretStore::Dir(dir.path().to_path_buf());
        assert_eq!(store.get("gitrepoAccessToken-3f1c").await.unwrap().unwrap().expose_secret(), "ghp_abc");
        assert!(store.get("missing").await.unwrap().is_none());
        assert_eq!(store.list().await.unwrap().unwrap(), ["gitrepoAccessToken-3f1c"]);
    }

    #[tokio::test]
    async fn many_secrets_are_written_together_and_read_back_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::Dir(dir.path().join("store"));
        let secrets: Vec<(String, SecretString)> =
            (0..50).map(|i| (format!("warehouseCreds-org{i}-1"), SecretString::from(format!("value {i}")))).collect();
        store.put_all(&secrets).await.unwrap();
        for (name, value) in &secrets {
            assert_eq!(store.get(name).await.unwrap().unwrap().expose_secret(), value.expose_secret());
            let mode = fs::metadata(dir.path().join("store").join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        assert_eq!(store.list().await.unwrap().unwrap().len(), 50, "no temporary file is left");
        let bad = [("../escape".to_string(), SecretString::from("x"))];
        assert!(matches!(store.put_all(&bad).await, Err(Error::InvalidSecretName(_))));
    }

    #[tokio::test]
    async fn writes_private_files_dalgo_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::Dir(dir.path().join("nested"));
        store.put("warehouseCreds-acme-1", &SecretString::from("{\"password\":\"p\"}")).await.unwrap();
        let path = dir.path().join("nested/warehouseCreds-acme-1");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let raw: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(raw["Name"], "warehouseCreds-acme-1");
        assert_eq!(raw["SecretId"], "warehouseCreds-acme-1");
        assert_eq!(raw["SecretString"], "{\"password\":\"p\"}");
        assert!(store.delete("warehouseCreds-acme-1").await.unwrap());
        assert!(!store.delete("warehouseCreds-acme-1").await.unwrap());
        assert_eq!(store.list().await.unwrap().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn names_of_each_kind_are_those_org_secrets_takes() {
        assert!(SecretKind::Warehouse.names("warehouseCreds-acme-1f0e"));
        assert!(!SecretKind::Warehouse.names("warehouseCreds-"));
        assert!(!SecretKind::Warehouse.names("creds-acme"));
        assert!(SecretKind::GitToken.names("gitrepoAccessToken-3f1c"));
        assert!(!SecretKind::GitToken.names("warehouseCreds-acme-1f0e"));
        for kind in SecretKind::ALL {
            assert!(kind.names(&kind.new_name("acme-ngo")));
        }
    }

    #[tokio::test]
    async fn names_cannot_escape_the_directory() {
        let store = SecretStore::Dir(PathBuf::from("/tmp"));
        for bad in ["../x", "a/b", "", ".hidden"] {
            assert!(store.get(bad).await.is_err(), "{bad}");
        }
    }
}
