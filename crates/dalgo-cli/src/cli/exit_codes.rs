//! The exit codes, in one table: `dalgo --help` renders it as text and the
//! README holds it as Markdown (a test compares the two).

/// Every exit code dalgo uses and what it means.
pub const EXIT_CODES: &[(&str, &str)] = &[
    ("0", "success (also: nothing to do)"),
    ("1", "failure not covered below (also: a sync, check or pipeline run that ran and failed)"),
    (
        "2",
        "command-line usage error; also a needed password or `--yes` missing without a terminal. `apply \
         --exit-code`: the plan changes something (as terraform's `-detailed-exitcode`)",
    ),
    (
        "3",
        "partial success: the main change was saved, a follow-up step (Airbyte destination, Prefect \
         blocks) was not; stderr names the step and the command that finishes it. `import django`: some rows \
         were refused, or a secret or external object is missing (the report names each)",
    ),
    (
        "65",
        "invalid input data: bad email, unknown role or flag, bad org name, malformed or incomplete config; a \
         change the current state refuses (a warehouse type change while connections write to its Airbyte \
         destination); a name two rows answer to (a slug two orgs share in Dalgo's database)",
    ),
    ("67", "no such org, user, membership, warehouse, dbt workspace, secret, git repository, or Airbyte object"),
    (
        "69",
        "a required service is unreachable (PostgreSQL, within the connect timeout; Airbyte; Prefect; a \
         warehouse; a git remote; a Prefect worker, with `pipeline run --require-worker`)",
    ),
    (
        "75",
        "temporary: a task is locked by another run, a sync is already running, a service answered 5xx \
         after retries or timed out, another dbt command runs, a PostgreSQL session limit was hit, a dbt \
         run lost its org's lock (dbt stopped); try again later",
    ),
    ("77", "a service refused our credentials (PostgreSQL, Airbyte 401/403, git authentication)"),
    (
        "78",
        "configuration missing or invalid: a database never migrated, no dbt, an unusable secrets store \
         or `CLIENTDBT_ROOT`; a Dalgo database whose Django schema dalgo does not know",
    ),
    ("130", "interrupted (Ctrl-C while waiting; Ctrl-C or SIGTERM during a dbt command, recorded as interrupted)"),
    ("other", "`dalgo dbt run|test|…` exit with dbt's own exit code"),
];

/// The table as `--help` shows it: codes in a column, meanings wrapped.
pub fn help_text() -> String {
    let mut text = String::from("Exit codes:\n");
    for (code, meaning) in EXIT_CODES {
        let mut lead = format!("  {code:<6}");
        for line in wrap(meaning, 80) {
            text.push_str(&lead);
            text.push_str(&line);
            text.push('\n');
            lead = " ".repeat(8);
        }
    }
    text
}

/// Greedy word wrap at `width` columns (the meanings are ASCII words).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as the README holds it.
    fn markdown() -> String {
        let mut text = String::from("| code | meaning |\n|---|---|\n");
        for (code, meaning) in EXIT_CODES {
            text.push_str(&format!("| {code} | {} |\n", meaning.replace('|', "\\|")));
        }
        text
    }

    #[test]
    fn every_error_kind_and_exit_status_has_its_code_documented() {
        use super::super::output::ExitStatus;
        use dalgo::ErrorKind::*;
        let kinds =
            [Failure, Usage, InvalidInput, NotFound, Unavailable, TempFail, PermissionDenied, Config, Interrupted];
        let statuses = [
            ExitStatus::Success,
            ExitStatus::Failure,
            ExitStatus::Partial,
            ExitStatus::Changes,
            ExitStatus::Interrupted,
        ];
        let codes = kinds.map(|k| k.exit_code()).into_iter().chain(statuses.map(|s| s.code()));
        for code in codes {
            assert!(EXIT_CODES.iter().any(|(c, _)| *c == code.to_string()), "exit {code} is not in the table");
        }
    }

    #[test]
    fn the_readme_holds_the_same_table() {
        let readme = include_str!("../../../../README.md");
        assert!(
            readme.contains(&markdown()),
            "README.md's exit-code table differs from cli/exit_codes.rs; it should read:\n{}",
            markdown()
        );
    }

    #[test]
    fn help_lines_stay_within_88_columns() {
        assert!(help_text().lines().all(|l| l.len() <= 88), "{}", help_text());
    }
}
