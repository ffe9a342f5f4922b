//! `dalgo config show`.

use clap::Subcommand;

use super::Context;
use super::output::{CmdResult, emit, write_table};
use dalgo::config::SettingSource;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every setting dalgo reads: its effective value (secrets masked) and where it comes from
    #[command(
        long_about = "Every setting dalgo reads, with its effective value (secrets masked, a URL's password \
hidden) and its source: flag, env, .env (the working directory's, else the nearest one above it that this \
user or root owns; named below the table), file (the user config file) or default. \
Warns about Dalgo settings found here that dalgo does not use.",
        after_help = "Examples:\n  dalgo config show\n  dalgo config show -o json | jq '.settings[] | select(.source != \"default\")'"
    )]
    Show {
        /// Only the settings that are set somewhere
        #[arg(long)]
        set: bool,
    },
}

pub async fn run(ctx: &Context, c: ConfigCommand) -> CmdResult {
    let ConfigCommand::Show { set } = c;
    let mut e = dalgo::config::explain(&ctx.overrides)?;
    let database = match ctx.config() {
        Ok(cfg) => Some(dalgo::ops::Dalgo::database_mode(&cfg, std::time::Duration::from_secs(3)).await),
        Err(_) => None,
    };
    // The command line's own settings, when a flag gave them.
    for s in e.settings.iter_mut().filter(|s| ctx.from_flags.contains(&s.name)) {
        s.source = SettingSource::Flag;
        s.value = Some(match s.name {
            "DALGO_OUTPUT" => {
                use clap::ValueEnum;
                ctx.printer.format.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string())
            }
            _ => "true".into(),
        });
    }
    if set {
        e.settings.retain(|s| s.value.is_some());
    }
    for w in &e.warnings {
        ctx.warn(w);
    }
    let shown = Shown { explanation: &e, database: database.as_ref() };
    emit(ctx.printer.format, &shown, |out| {
        let rows = e.settings.iter().map(|s| {
            let value = s.value.clone().unwrap_or_else(|| format!("({})", s.default));
            [s.name.to_string(), value, s.source.as_str().to_string()]
        });
        write_table(out, &ctx.printer.table(&["SETTING", "VALUE", "SOURCE"], rows))?;
        if let Some(path) = &e.dotenv {
            writeln!(out, "\n.env: {}", path.display())?;
        }
        if let Some(d) = &database {
            writeln!(out, "\ndatabase: {}", database_line(d))?;
        }
        writeln!(out, "\ntenant code: {}", confinement(&e.sandbox))
    })
}

/// `config show -o json`: the settings, and which database they point at
/// (absent when the configuration does not load).
#[derive(serde::Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    explanation: &'a dalgo::config::Explanation,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'a dalgo::model::db::DatabaseMode>,
}

/// One line: which database dalgo works on, and why.
fn database_line(d: &dalgo::model::db::DatabaseMode) -> String {
    use dalgo::model::db::Mode;
    match d.mode {
        Some(Mode::Live) => format!(
            "Dalgo's own (live mode: Django's tables, read and written in place; dalgo's things in schema {}), as {}",
            dalgo::model::db::LIVE_SCHEMA,
            d.why
        ),
        Some(Mode::Own) => format!("dalgo's own (its tables in public), as {}", d.why),
        None => format!("not checked: {}", d.why),
    }
}

/// One line: whether dbt and git run confined, and how.
fn confinement(s: &dalgo::model::sandbox::SandboxStatus) -> String {
    let how = match (s.confined, s.landlock_abi) {
        (true, Some(abi)) => format!("confined to its org's files (Landlock ABI {abi}, DALGO_SANDBOX={})", s.mode),
        _ => format!("NOT confined (DALGO_SANDBOX={})", s.mode),
    };
    let ns = if s.pid_namespace { "; its processes end with it (own PID namespace)" } else { "" };
    let world = if s.private_proc {
        format!("; it sees only its own processes (own /proc) and not {}", s.hidden.join(", "))
    } else {
        String::new()
    };
    let user = match (&s.tenant_user, s.root) {
        (Some(u), _) => format!("; it runs as {} (uid {})", u.name, u.uid),
        (None, true) => "; it runs as root, dalgo's own user (DALGO_TENANT_USER names an unprivileged one)".into(),
        (None, false) => String::new(),
    };
    let why = s.reason.as_ref().map(|r| format!("; {r}")).unwrap_or_default();
    format!("{how}{ns}{world}{user}{why}")
}
