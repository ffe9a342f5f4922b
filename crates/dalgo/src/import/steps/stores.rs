//! Warehouses and dbt workspaces, and the secrets they name: recorded in
//! `org_secrets` (one step), copied into dalgo's store, then named by the
//! rows (the next steps), as dalgo's rule for credentials says.

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};

use super::{RETURNING_INSERTED, counted};
use crate::db::Within;
use crate::error::Result;
use crate::import::{Counts, Importer, SecretCopy, SecretOutcome, Table};
use crate::secrets::SecretKind;

/// A warehouse as dalgo stores it.
pub(in crate::import) struct WarehouseRow {
    org: i64,
    slug: String,
    wtype: String,
    name: String,
    secret: String,
    destination: Option<String>,
    bq_location: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A dbt workspace as dalgo stores it.
pub(in crate::import) struct DbtRow {
    django_id: i64,
    org: i64,
    slug: String,
    source: &'static str,
    repo_url: Option<String>,
    branch: Option<String>,
    project_dir: String,
    target_type: String,
    default_schema: String,
    token: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Whether a project directory (relative to `root`, or absolute) lies
/// beneath the org's own directory, `root/<slug>`, without `..`.
fn inside_org(root: &std::path::Path, slug: &str, dir: &str) -> bool {
    let path = root.join(dir);
    let org = root.join(slug);
    !path.components().any(|c| c == std::path::Component::ParentDir) && path.starts_with(&org) && path != org
}

/// A secret a row names, with its org's slug.
pub(in crate::import) struct Named {
    name: String,
    org: i64,
    slug: String,
    kind: SecretKind,
}

/// What the secret steps carry to the row steps.
#[derive(Default)]
pub(in crate::import) struct Stores {
    warehouses: Vec<WarehouseRow>,
    dbts: Vec<DbtRow>,
    secrets: Vec<Named>,
}

impl Importer<'_> {
    /// Converts warehouses and dbt workspaces, then records every secret
    /// they name in `org_secrets`.
    pub(super) async fn org_secrets(&mut self, c: &mut PgConnection) -> Result<Counts> {
        self.convert_warehouses();
        self.convert_dbts();
        let stores = &self.stores;
        let mut secrets: Vec<Named> = Vec::new();
        for w in &stores.warehouses {
            let kind = SecretKind::Warehouse;
            secrets.push(Named { name: w.secret.clone(), org: w.org, slug: w.slug.clone(), kind });
        }
        for d in &stores.dbts {
            if let Some(t) = &d.token {
                let kind = SecretKind::GitToken;
                secrets.push(Named { name: t.clone(), org: d.org, slug: d.slug.clone(), kind });
            }
        }
        let total = secrets.len();
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO org_secrets (name, org_id, kind) SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])
             ON CONFLICT (name) DO NOTHING {RETURNING_INSERTED}"
        )))
        .bind(secrets.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
        .bind(secrets.iter().map(|s| s.org).collect::<Vec<_>>())
        .bind(secrets.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>())
        .fetch_all(c)
        .within()
        .await?;
        self.stores.secrets = secrets;
        Ok(counted(total, inserted.into_iter()))
    }

    fn convert_warehouses(&mut self) {
        let mut rows = Vec::new();
        let mut names = HashSet::new();
        for w in &self.src.warehouses {
            let checked = (|| {
                let (org, slug) = self.org_of(w.org_id)?;
                if !["postgres", "bigquery", "snowflake"].contains(&w.wtype.as_str()) {
                    return Err(format!("warehouse type {:?} is none dalgo knows", w.wtype));
                }
                if !SecretKind::Warehouse.names(&w.credentials) {
                    return Err(format!("credentials secret {:?} is not named warehouseCreds-…", w.credentials));
                }
                if !names.insert(w.credentials.clone()) {
                    return Err(format!("credentials secret {:?} is another warehouse's too", w.credentials));
                }
                Ok(WarehouseRow {
                    org,
                    slug,
                    wtype: w.wtype.clone(),
                    name: w.name.clone(),
                    secret: w.credentials.clone(),
                    destination: w.airbyte_destination_id.clone(),
                    bq_location: w.bq_location.clone(),
                    created_at: w.created_at,
                    updated_at: w.updated_at,
                })
            })();
            match checked {
                Ok(r) => rows.push(r),
                Err(reason) => self.refuse(Table::Warehouses, format!("ddpui_orgwarehouse {}", w.id), reason),
            }
        }
        self.stores.warehouses = rows;
    }

    fn convert_dbts(&mut self) {
        let owner: HashMap<i64, i64> = self.src.orgs.iter().filter_map(|o| o.dbt_id.map(|d| (d, o.id))).collect();
        let mut rows = Vec::new();
        for d in &self.src.dbts {
            let checked = match owner.get(&d.id) {
                None => Err("no org points to it (an orphan)".to_string()),
                Some(org) => self.org_of(*org).and_then(|(org, slug)| self.dbt_row(d, org, &slug)),
            };
            match checked {
                Ok(r) => rows.push(self.rehome(r)),
                Err(reason) => self.refuse(Table::DbtWorkspaces, format!("ddpui_orgdbt {}", d.id), reason),
            }
        }
        self.stores.dbts = rows;
    }

    /// A clone Django placed outside `CLIENTDBT_ROOT/<slug>` (another org's
    /// directory, `..`, an absolute path elsewhere, or the directory of a
    /// slug the org no longer has) moves to `<slug>/dbtrepo`, and the report
    /// says so: dbt and git write only where the org's files are.
    fn rehome(&mut self, mut row: DbtRow) -> DbtRow {
        let root = &self.dalgo.config().dbt.clientdbt_root;
        if row.source == "git" && !inside_org(root, &row.slug, &row.project_dir) {
            let to = format!("{}/dbtrepo", row.slug);
            let (org, from) = (row.slug.clone(), std::mem::replace(&mut row.project_dir, to.clone()));
            self.report.rehomed.push(crate::import::Rehomed { org, from, to });
        }
        row
    }

    /// A workspace with a repository is `git` (`github`, or `ui` moved to a
    /// managed repository); one without is `local`, its project under
    /// `CLIENTDBT_ROOT/<slug>/dbtrepo`.
    fn dbt_row(&self, d: &crate::import::source::Dbt, org: i64, slug: &str) -> std::result::Result<DbtRow, String> {
        let repo = d.gitrepo_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let kind = d.transform_type.as_deref();
        let git = match (kind, repo) {
            (Some("github") | None, Some(_)) => true,
            (Some("ui"), Some(_)) => d.is_repo_managed_by_system,
            (Some("github"), None) => return Err("a github workspace without a repository URL".into()),
            (Some("ui") | None, None) => false,
            (Some(other), _) => return Err(format!("transform type {other:?} is none dalgo knows")),
        };
        // The URLs `dbt setup` takes: none with credentials in it.
        let repo = repo.map(crate::git::clean_url).transpose().map_err(|e| e.to_string())?;
        if !crate::warehouse::is_identifier(&d.default_schema) {
            return Err(format!("default schema {:?} is not a plain SQL name", d.default_schema));
        }
        if !["postgres", "bigquery", "snowflake"].contains(&d.target_type.as_str()) {
            return Err(format!("target type {:?} is none dalgo knows", d.target_type));
        }
        let token = d.gitrepo_access_token_secret.clone().filter(|t| git && !t.is_empty());
        if let Some(t) = token.as_ref().filter(|t| !SecretKind::GitToken.names(t)) {
            return Err(format!("token secret {t:?} is not named gitrepoAccessToken-…"));
        }
        let root = &self.dalgo.config().dbt.clientdbt_root;
        Ok(DbtRow {
            django_id: d.id,
            org,
            slug: slug.to_string(),
            source: if git { "git" } else { "local" },
            repo_url: repo.filter(|_| git),
            branch: d.branch_name.clone(),
            project_dir: if git {
                d.project_dir.clone()
            } else {
                root.join(slug).join("dbtrepo").display().to_string()
            },
            target_type: d.target_type.clone(),
            default_schema: d.default_schema.clone(),
            token,
            created_at: d.created_at,
            updated_at: d.updated_at,
        })
    }

    /// Copies each secret a row names from where Dalgo keeps it (a
    /// directory, or AWS Secrets Manager) into dalgo's store (a dry run only
    /// looks), written together once each has been looked up. A value
    /// dalgo's store holds already is never overwritten; a secret found
    /// nowhere is reported.
    pub(in crate::import) async fn copy_secrets(&mut self) -> Result<()> {
        let source = self.opts.secrets_from.as_ref().map(|s| s.store(self.dalgo.config()));
        let mut copies = Vec::new();
        for s in &self.stores.secrets {
            let ours = self.dalgo.store().get(&s.name).await?;
            let theirs = match &source {
                Some(store) => store.get(&s.name).await?,
                None => None,
            };
            let outcome = match (ours, theirs) {
                (Some(o), Some(t)) if o.expose_secret() != t.expose_secret() => SecretOutcome::Differs,
                (Some(_), _) => SecretOutcome::Present,
                (None, Some(_)) if self.opts.dry_run => SecretOutcome::WouldCopy,
                (None, Some(t)) => {
                    copies.push((s.name.clone(), t));
                    SecretOutcome::Copied
                }
                (None, None) => SecretOutcome::Missing,
            };
            self.report.secrets.push(SecretCopy { name: s.name.clone(), org: s.slug.clone(), outcome });
        }
        // Written together: one flush to disk for all of them.
        self.dalgo.store().put_all(&copies).await
    }

    pub(super) async fn warehouses(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let rows = &self.stores.warehouses;
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO warehouses (org_id, wtype, name, credentials_secret, airbyte_destination_id, bq_location,
                                     created_at, updated_at)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::timestamptz[], $8::timestamptz[])
             ON CONFLICT (org_id) DO UPDATE SET wtype = excluded.wtype, name = excluded.name,
                 credentials_secret = excluded.credentials_secret,
                 airbyte_destination_id = excluded.airbyte_destination_id, bq_location = excluded.bq_location,
                 updated_at = excluded.updated_at
             WHERE (warehouses.wtype, warehouses.name, warehouses.credentials_secret, warehouses.airbyte_destination_id,
                    warehouses.bq_location)
                   IS DISTINCT FROM (excluded.wtype, excluded.name, excluded.credentials_secret,
                    excluded.airbyte_destination_id, excluded.bq_location)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.org).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.wtype.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.secret.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.destination.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.bq_location.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.updated_at).collect::<Vec<_>>())
        .fetch_all(c)
        .within()
        .await?;
        Ok(counted(rows.len(), inserted.into_iter()))
    }

    pub(super) async fn dbt_workspaces(&mut self, c: &mut PgConnection) -> Result<Counts> {
        let rows = &self.stores.dbts;
        let inserted: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO dbt_workspaces (org_id, source, repo_url, branch, project_dir, target_type, default_schema,
                                         default_schema_given, token_secret, created_at, updated_at)
             SELECT o, s, r, b, p, t, d, true, k, ca, ua
               FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                           $9::timestamptz[], $10::timestamptz[]) AS w(o, s, r, b, p, t, d, k, ca, ua)
             ON CONFLICT (org_id) DO UPDATE SET source = excluded.source, repo_url = excluded.repo_url,
                 branch = excluded.branch, project_dir = excluded.project_dir, target_type = excluded.target_type,
                 default_schema = excluded.default_schema, token_secret = excluded.token_secret,
                 updated_at = excluded.updated_at
             WHERE (dbt_workspaces.source, dbt_workspaces.repo_url, dbt_workspaces.branch, dbt_workspaces.project_dir,
                    dbt_workspaces.target_type, dbt_workspaces.default_schema, dbt_workspaces.token_secret)
                   IS DISTINCT FROM (excluded.source, excluded.repo_url, excluded.branch, excluded.project_dir,
                    excluded.target_type, excluded.default_schema, excluded.token_secret)
             {RETURNING_INSERTED}"
        )))
        .bind(rows.iter().map(|r| r.org).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.source).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.repo_url.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.branch.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.project_dir.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.target_type.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.default_schema.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.token.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.updated_at).collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .within()
        .await?;
        let ids: HashMap<i64, i64> =
            sqlx::query_as::<_, (i64, i64)>("SELECT org_id, id FROM dbt_workspaces WHERE org_id = ANY($1)")
                .bind(rows.iter().map(|r| r.org).collect::<Vec<_>>())
                .fetch_all(&mut *c)
                .within()
                .await?
                .into_iter()
                .collect();
        self.ids.dbts = rows.iter().filter_map(|r| ids.get(&r.org).map(|id| (r.django_id, *id))).collect();
        Ok(counted(rows.len(), inserted.into_iter()))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_project_is_the_orgs_only_beneath_its_own_directory() {
        let root = Path::new("/data/clients_dbt");
        assert!(super::inside_org(root, "acme", "acme/dbtrepo"));
        assert!(super::inside_org(root, "acme", "/data/clients_dbt/acme/dbtrepo"));
        for outside in ["victim/dbtrepo", "acme/../victim/dbtrepo", "acme", "/etc", "../acme/dbtrepo", "acmex/dbtrepo"]
        {
            assert!(!super::inside_org(root, "acme", outside), "{outside}");
        }
    }
}
