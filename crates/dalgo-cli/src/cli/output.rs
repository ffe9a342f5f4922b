//! Rendering: tables or JSON on stdout, messages and errors on stderr.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle, presets};
use serde::Serialize;

use dalgo::ErrorKind;

/// `--output`: tables for people, JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Writes a command's result to stdout: `data` as JSON, or what `human` writes.
pub fn emit<T: Serialize + ?Sized>(
    format: Format,
    data: &T,
    human: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> CmdResult {
    // Buffered: one write per buffer, not per token. serde's errors are turned
    // back into io errors, so a closed pipe is recognised (and ends quietly).
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, data).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Table => human(&mut out)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// Plain columns under a dashed header line, like psql: easy to read, to grep and to paste.
const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('-').junction(' '));

/// A table with dalgo's style; wraps to the terminal's width only on a terminal.
pub fn table<I, R>(header: &[&str], rows: I) -> Table
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut t = Table::new();
    t.load_style(STYLE);
    if io::stdout().is_terminal() {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    }
    t.set_header(header.iter().copied());
    for row in rows {
        t.add_row(row.into_iter().collect::<Vec<_>>());
    }
    t
}

/// Writes a table followed by a newline.
pub fn write_table(out: &mut dyn Write, t: &Table) -> io::Result<()> {
    writeln!(out, "{t}")
}

/// A two-column table of labels and values.
pub fn fields(pairs: &[(&str, String)]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    for (k, v) in pairs {
        t.add_row([k.to_string(), v.clone()]);
    }
    t
}

/// "yes"/"no" for tables.
pub fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

/// "created" or what the thing already was.
pub fn created(b: bool) -> String {
    if b { "created".into() } else { "exists".into() }
}

/// A timestamp for tables, to the second, in UTC.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// An error raised by the CLI layer itself (usage, aborted confirmation).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError { kind: ErrorKind::Usage, message: message.into(), hint: Some(hint.into()) }
    }

    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CliError { kind, message: message.into(), hint: None }
    }
}

/// How a command ended, as a value: errors travel separately, as errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// A job ran and failed: a sync, a check, a pipeline run (exit 1).
    Failure,
    /// The main change was saved; a follow-up step was not (exit 3).
    Partial,
    /// Stopped by Ctrl-C (exit 130).
    Interrupted,
    /// A child's own exit code (dbt's), passed through.
    Child(u8),
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Partial => dalgo::ops::PARTIAL_EXIT_CODE,
            ExitStatus::Interrupted => 130,
            ExitStatus::Child(code) => code,
        }
    }

    /// Success when `ok`, else a failure.
    pub fn from_ok(ok: bool) -> ExitStatus {
        if ok { ExitStatus::Success } else { ExitStatus::Failure }
    }
}

/// What every command returns.
pub type CmdResult = anyhow::Result<ExitStatus>;

#[derive(Serialize)]
struct JsonError<'a> {
    error: JsonErrorBody<'a>,
}

#[derive(Serialize)]
struct JsonErrorBody<'a> {
    kind: ErrorKind,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

/// Prints the error on stderr (one line, a hint line maybe; JSON with
/// `--output json`) and returns the exit code. A broken pipe is not an error.
pub fn report_error(e: &anyhow::Error, format: Format) -> u8 {
    if e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)) {
        return 0;
    }
    let (kind, hint) = classify(e);
    let message = format!("{e:#}");
    let mut err = io::stderr().lock();
    // Nothing useful can be done if stderr itself is gone.
    let _ = match format {
        Format::Json => {
            let body = JsonError { error: JsonErrorBody { kind, message, hint: hint.as_deref() } };
            serde_json::to_writer(&mut err, &body).and_then(|_| writeln!(err).map_err(serde_json::Error::io))
        }
        Format::Table => writeln!(err, "error: {message}")
            .and_then(|_| hint.map_or(Ok(()), |h| writeln!(err, "hint: {h}")))
            .map_err(serde_json::Error::io),
    };
    kind.exit_code()
}

fn classify(e: &anyhow::Error) -> (ErrorKind, Option<String>) {
    for cause in e.chain() {
        if let Some(d) = cause.downcast_ref::<dalgo::Error>() {
            return (d.kind(), d.hint());
        }
        if let Some(c) = cause.downcast_ref::<CliError>() {
            return (c.kind, c.hint.clone());
        }
    }
    (ErrorKind::Failure, None)
}
