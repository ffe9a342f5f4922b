//! Rendering: tables or JSON on stdout, messages and errors on stderr.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle, presets};
use serde::Serialize;

use dalgo::ErrorKind;

/// `--output`: tables for people, JSON or names for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables fitted to the terminal's width (ids and times are never cut)
    Table,
    /// Tables with every column and every character
    Wide,
    /// JSON, for scripts
    Json,
    /// One identifier per line (a slug, email, name or id), for `xargs` and `while read`
    Name,
}

/// How results are drawn: the format, and for tables the width they are
/// fitted to, whether they have a header line, and whether times show their
/// age. Made once from the global options and the terminal; a test makes a
/// [`Printer::plain`] one, so every renderer runs without a process.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: Format,
    /// Fit tables to this many columns; `None`: whole tables.
    width: Option<usize>,
    headers: bool,
    /// Times with their age beside them ("3h ago"): at a terminal only, so
    /// scripts and diffs see fixed text.
    ages: bool,
}

impl Printer {
    /// For stdout as it is: a terminal's width (unless `-o wide`) and ages there.
    pub fn new(format: Format, no_headers: bool) -> Printer {
        let terminal = io::stdout().is_terminal();
        let width = if terminal && format != Format::Wide { terminal_width() } else { None };
        Printer { format, width, headers: !no_headers, ages: terminal }
    }

    /// Whole tables with headers and fixed times, whatever stdout is.
    #[cfg(test)]
    pub fn plain(format: Format) -> Printer {
        Printer { format, width: None, headers: true, ages: false }
    }

    /// A table with dalgo's style, fitted to the printer's width (see
    /// [`super::fit`]; columns left out are said on stderr).
    pub fn table<I, R>(&self, header: &[&str], rows: I) -> Table
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = String>,
    {
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.into_iter().collect()).collect();
        let mut t = Table::new();
        t.load_style(STYLE);
        let (header, rows) = match self.width {
            Some(w) => {
                let f = super::fit::fit(header, rows, w);
                if f.hidden > 0 {
                    eprintln!("({} column(s) left out to fit {w} columns; -o wide shows them)", f.hidden);
                }
                (f.header, f.rows)
            }
            None => (header, rows),
        };
        t.set_content_arrangement(ContentArrangement::Disabled);
        if self.headers {
            t.set_header(header);
        }
        for row in rows {
            t.add_row(row);
        }
        t
    }

    /// A timestamp for tables, to the second, in UTC; with its age beside
    /// it ("3h ago", "in 5m") at a terminal.
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        let at = t.format("%Y-%m-%d %H:%M:%SZ");
        if self.ages { format!("{at} ({})", age(*t, chrono::Utc::now())) } else { at.to_string() }
    }
}

/// Writes a command's result to stdout: `data` as JSON, its names, or what
/// `human` writes.
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
        Format::Name => match serde_json::to_value(data).map_err(io::Error::from)? {
            serde_json::Value::Array(rows) => rows.iter().try_for_each(|row| write_name(&mut out, row))?,
            one => write_name(&mut out, &one)?,
        },
        Format::Table | Format::Wide => human(&mut out)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The keys that name a result, most specific first: what `-o name` prints.
const NAME_KEYS: [&str; 8] = ["slug", "email", "name", "flow_run_id", "job_id", "org_task_uuid", "connection_id", "id"];

/// One line for `-o name`: the row's identifier, or the row as one line of
/// JSON when it has none (a dry run's `{dry_run, would}`).
fn write_name(out: &mut dyn Write, row: &serde_json::Value) -> io::Result<()> {
    use serde_json::Value;
    match NAME_KEYS.iter().find_map(|k| row.get(k).filter(|v| !v.is_null())) {
        Some(Value::String(s)) => writeln!(out, "{s}"),
        Some(v @ Value::Number(_)) => writeln!(out, "{v}"),
        _ => writeln!(out, "{row}"),
    }
}

/// Writes a stream of rows as they arrive: JSON as one array, byte for byte
/// what [`emit`] writes for the collected list; a table off a terminal
/// through [`StreamTable`]; on a terminal (where the table fits its width)
/// collected first. Memory stays flat off a terminal however many rows. No
/// rows is "no `<noun>`" on stderr, as [`write_list`] says it.
pub async fn emit_stream<T: Serialize>(
    p: &Printer,
    rows: impl futures_util::Stream<Item = dalgo::Result<T>>,
    header: &[&str],
    noun: &str,
    cells: impl Fn(&T) -> Vec<String>,
) -> CmdResult {
    use futures_util::StreamExt;
    let mut rows = std::pin::pin!(rows);
    let mut out = io::BufWriter::new(io::stdout().lock());
    match p.format {
        Format::Json => {
            use serde::ser::{SerializeSeq, Serializer};
            let mut ser = serde_json::Serializer::pretty(&mut out);
            let mut seq = ser.serialize_seq(None).map_err(io::Error::from)?;
            while let Some(row) = rows.next().await {
                seq.serialize_element(&row?).map_err(io::Error::from)?;
            }
            seq.end().map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Name => {
            while let Some(row) = rows.next().await {
                write_name(&mut out, &serde_json::to_value(row?).map_err(io::Error::from)?)?;
            }
        }
        Format::Table | Format::Wide if io::stdout().is_terminal() => {
            let mut all = Vec::new();
            while let Some(row) = rows.next().await {
                all.push(cells(&row?));
            }
            write_list(&mut out, noun, &p.table(header, all))?;
        }
        Format::Table | Format::Wide => match rows.next().await {
            None => say_empty(noun)?,
            Some(first) => {
                let mut t = StreamTable::new(&mut out, header, p.headers);
                t.row(cells(&first?))?;
                while let Some(row) = rows.next().await {
                    t.row(cells(&row?))?;
                }
                t.finish()?;
            }
        },
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// How many rows set a [`StreamTable`]'s column widths.
const WIDTH_ROWS: usize = 1000;

/// A table written as its rows come, in [`Printer::table`]'s plain style off a
/// terminal (the same bytes for up to [`WIDTH_ROWS`] rows). The header and
/// the first rows set the column widths; a later, wider value widens only its
/// own line, and is never cut.
pub struct StreamTable<'a> {
    out: &'a mut dyn Write,
    header: Vec<String>,
    headers: bool,
    first: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
}

impl<'a> StreamTable<'a> {
    pub fn new(out: &'a mut dyn Write, header: &[&str], headers: bool) -> Self {
        let header = header.iter().map(|h| h.to_string()).collect();
        StreamTable { out, header, headers, first: Vec::new(), widths: None }
    }

    pub fn row(&mut self, cells: Vec<String>) -> io::Result<()> {
        match &self.widths {
            Some(widths) => write_cells(self.out, widths, &cells),
            None => {
                self.first.push(cells);
                if self.first.len() == WIDTH_ROWS { self.start() } else { Ok(()) }
            }
        }
    }

    /// Fixes the widths and writes the header and the rows held so far.
    fn start(&mut self) -> io::Result<()> {
        use unicode_width::UnicodeWidthStr;
        let shown = self.headers;
        let mut widths: Vec<usize> = self.header.iter().map(|h| if shown { h.width() } else { 0 }).collect();
        for row in &self.first {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        if shown {
            write_cells(self.out, &widths, &self.header)?;
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
            writeln!(self.out, "{}", rule.join(" "))?;
        }
        for row in std::mem::take(&mut self.first) {
            write_cells(self.out, &widths, &row)?;
        }
        self.widths = Some(widths);
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        if self.widths.is_none() {
            self.start()?;
        }
        Ok(())
    }
}

/// One line: each cell padded to its column's width, one space either side,
/// columns one space apart.
fn write_cells(out: &mut dyn Write, widths: &[usize], cells: &[String]) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push(' ');
        }
        line.push(' ');
        line.push_str(cell);
        line.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.width()) + 1));
    }
    writeln!(out, "{line}")
}

/// Plain columns under a dashed header line, like psql: easy to read, to grep and to paste.
const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('-').junction(' '));

/// The width a table is fitted to on a terminal: `COLUMNS` when set, else
/// what the terminal reports; `None` (the whole table) where the terminal
/// reports no usable width (0 columns under `script` or some `docker exec
/// -t`: everything used to collapse into one column).
fn terminal_width() -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|c| *c > 0);
    columns.or_else(|| Table::new().width().map(usize::from)).filter(|w| *w >= 20)
}

/// Writes a table followed by a newline.
pub fn write_table(out: &mut dyn Write, t: &Table) -> io::Result<()> {
    writeln!(out, "{t}")
}

/// `--limit` of a list command.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Limit {
    /// Show at most N (default: all)
    #[arg(long = "limit", value_name = "N")]
    pub n: Option<usize>,
}

impl Limit {
    /// The first N of `rows`.
    pub fn cut<T>(self, mut rows: Vec<T>) -> Vec<T> {
        rows.truncate(self.max());
        rows
    }

    /// N, or no limit.
    pub fn max(self) -> usize {
        self.n.unwrap_or(usize::MAX)
    }
}

/// A list's table; an empty one writes nothing on stdout and says
/// "no `<noun>`" on stderr instead of a bare header.
pub fn write_list(out: &mut dyn Write, noun: &str, t: &Table) -> io::Result<()> {
    if t.row_count() == 0 { say_empty(noun) } else { write_table(out, t) }
}

fn say_empty(noun: &str) -> io::Result<()> {
    writeln!(io::stderr(), "no {noun}")
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

/// How long ago `t` was (or how soon it is), in its largest unit.
fn age(t: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let secs = (now - t).num_seconds();
    let n = secs.unsigned_abs();
    let span = match n {
        0..60 => format!("{n}s"),
        60..3600 => format!("{}m", n / 60),
        3600..86_400 => format!("{}h", n / 3600),
        _ => format!("{}d", n / 86_400),
    };
    if secs >= 0 { format!("{span} ago") } else { format!("in {span}") }
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
    /// `apply --exit-code`: the plan changes something (exit 2, as
    /// terraform's `-detailed-exitcode`).
    Changes,
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
            // What matters was saved, a follow-up step was not (the library's `Step::Failed`).
            ExitStatus::Partial => 3,
            ExitStatus::Changes => 2,
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
        Format::Table | Format::Wide | Format::Name => writeln!(err, "{} {message}", label("error:", RED))
            .and_then(|_| hint.map_or(Ok(()), |h| writeln!(err, "{} {h}", label("hint:", GREEN))))
            .map_err(serde_json::Error::io),
    };
    kind.exit_code()
}

const RED: &str = "31";
const GREEN: &str = "32";
pub const YELLOW: &str = "33";

/// `error:`, `hint:`, `warning:` in bold colour as clap writes its own, when
/// stderr is a terminal that takes colour (not `NO_COLOR`, not `TERM=dumb`).
pub fn label(text: &str, colour: &str) -> String {
    use std::io::IsTerminal;
    let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb")
        || !io::stderr().is_terminal();
    if plain { text.to_string() } else { format!("\x1b[1;{colour}m{text}\x1b[0m") }
}

fn classify(e: &anyhow::Error) -> (ErrorKind, Option<String>) {
    for cause in e.chain() {
        if let Some(d) = cause.downcast_ref::<dalgo::Error>() {
            return (d.kind(), d.hint().or_else(|| d.next_step().map(|s| super::next_step::hint(&s))));
        }
        if let Some(c) = cause.downcast_ref::<CliError>() {
            return (c.kind, c.hint.clone());
        }
    }
    (ErrorKind::Failure, None)
}

/// One compact JSON object per line, flushed at once (for `| jq` while following).
pub fn write_ndjson<T: Serialize>(items: &[T]) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for item in items {
        serde_json::to_writer(&mut out, item).map_err(io::Error::from)?;
        writeln!(out)?;
    }
    out.flush()
}

/// What renderer tests share: a fixed time and a writer's text.
#[cfg(test)]
pub mod testing {
    pub fn at(hour: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(2026, 12, 6, hour, 0, 0).unwrap()
    }

    /// The org the renderer tests show.
    pub fn org(airbyte_workspace_id: Option<&str>) -> dalgo::model::org::Org {
        dalgo::model::org::Org {
            id: 7,
            uuid: "8f14e45f-ceea-467f-a0e6-5a2b1c3d4e5f".parse().unwrap(),
            name: "Acme NGO".into(),
            slug: "acme-ngo".into(),
            airbyte_workspace_id: airbyte_workspace_id.map(String::from),
            created_at: at(1),
            updated_at: at(1),
        }
    }

    pub fn text(render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        render(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_in_their_largest_unit_past_or_future() {
        let now = chrono::Utc::now();
        let ago = |secs: i64| age(now - chrono::Duration::seconds(secs), now);
        assert_eq!(
            [ago(5), ago(125), ago(3 * 3600 + 5), ago(2 * 86_400), ago(-300)],
            ["5s ago", "2m ago", "3h ago", "2d ago", "in 5m"]
        );
    }

    fn rows(n: usize) -> Vec<Vec<String>> {
        (0..n).map(|i| vec![format!("Org {i} naïve 日本"), format!("org-{i}"), String::new(), i.to_string()]).collect()
    }

    /// Off a terminal, a streamed table is the comfy table, byte for byte.
    #[test]
    fn a_streamed_table_is_the_same_table() {
        let header = ["NAME", "SLUG", "PLAN", "MEMBERS"];
        for n in [0, 1, 7, WIDTH_ROWS] {
            let mut want = Vec::new();
            write_table(&mut want, &Printer::plain(Format::Table).table(&header, rows(n))).unwrap();
            let mut got = Vec::new();
            let mut t = StreamTable::new(&mut got, &header, true);
            for r in rows(n) {
                t.row(r).unwrap();
            }
            t.finish().unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap(), "{n} rows");
        }
    }

    #[test]
    fn rows_past_the_first_page_keep_the_columns() {
        let mut got = Vec::new();
        let mut t = StreamTable::new(&mut got, &["A", "B"], true);
        for i in 0..WIDTH_ROWS + 5 {
            t.row(vec![format!("{}", i % 10), "x".into()]).unwrap();
        }
        t.row(vec!["much wider than the first rows".into(), "y".into()]).unwrap();
        t.finish().unwrap();
        let text = String::from_utf8(got).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), WIDTH_ROWS + 8);
        assert_eq!(lines[WIDTH_ROWS + 6], " 4   x ");
        assert_eq!(lines[WIDTH_ROWS + 7], " much wider than the first rows   y ");
    }
}
