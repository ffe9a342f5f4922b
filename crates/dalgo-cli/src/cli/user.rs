//! `dalgo user`.

use clap::Subcommand;

use super::Context;
use super::output::{CmdResult, ExitStatus, Limit, emit, emit_stream, when, yes_no};
use super::prompt::{self, PasswordSources};
use dalgo::user::{self, Email, PasswordHash};

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
    Add {
        email: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[arg(long, value_name = "SLUG", default_value = "member")]
        role: String,
        /// Read a new user's password from stdin (else PASSWORD, else a prompt)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a member's role in an org
    SetRole {
        email: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[arg(long, value_name = "SLUG")]
        role: String,
    },
    /// Remove a user from an org (a user left with no org is deleted)
    Remove {
        email: String,
        #[arg(long = "org", env = "DALGO_ORG", hide_env_values = true, value_name = "SLUG", help = super::ORG_HELP)]
        org: String,
        #[command(flatten)]
        guard: prompt::Guard,
    },
    /// Set a user's password (from --password-stdin, PASSWORD, or a prompt)
    SetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(ctx: &Context, c: UserCommand) -> CmdResult {
    match c {
        UserCommand::List { org, limit } => {
            let (_, db) = ctx.connect().await?;
            let scope = user::list_scope(&db, org.as_deref()).await?;
            let header = ["EMAIL", "ORG", "ROLE", "VERIFIED", "SINCE"];
            let users = futures_util::StreamExt::take(user::list_stream(&db, scope), limit.max());
            emit_stream(ctx.format, users, &header, "users", |m| {
                vec![
                    m.email.clone(),
                    m.org.clone().unwrap_or_else(|| "-".into()),
                    m.role.clone(),
                    yes_no(m.email_verified),
                    when(&m.created_at),
                ]
            })
            .await
        }
        UserCommand::Add { email, org, role, password_stdin } => {
            let email = Email::parse(&email)?;
            let (cfg, db) = ctx.connect().await?;
            dalgo::role::require(&db, &role).await?;
            let sources = PasswordSources { positional: None, stdin: password_stdin };
            let (hash, _) = prompt::new_user_password(ctx, &db, &email, sources).await?;
            let r = user::add_to_org(&db, &email, &org, &role, hash.as_ref(), &cfg.actor).await?;
            emit(ctx.format, &r, |out| {
                let what = if r.membership.created { "added" } else { "already a member:" };
                let new = if r.user_created { " (new user)" } else { "" };
                writeln!(out, "{what} {}{new} in {} as {}", r.email, r.org, r.membership.role)
            })
        }
        UserCommand::SetRole { email, org, role } => {
            let email = Email::parse(&email)?;
            let (cfg, db) = ctx.connect().await?;
            let r = user::set_role(&db, &email, &org, &role, &cfg.actor).await?;
            emit(ctx.format, &r, |out| {
                if r.changed {
                    writeln!(out, "{} in {}: role {} -> {}", r.email, r.org, r.old_role, r.new_role)
                } else {
                    writeln!(out, "{} in {}: role is already {}", r.email, r.org, r.new_role)
                }
            })
        }
        UserCommand::Remove { email, org, guard } => {
            let email = Email::parse(&email)?;
            let (cfg, db) = ctx.connect().await?;
            let role = user::membership_role(&db, &email, &org).await?;
            if !guard.proceed(ctx, &format!("remove {email} (role {role}) from org {org}"))? {
                return Ok(ExitStatus::Success);
            }
            let r = user::remove_from_org(&db, &email, &org, &cfg.actor).await?;
            emit(ctx.format, &r, |out| {
                writeln!(out, "removed {} (role {}) from {}", r.email, r.role, r.org)?;
                if r.user_deleted {
                    writeln!(out, "deleted user {}: it belonged to no other org", r.email)?;
                }
                Ok(())
            })
        }
        UserCommand::SetPassword { email, password_stdin } => {
            let email = Email::parse(&email)?;
            let (cfg, db) = ctx.connect().await?;
            user::require(&db, &email).await?;
            let pw = prompt::password(ctx, PasswordSources { positional: None, stdin: password_stdin }, true)?
                .ok_or_else(|| dalgo::Error::PasswordRequired(email.to_string()))?;
            user::set_password(&db, &email, &PasswordHash::new(&pw)?, &cfg.actor).await?;
            let done = serde_json::json!({ "email": email, "password": "changed" });
            emit(ctx.format, &done, |out| writeln!(out, "password of {email} changed"))
        }
    }
}
