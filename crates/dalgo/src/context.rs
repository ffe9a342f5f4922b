//! [`Dalgo`], the handle every operation runs on: configuration, database,
//! secrets store, who acts, and the Airbyte and Prefect clients built on
//! first use. It sits below [`crate::ops`] (the use cases, as methods on it)
//! and [`crate::worker`], which both take it.

use std::sync::OnceLock;

use crate::config::Config;
use crate::db::Db;
use crate::error::Result;
use crate::secrets::SecretStore;

/// What every operation needs: configuration, database, secrets store, who
/// acts, and the Airbyte and Prefect clients, built on first use.
pub struct Dalgo {
    cfg: Config,
    db: Db,
    store: SecretStore,
    airbyte: OnceLock<crate::airbyte::Client>,
    prefect: OnceLock<crate::prefect::Client>,
}

impl Dalgo {
    /// Connects to the configured database.
    pub async fn connect(cfg: Config) -> Result<Dalgo> {
        let db = Db::connect(&cfg.database).await?;
        Ok(Dalgo::new(cfg, db))
    }

    /// A handle over a pool the caller manages (a web service's own): the
    /// database must be migrated ([`Dalgo::setup`]).
    pub fn with_pool(cfg: Config, pool: sqlx::PgPool) -> Dalgo {
        Dalgo::new(cfg, Db::from_pool(pool))
    }

    /// A handle over a database already connected.
    pub(crate) fn new(cfg: Config, db: Db) -> Dalgo {
        let store = SecretStore::open(&cfg.secrets);
        Dalgo { cfg, db, store, airbyte: OnceLock::new(), prefect: OnceLock::new() }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) fn store(&self) -> &SecretStore {
        &self.store
    }

    /// Who is acting, as the audit log records it.
    pub fn actor(&self) -> &str {
        &self.cfg.actor
    }

    /// The Airbyte client; [`crate::Error::AirbyteNotConfigured`] without one.
    pub(crate) fn airbyte(&self) -> Result<&crate::airbyte::Client> {
        if let Some(c) = self.airbyte.get() {
            return Ok(c);
        }
        let c = crate::airbyte::client(&self.cfg)?;
        Ok(self.airbyte.get_or_init(|| c))
    }

    /// The Prefect client; [`crate::Error::PrefectNotConfigured`] without `PREFECT_API_URL`.
    pub(crate) fn prefect(&self) -> Result<&crate::prefect::Client> {
        if let Some(c) = self.prefect.get() {
            return Ok(c);
        }
        let c = crate::prefect::client(&self.cfg)?;
        Ok(self.prefect.get_or_init(|| c))
    }

    /// What dbt commands and git steps run with.
    pub(crate) fn dbt_tools(&self) -> crate::dbt::Tools<'_> {
        crate::dbt::Tools { db: self.db(), cfg: &self.cfg.dbt, store: self.store() }
    }

    /// The Prefect client when `PREFECT_API_URL` is set, `None` when it is
    /// not (for work that asks Prefect only when there is one to ask).
    pub(crate) fn prefect_if_configured(&self) -> Result<Option<&crate::prefect::Client>> {
        if self.cfg.prefect.is_unset() { Ok(None) } else { self.prefect().map(Some) }
    }
}
