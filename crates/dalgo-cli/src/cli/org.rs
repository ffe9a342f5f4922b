//! `dalgo org`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::output::{CliError, CmdResult, Limit, Printer, emit, emit_stream, fields, write_table, yes_no};
use super::{Context, prompt};
use dalgo::model::org::{BasePlan, Duration, Member, OrgDetails, OrgPlan, PlanSpec};
use dalgo::ops::{DeleteOptions, Kept, OrgDeleteReport};
use dalgo::ops::{Entities, Presence};

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Every org with its plan and member count
    List(Limit),
    /// An org with its plan and members
    #[command(long_about = "An org with its plan and members. The org is SLUG, or --org SLUG, else DALGO_ORG.")]
    Show {
        #[command(flatten)]
        target: OrgTarget,
        /// Everything the org owns, in every system, each external object marked present, missing or unknown
        #[arg(long)]
        entities: bool,
    },
    /// Delete an org, its memberships, plan and flag overrides in one transaction
    #[command(long_about = "Delete an org and everything that belongs to it, in one transaction. Users \
whose only membership was in this org are deleted too, as Dalgo does. --dry-run lists what would go. \
The org is named on the command line (SLUG or --org); DALGO_ORG is never taken as the org to delete.")]
    Delete {
        #[command(flatten)]
        target: OrgTarget,
        #[command(flatten)]
        guard: prompt::Guard,
        /// Leave the org's Airbyte workspace (and its sources and connections) in place
        #[arg(long)]
        keep_airbyte: bool,
    },
    /// Set or show an org's plan (Dalgo's createorgplan)
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Write the org as a document for `dalgo apply` (YAML; -o json: JSON)
    #[command(
        long_about = "Write the org as a document `dalgo apply` takes: its slug, name, plan, warehouse and dbt workspace (credentials as the name of the secret that holds them), its Airbyte sources (secret fields as references) and connections by name, members with their roles, its own flag values and its pipelines (cron, connections by name, transform steps, continue on sync failure). YAML by default, JSON with -o json. Applying the export unchanged changes nothing. The org is SLUG, or --org SLUG, else DALGO_ORG."
    )]
    Export {
        #[command(flatten)]
        target: OrgTarget,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Set the org's plan: which, for how long, with Superset or not, and its window
    #[command(long_about = "Set the org's plan, as Dalgo's createorgplan does: the plan (Free Trial, Dalgo or \
Internal, in any case: DALGO is Dalgo), its duration, whether Superset is included, and its window as dates \
(no time zone shifts them). can_upgrade_plan and the features are derived as Dalgo derives them. A plan that \
ends before it starts is refused (65); setting the same plan again changes nothing.")]
    Set(PlanSetArgs),
    /// The org's plan with Dalgo's field names
    Show {
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
    },
}

/// `org plan set`'s arguments.
#[derive(Debug, Args)]
pub struct PlanSetArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// The plan
    #[arg(long, ignore_case = true, value_parser = super::one_of::<BasePlan>())]
    plan: BasePlan,
    /// How long it runs before it renews
    #[arg(long, ignore_case = true, value_parser = super::one_of::<Duration>())]
    duration: Duration,
    /// Whether Superset comes with it
    #[arg(long, value_name = "yes|no", default_value = "no", action = clap::ArgAction::Set, value_parser = yes_or_no)]
    superset: bool,
    /// The first day of the plan (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    start: Option<chrono::NaiveDate>,
    /// The last day of the plan (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    end: Option<chrono::NaiveDate>,
}

fn yes_or_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("{s:?}: give yes or no")),
    }
}

pub async fn run(ctx: &Context, c: OrgCommand) -> CmdResult {
    // Usage errors come before the database is asked.
    match c {
        OrgCommand::List(limit) => {
            let dalgo = ctx.dalgo().await?;
            let header = ["NAME", "SLUG", "PLAN", "MEMBERS", "CREATED"];
            let orgs = futures_util::StreamExt::take(dalgo.orgs().list(), limit.max());
            emit_stream(&ctx.printer, orgs, &header, "orgs", |o| {
                vec![
                    o.org.name.clone(),
                    o.org.slug.clone(),
                    o.base_plan.clone().unwrap_or_else(|| "-".into()),
                    o.members.to_string(),
                    ctx.printer.when(&o.org.created_at),
                ]
            })
            .await
        }
        OrgCommand::Show { target, entities } => {
            // Not clap's `env`: clap counts an environment value as given, so
            // DALGO_ORG would conflict with the positional SLUG.
            let slug = target.slug(std::env::var("DALGO_ORG").ok())?;
            let dalgo = ctx.dalgo().await?;
            let org = dalgo.org(&slug);
            if entities {
                let e = org.entities().await?;
                return emit(ctx.printer.format, &e, |out| write_entities(&ctx.printer, out, &e));
            }
            let d = org.show().await?;
            emit(ctx.printer.format, &d, |out| write_details(&ctx.printer, out, &d))
        }
        OrgCommand::Plan(c) => plan(ctx, c).await,
        OrgCommand::Export { target } => {
            super::apply::export(ctx, &target.slug(std::env::var("DALGO_ORG").ok())?).await
        }
        OrgCommand::Delete { target, guard, keep_airbyte } => {
            let slug = target.slug(None)?;
            let dalgo = ctx.dalgo().await?;
            let org = dalgo.org(&slug);
            // A missing org is said before anything is asked.
            org.get().await?;
            guard.confirm(ctx, &format!("delete org {slug} and everything that belongs to it"))?;
            let r = org.delete(DeleteOptions { dry_run: guard.dry_run, keep_airbyte }).await?;
            emit(ctx.printer.format, &r, |out| describe_delete(out, &r))
        }
    }
}

/// The org that `org show` or `org delete` is about, as a positional
/// `SLUG` or as `--org SLUG`, the option every other command takes.
#[derive(Debug, Args)]
pub struct OrgTarget {
    /// The org's slug (or --org SLUG)
    #[arg(value_name = "SLUG")]
    slug: Option<String>,
    /// The org's slug, as every command takes it (or the positional SLUG)
    #[arg(long = "org", value_name = "SLUG", conflicts_with = "slug")]
    org: Option<String>,
}

impl OrgTarget {
    /// The slug given, else `default` (DALGO_ORG, where the command takes it).
    fn slug(self, default: Option<String>) -> Result<String, CliError> {
        self.slug.or(self.org).or(default.filter(|d| !d.is_empty())).ok_or_else(|| {
            CliError::usage("no org named", "name it as SLUG or --org SLUG; `dalgo org list` shows the orgs")
        })
    }
}

async fn plan(ctx: &Context, c: PlanCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    match c {
        PlanCommand::Set(a) => {
            let spec =
                PlanSpec { base_plan: a.plan, duration: a.duration, superset: a.superset, start: a.start, end: a.end };
            let r = dalgo.org(&a.org).set_plan(&spec).await?;
            if !r.changed {
                ctx.note(format!("{} has this plan already; nothing changed", r.org));
            }
            emit(ctx.printer.format, &r, |out| write_table(out, &plan_fields(&r.plan)))
        }
        PlanCommand::Show { org } => {
            let p = dalgo.org(&org).plan().await?;
            emit(ctx.printer.format, &p, |out| write_table(out, &plan_fields(&p)))
        }
    }
}

/// `org show`: the org, its plan, its members.
fn write_details(p: &Printer, out: &mut dyn Write, d: &OrgDetails) -> std::io::Result<()> {
    let plan = d.plan.as_ref();
    write_table(
        out,
        &fields(&[
            ("name", d.org.name.clone()),
            ("slug", d.org.slug.clone()),
            ("uuid", d.org.uuid.to_string()),
            ("plan", plan.map_or("-".into(), |p| p.base_plan.clone())),
            ("plan duration", plan.and_then(|p| p.subscription_duration.clone()).unwrap_or("-".into())),
            ("superset", plan.map_or("-".into(), |p| yes_no(p.superset_included))),
            ("airbyte workspace", d.org.airbyte_workspace_id.clone().unwrap_or("-".into())),
            ("created", p.when(&d.org.created_at)),
        ]),
    )?;
    write_table(out, &members_table(p, &d.members))
}

/// A presence as a table cell.
fn presence(x: &Presence) -> String {
    match x {
        Presence::Present => "present".into(),
        Presence::Missing => "MISSING".into(),
        Presence::Unknown { reason } => format!("unknown: {reason}"),
        Presence::NotNeeded { reason } => format!("not needed: {reason}"),
    }
}

/// A table of what the org owns of one kind, or one line when it owns none.
fn write_owned<const N: usize>(
    p: &Printer,
    out: &mut dyn Write,
    header: &[&str; N],
    rows: Vec<[String; N]>,
    none: &str,
) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "{none}");
    }
    write_table(out, &p.table(header, rows))
}

/// `org show --entities`: the org, then what it owns in each system.
fn write_entities(p: &Printer, out: &mut dyn Write, e: &Entities) -> std::io::Result<()> {
    write_details(p, out, &e.org)?;
    let warehouse = e
        .warehouse
        .as_ref()
        .map_or("-".into(), |w| format!("{} (credentials in {})", w.warehouse.wtype, w.warehouse.credentials_secret));
    let dbt = e.dbt_workspace.as_ref().map_or("-".into(), |w| match &w.repo_url {
        Some(url) => format!("{url} ({})", w.branch.clone().unwrap_or_default()),
        None => format!("local {}", w.project_dir),
    });
    let airbyte = match (&e.airbyte.workspace_id, &e.airbyte.workspace) {
        (Some(id), Some(state)) => format!("{id} ({})", presence(state)),
        _ => "-".into(),
    };
    write_table(out, &fields(&[("warehouse", warehouse), ("dbt workspace", dbt), ("airbyte", airbyte)]))?;
    let actors = e
        .airbyte
        .sources
        .iter()
        .map(|a| ("source", a))
        .chain(e.airbyte.destinations.iter().map(|a| ("destination", a)));
    let mut objects: Vec<[String; 3]> =
        actors.map(|(kind, a)| [kind.to_string(), a.name.clone(), a.id.clone()]).collect();
    objects
        .extend(e.airbyte.connections.iter().map(|c| ["connection".into(), c.name.clone(), c.connection_id.clone()]));
    write_owned(p, out, &["AIRBYTE", "NAME", "ID"], objects, "no Airbyte sources, destinations or connections")?;
    let tasks =
        e.org_tasks.iter().map(|t| [t.task.clone(), t.connection_id.clone().unwrap_or_default(), t.uuid.to_string()]);
    write_owned(p, out, &["ORG TASK", "CONNECTION", "UUID"], tasks.collect(), "no org tasks")?;
    let pipelines = e.pipelines.iter().map(|x| {
        let id = x.pipeline.deployment_id.clone().unwrap_or("-".into());
        [x.pipeline.name.clone(), id, presence(&x.deployment), x.tasks.join(", ")]
    });
    write_owned(p, out, &["PIPELINE", "DEPLOYMENT", "IN PREFECT", "TASKS"], pipelines.collect(), "no pipelines")?;
    // Prefect not asked (not configured, not answering): said once, not per block.
    let reasons: Vec<Option<&str>> = e
        .prefect_blocks
        .iter()
        .map(|b| match &b.presence {
            Presence::Unknown { reason } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    match reasons.first() {
        Some(Some(why)) if reasons.iter().all(|r| r == &Some(*why)) => {
            writeln!(out, "Prefect blocks: not checked ({why})")?;
        }
        _ => {
            let blocks =
                e.prefect_blocks.iter().map(|b| [b.name.clone(), b.block_type.to_string(), presence(&b.presence)]);
            write_table(out, &p.table(&["PREFECT BLOCK", "TYPE", "IN PREFECT"], blocks))?;
        }
    }
    writeln!(out, "{} task lock(s) held", e.locks.len())
}

/// A plan, field by field, with Dalgo's names.
fn plan_fields(p: &OrgPlan) -> comfy_table::Table {
    let date = |d: Option<chrono::NaiveDate>| d.map_or("-".into(), |d| d.to_string());
    let features: Vec<&str> =
        p.features.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    fields(&[
        ("base_plan", p.base_plan.clone()),
        ("subscription_duration", p.subscription_duration.clone().unwrap_or("-".into())),
        ("superset_included", yes_no(p.superset_included)),
        ("start_date", date(p.start_date)),
        ("end_date", date(p.end_date)),
        ("can_upgrade_plan", yes_no(p.can_upgrade_plan)),
        ("features", features.join(", ")),
    ])
}

fn members_table(p: &Printer, members: &[Member]) -> comfy_table::Table {
    p.table(
        &["MEMBER", "ROLE", "VERIFIED", "JOINED"],
        members.iter().map(|m| [m.email.clone(), m.role.clone(), yes_no(m.email_verified), p.when(&m.joined_at)]),
    )
}

fn describe_delete(out: &mut dyn Write, r: &OrgDeleteReport) -> std::io::Result<()> {
    let rows = &r.rows;
    let verb = if rows.dry_run { "would delete" } else { "deleted" };
    writeln!(out, "{verb} org {} ({})", rows.org.name, rows.org.slug)?;
    writeln!(out, "{verb} plan: {}", yes_no(rows.plan))?;
    writeln!(out, "{verb} {} feature flag override(s)", rows.feature_flag_overrides)?;
    writeln!(out, "{verb} {} membership(s)", rows.memberships.len())?;
    for m in &rows.memberships {
        writeln!(out, "  {} ({})", m.email, m.role)?;
    }
    writeln!(out, "{verb} {} user(s) left with no membership", rows.users_removed.len())?;
    for u in &rows.users_removed {
        writeln!(out, "  {u}")?;
    }
    if let Some(ws) = &r.airbyte_workspace {
        writeln!(out, "{verb} Airbyte workspace {ws} with its sources, destinations and connections")?;
    }
    let lists: [(&str, Option<Vec<String>>); 4] = [
        ("Prefect deployment(s)", r.prefect_deployments.clone()),
        ("Prefect block(s)", r.prefect_blocks.clone()),
        ("secret(s)", Some(r.secrets.clone())),
        ("directory(ies)", Some(r.paths.iter().map(|p| p.display().to_string()).collect())),
    ];
    for (what, items) in lists {
        let Some(items) = items else {
            writeln!(out, "{what}: not checked (Prefect is not configured)")?;
            continue;
        };
        writeln!(out, "{verb} {} {what}", items.len())?;
        for i in items {
            writeln!(out, "  {i}")?;
        }
    }
    for kept in &r.kept {
        writeln!(
            out,
            "kept: {}",
            match kept {
                Kept::PrefectRunHistory => {
                    "Prefect's run history and logs of these deployments (Prefect keeps flow runs of a deleted \
                     deployment until its own retention removes them)"
                }
                Kept::AuditLog => "the org's audit log rows (by slug)",
            }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::testing::{self, at, text};
    use dalgo::model::org::DeleteReport;

    #[test]
    fn org_delete_renders() {
        let org = testing::org(Some("3c2b1a09-8f7e-4d6c-b5a4-938271605f4e"));
        let member =
            Member { email: "admin@acme.org".into(), role: "admin".into(), email_verified: true, joined_at: at(1) };
        let r = OrgDeleteReport {
            rows: DeleteReport {
                org,
                dry_run: true,
                memberships: vec![member],
                users_removed: vec!["admin@acme.org".into()],
                plan: true,
                feature_flag_overrides: 2,
            },
            airbyte_workspace: Some("3c2b1a09-8f7e-4d6c-b5a4-938271605f4e".into()),
            prefect_deployments: Some(vec!["pipeline-acme-ngo-1a2b3c4d".into()]),
            prefect_blocks: Some(vec!["dbt-profile-acme-ngo".into()]),
            secrets: vec!["warehouse-acme-ngo-7d1e".into()],
            paths: vec!["/srv/clientdbt/acme-ngo".into()],
            kept: vec![Kept::PrefectRunHistory, Kept::AuditLog],
        };
        insta::assert_snapshot!("org_delete_text", text(|out| describe_delete(out, &r)));
        insta::assert_json_snapshot!("org_delete_json", r);
    }
}
