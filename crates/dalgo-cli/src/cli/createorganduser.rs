//! `dalgo createorganduser`.

use clap::Args;

use super::Context;
use super::output::{CmdResult, created, emit, table, write_table};
use super::prompt::{self, PasswordSources};
use dalgo::model::org::CreateReport;
use dalgo::model::user::Email;
use dalgo::ops::CreateOrgAndUser;

#[derive(Debug, Args)]
#[command(
    long_about = "Create an org (with its Internal plan and a unique slug), a user and the user's \
membership, each only if missing; re-running is harmless. The password is needed only for a new user and \
is taken from, in order: the PASSWORD argument (visible to other users: avoid), --password-stdin, the \
PASSWORD environment variable, or a prompt on a terminal. An existing user's password is never changed.",
    after_help = "Examples:\n  printf %s \"$PW\" | dalgo createorganduser \"Acme NGO\" admin@acme.org --password-stdin\n  PASSWORD=… dalgo createorganduser \"Acme NGO\" analyst@acme.org --role analyst --output json"
)]
pub struct CreateArgs {
    /// The org's name (matched case-insensitively)
    pub org_name: String,
    /// The user's email address
    pub email: String,
    /// The new user's password (discouraged: prefer --password-stdin)
    pub password: Option<String>,
    /// The user's role in the org
    #[arg(long, default_value = "admin", value_name = "SLUG")]
    pub role: String,
    /// Read the new user's password from stdin
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
}

pub async fn run(ctx: &Context, a: CreateArgs) -> CmdResult {
    let email = Email::parse(&a.email)?;
    // A bad name is refused before the database is asked.
    dalgo::ops::Orgs::validate_name(&a.org_name)?;
    let dalgo = ctx.dalgo().await?;
    let orgs = dalgo.orgs();
    // Bad input fails before anyone is asked for a password.
    orgs.check_create(&a.org_name, &a.role).await?;
    let sources = PasswordSources { positional: a.password, stdin: a.password_stdin };
    let (hash, password_given) = prompt::new_user_password(ctx, &dalgo, &email, sources).await?;
    let req = CreateOrgAndUser { org_name: &a.org_name, email: &email, role: &a.role, password: hash.as_ref() };
    let report = orgs.create_with_user(&req).await?;
    if !report.user_created && password_given {
        ctx.note(format!("user {} exists; its password was left unchanged", report.email));
    }
    if !report.membership.created && !report.membership.role.eq_ignore_ascii_case(&a.role) {
        ctx.warn(format!(
            "{} is already a member of {} with role {}; use `dalgo user set-role` to change it",
            report.email, report.org.slug, report.membership.role
        ));
    }
    emit(ctx.format, &report, |out| write_table(out, &report_table(&report)))
}

fn report_table(r: &CreateReport) -> comfy_table::Table {
    table(
        &["WHAT", "NAME", "STATUS"],
        [
            ["org".into(), format!("{} ({})", r.org.name, r.org.slug), created(r.org_created)],
            ["plan".into(), "Internal".into(), created(r.plan_created)],
            ["user".into(), r.email.clone(), created(r.user_created)],
            ["membership".into(), format!("role {}", r.membership.role), created(r.membership.created)],
        ],
    )
}
