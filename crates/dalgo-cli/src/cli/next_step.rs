//! The library's next steps ([`NextStep`]) as the `dalgo` commands that do them.

use dalgo::ops::NextStep;

/// The command that does the step.
pub fn command(step: &NextStep) -> String {
    match step {
        NextStep::Migrate => "dalgo migrate".into(),
        NextStep::ListOrgs => "dalgo org list".into(),
        NextStep::ListPipelines { org } => format!("dalgo pipeline list --org {org}"),
        NextStep::SetRole { email, org } => format!("dalgo user set-role {email} --org {org} --role ROLE"),
        NextStep::CreateSystemUser => "dalgo create-system-orguser".into(),
        NextStep::SetWarehouse { org } => format!("dalgo warehouse set --org {org} …"),
        NextStep::SetupDbt { org } => format!("dalgo dbt setup --org {org} …"),
        NextStep::TeardownDbt { org } => format!("dalgo dbt teardown --org {org}"),
        NextStep::CreateAirbyteWorkspace { org } => format!("dalgo airbyte workspace create --org {org}"),
        NextStep::ListDefinitions { actor } => format!("dalgo airbyte {actor}-definitions"),
        NextStep::ListConnections { org } => format!("dalgo airbyte connections list --org {org}"),
        NextStep::SyncBlocks { org } => format!("dalgo pipeline blocks --org {org}"),
        NextStep::WaitOrCancelRun => "dalgo pipeline cancel <flow run>".into(),
        NextStep::WaitForDbt => "dalgo dbt … (without --no-wait)".into(),
        NextStep::StartWorker { pool, queue } => format!("prefect worker start --pool {pool} --work-queue {queue}"),
        NextStep::ResumePipeline { org, name } => format!("dalgo pipeline resume {name} --org {org}"),
        NextStep::SweepSecrets => "dalgo secrets gc".into(),
        other => format!("({other})"),
    }
}

/// The step as the line after `hint:`.
pub fn hint(step: &NextStep) -> String {
    let cmd = command(step);
    match step {
        NextStep::Migrate => format!("run `{cmd}` first"),
        NextStep::ListOrgs => format!("`{cmd}` shows the orgs"),
        NextStep::ListPipelines { .. } => format!("`{cmd}` shows its pipelines"),
        NextStep::SetRole { .. } => format!("use `{cmd}` to change it"),
        NextStep::CreateSystemUser => format!("it is managed by `{cmd}`"),
        NextStep::SetWarehouse { .. } => format!("set one with `{cmd}`"),
        NextStep::SetupDbt { .. } => format!("create one with `{cmd}`"),
        NextStep::TeardownDbt { .. } => format!("run `{cmd}` first"),
        NextStep::CreateAirbyteWorkspace { .. } => format!("create it with `{cmd}`"),
        NextStep::ListDefinitions { .. } | NextStep::ListConnections { .. } => format!("`{cmd}` lists them"),
        NextStep::WaitOrCancelRun => "wait for that run to end (`dalgo pipeline logs <flow run> --follow`), or cancel \
                                      it (`dalgo pipeline cancel <flow run>`)"
            .into(),
        NextStep::WaitForDbt => "wait for it to finish, or run without --no-wait to queue behind it".into(),
        NextStep::StartWorker { .. } => format!("start a worker for it, e.g. `{cmd}`"),
        _ => format!("run `{cmd}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_a_dalgo_or_prefect_command() {
        let org = || "acme".to_string();
        let steps = [
            NextStep::Migrate,
            NextStep::ListOrgs,
            NextStep::ListPipelines { org: org() },
            NextStep::SetRole { email: "a@b.org".into(), org: org() },
            NextStep::CreateSystemUser,
            NextStep::SetWarehouse { org: org() },
            NextStep::SetupDbt { org: org() },
            NextStep::TeardownDbt { org: org() },
            NextStep::CreateAirbyteWorkspace { org: org() },
            NextStep::ListDefinitions { actor: "source" },
            NextStep::ListConnections { org: org() },
            NextStep::SyncBlocks { org: org() },
            NextStep::WaitOrCancelRun,
            NextStep::WaitForDbt,
            NextStep::StartWorker { pool: "p".into(), queue: "q".into() },
            NextStep::ResumePipeline { org: org(), name: "nightly".into() },
            NextStep::SweepSecrets,
        ];
        for s in &steps {
            let c = command(s);
            assert!(c.starts_with("dalgo ") || c.starts_with("prefect "), "{s:?}: {c}");
            assert!(!hint(s).is_empty());
        }
    }
}
