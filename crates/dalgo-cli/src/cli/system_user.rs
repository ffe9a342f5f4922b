//! `dalgo create-system-orguser`.

use super::Context;
use super::output::{CmdResult, created, emit, write_table};

pub async fn run(ctx: &Context) -> CmdResult {
    let r = ctx.dalgo().await?.users().create_system_orguser().await?;
    emit(ctx.printer.format, &r, |out| {
        let t = ctx.printer.table(
            &["WHAT", "NAME", "STATUS"],
            [
                ["user".into(), r.email.clone(), created(r.user_created)],
                ["membership".into(), format!("no org, role {}", r.membership.role), created(r.membership.created)],
            ],
        );
        write_table(out, &t)
    })
}
