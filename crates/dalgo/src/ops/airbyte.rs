//! An org's Airbyte workspace. Every object is reached through it, and one
//! that lives in another org's workspace is [`Error::NotInWorkspace`]: no org
//! reads, changes, syncs or deletes another's.

use serde_json::Value;

use super::Dalgo;
use crate::airbyte::{self, Actor, ActorRead, Client, Connection, ConnectionSpec, Job};
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

    pub fn client(&self) -> &'a Client {
        self.client
    }

    fn owned(&self, what: &'static str, id: &str, workspace_id: &str) -> Result<()> {
        if workspace_id == self.ow.workspace_id {
            Ok(())
        } else {
            Err(Error::NotInWorkspace { what, id: id.to_string(), org: self.ow.org.slug.clone() })
        }
    }

    /// One of the org's sources or destinations.
    pub async fn actor(&self, actor: Actor, id: &str) -> Result<ActorRead> {
        let read = airbyte::get(self.client, actor, id).await?;
        self.owned(actor.noun(), id, &read.workspace_id)?;
        Ok(read)
    }

    /// One of the org's connections: by its `workspaceId`, or (servers that
    /// leave that out) by its source's.
    pub async fn connection(&self, id: &str) -> Result<Connection> {
        let conn = airbyte::get_connection(self.client, id).await?;
        let ws = match conn.extra.get("workspaceId").and_then(Value::as_str) {
            Some(ws) => ws.to_string(),
            None => airbyte::get(self.client, Actor::Source, &conn.source_id).await?.workspace_id,
        };
        self.owned("connection", id, &ws)?;
        Ok(conn)
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
        let job = airbyte::trigger(self.client, connection_id, true).await?;
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
        wh.and_then(|w| w.airbyte_destination_id).ok_or_else(|| Error::InvalidConfig {
            what: format!("connection of {}", self.ow.org.slug),
            problems: vec![format!(
                "{} has no warehouse destination recorded: pass --destination ID, or set the warehouse with \
                 `dalgo warehouse set` while Airbyte is configured",
                self.ow.org.slug
            )],
        })
    }

    /// The connections to sync: one of the org's, or all its active ones.
    pub async fn sync_targets(&self, connection: Option<&str>) -> Result<Vec<String>> {
        Ok(match connection {
            Some(id) => vec![self.connection(id).await?.connection_id],
            None => airbyte::list_connections(self.client, &self.ow.workspace_id)
                .await?
                .into_iter()
                .filter(|c| c.status == airbyte::ConnectionStatus::Active)
                .map(|c| c.connection_id)
                .collect(),
        })
    }
}
