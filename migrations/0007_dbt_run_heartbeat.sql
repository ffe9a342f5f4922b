-- A running dbt command's dalgo touches heartbeat_at every few seconds on the
-- session that holds the org's dbt lock. A command that takes the lock after
-- that session died waits while the row's heartbeat is fresh (its dalgo is
-- stopping its dbt), so two dbt commands of one org never overlap; a row
-- still 'running' with a stale heartbeat is a run whose dalgo is gone.
ALTER TABLE dbt_runs ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
