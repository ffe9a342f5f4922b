//! `dalgo completions <shell>`.

use super::output::{CmdResult, ExitStatus};
use std::io::Write;

use clap::Args;
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete for
    pub shell: Shell,
}

pub fn run(a: CompletionArgs) -> CmdResult {
    // clap_complete panics on a write error; render first so a closed pipe is
    // an ordinary error (and a quiet exit 0).
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut super::command(), "dalgo", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}
