//! `dalgo role`.

use clap::Subcommand;

use super::Context;
use super::output::{CmdResult, Limit, emit, fields, write_list, write_table};

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Roles with their levels and permission counts
    List(Limit),
    /// A role and the permissions it grants
    Show {
        /// The role's slug, e.g. admin
        slug: String,
    },
}

pub async fn run(ctx: &Context, c: RoleCommand) -> CmdResult {
    let dalgo = ctx.dalgo().await?;
    match c {
        RoleCommand::List(limit) => {
            let roles = limit.cut(dalgo.roles().list().await?);
            emit(ctx.printer.format, &roles, |out| {
                let t = ctx.printer.table(
                    &["SLUG", "NAME", "LEVEL", "PERMISSIONS"],
                    roles.iter().map(|r| {
                        [
                            r.role.slug.clone(),
                            r.role.name.clone(),
                            r.role.level.to_string(),
                            r.permission_count.to_string(),
                        ]
                    }),
                );
                write_list(out, "roles", &t)
            })
        }
        RoleCommand::Show { slug } => {
            let d = dalgo.roles().show(&slug).await?;
            emit(ctx.printer.format, &d, |out| {
                let head = fields(&[
                    ("slug", d.role.slug.clone()),
                    ("name", d.role.name.clone()),
                    ("level", d.role.level.to_string()),
                    ("uuid", d.role.uuid.to_string()),
                    ("permissions", d.permissions.len().to_string()),
                ]);
                write_table(out, &head)?;
                let t = ctx
                    .printer
                    .table(&["PERMISSION", "NAME"], d.permissions.iter().map(|p| [p.slug.clone(), p.name.clone()]));
                write_table(out, &t)
            })
        }
    }
}
