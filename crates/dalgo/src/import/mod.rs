//! `dalgo import django`: a running Dalgo's Django database brought into
//! dalgo's. The source is read in one read-only snapshot and never written;
//! dalgo's database is written one step (one table) per transaction, each
//! an upsert on the row's natural key, so a re-run on the same source
//! changes nothing and on a changed source writes only the difference, and
//! a killed import re-runs to the same end. A dry run runs the same steps in
//! one transaction it rolls back. Rows that cannot be carried over are
//! refused one by one with the reason, never guessed at.

mod source;
mod steps;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::config::DatabaseConfig;
use crate::context::Dalgo;
use crate::db::{Db, Within};
use crate::error::{Error, Result};
use source::Source;

string_enum! {
    /// The tables an import writes, as dalgo names them.
    pub enum Table {
        Roles => "roles",
        Orgs => "orgs",
        OrgPlans => "org_plans",
        Users => "users",
        OrgUsers => "org_users",
        FeatureFlags => "feature_flag_values",
        OrgSecrets => "org_secrets",
        Warehouses => "warehouses",
        DbtWorkspaces => "dbt_workspaces",
        OrgTasks => "org_tasks",
        Pipelines => "pipelines",
        PipelineTasks => "pipeline_tasks",
        TaskLocks => "task_locks",
        FlowRuns => "flow_runs",
        AirbyteJobs => "airbyte_jobs",
    }
}

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The Django database (read only).
    pub from: DatabaseConfig,
    /// Plan only: the steps run in a transaction that is rolled back.
    pub dry_run: bool,
    /// Slugs the operator chose, by Django org id (orgs sharing a slug).
    pub renames: BTreeMap<i64, String>,
    /// Where to copy the secrets the rows name from, if not dalgo's store.
    pub secrets_from: Option<SecretsSource>,
}

/// Where Dalgo keeps the secrets its rows name.
#[derive(Debug, Clone)]
pub enum SecretsSource {
    /// Dalgo's `DEV_SECRETS_DIR`: one `{"Name","SecretId","SecretString"}` file per secret.
    Dir(PathBuf),
    /// AWS Secrets Manager, with the configuration's AWS settings.
    #[cfg(feature = "aws")]
    Aws,
}

impl SecretsSource {
    #[cfg_attr(not(feature = "aws"), allow(unused_variables))]
    fn store(&self, cfg: &crate::config::Config) -> crate::secrets::SecretStore {
        use crate::secrets::SecretStore;
        match self {
            SecretsSource::Dir(dir) => SecretStore::Dir(dir.clone()),
            #[cfg(feature = "aws")]
            SecretsSource::Aws => SecretStore::Aws(crate::secrets::aws::Store::new(cfg.aws.clone())),
        }
    }
}

/// Per table: what the import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub refused: u64,
}

/// One table's line of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: Table,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A row that was not carried over, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub table: Table,
    /// The Django table and row id (or key) it came from.
    pub source: String,
    pub reason: String,
}

/// Orgs of the source that share one slug: all refused until the operator
/// chooses with `--rename ID=SLUG`.
#[derive(Debug, Clone, Serialize)]
pub struct SharedSlug {
    pub slug: String,
    /// Each org's Django id and name.
    pub orgs: Vec<(i64, String)>,
    /// The names outside dalgo's database that carry the slug.
    pub external_names: Vec<String>,
}

string_enum! {
    /// What became of a secret a row names.
    pub enum SecretOutcome {
        /// Copied from where Dalgo keeps it (`--secrets-dir`, AWS) into dalgo's store.
        Copied => "copied",
        /// dalgo's store holds it already, with the same value.
        Present => "present",
        /// Copied in a real run (a dry run writes nothing).
        WouldCopy => "would copy",
        /// Neither where Dalgo keeps it nor dalgo's store holds it.
        Missing => "missing",
        /// dalgo's store holds another value under the name: never overwritten.
        Differs => "differs",
    }
}

/// A secret a warehouse or dbt workspace names.
#[derive(Debug, Clone, Serialize)]
pub struct SecretCopy {
    pub name: String,
    pub org: String,
    pub outcome: SecretOutcome,
}

/// Rows of a Django table no dalgo table holds.
#[derive(Debug, Clone, Serialize)]
pub struct NoHome {
    pub table: String,
    pub rows: i64,
}

/// What `import django` did, or would do.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The source, as host:port/database.
    pub source: String,
    pub dry_run: bool,
    /// The slugs of the source's orgs that are dalgo's now.
    pub orgs: Vec<String>,
    pub tables: Vec<TableReport>,
    pub refused: Vec<Refusal>,
    pub shared_slugs: Vec<SharedSlug>,
    pub secrets: Vec<SecretCopy>,
    pub no_home: Vec<NoHome>,
    /// dbt clones Django placed outside their org's directory, moved there.
    pub rehomed: Vec<Rehomed>,
}

/// A git workspace's project moved under its org's directory: dbt and git
/// write only beneath `CLIENTDBT_ROOT/<slug>`. The next clone or pull makes
/// it there.
#[derive(Debug, Clone, Serialize)]
pub struct Rehomed {
    pub org: String,
    /// Django's `project_dir`.
    pub from: String,
    /// dalgo's, relative to `CLIENTDBT_ROOT`.
    pub to: String,
}

impl ImportReport {
    /// Every row came over: nothing was refused and no secret is missing.
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty()
            && self.secrets.iter().all(|s| !matches!(s.outcome, SecretOutcome::Missing | SecretOutcome::Differs))
    }
}

/// Dalgo ids of what earlier steps wrote, by the Django id it came from.
#[derive(Debug, Default)]
struct Ids {
    /// The role slugs dalgo has (its seed).
    roles: HashSet<String>,
    /// Django org id → (dalgo org id, slug).
    orgs: HashMap<i64, (i64, String)>,
    /// Django user id → (dalgo user id, email).
    users: HashMap<i32, (i64, String)>,
    /// Django OrgDbt id → dalgo dbt workspace id.
    dbts: HashMap<i64, i64>,
    /// Django OrgTask id → dalgo org task id.
    org_tasks: HashMap<i64, i64>,
    /// Django dataflow id → dalgo pipeline id.
    pipelines: HashMap<i64, i64>,
}

/// One import under way: the source, the options, the report so far.
struct Importer<'a> {
    dalgo: &'a Dalgo,
    src: &'a Source,
    opts: &'a ImportOptions,
    ids: Ids,
    /// Warehouses, dbt workspaces and the secrets they name, converted.
    stores: steps::Stores,
    /// Django's duplicate system org tasks → the one kept.
    task_dups: HashMap<i64, i64>,
    report: ImportReport,
}

/// The steps, in foreign-key order; each is one transaction.
const STEPS: &[Table] = &[
    Table::Roles,
    Table::Orgs,
    Table::OrgPlans,
    Table::Users,
    Table::OrgUsers,
    Table::FeatureFlags,
    Table::OrgSecrets,
    Table::Warehouses,
    Table::DbtWorkspaces,
    Table::OrgTasks,
    Table::Pipelines,
    Table::PipelineTasks,
    Table::TaskLocks,
    Table::FlowRuns,
    Table::AirbyteJobs,
];

/// Reads the source, then writes each step (see the module's docs).
/// The target is dalgo's own database: on Dalgo's (live mode) the data is
/// in place already, and is refused (78) before the source is read.
pub(crate) async fn run(dalgo: &Dalgo, opts: &ImportOptions) -> Result<ImportReport> {
    steps::check_renames(&opts.renames)?;
    if let Some(SecretsSource::Dir(dir)) = &opts.secrets_from
        && !dir.is_dir()
    {
        // Every secret would be reported missing: the directory is what is.
        return Err(Error::InvalidImport(format!("the secrets directory {} is not a directory", dir.display())));
    }
    if let (crate::db::Mode::Live, _) = crate::db::mode(dalgo.db()).await? {
        return Err(Error::ImportIntoLive(opts.from.database_name().to_string()));
    }
    let from = |e: Error| match e {
        Error::NotDjangoDatabase(_) => e,
        cause => Error::ImportSource { cause: Box::new(cause) },
    };
    let source_db = Db::connect(&opts.from).await.map_err(from)?;
    let mut conn = source_db.pool().acquire().within().await.map_err(|e| from(e.into()))?;
    let src = Source::read(&mut conn, opts.from.target()).await.map_err(from)?;
    drop(conn);
    source_db.pool().close().await;
    let report = ImportReport {
        source: src.target.clone(),
        dry_run: opts.dry_run,
        orgs: Vec::new(),
        tables: Vec::new(),
        refused: Vec::new(),
        shared_slugs: Vec::new(),
        secrets: Vec::new(),
        no_home: src.no_home.iter().map(|(t, n)| NoHome { table: t.clone(), rows: *n }).collect(),
        rehomed: Vec::new(),
    };
    let mut imp = Importer {
        dalgo,
        src: &src,
        opts,
        ids: Ids::default(),
        stores: steps::Stores::default(),
        task_dups: HashMap::new(),
        report,
    };
    // A dry run is one transaction, rolled back at the end; a real run
    // commits each step.
    let pool = dalgo.db().pool();
    let mut dry = if opts.dry_run { Some(pool.begin().within().await?) } else { None };
    for table in STEPS {
        match dry.as_mut() {
            Some(tx) => imp.step(*table, tx).await?,
            None => {
                let mut tx = pool.begin().within().await?;
                imp.step(*table, &mut tx).await?;
                tx.commit().within().await?;
            }
        }
        if *table == Table::OrgSecrets {
            imp.copy_secrets().await?;
        }
    }
    if let Some(tx) = dry {
        tx.rollback().within().await?;
    }
    let mut report = imp.report;
    report.orgs = imp.ids.orgs.into_values().map(|(_, slug)| slug).collect();
    report.orgs.sort();
    Ok(report)
}
