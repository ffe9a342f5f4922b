-- Every secret version an org's rows use or are about to use. A version is
-- recorded here before it is written to the secrets store, and forgotten
-- only after it is removed from the store, so a crash at any point leaves a
-- name that the next operation on the org, `dalgo org delete` and
-- `dalgo secrets gc` can find. Credentials are never overwritten in place:
-- a new value is a new version, and rows switch to it in a transaction.
CREATE TABLE org_secrets (
    name       text        PRIMARY KEY CHECK (name ~ '^(warehouseCreds|gitrepoAccessToken)-[A-Za-z0-9_.-]+$'),
    org_id     bigint      NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('warehouse', 'git_token')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_secrets_org ON org_secrets (org_id);

INSERT INTO org_secrets (name, org_id, kind)
SELECT credentials_secret, org_id, 'warehouse' FROM warehouses
ON CONFLICT (name) DO NOTHING;

INSERT INTO org_secrets (name, org_id, kind)
SELECT token_secret, org_id, 'git_token' FROM dbt_workspaces WHERE token_secret IS NOT NULL
ON CONFLICT (name) DO NOTHING;

