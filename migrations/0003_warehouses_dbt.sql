-- Warehouses, dbt workspaces, org tasks and dbt run history.
-- Credentials never live here: rows keep the name of a secret in the secrets store.

CREATE TABLE warehouses (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id                 bigint      NOT NULL UNIQUE REFERENCES orgs(id) ON DELETE CASCADE,
    wtype                  text        NOT NULL CHECK (wtype IN ('postgres', 'bigquery')),
    name                   text        NOT NULL DEFAULT '',
    credentials_secret     text        NOT NULL UNIQUE CHECK (credentials_secret LIKE 'warehouseCreds-%'),
    airbyte_destination_id text,
    bq_location            text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dbt_workspaces (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         bigint      NOT NULL UNIQUE REFERENCES orgs(id) ON DELETE CASCADE,
    -- 'git': cloned by dalgo under CLIENTDBT_ROOT; 'local': a project already on disk.
    source         text        NOT NULL CHECK (source IN ('git', 'local')),
    -- Without credentials, ever.
    repo_url       text        CHECK (repo_url IS NULL OR repo_url !~ '://[^/@]*:[^/@]*@'),
    branch         text,
    -- Relative to CLIENTDBT_ROOT for 'git' (as Dalgo stores it), absolute for 'local'.
    project_dir    text        NOT NULL CHECK (project_dir <> ''),
    target_type    text        NOT NULL CHECK (target_type IN ('postgres', 'bigquery')),
    default_schema text        NOT NULL CHECK (default_schema ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
    token_secret   text        CHECK (token_secret LIKE 'gitrepoAccessToken-%'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((source = 'git') = (repo_url IS NOT NULL)),
    CHECK (source = 'git' OR token_secret IS NULL)
);

-- An org's instance of a master task.
CREATE TABLE org_tasks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid             uuid        NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    org_id           bigint      NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    task_id          bigint      NOT NULL REFERENCES tasks(id) ON DELETE RESTRICT,
    connection_id    text,
    parameters       jsonb       NOT NULL DEFAULT '{"flags": [], "options": {}}'::jsonb
                     CHECK (jsonb_typeof(parameters) = 'object'),
    generated_by     text        NOT NULL DEFAULT 'system' CHECK (generated_by IN ('system', 'client')),
    dbt_workspace_id bigint      REFERENCES dbt_workspaces(id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_tasks_org_idx ON org_tasks (org_id);
-- One system task of each kind per org (connection-bound tasks: one per connection).
CREATE UNIQUE INDEX org_tasks_one_system_task ON org_tasks (org_id, task_id)
    WHERE generated_by = 'system' AND connection_id IS NULL;
CREATE UNIQUE INDEX org_tasks_one_per_connection ON org_tasks (org_id, task_id, connection_id)
    WHERE generated_by = 'system' AND connection_id IS NOT NULL;

CREATE TABLE dbt_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint      NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    command     text        NOT NULL,
    args        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    actor       text        NOT NULL,
    pid         integer,
    status      text        NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    exit_code   integer,
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    CHECK ((status = 'running') = (ended_at IS NULL))
);
CREATE INDEX dbt_runs_org_idx ON dbt_runs (org_id, started_at DESC);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_resource_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_resource_type_check CHECK (resource_type IN
    ('org', 'org_plan', 'user', 'org_user', 'feature_flag', 'role', 'warehouse', 'dbt_workspace', 'secret'));
