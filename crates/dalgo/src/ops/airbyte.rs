//! An org's Airbyte workspace. Every object is reached through it, and one
//! that lives in another org's workspace is [`Error::NotInWorkspace`]: no org
//! reads, changes, syncs or deletes another's.

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::{Dalgo, OrgOps};
use crate::airbyte::JobRecord;
use crate::airbyte::client::{Call, Wait};
use crate::airbyte::fields;
use crate::airbyte::{
    self, Actor, ActorRead, AttemptLogs, CheckResult, Client, Connection, ConnectionChanges, ConnectionSpec,
    Definition, Job, StreamInfo, SyncEvent, SyncOptions, SyncOutcome, Workspace,
};
use crate::airbyte::{DEFAULT_ORGANIZATION_ID, delete_workspace_remote, get_workspace, is_not_found, workspace_delete};
use crate::audit::{self, Action, Resource};
use crate::db::Within;
use crate::error::{Error, OrWarn, Result};
use crate::org::{self, Org};
use crate::secrets::{self, SecretKind};

/// An org and its Airbyte workspace.
pub struct OrgAirbyte<'a> {
    dalgo: &'a Dalgo,
    client: &'a Client,
    ow: airbyte::OrgWorkspace,
}

impl<'a> OrgAirbyte<'a> {
    /// The org's row first (a missing org is 67, Airbyte configured or
    /// not), then its workspace id, then Airbyte's client.
    pub(super) async fn open(org: &super::OrgOps<'a>) -> Result<OrgAirbyte<'a>> {
        Self::of(org.dalgo(), org.get().await?)
    }

    /// The workspace of an org an operation has read.
    pub(super) fn of(dalgo: &'a Dalgo, org: Org) -> Result<OrgAirbyte<'a>> {
        let ow = airbyte::OrgWorkspace::of(org)?;
        Ok(OrgAirbyte { dalgo, client: dalgo.airbyte()?, ow })
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
        self.ow.create(self.client, actor, &def.id, name, config).await
    }

    /// Replaces one of the org's sources' or destinations' config.
    ///
    /// A source's secret fields the config gives anew are no longer the
    /// values an org document sent (and dalgo kept): dalgo forgets them, so
    /// an export says `{kept: airbyte}` and an apply writes its own again.
    pub async fn update_actor(&self, actor: Actor, id: &str, name: Option<&str>, config: &Value) -> Result<ActorRead> {
        self.actor(actor, id).await?;
        let updated = airbyte::update(self.client, actor, id, name, config).await?;
        if actor == Actor::Source {
            fields::forget(self.dalgo.db(), id, Some(&fields::sent(config))).await?;
        }
        Ok(updated)
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
        airbyte::delete(self.client, actor, id).await?;
        if actor == Actor::Source {
            fields::forget(self.dalgo.db(), id, None).await?;
        }
        Ok(())
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
        let kind = airbyte::JobKind::Clear(streams);
        self.ow.run_job(self.jobs(opts, on_event), connection_id, kind).await
    }

    /// Applies the schema change Airbyte sees now on one of the org's
    /// connections, as Dalgo's schema-change approval does, if it touches
    /// the same streams as the `approved` catalog diff
    /// ([`Error::SchemaChangedSince`] and nothing written otherwise): the
    /// connection updated with its refreshed catalog, without a reset.
    pub async fn update_schema(&self, connection_id: &str, approved: &Value) -> Result<airbyte::SchemaUpdate> {
        self.ow.update_schema(self.client, connection_id, approved).await
    }

    /// Syncs connections returned by [`OrgAirbyte::sync_targets`], recording
    /// the jobs; `on_event` hears each start, progress and failure.
    pub async fn sync(&self, targets: &[String], opts: SyncOptions, on_event: &dyn Fn(SyncEvent)) -> Vec<SyncOutcome> {
        airbyte::sync_and_wait(self.jobs(opts, on_event), &self.ow.org, targets).await
    }

    fn jobs<'e>(&'e self, opts: SyncOptions, on_event: &'e dyn Fn(SyncEvent)) -> airbyte::Jobs<'e> {
        airbyte::Jobs { db: self.dalgo.db(), client: self.client, opts, on_event }
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

/// A source as an org document gives it: by name, with its secret fields
/// apart from the rest of its config.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    pub name: String,
    /// The connector: a definition's name or id.
    pub definition: String,
    /// The config but for its secret fields.
    pub config: Value,
    /// The secret fields, by their place (`tunnel_method.password`).
    pub secrets: Vec<(String, SecretValue)>,
}

/// Where a secret field of a source comes from.
#[derive(Debug, Clone)]
pub enum SecretValue {
    /// A new value: stored as a new version of the org's secrets.
    New(SecretString),
    /// The version dalgo holds for this field (its name).
    Held(String),
    /// The value Airbyte holds, which dalgo never read: sent back masked.
    Kept,
}

impl super::OrgOps<'_> {
    /// Creates the org's source of this name, or updates the one there is,
    /// from `spec`; the source as Airbyte returns it.
    ///
    /// Under the org's operations lock and the rule of [`crate::ops`]: each
    /// new secret value is a new version, recorded and written before the
    /// source is; the fields switch to their versions in one transaction
    /// after Airbyte took them, and the versions they replace are removed
    /// then. A kill before that leaves the source with fields dalgo does not
    /// hold, which the next apply writes again; unused versions are swept.
    /// Sources are found by name, so a re-run adopts one a killed run made.
    pub async fn put_source(&self, spec: SourceSpec) -> Result<ActorRead> {
        let org = self.get().await?;
        let (dalgo, client) = (self.dalgo, self.dalgo.airbyte()?);
        self.locked(org, async |org| {
            let ow = airbyte::OrgWorkspace::of(org)?;
            secrets::sweep(dalgo.db(), dalgo.store(), &ow.org).await?;
            let existing =
                airbyte::list(client, Actor::Source, &ow.workspace_id).await?.into_iter().find(|s| s.name == spec.name);
            let mut config = spec.config.clone();
            let mut written = Vec::new();
            let made = async {
                for (field, value) in &spec.secrets {
                    let text = match value {
                        SecretValue::New(v) => {
                            let kind = SecretKind::SourceField;
                            let name = secrets::put_new_version(dalgo.db(), dalgo.store(), &ow.org, kind, v).await?;
                            written.push((field.clone(), name));
                            v.expose_secret().to_string()
                        }
                        SecretValue::Held(name) => dalgo
                            .store()
                            .get(name)
                            .await?
                            .ok_or_else(|| Error::Secrets { message: format!("secret {name} is not in the store") })?
                            .expose_secret()
                            .to_string(),
                        SecretValue::Kept => fields::MASK.to_string(),
                    };
                    fields::set(&mut config, &fields::path(field), Value::String(text));
                }
                match &existing {
                    Some(s) => airbyte::update(client, Actor::Source, &s.id, None, &config).await,
                    None => {
                        let def =
                            airbyte::find_definition(client, Actor::Source, &ow.workspace_id, &spec.definition).await?;
                        ow.create(client, Actor::Source, &def.id, &spec.name, &config).await
                    }
                }
            };
            let source = match made.await {
                Ok(s) => s,
                Err(e) => {
                    for (_, name) in &written {
                        secrets::remove_version(dalgo.db(), dalgo.store(), name)
                            .await
                            .or_warn(format_args!("remove the unused secret version {name}"));
                    }
                    return Err(e);
                }
            };
            let keep: Vec<String> = spec.secrets.iter().map(|(f, _)| f.clone()).collect();
            for old in fields::record(dalgo.db(), &ow.org, &source.id, &written, &keep).await? {
                secrets::remove_version(dalgo.db(), dalgo.store(), &old)
                    .await
                    .or_warn(format_args!("remove the replaced secret version {old} (the org's next operation will)"));
            }
            Ok(source)
        })
        .await
    }

    /// Deletes the org's source of this name (with its connections, as
    /// Airbyte does) and the secret versions of its fields; whether there
    /// was one. Under the org's operations lock; the fields are forgotten
    /// first, so a kill leaves versions the next operation sweeps.
    pub async fn delete_source(&self, name: &str) -> Result<bool> {
        let org = self.get().await?;
        let (dalgo, client) = (self.dalgo, self.dalgo.airbyte()?);
        self.locked(org, async |org| {
            let ow = airbyte::OrgWorkspace::of(org)?;
            let found =
                airbyte::list(client, Actor::Source, &ow.workspace_id).await?.into_iter().find(|s| s.name == name);
            let Some(source) = found else { return Ok(false) };
            fields::forget(dalgo.db(), &source.id, None).await?;
            airbyte::delete(client, Actor::Source, &source.id).await?;
            secrets::sweep(dalgo.db(), dalgo.store(), &ow.org).await?;
            Ok(true)
        })
        .await
    }
}

impl OrgOps<'_> {
    /// Creates the org's Airbyte workspace (named after its slug) unless it
    /// has one Airbyte still knows; the workspace and whether it was made.
    /// Under the org's operations lock, and its row stays locked meanwhile,
    /// so two runs never make two workspaces.
    pub async fn create_airbyte_workspace(&self) -> Result<(Workspace, bool)> {
        let org = self.get().await?;
        let (dalgo, c) = (self.dalgo(), self.dalgo().airbyte()?);
        let create = async |org: Org| {
            let mut tx = dalgo.db().pool().begin().within().await?;
            let org = org::lock(&mut tx, &org).await?;
            if let Some(id) = &org.airbyte_workspace_id {
                match get_workspace(c, id).await {
                    Ok(ws) => return Ok((ws, false)),
                    Err(e) if is_not_found(&e) => {
                        tracing::warn!(workspace = %id, "recorded workspace is gone; creating another")
                    }
                    Err(e) => return Err(e),
                }
            }
            let body = json!({ "name": org.slug, "organizationId": DEFAULT_ORGANIZATION_ID });
            let ws: Workspace = c.post("/workspaces/create", &body, Call::Once, Wait::Normal).await?;
            let recorded = async {
                sqlx::query("UPDATE orgs SET airbyte_workspace_id = $2, updated_at = now() WHERE id = $1")
                    .bind(org.id)
                    .bind(&ws.workspace_id)
                    .execute(&mut *tx)
                    .within()
                    .await?;
                audit::Entry::new(dalgo.actor(), Action::Update, Resource::Org, org.uuid.to_string())
                    .of(Some(&org))
                    .details(json!({ "airbyte_workspace_id": ws.workspace_id }))
                    .record(&mut tx)
                    .await?;
                tx.commit().within().await?;
                Ok::<_, Error>(())
            }
            .await;
            if let Err(e) = recorded {
                // Undo the workspace rather than leave one no org points at.
                delete_workspace_remote(c, &ws.workspace_id)
                    .await
                    .or_warn(format_args!("delete the Airbyte workspace {}", ws.workspace_id));
                return Err(e);
            }
            Ok((ws, true))
        };
        self.locked(org, create).await
    }

    /// Deletes the org's Airbyte workspace with its sources, destinations
    /// and connections, and forgets it; `None` when it had none. Under the
    /// org's operations lock.
    pub async fn delete_airbyte_workspace(&self) -> Result<Option<String>> {
        let org = self.get().await?;
        let (dalgo, c) = (self.dalgo(), self.dalgo().airbyte()?);
        self.locked(org, async |org| workspace_delete(dalgo.db(), c, &org, dalgo.actor()).await).await
    }

    /// The org's recorded Airbyte jobs (of one connection, or all), newest first.
    pub async fn airbyte_jobs(&self, connection: Option<&str>, limit: i64) -> Result<Vec<JobRecord>> {
        let org = self.get().await?;
        Ok(sqlx::query_as(
            "SELECT job_id, connection_id, job_type, status, records, bytes, started_at, ended_at FROM airbyte_jobs
              WHERE org_id = $1 AND ($2::text IS NULL OR connection_id = $2)
              ORDER BY created_at DESC, job_id DESC LIMIT $3",
        )
        .bind(org.id)
        .bind(connection)
        .bind(limit)
        .fetch_all(self.dalgo().db().pool())
        .within()
        .await?)
    }
}
