//! `dalgo createorganduser`.

use clap::Args;

use super::Context;
use super::output::{CmdResult, Printer, created, emit, write_table};
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
    emit(ctx.printer.format, &report, |out| write_table(out, &report_table(&ctx.printer, &report)))
}

fn report_table(p: &Printer, r: &CreateReport) -> comfy_table::Table {
    p.table(
        &["WHAT", "NAME", "STATUS"],
        [
            ["org".into(), format!("{} ({})", r.org.name, r.org.slug), created(r.org_created)],
            ["plan".into(), "Internal".into(), created(r.plan_created)],
            ["user".into(), r.email.clone(), created(r.user_created)],
            ["membership".into(), format!("role {}", r.membership.role), created(r.membership.created)],
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::testing::{self, text};
    use crate::cli::output::{Format, Printer};
    use dalgo::model::org::PasswordOutcome;
    use dalgo::model::user::MembershipOutcome;

    #[test]
    fn createorganduser_renders() {
        let org = testing::org(None);
        let r = CreateReport {
            org,
            org_created: true,
            plan_created: true,
            email: "admin@acme.org".into(),
            user_created: false,
            password: PasswordOutcome::Unchanged,
            membership: MembershipOutcome { role: "admin".into(), created: true },
        };
        let p = Printer::plain(Format::Table);
        insta::assert_snapshot!("createorganduser_table", text(|out| write_table(out, &report_table(&p, &r))));
        insta::assert_json_snapshot!("createorganduser_json", r);
    }
}
