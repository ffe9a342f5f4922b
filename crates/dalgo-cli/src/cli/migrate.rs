//! `dalgo migrate`.

use clap::Args;

use super::Context;
use super::output::{CmdResult, Printer, emit, write_table};
use dalgo::model::db::MigrationStatus;
use dalgo::ops::Dalgo;

#[derive(Debug, Args)]
#[command(long_about = "Create the database if it does not exist, apply pending schema migrations, then load \
the seed data (roles, permissions, role permissions, master tasks, feature flags) keyed by slug with stable \
UUIDs. Safe to run again, and to run twice at once: each migration is applied once.\n\n\
On Dalgo's own database (its django_migrations has Dalgo's app), dalgo works in place (live mode): this \
creates only the schema `dalgo` (dalgo's own tables and its views over Django's) and the flag catalogue, \
and refuses (78) a Django schema other than DDP_backend e2f35e17's.")]
pub struct MigrateArgs {
    /// List applied and pending migrations; change nothing
    #[arg(long)]
    pub status: bool,
}

pub async fn run(ctx: &Context, a: MigrateArgs) -> CmdResult {
    let cfg = ctx.config()?;
    if a.status {
        let statuses = Dalgo::migration_status(&cfg).await?;
        return emit(ctx.printer.format, &statuses, |out| write_table(out, &status_table(&ctx.printer, &statuses)));
    }
    let (_, report) = Dalgo::setup(cfg).await?;
    emit(ctx.printer.format, &report, |out| {
        let live = match report.mode {
            dalgo::model::db::Mode::Live => {
                format!(" (Dalgo's Django database: only schema {} is dalgo's)", dalgo::model::db::LIVE_SCHEMA)
            }
            dalgo::model::db::Mode::Own => String::new(),
        };
        if !report.changed_anything() {
            return writeln!(out, "nothing to do: database {}{live} is up to date", report.database);
        }
        if ctx.quiet {
            // The outcome in one line: each migration's is detail.
            let created = if report.database_created { "created, " } else { "" };
            return writeln!(
                out,
                "database {}{live}: {created}{} migration(s) applied",
                report.database,
                report.applied.len()
            );
        }
        if report.database_created {
            writeln!(out, "created database {}", report.database)?;
        }
        if !live.is_empty() {
            writeln!(out, "database {}{live}", report.database)?;
        }
        for m in &report.applied {
            writeln!(out, "applied migration {:04} {}", m.version, m.description)?;
        }
        let s = &report.seed;
        writeln!(
            out,
            "seed: {} roles, {} permissions, {} role permissions added, {} removed, {} tasks, {} feature flags written",
            s.roles, s.permissions, s.role_permissions_added, s.role_permissions_removed, s.tasks, s.feature_flags
        )
    })
}

fn status_table(p: &Printer, statuses: &[MigrationStatus]) -> comfy_table::Table {
    p.table(
        &["VERSION", "DESCRIPTION", "STATE", "INSTALLED"],
        statuses.iter().map(|m| {
            [
                format!("{:04}", m.version),
                m.description.clone(),
                m.state.to_string(),
                m.installed_on.as_ref().map(|t| p.when(t)).unwrap_or_default(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::testing::{at, text};
    use crate::cli::output::{Format, Printer};
    use dalgo::model::db::MigrationState;

    #[test]
    fn migration_status_renders() {
        let statuses = vec![
            MigrationStatus {
                version: 1,
                description: "initial".into(),
                state: MigrationState::Applied,
                installed_on: Some(at(1)),
            },
            MigrationStatus {
                version: 8,
                description: "dbt default schema given".into(),
                state: MigrationState::Pending,
                installed_on: None,
            },
        ];
        let p = Printer::plain(Format::Table);
        insta::assert_snapshot!("migrate_status_table", text(|out| write_table(out, &status_table(&p, &statuses))));
        insta::assert_json_snapshot!("migrate_status_json", statuses);
    }
}
