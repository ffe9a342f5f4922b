-- Feature flags: a catalogue (seeded, so a new flag is a data change) and the
-- values set globally (org_id NULL) or per org.

CREATE TABLE feature_flags (
    name        text        PRIMARY KEY CHECK (name ~ '^[A-Z][A-Z0-9_]*$'),
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feature_flag_values (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint      REFERENCES orgs(id) ON DELETE CASCADE,
    flag_name  text        NOT NULL REFERENCES feature_flags(name) ON DELETE CASCADE ON UPDATE CASCADE,
    value      boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- One value per scope: per (org, flag), and one global value per flag.
CREATE UNIQUE INDEX feature_flag_values_org_key ON feature_flag_values (org_id, flag_name) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX feature_flag_values_global_key ON feature_flag_values (flag_name) WHERE org_id IS NULL;
