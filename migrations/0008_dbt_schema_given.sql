-- Whether the workspace's default_schema was given (`dbt setup --default-schema`)
-- or taken from the warehouse. A re-run of `dbt setup` keeps a given schema and
-- follows the warehouse's otherwise, so a changed warehouse moves dbt with it.
-- Rows from before this migration keep theirs: whether it was given is unknown.
ALTER TABLE dbt_workspaces ADD COLUMN default_schema_given boolean NOT NULL DEFAULT true;
ALTER TABLE dbt_workspaces ALTER COLUMN default_schema_given SET DEFAULT false;
