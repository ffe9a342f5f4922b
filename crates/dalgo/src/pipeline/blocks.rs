//! The Prefect blocks Dalgo's workers load while they run a pipeline's tasks:
//! the Airbyte server block `<slug>-airbyte-server` (syncs), the Secret
//! `dbt-profile-<slug>` (the warehouse credentials dbt steps write
//! profiles.yml from) and the Secret `<slug>-git-pull-url` (the repository URL
//! with its token, for git pull). The deployment names them; these functions
//! make them exist and hold the org's current values.

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::{AirbyteAuth, AirbyteConfig, Config};
use crate::db::Db;
use crate::dbt;
use crate::error::{Error, Result};
use crate::git;
use crate::org::Org;
use crate::prefect::{BlockWrite, Client};
use crate::secrets::SecretStore;

/// A block name as Dalgo's proxy makes them: lower case, `[a-z0-9-]` only.
pub fn block_name(raw: &str) -> String {
    raw.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

pub fn airbyte_server_block(org_slug: &str) -> String {
    block_name(&format!("{org_slug}-airbyte-server"))
}

pub fn dbt_profile_block(org_slug: &str) -> String {
    block_name(&format!("dbt-profile-{org_slug}"))
}

pub fn git_pull_url_block(org_slug: &str) -> String {
    block_name(&format!("{org_slug}-git-pull-url"))
}

string_enum! {
    /// Prefect's block type slugs of the blocks dalgo makes.
    pub enum BlockType {
        AirbyteServer => "airbyte-server",
        Secret => "secret",
    }
}

string_enum! {
    /// What happened to one block.
    pub enum BlockStatus {
        Created => "created",
        Updated => "updated",
        Unchanged => "unchanged",
        /// Not made: the org has no use for it yet, or Prefect cannot take it.
        Skipped => "skipped",
    }
}

/// What happened to one block.
#[derive(Debug, Clone, Serialize)]
pub struct BlockOutcome {
    pub name: String,
    pub block_type: BlockType,
    pub status: BlockStatus,
    /// Why a block was skipped.
    pub reason: Option<String>,
}

impl BlockOutcome {
    fn skipped(name: String, block_type: BlockType, reason: impl Into<String>) -> BlockOutcome {
        BlockOutcome { name, block_type, status: BlockStatus::Skipped, reason: Some(reason.into()) }
    }
}

/// Creates or updates the org's blocks from its current Airbyte settings,
/// warehouse credentials and git token. Blocks the org has no use for yet
/// (no dbt workspace, no token, no Airbyte) are reported as skipped.
pub(crate) async fn sync(
    db: &Db,
    cfg: &Config,
    store: &SecretStore,
    client: &Client,
    org: &Org,
) -> Result<Vec<BlockOutcome>> {
    let mut out = vec![airbyte_server(cfg, client, org).await?];
    out.extend(dbt_secrets(db, store, client, org).await?);
    Ok(out)
}

/// Why a sync skips a block: the org has no use for it yet.
const NO_AIRBYTE: &str = "Airbyte is not configured";
const NO_GIT_TOKEN: &str = "the dbt workspace has no git token";

fn no_dbt_workspace(org: &Org) -> String {
    format!("{} has no dbt workspace", org.slug)
}

/// Why the org has no use for `block` yet, as a sync skips it (no Airbyte,
/// no dbt workspace, no git token), given its dbt workspace; `None` when it
/// needs the block.
pub(crate) fn no_use_for(cfg: &Config, org: &Org, block: &str, dbt: Option<&dbt::Workspace>) -> Option<String> {
    if block == airbyte_server_block(&org.slug) {
        return matches!(cfg.airbyte.get(), Ok(None)).then(|| NO_AIRBYTE.into());
    }
    match dbt {
        None => Some(no_dbt_workspace(org)),
        Some(ws) if block == git_pull_url_block(&org.slug) && ws.token_secret.is_none() => Some(NO_GIT_TOKEN.into()),
        Some(_) => None,
    }
}

async fn airbyte_server(cfg: &Config, client: &Client, org: &Org) -> Result<BlockOutcome> {
    const TYPE: BlockType = BlockType::AirbyteServer;
    let name = airbyte_server_block(&org.slug);
    let Some(airbyte) = cfg.airbyte.get()? else {
        return Ok(BlockOutcome::skipped(name, TYPE, NO_AIRBYTE));
    };
    let data = airbyte_server_data(airbyte)?;
    Ok(match client.upsert_block(TYPE.as_str(), &name, &data).await? {
        Some(done) => written(name, TYPE, done),
        None => BlockOutcome::skipped(
            name,
            TYPE,
            "Prefect does not know the airbyte-server block type; register it where prefect-airbyte is installed \
             (`prefect block register -m prefect_airbyte`), then refresh the org's blocks",
        ),
    })
}

/// prefect-airbyte's AirbyteServer fields. Credentials go in when dalgo uses
/// basic auth; otherwise the block keeps prefect-airbyte's defaults.
fn airbyte_server_data(airbyte: &AirbyteConfig) -> Result<Value> {
    let url = reqwest::Url::parse(&airbyte.base_url)
        .map_err(|e| Error::Config(format!("Airbyte URL {}: {e}", airbyte.base_url)))?;
    let api_version = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("v1").to_string();
    let mut data = json!({
        "server_host": url.host_str().unwrap_or_default(),
        "server_port": url.port_or_known_default(),
        "api_version": api_version,
        "use_ssl": url.scheme() == "https",
    });
    if let Some((username, password)) = basic_credentials(&airbyte.auth) {
        data["username"] = json!(username);
        data["password"] = json!(password.expose_secret());
    }
    Ok(data)
}

fn basic_credentials(auth: &AirbyteAuth) -> Option<(String, SecretString)> {
    match auth {
        AirbyteAuth::Basic { username, password } => Some((username.clone(), password.clone())),
        AirbyteAuth::BasicToken(token) => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(token.expose_secret().trim()).ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (user, pass) = text.split_once(':')?;
            Some((user.to_string(), pass.to_string().into()))
        }
        AirbyteAuth::None | AirbyteAuth::ClientCredentials { .. } => None,
    }
}

async fn dbt_secrets(db: &Db, store: &SecretStore, client: &Client, org: &Org) -> Result<Vec<BlockOutcome>> {
    const TYPE: BlockType = BlockType::Secret;
    let (profile_name, url_name) = (dbt_profile_block(&org.slug), git_pull_url_block(&org.slug));
    let Some(ws) = dbt::find(&mut *db.pool().acquire().await?, org).await? else {
        let why = no_dbt_workspace(org);
        return Ok(vec![BlockOutcome::skipped(profile_name, TYPE, &why), BlockOutcome::skipped(url_name, TYPE, why)]);
    };
    let value = dbt::profile_secret(db, store, org).await?;
    let mut out = vec![put_secret(client, profile_name, &value.to_string()).await?];
    let token = match &ws.token_secret {
        Some(name) => store.get(name).await?,
        None => None,
    };
    out.push(match (&ws.repo_url, token) {
        (Some(url), Some(token)) => {
            put_secret(client, url_name, git::authenticated_url(url, &token).expose_secret()).await?
        }
        _ => BlockOutcome::skipped(url_name, TYPE, NO_GIT_TOKEN),
    });
    Ok(out)
}

/// The org's blocks: the dbt Secrets, then (unless `dbt_only`) the Airbyte server.
pub(crate) fn targets(org_slug: &str, dbt_only: bool) -> Vec<(BlockType, String)> {
    let mut targets =
        vec![(BlockType::Secret, dbt_profile_block(org_slug)), (BlockType::Secret, git_pull_url_block(org_slug))];
    if !dbt_only {
        targets.push((BlockType::AirbyteServer, airbyte_server_block(org_slug)));
    }
    targets
}

/// Deletes the org's blocks (they hold its credentials) and returns the
/// names of those Prefect had. With `dbt_only`, the Airbyte server block stays.
pub async fn delete(client: &Client, org_slug: &str, dbt_only: bool) -> Result<Vec<String>> {
    let mut deleted = Vec::new();
    for (block_type, name) in targets(org_slug, dbt_only) {
        if client.delete_block(block_type.as_str(), &name).await? {
            deleted.push(name);
        }
    }
    Ok(deleted)
}

/// The names of the org's blocks that Prefect has.
pub async fn existing(client: &Client, org_slug: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (block_type, name) in targets(org_slug, false) {
        if client.block_exists(block_type.as_str(), &name).await? {
            found.push(name);
        }
    }
    Ok(found)
}

async fn put_secret(client: &Client, name: String, value: &str) -> Result<BlockOutcome> {
    match client.upsert_block(BlockType::Secret.as_str(), &name, &json!({ "value": value })).await? {
        Some(done) => Ok(written(name, BlockType::Secret, done)),
        None => Err(Error::Prefect {
            failure: crate::error::Failure::Unexpected,
            status: None,
            message: "Prefect does not know its built-in secret block type".into(),
        }),
    }
}

fn written(name: String, block_type: BlockType, done: BlockWrite) -> BlockOutcome {
    let status = match done {
        BlockWrite::Created => BlockStatus::Created,
        BlockWrite::Updated => BlockStatus::Updated,
        BlockWrite::Unchanged => BlockStatus::Unchanged,
    };
    BlockOutcome { name, block_type, status, reason: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_like_dalgos_proxy() {
        assert_eq!(airbyte_server_block("my_ngo"), "myngo-airbyte-server");
        assert_eq!(dbt_profile_block("acme-ngo"), "dbt-profile-acme-ngo");
        assert_eq!(block_name("Org1 Airbyte_Server"), "org1airbyteserver");
    }

    #[test]
    fn the_airbyte_server_block_follows_the_configuration() {
        let cfg = AirbyteConfig {
            base_url: "https://airbyte.example:8443/api/v1".into(),
            auth: AirbyteAuth::BasicToken("YWlyYnl0ZTpzM2NyZXQ=".into()),
            timeout: Default::default(),
            check_timeout: Default::default(),
            discover_timeout: Default::default(),
            retries: 0,
        };
        assert_eq!(
            airbyte_server_data(&cfg).unwrap(),
            json!({"server_host": "airbyte.example", "server_port": 8443, "api_version": "v1", "use_ssl": true,
                   "username": "airbyte", "password": "s3cret"})
        );
    }
}
