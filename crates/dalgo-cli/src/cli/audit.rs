//! `dalgo audit`: reading the audit log.

use clap::Subcommand;

use super::Context;
use super::output::{CmdResult, emit, write_list};
use dalgo::model::audit;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Who changed what and when: the audit log, newest first
    #[command(long_about = "The audit log, newest first: one entry for every change an admin command made (orgs, \
users, memberships, flags, warehouses, dbt workspaces, secrets, pipelines, locks), naming who made it (--actor, \
DALGO_ACTOR). Entries of a deleted org are kept and found by its slug.")]
    List {
        /// Only entries about this org (by slug; deleted orgs too)
        #[arg(long = "org", value_name = "SLUG")]
        org: Option<String>,
        /// Only entries made by this actor
        #[arg(long, value_name = "NAME")]
        actor: Option<String>,
        /// Only entries this recent (30m, 2h, 1d)
        #[arg(long, value_name = "AGE", value_parser = super::parse_duration)]
        since: Option<std::time::Duration>,
        /// Show at most N (default 100)
        #[arg(long = "limit", value_name = "N", default_value_t = 100)]
        limit: i64,
    },
}

pub async fn run(ctx: &Context, c: AuditCommand) -> CmdResult {
    let AuditCommand::List { org, actor, since, limit } = c;
    let since = since.and_then(|s| chrono::Duration::from_std(s).ok()).map(|s| chrono::Utc::now() - s);
    let q = audit::Query { org: org.as_deref(), actor: actor.as_deref(), since, limit: Some(limit) };
    let entries = ctx.dalgo().await?.audit().list(&q).await?;
    emit(ctx.printer.format, &entries, |out| {
        let t = ctx.printer.table(
            &["AT", "ACTOR", "ACTION", "WHAT", "ID", "ORG"],
            entries.iter().map(|e| {
                [
                    ctx.printer.when(&e.at),
                    e.actor.clone(),
                    e.action.clone(),
                    e.resource_type.clone(),
                    e.resource_id.clone(),
                    e.org.clone().unwrap_or_else(|| "-".into()),
                ]
            }),
        );
        write_list(out, "audit entries", &t)
    })
}
