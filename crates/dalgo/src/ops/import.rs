//! Bringing a running Dalgo under dalgo.

use serde::Serialize;

use super::Presence;
use crate::context::Dalgo;
use crate::error::Result;
use crate::import::{self, ImportOptions, ImportReport};

/// What `import django` did, and (when asked) whether the objects outside
/// dalgo's database that the imported orgs' rows name exist.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    #[serde(flatten)]
    pub report: ImportReport,
    /// Each Airbyte workspace, Prefect deployment and block of an imported
    /// org that is not there (or could not be asked about).
    pub external: Vec<ExternalCheck>,
}

impl Imported {
    /// Everything came over and nothing outside is missing.
    pub fn is_complete(&self) -> bool {
        self.report.is_complete() && !self.external.iter().any(|e| e.presence == Presence::Missing)
    }
}

/// An object outside dalgo's database that an imported org's rows name.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalCheck {
    pub org: String,
    /// What it is and its name: "Prefect deployment `ID` (pipeline nightly)".
    pub object: String,
    #[serde(flatten)]
    pub presence: Presence,
}

impl Dalgo {
    /// Imports a Dalgo Django database (`opts.from`, only read) into
    /// dalgo's: orgs (slugs kept), plans, users (password hashes kept),
    /// memberships, feature flags, warehouses and dbt workspaces with the
    /// secrets they name, org tasks, pipelines and their steps, task locks,
    /// flow runs and Airbyte jobs.
    ///
    /// Each table is one transaction, an upsert on the row's natural key
    /// (orgs on the Django id they came from), so a re-run changes nothing
    /// and a killed import re-runs to the same end. Secrets follow dalgo's
    /// rule: recorded in `org_secrets`, copied from `opts.secrets_from` into
    /// the store (never over a value it holds), then named by the rows.
    /// With `opts.dry_run` the steps run in one transaction that is rolled
    /// back and no secret is written. Rows that cannot come over are in the
    /// report's `refused`, with the reason; nothing is guessed.
    ///
    /// With `check_external` (and not a dry run), each imported org's
    /// Airbyte workspace, Prefect deployments and blocks are looked up, as
    /// [`super::OrgOps::entities`] does, and those not there are listed.
    pub async fn import_django(&self, opts: &ImportOptions, check_external: bool) -> Result<Imported> {
        let report = import::run(self, opts).await?;
        let mut external = Vec::new();
        if check_external && !opts.dry_run {
            for slug in &report.orgs {
                external.extend(self.external_of(slug).await?);
            }
        }
        Ok(Imported { report, external })
    }

    /// What [`super::OrgOps::entities`] finds outside dalgo's database (its
    /// Airbyte workspace, deployments and blocks), without reading secrets.
    async fn external_of(&self, slug: &str) -> Result<Vec<ExternalCheck>> {
        let ops = self.org(slug);
        let org = ops.get().await?;
        let airbyte = ops.airbyte_entities(&org).await;
        let mut conn = self.db().pool().acquire().await?;
        let pipelines = ops.pipeline_entities(&mut conn, &org).await?;
        let dbt = crate::dbt::find(&mut conn, &org).await?;
        drop(conn);
        let mut found = Vec::new();
        if let (Some(id), Some(p)) = (airbyte.workspace_id, airbyte.workspace) {
            found.push((format!("Airbyte workspace {id}"), p));
        }
        for p in pipelines {
            let id = p.pipeline.deployment_id.unwrap_or_default();
            found.push((format!("Prefect deployment {id} (pipeline {})", p.pipeline.name), p.deployment));
        }
        for b in ops.block_entities(&org, dbt.as_ref()).await {
            found.push((format!("Prefect block {}", b.name), b.presence));
        }
        Ok(found
            .into_iter()
            .filter(|(_, p)| !matches!(p, Presence::Present | Presence::NotNeeded { .. }))
            .map(|(object, presence)| ExternalCheck { org: slug.to_string(), object, presence })
            .collect())
    }
}
