//! `dalgo secrets`.

use std::io::IsTerminal;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::output::{CliError, CmdResult, ExitStatus, Limit, emit, write_list};
use super::{Context, prompt};
use dalgo::model::secrets::GcReport;
use dalgo::ops::Dalgo;

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Secrets the database refers to, and any others the store holds
    List(Limit),
    /// A secret's value, masked unless --reveal is given on a terminal
    Show(ShowArgs),
    /// Remove warehouse credentials and git tokens that no row names
    #[command(
        long_about = "Remove the versions of warehouse credentials and git tokens that dalgo recorded for an org and \
that no warehouse or dbt workspace names: what an operation killed midway left. Each org is swept under its operations \
lock, so a version an operation is switching to is never taken; an org whose lock is held is skipped with a warning \
(run gc again later). Versions younger than --older-than are left alone too. A secret dalgo never recorded (Dalgo's \
own, in a store shared with Django's backend) is never touched, whatever its name or age.",
        after_help = "Example:\n  dalgo secrets gc --dry-run\n  dalgo secrets gc --older-than 2h --yes"
    )]
    Gc(GcArgs),
    /// Delete a secret no org refers to
    Delete {
        /// The secret's name, as `secrets list` shows it
        name: String,
        #[command(flatten)]
        guard: prompt::Guard,
    },
}

/// `gc`'s arguments.
#[derive(Debug, Args)]
pub struct GcArgs {
    /// Only versions at least this old (e.g. 30m, 2h, 1d)
    #[arg(long, default_value = "1h", value_parser = super::parse_duration, value_name = "AGE")]
    older_than: std::time::Duration,
    #[command(flatten)]
    guard: prompt::Guard,
}

/// `show`'s arguments.
#[derive(Debug, Args)]
pub struct ShowArgs {
    name: String,
    /// Print the value itself (only to a terminal)
    #[arg(long)]
    reveal: bool,
}

pub async fn run(ctx: &Context, c: SecretsCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    let secrets = dalgo.secrets();
    match c {
        SecretsCommand::List(limit) => {
            let entries = limit.cut(secrets.list().await?);
            emit(ctx.printer.format, &entries, |out| {
                let t = ctx.printer.table(
                    &["NAME", "HOLDS", "ORG", "IN STORE"],
                    entries.iter().map(|e| {
                        [
                            e.name.clone(),
                            e.kind.unwrap_or("-").to_string(),
                            e.org.clone().unwrap_or_else(|| "-".into()),
                            e.in_store.map_or("?".into(), |b| if b { "yes".into() } else { "MISSING".into() }),
                        ]
                    }),
                );
                write_list(out, "secrets", &t)
            })
        }
        SecretsCommand::Show(a) => show(ctx, &dalgo, a).await,
        SecretsCommand::Gc(a) => gc(ctx, &dalgo, a).await,
        SecretsCommand::Delete { name, guard } => {
            secrets.check_delete(&name).await?;
            if !guard.proceed(ctx, &format!("delete secret {name}"))? {
                return Ok(ExitStatus::Success);
            }
            secrets.delete(&name).await?;
            let body = serde_json::json!({ "name": name, "deleted": true });
            emit(ctx.printer.format, &body, |out| writeln!(out, "deleted secret {name}"))
        }
    }
}

async fn show(ctx: &Context, dalgo: &Dalgo, ShowArgs { name, reveal }: ShowArgs) -> CmdResult {
    let secrets = dalgo.secrets();
    if reveal && !std::io::stdout().is_terminal() {
        return Err(CliError::usage(
            "--reveal prints secrets only to a terminal",
            "run it at a terminal; scripts read the store through the commands that use the secret",
        )
        .into());
    }
    let shown = secrets.show(&name, reveal).await?;
    let body = serde_json::json!({ "name": name, "value": shown });
    emit(ctx.printer.format, &body, |out| {
        let text = match &shown {
            Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_default(),
        };
        writeln!(out, "{text}")
    })
}

async fn gc(ctx: &Context, dalgo: &Dalgo, GcArgs { older_than, guard }: GcArgs) -> CmdResult {
    let secrets = dalgo.secrets();
    let dry_run = guard.dry_run;
    guard.confirm(ctx, "remove every dalgo secret no row names")?;
    let GcReport { orphans, skipped } = secrets.gc(older_than, dry_run).await?;
    for org in &skipped {
        ctx.warn(format!("org {org} skipped: an operation holds its lock; run gc again when it is done"));
    }
    if orphans.is_empty() {
        ctx.note("no orphaned secrets");
    }
    emit(ctx.printer.format, &orphans, |out| {
        let verb = if dry_run { "would remove" } else { "removed" };
        for o in &orphans {
            writeln!(out, "{verb} {}{}", o.name, o.org.as_ref().map(|s| format!(" (org {s})")).unwrap_or_default())?;
        }
        Ok(())
    })
}
