//! Configuration as code: an org exported as a document, and a document
//! checked, planned and applied ([`crate::orgdoc`] says what one holds).
//!
//! # Crash safety
//!
//! Applying a document is a sequence of the operations above (org create
//! and rename, plan set, warehouse set, dbt setup, source put and delete
//! ([`super::OrgOps::put_source`]), connection create, update and delete,
//! member add, role change and removal, flag set and clear, pipeline
//! create, update and delete), each under its own rule. The plan
//! is computed afresh from the org as it is every time, so an apply killed
//! half-way is finished by applying the same document again, and applying
//! it once more plans nothing.

mod airbyte;

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use super::{Dalgo, PipelineChanges, PipelineSpec, WarehouseSpec};
use crate::dbt::{SetupRequest, Source};
use crate::error::{Error, Result};
use crate::org::plan::{BasePlan, Duration, PlanSpec};
use crate::orgdoc::{
    Action, DbtDoc, MemberDoc, OrgDocument, PipelineDoc, Plan, PlanDoc, ResourceChange, ResourceKind, SecretRef,
    WarehouseDoc, invalid,
};
use crate::pipeline::TaskChoice;
use crate::user::{Email, PasswordHash};
use crate::warehouse::WarehouseType;

/// A document checked and planned against the org as it is.
struct Prepared {
    current: Option<OrgDocument>,
    plan: Plan,
    /// The warehouse configuration the document gives, read.
    warehouse: Option<(WarehouseType, Map<String, Value>)>,
    /// A new repository token the document gives, read.
    dbt_token: Option<SecretString>,
    /// The sources the document gives, read.
    airbyte: airbyte::ReadAirbyte,
}

impl Dalgo {
    /// The org as a document: its name, plan, warehouse and dbt workspace
    /// (credentials as the names of the secrets that hold them), its Airbyte
    /// sources and connections by name (when it has a workspace and Airbyte
    /// is configured), members, its own flag values and its pipelines.
    /// Exporting then applying changes nothing.
    pub async fn export_org(&self, slug: &str) -> Result<OrgDocument> {
        Ok(self.export_with_airbyte(slug, true).await?.0)
    }

    /// The org as a document, and (`with_airbyte`) its workspace as Airbyte
    /// has it, when it has one and Airbyte is configured; without it, the
    /// document has no `airbyte` section and pipelines name connections by id.
    async fn export_with_airbyte(
        &self,
        slug: &str,
        with_airbyte: bool,
    ) -> Result<(OrgDocument, Option<airbyte::AirbyteState>)> {
        // One connection at a time: the CLI's pool has one.
        let org = self.org(slug).get().await?;
        let members: Vec<MemberDoc> = crate::user::list_stream(self.db(), Some(org.id))
            .try_filter(|m| std::future::ready(!m.is_system))
            .map_ok(|m| MemberDoc { email: m.email, role: m.role })
            .try_collect()
            .await?;
        let flags: BTreeMap<String, bool> = crate::flags::effective(self.db(), Some(org.id))
            .await?
            .into_iter()
            .filter(|f| f.source == crate::flags::Source::Org)
            .map(|f| (f.name, f.value))
            .collect();
        let state = if with_airbyte { airbyte::AirbyteState::read(self, &org).await? } else { None };
        let connection =
            |id: String| state.as_ref().and_then(|s| s.connection_name(&id)).map_or(id.clone(), String::from);
        let mut conn = self.db().pool().acquire().await?;
        let pipelines = crate::pipeline::all_with_tasks(&mut conn, &org)
            .await?
            .into_iter()
            .map(|(p, tasks)| {
                let (syncs, transform): (Vec<_>, Vec<_>) = tasks.into_iter().partition(|t| t.slug == "airbyte-sync");
                PipelineDoc {
                    name: p.name,
                    cron: p.cron,
                    connections: syncs.into_iter().filter_map(|t| t.connection_id).map(connection).collect(),
                    transform: Some(transform.into_iter().map(|t| t.slug).collect()),
                    continue_on_sync_failure: p.continue_on_sync_failure,
                }
            })
            .collect();
        let plan = crate::org::plan::get(&mut conn, &org).await?.map(|p| PlanDoc {
            base_plan: p.base_plan,
            duration: p.subscription_duration.unwrap_or_default(),
            superset: p.superset_included,
            start: p.start_date,
            end: p.end_date,
        });
        let warehouse = crate::warehouse::find(&mut conn, &org)
            .await?
            .map(|w| WarehouseDoc { wtype: w.wtype, config: SecretRef::Secret(w.credentials_secret) });
        let dbt = crate::dbt::find(&mut conn, &org).await?.map(|ws| {
            let git = ws.source == crate::dbt::DbtSource::Git;
            DbtDoc {
                repo: if git { ws.repo_url } else { None },
                branch: if git { ws.branch } else { None },
                local: (!git).then(|| ws.project_dir.into()),
                default_schema: ws.default_schema_given.then_some(ws.default_schema),
                token: ws.token_secret.map(SecretRef::Secret),
            }
        });
        let airbyte = state.as_ref().map(|s| s.export(&org.slug)).transpose()?;
        let doc = OrgDocument {
            org: org.slug,
            name: Some(org.name),
            plan,
            warehouse,
            dbt,
            airbyte,
            members: Some(members),
            flags: Some(flags),
            pipelines: Some(pipelines),
        };
        Ok((doc, state))
    }

    /// What applying the document would change, after checking it against
    /// this deployment (roles, flags, emails, names, crons): a document that
    /// cannot be applied is [`Error::InvalidDocument`] naming the place in
    /// it (`members[2].role`), read from `document` (a file's name).
    pub async fn plan_document(&self, doc: &OrgDocument, document: &str) -> Result<Plan> {
        Ok(self.prepare(doc, document).await?.plan)
    }

    /// The org as it is, the document checked and planned against it, and
    /// the warehouse configuration, token and sources the document gives, read.
    async fn prepare(&self, doc: &OrgDocument, document: &str) -> Result<Prepared> {
        // Airbyte is read only for the sections that name its objects: a
        // document of members alone applies while Airbyte is down.
        let with_airbyte = doc.airbyte.is_some() || doc.pipelines.is_some();
        let (current, state) = match self.export_with_airbyte(&doc.org, with_airbyte).await {
            Ok((now, state)) => (Some(now), state),
            Err(Error::OrgNotFound { .. }) => (None, None),
            Err(e) => return Err(e),
        };
        self.check_document(doc, current.is_some(), document).await?;
        // Names as dalgo writes them (`DALGO` is `Dalgo`), so that case alone is no change.
        let mut desired = doc.clone();
        if let Some(p) = desired.plan.as_mut() {
            let spec = plan_spec(p)?;
            (p.base_plan, p.duration) = (spec.base_plan.as_str().to_string(), spec.duration.as_str().to_string());
        }
        let mut warehouse = None;
        if let Some(w) = desired.warehouse.as_mut() {
            let (wtype, config, same) = self.read_warehouse(doc, w, document).await?;
            w.wtype = wtype.as_str().to_string();
            if same {
                // The same values from elsewhere are the credentials the org has.
                w.config =
                    current.as_ref().and_then(|c| c.warehouse.as_ref()).map_or(w.config.clone(), |c| c.config.clone());
            }
            warehouse = Some((wtype, config));
        }
        let mut dbt_token = None;
        if let Some(d) = desired.dbt.as_mut() {
            let now = current.as_ref().and_then(|c| c.dbt.as_ref());
            dbt_token = self.read_dbt(d, now, document).await?;
        }
        let airbyte = self.read_airbyte(&mut desired, state.as_ref(), document).await?;
        let plan = crate::orgdoc::plan(current.as_ref(), &desired);
        Ok(Prepared { current, plan, warehouse, dbt_token, airbyte })
    }

    /// The dbt workspace the document asks for, with what it leaves out
    /// (branch, default schema, token) as the org has it, and a token read
    /// from where it says; the new token, when it is one.
    async fn read_dbt(&self, d: &mut DbtDoc, now: Option<&DbtDoc>, document: &str) -> Result<Option<SecretString>> {
        if d.repo.is_some() == d.local.is_some() {
            return Err(invalid(
                document,
                "dbt",
                "give the repository (repo) or a project on disk (local), one of them",
            ));
        }
        let same_repo = now.is_some_and(|n| n.repo.is_some() && n.repo == d.repo);
        if same_repo && d.branch.is_none() {
            d.branch = now.and_then(|n| n.branch.clone());
        }
        if d.default_schema.is_none() {
            d.default_schema = now.and_then(|n| n.default_schema.clone());
        }
        let current = now.and_then(|n| match &n.token {
            Some(SecretRef::Secret(name)) => Some(name.clone()),
            _ => None,
        });
        let Some(token) = &d.token else {
            d.token = current.map(SecretRef::Secret);
            return Ok(None);
        };
        let Some(new) = read_reference(token, current.as_deref(), "dbt.token", document)? else { return Ok(None) };
        let held = match &current {
            Some(name) => self.store().get(name).await?,
            None => None,
        };
        if held.is_some_and(|h| h.expose_secret() == new.expose_secret().trim()) {
            d.token = current.map(SecretRef::Secret);
            return Ok(None);
        }
        Ok(Some(new.expose_secret().trim().to_string().into()))
    }

    /// The warehouse the document asks for: its type, its configuration
    /// (read from where the document says and checked as `warehouse set`
    /// checks it), and whether that is what the org has. `{secret: NAME}`
    /// names only the org's own credentials: another org's cannot be taken.
    async fn read_warehouse(
        &self,
        doc: &OrgDocument,
        w: &WarehouseDoc,
        document: &str,
    ) -> Result<(WarehouseType, Map<String, Value>, bool)> {
        let wtype: WarehouseType = w.wtype.trim().to_ascii_lowercase().parse().map_err(|_| {
            invalid(document, "warehouse.type", format!("{:?} is not postgres, bigquery or snowflake", w.wtype))
        })?;
        // One connection at a time: the CLI's pool has one.
        let org = crate::org::find(&mut *self.db().pool().acquire().await?, &doc.org).await?;
        let now = match org {
            Some(org) => match crate::warehouse::load(self.db(), self.store(), &org).await {
                Ok(loaded) => Some(loaded),
                Err(Error::NoWarehouse(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let current = now.as_ref().map(|(wh, _)| wh.credentials_secret.as_str());
        let Some(text) = read_reference(&w.config, current, "warehouse.config", document)? else {
            // The org's own credentials, named.
            let (wh, creds) = now.ok_or_else(|| invalid(document, "warehouse.config", "the org has no warehouse"))?;
            return Ok((wtype, creds, wh.wtype == wtype.as_str()));
        };
        let text = text.expose_secret().to_string();
        let config = crate::document::parse_object(&text, "the warehouse configuration")
            .and_then(|map| crate::warehouse::validate(wtype, map))
            .map_err(|e| invalid(document, "warehouse.config", e))?;
        let same = now.is_some_and(|(wh, creds)| wh.wtype == wtype.as_str() && creds == config);
        Ok((wtype, config, same))
    }

    /// Applies the document (see the module's rule); the plan carried out.
    /// Applies of one org run one at a time, each planned once the one
    /// before it ended: the same document applied twice at once changes
    /// the org once, and the second finds nothing left to do.
    pub async fn apply_document(&self, doc: &OrgDocument, document: &str) -> Result<Plan> {
        let lock = crate::org_lock::OrgLock::acquire_slug(self.db(), &doc.org).await?;
        let applied = self.apply_prepared(doc, document).await;
        // Not released, the lock goes with its session a little later.
        crate::error::OrWarn::or_warn(lock.release().await, format_args!("release the apply lock of {}", doc.org));
        applied
    }

    async fn apply_prepared(&self, doc: &OrgDocument, document: &str) -> Result<Plan> {
        let Prepared { current, plan, warehouse, dbt_token, airbyte } = self.prepare(doc, document).await?;
        let org = self.org(&doc.org);
        let mut connection_ids = None;
        for change in plan.changes.iter().filter(|c| c.action != Action::Unchanged) {
            let name = change.name.as_str();
            match (change.kind, change.action) {
                (ResourceKind::Org, Action::Create) => {
                    let display = doc.name.as_deref().unwrap_or_default();
                    crate::org::create_named(self.db(), &doc.org, display, self.actor()).await.map(|_| ())?
                }
                (ResourceKind::Org, _) => {
                    let display = doc.name.as_deref().unwrap_or_default();
                    org.rename(display).await.map(|_| ())?
                }
                (ResourceKind::Plan, _) => {
                    if let Some(p) = &doc.plan {
                        org.set_plan(&plan_spec(p)?).await.map(|_| ())?
                    }
                }
                (ResourceKind::Warehouse, _) => {
                    if let Some((wtype, config)) = warehouse.clone() {
                        let spec = WarehouseSpec { wtype, config, check: true, airbyte: true };
                        let report = org.warehouse().set(spec).await?;
                        for (what, step) in super::Partial::unfinished(&report) {
                            tracing::warn!("{}: warehouse set, but its {what} was not: {step:?}", doc.org);
                        }
                    }
                }
                (ResourceKind::Dbt, _) => {
                    if let Some(d) = &doc.dbt {
                        let source = match (&d.repo, &d.local) {
                            (Some(url), _) => {
                                Source::Git { url: url.clone(), branch: d.branch.clone(), token: dbt_token.clone() }
                            }
                            (None, local) => Source::Local { path: local.clone().unwrap_or_default() },
                        };
                        let req = SetupRequest { source, default_schema: d.default_schema.clone() };
                        org.dbt().setup(req).await.map(|_| ())?
                    }
                }
                (ResourceKind::Source | ResourceKind::Connection, _) => {
                    self.apply_airbyte_change(doc, change, &airbyte).await?
                }
                (ResourceKind::Member, action) => self.apply_member(doc, name, action).await?,
                (ResourceKind::Flag, Action::Delete) => org.flags().clear(name).await.map(|_| ())?,
                (ResourceKind::Flag, _) => {
                    let value = doc.flags.as_ref().and_then(|f| f.get(name)).copied().unwrap_or_default();
                    org.flags().set(name, value).await.map(|_| ())?
                }
                (ResourceKind::Pipeline, action) => {
                    let now = current.as_ref().and_then(|c| c.pipelines.iter().flatten().find(|p| p.name == name));
                    // Read once the connections the document names are made.
                    if connection_ids.is_none() {
                        connection_ids = Some(self.connection_ids(doc).await?);
                    }
                    let ids = connection_ids.as_ref().map_or_else(Default::default, Clone::clone);
                    self.apply_pipeline(doc, change, action, now, &ids).await?
                }
            }
        }
        Ok(plan)
    }

    async fn apply_member(&self, doc: &OrgDocument, email: &str, action: Action) -> Result<()> {
        let members = self.org(&doc.org).members();
        let parsed = Email::parse(email)?;
        let role =
            || doc.members.iter().flatten().find(|m| m.email.eq_ignore_ascii_case(email)).map(|m| m.role.as_str());
        match (action, role()) {
            (Action::Delete, _) => members.remove(&parsed).await.map(|_| ()),
            (Action::Create, Some(role)) => {
                members.add(&parsed, role, Some(&PasswordHash::unusable())).await.map(|_| ())
            }
            (_, Some(role)) => members.set_role(&parsed, role).await.map(|_| ()),
            (_, None) => Ok(()),
        }
    }

    async fn apply_pipeline(
        &self,
        doc: &OrgDocument,
        change: &ResourceChange,
        action: Action,
        now: Option<&PipelineDoc>,
        ids: &std::collections::HashMap<String, String>,
    ) -> Result<()> {
        let pipelines = self.org(&doc.org).pipelines();
        let Some(want) = doc.pipelines.iter().flatten().find(|p| p.name == change.name) else {
            return pipelines.delete(&change.name).await.map(|_| ());
        };
        // The task list goes whole: the current transform when the document leaves it out.
        let transform = want.transform.clone().or_else(|| now.and_then(|p| p.transform.clone()));
        let connections = want.connections.iter().map(|c| ids.get(c).unwrap_or(c).clone()).collect();
        let tasks = TaskChoice { connections, transform };
        if action == Action::Create {
            let spec = PipelineSpec {
                name: want.name.clone(),
                tasks,
                cron: want.cron.clone(),
                continue_on_sync_failure: want.continue_on_sync_failure,
            };
            return pipelines.create(spec).await.map(|_| ());
        }
        let changed = |field: &str| change.fields.iter().any(|f| f.field == field);
        let ch = PipelineChanges {
            tasks: (changed("connections") || changed("transform")).then_some(tasks),
            cron: changed("cron").then(|| want.cron.clone()),
            continue_on_sync_failure: changed("continue_on_sync_failure").then_some(want.continue_on_sync_failure),
        };
        pipelines.update(&want.name, &ch).await.map(|_| ())
    }

    /// What the document asks that this deployment cannot do, at the first
    /// place in it: the slug, a new org's name, members' emails and roles,
    /// flags, pipelines' names and crons, and duplicates (the `airbyte`
    /// section and the connections pipelines name are read against Airbyte).
    async fn check_document(&self, doc: &OrgDocument, exists: bool, document: &str) -> Result<()> {
        if !crate::org::slug::is_valid(&doc.org) {
            return Err(invalid(document, "org", "not a slug: lower-case letters, digits, - and _, at most 20"));
        }
        match &doc.name {
            Some(name) => crate::org::validate_name(name).map(|_| ()).map_err(|e| invalid(document, "name", e))?,
            None if !exists => return Err(invalid(document, "name", "a new org needs a name")),
            None => {}
        }
        if let Some(p) = &doc.plan {
            plan_spec(p).map_err(|e| invalid(document, "plan", e))?;
        }
        let roles: Vec<String> = self.roles().list().await?.into_iter().map(|r| r.role.slug).collect();
        let mut seen = std::collections::HashSet::new();
        for (i, m) in doc.members.iter().flatten().enumerate() {
            let email = Email::parse(&m.email).map_err(|e| invalid(document, format!("members[{i}].email"), e))?;
            if !seen.insert(email.as_str().to_lowercase()) {
                return Err(invalid(document, format!("members[{i}].email"), "listed twice"));
            }
            if !roles.contains(&m.role) {
                let why = format!("no role {:?}; roles are {}", m.role, roles.join(", "));
                return Err(invalid(document, format!("members[{i}].role"), why));
            }
        }
        let catalogue: Vec<String> = self.flags().list().await?.into_iter().map(|f| f.name).collect();
        if let Some(name) = doc.flags.iter().flatten().map(|(k, _)| k).find(|k| !catalogue.contains(k)) {
            return Err(invalid(
                document,
                format!("flags.{name}"),
                format!("no flag {name}; flags are {}", catalogue.join(", ")),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (i, p) in doc.pipelines.iter().flatten().enumerate() {
            crate::pipeline::validate_name(&p.name)
                .map_err(|e| invalid(document, format!("pipelines[{i}].name"), e))?;
            if !names.insert(p.name.as_str()) {
                return Err(invalid(document, format!("pipelines[{i}].name"), "listed twice"));
            }
            if let Some(cron) = &p.cron {
                crate::pipeline::validate_cron(cron)
                    .map_err(|e| invalid(document, format!("pipelines[{i}].cron"), e))?;
            }
        }
        Ok(())
    }
}

/// The text a reference names, from the environment or a file; `None` for
/// `{secret: NAME}`, which may name only `current` (the org's own secret):
/// another org's credentials cannot be taken by naming them.
fn read_reference(r: &SecretRef, current: Option<&str>, path: &str, document: &str) -> Result<Option<SecretString>> {
    let bad = |reason: String| invalid(document, path, reason);
    match r {
        SecretRef::Secret(name) if current == Some(name.as_str()) => Ok(None),
        SecretRef::Secret(name) => Err(bad(format!(
            "secret {name} is not one this org uses; give a new value as {{env: VAR}} or {{file: PATH}}"
        ))),
        SecretRef::Env(var) => std::env::var(var).map(|v| Some(v.into())).map_err(|_| bad(format!("{var} is not set"))),
        SecretRef::File(file) => std::fs::File::open(file)
            .map_err(|e| e.to_string())
            .and_then(|f| crate::document::read_limited(f, path).map_err(|e| e.to_string()))
            .map(|t| Some(t.into()))
            .map_err(|e| bad(format!("{}: {e}", file.display()))),
    }
}

/// The plan a document's `plan` asks for: its names read in any case, its
/// window checked as `org plan set` checks it.
fn plan_spec(p: &PlanDoc) -> Result<PlanSpec> {
    let spec = PlanSpec {
        base_plan: crate::values::parse_any_case::<BasePlan>(&p.base_plan)?,
        duration: crate::values::parse_any_case::<Duration>(&p.duration)?,
        superset: p.superset,
        start: p.start,
        end: p.end,
    };
    spec.check()?;
    Ok(spec)
}
