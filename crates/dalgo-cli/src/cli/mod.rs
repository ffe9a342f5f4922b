//! Command-line definition and dispatch.

mod airbyte;
mod apply;
mod audit;
mod complete;
mod completions;
mod config;
mod createorganduser;
mod dbt;
mod examples;
mod exit_codes;
mod fit;
mod flags;
mod import;
mod logging;
mod maintain;
mod man;
pub use logging::init_logging;
mod migrate;
mod next_step;
mod org;
pub mod output;
mod pipeline;
mod prompt;
mod role;
mod secrets;
mod system_user;
mod user;
mod warehouse;
mod worker;

use clap::{Args, Parser, Subcommand};

use dalgo::config::{Config, Overrides};
use output::{CmdResult, ExitStatus, Format, Printer};

/// The help of every command's `--org`; clap adds that DALGO_ORG is its default.
const ORG_HELP: &str = "The org's slug";

const CONFIGURATION: &str = "\
Configuration (highest precedence first): flags, environment, ./.env, ~/.config/dalgo/config.yaml.
  DATABASE_URL, or DBHOST DBPORT DBNAME DBUSER DBPASSWORD   default: local socket, database `dalgo`
  DALGO_DB_CONNECT_TIMEOUT  seconds to wait for PostgreSQL (default 5)
  DALGO_DB_STATEMENT_TIMEOUT, DALGO_DB_LOCK_TIMEOUT, DALGO_DB_IDLE_TIMEOUT
                            session limits in seconds, 0 for none (defaults 120, 30, 60)
  DALGO_OUTPUT              table | wide | json | name
  DALGO_NO_INPUT            true | false: never prompt
  DALGO_ACTOR               name recorded in the audit log (default: $SUDO_USER or $USER)
  DALGO_ORG                 the org a command's --org defaults to
  DEV_SECRETS_DIR           the secrets directory, Dalgo's layout (default ~/.local/share/dalgo/secrets)
  DALGO_SECRETS_BACKEND     dir | keyring | aws (DALGO_AWS_TIMEOUT: seconds per call, default 30)
  DALGO_SANDBOX             auto | require | off: tenant code (dbt, git) confined to its org
  DALGO_TENANT_USER         with dalgo as root, the unprivileged user tenant code runs as
  CLIENTDBT_ROOT            where orgs' dbt projects live (default ~/.local/share/dalgo/clientdbt)
  DBT_VENV, DBT_EXECUTABLE  the virtualenv whose bin/dbt runs dbt, or a dbt binary
  AIRBYTE_SERVER_HOST, _PORT, _APIVER, AIRBYTE_API_TOKEN (or _CLIENT_ID/_CLIENT_SECRET,
  _USERNAME/_PASSWORD; secrets also as *_FILE)   Airbyte, as Dalgo names it
  PREFECT_API_URL, PREFECT_API_KEY, PREFECT_WORKER_POOL_NAME   Prefect's REST API, Cloud key, work pool";

/// What `dalgo --help` ends with: the exit codes and the configuration.
fn long_help() -> String {
    format!("{}\n{CONFIGURATION}", exit_codes::help_text())
}

/// Admin tool for the Dalgo data platform: orgs, users, roles, feature flags.
#[derive(Debug, Parser)]
#[command(name = "dalgo", version, about, after_long_help = long_help(), max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, shown under their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Output format: tables for people, JSON for scripts
    #[arg(
        short = 'o',
        long,
        global = true,
        value_enum,
        env = "DALGO_OUTPUT",
        hide_env_values = true,
        default_value = "table"
    )]
    pub output: Format,

    /// Never prompt; fail instead, naming the flag to pass
    #[arg(long, global = true, env = "DALGO_NO_INPUT", hide_env_values = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub no_input: bool,

    /// Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]
    #[arg(long, global = true, value_name = "NAME")]
    pub actor: Option<String>,

    /// Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Tables without their header line, for scripts that read columns
    #[arg(long, global = true)]
    pub no_headers: bool,

    /// More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The settings given as flags here, for `dalgo config show`.
    #[arg(skip)]
    pub from_flags: Vec<&'static str>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if needed, apply migrations and load the seed data
    Migrate(migrate::MigrateArgs),
    /// Create an org, a user and the user's membership (each only if missing)
    #[command(name = "createorganduser")]
    CreateOrgAndUser(createorganduser::CreateArgs),
    /// Create Dalgo's system user and its org-less admin membership
    CreateSystemOrguser,
    /// List, show, export and delete orgs; set their plans
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// List users; add, remove and change members of orgs
    #[command(subcommand)]
    User(user::UserCommand),
    /// List roles and their permissions
    #[command(subcommand)]
    Role(role::RoleCommand),
    /// Read the audit log: who changed what, and when
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Enable, disable, clear and list feature flags, globally or per org
    ManageFeatureFlags(flags::FlagArgs),
    /// Set, show and delete an org's warehouse
    #[command(subcommand)]
    Warehouse(warehouse::WarehouseCommand),
    /// Set up an org's dbt workspace and run dbt in it
    #[command(subcommand)]
    Dbt(dbt::DbtCommand),
    /// List, show and delete stored credentials
    #[command(subcommand)]
    Secrets(secrets::SecretsCommand),
    /// An org's Airbyte workspace, sources, destinations, connections, syncs and jobs
    #[command(subcommand)]
    Airbyte(airbyte::AirbyteCommand),
    /// Orchestration pipelines: Prefect deployments of an org's tasks, their runs and logs
    #[command(subcommand)]
    Pipeline(pipeline::PipelineCommand),
    /// Task locks held by pipeline runs; release the stale ones
    #[command(subcommand)]
    Locks(pipeline::LocksCommand),
    /// Run Dalgo's pipelines on a Prefect work pool (a native Prefect worker)
    Worker(worker::WorkerArgs),
    /// Upkeep for cron or a systemd timer: stale locks freed, run history synced
    Maintain(maintain::MaintainArgs),
    /// Bring a running Dalgo under dalgo: its Django database's orgs, users, pipelines and history
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Make orgs what documents say: plan, then apply (see `dalgo org export`)
    #[command(
        long_about = "Make orgs what documents say. A document (YAML or JSON, one org; `dalgo org export` writes one, `dalgo schema` gives its JSON Schema) names the org by its slug and may hold its name, plan, warehouse, dbt workspace, Airbyte sources and connections (credentials as {secret: NAME}, {env: VAR} or {file: PATH}, never in clear), members, flag values and pipelines. A section present is the whole desired state of that section: a member, flag value or pipeline it does not list is removed; a section left out is left alone. An org the slug does not name yet is created.\n\nEvery document is read and checked first (an unknown key, role or flag, a bad email or cron: 65, naming the place, e.g. members[2].role, nothing written). Then each org's plan is printed (+ create, ~ update with the fields that change, - delete) and carried out through the same operations as the commands that make each change. Applying the same document again changes nothing; a killed apply is finished by applying it again.\n\n--dry-run prints the plan only. A plan that removes something (a member, flag value, pipeline or connection the document no longer lists) is carried out only after a \"y\" at a terminal, or with --yes. --exit-code exits 2 when the plan changes something and 0 when it changes nothing (as terraform's -detailed-exitcode); an error keeps its own code. From a directory, each org is reported; exit 3 when some failed and others were applied."
    )]
    Apply(apply::ApplyArgs),
    /// Print the JSON Schema of the org document `dalgo apply` takes
    #[command(
        long_about = "Print the JSON Schema (draft 2020-12) of the org document `dalgo apply` takes and `dalgo org export` writes, generated from the types that parse it. Editors validate and complete documents with it, e.g. through yaml-language-server: `# yaml-language-server: $schema=./dalgo-org.schema.json`."
    )]
    Schema,
    /// The effective configuration: each setting, masked, and where it comes from
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Print a shell completion script
    ///
    /// The script completes commands and flags. For the org slugs, pipeline
    /// names and Airbyte connections there are, let the shell ask dalgo
    /// instead: `source <(COMPLETE=bash dalgo)` (or zsh, fish, elvish,
    /// powershell) in the shell's start-up file. Connections are those of
    /// DALGO_ORG.
    Completions(completions::CompletionArgs),
    /// Print a command's manual page, or write every page into a directory
    Man(man::ManArgs),
}

/// The command line as `--help`, completions and man pages show it: the
/// derived definition with an example on every leaf command, and the
/// completers of org slugs, pipeline names and connections.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    complete::with_completers(examples::with_examples(Cli::command()))
}

/// Parses the process's arguments (exits with clap's usage error, 2, on bad
/// ones). `DALGO_OUTPUT` and `DALGO_NO_INPUT` are read from `./.env` and
/// the user config file too, as every other setting, when neither the flag
/// nor the environment gives them.
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    use clap::parser::ValueSource;
    let mut cmd = command();
    let matches = cmd.get_matches_mut();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let unset = |id: &str| matches!(matches.value_source(id), None | Some(ValueSource::DefaultValue));
    for (id, name) in [("output", "DALGO_OUTPUT"), ("no_input", "DALGO_NO_INPUT")] {
        if matches.value_source(id) == Some(ValueSource::CommandLine) {
            cli.global.from_flags.push(name);
        }
    }
    let layered = |name: &str| dalgo::config::lookup(name).ok().flatten().map(|(v, _)| v);
    if unset("output")
        && let Some(v) = layered("DALGO_OUTPUT")
    {
        cli.global.output = <Format as clap::ValueEnum>::from_str(&v, true).unwrap_or_else(|_| {
            cmd.error(
                clap::error::ErrorKind::InvalidValue,
                format!("DALGO_OUTPUT must be table, wide, json or name, not {v:?}"),
            )
            .exit()
        });
    }
    if unset("no_input")
        && let Some(v) = layered("DALGO_NO_INPUT")
    {
        // As clap reads it from the environment: a value that is neither yes nor no is a usage error.
        cli.global.no_input = clap::builder::TypedValueParser::parse_ref(
            &clap::builder::BoolishValueParser::new(),
            &cmd,
            None,
            std::ffi::OsStr::new(&v),
        )
        .unwrap_or_else(|_| {
            let message = format!("DALGO_NO_INPUT must be true or false (yes/no, on/off, 1/0), not {v:?}");
            cmd.error(clap::error::ErrorKind::InvalidValue, message).exit()
        });
    }
    cli
}

/// What every command needs: the global options and the configuration.
pub struct Context {
    /// How results are drawn.
    pub printer: Printer,
    pub quiet: bool,
    no_input: bool,
    pub overrides: Overrides,
    /// Settings given as flags that only the command line reads.
    from_flags: Vec<&'static str>,
}

impl Context {
    fn new(g: &GlobalArgs) -> Self {
        Context {
            printer: Printer::new(g.output, g.no_headers),
            quiet: g.quiet,
            no_input: g.no_input,
            overrides: Overrides { database_url: g.database_url.clone(), actor: g.actor.clone() },
            from_flags: g.from_flags.clone(),
        }
    }

    pub fn config(&self) -> dalgo::Result<Config> {
        Config::load(&self.overrides)
    }

    /// The library handle every operation runs on.
    pub async fn dalgo(&self) -> anyhow::Result<dalgo::ops::Dalgo> {
        Ok(dalgo::ops::Dalgo::connect(self.config()?).await?)
    }

    /// Says on stderr which follow-up steps of an operation were not done and
    /// how to finish them; a partial success ends with exit 3.
    pub fn finish(&self, report: &impl dalgo::ops::Partial) -> CmdResult {
        let unfinished = report.unfinished();
        for (step, s) in &unfinished {
            if let dalgo::ops::Step::Failed { error, finish_with, .. } = s {
                eprintln!("error: saved, but the {step} step failed: {error}");
                eprintln!("hint: finish with `{}`", next_step::command(finish_with));
            }
        }
        Ok(if unfinished.is_empty() { ExitStatus::Success } else { ExitStatus::Partial })
    }

    /// Whether a person can be asked.
    pub fn interactive(&self) -> bool {
        !self.no_input && prompt::stdin_is_terminal()
    }

    /// A message for the person at the terminal (stderr), unless `--quiet`.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    pub fn warn(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{} {}", output::label("warning:", output::YELLOW), msg.as_ref());
        }
    }
}

/// A signal that ends a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// SIGTERM (systemd, `kill`).
    Terminate,
}

/// How long a command may take to stop after the signal it handles before
/// dalgo exits anyway (130): whatever it was waiting on.
pub const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Resolves on the first of `signals`. The handlers are in place when this
/// returns, so a signal that comes before the future is first polled is seen.
/// After that first signal the command stops in its own way (dbt stopped and
/// its run recorded); a second signal, or `last_resort` passing (`None`: the
/// command has a grace of its own, as the worker does), ends dalgo at once
/// with 130, whatever it was waiting on.
pub fn on_signal(
    signals: &[Signal],
    last_resort: Option<std::time::Duration>,
) -> std::io::Result<impl std::future::Future<Output = ()> + use<>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut streams = Vec::new();
        for s in signals {
            let kind = match s {
                Signal::Interrupt => SignalKind::interrupt(),
                Signal::Terminate => SignalKind::terminate(),
            };
            streams.push(signal(kind)?);
        }
        Ok(async move {
            {
                let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
                futures_util::future::select_all(waits).await;
            }
            tokio::spawn(async move {
                let again = futures_util::future::select_all(streams.iter_mut().map(|s| Box::pin(s.recv())));
                let why = tokio::select! {
                    _ = again => "signalled again",
                    () = tokio::time::sleep(last_resort.unwrap_or(std::time::Duration::MAX)), if last_resort.is_some() =>
                        "still not stopped",
                };
                eprintln!("error: {why}: stopping at once");
                std::process::exit(130);
            });
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (signals, last_resort);
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// A name that is not blank (a Prefect pool, an Airbyte source): blank
/// names used to reach the services.
pub fn not_blank(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("it must not be blank".into());
    }
    if t.chars().any(char::is_control) {
        return Err("it must not hold a control character (a line break?)".into());
    }
    Ok(t.to_string())
}

/// "30m", "2h", "90s", "1d".
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (n, unit) = s.trim().split_at(s.trim().find(|c: char| !c.is_ascii_digit()).unwrap_or(s.trim().len()));
    let n: u64 = n.parse().map_err(|_| format!("{s:?} is not a duration like 30m, 2h or 90s"))?;
    let secs = match unit {
        "s" | "" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: unit must be s, m, h or d")),
    };
    n.checked_mul(secs).map(std::time::Duration::from_secs).ok_or_else(|| format!("{s:?} is too long"))
}

/// A clap parser for an interval (a poll, a heartbeat): seconds, fractions
/// allowed, from 0.05 to 3600 (NaN, infinities and the rest are usage
/// errors, not a panic).
pub fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s.trim().parse().map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(0.05..=3600.0).contains(&secs) {
        return Err(format!("{s:?}: give 0.05 to 3600 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// A clap parser for one of the library's fixed-string enums: its values
/// are listed in `--help` and completions, and parse straight into it.
pub fn one_of<T>() -> impl clap::builder::TypedValueParser<Value = T>
where
    T: dalgo::model::StringEnum + std::str::FromStr<Err = dalgo::Error>,
{
    use clap::builder::TypedValueParser;
    // With `ignore_case`, clap passes the value as typed: it is matched in any case here too.
    clap::builder::PossibleValuesParser::new(T::ALL.iter().map(|v| v.as_str()))
        .try_map(|s| dalgo::model::parse_any_case::<T>(&s))
}

pub async fn run(cli: Cli) -> CmdResult {
    let ctx = Context::new(&cli.global);
    match cli.command {
        Command::Migrate(a) => migrate::run(&ctx, a).await,
        Command::CreateOrgAndUser(a) => createorganduser::run(&ctx, a).await,
        Command::CreateSystemOrguser => system_user::run(&ctx).await,
        Command::Org(c) => org::run(&ctx, c).await,
        Command::User(c) => user::run(&ctx, c).await,
        Command::Role(c) => role::run(&ctx, c).await,
        Command::Audit(c) => audit::run(&ctx, c).await,
        Command::ManageFeatureFlags(a) => flags::run(&ctx, a).await,
        Command::Warehouse(c) => warehouse::run(&ctx, c).await,
        Command::Dbt(c) => dbt::run(&ctx, c).await,
        Command::Secrets(c) => secrets::run(&ctx, c).await,
        Command::Airbyte(c) => airbyte::run(&ctx, c).await,
        Command::Pipeline(c) => pipeline::run(&ctx, c).await,
        Command::Locks(c) => pipeline::locks(&ctx, c).await,
        Command::Worker(a) => worker::run(&ctx, a).await,
        Command::Maintain(a) => maintain::run(&ctx, a).await,
        Command::Import(c) => import::run(&ctx, c).await,
        Command::Apply(a) => apply::run(&ctx, a).await,
        Command::Schema => apply::schema(),
        Command::Config(c) => config::run(&ctx, c).await,
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(&ctx, a),
    }
}
