//! `dalgo pipeline` and `dalgo locks`.

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use super::output::{
    CmdResult, ExitStatus, Limit, Printer, emit, emit_stream, fields, write_list, write_ndjson, write_table, yes_no,
};
use super::{Context, prompt};
use dalgo::model::pipeline::{self, BlockOutcome, BlockStatus, FlowRun, TaskChoice};
use dalgo::ops::{Dalgo, NextStep, PipelineChanges, PipelineSpec, RunOptions, Step};

#[derive(Debug, Subcommand)]
pub enum PipelineCommand {
    /// Create a pipeline and its Prefect deployment
    #[command(long_about = "Create an orchestration pipeline: the org's Airbyte syncs (--connection, in order), then \
its transform tasks (default: dbt-run and dbt-test, with git-pull, dbt-clean and dbt-deps first where the org has \
them), as a Prefect deployment of Dalgo's flow on the org's work pool and queue. The cron is checked before anything \
is written; the rows and the deployment are made together or not at all.")]
    Create(CreateArgs),
    /// The org's pipelines: schedule, active or paused, last and next run
    List {
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[command(flatten)]
        limit: Limit,
    },
    /// A pipeline's tasks in order, schedule and recent runs
    Show {
        name: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
    },
    /// Create or refresh the Prefect blocks the org's pipelines load
    #[command(long_about = "Create or refresh the Prefect blocks Dalgo's workers load while they run the org's \
pipelines: the Airbyte server block <slug>-airbyte-server (from dalgo's Airbyte settings), the Secret \
dbt-profile-<slug> (the warehouse credentials dbt steps write profiles.yml from) and the Secret <slug>-git-pull-url \
(the repository URL with its token). `pipeline create` and `update` do this too; run it after changing the \
warehouse credentials or the git token. Blocks the org has no use for yet are reported as skipped.")]
    Blocks {
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
    },
    /// Change a pipeline's tasks or schedule (the whole schedule is always sent)
    Update(UpdateArgs),
    /// Regenerate future runs from the schedules (Dalgo's refresh_deployment_schedule)
    #[command(long_about = "Pause and resume the deployment of each named pipeline (or, with --all, of every \
pipeline of the org) so Prefect drops its future runs and makes them again from the schedule. A pipeline \
that is paused, or has no schedule, is left as it is. A resume that fails is tried again; if it still fails, \
the pipeline is named with the command that resumes it, and the exit status is 1.")]
    Reschedule(RescheduleArgs),
    /// Pause the pipeline's schedule
    Pause {
        name: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
    },
    /// Resume the pipeline's schedule
    Resume {
        name: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
    },
    /// Delete the deployment, then the pipeline
    Delete {
        name: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[command(flatten)]
        guard: prompt::Guard,
    },
    /// Run the pipeline now, locking its tasks; optionally wait for the end
    #[command(
        long_about = "Run the pipeline now. Its tasks are locked first; locks left by runs that have ended (or \
that Prefect does not know) are freed on the way, and a task held by a live run refuses the run (75), naming that \
run and its state. With --wait, dalgo follows the run to its end, warns once when no worker polls the run's work \
pool queue, and reports the run's true state (Dalgo's DBT_TEST_FAILED when dbt tests failed).",
        after_help = "Exit 0 when the run completed; 1 when it failed, crashed, was cancelled, or its dbt tests \
failed (Dalgo's DBT_TEST_FAILED); 69 with --require-worker when no worker polls the queue; 75 when one of its tasks \
is locked by a live run; 130 on Ctrl-C (the run goes on in Prefect unless --cancel-on-interrupt).

Examples:
  dalgo pipeline run nightly --org acme-ngo --wait --follow
  dalgo pipeline run nightly --org acme-ngo --wait --require-worker --cancel-on-interrupt"
    )]
    Run(RunArgs),
    /// The pipeline's latest runs, as Prefect knows them (`runs` works too)
    #[command(alias = "runs")]
    History {
        name: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// A flow run's whole log (or a pipeline's latest run's, with --last): subflows' and tasks' lines too, oldest first
    #[command(long_about = "A flow run's whole log, oldest first: the lines of the run itself and of every subflow \
and task run under it (Dalgo's flow runs each Airbyte sync and dbt step as a subflow), each named by the task that \
wrote it. With --last, RUN is a pipeline's name and the log is that of its latest run. With -o json, a JSON array; \
with --follow, one JSON object per line (NDJSON) as lines arrive, until the run has ended.

Examples:
  dalgo pipeline logs 6f1c…
  dalgo pipeline logs nightly --last --org acme-ngo
  dalgo pipeline logs 6f1c… --follow -o json | jq -r .message")]
    Logs(LogsArgs),
    /// Cancel a flow run
    Cancel { flow_run_id: String },
    /// Mark CRASHED a run whose worker is gone, with its subflows; free its locks
    #[command(long_about = "Mark CRASHED a flow run whose worker is gone: a Python or dalgo worker that was \
killed leaves its run PENDING, RUNNING or CANCELLING for ever, with its subflow runs and their wrapper task \
runs. They all end CRASHED, the run is recorded and its task locks are freed, so the pipeline can run again. \
A run a live worker is running would be ended under it: use it only for runs whose worker is known to be \
gone. A run that has ended is refused (65).")]
    Crash {
        flow_run_id: String,
        #[command(flatten)]
        guard: prompt::Guard,
    },
    /// Run a finished flow run again
    Retry { flow_run_id: String },
    /// For cron: record recent runs of every deployment and free the locks of finished ones
    SyncRuns(SyncRunsArgs),
}

/// `logs`'s arguments.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// A flow run's id, or with --last a pipeline's name
    #[arg(value_name = "RUN")]
    flow_run_id: String,
    /// RUN names a pipeline: show its latest run's log
    #[arg(long, requires = "org")]
    last: bool,
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: Option<String>,
    /// Keep printing new lines until the run ends
    #[arg(long)]
    follow: bool,
}

/// `sync-runs`'s arguments.
#[derive(Debug, Args)]
pub struct SyncRunsArgs {
    #[arg(long = "org", value_name = "SLUG")]
    org: Option<String>,
    #[arg(long, default_value_t = 24)]
    lookback_hours: u32,
}

/// `update`'s arguments.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    name: String,
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// Replace the syncs (repeat); with --transform/--no-transform, the task list is rebuilt
    #[arg(long = "connection", value_name = "ID")]
    connections: Vec<String>,
    #[command(flatten)]
    transform: TransformArgs,
    #[arg(long, value_name = "EXPR", conflicts_with = "no_schedule")]
    cron: Option<String>,
    /// Remove the schedule
    #[arg(long)]
    no_schedule: bool,
}

/// `create`'s arguments.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    #[arg(long)]
    name: String,
    /// An Airbyte connection to sync (repeat, in order)
    #[arg(long = "connection", value_name = "ID")]
    connections: Vec<String>,
    #[command(flatten)]
    transform: TransformArgs,
    /// Five-field cron, in UTC (e.g. "0 2 * * *"); none: runs only when asked
    #[arg(long, value_name = "EXPR")]
    cron: Option<String>,
    /// Run the transform tasks even when a sync failed
    #[arg(long)]
    continue_on_sync_failure: bool,
}

/// `pipeline reschedule`'s arguments.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["names", "all"])))]
pub struct RescheduleArgs {
    /// The pipelines to reschedule
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// Every pipeline of the org
    #[arg(long, conflicts_with = "names")]
    all: bool,
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
}

/// `pipeline run`'s arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    name: String,
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// Wait for the run to end; the exit status is its outcome
    #[arg(long)]
    wait: bool,
    /// Print every task's log lines as they arrive while waiting (implies --wait)
    #[arg(long)]
    follow: bool,
    /// Seconds between status checks while waiting
    #[arg(long, default_value = "5", value_name = "SECS", allow_negative_numbers = true, value_parser = super::parse_interval)]
    poll_interval: Duration,
    /// Start nothing (exit 69) when no worker polls the run's work pool queue
    #[arg(long)]
    require_worker: bool,
    /// On Ctrl-C while waiting, cancel the run and wait for the cancellation
    #[arg(long)]
    cancel_on_interrupt: bool,
}

#[derive(Debug, Args)]
pub struct TransformArgs {
    /// Transform task slugs, comma-separated (e.g. git-pull,dbt-run)
    #[arg(long, value_delimiter = ',', value_name = "TASK,…", conflicts_with = "no_transform")]
    transform: Option<Vec<String>>,
    /// No transform tasks
    #[arg(long)]
    no_transform: bool,
}

impl TransformArgs {
    fn choice(&self) -> Option<Vec<String>> {
        if self.no_transform { Some(Vec::new()) } else { self.transform.clone() }
    }

    fn given(&self) -> bool {
        self.no_transform || self.transform.is_some()
    }
}

#[derive(Debug, Subcommand)]
pub enum LocksCommand {
    /// Held task locks
    List {
        #[arg(long = "org", value_name = "SLUG")]
        org: Option<String>,
        #[command(flatten)]
        limit: Limit,
    },
    /// Release locks whose run is final or unknown to Prefect, or that never got a run
    ReleaseStale {
        /// Age after which a lock with no flow run is stale (e.g. 30m, 2h, 90s)
        #[arg(long, default_value = "30m", value_parser = super::parse_duration)]
        older_than: Duration,
    },
    /// Release one lock
    Release {
        /// The org task's uuid, as `locks list` shows it (ORG TASK)
        task_uuid: uuid::Uuid,
        #[command(flatten)]
        guard: prompt::Guard,
    },
}

/// Says on stderr which blocks changed or could not be made.
fn note_blocks(ctx: &Context, done: &[BlockOutcome]) {
    for b in done.iter().filter(|b| b.status != BlockStatus::Unchanged) {
        let why = b.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
        ctx.note(format!("prefect block {}: {}{why}", b.name, b.status));
    }
}

fn state_line(fr: &FlowRun) -> String {
    format!("{} ({})", fr.state_name(), fr.state_type())
}

/// A run with its state after a change (cancel, crash, retry).
fn emit_state(ctx: &Context, fr: &FlowRun) -> CmdResult {
    emit(ctx.printer.format, fr, |out| writeln!(out, "{}: {}", fr.id, state_line(fr)))
}

pub async fn run(ctx: &Context, c: PipelineCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    let runs = dalgo.flow_runs();
    match c {
        PipelineCommand::Create(a) => create(ctx, &dalgo, a).await,
        PipelineCommand::List { org, limit } => {
            let rows = limit.cut(dalgo.org(&org).pipelines().list().await?);
            emit(ctx.printer.format, &rows, |out| write_list(out, "pipelines", &list_table(&ctx.printer, &rows)))
        }
        PipelineCommand::Show { name, org } => {
            let d = dalgo.org(&org).pipelines().show(&name).await?;
            emit(ctx.printer.format, &d, |out| write_details(&ctx.printer, out, &d))
        }
        PipelineCommand::Update(a) => update(ctx, &dalgo, a).await,
        PipelineCommand::Blocks { org } => {
            let done = dalgo.org(&org).pipelines().blocks().await?;
            emit(ctx.printer.format, &done, |out| write_table(out, &blocks_table(&ctx.printer, &done)))
        }
        PipelineCommand::Pause { name, org } => {
            let p = dalgo.org(&org).pipelines().set_paused(&name, true).await?;
            emit(ctx.printer.format, &serde_json::json!({ "name": p.name, "paused": true }), |out| {
                writeln!(out, "paused {}", p.name)
            })
        }
        PipelineCommand::Resume { name, org } => {
            let p = dalgo.org(&org).pipelines().set_paused(&name, false).await?;
            emit(ctx.printer.format, &serde_json::json!({ "name": p.name, "paused": false }), |out| {
                writeln!(out, "resumed {}", p.name)
            })
        }
        PipelineCommand::Delete { name, org, guard } => {
            let pipelines = dalgo.org(&org).pipelines();
            let p = pipelines.find(&name).await?;
            if !guard.proceed(ctx, &format!("delete pipeline {} of {org} and its deployment", p.name))? {
                return Ok(ExitStatus::Success);
            }
            let p = pipelines.delete(&name).await?;
            emit(ctx.printer.format, &p, |out| writeln!(out, "deleted pipeline {}", p.name))
        }
        PipelineCommand::Run(a) => run_now(ctx, &dalgo, a).await,
        PipelineCommand::Reschedule(a) => reschedule(ctx, &dalgo, a).await,
        PipelineCommand::History { name, org, limit } => {
            let history = dalgo.org(&org).pipelines().history(&name, limit).await?;
            emit(ctx.printer.format, &history, |out| write_list(out, "runs", &runs_table(&ctx.printer, &history)))
        }
        PipelineCommand::Logs(a) => logs(ctx, &dalgo, a).await,
        PipelineCommand::Cancel { flow_run_id } => emit_state(ctx, &runs.cancel(&flow_run_id).await?),
        PipelineCommand::Crash { flow_run_id, guard } => {
            if !guard.proceed(ctx, &format!("mark flow run {flow_run_id} and the subflows under it CRASHED"))? {
                return Ok(ExitStatus::Success);
            }
            emit_state(ctx, &runs.crash(&flow_run_id).await?)
        }
        PipelineCommand::Retry { flow_run_id } => emit_state(ctx, &runs.retry(&flow_run_id).await?),
        PipelineCommand::SyncRuns(a) => sync_runs(ctx, &dalgo, a).await,
    }
}

/// `pipeline run`: starts the run and, with --wait or --follow, follows it
/// to its end, whose state is the exit status.
async fn run_now(ctx: &Context, dalgo: &Dalgo, a: RunArgs) -> CmdResult {
    let interrupt = super::on_signal(&[super::Signal::Interrupt], Some(super::STOP_GRACE))?;
    let started = dalgo.org(&a.org).pipelines().run(&a.name, RunOptions { require_worker: a.require_worker }).await?;
    if !(a.wait || a.follow) {
        return emit(ctx.printer.format, &started, |out| {
            writeln!(
                out,
                "started {} as flow run {} ({})",
                started.pipeline, started.flow_run_id, started.flow_run_name
            )
        });
    }
    ctx.note(format!("started {} as flow run {}", started.pipeline, started.flow_run_id));
    let runs = dalgo.flow_runs();
    if let (Some(pool), Some(queue), false) = (&started.work_pool, &started.work_queue, a.require_worker)
        && let Some(reason) = runs.no_worker(pool, queue).await?
    {
        let start = super::next_step::hint(&NextStep::StartWorker { pool: pool.clone(), queue: queue.clone() });
        ctx.note(format!("warning: {reason}: the run stays Scheduled until a worker takes it; {start}"));
    }
    let (id, poll) = (started.flow_run_id.as_str(), a.poll_interval);
    let spinner = (!a.follow && !ctx.quiet && std::io::stderr().is_terminal()).then(spinner);
    let on_state = |fr: &FlowRun| match &spinner {
        Some(s) => s.set_message(state_line(fr)),
        None => ctx.note(format!("{}: {}", fr.id, state_line(fr))),
    };
    let waited = async {
        if a.follow {
            stream_logs(ctx, runs.logs(id, true, poll)?).await?;
        }
        Ok::<_, anyhow::Error>(runs.wait(id, poll, &on_state).await?)
    };
    let outcome = tokio::select! {
        outcome = waited => outcome,
        () = interrupt => Err(anyhow::Error::new(Interrupted)),
    };
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let outcome = match outcome {
        Err(e) if e.is::<Interrupted>() => return interrupted(ctx, dalgo, id, poll, a.cancel_on_interrupt).await,
        other => other?,
    };
    if a.follow && ctx.printer.format == super::output::Format::Json {
        write_ndjson(std::slice::from_ref(&outcome))?;
    } else {
        emit(ctx.printer.format, &outcome, |out| {
            writeln!(out, "{}: {} ({})", outcome.flow_run_id, outcome.state_name, outcome.state_type)
        })?;
    }
    if outcome.dbt_test_failed {
        ctx.note("error: the run completed but its dbt tests failed (DBT_TEST_FAILED)");
    }
    Ok(ExitStatus::from_ok(outcome.succeeded()))
}

/// `pipeline reschedule`: one line per pipeline; a resume that failed is an
/// error naming the command that finishes it (exit 1).
async fn reschedule(ctx: &Context, dalgo: &Dalgo, a: RescheduleArgs) -> CmdResult {
    let done = dalgo.org(&a.org).pipelines().reschedule(&a.names).await?;
    emit(ctx.printer.format, &done, |out| {
        for r in &done {
            match &r.step {
                Step::Done => writeln!(out, "rescheduled {}", r.name)?,
                Step::Skipped { reason } => writeln!(out, "left {}: {reason}", r.name)?,
                Step::Failed { .. } => {}
            }
        }
        Ok(())
    })?;
    let mut failed = false;
    for r in &done {
        if let Step::Failed { error, finish_with, .. } = &r.step {
            failed = true;
            eprintln!("error: {} was not rescheduled: {error}", r.name);
            eprintln!("hint: run `{}`", super::next_step::command(finish_with));
        }
    }
    Ok(ExitStatus::from_ok(!failed))
}

/// Ctrl-C came while `pipeline run` waited.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
struct Interrupted;

/// A spinner on stderr showing how long the wait has taken.
fn spinner() -> ProgressBar {
    let s = ProgressBar::new_spinner();
    s.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    s.enable_steady_tick(Duration::from_millis(120));
    s
}

fn list_table(p: &Printer, rows: &[pipeline::Summary]) -> comfy_table::Table {
    p.table(
        &["NAME", "SCHEDULE", "STATUS", "LAST RUN", "AT", "NEXT RUN"],
        rows.iter().map(|r| {
            [
                r.name.clone(),
                r.cron.clone().unwrap_or_else(|| "-".into()),
                r.status.to_string(),
                r.last_run_state.clone().unwrap_or_else(|| "-".into()),
                r.last_run_at.as_ref().map_or("-".into(), |t| p.when(t)),
                r.next_run_at.as_ref().map_or("-".into(), |t| p.when(t)),
            ]
        }),
    )
}

/// `pipeline show`: the pipeline, its tasks, its recent runs.
fn write_details(p: &Printer, out: &mut dyn std::io::Write, d: &pipeline::Details) -> std::io::Result<()> {
    let pool = format!("{} / {}", d.work_pool.clone().unwrap_or_default(), d.work_queue.clone().unwrap_or_default());
    let rows = [
        ("name", d.pipeline.name.clone()),
        ("deployment", d.pipeline.deployment_id.clone().unwrap_or("-".into())),
        ("schedule", d.pipeline.cron.clone().unwrap_or("-".into())),
        ("paused", d.paused.map_or("(deployment missing)".into(), yes_no)),
        ("work pool", pool),
    ];
    write_table(out, &fields(&rows))?;
    let t = p.table(
        &["SEQ", "TASK", "CONNECTION", "ORG TASK"],
        d.tasks.iter().map(|t| {
            [
                t.seq.to_string(),
                t.slug.clone(),
                t.connection_id.clone().unwrap_or_default(),
                t.org_task_uuid.to_string(),
            ]
        }),
    );
    write_table(out, &t)?;
    write_table(out, &runs_table(p, &d.runs))
}

fn blocks_table(p: &Printer, done: &[BlockOutcome]) -> comfy_table::Table {
    p.table(
        &["BLOCK", "TYPE", "STATUS", "REASON"],
        done.iter().map(|b| {
            [b.name.clone(), b.block_type.to_string(), b.status.to_string(), b.reason.clone().unwrap_or_default()]
        }),
    )
}

fn runs_table(p: &Printer, runs: &[pipeline::RunRecord]) -> comfy_table::Table {
    p.table(
        &["FLOW RUN", "NAME", "STATE", "STARTED", "ENDED"],
        runs.iter().map(|r| {
            [
                r.flow_run_id.clone(),
                r.name.clone(),
                format!("{} ({})", r.state_name, r.state_type),
                r.start_time.or(r.expected_start_time).as_ref().map_or("-".into(), |t| p.when(t)),
                r.end_time.as_ref().map_or("-".into(), |t| p.when(t)),
            ]
        }),
    )
}

/// Prints a log stream's lines as they come: text lines, or with `-o json`
/// NDJSON while following and one array otherwise.
async fn stream_logs(ctx: &Context, mut stream: pipeline::LogStream<'_>) -> CmdResult {
    let json = ctx.printer.format == super::output::Format::Json;
    if json && !stream.follows() {
        let lines = stream.next().await?.unwrap_or_default();
        return emit(ctx.printer.format, &lines, |_| Ok(()));
    }
    while let Some(lines) = stream.next().await? {
        if json {
            write_ndjson(&lines)?;
        } else {
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for l in &lines {
                let time = l.timestamp.format("%H:%M:%S%.3f");
                writeln!(out, "{time} {:>5} [{}] {}", level(l.level), l.task, l.message)?;
            }
            out.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Ctrl-C while waiting: the run goes on in Prefect, and the operator is
/// told how to follow or cancel it; with `cancel`, it is cancelled and
/// followed until the cancellation is final (a second Ctrl-C stops that).
async fn interrupted(ctx: &Context, dalgo: &Dalgo, id: &str, poll: Duration, cancel: bool) -> CmdResult {
    if !cancel {
        ctx.note(format!(
            "interrupted: flow run {id} goes on in Prefect; follow it with `dalgo pipeline logs {id} --follow`, \
             cancel it with `dalgo pipeline cancel {id}`"
        ));
        return Ok(ExitStatus::Interrupted);
    }
    ctx.note(format!("interrupted: cancelling flow run {id}"));
    let runs = dalgo.flow_runs();
    runs.cancel(id).await?;
    tokio::select! {
        outcome = runs.wait(id, poll, &|_| {}) => {
            let outcome = outcome?;
            ctx.note(format!("flow run {id} is {} ({})", outcome.state_name, outcome.state_type));
        }
        () = super::on_signal(&[super::Signal::Interrupt], Some(super::STOP_GRACE))? => {
            ctx.note(format!("flow run {id} is cancelling; `dalgo pipeline history` shows when it is over"));
        }
    }
    Ok(ExitStatus::Interrupted)
}

fn level(n: i64) -> &'static str {
    match n {
        n if n >= 40 => "ERROR",
        n if n >= 30 => "WARN",
        n if n >= 20 => "INFO",
        _ => "DEBUG",
    }
}

pub async fn locks(ctx: &Context, c: LocksCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    let locks = dalgo.locks();
    let rows = match c {
        LocksCommand::List { org, limit } => limit.cut(locks.list(org.as_deref()).await?),
        LocksCommand::ReleaseStale { older_than } => locks.release_stale(older_than).await?,
        LocksCommand::Release { task_uuid, guard } => {
            let lock = locks.find(task_uuid).await?;
            let action = format!("release the lock on {} of {} held by {}", lock.task, lock.org, lock.locked_by);
            if !guard.proceed(ctx, &action)? {
                return Ok(ExitStatus::Success);
            }
            vec![locks.release(task_uuid).await?]
        }
    };
    let header = ["ORG", "TASK", "ORG TASK", "LOCKED BY", "SINCE", "FLOW RUN", "RUN STATE", "PIPELINE", "WHY RELEASED"];
    let cells = |l: &&pipeline::LockRow| {
        vec![
            l.org.clone(),
            l.task.clone(),
            l.org_task_uuid.to_string(),
            l.locked_by.clone(),
            ctx.printer.when(&l.locked_at),
            l.flow_run_id.clone().unwrap_or_else(|| "-".into()),
            l.run_state.clone().unwrap_or_else(|| "-".into()),
            l.pipeline.clone().unwrap_or_else(|| "-".into()),
            l.reason.clone().unwrap_or_default(),
        ]
    };
    emit_stream(&ctx.printer, futures_util::stream::iter(rows.iter().map(Ok)), &header, "locks", cells).await
}

async fn create(
    ctx: &Context,
    dalgo: &Dalgo,
    CreateArgs { org, name, connections, transform, cron, continue_on_sync_failure }: CreateArgs,
) -> CmdResult {
    let spec = PipelineSpec {
        name,
        tasks: TaskChoice { connections, transform: transform.choice() },
        cron,
        continue_on_sync_failure,
    };
    let r = dalgo.org(&org).pipelines().create(spec).await?;
    note_blocks(ctx, &r.blocks);
    let p = &r.pipeline;
    emit(ctx.printer.format, &r, |out| {
        writeln!(out, "created pipeline {} (deployment {})", p.name, p.deployment_id.clone().unwrap_or_default())
    })
}

async fn update(
    ctx: &Context,
    dalgo: &Dalgo,
    UpdateArgs { name, org, connections, transform, cron, no_schedule }: UpdateArgs,
) -> CmdResult {
    let tasks = (!connections.is_empty() || transform.given())
        .then(|| TaskChoice { connections, transform: transform.choice() });
    let ch = PipelineChanges {
        tasks,
        cron: if no_schedule { Some(None) } else { cron.map(Some) },
        continue_on_sync_failure: None,
    };
    let r = dalgo.org(&org).pipelines().update(&name, &ch).await?;
    note_blocks(ctx, &r.blocks);
    let p = &r.pipeline;
    emit(ctx.printer.format, &r, |out| {
        writeln!(out, "updated pipeline {} (schedule {})", p.name, p.cron.clone().unwrap_or("none".into()))
    })
}

async fn sync_runs(ctx: &Context, dalgo: &Dalgo, SyncRunsArgs { org, lookback_hours }: SyncRunsArgs) -> CmdResult {
    let runs = dalgo.flow_runs();
    let lookback = Duration::from_secs(u64::from(lookback_hours) * 3600);
    let r = runs.sync(org.as_deref(), lookback).await?;
    emit(ctx.printer.format, &r, |out| {
        writeln!(
            out,
            "{} runs of {} deployments recorded; {} locks released",
            r.runs_seen, r.deployments, r.locks_released
        )
    })
}

async fn logs(ctx: &Context, dalgo: &Dalgo, LogsArgs { flow_run_id, last, org, follow }: LogsArgs) -> CmdResult {
    let runs = dalgo.flow_runs();
    let flow_run_id = match (last, org) {
        (true, Some(org)) => dalgo.org(&org).pipelines().last_run(&flow_run_id).await?.flow_run_id,
        _ => flow_run_id,
    };
    let stream = runs.logs(&flow_run_id, follow, Duration::from_secs(2))?;
    stream_logs(ctx, stream).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::testing::{at, text};
    use crate::cli::output::{Format, Printer};
    use dalgo::model::pipeline::{BlockType, PipelineStatus, StateType};

    #[test]
    fn pipeline_list_renders() {
        let rows = vec![
            pipeline::Summary {
                name: "nightly".into(),
                deployment_id: Some("0b9c7d2e-1111-4a4a-9b9b-222233334444".into()),
                cron: Some("0 2 * * *".into()),
                status: PipelineStatus::Active,
                last_run_state: Some("DBT_TEST_FAILED (COMPLETED)".into()),
                last_run_at: Some(at(2)),
                next_run_at: Some(at(2) + chrono::Duration::days(1)),
            },
            pipeline::Summary {
                name: "by hand".into(),
                deployment_id: None,
                cron: None,
                status: PipelineStatus::Manual,
                last_run_state: None,
                last_run_at: None,
                next_run_at: None,
            },
        ];
        let p = Printer::plain(Format::Table);
        insta::assert_snapshot!(
            "pipeline_list_table",
            text(|out| write_list(out, "pipelines", &list_table(&p, &rows)))
        );
        insta::assert_json_snapshot!("pipeline_list_json", rows);
    }

    #[test]
    fn pipeline_runs_render() {
        let runs = vec![pipeline::RunRecord {
            flow_run_id: "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b".into(),
            name: "crimson-otter".into(),
            state_type: StateType::Completed,
            state_name: "DBT_TEST_FAILED".into(),
            start_time: Some(at(2)),
            expected_start_time: Some(at(2)),
            end_time: Some(at(3)),
            total_run_time: 3600.0,
        }];
        let p = Printer::plain(Format::Table);
        insta::assert_snapshot!("pipeline_runs_table", text(|out| write_table(out, &runs_table(&p, &runs))));
        insta::assert_json_snapshot!("pipeline_runs_json", runs);
    }

    #[test]
    fn pipeline_blocks_render() {
        let done = vec![
            BlockOutcome {
                name: "acme-ngo-airbyte-server".into(),
                block_type: BlockType::AirbyteServer,
                status: BlockStatus::Skipped,
                reason: Some("Airbyte is not configured".into()),
            },
            BlockOutcome {
                name: "dbt-profile-acme-ngo".into(),
                block_type: BlockType::Secret,
                status: BlockStatus::Created,
                reason: None,
            },
        ];
        let p = Printer::plain(Format::Table);
        insta::assert_snapshot!("pipeline_blocks_table", text(|out| write_table(out, &blocks_table(&p, &done))));
        insta::assert_json_snapshot!("pipeline_blocks_json", done);
    }
}
