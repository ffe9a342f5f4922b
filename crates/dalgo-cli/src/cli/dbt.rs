//! `dalgo dbt`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use secrecy::SecretString;

use super::output::{CliError, CmdResult, ExitStatus, Format, emit, fields, write_table};
use super::warehouse::read_input;
use super::{Context, prompt};
use dalgo::model::dbt::{self, ChildStdout, Command, SetupRequest, Source};
use dalgo::ops::{Dalgo, DbtRunOptions};

#[derive(Debug, Subcommand)]
pub enum DbtCommand {
    /// Set up (or update) an org's dbt workspace: clone, token, profile, tasks
    #[command(long_about = "Set up or update an org's dbt workspace. With --repo, the repository is cloned \
into CLIENTDBT_ROOT/<slug>/dbtrepo; a token (from --token-file or --token-stdin) is stored in the secrets store \
and handed to git only through the environment of the git process, never written to .git/config, the remote \
URL, the database or output. With --local, a project already on disk is used where it is. profiles.yml \
(mode 0600) is written to CLIENTDBT_ROOT/<slug>/profiles from the org's warehouse credentials, for the profile \
the project's dbt_project.yml names. The org gets its git and dbt tasks. Re-running updates what changed.")]
    Setup(SetupArgs),
    /// Remove the workspace, its tasks, profile, token and clone
    Teardown(TeardownArgs),
    /// The workspace, its checkout, profile and recent runs
    Status(StatusArgs),
    /// Build the project's models in the warehouse (dbt run), dbt's output live, its exit code
    Run(RunArgs),
    /// Run the project's data tests (dbt test); a failing test exits 1
    Test(RunArgs),
    /// Load the project's CSV seeds into the warehouse (dbt seed)
    Seed(RunArgs),
    /// Install the packages packages.yml names into the project (dbt deps)
    Deps(RunArgs),
    /// Remove what dbt built in the project: target/, dbt_packages/ (dbt clean)
    Clean(RunArgs),
    /// Run, test, seed and snapshot in dependency order (dbt build)
    Build(RunArgs),
    /// Write the project's documentation site and catalog to target/ (dbt docs generate)
    DocsGenerate(RunArgs),
    /// Check the project, its profile and the warehouse connection (dbt debug)
    Debug(RunArgs),
    /// Compile the models to SQL in target/ without running them (dbt compile)
    Compile(RunArgs),
    /// List the project's models, tests, seeds and sources (dbt ls)
    Ls(RunArgs),
    /// Fast-forward the org's clone from its remote
    GitPull(GitPullArgs),
}

/// `git-pull`'s arguments.
#[derive(Debug, Args)]
pub struct GitPullArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// Fail with exit 75 instead of waiting when the org is busy
    #[arg(long)]
    no_wait: bool,
}

/// `status`'s arguments.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// How many recent runs to show
    #[arg(long, default_value_t = 10)]
    limit: i64,
}

/// `teardown`'s arguments.
#[derive(Debug, Args)]
pub struct TeardownArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    #[command(flatten)]
    guard: prompt::Guard,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["repo", "local"])))]
pub struct SetupArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// The repository to clone (https, ssh or file URL, without credentials)
    #[arg(long, value_name = "URL")]
    repo: Option<String>,
    /// The branch to check out [default: the repository's default]
    #[arg(long, requires = "repo")]
    branch: Option<String>,
    /// Read the access token from this file
    #[arg(long, value_name = "FILE", requires = "repo", conflicts_with = "token_stdin")]
    token_file: Option<PathBuf>,
    /// Read the access token from stdin
    #[arg(long, requires = "repo")]
    token_stdin: bool,
    /// A dbt project already on disk, used in place
    #[arg(long, value_name = "PATH", conflicts_with = "repo")]
    local: Option<PathBuf>,
    /// The schema dbt builds into, kept by later runs [default: the warehouse's schema or dataset, followed when it changes]
    #[arg(long, value_name = "NAME")]
    default_schema: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "dbt's output streams as it comes; dalgo exits with dbt's exit code.\n\
Example: dalgo dbt run --org acme-ngo -- --select orders+")]
pub struct RunArgs {
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    /// The profile target to use
    #[arg(long, value_name = "TARGET")]
    target: Option<String>,
    /// Fail with exit 75 instead of waiting when another dbt command runs for the org
    #[arg(long)]
    no_wait: bool,
    /// Passed on to dbt
    #[arg(last = true, value_name = "DBT_ARGS")]
    extra: Vec<String>,
}

pub async fn run(ctx: &Context, c: DbtCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    let (command, a) = match c {
        DbtCommand::Setup(a) => return setup(ctx, &dalgo, a).await,
        DbtCommand::Teardown(a) => return teardown(ctx, &dalgo, a).await,
        DbtCommand::Status(a) => return status(ctx, &dalgo, a).await,
        DbtCommand::GitPull(a) => return git_pull(ctx, &dalgo, a).await,
        DbtCommand::Run(a) => (Command::Run, a),
        DbtCommand::Test(a) => (Command::Test, a),
        DbtCommand::Seed(a) => (Command::Seed, a),
        DbtCommand::Deps(a) => (Command::Deps, a),
        DbtCommand::Clean(a) => (Command::Clean, a),
        DbtCommand::Build(a) => (Command::Build, a),
        DbtCommand::DocsGenerate(a) => (Command::DocsGenerate, a),
        DbtCommand::Debug(a) => (Command::Debug, a),
        DbtCommand::Compile(a) => (Command::Compile, a),
        DbtCommand::Ls(a) => (Command::Ls, a),
    };
    run_dbt(ctx, &dalgo, command, a).await
}

/// Says on stderr what a queued command waits for.
fn on_wait(ctx: &Context) -> impl FnOnce(&str) + '_ {
    |holder: &str| ctx.note(format!("waiting: {holder}"))
}

/// A dbt command in the org's project; dbt's exit code is the exit status.
async fn run_dbt(ctx: &Context, dalgo: &Dalgo, command: Command, a: RunArgs) -> CmdResult {
    let opts = DbtRunOptions {
        target: a.target.as_deref(),
        extra: &a.extra,
        no_wait: a.no_wait,
        // With -o json or name, stdout holds only the summary; dbt's lines go to stderr.
        stdout: match ctx.printer.format {
            Format::Json | Format::Name => ChildStdout::Stderr,
            Format::Table | Format::Wide => ChildStdout::Inherit,
        },
    };
    // Ctrl-C or SIGTERM stops dbt and records the run as interrupted.
    let stop = super::on_signal(&[super::Signal::Interrupt, super::Signal::Terminate], Some(super::STOP_GRACE))?;
    let run = dalgo.org(&a.org).dbt().run(command, opts, on_wait(ctx), stop).await?;
    if matches!(ctx.printer.format, Format::Json | Format::Name) {
        emit(ctx.printer.format, &RunSummary { org: &a.org, run: &run }, |_| Ok(()))?;
    }
    Ok(match run.exit_code.unwrap_or(1) {
        0 => ExitStatus::Success,
        c => ExitStatus::Child(u8::try_from(c).unwrap_or(1)),
    })
}

async fn setup(ctx: &Context, dalgo: &Dalgo, a: SetupArgs) -> CmdResult {
    let source = match (a.repo, a.local) {
        (Some(url), _) => Source::Git { url, branch: a.branch, token: token(a.token_file, a.token_stdin)? },
        (None, Some(path)) => Source::Local { path },
        (None, None) => unreachable!("clap requires --repo or --local"),
    };
    let req = SetupRequest { source, default_schema: a.default_schema };
    let report = dalgo.org(&a.org).dbt().setup(req).await?;
    let r = &report.setup;
    emit(ctx.printer.format, &report, |out| {
        let rows = [
            ("org", r.org.clone()),
            ("workspace", if r.created { "created".into() } else { "updated".into() }),
            ("source", r.repo_url.clone().unwrap_or_else(|| "local".into())),
            ("branch", r.branch.clone().unwrap_or("-".into())),
            ("commit", r.head_commit.clone().unwrap_or("-".into())),
            ("project", r.project_dir.display().to_string()),
            ("profile", format!("{} in {}", r.profile, r.profiles_file.display())),
            ("schema", r.default_schema.clone()),
            ("tasks", r.tasks.join(", ")),
        ];
        write_table(out, &fields(&rows))
    })?;
    ctx.finish(&report)
}

/// `dbt run -o json`: the run as recorded, with its org.
#[derive(serde::Serialize)]
struct RunSummary<'a> {
    org: &'a str,
    #[serde(flatten)]
    run: &'a dbt::RunRecord,
}

fn token(file: Option<PathBuf>, stdin: bool) -> anyhow::Result<Option<SecretString>> {
    let text = match (file, stdin) {
        (Some(path), _) => read_input(&path)?,
        (None, true) => read_input(std::path::Path::new("-"))?,
        (None, false) => return Ok(None),
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(CliError::new(dalgo::ErrorKind::InvalidInput, "invalid access token: it is empty").into());
    }
    // A NUL or a line break cannot reach git through its environment (it was 78, "cannot run git").
    if token.chars().any(char::is_control) {
        let message = "invalid access token: it holds a control character (a NUL byte or a line break)";
        return Err(CliError::new(dalgo::ErrorKind::InvalidInput, message).into());
    }
    Ok(Some(SecretString::from(token.to_string())))
}

async fn teardown(ctx: &Context, dalgo: &Dalgo, TeardownArgs { org, guard }: TeardownArgs) -> CmdResult {
    let ops = dalgo.org(&org);
    ops.dbt().check_teardown().await?;
    if !guard.proceed(ctx, &format!("remove the dbt workspace of {org}, its clone, profile and token"))? {
        return Ok(ExitStatus::Success);
    }
    let r = ops.dbt().teardown().await?;
    emit(ctx.printer.format, &r, |out| {
        writeln!(out, "removed the dbt workspace of {} and {} task(s)", r.org, r.tasks_removed)?;
        for p in &r.removed_paths {
            writeln!(out, "removed {}", p.display())?;
        }
        if let Some(s) = &r.token_secret_removed {
            writeln!(out, "deleted secret {s}")?;
        }
        for b in &r.prefect_blocks_removed {
            writeln!(out, "deleted Prefect block {b}")?;
        }
        Ok(())
    })
}

async fn status(ctx: &Context, dalgo: &Dalgo, StatusArgs { org, limit }: StatusArgs) -> CmdResult {
    let s = dalgo.org(&org).dbt().status(limit).await?;
    emit(ctx.printer.format, &s, |out| {
        let rows = [
            ("org", s.org.clone()),
            ("source", s.workspace.repo_url.clone().unwrap_or_else(|| "local".into())),
            ("branch", s.workspace.branch.clone().unwrap_or("-".into())),
            ("commit", s.head_commit.clone().unwrap_or("-".into())),
            ("project", s.project_path.display().to_string()),
            ("profile", s.profile.clone().unwrap_or("-".into())),
            (
                "profiles file",
                format!("{}{}", s.profiles_file.display(), if s.profiles_file_exists { "" } else { " (missing)" }),
            ),
            ("schema", s.workspace.default_schema.clone()),
        ];
        write_table(out, &fields(&rows))?;
        let t = ctx.printer.table(
            &["STARTED", "COMMAND", "BY", "STATUS", "EXIT", "ENDED"],
            s.runs.iter().map(|r| {
                [
                    ctx.printer.when(&r.started_at),
                    r.command.clone(),
                    r.actor.clone(),
                    r.status.to_string(),
                    r.exit_code.map_or("-".into(), |c| c.to_string()),
                    r.ended_at.as_ref().map_or("-".into(), |t| ctx.printer.when(t)),
                ]
            }),
        );
        write_table(out, &t)
    })
}

async fn git_pull(ctx: &Context, dalgo: &Dalgo, GitPullArgs { org, no_wait }: GitPullArgs) -> CmdResult {
    // Ctrl-C or SIGTERM stops git and records the pull as interrupted.
    let stop = super::on_signal(&[super::Signal::Interrupt, super::Signal::Terminate], Some(super::STOP_GRACE))?;
    let head = dalgo.org(&org).dbt().git_pull(no_wait, on_wait(ctx), stop).await?;
    let body = serde_json::json!({ "org": org, "head_commit": head });
    emit(ctx.printer.format, &body, |out| writeln!(out, "{org}: at {head}"))
}
