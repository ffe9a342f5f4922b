//! `dalgo import django`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Context;
use super::output::{CliError, CmdResult, ExitStatus, Printer, emit, write_table};
use dalgo::config::DatabaseConfig;
use dalgo::model::import::{ImportOptions, SecretsSource};
use dalgo::ops::{Imported, Presence};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Bring a running Dalgo's Django database under dalgo (read only on Django's side)
    #[command(long_about = "Bring a running Dalgo under dalgo: reads its Django database (--from; only \
read, in one snapshot) and writes into dalgo's (migrated first) its orgs with their slugs, plans, users with \
their password hashes (every password still works), memberships, feature flags, warehouses and dbt workspaces \
with their secret names, org tasks with their uuids, pipelines with their deployments, pipeline steps, task \
locks, flow runs and Airbyte jobs.\n\nNothing is guessed: a row dalgo cannot hold is refused and reported \
with the reason (exit 3); orgs sharing a slug are both refused until you choose with --rename ID=SLUG. Rows of \
Django tables dalgo has no home for are counted. Each table is one transaction and an upsert, so running it \
again changes nothing, a changed source brings only the difference, and a killed import re-runs to the same \
end. --dry-run prints the whole plan and writes nothing.\n\nSecrets keep their names: each one a warehouse or \
dbt workspace names is copied from --secrets-dir (Dalgo's DEV_SECRETS_DIR) or --secrets-from aws (AWS Secrets \
Manager) into dalgo's store, never over a value the store holds; one found nowhere is reported. Stop Django's Celery workers first: they take task \
locks.")]
    Django(DjangoArgs),
}

/// `import django`'s arguments.
#[derive(Debug, Args)]
pub struct DjangoArgs {
    /// The Django database's URL, e.g. postgres://dalgo@db-host/ddp; only read. Its password is best
    /// kept out of the command line (the process list, shell history): PGPASSWORD, or the whole URL in
    /// DALGO_IMPORT_FROM
    #[arg(long = "from", env = "DALGO_IMPORT_FROM", hide_env_values = true, value_name = "URL")]
    from: String,
    /// Print the plan (per table: new, changed, unchanged, refused) and write nothing
    #[arg(long)]
    dry_run: bool,
    /// The slug for the Django org ID (orgs sharing a slug); repeatable
    #[arg(long, value_name = "ID=SLUG", value_parser = parse_rename)]
    rename: Vec<(i64, String)>,
    /// Dalgo's DEV_SECRETS_DIR, to copy the secrets the rows name from
    #[arg(long, value_name = "DIR", conflicts_with = "secrets_from")]
    secrets_dir: Option<PathBuf>,
    /// Copy the secrets the rows name from AWS Secrets Manager (AWS_REGION, AWS_PROFILE, …)
    #[arg(long, value_name = "aws", value_parser = ["aws"])]
    secrets_from: Option<String>,
    /// Then look up each imported org's Airbyte workspace, Prefect deployments and blocks; say what is missing
    #[arg(long, conflicts_with = "dry_run")]
    check_external: bool,
}

#[cfg(feature = "aws")]
fn aws_source() -> anyhow::Result<SecretsSource> {
    Ok(SecretsSource::Aws)
}

#[cfg(not(feature = "aws"))]
fn aws_source() -> anyhow::Result<SecretsSource> {
    Err(super::output::CliError::usage("--secrets-from aws: this dalgo was built without the aws feature", "").into())
}

fn parse_rename(s: &str) -> Result<(i64, String), String> {
    let (id, slug) = s.split_once('=').ok_or("give ID=SLUG, e.g. 12=acme-ngo-india")?;
    let id = id.trim().parse::<i64>().map_err(|_| format!("{id:?} is not a Django org id"))?;
    Ok((id, slug.trim().to_string()))
}

pub async fn run(ctx: &Context, c: ImportCommand) -> CmdResult {
    let ImportCommand::Django(a) = c;
    let dalgo = ctx.dalgo().await?;
    let mut from = DatabaseConfig::from_url(&a.from).map_err(|e| {
        let why = match e {
            dalgo::Error::Config(m) => m,
            other => other.to_string(),
        };
        CliError::usage(format!("--from: {why}"), "give the Django database's URL, postgres://USER:PASSWORD@HOST/DB")
    })?;
    from.connect_timeout = dalgo.config().database.connect_timeout;
    from.limits = dalgo.config().database.limits;
    let renames: BTreeMap<i64, String> = a.rename.into_iter().collect();
    let secrets_from = match (a.secrets_dir, a.secrets_from) {
        (Some(dir), _) => Some(SecretsSource::Dir(dir)),
        (None, Some(_)) => Some(aws_source()?),
        (None, None) => None,
    };
    let opts = ImportOptions { from, dry_run: a.dry_run, renames, secrets_from };
    let imported = dalgo.import_django(&opts, a.check_external).await?;
    if imported.report.dry_run {
        ctx.note("dry run: nothing was written");
    }
    emit(ctx.printer.format, &imported, |out| render(out, &ctx.printer, &imported))?;
    Ok(if imported.is_complete() { ExitStatus::Success } else { ExitStatus::Partial })
}

/// The plan per table, then each refused row, shared slug, secret, table
/// with no home and external object not there.
fn render(out: &mut dyn Write, p: &Printer, imported: &Imported) -> std::io::Result<()> {
    let r = &imported.report;
    let counts = r.tables.iter().map(|t| {
        let c = &t.counts;
        [t.table.to_string(), c.new.to_string(), c.changed.to_string(), c.unchanged.to_string(), c.refused.to_string()]
    });
    write_table(out, &p.table(&["TABLE", "NEW", "CHANGED", "UNCHANGED", "REFUSED"], counts))?;
    for f in &r.refused {
        writeln!(out, "refused: {} ({}): {}", f.source, f.table, f.reason)?;
    }
    for s in &r.shared_slugs {
        let orgs: Vec<String> = s.orgs.iter().map(|(id, name)| format!("{id} {name:?}")).collect();
        writeln!(out, "shared slug {:?}: ddpui_org {}", s.slug, orgs.join(", "))?;
        writeln!(out, "  names outside dalgo that carry it: {}", s.external_names.join(", "))?;
    }
    for s in &r.secrets {
        writeln!(out, "secret {} of {}: {}", s.name, s.org, s.outcome)?;
    }
    for m in &r.rehomed {
        writeln!(out, "re-homed: dbt project of {}: {} -> {} (beneath CLIENTDBT_ROOT/{})", m.org, m.from, m.to, m.org)?;
    }
    for n in &r.no_home {
        let rows = if n.rows == 1 { "row" } else { "rows" };
        writeln!(out, "no home in dalgo: {} ({} {rows})", n.table, n.rows)?;
    }
    for e in &imported.external {
        let state = match &e.presence {
            Presence::Unknown { reason } => format!("unknown ({reason})"),
            _ => "missing".to_string(),
        };
        writeln!(out, "{} of {}: {state}", e.object, e.org)?;
    }
    Ok(())
}
