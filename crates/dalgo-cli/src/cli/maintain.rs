//! `dalgo maintain`.

use std::time::Duration;

use clap::Args;

use super::Context;
use super::output::{CmdResult, emit};
use dalgo::ops::MaintainOptions;

/// Upkeep for cron or a systemd timer (what Dalgo's Celery beat did)
#[derive(Debug, Args)]
#[command(
    long_about = "The upkeep Dalgo's Celery beat did, as one idempotent command for cron or a \
systemd timer: frees task locks whose flow run has ended or that Prefect does not know, and those older than \
--lock-age that never got a run (as `locks release-stale`); then records the run history of every deployment \
over --lookback (as `pipeline sync-runs`). One at a time across machines: a second one while one runs does \
nothing and says so. Without Prefect (PREFECT_API_URL unset) it frees only the locks that never got a run, \
and says what it left undone.",
    after_help = "Every 5 minutes from cron:\n  */5 * * * * dalgo maintain -q"
)]
pub struct MaintainArgs {
    /// A lock with no flow run is stale after this long (e.g. 30m, 2h)
    #[arg(long, default_value = "30m", value_parser = super::parse_duration, value_name = "AGE")]
    lock_age: Duration,
    /// How far back the run history is synced (e.g. 24h, 1d)
    #[arg(long, default_value = "1d", value_parser = super::parse_duration, value_name = "AGE")]
    lookback: Duration,
}

pub async fn run(ctx: &Context, a: MaintainArgs) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    let r = dalgo.maintain(MaintainOptions { lock_age: a.lock_age, lookback: a.lookback }).await?;
    if r.skipped {
        ctx.note("another `dalgo maintain` is running; nothing done");
    }
    if let Some(why) = &r.not_done {
        ctx.warn(format!("not done: {why}"));
    }
    emit(ctx.printer.format, &r, |out| {
        for l in &r.locks_released {
            writeln!(out, "released the lock on {} of {}: {}", l.task, l.org, l.reason.clone().unwrap_or_default())?;
        }
        match &r.runs {
            Some(s) => writeln!(
                out,
                "{} locks released; {} runs of {} deployments recorded ({} more locks released)",
                r.locks_released.len(),
                s.runs_seen,
                s.deployments,
                s.locks_released
            ),
            None if r.skipped => Ok(()),
            None => writeln!(out, "{} locks released", r.locks_released.len()),
        }
    })
}
