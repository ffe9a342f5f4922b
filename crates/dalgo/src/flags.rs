//! Feature flags: a catalogue, global values and per-org overrides.
//!
//! An org's effective value for a flag is its own override if it has one,
//! else the global value, else `false`. [`Flags::list`] computes all of
//! them in one query, so a web service can serve Dalgo's
//! `GET /api/organizations/flags` from it (through
//! `dalgo.org(slug).flags().map()`; see `examples/flags_endpoint.rs`).

use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;

use crate::audit::{self, Action, Resource};
use crate::db::{Db, Within};
use crate::error::{Error, Result};
use crate::org::Org;

/// Where an effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Org,
    Global,
    Default,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Org => "org",
            Source::Global => "global",
            Source::Default => "default",
        }
    }
}

/// A flag's effective value and its origin.
#[derive(Debug, Clone, Serialize)]
pub struct FlagState {
    pub name: String,
    pub value: bool,
    pub source: Source,
    pub description: String,
}

#[derive(sqlx::FromRow)]
struct FlagRow {
    name: String,
    description: String,
    global_value: Option<bool>,
    org_value: Option<bool>,
}

/// Every catalogue flag's effective value for the org with this id (or
/// globally), in one query.
pub(crate) async fn effective(db: &Db, org_id: Option<i64>) -> Result<Vec<FlagState>> {
    let rows: Vec<FlagRow> = sqlx::query_as(
        "SELECT f.name, f.description, g.value AS global_value, ov.value AS org_value
           FROM feature_flags f
           LEFT JOIN feature_flag_values g ON g.flag_name = f.name AND g.org_id IS NULL
           LEFT JOIN feature_flag_values ov ON ov.flag_name = f.name AND ov.org_id = $1
          ORDER BY f.name",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .within()
    .await?;
    Ok(rows.into_iter().map(FlagState::from).collect())
}

impl From<FlagRow> for FlagState {
    fn from(r: FlagRow) -> Self {
        let (value, source) = match (r.org_value, r.global_value) {
            (Some(v), _) => (v, Source::Org),
            (None, Some(v)) => (v, Source::Global),
            (None, None) => (false, Source::Default),
        };
        FlagState { name: r.name, value, source, description: r.description }
    }
}

/// One flag set in one scope, and what it was before.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub flag: String,
    /// `global`, or the org's slug.
    pub scope: String,
    /// The value the scope held before; `None` when it had none.
    pub old: Option<bool>,
    pub new: Option<bool>,
}

impl Change {
    pub fn changed(&self) -> bool {
        self.old != self.new
    }

    /// `enabled`, `already enabled`, `disabled`, `cleared`, …
    pub fn outcome(&self) -> &'static str {
        match (self.old, self.new) {
            (Some(true), Some(true)) => "already enabled",
            (Some(false), Some(false)) => "already disabled",
            (_, Some(true)) => "enabled",
            (_, Some(false)) => "disabled",
            (Some(_), None) => "cleared",
            (None, None) => "nothing to clear",
        }
    }
}

/// The catalogue's spelling of a flag name given in any case; an unknown
/// one lists the valid names and suggests the nearest.
pub(crate) async fn flag_name(conn: &mut PgConnection, name: &str) -> Result<String> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM feature_flags ORDER BY name").fetch_all(conn).within().await?;
    match names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        Some(n) => Ok(n.clone()),
        None => {
            let suggestion = crate::values::nearest(name, &names);
            Err(Error::UnknownFlag { given: name.to_string(), valid: names, suggestion })
        }
    }
}

/// Insert-if-absent, then update-if-different: each statement is atomic and
/// waits on a concurrent writer, so the reported old value is always true.
pub(crate) async fn set_in_tx(
    conn: &mut PgConnection,
    org: Option<&Org>,
    name: &str,
    value: bool,
    actor: &str,
) -> Result<Change> {
    let org_id = org.map(|o| o.id);
    // No conflict target: either unique index (the org's row, or the global
    // one) decides here, and on Dalgo's database the view's trigger does.
    let inserted = sqlx::query(
        "INSERT INTO feature_flag_values (org_id, flag_name, value) VALUES ($3, $1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(name)
    .bind(value)
    .bind(org_id)
    .execute(&mut *conn)
    .within()
    .await?
    .rows_affected()
        == 1;
    let old = if inserted {
        None
    } else {
        let updated = sqlx::query(
            "UPDATE feature_flag_values SET value = $2, updated_at = now()
              WHERE flag_name = $1 AND org_id IS NOT DISTINCT FROM $3 AND value <> $2",
        )
        .bind(name)
        .bind(value)
        .bind(org_id)
        .execute(&mut *conn)
        .within()
        .await?
        .rows_affected()
            == 1;
        Some(if updated { !value } else { value })
    };
    let scope = org.map_or_else(|| "global".to_string(), |o| o.slug.clone());
    let change = Change { flag: name.to_string(), scope, old, new: Some(value) };
    if change.changed() {
        audit_change(conn, org, &change, actor).await?;
    }
    Ok(change)
}

pub(crate) async fn audit_change(
    conn: &mut PgConnection,
    org: Option<&Org>,
    change: &Change,
    actor: &str,
) -> Result<()> {
    audit::Entry::new(
        actor,
        match (change.old, change.new) {
            (None, _) => Action::Create,
            (_, None) => Action::Delete,
            _ => Action::Update,
        },
        Resource::FeatureFlag,
        &change.flag,
    )
    .of(org)
    .details(json!({ "flag": change.flag, "scope": change.scope, "old": change.old, "new": change.new }))
    .record(conn)
    .await
}
