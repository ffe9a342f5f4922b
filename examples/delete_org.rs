//! Links the dalgo library to delete an org completely: its Prefect
//! deployments and blocks, its Airbyte workspace, its directory under
//! CLIENTDBT_ROOT, every secret version, then its rows (users left with no
//! membership go too). The same call `dalgo org delete` makes.
//!
//!     cargo run --example delete_org -- acme-ngo [--dry-run]
//!
//! Uses the same configuration as the `dalgo` binary (DATABASE_URL, .env,
//! AIRBYTE_*, PREFECT_API_URL, DEV_SECRETS_DIR, CLIENTDBT_ROOT, …). A failure
//! leaves the org in place; running it again finishes the job.

use dalgo::config::{Config, Overrides};
use dalgo::ops::{Dalgo, DeleteOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(slug) = args.iter().find(|a| !a.starts_with("--")) else {
        return Err("usage: delete_org <ORG_SLUG> [--dry-run]".into());
    };
    let dry_run = args.iter().any(|a| a == "--dry-run");
    let dalgo = Dalgo::connect(Config::load(&Overrides::default())?).await?;
    let report = dalgo.org(slug).delete(DeleteOptions { dry_run, keep_airbyte: false }).await?;
    let verb = if dry_run { "would delete" } else { "deleted" };
    println!("{verb} org {} ({})", report.rows.org.name, report.rows.org.slug);
    println!("  users left with no membership: {:?}", report.rows.users_removed);
    println!("  Airbyte workspace: {:?}", report.airbyte_workspace);
    println!("  Prefect deployments: {:?}", report.prefect_deployments);
    println!("  Prefect blocks: {:?}", report.prefect_blocks);
    println!("  secrets: {:?}", report.secrets);
    println!("  directories: {:?}", report.paths);
    Ok(())
}
