//! dalgo: administration of the Dalgo data platform from Rust.
//!
//! The `dalgo` binary is a thin layer over this library; everything it does,
//! a Rust program can do too:
//!
//! ```no_run
//! # async fn demo() -> dalgo::Result<()> {
//! use dalgo::{config::Config, db, onboard, user};
//! let cfg = Config::load(&Default::default())?;
//! db::setup(&cfg.database).await?; // create the database, migrate, seed
//! let db = db::Db::connect(&cfg.database).await?;
//! let email = user::Email::parse("admin@acme.example")?;
//! let hash = user::PasswordHash::new(&"a long passphrase".into())?;
//! let report = onboard::create_org_and_user(&db, &onboard::Request {
//!     org_name: "Acme NGO", email: &email, role: "admin", password: Some(&hash), actor: &cfg.actor,
//! }).await?;
//! println!("{} ({})", report.org.name, report.org.slug);
//! # Ok(()) }
//! ```
//!
//! Modules: [`config`] (settings and where they come from), [`db`] (pool,
//! migrations, seed data), [`org`], [`user`] (with passwords), [`role`],
//! [`onboard`] (`createorganduser`), [`flags`] (feature flags), [`secrets`]
//! (the secrets store), [`warehouse`], [`git`], [`dbt`] (workspaces and runs),
//! [`airbyte`] (Config API client and ingestion), [`prefect`] (REST client),
//! [`pipeline`] (orchestration pipelines, runs, task locks), [`audit`].
//! Errors are [`Error`]; [`Error::kind`] classifies them.

#[macro_use]
pub mod values;

pub mod airbyte;
pub mod audit;
pub mod config;
mod context;
pub mod db;
pub mod dbt;
pub mod document;
pub mod error;
pub mod flags;
pub mod git;
mod http;
pub mod onboard;
pub mod ops;
pub mod org;
mod org_lock;
pub mod pipeline;
pub mod prefect;
mod process;
pub mod role;
pub mod sandbox;
pub mod secrets;
mod state;
mod task_locks;
pub mod user;
pub mod warehouse;
pub mod worker;

pub use error::{Error, ErrorKind, Result};
