//! `dalgo manage-feature-flags`.

use std::io::Write;

use clap::{ArgGroup, Args};

use super::Context;
use super::output::{CliError, CmdResult, emit, write_list, yes_no};
use dalgo::model::flags::Change;

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("action").required(true).args(["enable", "disable", "list_all", "enable_all_global", "clear"])),
    long_about = "Feature flags, argument-compatible with Dalgo's manage_feature_flags. Without --org \
a flag is set globally; with it, for that org only, overriding the global value. An org's effective value is \
its override, else the global value, else false.",
    after_help = "Examples:\n  dalgo manage-feature-flags DATA_QUALITY --enable\n  dalgo manage-feature-flags DATA_QUALITY --disable --org acme-ngo\n  dalgo manage-feature-flags DATA_QUALITY --clear --org acme-ngo\n  dalgo manage-feature-flags --list-all --org acme-ngo --output json"
)]
pub struct FlagArgs {
    /// The flag's name, e.g. DATA_QUALITY (needed by --enable, --disable, --clear)
    pub flag: Option<String>,
    /// Act on this org's override instead of the global value (`--org-slug`, Dalgo's spelling, works too)
    #[arg(long = "org", alias = "org-slug", value_name = "SLUG")]
    pub org_slug: Option<String>,
    /// Turn the flag on in the scope
    #[arg(long)]
    pub enable: bool,
    /// Turn the flag off in the scope
    #[arg(long)]
    pub disable: bool,
    /// Show every flag's effective value (JSON: the web app's {"FLAG": bool} object)
    #[arg(long)]
    pub list_all: bool,
    /// Enable every flag globally, in one transaction
    #[arg(long, conflicts_with = "org_slug")]
    pub enable_all_global: bool,
    /// Remove the value: with --org the org's override (back to the global value), else the global value (back to off)
    #[arg(long)]
    pub clear: bool,
}

pub async fn run(ctx: &Context, a: FlagArgs) -> CmdResult {
    if (a.enable || a.disable || a.clear) && a.flag.is_none() {
        return Err(CliError::usage(
            "--enable, --disable and --clear need the flag's name",
            "e.g. dalgo manage-feature-flags DATA_QUALITY --enable; --list-all shows the names",
        )
        .into());
    }
    let dalgo = ctx.dalgo().await?;
    let flags = match &a.org_slug {
        Some(slug) => dalgo.org(slug).flags(),
        None => dalgo.flags(),
    };
    if a.list_all {
        let states = flags.list().await?;
        let map: std::collections::BTreeMap<&str, bool> = states.iter().map(|s| (s.name.as_str(), s.value)).collect();
        return emit(ctx.printer.format, &map, |out| {
            let t = ctx.printer.table(
                &["FLAG", "VALUE", "SOURCE", "DESCRIPTION"],
                states
                    .iter()
                    .map(|s| [s.name.clone(), yes_no(s.value), s.source.as_str().into(), s.description.clone()]),
            );
            write_list(out, "feature flags", &t)
        });
    }
    if a.enable_all_global {
        let changes = flags.enable_all().await?;
        let changed = changes.iter().filter(|c| c.changed()).count();
        return emit(ctx.printer.format, &changes, |out| {
            for c in &changes {
                write_change(out, c)?;
            }
            writeln!(out, "{changed} of {} flags changed", changes.len())
        });
    }
    let name = a.flag.as_deref().unwrap_or_default();
    let change = if a.clear { flags.clear(name).await? } else { flags.set(name, a.enable).await? };
    emit(ctx.printer.format, &ChangeJson::from(&change), |out| write_change(out, &change))
}

fn write_change(out: &mut dyn Write, c: &Change) -> std::io::Result<()> {
    let scope = if c.scope == "global" { "globally".to_string() } else { format!("for org {}", c.scope) };
    writeln!(out, "{} {} {scope}", c.flag, c.outcome())
}

/// The JSON for one change: the library's fields plus the outcome word.
#[derive(serde::Serialize)]
struct ChangeJson<'a> {
    #[serde(flatten)]
    change: &'a Change,
    result: &'static str,
    changed: bool,
}

impl<'a> From<&'a Change> for ChangeJson<'a> {
    fn from(change: &'a Change) -> Self {
        ChangeJson { change, result: change.outcome(), changed: change.changed() }
    }
}
