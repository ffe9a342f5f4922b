//! Dynamic completion: the shell asks the binary (`COMPLETE=bash dalgo`),
//! which offers the org slugs, pipeline names and Airbyte connections there
//! are. Each lookup is one query (or one Airbyte call) with a short connect
//! timeout; when nothing can be asked, nothing is offered.

use std::ffi::OsStr;
use std::time::Duration;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

/// What a completed argument names.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Org,
    Pipeline,
    Connection,
}

/// (command path prefix, argument's long name or positional id, what it
/// names): the arguments whose values are completed from the platform; the
/// first entry that matches decides, `None` for a value that must be new.
const COMPLETED: &[(&str, &str, Option<Kind>)] = &[
    ("", "org", Some(Kind::Org)),
    ("org show", "slug", Some(Kind::Org)),
    ("org delete", "slug", Some(Kind::Org)),
    ("pipeline create", "name", None),
    ("pipeline", "name", Some(Kind::Pipeline)),
    ("pipeline", "connection", Some(Kind::Connection)),
    ("airbyte connections", "id", Some(Kind::Connection)),
    ("airbyte sync", "connection_id", Some(Kind::Connection)),
    ("airbyte reset", "connection_id", Some(Kind::Connection)),
    ("airbyte jobs", "connection", Some(Kind::Connection)),
];

/// `cmd` with completers on the arguments [`COMPLETED`] names.
pub fn with_completers(cmd: clap::Command) -> clap::Command {
    walk(cmd, String::new())
}

/// What the argument `key` of the command at `path` names, if it is completed.
fn kind_of(path: &str, key: &str) -> Option<Kind> {
    COMPLETED.iter().find(|(prefix, arg, _)| *arg == key && path.starts_with(prefix)).and_then(|&(_, _, kind)| kind)
}

/// How [`COMPLETED`] names an argument: its long name, else its id.
fn key(arg: &clap::Arg) -> String {
    arg.get_long().unwrap_or(arg.get_id().as_str()).to_string()
}

fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path} {name}") }
}

fn walk(mut cmd: clap::Command, path: String) -> clap::Command {
    let args: Vec<(String, String)> = cmd.get_arguments().map(|a| (a.get_id().to_string(), key(a))).collect();
    for (id, key) in args {
        if let Some(kind) = kind_of(&path, &key) {
            cmd = cmd.mut_arg(&id, |a| a.add(ArgValueCompleter::new(move |current: &OsStr| candidates(kind, current))));
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        let child = child_path(&path, &name);
        cmd = cmd.mut_subcommand(&name, |s| walk(s, child));
    }
    cmd
}

fn candidates(kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else { return Vec::new() };
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return Vec::new() };
    let found = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(3), lookup(kind, prefix)).await.ok().and_then(Result::ok)
    });
    found
        .unwrap_or_default()
        .into_iter()
        .filter(|(value, _)| value.starts_with(prefix) && shell_safe(value))
        .map(|(value, help)| CompletionCandidate::new(value).help(help.map(Into::into)))
        .collect()
}

/// Whether a value can be offered as it is to any shell: names come from
/// users (Dalgo's web UI, an import), and the shells' completion scripts put
/// candidates on the command line unquoted (bash's even globs them), so a
/// name holding `$( )`, a backquote, `*` or a space would run or expand when
/// the line is entered. Such names are not offered; they are typed quoted.
fn shell_safe(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@+,:/=%".contains(c))
}

/// (value, what it is) pairs: orgs with their names; pipelines of
/// `DALGO_ORG` (else of every org) with their org; connections of
/// `DALGO_ORG` from Airbyte with their names.
async fn lookup(kind: Kind, prefix: &str) -> dalgo::Result<Vec<(String, Option<String>)>> {
    let mut cfg = dalgo::config::Config::load(&dalgo::config::Overrides::default())?;
    cfg.database.connect_timeout = Duration::from_secs(2);
    let org = std::env::var("DALGO_ORG").ok().filter(|o| !o.is_empty());
    let dalgo = dalgo::ops::Dalgo::connect(cfg).await?;
    Ok(match kind {
        Kind::Org => {
            dalgo.orgs().slugs_starting(prefix).await?.into_iter().map(|(slug, name)| (slug, Some(name))).collect()
        }
        Kind::Pipeline => dalgo
            .orgs()
            .pipeline_names_starting(org.as_deref(), prefix)
            .await?
            .into_iter()
            .map(|(name, slug)| (name, Some(format!("pipeline of {slug}"))))
            .collect(),
        Kind::Connection => match org {
            Some(org) => dalgo
                .org(&org)
                .airbyte()
                .await?
                .connections()
                .await?
                .into_iter()
                .map(|c| (c.connection_id, Some(c.name)))
                .collect(),
            None => Vec::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry of [`COMPLETED`] names an argument that exists, so a
    /// renamed argument cannot silently lose its completion.
    #[test]
    fn every_completed_argument_exists() {
        fn keys(cmd: &clap::Command, path: String, found: &mut Vec<(String, String)>) {
            for a in cmd.get_arguments() {
                found.push((path.clone(), key(a)));
            }
            for s in cmd.get_subcommands() {
                keys(s, child_path(&path, s.get_name()), found);
            }
        }
        let mut found = Vec::new();
        keys(&crate::cli::command(), String::new(), &mut found);
        for (prefix, arg, _) in COMPLETED {
            assert!(found.iter().any(|(path, key)| key == arg && path.starts_with(prefix)), "{prefix} {arg}");
        }
        assert!(kind_of("pipeline create", "name").is_none());
        assert!(matches!(kind_of("pipeline show", "name"), Some(Kind::Pipeline)));
        assert!(matches!(kind_of("user list", "org"), Some(Kind::Org)));
    }
}
