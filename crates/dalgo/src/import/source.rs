//! Reading a Dalgo Django database: the rows of the tables the import
//! carries over, in one read-only snapshot (a `REPEATABLE READ READ ONLY`
//! transaction: the rows agree with each other, and nothing is written).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{Connection, FromRow, PgConnection};

use crate::db::Within;
use crate::error::{Error, Result};

#[derive(Debug, Clone, FromRow)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub slug: Option<String>,
    pub airbyte_workspace_id: Option<String>,
    pub website: Option<String>,
    pub viz_url: Option<String>,
    pub queue_config: Value,
    pub dbt_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Plan {
    pub id: i64,
    pub org_id: i64,
    pub base_plan: Option<String>,
    pub superset_included: Option<bool>,
    pub subscription_duration: Option<String>,
    pub features: Option<Value>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub can_upgrade_plan: bool,
    pub upgrade_requested: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `auth_user` with its `ddpui_userattributes` (the newest, when Django
/// holds several: it is a foreign key, not one-to-one).
#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub password: String,
    pub is_active: bool,
    pub date_joined: DateTime<Utc>,
    pub email_verified: Option<bool>,
    pub can_create_orgs: Option<bool>,
    pub is_consultant: Option<bool>,
    pub is_platform_admin: Option<bool>,
}

/// `ddpui_orguser` with its role's slug.
#[derive(Debug, Clone, FromRow)]
pub struct Member {
    pub id: i64,
    pub org_id: Option<i64>,
    pub user_id: i32,
    pub role: Option<String>,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Flag {
    pub id: i64,
    pub org_id: Option<i64>,
    pub flag_name: String,
    pub flag_value: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct Warehouse {
    pub id: i64,
    pub org_id: i64,
    pub wtype: String,
    pub credentials: String,
    pub name: String,
    pub airbyte_destination_id: Option<String>,
    pub bq_location: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Dbt {
    pub id: i64,
    pub transform_type: Option<String>,
    pub gitrepo_url: Option<String>,
    pub branch_name: Option<String>,
    pub project_dir: String,
    pub target_type: String,
    pub default_schema: String,
    pub gitrepo_access_token_secret: Option<String>,
    pub is_repo_managed_by_system: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `ddpui_orgtask` with its task's slug.
#[derive(Debug, Clone, FromRow)]
pub struct OrgTask {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org_id: i64,
    pub task: String,
    pub connection_id: Option<String>,
    pub parameters: Value,
    pub generated_by: String,
    pub dbt_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Dataflow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub deployment_name: Option<String>,
    pub deployment_id: Option<String>,
    pub cron: Option<String>,
    pub dataflow_type: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Step {
    pub id: i64,
    pub dataflow_id: i64,
    pub orgtask_id: i64,
}

/// `ddpui_tasklock` with the locking orguser's user.
#[derive(Debug, Clone, FromRow)]
pub struct Lock {
    pub id: i64,
    pub orgtask_id: i64,
    pub user_id: Option<i32>,
    pub flow_run_id: String,
    pub locking_dataflow_id: Option<i64>,
    pub locked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct FlowRun {
    pub id: i64,
    pub flow_run_id: String,
    pub deployment_id: Option<String>,
    pub name: String,
    pub start_time: Option<DateTime<Utc>>,
    pub expected_start_time: DateTime<Utc>,
    pub total_run_time: f64,
    pub status: String,
    pub state_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct AirbyteJob {
    pub job_id: i64,
    pub config_id: String,
    pub job_type: String,
    pub status: String,
    pub records_committed: i64,
    pub bytes_committed: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything the import reads, as of one moment.
#[derive(Debug, Default)]
pub struct Source {
    /// Where it was read, for the report: host:port/database, no credentials.
    pub target: String,
    pub orgs: Vec<Org>,
    pub plans: Vec<Plan>,
    pub users: Vec<User>,
    pub members: Vec<Member>,
    /// The role slugs `ddpui_role` holds.
    pub roles: Vec<String>,
    /// The task slugs `ddpui_task` holds.
    pub tasks: Vec<String>,
    pub flags: Vec<Flag>,
    pub warehouses: Vec<Warehouse>,
    pub dbts: Vec<Dbt>,
    pub org_tasks: Vec<OrgTask>,
    pub dataflows: Vec<Dataflow>,
    pub steps: Vec<Step>,
    pub locks: Vec<Lock>,
    pub flow_runs: Vec<FlowRun>,
    pub airbyte_jobs: Vec<AirbyteJob>,
    /// Rows of the tables no dalgo table holds, by table (those with rows).
    pub no_home: Vec<(String, i64)>,
}

/// The tables the import reads, and those it matches by slug without
/// carrying over (seed data): every other table with rows has no home.
const READ: &[&str] = &[
    "ddpui_org",
    "ddpui_orgplans",
    "auth_user",
    "ddpui_userattributes",
    "ddpui_orguser",
    "ddpui_role",
    "ddpui_permission",
    "ddpui_rolepermission",
    "ddpui_task",
    "ddpui_orgfeatureflag",
    "ddpui_orgwarehouse",
    "ddpui_orgdbt",
    "ddpui_orgtask",
    "ddpui_orgdataflowv1",
    "ddpui_datafloworgtask",
    "ddpui_tasklock",
    "ddpui_prefectflowrun",
    "ddpui_airbytejob",
    // Blocks are found in Prefect by name: the table is Django's index of them.
    "ddpui_orgprefectblockv1",
];

impl Source {
    /// Reads the Dalgo Django database behind `conn`; 78 when it is not one.
    pub async fn read(conn: &mut PgConnection, target: String) -> Result<Source> {
        let mut tx = conn.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").within().await?;
        let has_migrations: bool = sqlx::query_scalar("SELECT to_regclass('public.django_migrations') IS NOT NULL")
            .fetch_one(&mut *tx)
            .within()
            .await?;
        let is_dalgo = has_migrations
            && sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM public.django_migrations WHERE app = 'ddpui')")
                .fetch_one(&mut *tx)
                .within()
                .await?;
        if !is_dalgo {
            return Err(Error::NotDjangoDatabase(target));
        }
        let mut s = Source { target, ..Source::default() };
        s.read_tables(&mut tx).await?;
        s.no_home = no_home(&mut tx).await?;
        tx.rollback().within().await?;
        Ok(s)
    }

    async fn read_tables(&mut self, c: &mut PgConnection) -> Result<()> {
        self.orgs = all(c, "SELECT id, name, slug, airbyte_workspace_id, website, viz_url, queue_config, dbt_id, created_at, updated_at FROM public.ddpui_org ORDER BY id").await?;
        self.plans = all(c, "SELECT id, org_id, base_plan, superset_included, subscription_duration, features, start_date, end_date, can_upgrade_plan, upgrade_requested, created_at, updated_at FROM public.ddpui_orgplans ORDER BY id").await?;
        self.users = all(
            c,
            "SELECT u.id, u.username, u.email, u.password, u.is_active, u.date_joined,
                    a.email_verified, a.can_create_orgs, a.is_consultant, a.is_platform_admin
               FROM public.auth_user u
               LEFT JOIN LATERAL (SELECT * FROM public.ddpui_userattributes a WHERE a.user_id = u.id
                                   ORDER BY a.updated_at DESC, a.id DESC LIMIT 1) a ON true
              ORDER BY u.id",
        )
        .await?;
        self.members = all(
            c,
            "SELECT m.id, m.org_id, m.user_id, r.slug AS role, m.email_verified, m.created_at, m.updated_at
               FROM public.ddpui_orguser m LEFT JOIN public.ddpui_role r ON r.id = m.new_role_id ORDER BY m.id",
        )
        .await?;
        self.roles =
            sqlx::query_scalar("SELECT slug FROM public.ddpui_role ORDER BY id").fetch_all(&mut *c).within().await?;
        self.tasks =
            sqlx::query_scalar("SELECT slug FROM public.ddpui_task ORDER BY id").fetch_all(&mut *c).within().await?;
        self.flags =
            all(c, "SELECT id, org_id, flag_name, flag_value FROM public.ddpui_orgfeatureflag ORDER BY id").await?;
        self.warehouses = all(c, "SELECT id, org_id, wtype, credentials, name, airbyte_destination_id, bq_location, created_at, updated_at FROM public.ddpui_orgwarehouse ORDER BY id").await?;
        self.dbts = all(c, "SELECT id, transform_type, gitrepo_url, branch_name, project_dir, target_type, default_schema, gitrepo_access_token_secret, is_repo_managed_by_system, created_at, updated_at FROM public.ddpui_orgdbt ORDER BY id").await?;
        self.org_tasks = all(
            c,
            "SELECT o.id, o.uuid, o.org_id, t.slug AS task, o.connection_id, o.parameters, o.generated_by, o.dbt_id,
                    o.created_at, o.updated_at
               FROM public.ddpui_orgtask o JOIN public.ddpui_task t ON t.id = o.task_id ORDER BY o.id",
        )
        .await?;
        self.dataflows = all(c, "SELECT id, org_id, name, deployment_name, deployment_id, cron, dataflow_type, created_at, updated_at FROM public.ddpui_orgdataflowv1 ORDER BY id").await?;
        self.steps = all(
            c,
            "SELECT id, dataflow_id, orgtask_id FROM public.ddpui_datafloworgtask ORDER BY dataflow_id, seq, id",
        )
        .await?;
        self.locks = all(
            c,
            "SELECT l.id, l.orgtask_id, m.user_id, l.flow_run_id, l.locking_dataflow_id, l.locked_at
               FROM public.ddpui_tasklock l LEFT JOIN public.ddpui_orguser m ON m.id = l.locked_by_id ORDER BY l.id",
        )
        .await?;
        self.flow_runs = all(c, "SELECT id, flow_run_id, deployment_id, name, start_time, expected_start_time, total_run_time, status, state_name, created_at, updated_at FROM public.ddpui_prefectflowrun ORDER BY id").await?;
        self.airbyte_jobs = all(c, "SELECT job_id, config_id, job_type, status, records_committed, bytes_committed, started_at, ended_at, created_at, updated_at FROM public.ddpui_airbytejob ORDER BY job_id").await?;
        Ok(())
    }
}

async fn all<T>(c: &mut PgConnection, sql: &'static str) -> Result<Vec<T>>
where
    T: for<'r> FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    Ok(sqlx::query_as(sql).fetch_all(c).within().await?)
}

/// The rows of every other `ddpui_*` table, and of the dashboards,
/// comments, reports and Django's own `audit_log`: Django's framework
/// tables (`django_*`, `auth_*` but users) are not Dalgo's data.
async fn no_home(c: &mut PgConnection) -> Result<Vec<(String, i64)>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'
            AND tablename NOT LIKE 'django\\_%' AND tablename NOT LIKE 'auth\\_%'
            AND NOT (tablename = ANY($1)) ORDER BY 1",
    )
    .bind(READ)
    .fetch_all(&mut *c)
    .within()
    .await?;
    let mut counts = Vec::new();
    for t in tables {
        let sql = format!("SELECT count(*) FROM public.{}", quote_ident(&t));
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *c).within().await?;
        if n > 0 {
            counts.push((t, n));
        }
    }
    Ok(counts)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
