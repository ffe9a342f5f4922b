//! dalgo: administration of the Dalgo data platform from Rust.
//!
//! The `dalgo` binary is a thin layer over this library, and there is one
//! way in: [`ops::Dalgo`], a handle on the configured database, secrets
//! store, Airbyte and Prefect. Every use case is one call on it or on a
//! scope it hands out — `dalgo.org(slug)` with its `warehouse()`, `dbt()`,
//! `pipelines()`, `airbyte()`, `members()` and `flags()`; `dalgo.orgs()`,
//! `users()`, `roles()`, `flags()`, `secrets()`, `locks()`, `flow_runs()`,
//! `audit()`, `worker(…)` — and each takes the locks the rule for operations
//! that span systems says (see [`ops`]).
//!
//! ```no_run
//! # async fn demo() -> dalgo::Result<()> {
//! use dalgo::config::{Config, Overrides};
//! use dalgo::model::user::{Email, PasswordHash};
//! use dalgo::ops::{CreateOrgAndUser, Dalgo};
//! // Creates the database if needed, migrates it, loads the seed data.
//! let (dalgo, _) = Dalgo::setup(Config::load(&Overrides::default())?).await?;
//! let email = Email::parse("admin@acme.example")?;
//! let hash = PasswordHash::new(&"a long passphrase".into())?;
//! let req = CreateOrgAndUser { org_name: "Acme NGO", email: &email, role: "admin", password: Some(&hash) };
//! let report = dalgo.orgs().create_with_user(&req).await?;
//! let flags = dalgo.org(&report.org.slug).flags().map().await?;
//! println!("{} ({}): {} flags", report.org.name, report.org.slug, flags.len());
//! # Ok(()) }
//! ```
//!
//! Modules: [`ops`] (the handle and its operations), [`model`] (the values
//! and reports they take and return), [`config`] (settings and where they
//! come from), [`document`] (reading YAML and JSON under limits, masking),
//! [`error`]: errors are [`Error`], and [`Error::kind`] classifies them.

#[macro_use]
pub(crate) mod values;

pub(crate) mod airbyte;
pub(crate) mod audit;
pub mod config;
mod context;
pub(crate) mod db;
pub(crate) mod dbt;
pub mod document;
pub mod error;
pub(crate) mod flags;
pub(crate) mod git;
mod http;
pub(crate) mod import;
pub mod model;
pub(crate) mod onboard;
pub mod ops;
pub(crate) mod org;
mod org_lock;
pub(crate) mod orgdoc;
pub(crate) mod pipeline;
pub(crate) mod prefect;
mod process;
pub(crate) mod role;
pub(crate) mod sandbox;
pub(crate) mod secrets;
mod state;
mod task_locks;
pub(crate) mod user;
pub(crate) mod warehouse;
pub(crate) mod worker;

pub use error::{Error, ErrorKind, Failure, Result};
