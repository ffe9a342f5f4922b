//! An example for every leaf command, in one table, and the descriptions of
//! arguments that mean the same wherever they appear (an `id` under
//! `airbyte sources`, a pipeline's `name`): [`with_examples`] adds both to
//! `--help` (after what a command says itself). Tests check that every leaf
//! has an example, every argument a description, and every entry a command.

/// Command path → example lines (each a whole command, under 90 columns).
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "pipeline logs",
        &["dalgo pipeline logs FLOW_RUN_ID --follow", "dalgo pipeline logs FLOW_RUN_ID -o json | jq -r .[].message"],
    ),
    ("migrate", &["dalgo migrate", "DATABASE_URL=postgres://dalgo@db.internal/dalgo dalgo migrate -o json"]),
    ("create-system-orguser", &["dalgo create-system-orguser"]),
    ("maintain", &["dalgo maintain", "dalgo maintain --lock-age 1h --lookback 6h -o json"]),
    (
        "import django",
        &[
            "dalgo import django --from postgres://dalgo@django-db/ddp --dry-run",
            "dalgo import django --from \"$DJANGO_URL\" --secrets-dir /srv/ddp/secrets",
            "dalgo import django --from \"$DJANGO_URL\" --rename 12=acme-india -o json",
        ],
    ),
    ("pipeline crash", &["dalgo pipeline crash FLOW_RUN_ID --dry-run", "dalgo pipeline crash FLOW_RUN_ID --yes"]),
    ("org list", &["dalgo org list", "dalgo org list -o json | jq -r '.[].slug'"]),
    (
        "org show",
        &["dalgo org show acme-ngo", "DALGO_ORG=acme-ngo dalgo org show -o json", "dalgo org show acme-ngo --entities"],
    ),
    ("org delete", &["dalgo org delete acme-ngo --dry-run", "dalgo org delete acme-ngo --yes --keep-airbyte"]),
    ("org export", &["dalgo org export acme-ngo > orgs/acme-ngo.yaml", "dalgo org export --org acme-ngo -o json"]),
    (
        "apply",
        &[
            "dalgo apply -f orgs/acme-ngo.yaml --dry-run",
            "dalgo apply -f orgs/ --dry-run --exit-code   # in CI: 2 when a review would change something",
            "dalgo org export acme-ngo | sed 's/role: member/role: analyst/' | dalgo apply -f -",
        ],
    ),
    ("schema", &["dalgo schema > dalgo-org.schema.json"]),
    (
        "org plan set",
        &[
            "dalgo org plan set --org acme-ngo --plan dalgo --duration annual --superset yes",
            "dalgo org plan set --org acme-ngo --plan 'Free Trial' --duration trial --end 2027-01-31",
        ],
    ),
    (
        "pipeline reschedule",
        &["dalgo pipeline reschedule --all --org acme-ngo", "dalgo pipeline reschedule nightly weekly --org acme-ngo"],
    ),
    ("org plan show", &["dalgo org plan show --org acme-ngo", "dalgo org plan show --org acme-ngo -o json"]),
    ("user list", &["dalgo user list --org acme-ngo", "dalgo user list -o json"]),
    ("user add", &["printf %s \"$PW\" | dalgo user add ana@acme.org --org acme-ngo --role analyst --password-stdin"]),
    ("user set-role", &["dalgo user set-role ana@acme.org --org acme-ngo --role admin"]),
    (
        "user remove",
        &[
            "dalgo user remove ana@acme.org --org acme-ngo --dry-run",
            "dalgo user remove ana@acme.org --org acme-ngo --yes",
        ],
    ),
    ("user set-password", &["printf %s \"$PW\" | dalgo user set-password ana@acme.org --password-stdin"]),
    (
        "user attributes",
        &[
            "dalgo user attributes ana@acme.org",
            "dalgo user attributes ana@acme.org --enable is_consultant --disable can_create_orgs",
        ],
    ),
    ("role list", &["dalgo role list"]),
    (
        "audit list",
        &[
            "dalgo audit list --org acme-ngo --since 24h",
            "dalgo audit list --actor asha -o json | jq '.[].resource_id'",
        ],
    ),
    ("role show", &["dalgo role show analyst"]),
    ("warehouse show", &["dalgo warehouse show --org acme-ngo", "dalgo warehouse show --org acme-ngo -o json"]),
    ("warehouse delete", &["dalgo warehouse delete --org acme-ngo --dry-run"]),
    (
        "dbt setup",
        &[
            "dalgo dbt setup --org acme-ngo --repo https://github.com/acme/dbt.git --token-stdin < token",
            "dalgo dbt setup --org acme-ngo --local /srv/acme/dbt --default-schema analytics",
        ],
    ),
    ("dbt teardown", &["dalgo dbt teardown --org acme-ngo --dry-run"]),
    ("dbt status", &["dalgo dbt status --org acme-ngo --limit 5"]),
    ("dbt git-pull", &["dalgo dbt git-pull --org acme-ngo --no-wait"]),
    ("secrets list", &["dalgo secrets list"]),
    ("secrets show", &["dalgo secrets show warehouseCreds-acme-ngo-1b4e28ba", "dalgo secrets show NAME --reveal"]),
    ("secrets delete", &["dalgo secrets delete old-secret --dry-run"]),
    ("airbyte health", &["dalgo airbyte health"]),
    (
        "airbyte login",
        &[
            "abctl local credentials --json | jq -r .client_secret | dalgo airbyte login --client-id ID",
            "dalgo airbyte login --username airbyte   # asks for the password",
        ],
    ),
    ("airbyte workspace create", &["dalgo airbyte workspace create --org acme-ngo"]),
    ("airbyte workspace show", &["dalgo airbyte workspace show --org acme-ngo"]),
    ("airbyte workspace delete", &["dalgo airbyte workspace delete --org acme-ngo --dry-run"]),
    ("airbyte source-definitions", &["dalgo airbyte source-definitions --org acme-ngo | grep -i postgres"]),
    ("airbyte destination-definitions", &["dalgo airbyte destination-definitions --org acme-ngo"]),
    ("airbyte sources list", &["dalgo airbyte sources list --org acme-ngo"]),
    ("airbyte sources show", &["dalgo airbyte sources show --org acme-ngo SOURCE_ID"]),
    (
        "airbyte sources create",
        &["dalgo airbyte sources create --org acme-ngo --name crm --definition Postgres --config crm.yaml"],
    ),
    ("airbyte sources update", &["dalgo airbyte sources update --org acme-ngo SOURCE_ID --config crm.yaml"]),
    ("airbyte sources check", &["dalgo airbyte sources check --org acme-ngo SOURCE_ID"]),
    ("airbyte sources discover", &["dalgo airbyte sources discover --org acme-ngo SOURCE_ID -o json"]),
    ("airbyte sources delete", &["dalgo airbyte sources delete --org acme-ngo SOURCE_ID --dry-run"]),
    ("airbyte destinations list", &["dalgo airbyte destinations list --org acme-ngo"]),
    ("airbyte destinations show", &["dalgo airbyte destinations show --org acme-ngo DESTINATION_ID"]),
    (
        "airbyte destinations create",
        &["dalgo airbyte destinations create --org acme-ngo --name wh --definition Postgres --config wh.yaml"],
    ),
    (
        "airbyte destinations update",
        &["dalgo airbyte destinations update --org acme-ngo DESTINATION_ID --config wh.yaml"],
    ),
    ("airbyte destinations check", &["dalgo airbyte destinations check --org acme-ngo DESTINATION_ID"]),
    ("airbyte destinations discover", &["dalgo airbyte destinations discover --org acme-ngo DESTINATION_ID"]),
    ("airbyte destinations delete", &["dalgo airbyte destinations delete --org acme-ngo DESTINATION_ID --dry-run"]),
    ("airbyte connections list", &["dalgo airbyte connections list --org acme-ngo"]),
    ("airbyte connections show", &["dalgo airbyte connections show --org acme-ngo CONNECTION_ID -o json"]),
    (
        "airbyte connections create",
        &["dalgo airbyte connections create --org acme-ngo --source SOURCE_ID --schedule '0 2 * * *'"],
    ),
    ("airbyte connections update", &["dalgo airbyte connections update --org acme-ngo CONNECTION_ID --disable"]),
    ("airbyte connections delete", &["dalgo airbyte connections delete --org acme-ngo CONNECTION_ID --dry-run"]),
    (
        "airbyte sync",
        &[
            "dalgo airbyte sync --org acme-ngo CONNECTION_ID --wait",
            "dalgo airbyte sync --org acme-ngo --all --wait --cancel-on-interrupt",
        ],
    ),
    ("airbyte reset", &["dalgo airbyte reset --org acme-ngo CONNECTION_ID --dry-run"]),
    ("airbyte jobs list", &["dalgo airbyte jobs list --org acme-ngo --limit 20"]),
    ("airbyte jobs show", &["dalgo airbyte jobs show --org acme-ngo 4321"]),
    ("airbyte jobs logs", &["dalgo airbyte jobs logs --org acme-ngo 4321 | less"]),
    ("airbyte jobs cancel", &["dalgo airbyte jobs cancel --org acme-ngo 4321"]),
    (
        "pipeline create",
        &["dalgo pipeline create --org acme-ngo --name nightly --connection CONNECTION_ID --cron '0 2 * * *'"],
    ),
    ("pipeline list", &["dalgo pipeline list --org acme-ngo"]),
    ("pipeline show", &["dalgo pipeline show --org acme-ngo nightly"]),
    ("pipeline blocks", &["dalgo pipeline blocks --org acme-ngo"]),
    ("pipeline update", &["dalgo pipeline update --org acme-ngo nightly --cron '30 3 * * *'"]),
    ("pipeline pause", &["dalgo pipeline pause --org acme-ngo nightly"]),
    ("pipeline resume", &["dalgo pipeline resume --org acme-ngo nightly"]),
    ("pipeline delete", &["dalgo pipeline delete --org acme-ngo nightly --dry-run"]),
    ("pipeline history", &["dalgo pipeline history --org acme-ngo nightly --limit 5"]),
    ("pipeline cancel", &["dalgo pipeline cancel FLOW_RUN_ID"]),
    ("pipeline retry", &["dalgo pipeline retry FLOW_RUN_ID"]),
    ("pipeline sync-runs", &["dalgo pipeline sync-runs --org acme-ngo --lookback-hours 48"]),
    (
        "worker",
        &[
            "dalgo worker --pool dalgo-pool --queue ddp --name dalgo-worker-1",
            "dalgo worker --pool dalgo-pool --once -o json",
        ],
    ),
    ("locks list", &["dalgo locks list --org acme-ngo"]),
    ("locks release-stale", &["dalgo locks release-stale --older-than 2h"]),
    ("locks release", &["dalgo locks release ORG_TASK_UUID --dry-run"]),
    (
        "completions",
        &["dalgo completions bash > /etc/bash_completion.d/dalgo", "echo 'source <(COMPLETE=bash dalgo)' >> ~/.bashrc"],
    ),
];

/// (command path prefix, argument id, description) for arguments a command
/// does not describe itself; the first matching prefix wins.
const ARG_HELP: &[(&str, &str, &str)] = &[
    ("user", "email", "The user's email address (matched case-insensitively)"),
    ("user", "role", "The role's slug (`dalgo role list` shows them)"),
    ("user set-password", "password_stdin", "Read the new password from stdin"),
    ("warehouse set", "wtype", "The warehouse's type"),
    ("secrets", "name", "The secret's name, as `dalgo secrets list` shows it"),
    ("airbyte sources", "id", "The source's id"),
    ("airbyte sources", "name", "The source's name in the org's workspace"),
    ("airbyte destinations", "id", "The destination's id"),
    ("airbyte destinations", "name", "The destination's name in the org's workspace"),
    ("airbyte", "config", "The connector's configuration, a JSON or YAML file (- for stdin)"),
    ("airbyte connections", "id", "The connection's id"),
    ("airbyte connections", "source", "The id of the source to read from"),
    ("airbyte connections", "name", "The connection's name"),
    ("airbyte connections", "sync_mode", "How every selected stream is read"),
    ("airbyte connections", "destination_sync_mode", "How the destination writes what is read"),
    ("airbyte connections", "namespace", "The destination namespace (schema) to write to"),
    (
        "airbyte connections",
        "schedule",
        "Sync on this cron schedule, in UTC (5 fields, e.g. '0 2 * * *', or Quartz's 6 or 7)",
    ),
    ("airbyte connections", "enable", "Turn the connection's syncs on"),
    ("airbyte connections", "disable", "Turn the connection's syncs off"),
    ("airbyte sync", "connection_id", "The connection to sync"),
    ("airbyte jobs", "connection", "Only this connection's jobs"),
    ("airbyte jobs", "job_id", "The Airbyte job's id (`dalgo airbyte jobs list` shows them)"),
    ("", "limit", "How many to show, newest first"),
    ("pipeline", "name", "The pipeline's name"),
    ("pipeline", "cron", "Run on this cron schedule (5 fields: minute hour day month weekday)"),
    ("pipeline", "flow_run_id", "The Prefect flow run's id (`dalgo pipeline history` shows them)"),
    ("pipeline sync-runs", "lookback_hours", "How many hours back to look for runs"),
    ("", "org", "Only this org's (its slug)"),
];

/// `cmd` and its subcommands, each leaf's help ending with its examples
/// (unless it spells its own) and every argument described.
pub fn with_examples(cmd: clap::Command) -> clap::Command {
    walk(cmd, String::new())
}

fn describe_args(mut cmd: clap::Command, path: &str) -> clap::Command {
    let bare: Vec<String> =
        cmd.get_arguments().filter(|a| a.get_help().is_none()).map(|a| a.get_id().to_string()).collect();
    for id in bare {
        let found = ARG_HELP.iter().find(|(prefix, arg, _)| *arg == id && path.starts_with(prefix));
        if let Some((_, _, help)) = found {
            cmd = cmd.mut_arg(&id, |a| a.help(*help));
        }
    }
    cmd
}

fn walk(mut cmd: clap::Command, path: String) -> clap::Command {
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).filter(|n| n != "help").collect();
    if subs.is_empty() {
        cmd = describe_args(cmd, &path);
        if let Some((_, lines)) = EXAMPLES.iter().find(|(p, _)| *p == path) {
            let examples = render(lines);
            let help = match cmd.get_after_help() {
                Some(own) => format!("{own}\n\n{examples}"),
                None => examples,
            };
            cmd = cmd.after_help(help);
        }
        return cmd;
    }
    for name in subs {
        let child = if path.is_empty() { name.clone() } else { format!("{path} {name}") };
        cmd = cmd.mut_subcommand(&name, |s| walk(s, child));
    }
    cmd
}

fn render(lines: &[&str]) -> String {
    let head = if lines.len() == 1 { "Example:" } else { "Examples:" };
    lines.iter().fold(head.to_string(), |text, l| format!("{text}\n  {l}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
        let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| s.get_name() != "help").collect();
        if subs.is_empty() {
            out.push((path.clone(), cmd.clone()));
        }
        for s in subs {
            let child = if path.is_empty() { s.get_name().to_string() } else { format!("{path} {}", s.get_name()) };
            leaves(s, child, out);
        }
    }

    fn all() -> Vec<(String, clap::Command)> {
        let mut out = Vec::new();
        leaves(&super::super::command(), String::new(), &mut out);
        out
    }

    #[test]
    fn every_leaf_command_has_an_example_and_every_entry_is_a_command() {
        let all = all();
        let mut wrong = Vec::new();
        for (path, cmd) in &all {
            let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            match after.matches("Example").count() {
                0 => wrong.push(format!("`dalgo {path}` has no example")),
                1 => {}
                _ => wrong.push(format!("`dalgo {path}` has examples of its own and in examples.rs: keep one")),
            }
        }
        for (path, _) in EXAMPLES {
            if !all.iter().any(|(p, _)| p == path) {
                wrong.push(format!("examples.rs names no command `dalgo {path}`"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn examples_fit_a_100_column_help_without_wrapping() {
        let mut wrong = Vec::new();
        for (path, cmd) in all() {
            let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            for line in after.lines().skip_while(|l| !l.starts_with("Example")).filter(|l| l.len() > 100) {
                wrong.push(format!("`dalgo {path}`: {} columns: {line}", line.len()));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_list_takes_limit() {
        let lists = all().into_iter().filter(|(p, _)| p.ends_with(" list") || p.ends_with("-definitions"));
        for (path, cmd) in lists {
            assert!(cmd.get_arguments().any(|a| a.get_long() == Some("limit")), "`dalgo {path}` has no --limit");
        }
    }

    #[test]
    fn every_argument_is_described() {
        let mut wrong = Vec::new();
        for (path, cmd) in all() {
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set() && a.get_help().is_none()) {
                wrong.push(format!("`dalgo {path}`: {}", arg.get_id()));
            }
        }
        assert!(wrong.is_empty(), "arguments without a description:\n{}", wrong.join("\n"));
        for (prefix, id, help) in ARG_HELP {
            let used = all().into_iter().any(|(path, cmd)| {
                path.starts_with(prefix)
                    && cmd
                        .get_arguments()
                        .any(|a| a.get_id() == id && a.get_help().is_some_and(|h| h.to_string() == *help))
            });
            assert!(used, "ARG_HELP's entry for {id} under `{prefix}` describes nothing");
        }
    }
}
