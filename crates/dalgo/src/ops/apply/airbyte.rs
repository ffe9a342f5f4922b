//! The `airbyte` section of an org document: the org's sources and
//! connections by name, exported from its workspace, read against it, and
//! applied through [`super::super::OrgOps::put_source`] and the connection
//! operations of [`crate::ops::OrgAirbyte`].

use std::collections::{BTreeMap, HashMap};

use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

use super::read_reference;
use crate::airbyte::fields::{self, MASK};
use crate::airbyte::{
    self, Actor, ActorRead, Connection, ConnectionChanges, ConnectionSpec, Definition, DestinationSyncMode,
    StreamSelection, SyncMode,
};
use crate::error::{Error, Result};
use crate::ops::{Dalgo, SecretValue, SourceSpec};
use crate::org::Org;
use crate::orgdoc::{
    Action, AirbyteDoc, ConnectionDoc, FieldRef, OrgDocument, ResourceChange, ResourceKind, SourceDoc, invalid,
};

/// What the org has in Airbyte, read once per export or apply.
pub(super) struct AirbyteState {
    workspace_id: String,
    definitions: Vec<Definition>,
    sources: Vec<ActorRead>,
    destinations: Vec<ActorRead>,
    connections: Vec<Connection>,
    /// The versions dalgo holds for sources' secret fields: by source id, then place.
    held: BTreeMap<String, BTreeMap<String, String>>,
    /// The org's warehouse destination.
    warehouse: Option<String>,
}

impl AirbyteState {
    /// The org's workspace as Airbyte has it; `None` when the org has no
    /// workspace or no Airbyte is configured.
    pub(super) async fn read(dalgo: &Dalgo, org: &Org) -> Result<Option<AirbyteState>> {
        let Some(workspace_id) = org.airbyte_workspace_id.clone() else { return Ok(None) };
        if dalgo.config().airbyte.get()?.is_none() {
            return Ok(None);
        }
        let c = dalgo.airbyte()?;
        let warehouse = crate::warehouse::find(&mut *dalgo.db().pool().acquire().await?, org).await?;
        Ok(Some(AirbyteState {
            definitions: airbyte::definitions(c, Actor::Source, &workspace_id).await?,
            sources: airbyte::list(c, Actor::Source, &workspace_id).await?,
            destinations: airbyte::list(c, Actor::Destination, &workspace_id).await?,
            connections: airbyte::list_connections(c, &workspace_id).await?,
            held: fields::held(dalgo.db(), org).await?,
            warehouse: warehouse.and_then(|w| w.airbyte_destination_id),
            workspace_id,
        }))
    }

    /// The workspace as a document's section: secret fields as the versions
    /// dalgo holds (`{secret: NAME}`), or `{kept: airbyte}` where only
    /// Airbyte has them. Names must be unique, as a document's are.
    pub(super) fn export(&self, org: &str) -> Result<AirbyteDoc> {
        unique(org, "sources", self.sources.iter().map(|s| s.name.as_str()))?;
        unique(org, "connections", self.connections.iter().map(|c| c.name.as_str()))?;
        let sources = self.sources.iter().map(|s| self.source_doc(s)).collect();
        let connections = self.connections.iter().map(|c| self.connection_doc(c)).collect();
        Ok(AirbyteDoc { sources: Some(sources), connections: Some(connections) })
    }

    fn source_doc(&self, s: &ActorRead) -> SourceDoc {
        let mut config = s.configuration.clone();
        for (place, secret) in self.held.get(&s.id).into_iter().flatten() {
            let path = fields::path(place);
            if fields::get(&config, &path).is_some() {
                fields::set(&mut config, &path, json!({ "secret": secret }));
            }
        }
        for path in fields::find(&config, &|v| v == MASK) {
            fields::set(&mut config, &path, FieldRef::Kept.to_value());
        }
        let definition = self.definitions.iter().find(|d| d.id == s.definition_id).map_or(&s.connector, |d| &d.name);
        let config = match config {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        SourceDoc { name: s.name.clone(), definition: definition.clone(), config }
    }

    fn connection_doc(&self, c: &Connection) -> ConnectionDoc {
        let name_of = |list: &[ActorRead], id: &str| {
            list.iter().find(|a| a.id == id).map_or_else(|| id.to_string(), |a| a.name.clone())
        };
        let selected: Vec<&Value> = c.selected().collect();
        let every = selected.len() == airbyte::streams(&c.sync_catalog).count();
        let mode = |key: &str, default: &str| {
            selected.first().and_then(|s| s.pointer(key)).and_then(Value::as_str).unwrap_or(default).to_string()
        };
        ConnectionDoc {
            name: c.name.clone(),
            source: name_of(&self.sources, &c.source_id),
            destination: (self.warehouse.as_deref() != Some(&c.destination_id))
                .then(|| name_of(&self.destinations, &c.destination_id)),
            streams: if every { Vec::new() } else { c.selected_streams() },
            sync_mode: mode("/config/syncMode", SyncMode::FullRefresh.as_str()),
            destination_sync_mode: mode("/config/destinationSyncMode", DestinationSyncMode::Overwrite.as_str()),
            namespace: c.namespace_format.clone().filter(|_| c.namespace_definition.as_deref() == Some("customformat")),
            cron: (c.schedule_type.as_deref() == Some("cron"))
                .then(|| c.extra.get("scheduleData").and_then(|d| d.pointer("/cron/cronExpression")))
                .flatten()
                .and_then(Value::as_str)
                .map(String::from),
            enabled: c.status != airbyte::ConnectionStatus::Inactive,
        }
    }

    /// The name of the org's connection with this id.
    pub(super) fn connection_name(&self, id: &str) -> Option<&str> {
        self.connections.iter().find(|c| c.connection_id == id).map(|c| c.name.as_str())
    }

    fn source(&self, name: &str) -> Option<&ActorRead> {
        self.sources.iter().find(|s| s.name == name)
    }
}

fn unique<'a>(org: &str, what: &str, names: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    match names.into_iter().find(|n| !seen.insert(*n)) {
        None => Ok(()),
        Some(name) => Err(Error::InUse {
            message: format!(
                "two {what} of org {org} are named {name:?} in Airbyte, and a document names each once: rename one"
            ),
            next: None,
        }),
    }
}

/// The sources a document's `airbyte` section writes, by name, read.
pub(super) struct ReadAirbyte {
    pub(super) sources: BTreeMap<String, SourceSpec>,
}

impl Dalgo {
    /// Checks and reads the document's `airbyte` section, rewriting it in
    /// place as an export would write it when nothing changes (names as
    /// Airbyte spells them, references to the same values as the versions
    /// that hold them, crons as Quartz), and its pipelines' connections as
    /// names: each must be a connection the document keeps or makes.
    pub(super) async fn read_airbyte(
        &self,
        desired: &mut OrgDocument,
        state: Option<&AirbyteState>,
        document: &str,
    ) -> Result<ReadAirbyte> {
        let mut sources = BTreeMap::new();
        if let Some(section) = desired.airbyte.as_mut() {
            // No workspace: the caller's next step is to create it (NextStep).
            let state = state.ok_or_else(|| match self.airbyte() {
                Err(e) => e,
                Ok(_) => Error::NoWorkspace(desired.org.clone()),
            })?;
            for (i, s) in section.sources.iter_mut().flatten().enumerate() {
                let spec = self.read_source(s, state, &format!("airbyte.sources[{i}]"), document).await?;
                sources.insert(s.name.clone(), spec);
            }
            names(section.sources.iter().flatten().map(|s| &s.name), "airbyte.sources", document)?;
            // The sources there will be: the document's, or (no list) Airbyte's.
            let kept: Vec<String> = match &section.sources {
                Some(list) => list.iter().map(|s| s.name.clone()).collect(),
                None => state.sources.iter().map(|s| s.name.clone()).collect(),
            };
            for (i, c) in section.connections.iter_mut().flatten().enumerate() {
                read_connection(c, state, &kept, &format!("airbyte.connections[{i}]"), document)?;
            }
            names(section.connections.iter().flatten().map(|c| &c.name), "airbyte.connections", document)?;
        }
        // The connections there will be: the document's, or (no list) Airbyte's.
        let kept: Option<Vec<String>> = match desired.airbyte.as_ref().and_then(|a| a.connections.as_ref()) {
            Some(list) => Some(list.iter().map(|c| c.name.clone()).collect()),
            None => state.map(|s| s.connections.iter().map(|c| c.name.clone()).collect()),
        };
        for (i, p) in desired.pipelines.iter_mut().flatten().enumerate() {
            for (j, c) in p.connections.iter_mut().enumerate() {
                if let Some(x) = state.and_then(|s| s.connections.iter().find(|x| &x.connection_id == c)) {
                    *c = x.name.clone();
                }
                let known = match &kept {
                    Some(names) => names.contains(c),
                    // No workspace to read: ids are checked when the pipeline is written.
                    None => crate::values::uuid_id("connection", c).is_ok(),
                };
                if !known {
                    let why = format!("no connection named {c:?} (in the document's airbyte section or in Airbyte)");
                    return Err(invalid(document, format!("pipelines[{i}].connections[{j}]"), why));
                }
            }
        }
        Ok(ReadAirbyte { sources })
    }

    /// One source: its definition known and not changed, its config checked
    /// against the connector's specification with every secret field a
    /// reference, and each reference read.
    async fn read_source(
        &self,
        s: &mut SourceDoc,
        state: &AirbyteState,
        at: &str,
        document: &str,
    ) -> Result<SourceSpec> {
        let wanted = s.definition.trim();
        let def =
            state.definitions.iter().find(|d| d.id == wanted || d.name.eq_ignore_ascii_case(wanted)).ok_or_else(
                || invalid(document, format!("{at}.definition"), format!("no source connector {wanted:?}")),
            )?;
        s.definition = def.name.clone();
        let existing = state.source(&s.name);
        if existing.is_some_and(|e| e.definition_id != def.id) {
            let why = "Airbyte cannot change a source's connector: give the source a new name";
            return Err(invalid(document, format!("{at}.definition"), why));
        }
        let spec = airbyte::specification(self.airbyte()?, Actor::Source, &state.workspace_id, &def.id).await?;
        let mut config = Value::Object(s.config.clone());
        for place in fields::secret_places(&spec) {
            let path = fields::path(&place);
            if fields::get(&config, &path).is_some_and(|v| FieldRef::of(v).is_none()) {
                let why = "a secret field: give it as {env: VAR}, {file: PATH} or {secret: NAME}, never in clear";
                return Err(invalid(document, format!("{at}.config.{place}"), why));
            }
        }
        let held = existing.and_then(|e| state.held.get(&e.id));
        let mut secrets = Vec::new();
        for path in fields::find(&config, &|v| FieldRef::of(v).is_some()) {
            let place = fields::place(&path);
            let r = fields::get(&config, &path).and_then(FieldRef::of).unwrap_or(FieldRef::Kept);
            let value = self
                .read_field(
                    &r,
                    held.and_then(|h| h.get(&place)),
                    existing.is_some(),
                    &format!("{at}.config.{place}"),
                    document,
                )
                .await?;
            if let SecretValue::Held(name) = &value {
                fields::set(&mut config, &path, json!({ "secret": name }));
            }
            secrets.push((place, value));
        }
        s.config = config.as_object().cloned().unwrap_or_default();
        // What will be written is checked as Airbyte will check it (each
        // secret as its mask); a source left as it is, as it is.
        if existing.is_none_or(|e| state.source_doc(e).config != s.config) {
            let mut check = config.clone();
            for (place, _) in &secrets {
                fields::set(&mut check, &fields::path(place), json!(MASK));
            }
            airbyte::validate_config(Actor::Source, &spec, &check)
                .map_err(|e| invalid(document, format!("{at}.config"), e))?;
        }
        let mut plain = config;
        for (place, _) in &secrets {
            fields::set(&mut plain, &fields::path(place), Value::Null);
        }
        Ok(SourceSpec { name: s.name.clone(), definition: def.id.clone(), config: plain, secrets })
    }

    /// Where one secret field's value comes from: the version dalgo holds
    /// when the reference names it or gives the same value, else new.
    async fn read_field(
        &self,
        r: &FieldRef,
        held: Option<&String>,
        exists: bool,
        at: &str,
        document: &str,
    ) -> Result<SecretValue> {
        let r = match r {
            FieldRef::Kept if exists => return Ok(held.map_or(SecretValue::Kept, |h| SecretValue::Held(h.clone()))),
            FieldRef::Kept => {
                return Err(invalid(
                    document,
                    at,
                    "a new source has no value to keep: give {env: VAR} or {file: PATH}",
                ));
            }
            FieldRef::Given(r) => r,
        };
        let Some(value) = read_reference(r, held.map(String::as_str), at, document)? else {
            return Ok(SecretValue::Held(held.cloned().unwrap_or_default()));
        };
        let value = value.expose_secret().trim_end_matches(['\r', '\n']).to_string();
        if let Some(name) = held {
            let now = self.store().get(name).await?;
            if now.is_some_and(|n| n.expose_secret() == value) {
                return Ok(SecretValue::Held(name.clone()));
            }
        }
        Ok(SecretValue::New(value.into()))
    }

    /// Applies one source or connection change of the plan.
    pub(super) async fn apply_airbyte_change(
        &self,
        doc: &OrgDocument,
        change: &ResourceChange,
        read: &ReadAirbyte,
    ) -> Result<()> {
        let org = self.org(&doc.org);
        let name = change.name.as_str();
        match (change.kind, change.action, read.sources.get(name)) {
            (ResourceKind::Source, Action::Delete, _) => org.delete_source(name).await.map(|_| ()),
            (ResourceKind::Source, _, Some(spec)) => org.put_source(spec.clone()).await.map(|_| ()),
            (ResourceKind::Source, _, None) => Ok(()),
            _ => self.apply_connection(doc, change).await,
        }
    }

    async fn apply_connection(&self, doc: &OrgDocument, change: &ResourceChange) -> Result<()> {
        let ab = self.org(&doc.org).airbyte().await?;
        let now = ab.connections().await?.into_iter().find(|c| c.name == change.name);
        let want = doc.airbyte.iter().flat_map(|a| a.connections.iter().flatten()).find(|c| c.name == change.name);
        let (now, want) = match (now, want) {
            (Some(now), None) => return ab.delete_connection(&now.connection_id).await,
            (None, None) => return Ok(()),
            (now, Some(want)) => (now, want),
        };
        let selection = StreamSelection {
            streams: want.streams.clone(),
            sync_mode: want.sync_mode.parse().unwrap_or(SyncMode::FullRefresh),
            destination_sync_mode: want.destination_sync_mode.parse().unwrap_or(DestinationSyncMode::Overwrite),
        };
        let Some(now) = now else {
            let actor_id = async |actor: Actor, name: &str| -> Result<String> {
                let found = ab.actors(actor).await?.into_iter().find(|a| a.name == name);
                found.map(|a| a.id).ok_or_else(|| Error::Internal(format!("no {} named {name}", actor.noun())))
            };
            let destination = match &want.destination {
                Some(d) => Some(actor_id(Actor::Destination, d).await?),
                None => None,
            };
            let spec = ConnectionSpec {
                name: Some(want.name.clone()),
                source_id: actor_id(Actor::Source, &want.source).await?,
                destination_id: String::new(),
                streams: selection,
                namespace: want.namespace.clone(),
                cron: want.cron.clone(),
            };
            let made = ab.create_connection(spec, destination).await?;
            if want.enabled {
                return Ok(());
            }
            let paused = ConnectionChanges { enabled: Some(false), ..ConnectionChanges::default() };
            return ab.update_connection(&made.connection_id, &paused).await.map(|_| ());
        };
        let changed = |f: &str| change.fields.iter().any(|c| c.field == f);
        let streams = ["streams", "sync_mode", "destination_sync_mode"].iter().any(|f| changed(f));
        let changes = ConnectionChanges {
            streams: streams.then_some(selection),
            namespace: changed("namespace").then(|| want.namespace.clone()),
            cron: changed("cron").then(|| want.cron.clone()),
            enabled: changed("enabled").then_some(want.enabled),
            ..ConnectionChanges::default()
        };
        ab.update_connection(&now.connection_id, &changes).await.map(|_| ())
    }

    /// The ids of the org's connections, by name: what a pipeline's
    /// connections become once the `airbyte` section is applied.
    pub(super) async fn connection_ids(&self, doc: &OrgDocument) -> Result<HashMap<String, String>> {
        let Ok(ab) = self.org(&doc.org).airbyte().await else { return Ok(HashMap::new()) };
        Ok(ab.connections().await?.into_iter().map(|c| (c.name, c.connection_id)).collect())
    }
}

/// One connection: its source one of `sources` (those there will be), its
/// destination known, neither moved, its modes and cron readable; the cron as Quartz.
fn read_connection(
    c: &mut ConnectionDoc,
    state: &AirbyteState,
    sources: &[String],
    at: &str,
    document: &str,
) -> Result<()> {
    if !sources.contains(&c.source) {
        return Err(invalid(document, format!("{at}.source"), format!("no source named {:?}", c.source)));
    }
    if let Some(d) = c.destination.as_ref().filter(|d| !state.destinations.iter().any(|x| &&x.name == d)) {
        return Err(invalid(document, format!("{at}.destination"), format!("no destination named {d:?}")));
    }
    c.sync_mode.parse::<SyncMode>().map_err(|e| invalid(document, format!("{at}.sync_mode"), e))?;
    c.destination_sync_mode
        .parse::<DestinationSyncMode>()
        .map_err(|e| invalid(document, format!("{at}.destination_sync_mode"), e))?;
    if let Some(cron) = &c.cron {
        c.cron = Some(airbyte::quartz(cron).map_err(|e| invalid(document, format!("{at}.cron"), e))?);
    }
    if let Some(now) = state.connections.iter().find(|x| x.name == c.name) {
        let exported = state.connection_doc(now);
        for (field, was, is) in [
            ("source", Some(&exported.source), Some(&c.source)),
            ("destination", exported.destination.as_ref(), c.destination.as_ref()),
        ] {
            if was != is {
                let why =
                    format!("Airbyte cannot move a connection to another {field}: give the connection a new name");
                return Err(invalid(document, format!("{at}.{field}"), why));
            }
        }
        // The same streams in another order, or every one listed, are no change.
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        let every: Vec<String> = airbyte::stream_infos(&now.sync_catalog).into_iter().map(|s| s.name).collect();
        let want = sorted(c.streams.clone());
        if want == sorted(every) {
            c.streams.clear();
        } else if want == sorted(exported.streams.clone()) {
            c.streams = exported.streams;
        }
    }
    Ok(())
}

/// Each name once in a list.
fn names<'a>(list: impl Iterator<Item = &'a String>, at: &str, document: &str) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (i, name) in list.enumerate() {
        if !seen.insert(name) {
            return Err(invalid(document, format!("{at}[{i}].name"), "listed twice"));
        }
    }
    Ok(())
}
