//! An org's Airbyte workspace. Every object is reached through it, and one
//! that lives in another org's workspace is [`Error::NotInWorkspace`]: no org
//! reads, changes, syncs or deletes another's.

use serde_json::Value;

use super::Dalgo;
use crate::airbyte::{
    self, Actor, ActorRead, AttemptLogs, CheckResult, Client, Connection, ConnectionChanges, ConnectionSpec,
    Definition, Job, StreamInfo, SyncEvent, SyncOptions, SyncOutcome, Workspace,
};
use crate::error::{Error, Result};
use crate::org::Org;

/// An org and its Airbyte workspace.
pub struct OrgAirbyte<'a> {
    dalgo: &'a Dalgo,
    client: &'a Client,
    ow: airbyte::OrgWorkspace,
}

impl<'a> OrgAirbyte<'a> {
    pub(super) async fn open(dalgo: &'a Dalgo, slug: &str) -> Result<OrgAirbyte<'a>> {
        let client = dalgo.airbyte()?;
        let ow = airbyte::org_workspace(dalgo.db(), slug).await?;
        Ok(OrgAirbyte { dalgo, client, ow })
    }

    pub fn org(&self) -> &Org {
        &self.ow.org
    }

    pub fn workspace_id(&self) -> &str {
        &self.ow.workspace_id
    }

    /// One of the org's sources or destinations.
    pub async fn actor(&self, actor: Actor, id: &str) -> Result<ActorRead> {
        // A UUID, or 65 before any call (it was Airbyte's 404, 67).
        crate::values::uuid_id(actor.noun(), id)?;
        let read = airbyte::get(self.client, actor, id).await?;
        self.ow.owns(actor.noun(), id, &read.workspace_id)?;
        Ok(read)
    }

    /// One of the org's connections: by its `workspaceId`, or (servers that
    /// leave that out) by its source's.
    pub async fn connection(&self, id: &str) -> Result<Connection> {
        self.ow.connection(self.client, id).await
    }

    /// One of the org's jobs (a job of one of its connections), as Airbyte
    /// reports it now; recorded in the org's job history.
    pub async fn job(&self, id: i64) -> Result<Job> {
        let job = airbyte::get_job(self.client, id).await?;
        self.connection(&job.config_id).await?;
        airbyte::record_job(self.dalgo.db(), Some(&self.ow.org), &job.config_id, &job).await?;
        Ok(job)
    }

    /// Cancels one of the org's jobs, and records it.
    pub async fn cancel_job(&self, id: i64) -> Result<Job> {
        self.job(id).await?;
        let job = airbyte::cancel(self.client, id).await?;
        airbyte::record_job(self.dalgo.db(), Some(&self.ow.org), &job.config_id, &job).await?;
        Ok(job)
    }

    /// Starts a reset (clearing synced data) of one of the org's connections.
    pub async fn reset(&self, connection_id: &str) -> Result<Job> {
        self.connection(connection_id).await?;
        let job = airbyte::trigger(self.client, connection_id, airbyte::JobKind::Reset).await?;
        airbyte::record_job(self.dalgo.db(), Some(&self.ow.org), connection_id, &job).await?;
        Ok(job)
    }

    /// Creates a connection between the org's own source and destination;
    /// the destination defaults to the org's warehouse destination.
    pub async fn create_connection(&self, mut spec: ConnectionSpec, destination: Option<String>) -> Result<Connection> {
        self.actor(Actor::Source, &spec.source_id).await?;
        spec.destination_id = match destination {
            Some(d) => d,
            None => self.warehouse_destination().await?,
        };
        self.actor(Actor::Destination, &spec.destination_id).await?;
        airbyte::create_connection(self.client, &spec).await
    }

    /// The id of the org's warehouse destination.
    async fn warehouse_destination(&self) -> Result<String> {
        let wh = crate::warehouse::find(&mut *self.dalgo.db().pool().acquire().await?, &self.ow.org).await?;
        wh.and_then(|w| w.airbyte_destination_id).ok_or_else(|| Error::NoWarehouseDestination(self.ow.org.slug.clone()))
    }

    /// The connections to sync: one of the org's, or all its active ones.
    pub async fn sync_targets(&self, connection: Option<&str>) -> Result<Vec<Connection>> {
        Ok(match connection {
            Some(id) => vec![self.connection(id).await?],
            None => airbyte::list_connections(self.client, &self.ow.workspace_id)
                .await?
                .into_iter()
                .filter(|c| c.status == airbyte::ConnectionStatus::Active)
                .collect(),
        })
    }

    /// The workspace as Airbyte has it.
    pub async fn workspace(&self) -> Result<Workspace> {
        airbyte::get_workspace(self.client, &self.ow.workspace_id).await
    }

    /// The connectors available to the org.
    pub async fn definitions(&self, actor: Actor) -> Result<Vec<Definition>> {
        airbyte::definitions(self.client, actor, &self.ow.workspace_id).await
    }

    /// The org's sources or destinations.
    pub async fn actors(&self, actor: Actor) -> Result<Vec<ActorRead>> {
        airbyte::list(self.client, actor, &self.ow.workspace_id).await
    }

    /// Creates a source or destination of a connector (by name or id), its
    /// config checked against the connector's specification first.
    pub async fn create_actor(&self, actor: Actor, name: &str, definition: &str, config: &Value) -> Result<ActorRead> {
        let def = airbyte::find_definition(self.client, actor, &self.ow.workspace_id, definition).await?;
        airbyte::create(self.client, actor, &self.ow.workspace_id, name, &def.id, config).await
    }

    /// Replaces one of the org's sources' or destinations' config.
    pub async fn update_actor(&self, actor: Actor, id: &str, name: Option<&str>, config: &Value) -> Result<ActorRead> {
        self.actor(actor, id).await?;
        airbyte::update(self.client, actor, id, name, config).await
    }

    /// Tests one of the org's sources or destinations.
    pub async fn check(&self, actor: Actor, id: &str) -> Result<CheckResult> {
        self.actor(actor, id).await?;
        airbyte::check(self.client, actor, id).await
    }

    /// The streams of one of the org's sources.
    pub async fn discover(&self, source_id: &str) -> Result<Vec<StreamInfo>> {
        self.actor(Actor::Source, source_id).await?;
        Ok(airbyte::stream_infos(&airbyte::discover(self.client, source_id).await?))
    }

    /// Deletes one of the org's sources or destinations.
    pub async fn delete_actor(&self, actor: Actor, id: &str) -> Result<()> {
        self.actor(actor, id).await?;
        airbyte::delete(self.client, actor, id).await
    }

    /// The org's connections.
    pub async fn connections(&self) -> Result<Vec<Connection>> {
        airbyte::list_connections(self.client, &self.ow.workspace_id).await
    }

    /// Changes one of the org's connections.
    pub async fn update_connection(&self, id: &str, changes: &ConnectionChanges) -> Result<Connection> {
        self.connection(id).await?;
        airbyte::update_connection(self.client, id, changes).await
    }

    /// Deletes one of the org's connections.
    pub async fn delete_connection(&self, id: &str) -> Result<()> {
        self.connection(id).await?;
        airbyte::delete_connection(self.client, id).await
    }

    /// Every attempt's logs of one of the org's jobs.
    pub async fn job_logs(&self, id: i64) -> Result<Vec<AttemptLogs>> {
        self.job(id).await?;
        airbyte::job_logs(self.client, id).await
    }

    /// Clears one of the org's connections (the data it wrote and its
    /// cursors; only `streams`' when there are any) and, with `wait`,
    /// follows the job to its end, recording it.
    pub async fn clear(
        &self,
        connection_id: &str,
        streams: &[airbyte::StreamRef],
        opts: SyncOptions,
        on_event: &dyn Fn(SyncEvent),
    ) -> Result<SyncOutcome> {
        self.connection(connection_id).await?;
        let kind = airbyte::JobKind::Clear(streams);
        Ok(airbyte::run_job(self.dalgo.db(), self.client, Some(&self.ow.org), connection_id, kind, opts, on_event)
            .await)
    }

    /// Applies the schema change Airbyte sees now on one of the org's
    /// connections, as Dalgo's schema-change approval does, if it touches
    /// the same streams as the `approved` catalog diff
    /// ([`Error::SchemaChangedSince`] and nothing written otherwise): the
    /// connection updated with its refreshed catalog, without a reset.
    pub async fn update_schema(&self, connection_id: &str, approved: &Value) -> Result<airbyte::SchemaUpdate> {
        self.connection(connection_id).await?;
        airbyte::update_schema(self.client, connection_id, approved).await
    }

    /// Syncs connections returned by [`OrgAirbyte::sync_targets`], recording
    /// the jobs; `on_event` hears each start, progress and failure.
    pub async fn sync(&self, targets: &[String], opts: SyncOptions, on_event: &dyn Fn(SyncEvent)) -> Vec<SyncOutcome> {
        airbyte::sync_and_wait(self.dalgo.db(), self.client, &self.ow.org, targets, opts, on_event).await
    }
}

/// Credentials `dalgo airbyte login` keeps in the OS keyring, used when
/// neither the environment nor a file gives any.
#[derive(Debug)]
pub enum AirbyteLogin {
    Token(secrecy::SecretString),
    Client { id: String, secret: secrecy::SecretString },
    User { username: String, password: secrecy::SecretString },
}

impl Dalgo {
    /// Whether the configured Airbyte answers, its version, and whether it
    /// takes our credentials (no database needed).
    pub async fn airbyte_health(cfg: &crate::config::Config) -> Result<airbyte::Health> {
        airbyte::health(&airbyte::client(cfg)?, cfg).await
    }

    /// Stores Airbyte credentials in the OS keyring, replacing whatever
    /// login was there; the names of the entries written.
    pub fn airbyte_login(login: AirbyteLogin) -> Result<Vec<String>> {
        use crate::secrets::keyring;
        for name in airbyte::KEYRING_ENTRIES {
            // One that is not there is what we want.
            let _ = keyring::delete(name);
        }
        let entries = match login {
            AirbyteLogin::Token(t) => vec![("airbyte-api-token", t)],
            AirbyteLogin::Client { id, secret } => {
                vec![("airbyte-client-id", id.into()), ("airbyte-client-secret", secret)]
            }
            AirbyteLogin::User { username, password } => {
                vec![("airbyte-username", username.into()), ("airbyte-password", password)]
            }
        };
        let mut stored = Vec::new();
        for (name, value) in entries {
            keyring::put(name, &value)?;
            stored.push(name.to_string());
        }
        Ok(stored)
    }
}

impl super::OrgOps<'_> {
    /// Creates the org's Airbyte workspace (named after its slug) unless it
    /// has one Airbyte still knows; the workspace and whether it was made.
    /// Under the org's operations lock.
    pub async fn create_airbyte_workspace(&self) -> Result<(Workspace, bool)> {
        let (dalgo, client) = (self.dalgo, self.dalgo.airbyte()?);
        self.locked(async |org| airbyte::workspace_create(dalgo.db(), client, &org.slug, dalgo.actor()).await).await
    }

    /// Deletes the org's Airbyte workspace with its sources, destinations and
    /// connections, and forgets it; `None` when it had none. Under the org's
    /// operations lock.
    pub async fn delete_airbyte_workspace(&self) -> Result<Option<String>> {
        let (dalgo, client) = (self.dalgo, self.dalgo.airbyte()?);
        self.locked(async |org| airbyte::workspace_delete(dalgo.db(), client, &org.slug, dalgo.actor()).await).await
    }

    /// The org's recorded Airbyte jobs (of one connection, or all), newest first.
    pub async fn airbyte_jobs(&self, connection: Option<&str>, limit: i64) -> Result<Vec<airbyte::JobRecord>> {
        airbyte::history(self.dalgo.db(), &self.slug, connection, limit).await
    }
}
