//! Links the dalgo library to migrate the database, create an org with its
//! admin, and list the org's members.
//!
//!     PASSWORD=… cargo run --example onboard_org -- "Acme NGO" admin@acme.example
//!
//! Uses the same configuration as the `dalgo` binary (DATABASE_URL, .env, …).

use dalgo::config::{Config, Overrides};
use dalgo::model::user::{Email, PasswordHash};
use dalgo::ops::{CreateOrgAndUser, Dalgo};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(org_name), Some(email)) = (args.next(), args.next()) else {
        return Err("usage: onboard_org <ORG_NAME> <EMAIL>  (password in $PASSWORD)".into());
    };
    let cfg = Config::load(&Overrides::default())?;
    // Creates the database if needed, migrates it, loads the seed data.
    let (dalgo, _) = Dalgo::setup(cfg).await?;

    let email = Email::parse(&email)?;
    let password = std::env::var("PASSWORD").map_err(|_| "set PASSWORD for the new admin")?;
    let hash = PasswordHash::new(&password.into())?;
    let request = CreateOrgAndUser { org_name: &org_name, email: &email, role: "admin", password: Some(&hash) };
    let report = dalgo.orgs().create_with_user(&request).await?;
    println!(
        "org {} ({}): {}",
        report.org.name,
        report.org.slug,
        if report.org_created { "created" } else { "exists" }
    );

    for m in dalgo.org(&report.org.slug).show().await?.members {
        println!("  {} {}", m.email, m.role);
    }
    Ok(())
}
