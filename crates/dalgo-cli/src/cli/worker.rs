//! `dalgo worker`.

use std::time::Duration;

use clap::Args;

use super::Context;
use super::output::{CmdResult, ExitStatus, Format, write_ndjson};
use dalgo::model::worker::{WorkerEvent, WorkerOptions};

#[derive(Debug, Args)]
#[command(
    long_about = "Run Dalgo's pipelines on a Prefect work pool, natively: a Prefect worker that claims the \
scheduled runs of deployments of Dalgo's pipeline flow (v5, or v4) and runs their tasks itself: Airbyte syncs, \
clears and schema updates through dalgo's Airbyte client, dbt through dalgo's dbt runner (the org's profile, \
the org's dbt lock), git pull and clone with the token through askpass.

It runs only what its database vouches for: a run's deployment must be a pipeline the database holds, and the \
run is done for that pipeline's org. A run whose parameters ask for another org, another directory, another \
command or environment than the database gives is FAILED with the disagreement named, nothing run. Runs of \
deployments the database does not hold, of other flows, or with tasks this worker does not do (generate-edr, \
any other shell command) are left for other workers.

Several workers (dalgo's or Python ones) share a pool: Prefect lets one worker claim each run. Give each worker its \
own --name: a worker starting under a name marks the runs that name left unfinished CRASHED.

SIGTERM or Ctrl-C: stop claiming, give running runs --grace seconds to finish, then stop them (their tasks end \
CANCELLED, the runs CRASHED). A run cancelled in Prefect stops its task (dbt or git is killed, the Airbyte \
job cancelled) and ends CANCELLED.",
    after_help = "One line per run started and finished on stderr; with -o json, one JSON object per event on \
stdout. With --once, exit 1 when a run did not complete."
)]
pub struct WorkerArgs {
    /// The Prefect work pool to take runs from
    #[arg(long, env = "PREFECT_WORKER_POOL_NAME", value_name = "NAME", value_parser = super::not_blank)]
    pool: String,
    /// A queue of the pool to take runs from (repeat; default: every queue)
    #[arg(long = "queue", value_name = "QUEUE", value_parser = super::not_blank)]
    queues: Vec<String>,
    /// How many runs at once
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// The worker's name in Prefect, unique per worker [default: dalgo-<hostname>]
    #[arg(long, value_name = "NAME", value_parser = super::not_blank)]
    name: Option<String>,
    /// Seconds between polls for scheduled runs, cancellations and Airbyte job states
    #[arg(long, default_value = "10", value_name = "SECS", allow_negative_numbers = true, value_parser = super::parse_interval)]
    poll_interval: Duration,
    /// After SIGTERM, how long running runs may take to finish before they are stopped
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = super::parse_duration)]
    grace: Duration,
    /// Seconds between heartbeats on the pool; Prefect shows the worker OFFLINE after three missed ones
    #[arg(long, env = "PREFECT_WORKER_HEARTBEAT_SECONDS", default_value = "30", value_name = "SECS",
          allow_negative_numbers = true, value_parser = super::parse_interval)]
    heartbeat: Duration,
    /// Run what is scheduled now, then exit (for cron and tests)
    #[arg(long)]
    once: bool,
}

pub async fn run(ctx: &Context, a: WorkerArgs) -> CmdResult {
    let mut cfg = ctx.config()?;
    // A connection per run, one for the lock of a dbt step, one to spare.
    cfg.database.max_connections = cfg.database.max_connections.max(u32::from(a.concurrency) * 2 + 1);
    let dalgo = dalgo::ops::Dalgo::connect(cfg).await?;
    let opts = WorkerOptions {
        pool: a.pool,
        queues: a.queues,
        concurrency: usize::from(a.concurrency),
        name: a.name.unwrap_or_else(default_name),
        poll: a.poll_interval,
        once: a.once,
        grace: a.grace,
        heartbeat: a.heartbeat,
    };
    let stop = super::on_signal(&[super::Signal::Interrupt, super::Signal::Terminate], None)?;
    let json = ctx.printer.format == Format::Json;
    let on_event = |ev: WorkerEvent| {
        if json {
            // A closed stdout does not stop the runs.
            let _ = write_ndjson(std::slice::from_ref(&ev));
        } else {
            ctx.note(describe(&ev));
        }
    };
    let report = dalgo.worker(&opts, &on_event, stop).await?;
    Ok(if opts.once && report.failed > 0 { ExitStatus::Failure } else { ExitStatus::Success })
}

fn describe(ev: &WorkerEvent) -> String {
    match ev {
        WorkerEvent::Online { pool, pool_created, name, crashed } => {
            let left = if *crashed > 0 {
                format!("; {crashed} run(s) left by a previous {name} marked CRASHED")
            } else {
                String::new()
            };
            let made = if *pool_created { " (created, type process)" } else { "" };
            format!("worker {name} online on pool {pool}{made}{left}")
        }
        WorkerEvent::Started { flow_run_id, flow_run_name, org, .. } => {
            let org = org.as_deref().map(|o| format!(" of {o}")).unwrap_or_default();
            format!("started {flow_run_name} ({flow_run_id}){org}")
        }
        WorkerEvent::Finished { flow_run_id, flow_run_name, state_type, state_name, message, seconds } => {
            let why = message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
            format!("finished {flow_run_name} ({flow_run_id}): {state_name} ({state_type}) in {seconds:.1} s{why}")
        }
        WorkerEvent::Rescheduled { flow_run_id, flow_run_name, reason } => {
            format!("rescheduled {flow_run_name} ({flow_run_id}) in a minute: {reason}")
        }
        WorkerEvent::Left { flow_run_id, flow_run_name, reason } => {
            format!("left {flow_run_name} ({flow_run_id}) for other workers: {reason}")
        }
        WorkerEvent::Trouble { error } => format!("warning: {error}; trying again at the next poll"),
        WorkerEvent::Stopping { running } => format!("stopping: {running} run(s) still running"),
    }
}

/// `dalgo-<hostname>`.
fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("dalgo-{host}")
}
