//! `dalgo warehouse`.

use std::path::PathBuf;

use clap::Subcommand;

use super::output::{CliError, CmdResult, ExitStatus, emit, fields, write_table};
use super::{Context, prompt};
use dalgo::ops::WarehouseSpec;

#[derive(Debug, Subcommand)]
pub enum WarehouseCommand {
    /// Set an org's warehouse: check the credentials, store them, record it
    #[command(
        long_about = "Set (create or replace) an org's warehouse. The config is YAML or JSON with the \
fields of Airbyte's destination config. postgres: host, port, username, password, database, and optionally \
schema and ssl_mode. bigquery: credentials_json (the service account's key), project_id, dataset_id, \
dataset_location. snowflake: account (or host, ACCOUNT.snowflakecomputing.com), username, database, \
warehouse, role, schema, and a password or a private_key (with private_key_password), flat or under \
Airbyte's credentials. Every missing or malformed field is reported at once (exit 65) and nothing is stored. \
PostgreSQL credentials are tried with a real connection unless --no-check. The credentials go to the secrets \
store; the database keeps only the secret's name.",
        after_help = "Example:\n  dalgo warehouse set --org acme-ngo --type postgres --config - <<'EOF'\n  host: db.acme.org\n  port: 5432\n  username: dalgo\n  password: s3cret\n  database: warehouse\n  EOF"
    )]
    Set {
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[arg(long = "type", value_name = "TYPE", value_parser = ["postgres", "bigquery", "snowflake"])]
        wtype: String,
        /// The config file, YAML or JSON; - reads stdin
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Store the credentials without trying them
        #[arg(long)]
        no_check: bool,
        /// Do not create or update the org's Airbyte destination
        #[arg(long)]
        no_airbyte: bool,
    },
    /// An org's warehouse, credentials masked
    Show {
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
    },
    /// Delete an org's warehouse and its stored credentials
    Delete {
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[command(flatten)]
        guard: prompt::Guard,
    },
}

/// Reads a file, or stdin for `-`.
/// Reads a file, or stdin for `-`, up to dalgo's document size limit.
pub fn read_input(path: &std::path::Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        return Ok(dalgo::document::read_limited(std::io::stdin().lock(), "stdin")?);
    }
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::new(dalgo::ErrorKind::InvalidInput, format!("cannot read config file {}: {e}", path.display()))
    })?;
    Ok(dalgo::document::read_limited(file, &format!("config file {}", path.display()))?)
}

pub async fn run(ctx: &Context, c: WarehouseCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    match c {
        WarehouseCommand::Set { org, wtype, config, no_check, no_airbyte } => {
            let spec = WarehouseSpec {
                wtype: wtype.parse()?,
                config: dalgo::document::parse_object(&read_input(&config)?, "warehouse config")?,
                check: !no_check,
                airbyte: !no_airbyte,
            };
            let r = dalgo.org(&org).warehouse().set(spec).await?;
            emit(ctx.printer.format, &r, |out| {
                let w = &r.warehouse;
                let verb = if w.created { "created" } else { "updated" };
                writeln!(
                    out,
                    "{verb} the {} warehouse of {} (credentials in secret {})",
                    w.wtype.as_str(),
                    w.org,
                    w.credentials_secret
                )?;
                match &r.airbyte_destination_id {
                    Some(id) => writeln!(out, "Airbyte destination {id} follows it"),
                    None => Ok(()),
                }
            })?;
            ctx.finish(&r)
        }
        WarehouseCommand::Show { org } => {
            let d = dalgo.org(&org).warehouse().show().await?;
            emit(ctx.printer.format, &d, |out| {
                let mut rows = vec![
                    ("org", d.org.clone()),
                    ("type", d.warehouse.wtype.clone()),
                    ("credentials secret", d.warehouse.credentials_secret.clone()),
                    ("airbyte destination", d.warehouse.airbyte_destination_id.clone().unwrap_or("-".into())),
                    ("updated", ctx.printer.when(&d.warehouse.updated_at)),
                ];
                let creds: Vec<(String, String)> = d
                    .credentials
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), String::from)))
                    .collect();
                rows.extend(creds.iter().map(|(k, v)| (k.as_str(), v.clone())));
                write_table(out, &fields(&rows))
            })
        }
        WarehouseCommand::Delete { org, guard } => {
            let wh = dalgo.org(&org).warehouse().check_delete().await?;
            let action = format!("delete the {} warehouse of {org} and its stored credentials", wh.wtype);
            if !guard.proceed(ctx, &action)? {
                return Ok(ExitStatus::Success);
            }
            let wh = dalgo.org(&org).warehouse().delete().await?;
            let body = serde_json::json!({ "org": org, "deleted": wh });
            emit(ctx.printer.format, &body, |out| writeln!(out, "deleted the {} warehouse of {org}", wh.wtype))
        }
    }
}
