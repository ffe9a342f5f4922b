//! `dalgo airbyte`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::Value;

use super::output::{CliError, CmdResult, ExitStatus, Limit, Printer, emit, fields, write_list, write_table, yes_no};
use super::warehouse::read_input;
use super::{Context, prompt};
use dalgo::ErrorKind;
use dalgo::model::airbyte::{
    self, Actor, ConnectionChanges, ConnectionSpec, DestinationSyncMode, JobStatus, StreamSelection, SyncEvent,
    SyncMode, SyncOptions,
};
use dalgo::ops::{AirbyteLogin, Dalgo};

#[derive(Debug, Subcommand)]
pub enum AirbyteCommand {
    /// Is the server reachable, which version, are our credentials accepted
    Health,
    /// Store Airbyte credentials in the OS keyring (interactive use; cron uses the environment or files)
    Login(LoginArgs),
    /// An org's Airbyte workspace
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// The source connectors available to an org
    SourceDefinitions(OrgList),
    /// The destination connectors available to an org
    DestinationDefinitions(OrgList),
    /// An org's sources
    #[command(subcommand)]
    Sources(ActorCommand),
    /// An org's destinations
    #[command(subcommand)]
    Destinations(ActorCommand),
    /// An org's connections (source → destination)
    #[command(subcommand)]
    Connections(ConnectionCommand),
    /// Sync one connection, or all of an org's, and optionally wait for the jobs
    Sync(SyncArgs),
    /// Reset a connection (clear its synced data)
    Reset {
        /// The connection's id
        connection_id: String,
        #[command(flatten)]
        org: OrgArg,
        #[command(flatten)]
        guard: prompt::Guard,
    },
    /// Airbyte jobs: history, details, logs, cancelling
    #[command(subcommand)]
    Jobs(JobsCommand),
}

#[derive(Debug, Args)]
pub struct OrgArg {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    pub slug: String,
}

/// A list of one org's things.
#[derive(Debug, Args)]
pub struct OrgList {
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    limit: Limit,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("credentials").required(true).args(["client_id", "token_stdin", "username"])))]
pub struct LoginArgs {
    /// Application client id (abctl: `abctl local credentials`); the secret is read from stdin
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// Read a Basic token (base64 of user:password) from stdin
    #[arg(long)]
    token_stdin: bool,
    /// Basic-auth user; the password is read from stdin
    #[arg(long, value_name = "USER")]
    username: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create the org's workspace (named after its slug) unless it has one
    Create(OrgArg),
    /// The org's workspace
    Show(OrgArg),
    /// Delete the org's workspace with its sources, destinations and connections
    Delete {
        #[command(flatten)]
        org: OrgArg,
        #[command(flatten)]
        guard: prompt::Guard,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActorCommand {
    /// All of the org's
    List(OrgList),
    /// One, with its config (secrets masked by Airbyte)
    Show {
        id: String,
        #[command(flatten)]
        org: OrgArg,
    },
    /// Create one; the config is checked against the connector's specification first
    Create {
        #[command(flatten)]
        org: OrgArg,
        #[arg(long, value_parser = super::not_blank)]
        name: String,
        /// The connector definition, by name (e.g. Postgres) or id
        #[arg(long, value_name = "NAME_OR_ID")]
        definition: String,
        /// The config, YAML or JSON; - reads stdin
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Replace one's config (and optionally its name)
    Update {
        id: String,
        #[command(flatten)]
        org: OrgArg,
        #[arg(long, value_parser = super::not_blank)]
        name: Option<String>,
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Test one's connection
    Check {
        id: String,
        #[command(flatten)]
        org: OrgArg,
    },
    /// A source's streams and their sync modes (sources only)
    Discover {
        id: String,
        #[command(flatten)]
        org: OrgArg,
    },
    /// Delete one
    Delete {
        id: String,
        #[command(flatten)]
        org: OrgArg,
        #[command(flatten)]
        guard: prompt::Guard,
    },
}

#[derive(Debug, Args)]
pub struct StreamArgs {
    /// A stream to sync (repeat); default: every stream
    #[arg(long = "stream", value_name = "NAME")]
    streams: Vec<String>,
    #[arg(long, default_value = "full_refresh", value_parser = super::one_of::<SyncMode>())]
    sync_mode: SyncMode,
    #[arg(long, default_value = "overwrite", value_parser = super::one_of::<DestinationSyncMode>())]
    destination_sync_mode: DestinationSyncMode,
}

impl StreamArgs {
    fn selection(self) -> StreamSelection {
        StreamSelection {
            streams: self.streams,
            sync_mode: self.sync_mode,
            destination_sync_mode: self.destination_sync_mode,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    List(OrgList),
    Show {
        id: String,
        #[command(flatten)]
        org: OrgArg,
    },
    /// Create a connection from a freshly discovered catalog
    Create {
        #[command(flatten)]
        org: OrgArg,
        #[arg(long, value_name = "SOURCE_ID")]
        source: String,
        /// Default: the org's warehouse destination
        #[arg(long, value_name = "DESTINATION_ID")]
        destination: Option<String>,
        #[arg(long, value_parser = super::not_blank)]
        name: Option<String>,
        #[command(flatten)]
        streams: StreamArgs,
        /// Write into this namespace (schema) of the destination
        #[arg(long)]
        namespace: Option<String>,
        /// Sync on this cron schedule, in UTC: 5 fields as pipelines take (e.g. "0 2 * * *"), or Quartz's
        /// 6 or 7; default: manual syncs only
        #[arg(long, value_name = "CRON")]
        schedule: Option<String>,
    },
    /// Change a connection; what is not given stays as it is
    Update(ConnectionUpdateArgs),
    Delete {
        id: String,
        #[command(flatten)]
        org: OrgArg,
        #[command(flatten)]
        guard: prompt::Guard,
    },
}

/// `connections update`'s arguments.
#[derive(Debug, Args)]
pub struct ConnectionUpdateArgs {
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[arg(long, value_parser = super::not_blank)]
    name: Option<String>,
    /// Re-discover and select these streams (repeat)
    #[arg(long = "stream", value_name = "NAME")]
    streams: Vec<String>,
    #[arg(long, value_parser = super::one_of::<SyncMode>())]
    sync_mode: Option<SyncMode>,
    #[arg(long)]
    namespace: Option<String>,
    #[arg(long, value_name = "CRON", conflicts_with = "no_schedule")]
    schedule: Option<String>,
    /// Manual syncs only
    #[arg(long)]
    no_schedule: bool,
    #[arg(long, conflicts_with = "disable")]
    enable: bool,
    #[arg(long)]
    disable: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["connection_id", "all"])))]
#[command(after_help = "Exit 0 when every job succeeded; 1 when any failed or was cancelled; 75 when a sync was \
already running. Without --wait, dalgo only triggers the jobs.")]
pub struct SyncArgs {
    connection_id: Option<String>,
    /// Every active connection of the org
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    org: OrgArg,
    /// Follow the jobs to their end
    #[arg(long)]
    wait: bool,
    /// How many connections to sync at once with --all
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Seconds between status checks while waiting
    #[arg(long, default_value = "5", value_name = "SECS", allow_negative_numbers = true, value_parser = super::parse_interval)]
    poll_interval: Duration,
    /// On Ctrl-C, cancel the jobs instead of only stopping to wait
    #[arg(long, requires = "wait")]
    cancel_on_interrupt: bool,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Jobs dalgo triggered or watched for the org (newest first)
    List {
        #[command(flatten)]
        org: OrgArg,
        #[arg(long, value_name = "CONNECTION_ID")]
        connection: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// One job as Airbyte reports it now
    Show {
        job_id: i64,
        #[command(flatten)]
        org: OrgArg,
    },
    /// Every attempt's logs
    Logs {
        job_id: i64,
        #[command(flatten)]
        org: OrgArg,
    },
    Cancel {
        job_id: i64,
        #[command(flatten)]
        org: OrgArg,
    },
}

pub async fn run(ctx: &Context, c: AirbyteCommand) -> CmdResult {
    let cfg = ctx.config()?;
    if let AirbyteCommand::Login(a) = c {
        return login(ctx, a);
    }
    if let AirbyteCommand::Health = c {
        let h = Dalgo::airbyte_health(&cfg).await?;
        return emit(ctx.printer.format, &h, |out| {
            let rows = [
                ("url", h.url.clone()),
                ("available", yes_no(h.available)),
                ("version", h.version.clone().unwrap_or("-".into())),
                ("auth", h.auth.to_string()),
            ];
            write_table(out, &fields(&rows))
        });
    }
    let dalgo = Dalgo::connect(cfg).await?;
    let d = &dalgo;
    match c {
        AirbyteCommand::Workspace(w) => workspace(ctx, d, w).await,
        AirbyteCommand::SourceDefinitions(o) => definitions(ctx, d, Actor::Source, o).await,
        AirbyteCommand::DestinationDefinitions(o) => definitions(ctx, d, Actor::Destination, o).await,
        AirbyteCommand::Sources(a) => actors(ctx, d, Actor::Source, a).await,
        AirbyteCommand::Destinations(a) => actors(ctx, d, Actor::Destination, a).await,
        AirbyteCommand::Connections(a) => connections(ctx, d, a).await,
        AirbyteCommand::Sync(a) => sync(ctx, d, a).await,
        AirbyteCommand::Reset { connection_id, org, guard } => {
            let oa = d.org(&org.slug).airbyte().await?;
            let conn = oa.connection(&connection_id).await?;
            let action = format!("reset connection {} ({connection_id}), clearing its synced data", conn.name);
            if !guard.proceed(ctx, &action)? {
                return Ok(ExitStatus::Success);
            }
            let job = oa.reset(&connection_id).await?;
            emit(ctx.printer.format, &job, |out| writeln!(out, "reset of {connection_id} started: job {}", job.id))
        }
        AirbyteCommand::Jobs(j) => jobs(ctx, d, j).await,
        AirbyteCommand::Health | AirbyteCommand::Login(_) => unreachable!("handled above"),
    }
}

fn login(ctx: &Context, a: LoginArgs) -> CmdResult {
    let label = match (&a.client_id, &a.username) {
        (Some(id), _) => format!("Airbyte client secret for {id}"),
        (None, Some(user)) => format!("Airbyte password for {user}"),
        (None, None) => "Airbyte API token".to_string(),
    };
    // At a terminal the secret is asked for without echo, never read as typed.
    let secret = if prompt::stdin_is_terminal() {
        prompt::hidden(ctx, &label, "pipe the secret in on stdin, e.g. `abctl local credentials`")?
    } else {
        read_input(std::path::Path::new("-"))?
    };
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(CliError::usage(
            "nothing was read from stdin",
            "pipe the secret in, e.g. `abctl local credentials`",
        )
        .into());
    }
    let secret = secrecy::SecretString::from(secret.to_string());
    let login = match (a.client_id, a.username) {
        (Some(id), _) => AirbyteLogin::Client { id, secret },
        (None, Some(username)) => AirbyteLogin::User { username, password: secret },
        (None, None) => AirbyteLogin::Token(secret),
    };
    let stored = Dalgo::airbyte_login(login)?;
    let body = serde_json::json!({ "stored": stored });
    emit(ctx.printer.format, &body, |out| {
        writeln!(out, "stored Airbyte credentials in the OS keyring ({})", stored.join(", "))
    })
}

async fn workspace(ctx: &Context, d: &Dalgo, w: WorkspaceCommand) -> CmdResult {
    match w {
        WorkspaceCommand::Create(o) => {
            let (ws, created) = d.org(&o.slug).create_airbyte_workspace().await?;
            let body = serde_json::json!({ "org": o.slug, "workspace_id": ws.workspace_id, "name": ws.name, "created": created });
            emit(ctx.printer.format, &body, |out| {
                let verb = if created { "created" } else { "exists:" };
                writeln!(out, "{verb} workspace {} ({}) for {}", ws.workspace_id, ws.name, o.slug)
            })
        }
        WorkspaceCommand::Show(o) => {
            let ws = d.org(&o.slug).airbyte().await?.workspace().await?;
            emit(ctx.printer.format, &ws, |out| {
                write_table(
                    out,
                    &fields(&[
                        ("org", o.slug.clone()),
                        ("workspace", ws.workspace_id.clone()),
                        ("name", ws.name.clone()),
                    ]),
                )
            })
        }
        WorkspaceCommand::Delete { org, guard } => {
            let Some(id) = d.org(&org.slug).get().await?.airbyte_workspace_id else {
                let body = serde_json::json!({ "org": org.slug, "deleted_workspace": null });
                return emit(ctx.printer.format, &body, |out| {
                    writeln!(out, "{} has no Airbyte workspace; nothing to do", org.slug)
                });
            };
            let action = format!("delete Airbyte workspace {id} of {} with all its sources and connections", org.slug);
            if !guard.proceed(ctx, &action)? {
                return Ok(ExitStatus::Success);
            }
            let deleted = d.org(&org.slug).delete_airbyte_workspace().await?;
            let body = serde_json::json!({ "org": org.slug, "deleted_workspace": deleted });
            emit(ctx.printer.format, &body, |out| match &deleted {
                Some(id) => writeln!(out, "deleted workspace {id} of {}", org.slug),
                None => writeln!(out, "{} has no Airbyte workspace; nothing to do", org.slug),
            })
        }
    }
}

async fn definitions(ctx: &Context, d: &Dalgo, actor: Actor, o: OrgList) -> CmdResult {
    let defs = o.limit.cut(d.org(&o.org.slug).airbyte().await?.definitions(actor).await?);
    emit(ctx.printer.format, &defs, |out| {
        let t = ctx.printer.table(
            &["NAME", "ID", "IMAGE"],
            defs.iter()
                .map(|d| [d.name.clone(), d.id.clone(), format!("{}:{}", d.docker_repository, d.docker_image_tag)]),
        );
        write_list(out, "connector definitions", &t)
    })
}

fn parse_json_or_yaml(path: &std::path::Path) -> anyhow::Result<Value> {
    Ok(Value::Object(dalgo::document::parse_object(&read_input(path)?, "config")?))
}

async fn actors(ctx: &Context, d: &Dalgo, actor: Actor, cmd: ActorCommand) -> CmdResult {
    let noun = actor.noun();
    match cmd {
        ActorCommand::List(o) => {
            let items = o.limit.cut(d.org(&o.org.slug).airbyte().await?.actors(actor).await?);
            emit(ctx.printer.format, &items, |out| {
                let t = ctx.printer.table(
                    &["NAME", "ID", "CONNECTOR"],
                    items.iter().map(|i| [i.name.clone(), i.id.clone(), i.connector.clone()]),
                );
                write_list(out, &format!("{noun}s"), &t)
            })
        }
        ActorCommand::Show { id, org } => {
            let r = d.org(&org.slug).airbyte().await?.actor(actor, &id).await?;
            emit(ctx.printer.format, &r, |out| write_actor(out, &r))
        }
        ActorCommand::Create { org, name, definition, config } => {
            let config = parse_json_or_yaml(&config)?;
            let r = d.org(&org.slug).airbyte().await?.create_actor(actor, &name, &definition, &config).await?;
            emit(ctx.printer.format, &r, |out| writeln!(out, "created {noun} {} ({}, {})", r.name, r.id, r.connector))
        }
        ActorCommand::Update { id, org, name, config } => {
            let config = parse_json_or_yaml(&config)?;
            let r = d.org(&org.slug).airbyte().await?.update_actor(actor, &id, name.as_deref(), &config).await?;
            emit(ctx.printer.format, &r, |out| writeln!(out, "updated {noun} {} ({})", r.name, r.id))
        }
        ActorCommand::Check { id, org } => {
            let r = d.org(&org.slug).airbyte().await?.check(actor, &id).await?;
            emit(ctx.printer.format, &r, |out| {
                writeln!(
                    out,
                    "{noun} {id}: {:?}{}",
                    r.status,
                    r.message.as_ref().map(|m| format!(": {m}")).unwrap_or_default()
                )
            })?;
            Ok(ExitStatus::from_ok(r.status == airbyte::CheckStatus::Succeeded))
        }
        ActorCommand::Discover { id, org } => {
            if actor != Actor::Source {
                let hint = "dalgo airbyte sources discover ID --org SLUG";
                return Err(CliError::usage("only sources can be discovered", hint).into());
            }
            let streams = d.org(&org.slug).airbyte().await?.discover(&id).await?;
            emit(ctx.printer.format, &streams, |out| write_table(out, &streams_table(&ctx.printer, &streams)))
        }
        ActorCommand::Delete { id, org, guard } => {
            let oa = d.org(&org.slug).airbyte().await?;
            let a = oa.actor(actor, &id).await?;
            if !guard.proceed(ctx, &format!("delete {noun} {} ({id})", a.name))? {
                return Ok(ExitStatus::Success);
            }
            oa.delete_actor(actor, &id).await?;
            let body = serde_json::json!({ "id": id, "deleted": true });
            emit(ctx.printer.format, &body, |out| writeln!(out, "deleted {noun} {id}"))
        }
    }
}

/// A source or destination with its (masked) config.
fn write_actor(out: &mut dyn std::io::Write, r: &airbyte::ActorRead) -> std::io::Result<()> {
    let cfg = serde_json::to_string_pretty(&r.configuration).unwrap_or_default();
    let rows = [("name", r.name.clone()), ("id", r.id.clone()), ("connector", r.connector.clone()), ("config", cfg)];
    write_table(out, &fields(&rows))
}

/// The streams a source offers.
fn streams_table(p: &Printer, streams: &[airbyte::StreamInfo]) -> comfy_table::Table {
    p.table(
        &["STREAM", "NAMESPACE", "SYNC MODES"],
        streams
            .iter()
            .map(|s| [s.name.clone(), s.namespace.clone().unwrap_or_default(), s.supported_sync_modes.join(", ")]),
    )
}

fn connection_table(p: &Printer, conns: &[airbyte::Connection]) -> comfy_table::Table {
    p.table(
        &["NAME", "ID", "STATUS", "SCHEDULE", "STREAMS"],
        conns.iter().map(|c| {
            [
                c.name.clone(),
                c.connection_id.clone(),
                format!("{:?}", c.status).to_lowercase(),
                c.schedule_type.clone().unwrap_or_else(|| "manual".into()),
                c.selected_streams().join(", "),
            ]
        }),
    )
}

async fn connections(ctx: &Context, d: &Dalgo, cmd: ConnectionCommand) -> CmdResult {
    match cmd {
        ConnectionCommand::List(o) => {
            let conns = o.limit.cut(d.org(&o.org.slug).airbyte().await?.connections().await?);
            emit(ctx.printer.format, &conns, |out| {
                write_list(out, "connections", &connection_table(&ctx.printer, &conns))
            })
        }
        ConnectionCommand::Show { id, org } => {
            let conn = d.org(&org.slug).airbyte().await?.connection(&id).await?;
            emit(ctx.printer.format, &conn, |out| {
                write_table(out, &connection_table(&ctx.printer, std::slice::from_ref(&conn)))
            })
        }
        ConnectionCommand::Create { org, source, destination, name, streams, namespace, schedule } => {
            let spec = ConnectionSpec {
                name,
                source_id: source,
                destination_id: String::new(),
                streams: streams.selection(),
                namespace,
                cron: schedule,
            };
            let conn = d.org(&org.slug).airbyte().await?.create_connection(spec, destination).await?;
            emit(ctx.printer.format, &conn, |out| {
                writeln!(out, "created connection {} ({})", conn.name, conn.connection_id)
            })
        }
        ConnectionCommand::Update(a) => update_connection(ctx, d, a).await,
        ConnectionCommand::Delete { id, org, guard } => {
            let oa = d.org(&org.slug).airbyte().await?;
            let conn = oa.connection(&id).await?;
            if !guard.proceed(ctx, &format!("delete connection {} ({id})", conn.name))? {
                return Ok(ExitStatus::Success);
            }
            oa.delete_connection(&id).await?;
            let body = serde_json::json!({ "id": id, "deleted": true });
            emit(ctx.printer.format, &body, |out| writeln!(out, "deleted connection {id}"))
        }
    }
}

/// Shows sync progress: bars on a terminal, one line per change otherwise.
struct Progress {
    /// Spinners on a terminal that can draw them; else one line per state change.
    bars: Option<(MultiProgress, RefCell<HashMap<String, ProgressBar>>)>,
    /// Each connection's last status, for the plain lines.
    last: RefCell<HashMap<String, &'static str>>,
    /// Connection names by id, for the labels.
    names: HashMap<String, String>,
    quiet: bool,
    started: Instant,
}

impl Progress {
    fn new(ctx: &Context, names: HashMap<String, String>) -> Progress {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let fancy = !ctx.quiet && !dumb && std::io::stderr().is_terminal();
        Progress {
            bars: fancy.then(|| (MultiProgress::new(), RefCell::new(HashMap::new()))),
            last: RefCell::new(HashMap::new()),
            names,
            quiet: ctx.quiet,
            started: Instant::now(),
        }
    }

    fn label(&self, id: &str) -> String {
        self.names.get(id).map_or_else(|| id.to_string(), |name| format!("{name} ({id})"))
    }

    fn event(&self, e: &SyncEvent) {
        let (conn, state, line) = match e {
            SyncEvent::Started { connection, job } => (connection, "started", format!("job {job} started")),
            SyncEvent::Progress { connection, job, status, records, bytes } => (
                connection,
                status.as_str(),
                format!("job {job} {} {records} records, {}", status.as_str(), human_bytes(*bytes)),
            ),
            SyncEvent::Failed { connection, error } => (connection, "failed", format!("failed: {error}")),
        };
        let Some((multi, bars)) = &self.bars else {
            // One line per state change, not per poll.
            let changed = self.last.borrow_mut().insert(conn.clone(), state) != Some(state);
            if changed && !self.quiet {
                eprintln!("{:>6.1}s {}: {line}", self.started.elapsed().as_secs_f64(), self.label(conn));
            }
            return;
        };
        let mut bars = bars.borrow_mut();
        let bar = bars.entry(conn.clone()).or_insert_with(|| {
            let b = multi.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_prefix(self.names.get(conn).cloned().unwrap_or_else(|| conn.clone()));
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        bar.set_message(line);
        let done = matches!(
            e,
            SyncEvent::Failed { .. }
                | SyncEvent::Progress { status: JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled, .. }
        );
        if done {
            bar.finish();
        }
    }

    /// Stops the spinners where they stand, so what is printed next stays below them.
    fn stop(&self) {
        if let Some((_, bars)) = &self.bars {
            for bar in bars.borrow().values() {
                bar.abandon();
            }
        }
    }
}

fn human_bytes(b: i64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

async fn sync(ctx: &Context, d: &Dalgo, a: SyncArgs) -> CmdResult {
    let oa = d.org(&a.org.slug).airbyte().await?;
    let connections = oa.sync_targets(a.connection_id.as_deref()).await?;
    let targets: Vec<String> = connections.iter().map(|c| c.connection_id.clone()).collect();
    let names: HashMap<String, String> =
        connections.into_iter().map(|c| (c.connection_id, c.name)).filter(|(_, n)| !n.is_empty()).collect();
    let opts = SyncOptions { wait: a.wait, concurrency: a.concurrency.into(), poll: a.poll_interval };
    let progress = Progress::new(ctx, names);
    let started: RefCell<Vec<i64>> = RefCell::new(Vec::new());
    let on_event = |e: SyncEvent| {
        if let SyncEvent::Started { job, .. } = &e {
            started.borrow_mut().push(*job);
        }
        progress.event(&e);
    };
    let stop = super::on_signal(&[super::Signal::Interrupt, super::Signal::Terminate], Some(super::STOP_GRACE))?;
    let outcomes = tokio::select! {
        o = oa.sync(&targets, opts, &on_event) => o,
        () = stop => {
            progress.stop();
            let jobs = started.borrow().clone();
            if a.cancel_on_interrupt {
                for job in &jobs {
                    if let Err(e) = oa.cancel_job(*job).await {
                        ctx.warn(format!("job {job} was not cancelled and may still run: {e}"));
                    }
                }
                ctx.note(format!("interrupted: cancelled {} job(s)", jobs.len()));
            } else {
                ctx.note(format!("interrupted: stopped waiting; {} job(s) keep running in Airbyte", jobs.len()));
            }
            return Ok(ExitStatus::Interrupted);
        }
    };
    progress.stop();
    emit(ctx.printer.format, &outcomes, |out| write_table(out, &sync_table(&ctx.printer, &progress, &outcomes)))?;
    sync_status(ctx, &a.org.slug, &progress, &outcomes)
}

/// One row per connection synced: its job, status, records and bytes.
fn sync_table(p: &Printer, progress: &Progress, outcomes: &[airbyte::SyncOutcome]) -> comfy_table::Table {
    p.table(
        &["CONNECTION", "JOB", "STATUS", "RECORDS", "BYTES"],
        outcomes.iter().map(|o| {
            let records = if o.records_emitted > o.records {
                format!("{} ({} read)", o.records, o.records_emitted)
            } else {
                o.records.to_string()
            };
            [
                progress.label(&o.connection_id),
                o.job_id.map_or("-".into(), |j| j.to_string()),
                o.status.map_or_else(|| o.error.clone().unwrap_or_default(), |s| s.as_str().to_string()),
                records,
                human_bytes(o.bytes),
            ]
        }),
    )
}

/// Says why each failed sync failed; the exit status of the whole.
fn sync_status(ctx: &Context, org: &str, progress: &Progress, outcomes: &[airbyte::SyncOutcome]) -> CmdResult {
    for o in outcomes.iter().filter(|o| o.status == Some(JobStatus::Failed)) {
        let job = o.job_id.map_or_else(String::new, |j| format!(" (job {j})"));
        let why = o.failure.as_deref().unwrap_or("Airbyte gave no reason");
        eprintln!("error: the sync of {}{job} failed: {why}", progress.label(&o.connection_id));
        if let Some(j) = o.job_id {
            ctx.note(format!("hint: `dalgo airbyte jobs logs {j} --org {org}` shows its logs"));
        }
    }
    let finished_badly = outcomes.iter().any(|o| matches!(o.status, Some(JobStatus::Failed | JobStatus::Cancelled)));
    if let Some(o) = outcomes.iter().find(|o| o.error.is_some()) {
        let message = o.error.clone().unwrap_or_default();
        if !finished_badly {
            // Nothing failed in Airbyte; dalgo could not start a job: that error's class decides.
            return Err(CliError::new(o.error_kind.unwrap_or(ErrorKind::Failure), message).into());
        }
        ctx.note(format!("error: {message}"));
    }
    Ok(ExitStatus::from_ok(!finished_badly))
}

async fn jobs(ctx: &Context, d: &Dalgo, cmd: JobsCommand) -> CmdResult {
    match cmd {
        JobsCommand::List { org, connection, limit } => {
            let rows = d.org(&org.slug).airbyte_jobs(connection.as_deref(), limit).await?;
            emit(ctx.printer.format, &rows, |out| {
                let t = ctx.printer.table(
                    &["JOB", "CONNECTION", "TYPE", "STATUS", "RECORDS", "BYTES", "STARTED", "ENDED"],
                    rows.iter().map(|r| {
                        [
                            r.job_id.to_string(),
                            r.connection_id.clone(),
                            r.job_type.clone(),
                            r.status.as_str().to_string(),
                            r.records.to_string(),
                            human_bytes(r.bytes),
                            r.started_at.as_ref().map_or("-".into(), |t| ctx.printer.when(t)),
                            r.ended_at.as_ref().map_or("-".into(), |t| ctx.printer.when(t)),
                        ]
                    }),
                );
                write_list(out, "jobs", &t)
            })
        }
        JobsCommand::Show { job_id, org } => {
            let job = d.org(&org.slug).airbyte().await?.job(job_id).await?;
            emit(ctx.printer.format, &job, |out| {
                let (records, bytes) = job.progress();
                let rows = [
                    ("job", job.id.to_string()),
                    ("type", job.config_type.clone()),
                    ("connection", job.config_id.clone()),
                    ("status", job.status.as_str().to_string()),
                    ("records", records.to_string()),
                    ("bytes", human_bytes(bytes)),
                ];
                write_table(out, &fields(&rows))
            })
        }
        JobsCommand::Logs { job_id, org } => {
            let logs = d.org(&org.slug).airbyte().await?.job_logs(job_id).await?;
            emit(ctx.printer.format, &logs, |out| {
                for a in &logs {
                    writeln!(out, "--- attempt {} ({}) ---", a.attempt, a.status.as_str())?;
                    for line in &a.lines {
                        writeln!(out, "{line}")?;
                    }
                }
                Ok(())
            })
        }
        JobsCommand::Cancel { job_id, org } => {
            let job = d.org(&org.slug).airbyte().await?.cancel_job(job_id).await?;
            emit(ctx.printer.format, &job, |out| writeln!(out, "job {job_id}: {}", job.status.as_str()))
        }
    }
}

async fn update_connection(
    ctx: &Context,
    d: &Dalgo,
    ConnectionUpdateArgs { id, org, name, streams, sync_mode, namespace, schedule, no_schedule, enable, disable }: ConnectionUpdateArgs,
) -> CmdResult {
    let changes = ConnectionChanges {
        name,
        streams: (!streams.is_empty() || sync_mode.is_some()).then(|| StreamSelection {
            streams,
            sync_mode: sync_mode.unwrap_or(SyncMode::FullRefresh),
            destination_sync_mode: DestinationSyncMode::Overwrite,
        }),
        namespace: namespace.map(Some),
        cron: if no_schedule { Some(None) } else { schedule.map(Some) },
        enabled: if enable {
            Some(true)
        } else if disable {
            Some(false)
        } else {
            None
        },
    };
    let conn = d.org(&org.slug).airbyte().await?.update_connection(&id, &changes).await?;
    emit(ctx.printer.format, &conn, |out| writeln!(out, "updated connection {} ({})", conn.name, conn.connection_id))
}
