-- dalgo core schema: organisations, users, roles and permissions, memberships,
-- master tasks, audit log. Modelled on Dalgo's Django schema, with the
-- integrity rules Django only enforces in Python (or not at all) declared here.

CREATE TABLE roles (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid        uuid        NOT NULL UNIQUE,
    slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    name        text        NOT NULL CHECK (btrim(name) <> ''),
    level       smallint    NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 10),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE permissions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid        uuid        NOT NULL UNIQUE,
    slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9_]+$'),
    name        text        NOT NULL CHECK (btrim(name) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE role_permissions (
    role_id       bigint NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission_id bigint NOT NULL REFERENCES permissions(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX role_permissions_permission_idx ON role_permissions (permission_id);

CREATE TABLE orgs (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                 uuid        NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name                 text        NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 50),
    -- Dalgo keeps slugs to 20 characters; they end up in Airbyte, Prefect and
    -- secret names, so they must be unique, non-empty and path-safe.
    slug                 text        NOT NULL UNIQUE
                         CHECK (char_length(slug) BETWEEN 1 AND 20 AND slug ~ '^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$'),
    airbyte_workspace_id text,
    website              text,
    viz_url              text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orgs_name_ci_key ON orgs (lower(name));

CREATE TABLE org_plans (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id                bigint      NOT NULL UNIQUE REFERENCES orgs(id) ON DELETE CASCADE,
    base_plan             text        NOT NULL CHECK (base_plan IN ('Free Trial', 'Dalgo', 'Internal')),
    superset_included     boolean     NOT NULL DEFAULT false,
    subscription_duration text        CHECK (subscription_duration IN ('Monthly', 'Annual', 'trial')),
    features              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    start_date            timestamptz,
    end_date              timestamptz,
    can_upgrade_plan      boolean     NOT NULL DEFAULT false,
    upgrade_requested     boolean     NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Dalgo logs in by username = email; "System User" is the one non-address.
    email           text        NOT NULL CHECK (email = btrim(email) AND email <> ''),
    -- Django's encoded form: algorithm$iterations$salt$hash, or "!..." (unusable).
    password        text        NOT NULL CHECK (password LIKE 'pbkdf2_sha256$%' OR password LIKE '!%'),
    is_active       boolean     NOT NULL DEFAULT true,
    is_system       boolean     NOT NULL DEFAULT false,
    email_verified  boolean     NOT NULL DEFAULT false,
    can_create_orgs boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_ci_key ON users (lower(email));
CREATE UNIQUE INDEX users_one_system_user ON users (is_system) WHERE is_system;

CREATE TABLE org_users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- NULL only for the system user's membership.
    org_id         bigint      REFERENCES orgs(id) ON DELETE CASCADE,
    -- A role in use cannot be deleted: Dalgo's SET NULL left users unable to log in.
    role_id        bigint      NOT NULL REFERENCES roles(id) ON DELETE RESTRICT,
    email_verified boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, org_id)
);
CREATE UNIQUE INDEX org_users_one_orgless ON org_users (user_id) WHERE org_id IS NULL;
CREATE INDEX org_users_org_idx ON org_users (org_id);
CREATE INDEX org_users_role_idx ON org_users (role_id);

CREATE TABLE tasks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       uuid        NOT NULL UNIQUE,
    slug       text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    type       text        NOT NULL CHECK (type IN ('dbt', 'git', 'edr', 'airbyte', 'dbtcloud')),
    label      text        NOT NULL CHECK (btrim(label) <> ''),
    command    text,
    is_system  boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Audit rows outlive what they describe: the org link is cleared on delete,
-- the slug stays in org_slug.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text        NOT NULL CHECK (actor <> ''),
    action        text        NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    resource_type text        NOT NULL CHECK (resource_type IN
                  ('org', 'org_plan', 'user', 'org_user', 'feature_flag', 'role')),
    resource_id   text        NOT NULL,
    org_id        bigint      REFERENCES orgs(id) ON DELETE SET NULL,
    org_slug      text,
    details       jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, at);
CREATE INDEX audit_log_at_idx ON audit_log (at);
