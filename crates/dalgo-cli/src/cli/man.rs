//! `dalgo man`: the manual pages, generated from the command line itself.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::output::{CliError, CmdResult, ExitStatus, emit};

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  dalgo man pipeline run | man -l -\n  dalgo man --dir /usr/local/share/man/man1")]
pub struct ManArgs {
    /// The command whose page to print, e.g. `pipeline run` (default: dalgo itself)
    pub command: Vec<String>,
    /// Write every command's page (dalgo.1, dalgo-pipeline-run.1, …) into this directory instead
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &super::Context, a: ManArgs) -> CmdResult {
    let mut root = super::command().disable_help_subcommand(true);
    root.build();
    if let Some(dir) = a.dir {
        std::fs::create_dir_all(&dir)?;
        let pages = write_pages(&root, &dir)?;
        let body = serde_json::json!({ "dir": dir, "pages": pages });
        return emit(ctx.printer.format, &body, |out| writeln!(out, "wrote {pages} manual pages to {}", dir.display()));
    }
    let mut cmd = &root;
    for name in &a.command {
        cmd = cmd.find_subcommand(name).ok_or_else(|| {
            CliError::usage(format!("no command `dalgo {}`", a.command.join(" ")), "`dalgo --help` lists them")
        })?;
    }
    // Rendered first: a closed pipe is then an ordinary write error (a quiet 0).
    let mut page = Vec::new();
    man(cmd).render(&mut page)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// A command's page, its footer naming dalgo and its version.
fn man(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone()).source(concat!("dalgo ", env!("CARGO_PKG_VERSION")))
}

/// The pages of `cmd` and every visible subcommand under it; how many.
fn write_pages(cmd: &clap::Command, dir: &std::path::Path) -> std::io::Result<usize> {
    let mut pages = 1;
    man(cmd).generate_to(dir)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages += write_pages(sub, dir)?;
    }
    Ok(pages)
}
