//! `dalgo user`.

use clap::{Args, Subcommand};

use super::Context;
use super::output::{CmdResult, ExitStatus, Limit, emit, emit_stream, fields, write_table, yes_no};
use super::prompt::{self, PasswordSources};
use dalgo::model::user::{Attribute, Email, PasswordHash};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Memberships: each user with its org and role
    List {
        /// Only members of this org (default $DALGO_ORG; every org's when neither is given)
        #[arg(long, env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG")]
        org: Option<String>,
        #[command(flatten)]
        limit: Limit,
    },
    /// Add a user to an org, creating the user if needed
    Add(AddArgs),
    /// Change a member's role in an org
    SetRole {
        email: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[arg(long, value_name = "SLUG")]
        role: String,
    },
    /// Remove a user from an org (a user left with no org is deleted)
    Remove(RemoveArgs),
    /// Set a user's password (from --password-stdin, PASSWORD, or a prompt)
    SetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show or change a user's four attributes (Dalgo's manage-user-attributes)
    #[command(long_about = "Show a user's four attributes (email_verified, can_create_orgs, is_consultant, \
is_platform_admin), or change them with --enable and --disable (each repeatable), as Dalgo's \
manage-user-attributes does, in one transaction. An unknown email is 67, an unknown attribute 65 naming the four.")]
    Attributes(AttributesArgs),
}

/// `remove`'s arguments.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    email: String,
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    #[command(flatten)]
    guard: prompt::Guard,
}

/// `add`'s arguments.
#[derive(Debug, Args)]
pub struct AddArgs {
    email: String,
    #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
    org: String,
    #[arg(long, value_name = "SLUG", default_value = "member")]
    role: String,
    /// Read a new user's password from stdin (else PASSWORD, else a prompt)
    #[arg(long)]
    password_stdin: bool,
}

/// `user attributes`'s arguments.
#[derive(Debug, Args)]
pub struct AttributesArgs {
    /// The user's email
    email: String,
    /// Set this attribute (repeat): email_verified, can_create_orgs, is_consultant, is_platform_admin
    #[arg(long, value_name = "ATTRIBUTE")]
    enable: Vec<String>,
    /// Clear this attribute (repeat)
    #[arg(long, value_name = "ATTRIBUTE")]
    disable: Vec<String>,
}

pub async fn run(ctx: &Context, c: UserCommand) -> CmdResult {
    match c {
        UserCommand::Attributes(a) => attributes(ctx, a).await,
        UserCommand::List { org, limit } => {
            let dalgo = ctx.dalgo().await?;
            let header = ["EMAIL", "ORG", "ROLE", "VERIFIED", "SINCE"];
            let users = futures_util::StreamExt::take(dalgo.users().list(org.as_deref()).await?, limit.max());
            emit_stream(&ctx.printer, users, &header, "users", |m| {
                vec![
                    m.email.clone(),
                    m.org.clone().unwrap_or_else(|| "-".into()),
                    m.role.clone(),
                    yes_no(m.email_verified),
                    ctx.printer.when(&m.created_at),
                ]
            })
            .await
        }
        UserCommand::Add(a) => add(ctx, a).await,
        UserCommand::SetRole { email, org, role } => {
            let email = Email::parse(&email)?;
            let r = ctx.dalgo().await?.org(&org).members().set_role(&email, &role).await?;
            emit(ctx.printer.format, &r, |out| {
                if r.changed {
                    writeln!(out, "{} in {}: role {} -> {}", r.email, r.org, r.old_role, r.new_role)
                } else {
                    writeln!(out, "{} in {}: role is already {}", r.email, r.org, r.new_role)
                }
            })
        }
        UserCommand::Remove(a) => remove(ctx, a).await,
        UserCommand::SetPassword { email, password_stdin } => {
            let email = Email::parse(&email)?;
            let dalgo = ctx.dalgo().await?;
            dalgo.users().require(&email).await?;
            let pw = prompt::password(ctx, PasswordSources { positional: None, stdin: password_stdin }, true)?
                .ok_or_else(|| dalgo::Error::PasswordRequired(email.to_string()))?;
            dalgo.users().set_password(&email, &PasswordHash::new(&pw)?).await?;
            let done = serde_json::json!({ "email": email, "password": "changed" });
            emit(ctx.printer.format, &done, |out| writeln!(out, "password of {email} changed"))
        }
    }
}

async fn add(ctx: &Context, AddArgs { email, org, role, password_stdin }: AddArgs) -> CmdResult {
    let email = Email::parse(&email)?;
    let dalgo = ctx.dalgo().await?;
    dalgo.roles().require(&role).await?;
    let sources = PasswordSources { positional: None, stdin: password_stdin };
    let (hash, _) = prompt::new_user_password(ctx, &dalgo, &email, sources).await?;
    let r = dalgo.org(&org).members().add(&email, &role, hash.as_ref()).await?;
    emit(ctx.printer.format, &r, |out| {
        let what = if r.membership.created { "added" } else { "already a member:" };
        let new = if r.user_created { " (new user)" } else { "" };
        writeln!(out, "{what} {}{new} in {} as {}", r.email, r.org, r.membership.role)
    })
}

async fn remove(ctx: &Context, RemoveArgs { email, org, guard }: RemoveArgs) -> CmdResult {
    let email = Email::parse(&email)?;
    let dalgo = ctx.dalgo().await?;
    let members = dalgo.org(&org).members();
    let role = members.role_of(&email).await?;
    if !guard.proceed(ctx, &format!("remove {email} (role {role}) from org {org}"))? {
        return Ok(ExitStatus::Success);
    }
    let r = members.remove(&email).await?;
    emit(ctx.printer.format, &r, |out| {
        writeln!(out, "removed {} (role {}) from {}", r.email, r.role, r.org)?;
        if r.user_deleted {
            writeln!(out, "deleted user {}: it belonged to no other org", r.email)?;
        }
        Ok(())
    })
}

async fn attributes(ctx: &Context, a: AttributesArgs) -> CmdResult {
    let email = Email::parse(&a.email)?;
    // Parsed here rather than by clap: an unknown attribute is bad input (65), naming the four.
    let parse = |names: &[String], value: bool| -> dalgo::Result<Vec<(Attribute, bool)>> {
        names.iter().map(|n| Ok((dalgo::model::parse_any_case::<Attribute>(n)?, value))).collect()
    };
    let changes = [parse(&a.enable, true)?, parse(&a.disable, false)?].concat();
    let r = ctx.dalgo().await?.users().attributes(&email, &changes).await?;
    if !changes.is_empty() && !r.changed {
        ctx.note(format!("{} has these attributes already; nothing changed", r.email));
    }
    emit(ctx.printer.format, &r, |out| {
        let at = &r.attributes;
        let rows = [
            ("email_verified", yes_no(at.email_verified)),
            ("can_create_orgs", yes_no(at.can_create_orgs)),
            ("is_consultant", yes_no(at.is_consultant)),
            ("is_platform_admin", yes_no(at.is_platform_admin)),
        ];
        write_table(out, &fields(&rows))
    })
}
