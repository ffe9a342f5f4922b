//! The import's steps: roles and orgs here; people, stores and flows in
//! their modules. Each step converts the source's rows (refusing, with the
//! reason, those dalgo's schema has no place for), upserts the rest on
//! their natural key and counts what changed.

mod flows;
mod people;
mod stores;

pub(super) use stores::Stores;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use sqlx::PgConnection;

use super::{Counts, Importer, Refusal, SharedSlug, Table, TableReport};
use crate::db::Within;
use crate::error::{Error, Result};
use crate::org::slug;

/// `--rename` slugs must be slugs dalgo accepts.
pub(super) fn check_renames(renames: &BTreeMap<i64, String>) -> Result<()> {
    match renames.iter().find(|(_, s)| !slug::is_valid(s)) {
        Some((id, s)) => Err(Error::InvalidImport(format!(
            "--rename {id}={s}: a slug is 1 to 20 lower-case letters, digits, '-' and '_', not starting or ending with '-'"
        ))),
        None => Ok(()),
    }
}

/// The `RETURNING (xmax = 0)` of an upsert: true for a row inserted,
/// false for one updated; rows not returned were unchanged.
pub(super) const RETURNING_INSERTED: &str = "RETURNING (xmax = 0)";

impl Importer<'_> {
    pub(super) async fn step(&mut self, table: Table, c: &mut PgConnection) -> Result<()> {
        let counts = match table {
            Table::Roles => self.roles(c).await?,
            Table::Orgs => self.orgs(c).await?,
            Table::OrgPlans => self.plans(c).await?,
            Table::Users => self.users(c).await?,
            Table::OrgUsers => self.members(c).await?,
            Table::FeatureFlags => self.flags(c).await?,
            Table::OrgSecrets => self.org_secrets(c).await?,
            Table::Warehouses => self.warehouses(c).await?,
            Table::DbtWorkspaces => self.dbt_workspaces(c).await?,
            Table::OrgTasks => self.org_tasks(c).await?,
            Table::Pipelines => self.pipelines(c).await?,
            Table::PipelineTasks => self.pipeline_tasks(c).await?,
            Table::TaskLocks => self.locks(c).await?,
            Table::FlowRuns => self.flow_runs(c).await?,
            Table::AirbyteJobs => self.airbyte_jobs(c).await?,
        };
        let refused = self.report.refused.iter().filter(|r| r.table == table).count() as u64;
        self.report.tables.push(TableReport { table, counts: Counts { refused, ..counts } });
        Ok(())
    }

    pub(super) fn refuse(&mut self, table: Table, source: impl Into<String>, reason: impl Into<String>) {
        self.report.refused.push(Refusal { table, source: source.into(), reason: reason.into() });
    }

    /// The dalgo org a source row's org became, or the refusal's reason.
    pub(super) fn org_of(&self, django_org: i64) -> std::result::Result<(i64, String), String> {
        self.ids
            .orgs
            .get(&django_org)
            .cloned()
            .ok_or_else(|| format!("its org (ddpui_org {django_org}) was not imported"))
    }

    /// Roles are dalgo's seed: each source role is matched by slug; one
    /// dalgo does not have (added by hand) is reported.
    async fn roles(&mut self, c: &mut PgConnection) -> Result<Counts> {
        self.ids.roles =
            sqlx::query_scalar("SELECT slug FROM roles").fetch_all(&mut *c).within().await?.into_iter().collect();
        let mut counts = Counts::default();
        let src = self.src;
        for role in &src.roles {
            if self.ids.roles.contains(role) {
                counts.unchanged += 1;
            } else {
                let reason = "dalgo's roles are its seed and have no such role: memberships with it are refused";
                self.refuse(Table::Roles, format!("ddpui_role {role}"), reason);
            }
        }
        Ok(counts)
    }

    async fn orgs(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let rows = self.org_rows(c).await?;
        let total = rows.len();
        let pick = |f: fn(&OrgRow) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        let inserted: Vec<(i64, String, bool)> = sqlx::query_as(
            "INSERT INTO orgs (django_id, name, slug, airbyte_workspace_id, website, viz_url, queue_config, created_at, updated_at)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
                                  $8::timestamptz[], $9::timestamptz[])
             ON CONFLICT (django_id) DO UPDATE SET name = excluded.name, airbyte_workspace_id = excluded.airbyte_workspace_id,
                 website = excluded.website, viz_url = excluded.viz_url, queue_config = excluded.queue_config,
                 updated_at = excluded.updated_at
             WHERE (orgs.name, orgs.airbyte_workspace_id, orgs.website, orgs.viz_url, orgs.queue_config)
                   IS DISTINCT FROM (excluded.name, excluded.airbyte_workspace_id, excluded.website, excluded.viz_url,
                                     excluded.queue_config)
             RETURNING id, slug, (xmax = 0)",
        )
        .bind(rows.iter().map(|r| r.django_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.slug.clone()).collect::<Vec<_>>())
        .bind(pick(|r| r.airbyte_workspace_id.clone()))
        .bind(pick(|r| r.website.clone()))
        .bind(pick(|r| r.viz_url.clone()))
        .bind(rows.iter().map(|r| r.queue_config.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.updated_at).collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .within()
        .await?;
        self.audit_orgs(c, &inserted).await?;
        let mapped: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT django_id, id, slug FROM orgs WHERE django_id IS NOT NULL")
                .fetch_all(&mut *c)
                .within()
                .await?;
        self.ids.orgs = mapped.into_iter().map(|(d, id, s)| (d, (id, s))).collect();
        Ok(counted(total, inserted.iter().map(|r| r.2)))
    }

    /// An audit row per org the import made or changed, actor as configured.
    async fn audit_orgs(&self, c: &mut PgConnection, written: &[(i64, String, bool)]) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (actor, action, resource_type, resource_id, org_id, org_slug, details)
             SELECT $1, CASE WHEN w.inserted THEN 'create' ELSE 'update' END, 'org', w.slug, w.id, w.slug,
                    '{\"imported_from\": \"django\"}'::jsonb
               FROM UNNEST($2::bigint[], $3::text[], $4::bool[]) AS w(id, slug, inserted)",
        )
        .bind(self.dalgo.actor())
        .bind(written.iter().map(|w| w.0).collect::<Vec<_>>())
        .bind(written.iter().map(|w| w.1.clone()).collect::<Vec<_>>())
        .bind(written.iter().map(|w| w.2).collect::<Vec<_>>())
        .execute(c)
        .within()
        .await?;
        Ok(())
    }

    /// The source's orgs with the slug each keeps, or refused: a slug
    /// shared with another org (of the source or dalgo's own), an invalid
    /// slug, a name dalgo cannot hold.
    async fn org_rows(&mut self, c: &mut PgConnection) -> Result<Vec<OrgRow>> {
        let existing: Vec<(String, String, Option<i64>)> =
            sqlx::query_as("SELECT slug, lower(name), django_id FROM orgs").fetch_all(&mut *c).within().await?;
        let imported: HashMap<i64, String> =
            existing.iter().filter_map(|(s, _, d)| d.map(|d| (d, s.clone()))).collect();
        // The slug each source org asks for: the one it has in dalgo, the
        // operator's, its own; None for a NULL slug (derived below).
        let mut wanted: BTreeMap<i64, Option<String>> = BTreeMap::new();
        for o in &self.src.orgs {
            let given = o.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
            let slug = imported.get(&o.id).cloned().or_else(|| self.opts.renames.get(&o.id).cloned()).or(given);
            wanted.insert(o.id, slug);
        }
        let refused = self.refuse_slugs(&wanted, &existing);
        let taken: HashSet<String> =
            existing.iter().map(|e| e.0.clone()).chain(wanted.values().flatten().cloned()).collect();
        let names = self.name_clashes(&existing);
        let mut rows = Vec::new();
        let mut derived: HashSet<String> = HashSet::new();
        let (pool, _) = crate::pipeline::pipeline_queue(self.dalgo.config(), None);
        for o in &self.src.orgs {
            if refused.contains(&o.id) {
                continue;
            }
            if let Some(reason) = names.get(&o.id) {
                self.refuse(Table::Orgs, format!("ddpui_org {}", o.id), reason.clone());
                continue;
            }
            let slug = match &wanted[&o.id] {
                Some(s) => s.clone(),
                None => derive_slug(&o.name, |s| taken.contains(s) || derived.contains(s)),
            };
            derived.insert(slug.clone());
            rows.push(OrgRow::new(o, slug, &pool));
        }
        Ok(rows)
    }

    /// Refuses the orgs whose slug is invalid, shared within the source, or
    /// another dalgo org's; returns their Django ids.
    fn refuse_slugs(
        &mut self,
        wanted: &BTreeMap<i64, Option<String>>,
        existing: &[(String, String, Option<i64>)],
    ) -> HashSet<i64> {
        let mut refused = HashSet::new();
        let mut by_slug: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for (id, s) in wanted {
            if let Some(s) = s {
                by_slug.entry(s.as_str()).or_default().push(*id);
            }
        }
        let owner: HashMap<&str, Option<i64>> = existing.iter().map(|(s, _, d)| (s.as_str(), *d)).collect();
        for (slug, ids) in &by_slug {
            let src = |id: i64| format!("ddpui_org {id}");
            if !slug::is_valid(slug) {
                for id in ids {
                    refused.insert(*id);
                    self.refuse(
                        Table::Orgs,
                        src(*id),
                        format!("slug {slug:?} is not a dalgo slug: choose one with --rename {id}=SLUG"),
                    );
                }
            } else if ids.len() > 1 {
                let kept = owner.get(slug).copied().flatten();
                self.report.shared_slugs.push(self.shared(slug, ids));
                for id in ids.iter().filter(|id| Some(**id) != kept) {
                    refused.insert(*id);
                    let others: Vec<String> = ids.iter().filter(|o| *o != id).map(|o| o.to_string()).collect();
                    self.refuse(
                        Table::Orgs,
                        src(*id),
                        format!(
                            "slug {slug:?} is shared with ddpui_org {}: choose with --rename {id}=SLUG",
                            others.join(", ")
                        ),
                    );
                }
            } else if let Some(other) = owner.get(slug).filter(|d| **d != Some(ids[0])) {
                refused.insert(ids[0]);
                let whose = match other {
                    Some(d) => format!("the org imported from ddpui_org {d}"),
                    None => "an org made in dalgo".to_string(),
                };
                self.refuse(
                    Table::Orgs,
                    src(ids[0]),
                    format!("slug {slug:?} is {whose}'s: choose with --rename {}=SLUG", ids[0]),
                );
            }
        }
        refused
    }

    /// The report entry for orgs sharing a slug, with the names outside
    /// dalgo's database that carry it.
    fn shared(&self, slug: &str, ids: &[i64]) -> SharedSlug {
        let orgs = self.src.orgs.iter().filter(|o| ids.contains(&o.id)).map(|o| (o.id, o.name.clone())).collect();
        let root = self.dalgo.config().dbt.clientdbt_root.join(slug);
        let mut external_names = vec![
            format!("Prefect block {slug}-airbyte-server"),
            format!("Prefect block dbt-profile-{slug}"),
            format!("Prefect block {slug}-git-pull-url"),
            format!("dbt project {}", root.display()),
        ];
        let secrets = self.src.warehouses.iter().filter(|w| ids.contains(&w.org_id)).map(|w| w.credentials.clone());
        external_names.extend(secrets.map(|s| format!("secret {s}")));
        let deployments = self.src.dataflows.iter().filter(|d| ids.contains(&d.org_id));
        external_names
            .extend(deployments.filter_map(|d| d.deployment_name.clone()).map(|d| format!("Prefect deployment {d}")));
        SharedSlug { slug: slug.to_string(), orgs, external_names }
    }

    /// Why an org's name cannot be dalgo's: blank or too long, or shared
    /// (ignoring case) with another org, by Django id.
    fn name_clashes(&self, existing: &[(String, String, Option<i64>)]) -> HashMap<i64, String> {
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        for o in &self.src.orgs {
            by_name.entry(o.name.to_lowercase()).or_default().push(o.id);
        }
        let owner: HashMap<&str, Option<i64>> = existing.iter().map(|(_, n, d)| (n.as_str(), *d)).collect();
        let mut out = HashMap::new();
        for o in &self.src.orgs {
            let same = &by_name[&o.name.to_lowercase()];
            let reason = if o.name.trim().is_empty() || o.name.chars().count() > 50 {
                Some(format!("name {:?} is blank or longer than 50 characters", o.name))
            } else if same.len() > 1 {
                let others: Vec<String> = same.iter().filter(|i| **i != o.id).map(|i| i.to_string()).collect();
                Some(format!(
                    "name {:?} is also ddpui_org {}'s (names are unique ignoring case)",
                    o.name,
                    others.join(", ")
                ))
            } else {
                match owner.get(o.name.to_lowercase().as_str()) {
                    Some(d) if *d != Some(o.id) => Some(format!("name {:?} is another dalgo org's", o.name)),
                    _ => None,
                }
            };
            if let Some(r) = reason {
                out.insert(o.id, r);
            }
        }
        out
    }
}

/// dalgo's rule for an org without a slug: its name's, with `-2`, `-3`…
/// when taken.
fn derive_slug(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = slug::base_slug(name);
    (1..).map(|n| slug::candidate(&base, n)).find(|s| !taken(s)).unwrap_or(base)
}

/// Of the rows sharing a key (Django has no unique constraint there), the
/// newest by `stamp` (its `updated_at` and id); and each one passed over,
/// with the one kept for its key.
pub(super) fn newest<'r, K: Ord + Clone, T>(
    rows: impl IntoIterator<Item = (K, &'r T)>,
    stamp: impl Fn(&T) -> (chrono::DateTime<chrono::Utc>, i64),
) -> (BTreeMap<K, &'r T>, Vec<(&'r T, &'r T)>) {
    let mut kept: BTreeMap<K, &'r T> = BTreeMap::new();
    let mut passed: Vec<(&'r T, K)> = Vec::new();
    for (key, row) in rows {
        match kept.get(&key) {
            None => {
                kept.insert(key, row);
            }
            Some(prev) if stamp(prev) > stamp(row) => passed.push((row, key)),
            Some(prev) => {
                passed.push((*prev, key.clone()));
                kept.insert(key, row);
            }
        }
    }
    let passed = passed.into_iter().map(|(row, key)| (row, kept[&key])).collect();
    (kept, passed)
}

/// Counts from an upsert's `RETURNING (xmax = 0)` over `total` rows.
pub(super) fn counted(total: usize, inserted: impl Iterator<Item = bool>) -> Counts {
    let (mut new, mut changed) = (0u64, 0u64);
    for i in inserted {
        if i { new += 1 } else { changed += 1 }
    }
    Counts { new, changed, unchanged: (total as u64).saturating_sub(new + changed), refused: 0 }
}

/// An org as dalgo stores it.
struct OrgRow {
    django_id: i64,
    name: String,
    slug: String,
    airbyte_workspace_id: Option<String>,
    website: Option<String>,
    viz_url: Option<String>,
    queue_config: Option<Value>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl OrgRow {
    fn new(o: &super::source::Org, slug: String, pool: &str) -> OrgRow {
        OrgRow {
            django_id: o.id,
            name: o.name.clone(),
            slug,
            airbyte_workspace_id: o.airbyte_workspace_id.clone(),
            website: o.website.clone(),
            viz_url: o.viz_url.clone(),
            queue_config: queue_config(&o.queue_config, pool),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// Dalgo's queue config with legacy plain-string queues made into the
/// object shape Dalgo's `get_queue_config` reads them as (the queue's name
/// on the default work pool); anything but an object is none.
fn queue_config(v: &Value, pool: &str) -> Option<Value> {
    let Value::Object(map) = v else { return None };
    let out = map
        .iter()
        .map(|(k, q)| match q {
            Value::String(name) => {
                (k.clone(), serde_json::json!({"name": name, "workpool": pool, "is_workpool_eks": false}))
            }
            other => (k.clone(), other.clone()),
        })
        .collect();
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_slug_is_derived_past_those_taken() {
        assert_eq!(derive_slug("Acme NGO", |s| s == "acme-ngo"), "acme-ngo-2");
        assert_eq!(derive_slug("Acme NGO", |_| false), "acme-ngo");
    }

    #[test]
    fn of_copies_the_newest_is_kept_and_each_other_names_it() {
        let at = |h: u32| chrono::DateTime::from_timestamp(i64::from(h) * 3600, 0).unwrap();
        let rows = [(1, "a", at(2)), (2, "a", at(3)), (3, "b", at(1)), (4, "a", at(1))];
        let (kept, passed) = newest(rows.iter().map(|r| (r.1, r)), |r| (r.2, r.0));
        assert_eq!((kept["a"].0, kept["b"].0), (2, 3));
        let passed: Vec<(i64, i64)> = passed.iter().map(|(old, new)| (old.0, new.0)).collect();
        assert_eq!(passed, [(1, 2), (4, 2)]);
    }

    #[test]
    fn legacy_string_queues_become_objects() {
        let v = queue_config(&serde_json::json!({"scheduled_pipeline_queue": "ddp"}), "pool").unwrap();
        assert_eq!(
            v["scheduled_pipeline_queue"],
            serde_json::json!({"name": "ddp", "workpool": "pool", "is_workpool_eks": false})
        );
        assert_eq!(queue_config(&serde_json::json!("x"), "pool"), None);
    }
}
