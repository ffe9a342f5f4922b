//! The secrets store as the database refers to it: list, show, delete
//! what no row names, and sweep the versions a killed operation left.

use crate::context::Dalgo;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::secrets::*;

/// The secrets store.
pub struct Secrets<'a> {
    pub(crate) dalgo: &'a Dalgo,
}

impl Secrets<'_> {
    /// A secret's value: masked (a warehouse config with its sensitive
    /// values as `********`, anything else wholly), or with `reveal` as it
    /// is stored. [`Error::SecretNotFound`] if the store has none.
    pub async fn show(&self, name: &str, reveal: bool) -> Result<serde_json::Value> {
        use secrecy::ExposeSecret;
        use serde_json::Value;
        let value = self.dalgo.store().get(name).await?.ok_or_else(|| Error::SecretNotFound(name.to_string()))?;
        Ok(match (reveal, crate::document::parse_object(value.expose_secret(), "secret")) {
            (true, _) => Value::String(value.expose_secret().to_string()),
            (false, Ok(map)) => Value::Object(crate::document::masked(&map)),
            (false, Err(_)) => Value::String("********".into()),
        })
    }

    /// The secrets rows refer to, and those the store holds besides.
    pub async fn list(&self) -> Result<Vec<SecretEntry>> {
        let (db, store) = (self.dalgo.db(), self.dalgo.store());
        let referenced = references(db).await?;
        let held = store.list().await?;
        let mut entries: Vec<SecretEntry> = referenced
            .into_iter()
            .map(|(name, kind, org)| {
                let in_store = held.as_ref().map(|h| h.contains(&name));
                SecretEntry { name, kind: Some(kind), org: Some(org), in_store }
            })
            .collect();
        for name in held.unwrap_or_default() {
            if !entries.iter().any(|e| e.name == name) {
                entries.push(SecretEntry { name, kind: None, org: None, in_store: Some(true) });
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// Deletes a secret no row refers to ([`Error::InUse`] naming the row
    /// otherwise), and says so in the audit log.
    pub async fn delete(&self, name: &str) -> Result<()> {
        let (db, store, actor) = (self.dalgo.db(), self.dalgo.store(), self.dalgo.actor());
        refuse_referenced(db, name).await?;
        if !store.delete(name).await? {
            return Err(Error::SecretNotFound(name.to_string()));
        }
        forget(db, name).await?;
        let entry = crate::audit::Entry::new(actor, crate::audit::Action::Delete, crate::audit::Resource::Secret, name);
        entry.record(&mut *db.pool().acquire().await?).await
    }

    /// What [`Secrets::delete`] would refuse (a secret a row names, or none
    /// by that name), changing nothing: for a confirmation or a dry run.
    pub async fn check_delete(&self, name: &str) -> Result<()> {
        let (db, store) = (self.dalgo.db(), self.dalgo.store());
        refuse_referenced(db, name).await?;
        match store.get(name).await? {
            Some(_) => Ok(()),
            None => Err(Error::SecretNotFound(name.to_string())),
        }
    }

    /// Removes the versions dalgo recorded in `org_secrets` that no row names:
    /// what an operation killed midway left. Each org is swept under its
    /// operations lock, the lock every operation that writes a version holds, so
    /// a version being switched to is never taken for an orphan; an org whose
    /// lock is held is skipped and named. Versions younger than `min_age` are
    /// left too. A secret dalgo never recorded (Dalgo's own, in a store shared
    /// with Django) is never touched, whatever its age or name.
    pub async fn gc(&self, min_age: std::time::Duration, dry_run: bool) -> Result<GcReport> {
        let (db, store) = (self.dalgo.db(), self.dalgo.store());
        let orgs: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT o.id FROM orgs o WHERE EXISTS (SELECT 1 FROM org_secrets s WHERE s.org_id = o.id AND NOT ({REFERENCED}))
              ORDER BY o.slug, o.id"
        )))
        .fetch_all(db.pool())
        .within()
        .await?;
        let min_age = chrono::Duration::from_std(min_age).unwrap_or(chrono::Duration::MAX);
        let mut report = GcReport { orphans: Vec::new(), skipped: Vec::new() };
        for id in orgs {
            // Deleted since the list was read: nothing of it is left to sweep.
            let Some(org) = crate::org::by_id(&mut *db.pool().acquire().await?, id).await? else { continue };
            let lock = match crate::org_lock::OrgLock::try_acquire(db, crate::org_lock::LockClass::Ops, &org).await? {
                Ok(lock) => lock,
                Err(_) => {
                    report.skipped.push(org.slug);
                    continue;
                }
            };
            let unused: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM ({}) u JOIN org_secrets s USING (name)
                  WHERE s.created_at <= now() - make_interval(secs => $2) ORDER BY name",
                unused_versions()
            )))
            .bind(org.id)
            .bind(min_age.as_seconds_f64())
            .fetch_all(db.pool())
            .within()
            .await?;
            for name in unused {
                if !dry_run {
                    remove_version(db, store, &name).await?;
                }
                report.orphans.push(Orphan { name, org: Some(org.slug.clone()), removed: !dry_run });
            }
            lock.release().await?;
        }
        Ok(report)
    }
}
