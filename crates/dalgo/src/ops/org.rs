//! `org delete`: everything the org owns, in every system.

use std::path::PathBuf;

use serde::Serialize;

use super::OrgOps;
use super::dbt::remove_under;
use crate::db::Within;
use crate::dbt::OrgPaths;
use crate::error::{Error, Result};
use crate::org::{self, DeleteReport, Org};
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
                crate::airbyte::workspace_delete(dalgo.db(), dalgo.airbyte()?, &org.slug, dalgo.actor()).await?
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
        let rows = org::delete(dalgo.db(), &org.slug, opts.dry_run, dalgo.actor()).await?;
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
