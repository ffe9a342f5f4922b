//! Links the dalgo library to migrate the database, create an org with its
//! admin, and list the org's members.
//!
//!     PASSWORD=… cargo run --example onboard_org -- "Acme NGO" admin@acme.example
//!
//! Uses the same configuration as the `dalgo` binary (DATABASE_URL, .env, …).

use dalgo::config::{Config, Overrides};
use dalgo::db::{self, Db};
use dalgo::user::{Email, PasswordHash};
use dalgo::{onboard, org};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(org_name), Some(email)) = (args.next(), args.next()) else {
        return Err("usage: onboard_org <ORG_NAME> <EMAIL>  (password in $PASSWORD)".into());
    };
    let cfg = Config::load(&Overrides::default())?;
    db::setup(&cfg.database).await?;
    let db = Db::connect(&cfg.database).await?;

    let email = Email::parse(&email)?;
    let password = std::env::var("PASSWORD").map_err(|_| "set PASSWORD for the new admin")?;
    let hash = PasswordHash::new(&password.into())?;
    let request = onboard::Request {
        org_name: &org_name,
        email: &email,
        role: "admin",
        password: Some(&hash),
        actor: &cfg.actor,
    };
    let report = onboard::create_org_and_user(&db, &request).await?;
    println!(
        "org {} ({}): {}",
        report.org.name,
        report.org.slug,
        if report.org_created { "created" } else { "exists" }
    );

    for m in org::show(&db, &report.org.slug).await?.members {
        println!("  {} {}", m.email, m.role);
    }
    Ok(())
}
