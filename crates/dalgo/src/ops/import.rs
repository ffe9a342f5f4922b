//! Bringing a running Dalgo under dalgo.

use crate::context::Dalgo;
use crate::error::Result;
use crate::import::{self, ImportOptions, ImportReport};

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
    /// rule: recorded in `org_secrets`, copied from `opts.secrets_dir` into
    /// the store (never over a value it holds), then named by the rows.
    /// With `opts.dry_run` the steps run in one transaction that is rolled
    /// back and no secret is written. Rows that cannot come over are in the
    /// report's `refused`, with the reason; nothing is guessed.
    pub async fn import_django(&self, opts: &ImportOptions) -> Result<ImportReport> {
        import::run(self, opts).await
    }
}
