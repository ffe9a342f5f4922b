//! Claiming a scheduled run: proposing PENDING as Prefect's own workers do,
//! and leaving alone what is not this worker's to do.

use super::*;

impl Worker<'_> {
    /// Claims a scheduled run, or leaves it: a run that is not this worker's
    /// to do goes into `left_alone` (not asked about again while it waits),
    /// and one of Dalgo's flow it cannot do is said, once; a refused run is
    /// said as finished FAILED, and counted.
    pub(super) async fn try_claim(
        &self,
        fr: FlowRun,
        left_alone: &mut HashSet<String>,
        report: &mut WorkerReport,
    ) -> Result<Taken> {
        Ok(match self.claim(fr).await? {
            Ok(c) => Taken::Run(Box::new(c)),
            Err(NotClaimed::NotDalgos(id)) => {
                left_alone.insert(id);
                Taken::Nothing
            }
            Err(NotClaimed::Unrunnable { run, reason }) => {
                left_alone.insert(run.id.clone());
                (self.on_event)(WorkerEvent::Left { flow_run_id: run.id, flow_run_name: run.name, reason });
                Taken::Nothing
            }
            Err(NotClaimed::Refused(run, state_type, reason)) => {
                report.count(&Some(state_type));
                (self.on_event)(WorkerEvent::Finished {
                    flow_run_id: run.id,
                    flow_run_name: run.name,
                    state_type,
                    state_name: "Failed".into(),
                    message: Some(reason),
                    seconds: 0.0,
                });
                Taken::Refused
            }
            Err(NotClaimed::Taken) => Taken::Nothing,
        })
    }

    /// Claims a scheduled run: `Ok` when it is this worker's now, else why not.
    pub(super) async fn claim(&self, fr: FlowRun) -> Result<std::result::Result<Claimed, NotClaimed>> {
        let Some(deployment_id) = fr.deployment_id.clone() else {
            tracing::debug!("flow run {} has no deployment: left for other workers", fr.id);
            return Ok(Err(NotClaimed::NotDalgos(fr.id)));
        };
        if !self.runs_dalgo_flow(&deployment_id).await? {
            tracing::debug!("flow run {} is not of Dalgo's pipeline flow: left for other workers", fr.id);
            return Ok(Err(NotClaimed::NotDalgos(fr.id)));
        }
        let unrunnable = |fr: FlowRun, reason: String| Ok(Err(NotClaimed::Unrunnable { run: fr, reason }));
        let plan = match plan(fr.extra.get("parameters").unwrap_or(&Value::Null)) {
            Ok(p) => p,
            Err(why) => return unrunnable(fr, why),
        };
        let verdict = vouch::vouch(self.dalgo.db(), &self.dalgo.config().dbt, &deployment_id, plan).await?;
        let (owner, plan) = match verdict {
            Verdict::Vouched(owner, plan) => (owner, plan),
            Verdict::Unknown(why) => return unrunnable(fr, why),
            Verdict::Refused(why) => return self.refuse(fr, why).await,
        };
        if !self.propose_pending(&fr).await? {
            return Ok(Err(NotClaimed::Taken));
        }
        Ok(Ok(Claimed { run: fr, deployment_id, owner, plan }))
    }

    /// Proposes PENDING for the run: whether this worker has it now
    /// (Prefect accepts one proposal per run).
    pub(super) async fn propose_pending(&self, fr: &FlowRun) -> Result<bool> {
        let pending = json!({ "type": "PENDING", "name": "Pending", "message": self.marker });
        let verdict = self.client.propose_state(&fr.id, pending).await?;
        if !verdict.accepted() {
            tracing::debug!("flow run {} was claimed by another worker ({})", fr.id, verdict.status);
        }
        Ok(verdict.accepted())
    }

    /// Claims a run its database does not vouch for and fails it with why,
    /// so that no other worker runs what it asks for; nothing of it runs.
    pub(super) async fn refuse(&self, fr: FlowRun, why: String) -> Result<std::result::Result<Claimed, NotClaimed>> {
        if !self.propose_pending(&fr).await? {
            return Ok(Err(NotClaimed::Taken));
        }
        let reason = format!("refused: {why}");
        let failed = json!({ "type": "FAILED", "name": "Failed", "message": format!("{}: {reason}", self.marker) });
        self.client.set_state(&fr.id, failed).await?;
        let settled = crate::pipeline::settle_flow_run(self.dalgo.db(), self.client, &fr.id).await?;
        Ok(Err(NotClaimed::Refused(fr, settled.state_type(), reason)))
    }

    pub(super) async fn runs_dalgo_flow(&self, deployment_id: &str) -> Result<bool> {
        if let Some(known) = lock(&self.entrypoints).get(deployment_id) {
            return Ok(*known);
        }
        let dep = self.client.get_deployment(deployment_id).await?;
        let ours = dep.entrypoint.as_deref().is_some_and(is_pipeline_flow);
        lock(&self.entrypoints).insert(deployment_id.to_string(), ours);
        Ok(ours)
    }
}
