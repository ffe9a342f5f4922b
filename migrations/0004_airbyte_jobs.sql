-- Airbyte jobs dalgo triggered or watched, kept after the fact.
CREATE TABLE airbyte_jobs (
    job_id        bigint      PRIMARY KEY,
    org_id        bigint      REFERENCES orgs(id) ON DELETE CASCADE,
    connection_id text        NOT NULL,
    job_type      text        NOT NULL,
    status        text        NOT NULL,
    records       bigint      NOT NULL DEFAULT 0 CHECK (records >= 0),
    bytes         bigint      NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    started_at    timestamptz,
    ended_at      timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX airbyte_jobs_org_idx ON airbyte_jobs (org_id, created_at DESC);
CREATE INDEX airbyte_jobs_connection_idx ON airbyte_jobs (connection_id, created_at DESC);
