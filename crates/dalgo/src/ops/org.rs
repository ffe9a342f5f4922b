//! `org delete`: everything the org owns, in every system.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::json;

use super::OrgOps;
use super::dbt::remove_under;
use crate::audit::{self, Action, Resource};
use crate::db::Within;
use crate::dbt::OrgPaths;
use crate::error::{Error, Result};
use crate::org::plan::*;
use crate::org::{self, DeleteReport, ORG_COLUMNS, Org, OrgDetails, OrgPlan, lock, members, plan, validate_name};
use crate::pipeline::{blocks, deployment::FLOW_NAME};
use crate::prefect::Client;
use crate::secrets;

/// How to delete an org.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// List what would be deleted; change nothing.
    pub dry_run: bool,
    /// Leave the org's Airbyte workspace (with its sources and connections).
    pub keep_airbyte: bool,
}

/// What deleting an org removed (or, in a dry run, would remove).
#[derive(Debug, Clone, Serialize)]
pub struct OrgDeleteReport {
    /// The org's rows: memberships, users left with none, plan, flag overrides.
    #[serde(flatten)]
    pub rows: DeleteReport,
    /// The Airbyte workspace, with its sources, destinations and connections.
    pub airbyte_workspace: Option<String>,
    /// Prefect deployments of the org's pipelines, by name; `None` when
    /// Prefect is not configured, so they were not looked for.
    pub prefect_deployments: Option<Vec<String>>,
    /// Prefect blocks holding the org's credentials; `None` as above.
    pub prefect_blocks: Option<Vec<String>>,
    /// Every secret version: warehouse credentials and git tokens.
    pub secrets: Vec<String>,
    /// The org's directory under `CLIENTDBT_ROOT`.
    pub paths: Vec<PathBuf>,
    /// What stays after the delete, elsewhere.
    pub kept: Vec<Kept>,
}

string_enum! {
    /// What deleting an org leaves in place.
    pub enum Kept {
        /// Prefect keeps the flow runs (and their logs) of a deleted
        /// deployment; they go with Prefect's own retention.
        PrefectRunHistory => "prefect_run_history",
        /// The org's audit rows, keyed by its slug.
        AuditLog => "audit_log",
    }
}

/// A Prefect deployment the org owns.
struct OwnedDeployment {
    id: String,
    name: String,
}

impl OrgOps<'_> {
    /// Deletes the org and everything it owns: Prefect deployments (those its
    /// pipelines name, and any named `pipeline-<slug>-…` that a killed
    /// `pipeline create` left), its Prefect blocks, its Airbyte workspace
    /// (unless `keep_airbyte`), `CLIENTDBT_ROOT/<slug>/` entirely, every
    /// secret version, then its rows in one transaction; users left with no
    /// membership go too, race-free against a concurrent `user add`. External
    /// parts go first, so after any failure the org is still there and a
    /// re-run finishes the job. Waits for the org's other operations; fails
    /// with [`Error::Locked`] while dbt runs for it.
    pub async fn delete(&self, opts: DeleteOptions) -> Result<OrgDeleteReport> {
        let dalgo = self.dalgo;
        let org = self.get().await?;
        let pipelines: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT deployment_name, deployment_id FROM pipelines WHERE org_id = $1 ORDER BY id")
                .bind(org.id)
                .fetch_all(dalgo.db().pool())
                .within()
                .await?;
        let workspace = org.airbyte_workspace_id.clone().filter(|_| !opts.keep_airbyte);
        if let Some(ws) = &workspace
            && dalgo.config().airbyte.get()?.is_none()
        {
            return Err(Error::ServiceNeeded {
                service: "Airbyte",
                setting: "AIRBYTE_SERVER_HOST (and its credentials) to delete it, or keep the workspace",
                reason: format!("{} has the Airbyte workspace {ws}", org.slug),
            });
        }
        if !pipelines.is_empty() && dalgo.config().prefect.get()?.is_none() {
            return Err(Error::ServiceNeeded {
                service: "Prefect",
                setting: "PREFECT_API_URL",
                reason: format!("{} has {} pipeline(s) with Prefect deployments", org.slug, pipelines.len()),
            });
        }
        let locks = match opts.dry_run {
            true => None,
            false => Some((self.lock(&org).await?, crate::dbt::run::lock_org(dalgo.db(), &org, false, |_| {}).await?)),
        };

        let (prefect_deployments, prefect_blocks) = match dalgo.config().prefect.get()? {
            None => (None, None),
            Some(_) => {
                let client = dalgo.prefect()?;
                let owned = owned_deployments(client, &org, &pipelines).await?;
                let blocks = if opts.dry_run {
                    blocks::existing(client, &org.slug).await?
                } else {
                    for d in &owned {
                        client.delete_deployment(&d.id).await?;
                    }
                    blocks::delete(client, &org.slug, false).await?
                };
                (Some(owned.into_iter().map(|d| d.name).collect::<Vec<_>>()), Some(blocks))
            }
        };
        let airbyte_workspace = match (&workspace, opts.dry_run) {
            (Some(ws), true) => Some(ws.clone()),
            (Some(_), false) => {
                crate::airbyte::workspace_delete(dalgo.db(), dalgo.airbyte()?, &org, dalgo.actor()).await?
            }
            (None, _) => None,
        };
        let root = &dalgo.config().dbt.clientdbt_root;
        let org_dir = OrgPaths::new(&dalgo.config().dbt, &org).org_dir;
        let paths = match opts.dry_run {
            true => Some(org_dir).filter(|d| d.exists()).into_iter().collect(),
            false => remove_under(root, vec![org_dir])?,
        };
        let secrets = secrets::org_versions(dalgo.db(), dalgo.store(), &org).await?;
        if !opts.dry_run {
            // Their records go with the org's rows.
            for name in &secrets {
                dalgo.store().delete(name).await?;
            }
        }
        let rows = org::delete(dalgo.db(), &org, opts.dry_run, dalgo.actor()).await?;
        if let Some((ops, dbt)) = locks {
            dbt.release().await?;
            ops.release().await?;
        }
        let mut kept = vec![Kept::AuditLog];
        if prefect_deployments.as_ref().is_some_and(|d| !d.is_empty()) {
            kept.insert(0, Kept::PrefectRunHistory);
        }
        Ok(OrgDeleteReport { rows, airbyte_workspace, prefect_deployments, prefect_blocks, secrets, paths, kept })
    }
}

/// The deployments the org's pipelines name (by id, or by name for one whose
/// id was never recorded), and any Prefect has under the org's naming
/// (`pipeline-<slug>-<8 hex>`) that no row names.
async fn owned_deployments(
    client: &Client,
    org: &Org,
    pipelines: &[(String, Option<String>)],
) -> Result<Vec<OwnedDeployment>> {
    let mut owned: Vec<OwnedDeployment> = Vec::new();
    for (name, id) in pipelines {
        let id = match id {
            Some(id) => Some(id.clone()),
            None => client.deployment_by_name(FLOW_NAME, name).await?.map(|d| d.id),
        };
        if let Some(id) = id {
            owned.push(OwnedDeployment { id, name: name.clone() });
        }
    }
    let prefix = format!("pipeline-{}-", org.slug);
    for d in client.deployments_named_like(&prefix).await? {
        let ours = d.name.strip_prefix(&prefix).is_some_and(|rest| {
            rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if ours && !owned.iter().any(|o| o.id == d.id) {
            owned.push(OwnedDeployment { id: d.id, name: d.name });
        }
    }
    Ok(owned)
}

impl OrgOps<'_> {
    /// The org with its plan and members.
    pub async fn show(&self) -> Result<OrgDetails> {
        let org = self.get().await?;
        let mut conn = self.dalgo().db().pool().acquire().await?;
        let plan = plan::get(&mut conn, &org).await?;
        let members = members(&mut conn, org.id).await?;
        Ok(OrgDetails { org, plan, members })
    }

    /// The org's plan; [`Error::NoPlan`] when it has none.
    pub async fn plan(&self) -> Result<OrgPlan> {
        let org = self.get().await?;
        let plan = plan::get(&mut *self.dalgo().db().pool().acquire().await?, &org).await?;
        plan.ok_or(Error::NoPlan(org.slug))
    }

    /// Gives the org another display name (its slug stays).
    pub async fn rename(&self, name: &str) -> Result<Org> {
        let name = validate_name(name)?;
        let old = self.get().await?;
        let mut tx = self.dalgo().db().pool().begin().within().await?;
        let old = lock(&mut tx, &old).await?;
        let update = format!("UPDATE orgs SET name = $2, updated_at = now() WHERE id = $1 RETURNING {ORG_COLUMNS}");
        let org: Org = sqlx::query_as(sqlx::AssertSqlSafe(update))
            .bind(old.id)
            .bind(name)
            .fetch_one(&mut *tx)
            .within()
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    Error::InvalidOrgName { given: name.to_string(), reason: "another org has this name" }
                }
                e => e.into(),
            })?;
        audit::Entry::new(self.dalgo().actor(), Action::Update, Resource::Org, org.uuid.to_string())
            .of(Some(&org))
            .details(json!({ "name": { "from": old.name, "to": org.name } }))
            .record(&mut tx)
            .await?;
        tx.commit().within().await?;
        Ok(org)
    }

    /// Sets the org's plan (Dalgo's `createorgplan`), with what Dalgo
    /// derives from it: `can_upgrade_plan` and the `features` preset, in one
    /// transaction. A plan that ends before it starts is refused; the same
    /// plan again writes nothing (no audit row, `updated_at` kept).
    pub async fn set_plan(&self, spec: &PlanSpec) -> Result<PlanChange> {
        spec.check()?;
        let org = self.get().await?;
        let mut tx = self.dalgo().db().pool().begin().within().await?;
        let org = lock(&mut tx, &org).await?;
        let before = get(&mut tx, &org).await?;
        // The org's row is locked: whether the plan exists cannot change before
        // the write (Django's table has no conflict target to upsert on).
        let sql = match before {
            Some(_) => format!(
                "UPDATE org_plans SET base_plan = $2, subscription_duration = $3, superset_included = $4, features = $5,
                        start_date = $6::date::timestamp AT TIME ZONE 'UTC', end_date = $7::date::timestamp AT TIME ZONE 'UTC',
                        can_upgrade_plan = $8, updated_at = now()
                  WHERE org_id = $1 RETURNING {PLAN_COLUMNS}"
            ),
            None => format!(
                "INSERT INTO org_plans (org_id, base_plan, subscription_duration, superset_included, features, start_date,
                                        end_date, can_upgrade_plan)
                 VALUES ($1, $2, $3, $4, $5, $6::date::timestamp AT TIME ZONE 'UTC', $7::date::timestamp AT TIME ZONE 'UTC', $8)
                 RETURNING {PLAN_COLUMNS}"
            ),
        };
        let plan: OrgPlan = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.id)
            .bind(spec.base_plan.as_str())
            .bind(spec.duration.as_str())
            .bind(spec.superset)
            .bind(features(spec.base_plan, spec.superset))
            .bind(spec.start)
            .bind(spec.end)
            .bind(spec.can_upgrade())
            .fetch_one(&mut *tx)
            .within()
            .await?;
        let changed = before.as_ref() != Some(&plan);
        if !changed {
            // Nothing to record: the row is left exactly as it was.
            tx.rollback().within().await?;
            return Ok(PlanChange { org: org.slug, changed, plan });
        }
        let action = if before.is_some() { Action::Update } else { Action::Create };
        audit::Entry::new(self.dalgo().actor(), action, Resource::OrgPlan, org.uuid.to_string())
            .of(Some(&org))
            .details(json!({ "old": before, "new": plan }))
            .record(&mut tx)
            .await?;
        tx.commit().within().await?;
        Ok(PlanChange { org: org.slug, changed, plan })
    }
}
