//! `warehouse set`: check, store a new credentials version, switch the row
//! to it, remove the old one, then bring the Airbyte destination and the
//! Prefect blocks in step.

use std::time::Duration;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{OrgOps, Partial, Step, refresh_blocks};
use crate::error::{OrWarn, Result};
use crate::secrets::{self, SecretKind};
use serde_json::json;

use crate::audit::{self, Action, Resource};
use crate::db::Within;
use crate::org::{self, Org};
use crate::warehouse::{self, SetReport, Warehouse, WarehouseDetails, WarehouseType, deletable};

/// The warehouse operations of an org.
pub struct WarehouseOps<'a> {
    pub(crate) org: OrgOps<'a>,
}

/// What `set` is asked to store.
#[derive(Debug, Clone)]
pub struct WarehouseSpec {
    pub wtype: WarehouseType,
    /// Airbyte's destination config for the type, checked field by field.
    pub config: Map<String, Value>,
    /// Try PostgreSQL credentials with a real connection first.
    pub check: bool,
    /// Create or update the org's Airbyte destination (when Airbyte is configured).
    pub airbyte: bool,
}

/// What `set` did.
#[derive(Debug, Clone, Serialize)]
pub struct WarehouseSetReport {
    pub warehouse: SetReport,
    /// The credentials version the row named before.
    pub replaced_secret: Option<String>,
    /// Whether that version was removed from the store (it stays recorded
    /// until it is, and the org's next operation or `secrets gc` removes it).
    pub replaced_secret_removed: Step,
    pub airbyte_destination_id: Option<String>,
    pub airbyte_destination: Step,
    pub prefect_blocks: Step,
}

impl Partial for WarehouseSetReport {
    fn unfinished(&self) -> Vec<(&'static str, &Step)> {
        [
            ("replaced credentials", &self.replaced_secret_removed),
            ("airbyte destination", &self.airbyte_destination),
            ("prefect blocks", &self.prefect_blocks),
        ]
        .into_iter()
        .filter(|(_, s)| s.is_failed())
        .collect()
    }
}

impl WarehouseOps<'_> {
    /// Sets (creates or replaces) the org's warehouse. Follows the rule in
    /// [`crate::ops`]: the config is checked before anything is written; the
    /// credentials go to a new secret version and the row switches to it in
    /// one transaction, so a failure leaves the old credentials working; the
    /// Airbyte destination (named `<slug>-warehouse`, adopted by a re-run)
    /// and the Prefect blocks follow, and their failure (or the failed
    /// removal of the replaced version) is a [`Step::Failed`] in an otherwise
    /// successful report.
    pub async fn set(&self, spec: WarehouseSpec) -> Result<WarehouseSetReport> {
        let dalgo = self.org.dalgo();
        let creds = warehouse::validate(spec.wtype, spec.config)?;
        let given = warehouse::Credentials { wtype: spec.wtype, config: &creds };
        let org = self.org.get().await?;
        if spec.wtype == WarehouseType::Postgres && spec.check {
            warehouse::check_postgres(&creds, Duration::from_secs(10)).await?;
        }
        let lock = self.org.lock(&org).await?;
        if spec.airbyte && dalgo.config().airbyte.get()?.is_some() {
            crate::airbyte::check_warehouse_type_change(dalgo.db(), dalgo.airbyte()?, &org, spec.wtype).await?;
        }
        secrets::sweep(dalgo.db(), dalgo.store(), &org).await?;
        let value = SecretString::from(Value::Object(creds.clone()).to_string());
        let name = secrets::put_new_version(dalgo.db(), dalgo.store(), &org, SecretKind::Warehouse, &value).await?;
        let (created, replaced) = match warehouse::record(dalgo.db(), &org, given, &name, dalgo.actor()).await {
            Ok(r) => r,
            Err(e) => {
                secrets::remove_version(dalgo.db(), dalgo.store(), &name)
                    .await
                    .or_warn(format_args!("remove the unused credentials version {name}"));
                return Err(e);
            }
        };
        let replaced_secret_removed = match &replaced {
            None => Step::skipped("no credentials were replaced"),
            // Recorded: the org's next operation, or `secrets gc`, removes it.
            Some(old) => match secrets::remove_version(dalgo.db(), dalgo.store(), old).await {
                Ok(()) => Step::Done,
                Err(e) => Step::failed(&e, crate::error::NextStep::SweepSecrets),
            },
        };
        let finish = crate::error::NextStep::SetWarehouse { org: org.slug.clone() };
        let (airbyte_destination_id, airbyte_destination) = match (dalgo.config().airbyte.get()?, spec.airbyte) {
            (None, _) => (None, Step::skipped("Airbyte is not configured")),
            (Some(_), false) => (None, Step::skipped("not asked for (--no-airbyte)")),
            (Some(_), true) => {
                let made = async {
                    let client = dalgo.airbyte()?;
                    crate::airbyte::upsert_warehouse_destination(dalgo.db(), client, &org, given, dalgo.actor()).await
                };
                match made.await {
                    Ok(d) => (Some(d.id), Step::Done),
                    Err(e) => (None, Step::failed(&e, finish)),
                }
            }
        };
        let prefect_blocks = refresh_blocks(dalgo, &org).await;
        lock.release().await?;
        Ok(WarehouseSetReport {
            warehouse: SetReport { org: org.slug, wtype: spec.wtype, created, credentials_secret: name },
            replaced_secret: replaced,
            replaced_secret_removed,
            airbyte_destination_id,
            airbyte_destination,
            prefect_blocks,
        })
    }

    /// The org's warehouse with its credentials masked.
    pub async fn show(&self) -> Result<WarehouseDetails> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        warehouse::details(dalgo.db(), dalgo.store(), &org).await
    }

    /// What [`WarehouseOps::delete`] would remove, with its refusals (no
    /// warehouse, one a dbt workspace uses), changing nothing: for a
    /// confirmation or a dry run.
    pub async fn check_delete(&self) -> Result<Warehouse> {
        let org = self.org.get().await?;
        deletable(&mut *self.org.dalgo().db().pool().acquire().await?, &org).await
    }

    /// Deletes the warehouse row, then its credentials version, under the
    /// org's operations lock; refused while a dbt workspace uses it.
    pub async fn delete(&self) -> Result<Warehouse> {
        let (dalgo, org) = (self.org.dalgo(), self.org.get().await?);
        let delete = async |org: Org| {
            let mut tx = dalgo.db().pool().begin().within().await?;
            let org = org::lock(&mut tx, &org).await?;
            let wh = deletable(&mut tx, &org).await?;
            sqlx::query("DELETE FROM warehouses WHERE id = $1").bind(wh.id).execute(&mut *tx).within().await?;
            audit::Entry::new(dalgo.actor(), Action::Delete, Resource::Warehouse, &wh.credentials_secret)
                .of(Some(&org))
                .details(json!({ "type": wh.wtype }))
                .record(&mut tx)
                .await?;
            tx.commit().within().await?;
            crate::secrets::remove_version(dalgo.db(), dalgo.store(), &wh.credentials_secret).await?;
            Ok(wh)
        };
        self.org.locked(org, delete).await
    }
}
