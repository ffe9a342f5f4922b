-- Orchestration pipelines (Prefect deployments), their ordered tasks, task
-- locks and flow runs.

-- The org's Prefect work pool and queues, in Dalgo's shape:
-- {"scheduled_pipeline_queue": {"name", "workpool", "is_workpool_eks"}, …}.
-- NULL: Dalgo's defaults, from PREFECT_WORKER_POOL_NAME when used.
ALTER TABLE orgs ADD COLUMN queue_config jsonb CHECK (queue_config IS NULL OR jsonb_typeof(queue_config) = 'object');

CREATE TABLE pipelines (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                     uuid        NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    org_id                   bigint      NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name                     text        NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 100),
    deployment_name          text        NOT NULL UNIQUE,
    deployment_id            text        UNIQUE,
    cron                     text,
    dataflow_type            text        NOT NULL DEFAULT 'orchestrate' CHECK (dataflow_type IN ('orchestrate', 'manual')),
    continue_on_sync_failure boolean     NOT NULL DEFAULT false,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

-- The ordered link between a pipeline and its org tasks. A task used by a
-- pipeline cannot be deleted from under it; deleting an org removes its
-- pipelines first.
CREATE TABLE pipeline_tasks (
    pipeline_id bigint  NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    org_task_id bigint  NOT NULL REFERENCES org_tasks(id) ON DELETE NO ACTION,
    seq         integer NOT NULL CHECK (seq >= 0),
    PRIMARY KEY (pipeline_id, org_task_id),
    UNIQUE (pipeline_id, seq)
);
CREATE INDEX pipeline_tasks_org_task_idx ON pipeline_tasks (org_task_id);

-- One lock per org task: a task runs in one flow run at a time.
CREATE TABLE task_locks (
    org_task_id bigint      PRIMARY KEY REFERENCES org_tasks(id) ON DELETE CASCADE,
    locked_by   text        NOT NULL CHECK (locked_by <> ''),
    locked_at   timestamptz NOT NULL DEFAULT now(),
    -- NULL until Prefect has created the run.
    flow_run_id text,
    pipeline_id bigint      REFERENCES pipelines(id) ON DELETE CASCADE
);
CREATE INDEX task_locks_flow_run_idx ON task_locks (flow_run_id);

CREATE TABLE flow_runs (
    flow_run_id         text        PRIMARY KEY,
    org_id              bigint      REFERENCES orgs(id) ON DELETE CASCADE,
    pipeline_id         bigint      REFERENCES pipelines(id) ON DELETE SET NULL,
    deployment_id       text,
    name                text        NOT NULL DEFAULT '',
    -- Prefect's state type (COMPLETED, FAILED, …) and name (Completed, DBT_TEST_FAILED, …).
    state_type          text        NOT NULL,
    state_name          text        NOT NULL,
    start_time          timestamptz,
    expected_start_time timestamptz,
    end_time            timestamptz,
    total_run_time      double precision NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flow_runs_pipeline_idx ON flow_runs (pipeline_id, expected_start_time DESC);
CREATE INDEX flow_runs_deployment_idx ON flow_runs (deployment_id);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_resource_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_resource_type_check CHECK (resource_type IN
    ('org', 'org_plan', 'user', 'org_user', 'feature_flag', 'role', 'warehouse', 'dbt_workspace', 'secret',
     'pipeline', 'task_lock'));
