-- The secret fields of Airbyte sources that dalgo wrote from an org
-- document (`dalgo apply`). Airbyte never returns a secret (it masks it), so
-- dalgo keeps each value it sent as a secret version of the org, and here
-- which field of which source holds it: an export names the version
-- (`password: {secret: NAME}`), and an apply compares a value from the
-- environment or a file with it instead of rewriting the source each time.
ALTER TABLE org_secrets DROP CONSTRAINT org_secrets_name_check;
ALTER TABLE org_secrets DROP CONSTRAINT org_secrets_kind_check;
ALTER TABLE org_secrets ADD CONSTRAINT org_secrets_name_check
    CHECK (name ~ '^(warehouseCreds|gitrepoAccessToken|airbyteSourceSecret)-[A-Za-z0-9_.-]+$');
ALTER TABLE org_secrets ADD CONSTRAINT org_secrets_kind_check
    CHECK (kind IN ('warehouse', 'git_token', 'source_field'));
-- For the key below: a field can hold only a version of its own org.
ALTER TABLE org_secrets ADD CONSTRAINT org_secrets_name_org UNIQUE (name, org_id);

CREATE TABLE source_secrets (
    org_id    bigint NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    -- Airbyte's sourceId: it stays when the source is renamed.
    source_id text   NOT NULL CHECK (source_id <> ''),
    -- The field's place in the source's config, its keys joined by `.`.
    field     text   NOT NULL CHECK (field <> ''),
    secret    text   NOT NULL UNIQUE,
    PRIMARY KEY (source_id, field),
    -- A version of the same org (never another's); forgetting the version
    -- forgets the field it held.
    FOREIGN KEY (secret, org_id) REFERENCES org_secrets (name, org_id) ON DELETE CASCADE
);
CREATE INDEX source_secrets_org ON source_secrets (org_id);
