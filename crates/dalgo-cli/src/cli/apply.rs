//! `dalgo org export`, `dalgo apply` and `dalgo schema`: an org as a document.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use super::Context;
use super::output::{CliError, CmdResult, ExitStatus, Format, emit};
use dalgo::model::orgdoc::{self, Action, OrgDocument, Plan, ResourceChange};

/// `dalgo apply`'s arguments.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A document, a directory of them (*.yaml, *.yml, *.json; one org each), or - for stdin
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    file: PathBuf,
    /// Print the plan and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Exit 2 when the plan changes something, 0 when it changes nothing (as terraform's -detailed-exitcode)
    #[arg(long)]
    exit_code: bool,
    /// Do not ask before removing what the documents no longer list (needed off a terminal when a plan removes something)
    #[arg(short, long)]
    yes: bool,
}

/// One document's outcome.
#[derive(Debug, Serialize)]
struct Outcome {
    document: String,
    org: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<Plan>,
    applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    dry_run: bool,
    orgs: Vec<Outcome>,
}

/// `dalgo org export`: the org as YAML (`-o json`: JSON).
pub async fn export(ctx: &Context, slug: &str) -> CmdResult {
    let doc = ctx.dalgo().await?.export_org(slug).await?;
    match ctx.printer.format {
        Format::Json => emit(Format::Json, &doc, |_| Ok(())),
        _ => {
            let text = orgdoc::to_yaml(&doc)?;
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(ExitStatus::Success)
        }
    }
}

/// `dalgo schema`: the document's JSON Schema.
pub fn schema() -> CmdResult {
    emit(Format::Json, &orgdoc::schema(), |_| Ok(()))
}

/// `dalgo apply`: every document parsed first (nothing is written when one
/// cannot be read), then each planned and, unless `--dry-run`, applied.
pub async fn run(ctx: &Context, a: ApplyArgs) -> CmdResult {
    let docs = read_all(&a.file)?;
    OrgDocument::one_per_org(docs.iter().map(|(name, doc)| (name.as_str(), doc)))?;
    let dalgo = ctx.dalgo().await?;
    if !a.dry_run {
        confirm_removals(ctx, &dalgo, &docs, a.yes).await?;
    }
    let mut report = Report { dry_run: a.dry_run, orgs: Vec::new() };
    let mut last_error = None;
    for (name, doc) in docs {
        let done =
            if a.dry_run { dalgo.plan_document(&doc, &name).await } else { dalgo.apply_document(&doc, &name).await };
        let (plan, error) = match done {
            Ok(plan) => (Some(plan), None),
            Err(e) => {
                let text = e.to_string();
                last_error = Some(e);
                (None, Some(text))
            }
        };
        let applied = !a.dry_run && plan.is_some();
        report.orgs.push(Outcome { document: name, org: doc.org, plan, applied, error });
    }
    let failed = report.orgs.iter().filter(|o| o.error.is_some()).count();
    if a.dry_run {
        ctx.note("dry run: nothing was written");
    }
    // One document that failed is its error alone; when every one of
    // several failed, the report, then the last error with its code.
    if report.orgs.len() > 1 || last_error.is_none() {
        emit(ctx.printer.format, &report, |out| render(out, &report))?;
    }
    if let (true, Some(e)) = (failed == report.orgs.len(), last_error) {
        return Err(e.into());
    }
    let changed = report.orgs.iter().filter_map(|o| o.plan.as_ref()).any(|p| p.changed() > 0);
    Ok(match failed {
        0 if a.exit_code && changed => ExitStatus::Changes,
        0 => ExitStatus::Success,
        _ => ExitStatus::Partial,
    })
}

/// Asks before an apply removes anything (a member, flag value, pipeline,
/// connection … a document no longer lists), as `user remove` does: `--yes`,
/// or "y" at a terminal. The plans are made first for this; a document
/// whose plan fails is left to the apply, which reports it.
async fn confirm_removals(
    ctx: &Context,
    dalgo: &dalgo::ops::Dalgo,
    docs: &[(String, OrgDocument)],
    yes: bool,
) -> Result<(), anyhow::Error> {
    if yes {
        return Ok(());
    }
    let mut removals = Vec::new();
    for (name, doc) in docs {
        if let Ok(plan) = dalgo.plan_document(doc, name).await {
            let gone = plan.changes.iter().filter(|c| c.action == Action::Delete);
            removals.extend(gone.map(|c| format!("{} {} of {}", c.kind, c.name, doc.org)));
        }
    }
    if removals.is_empty() {
        return Ok(());
    }
    super::prompt::confirm(ctx, false, &format!("the plan removes {}; apply it?", removals.join(", ")))
}

/// The documents at `path` with their names, parsed.
fn read_all(path: &Path) -> Result<Vec<(String, OrgDocument)>, anyhow::Error> {
    let read = |name: String, reader: &mut dyn std::io::Read| -> Result<(String, OrgDocument), anyhow::Error> {
        let text = dalgo::document::read_limited(reader, &name)?;
        let doc = orgdoc::parse(&text, &name)?;
        Ok((name, doc))
    };
    if path.as_os_str() == "-" {
        return Ok(vec![read("<stdin>".into(), &mut std::io::stdin().lock())?]);
    }
    let open =
        |p: &Path| std::fs::File::open(p).map_err(|e| CliError::usage(format!("cannot read {}: {e}", p.display()), ""));
    if !path.is_dir() {
        return Ok(vec![read(path.display().to_string(), &mut open(path)?)?]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display()), ""))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CliError::usage(format!("{} holds no *.yaml, *.yml or *.json", path.display()), "").into());
    }
    files.iter().map(|p| read(p.display().to_string(), &mut open(p)?)).collect()
}

/// Per org: what changes (`+` create, `~` update, `-` delete), then how many
/// resources change and how many stay.
fn render(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    for o in &report.orgs {
        let Some(plan) = &o.plan else {
            writeln!(out, "org {} ({}): {}", o.org, o.document, o.error.as_deref().unwrap_or_default())?;
            continue;
        };
        let unchanged = plan.changes.len() - plan.changed();
        let verb = if o.applied { "changed" } else { "to change" };
        writeln!(out, "org {}: {} {verb}, {unchanged} unchanged", o.org, plan.changed())?;
        for c in plan.changes.iter().filter(|c| c.action != Action::Unchanged) {
            writeln!(out, "  {}", line(c))?;
        }
    }
    Ok(())
}

fn line(c: &ResourceChange) -> String {
    let sign = match c.action {
        Action::Create => "+",
        Action::Delete => "-",
        Action::Update | Action::Unchanged => "~",
    };
    let fields: Vec<String> = c.fields.iter().map(|f| format!("{} {} → {}", f.field, f.from, f.to)).collect();
    let detail = if fields.is_empty() { String::new() } else { format!(": {}", fields.join(", ")) };
    format!("{sign} {} {}{detail}", c.kind, c.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dalgo::model::orgdoc::{FieldChange, ResourceKind};
    use serde_json::json;

    #[test]
    fn a_plan_reads_as_a_diff() {
        let change = |kind, name: &str, action, fields| ResourceChange { kind, name: name.into(), action, fields };
        let cron = FieldChange { field: "cron".into(), from: json!("0 2 * * *"), to: json!("0 3 * * *") };
        let plan = Plan {
            org: "acme".into(),
            changes: vec![
                change(ResourceKind::Org, "acme", Action::Unchanged, vec![]),
                change(ResourceKind::Member, "new@acme.org", Action::Create, vec![]),
                change(ResourceKind::Pipeline, "daily", Action::Update, vec![cron]),
            ],
        };
        let report = Report {
            dry_run: true,
            orgs: vec![Outcome {
                document: "a.yaml".into(),
                org: "acme".into(),
                plan: Some(plan),
                applied: false,
                error: None,
            }],
        };
        let mut out = Vec::new();
        render(&mut out, &report).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "org acme: 2 to change, 1 unchanged\n  + member new@acme.org\n  ~ pipeline daily: cron \"0 2 * * *\" → \"0 3 * * *\"\n"
        );
    }
}
