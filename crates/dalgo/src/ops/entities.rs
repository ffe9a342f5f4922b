//! `org show --entities`: everything an org owns, in every system, each
//! external object marked present, missing or unknown (a service not
//! configured or not answering), never failing on one.

use serde::Serialize;

use super::OrgOps;
use crate::airbyte::{Actor, ActorRead, Connection};
use crate::db::Within;
use crate::error::{Error, Failure, Result};
use crate::org::{Org, OrgDetails};
use crate::pipeline::blocks::BlockType;
use crate::pipeline::{LockRow, Pipeline};

/// Whether an object dalgo's database names exists where it should.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Presence {
    Present,
    /// The service answered that it has no such object.
    Missing,
    /// The service could not be asked (not configured, not answering).
    Unknown {
        reason: String,
    },
    /// Not there, and not to be: the org has no use for it yet (a dbt
    /// block without a dbt workspace, the git URL without a token).
    NotNeeded {
        reason: String,
    },
}

impl Presence {
    fn of<T>(answer: &Result<T>) -> Presence {
        match answer {
            Ok(_) => Presence::Present,
            Err(
                Error::Airbyte { failure: Failure::NotFound, .. } | Error::Prefect { failure: Failure::NotFound, .. },
            ) => Presence::Missing,
            Err(e) => Presence::Unknown { reason: e.to_string() },
        }
    }
}

/// Everything an org owns.
#[derive(Debug, Clone, Serialize)]
pub struct Entities {
    #[serde(flatten)]
    pub org: OrgDetails,
    /// The warehouse with its credentials masked.
    pub warehouse: Option<crate::warehouse::WarehouseDetails>,
    pub dbt_workspace: Option<crate::dbt::Workspace>,
    pub airbyte: AirbyteEntities,
    pub org_tasks: Vec<OrgTask>,
    pub pipelines: Vec<PipelineEntity>,
    pub prefect_blocks: Vec<BlockEntity>,
    pub locks: Vec<LockRow>,
}

/// The org's Airbyte workspace and what is in it.
#[derive(Debug, Clone, Serialize)]
pub struct AirbyteEntities {
    pub workspace_id: Option<String>,
    pub workspace: Option<Presence>,
    pub sources: Vec<ActorRead>,
    pub destinations: Vec<ActorRead>,
    pub connections: Vec<Connection>,
}

/// One of the org's tasks (what pipelines' steps run).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgTask {
    pub uuid: uuid::Uuid,
    pub task: String,
    pub connection_id: Option<String>,
}

/// A pipeline, its deployment's presence in Prefect, and its tasks in order.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineEntity {
    #[serde(flatten)]
    pub pipeline: Pipeline,
    pub deployment: Presence,
    pub tasks: Vec<String>,
}

/// A Prefect block the org's pipelines load.
#[derive(Debug, Clone, Serialize)]
pub struct BlockEntity {
    pub name: String,
    pub block_type: BlockType,
    #[serde(flatten)]
    pub presence: Presence,
}

impl OrgOps<'_> {
    /// Everything the org owns, in dalgo's database, Airbyte and Prefect:
    /// what the database names is listed whether or not the service has
    /// it, marked [`Presence::Missing`] when it does not and
    /// [`Presence::Unknown`] when it cannot be asked.
    pub async fn entities(&self) -> Result<Entities> {
        let dalgo = self.dalgo;
        let details = self.show().await?;
        let org = details.org.clone();
        let warehouse = match crate::warehouse::details(dalgo.db(), dalgo.store(), &org).await {
            Ok(w) => Some(w),
            Err(Error::NoWarehouse(_)) => None,
            Err(e) => return Err(e),
        };
        // One connection at a time (a command's pool may hold only one).
        let mut conn = dalgo.db().pool().acquire().await?;
        let dbt_workspace = crate::dbt::find(&mut conn, &org).await?;
        let org_tasks = sqlx::query_as(
            "SELECT ot.uuid, t.slug AS task, ot.connection_id FROM org_tasks ot JOIN tasks t ON t.id = ot.task_id
              WHERE ot.org_id = $1 ORDER BY t.slug, ot.connection_id NULLS FIRST",
        )
        .bind(org.id)
        .fetch_all(&mut *conn)
        .within()
        .await?;
        let pipelines = self.pipeline_entities(&mut conn, &org).await?;
        drop(conn);
        Ok(Entities {
            airbyte: self.airbyte_entities(&org).await,
            prefect_blocks: self.block_entities(&org, dbt_workspace.as_ref()).await,
            locks: crate::pipeline::list_locks(dalgo.db(), None, Some(org.id)).await?,
            org: details,
            warehouse,
            dbt_workspace,
            org_tasks,
            pipelines,
        })
    }

    pub(super) async fn airbyte_entities(&self, org: &Org) -> AirbyteEntities {
        let mut a = AirbyteEntities {
            workspace_id: org.airbyte_workspace_id.clone(),
            workspace: None,
            sources: Vec::new(),
            destinations: Vec::new(),
            connections: Vec::new(),
        };
        if a.workspace_id.is_none() {
            return a;
        }
        let oa = match super::OrgAirbyte::of(self.dalgo, org.clone()) {
            Ok(oa) => oa,
            Err(e) => {
                a.workspace = Some(Presence::Unknown { reason: e.to_string() });
                return a;
            }
        };
        let workspace = oa.workspace().await;
        a.workspace = Some(Presence::of(&workspace));
        if workspace.is_err() {
            return a;
        }
        let listed = async {
            Ok::<_, Error>((
                oa.actors(Actor::Source).await?,
                oa.actors(Actor::Destination).await?,
                oa.connections().await?,
            ))
        };
        match listed.await {
            Ok((sources, destinations, connections)) => {
                (a.sources, a.destinations, a.connections) = (sources, destinations, connections)
            }
            // What is in it could not be read: said, not hidden as an empty workspace.
            Err(e) => a.workspace = Some(Presence::Unknown { reason: e.to_string() }),
        }
        a
    }

    pub(super) async fn pipeline_entities(
        &self,
        conn: &mut sqlx::PgConnection,
        org: &Org,
    ) -> Result<Vec<PipelineEntity>> {
        let client = self.dalgo.prefect();
        let mut out = Vec::new();
        for pipeline in crate::pipeline::all(conn, org).await? {
            let tasks =
                crate::pipeline::current_task_rows(conn, pipeline.id).await?.into_iter().map(|t| t.slug).collect();
            let deployment = match (&client, &pipeline.deployment_id) {
                (_, None) => Presence::Missing,
                (Err(e), Some(_)) => Presence::Unknown { reason: e.to_string() },
                (Ok(c), Some(id)) => Presence::of(&c.get_deployment(id).await),
            };
            out.push(PipelineEntity { pipeline, deployment, tasks });
        }
        Ok(out)
    }

    pub(super) async fn block_entities(&self, org: &Org, dbt: Option<&crate::dbt::Workspace>) -> Vec<BlockEntity> {
        let client = self.dalgo.prefect();
        let mut out = Vec::new();
        for (block_type, name) in crate::pipeline::blocks::targets(&org.slug, false) {
            let presence = match &client {
                Ok(c) => match c.block_exists(block_type.as_str(), &name).await {
                    Ok(true) => Presence::Present,
                    Ok(false) => match crate::pipeline::blocks::no_use_for(self.dalgo.config(), org, &name, dbt) {
                        Some(reason) => Presence::NotNeeded { reason },
                        None => Presence::Missing,
                    },
                    Err(e) => Presence::Unknown { reason: e.to_string() },
                },
                Err(e) => Presence::Unknown { reason: e.to_string() },
            };
            out.push(BlockEntity { name, block_type, presence });
        }
        out
    }
}
