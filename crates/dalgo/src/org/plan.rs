//! An org's plan (Dalgo's `createorgplan`): which plan, for how long,
//! whether Superset comes with it, its window, and what Dalgo derives from
//! those (`can_upgrade_plan`, the `features` preset).

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{Org, OrgPlan};
use crate::db::Within;
use crate::error::{Error, Result};

string_enum! {
    /// Dalgo's plans (`OrgPlanType`).
    pub enum BasePlan {
        FreeTrial => "Free Trial",
        Dalgo => "Dalgo",
        Internal => "Internal",
    }
}

string_enum! {
    /// How long a plan runs before it renews.
    pub enum Duration {
        Monthly => "Monthly",
        Annual => "Annual",
        Trial => "trial",
    }
}

/// The plan an org is to have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSpec {
    pub base_plan: BasePlan,
    pub duration: Duration,
    pub superset: bool,
    /// The plan's window, as dates (midnight UTC; no host time zone shifts them).
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl PlanSpec {
    /// What Dalgo derives: a Free Trial can be upgraded, an Internal plan
    /// cannot, a Dalgo plan can unless it already includes Superset.
    pub fn can_upgrade(&self) -> bool {
        match self.base_plan {
            BasePlan::FreeTrial => true,
            BasePlan::Internal => false,
            BasePlan::Dalgo => !self.superset,
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        match (self.start, self.end) {
            (Some(s), Some(e)) if e < s => Err(Error::InvalidPlan(format!("it ends ({e}) before it starts ({s})"))),
            _ => Ok(()),
        }
    }
}

/// Features granted by a plan, as Dalgo's presets define them: Dalgo's
/// pipeline, AI and data-quality features, and Superset's dashboards with
/// Superset, a Free Trial or an Internal plan.
pub(crate) fn features(base_plan: BasePlan, superset: bool) -> serde_json::Value {
    let mut features = json!({
        "pipeline": ["Ingest", "Transform", "Orchestrate"],
        "aiFeatures": ["AI data analysis"],
        "dataQuality": ["Data quality dashboards"],
    });
    if superset || matches!(base_plan, BasePlan::Internal | BasePlan::FreeTrial) {
        features["superset"] = json!(["Superset dashboards", "Superset Usage dashboards"]);
    }
    features
}

/// What setting a plan did.
#[derive(Debug, Clone, Serialize)]
pub struct PlanChange {
    pub org: String,
    /// False when the org had this very plan already (nothing was written).
    pub changed: bool,
    pub plan: OrgPlan,
}

pub(crate) const PLAN_COLUMNS: &str = "base_plan, superset_included, subscription_duration, features,
    (start_date AT TIME ZONE 'UTC')::date AS start_date, (end_date AT TIME ZONE 'UTC')::date AS end_date,
    can_upgrade_plan, upgrade_requested";

/// The org's plan, if it has one.
pub(crate) async fn get(conn: &mut sqlx::PgConnection, org: &Org) -> Result<Option<OrgPlan>> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM org_plans WHERE org_id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.id).fetch_optional(conn).within().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_and_durations_are_matched_in_any_case() {
        assert_eq!(crate::values::parse_any_case::<BasePlan>("DALGO").unwrap(), BasePlan::Dalgo);
        assert_eq!(crate::values::parse_any_case::<BasePlan>("free trial").unwrap(), BasePlan::FreeTrial);
        assert_eq!(crate::values::parse_any_case::<Duration>("annual").unwrap(), Duration::Annual);
        let e = crate::values::parse_any_case::<BasePlan>("Gold").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }

    #[test]
    fn upgrades_and_features_follow_dalgo() {
        let spec =
            |base_plan, superset| PlanSpec { base_plan, duration: Duration::Monthly, superset, start: None, end: None };
        assert!(spec(BasePlan::FreeTrial, false).can_upgrade());
        assert!(!spec(BasePlan::Internal, false).can_upgrade());
        assert!(spec(BasePlan::Dalgo, false).can_upgrade());
        assert!(!spec(BasePlan::Dalgo, true).can_upgrade());
        assert!(features(BasePlan::Dalgo, false).get("superset").is_none());
        assert!(features(BasePlan::Dalgo, true).get("superset").is_some());
        assert!(features(BasePlan::Internal, false).get("superset").is_some());
    }

    #[test]
    fn a_plan_that_ends_before_it_starts_is_refused() {
        let date = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
        let spec = PlanSpec {
            base_plan: BasePlan::Dalgo,
            duration: Duration::Annual,
            superset: false,
            start: date("2027-01-01"),
            end: date("2026-12-31"),
        };
        assert_eq!(spec.check().unwrap_err().kind(), crate::error::ErrorKind::InvalidInput);
    }
}
