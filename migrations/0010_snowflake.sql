-- Snowflake warehouses: Dalgo's schema allows wtype = snowflake, and dbt's
-- target follows the warehouse.
ALTER TABLE warehouses DROP CONSTRAINT warehouses_wtype_check,
    ADD CONSTRAINT warehouses_wtype_check CHECK (wtype IN ('postgres', 'bigquery', 'snowflake'));
ALTER TABLE dbt_workspaces DROP CONSTRAINT dbt_workspaces_target_type_check,
    ADD CONSTRAINT dbt_workspaces_target_type_check CHECK (target_type IN ('postgres', 'bigquery', 'snowflake'));
