-- dalgo in place on a Dalgo (Django) database: everything in schema dalgo.
--
-- dalgo's sessions search `dalgo, public`, so each name dalgo's queries use
-- finds, here:
--   * a view over Django's own tables (orgs over ddpui_org, users over
--     auth_user and ddpui_userattributes, ...), whose INSTEAD OF triggers
--     write rows as Dalgo's own code writes them (its defaults, created_at
--     and updated_at, UserAttributes beside each User, roles by id);
--   * a table of dalgo's own for what Django has no table for (the audit
--     log, dbt run history, secret records, Airbyte job cache, the flag
--     catalogue, who holds a task lock).
-- Nothing here adds a table, column, index, trigger or constraint to
-- Django's schema; dalgo's tables have no foreign key into it (a foreign key
-- would put triggers on Django's tables), so the org's DELETE trigger
-- clears them.
--
-- Django's schema lacks keys dalgo relies on (a slug, an email in any case,
-- one membership per user and org): every INSTEAD OF INSERT trigger takes a
-- transaction-scoped advisory lock on the key, then looks, then writes; a
-- row that would be a second one is skipped (the insert reports no row, as
-- `ON CONFLICT DO NOTHING` would), and an UPDATE onto a taken key raises
-- unique_violation with the constraint name dalgo's own schema uses. An
-- UPDATE writes only the columns dalgo changed (NEW differs from OLD): a
-- column the web app changed meanwhile keeps the web app's value.

-- dalgo's own tables ---------------------------------------------------------

CREATE TABLE dalgo.feature_flags (
    name        text        PRIMARY KEY CHECK (name ~ '^[A-Z][A-Z0-9_]*$'),
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dalgo.audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text        NOT NULL CHECK (actor <> ''),
    action        text        NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    resource_type text        NOT NULL CHECK (resource_type IN
                  ('org', 'org_plan', 'user', 'org_user', 'feature_flag', 'role', 'warehouse', 'dbt_workspace', 'secret',
                   'pipeline', 'task_lock')),
    resource_id   text        NOT NULL,
    org_id        bigint,
    org_slug      text,
    details       jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_org_idx ON dalgo.audit_log (org_id, at);
CREATE INDEX audit_log_at_idx ON dalgo.audit_log (at);

CREATE TABLE dalgo.dbt_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint      NOT NULL,
    command      text        NOT NULL,
    args         jsonb       NOT NULL DEFAULT '[]'::jsonb,
    actor        text        NOT NULL,
    pid          integer,
    status       text        NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    exit_code    integer,
    started_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'running') = (ended_at IS NULL))
);
CREATE INDEX dbt_runs_org_idx ON dalgo.dbt_runs (org_id, started_at DESC);

CREATE TABLE dalgo.airbyte_jobs (
    job_id        bigint      PRIMARY KEY,
    org_id        bigint,
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
CREATE INDEX airbyte_jobs_org_idx ON dalgo.airbyte_jobs (org_id, created_at DESC);
CREATE INDEX airbyte_jobs_connection_idx ON dalgo.airbyte_jobs (connection_id, created_at DESC);

-- The secret versions dalgo wrote, recorded before each is written; the
-- view org_secrets (below) adds the ones Django's rows name.
CREATE TABLE dalgo.secret_records (
    name       text        PRIMARY KEY
               CHECK (name ~ '^(warehouseCreds|gitrepoAccessToken|airbyteSourceSecret)-[A-Za-z0-9_.-]+$'),
    org_id     bigint      NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('warehouse', 'git_token', 'source_field')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT secret_records_name_org UNIQUE (name, org_id)
);
CREATE INDEX secret_records_org ON dalgo.secret_records (org_id);

CREATE TABLE dalgo.source_secrets (
    org_id    bigint NOT NULL,
    source_id text   NOT NULL CHECK (source_id <> ''),
    field     text   NOT NULL CHECK (field <> ''),
    secret    text   NOT NULL UNIQUE,
    PRIMARY KEY (source_id, field),
    FOREIGN KEY (secret, org_id) REFERENCES dalgo.secret_records (name, org_id) ON DELETE CASCADE
);
CREATE INDEX source_secrets_org ON dalgo.source_secrets (org_id);

-- Who holds a task lock, in dalgo's words (Django's row names an OrgUser).
CREATE TABLE dalgo.task_lock_holders (
    lock_id   bigint PRIMARY KEY,
    locked_by text   NOT NULL CHECK (locked_by <> '')
);

-- dalgo's continue-on-sync-failure choice per pipeline (Django keeps it in
-- the deployment's parameters only).
CREATE TABLE dalgo.pipeline_options (
    pipeline_id              bigint  PRIMARY KEY,
    continue_on_sync_failure boolean NOT NULL DEFAULT false
);

-- Helpers ----------------------------------------------------------------------

-- A stable uuid for a Django row that has none.
CREATE FUNCTION dalgo.uuid_of(kind text, id bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE AS $$ SELECT md5(kind || ':' || id)::uuid $$;

-- Serialises the writers of one key (dalgo's; Django's web app takes none).
CREATE FUNCTION dalgo.lock_key(key text) RETURNS void
    LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(hashtextextended('dalgo:' || key, 0)) $$;

-- What an UPDATE writes to a column: dalgo's value where dalgo changed it
-- (given differs from before), else what the column holds now, so a
-- concurrent change of the web app's to another column stands.
CREATE FUNCTION dalgo.merged(given anycompatible, before anycompatible, stored anycompatible)
    RETURNS anycompatible LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN given IS DISTINCT FROM before THEN given ELSE stored END
$$;

-- Raises unique_violation under dalgo's constraint name.
CREATE FUNCTION dalgo.taken(constraint_name text, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE unique_violation USING MESSAGE = format('%s is taken', what), CONSTRAINT = constraint_name;
END $$;

-- Deletes the rows of public.<tbl> whose <col> is in vals, and first what
-- refers to them, as Django's delete collector does: a row that must
-- refer (NOT NULL) goes with them, a row that may (NULL allowed) is
-- detached. Django's foreign keys are deferred, so the order is free.
CREATE FUNCTION dalgo.purge(tbl regclass, col name, vals bigint[], depth int DEFAULT 0) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    fk record;
    child_vals bigint[];
BEGIN
    IF vals IS NULL OR cardinality(vals) = 0 THEN
        RETURN;
    END IF;
    IF depth > 12 THEN
        RAISE EXCEPTION 'dalgo.purge: references of % nest deeper than 12', tbl;
    END IF;
    FOR fk IN
        SELECT c.conrelid::regclass AS child, a.attname AS child_col, a.attnotnull AS required,
               ra.attname AS parent_col, ca.attname AS child_key
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
          LEFT JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attname = 'id'
         WHERE c.contype = 'f' AND c.confrelid = tbl AND cardinality(c.conkey) = 1
           AND c.connamespace = 'public'::regnamespace
           AND ra.attname = col
    LOOP
        IF fk.required OR depth = 0 AND tbl = 'public.ddpui_org'::regclass THEN
            IF fk.child_key IS NOT NULL AND fk.child <> tbl THEN
                EXECUTE format('SELECT array_agg(id::bigint) FROM %s WHERE %I = ANY($1)', fk.child, fk.child_col)
                   INTO child_vals USING vals;
                PERFORM dalgo.purge(fk.child, 'id', child_vals, depth + 1);
            END IF;
            EXECUTE format('DELETE FROM %s WHERE %I = ANY($1)', fk.child, fk.child_col) USING vals;
        ELSE
            EXECUTE format('UPDATE %s SET %I = NULL WHERE %I = ANY($1)', fk.child, fk.child_col, fk.child_col)
              USING vals;
        END IF;
    END LOOP;
END $$;

-- Refuses a write dalgo never makes on Django's own seed (roles,
-- permissions, tasks: `manage.py loaddata seed/*.json` owns them).
CREATE FUNCTION dalgo.read_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is Dalgo''s seed (manage.py loaddata); dalgo does not write it', TG_TABLE_NAME
        USING ERRCODE = 'feature_not_supported';
END $$;

-- Roles, permissions, tasks: Django's seed, read as they are -------------------

CREATE VIEW dalgo.roles AS
SELECT r.id, r.uuid, r.slug::text AS slug, r.name::text AS name, r.level,
       timestamptz 'epoch' AS created_at, timestamptz 'epoch' AS updated_at
  FROM public.ddpui_role r;

CREATE VIEW dalgo.permissions AS
SELECT p.id, p.uuid, p.slug::text AS slug, p.name::text AS name,
       timestamptz 'epoch' AS created_at, timestamptz 'epoch' AS updated_at
  FROM public.ddpui_permission p;

CREATE VIEW dalgo.role_permissions AS
SELECT rp.role_id, rp.permission_id FROM public.ddpui_rolepermission rp;

-- A slug Django's seed has twice is read as its first row.
CREATE VIEW dalgo.tasks AS
SELECT t.id, dalgo.uuid_of('ddpui_task', t.id) AS uuid, t.slug::text AS slug, t.type::text AS type,
       t.label::text AS label, t.command::text AS command, t.is_system,
       timestamptz 'epoch' AS created_at, timestamptz 'epoch' AS updated_at
  FROM public.ddpui_task t
 WHERE NOT EXISTS (SELECT 1 FROM public.ddpui_task e WHERE e.slug = t.slug AND e.id < t.id);

CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.roles
    FOR EACH ROW EXECUTE FUNCTION dalgo.read_only();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.permissions
    FOR EACH ROW EXECUTE FUNCTION dalgo.read_only();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.role_permissions
    FOR EACH ROW EXECUTE FUNCTION dalgo.read_only();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.tasks
    FOR EACH ROW EXECUTE FUNCTION dalgo.read_only();

-- Orgs -------------------------------------------------------------------------
-- An org without a slug (Django allows it) has no name dalgo can address:
-- it is not in the view. A new org's queue_config is `{}`, which Dalgo's
-- Org.get_queue_config fills from its own environment (its worker pools)
-- when it reads it, and dalgo from PREFECT_WORKER_POOL_NAME.

CREATE VIEW dalgo.orgs AS
SELECT o.id, dalgo.uuid_of('ddpui_org', o.id) AS uuid, o.name::text AS name, o.slug::text AS slug,
       o.airbyte_workspace_id::text AS airbyte_workspace_id, o.website::text AS website, o.viz_url::text AS viz_url,
       o.created_at, o.updated_at, o.queue_config, o.id AS django_id
  FROM public.ddpui_org o
 WHERE o.slug IS NOT NULL;

CREATE FUNCTION dalgo.orgs_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    found bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.ddpui_org', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_org WHERE id = OLD.id RETURNING dbt_id INTO found;
        DELETE FROM public.ddpui_orgdbt d WHERE d.id = found
           AND NOT EXISTS (SELECT 1 FROM public.ddpui_org o WHERE o.dbt_id = d.id);
        DELETE FROM dalgo.dbt_runs WHERE org_id = OLD.id;
        DELETE FROM dalgo.airbyte_jobs WHERE org_id = OLD.id;
        DELETE FROM dalgo.secret_records WHERE org_id = OLD.id;
        UPDATE dalgo.audit_log SET org_id = NULL WHERE org_id = OLD.id;
        RETURN OLD;
    END IF;
    PERFORM dalgo.lock_key('orgs');
    SELECT id INTO found FROM public.ddpui_org
     WHERE (lower(name) = lower(NEW.name) OR slug = NEW.slug) AND id IS DISTINCT FROM OLD.id LIMIT 1;
    IF TG_OP = 'INSERT' THEN
        IF found IS NOT NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_org (name, slug, airbyte_workspace_id, website, viz_url, queue_config,
                                      created_at, updated_at)
        VALUES (NEW.name, NEW.slug, NEW.airbyte_workspace_id, NEW.website, NEW.viz_url,
                coalesce(NEW.queue_config, '{}'::jsonb), now(), now())
        RETURNING id INTO found;
    ELSE
        IF found IS NOT NULL THEN
            PERFORM dalgo.taken(CASE WHEN lower(NEW.name) <> lower(OLD.name) THEN 'orgs_name_ci_key'
                                     ELSE 'orgs_slug_key' END, 'the org name or slug');
        END IF;
        UPDATE public.ddpui_org
           SET name = dalgo.merged(NEW.name, OLD.name, name),
               slug = dalgo.merged(NEW.slug, OLD.slug, slug),
               airbyte_workspace_id = dalgo.merged(NEW.airbyte_workspace_id, OLD.airbyte_workspace_id, airbyte_workspace_id),
               website = dalgo.merged(NEW.website, OLD.website, website),
               viz_url = dalgo.merged(NEW.viz_url, OLD.viz_url, viz_url),
               queue_config = coalesce(NEW.queue_config, queue_config),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        found := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.orgs WHERE id = found;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.orgs
    FOR EACH ROW EXECUTE FUNCTION dalgo.orgs_write();

-- Plans ------------------------------------------------------------------------

CREATE VIEW dalgo.org_plans AS
SELECT p.id, p.org_id, p.base_plan::text AS base_plan, coalesce(p.superset_included, false) AS superset_included,
       p.subscription_duration::text AS subscription_duration, coalesce(p.features, '{}'::jsonb) AS features,
       p.start_date, p.end_date, p.can_upgrade_plan, p.upgrade_requested, p.created_at, p.updated_at
  FROM public.ddpui_orgplans p;

CREATE FUNCTION dalgo.org_plans_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM public.ddpui_orgplans WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('org_plans:' || NEW.org_id);
        IF EXISTS (SELECT 1 FROM public.ddpui_orgplans WHERE org_id = NEW.org_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orgplans (org_id, base_plan, superset_included, subscription_duration, features,
                                           start_date, end_date, can_upgrade_plan, upgrade_requested,
                                           created_at, updated_at)
        VALUES (NEW.org_id, NEW.base_plan, coalesce(NEW.superset_included, false), NEW.subscription_duration,
                coalesce(NEW.features, '{}'::jsonb), NEW.start_date, NEW.end_date, coalesce(NEW.can_upgrade_plan, false),
                coalesce(NEW.upgrade_requested, false), now(), now())
        RETURNING id INTO NEW.id;
    ELSE
        UPDATE public.ddpui_orgplans
           SET base_plan = dalgo.merged(NEW.base_plan, OLD.base_plan, base_plan),
               superset_included = dalgo.merged(NEW.superset_included, OLD.superset_included, superset_included),
               subscription_duration = dalgo.merged(NEW.subscription_duration, OLD.subscription_duration, subscription_duration),
               features = dalgo.merged(NEW.features, OLD.features, features),
               start_date = dalgo.merged(NEW.start_date, OLD.start_date, start_date),
               end_date = dalgo.merged(NEW.end_date, OLD.end_date, end_date),
               can_upgrade_plan = dalgo.merged(NEW.can_upgrade_plan, OLD.can_upgrade_plan, can_upgrade_plan),
               upgrade_requested = dalgo.merged(NEW.upgrade_requested, OLD.upgrade_requested, upgrade_requested),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.org_plans WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.org_plans
    FOR EACH ROW EXECUTE FUNCTION dalgo.org_plans_write();

-- Users: auth_user with its UserAttributes ---------------------------------------
-- Dalgo logs in by username, which is the email for every user its code
-- creates; the System User's username is "System User".

CREATE VIEW dalgo.users AS
SELECT u.id::bigint AS id,
       (CASE WHEN position('@' in u.username) > 0 OR u.username = 'System User' OR u.email = '' THEN u.username
             ELSE u.email END)::text AS email,
       CASE WHEN u.password = '' THEN '!' ELSE u.password::text END AS password,
       u.is_active, u.username = 'System User' AS is_system,
       coalesce((u.a).email_verified, false) AS email_verified, coalesce((u.a).can_create_orgs, false) AS can_create_orgs,
       u.date_joined AS created_at, coalesce((u.a).updated_at, u.date_joined) AS updated_at,
       coalesce((u.a).is_consultant, false) AS is_consultant,
       coalesce((u.a).is_platform_admin, false) AS is_platform_admin
  FROM (SELECT u.*, (SELECT x FROM public.ddpui_userattributes x WHERE x.user_id = u.id ORDER BY x.id LIMIT 1) AS a
          FROM public.auth_user u) u;

CREATE FUNCTION dalgo.users_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    uid integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.auth_user', 'id', ARRAY[OLD.id]);
        DELETE FROM public.auth_user WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('users');
        IF EXISTS (SELECT 1 FROM public.auth_user
                    WHERE lower(username) = lower(NEW.email) OR lower(email) = lower(NEW.email)) THEN
            RETURN NULL;
        END IF;
        -- As User.objects.create_user(email=, username=email, password=).
        INSERT INTO public.auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                      is_active, date_joined)
        VALUES (CASE WHEN NEW.password = '!' THEN '' ELSE NEW.password END, false, NEW.email, '', '',
                CASE WHEN coalesce(NEW.is_system, false) THEN '' ELSE NEW.email END, false,
                coalesce(NEW.is_active, true), now())
        RETURNING id INTO uid;
    ELSE
        uid := OLD.id;
        UPDATE public.auth_user
           SET password = dalgo.merged(NEW.password, OLD.password, password),
               is_active = dalgo.merged(NEW.is_active, OLD.is_active, is_active) WHERE id = uid;
    END IF;
    UPDATE public.ddpui_userattributes
       SET email_verified = coalesce(NEW.email_verified, false), can_create_orgs = coalesce(NEW.can_create_orgs, false),
           is_consultant = coalesce(NEW.is_consultant, false), is_platform_admin = coalesce(NEW.is_platform_admin, false),
           updated_at = now()
     WHERE user_id = uid;
    IF NOT FOUND AND NOT coalesce(NEW.is_system, false) THEN
        INSERT INTO public.ddpui_userattributes (user_id, email_verified, can_create_orgs, is_consultant,
                                                 is_platform_admin, created_at, updated_at)
        VALUES (uid, coalesce(NEW.email_verified, false), coalesce(NEW.can_create_orgs, false),
                coalesce(NEW.is_consultant, false), coalesce(NEW.is_platform_admin, false), now(), now());
    END IF;
    SELECT * INTO NEW FROM dalgo.users WHERE id = uid;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.users
    FOR EACH ROW EXECUTE FUNCTION dalgo.users_write();

-- Memberships: OrgUser, its role by Role id (one row per user and org) -------

CREATE VIEW dalgo.org_users AS
SELECT ou.id, ou.user_id::bigint AS user_id, ou.org_id, ou.new_role_id AS role_id, ou.email_verified,
       ou.created_at, ou.updated_at
  FROM public.ddpui_orguser ou
 WHERE ou.new_role_id IS NOT NULL;

CREATE FUNCTION dalgo.org_users_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.ddpui_orguser', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orguser WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('org_users:' || NEW.user_id);
        IF EXISTS (SELECT 1 FROM public.ddpui_orguser
                    WHERE user_id = NEW.user_id AND org_id IS NOT DISTINCT FROM NEW.org_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orguser (user_id, org_id, new_role_id, email_verified, llm_optin,
                                          has_seen_rbac_notice, created_at, updated_at)
        VALUES (NEW.user_id, NEW.org_id, NEW.role_id, coalesce(NEW.email_verified, false), false, false, now(), now())
        RETURNING id INTO NEW.id;
    ELSE
        UPDATE public.ddpui_orguser
           SET new_role_id = dalgo.merged(NEW.role_id, OLD.role_id, new_role_id),
               email_verified = dalgo.merged(NEW.email_verified, OLD.email_verified, email_verified),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.org_users WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.org_users
    FOR EACH ROW EXECUTE FUNCTION dalgo.org_users_write();

-- Feature flags: OrgFeatureFlag (NULL org: the global value) ---------------------

CREATE VIEW dalgo.feature_flag_values AS
SELECT f.id, f.org_id, f.flag_name::text AS flag_name, f.flag_value AS value,
       timestamptz 'epoch' AS created_at, timestamptz 'epoch' AS updated_at
  FROM public.ddpui_orgfeatureflag f;

CREATE FUNCTION dalgo.feature_flag_values_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM public.ddpui_orgfeatureflag WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('feature_flag_values:' || NEW.flag_name);
        IF EXISTS (SELECT 1 FROM public.ddpui_orgfeatureflag
                    WHERE flag_name = NEW.flag_name AND org_id IS NOT DISTINCT FROM NEW.org_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orgfeatureflag (org_id, flag_name, flag_value)
        VALUES (NEW.org_id, NEW.flag_name, NEW.value) RETURNING id INTO NEW.id;
    ELSE
        UPDATE public.ddpui_orgfeatureflag SET flag_value = NEW.value WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.feature_flag_values WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.feature_flag_values
    FOR EACH ROW EXECUTE FUNCTION dalgo.feature_flag_values_write();

-- Warehouses: OrgWarehouse (credentials holds the secret's name) -------------------

CREATE VIEW dalgo.warehouses AS
SELECT w.id, w.org_id, w.wtype::text AS wtype, w.name::text AS name, w.credentials::text AS credentials_secret,
       w.airbyte_destination_id, w.bq_location::text AS bq_location, w.created_at, w.updated_at
  FROM public.ddpui_orgwarehouse w;

CREATE FUNCTION dalgo.warehouses_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.ddpui_orgwarehouse', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orgwarehouse WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('warehouses:' || NEW.org_id);
        IF EXISTS (SELECT 1 FROM public.ddpui_orgwarehouse WHERE org_id = NEW.org_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orgwarehouse (org_id, wtype, name, credentials, airbyte_destination_id, bq_location,
                                               created_at, updated_at)
        VALUES (NEW.org_id, NEW.wtype, coalesce(NEW.name, ''), NEW.credentials_secret, NEW.airbyte_destination_id,
                NEW.bq_location, now(), now())
        RETURNING id INTO NEW.id;
    ELSE
        UPDATE public.ddpui_orgwarehouse
           SET wtype = dalgo.merged(NEW.wtype, OLD.wtype, wtype),
               name = dalgo.merged(NEW.name, OLD.name, name),
               credentials = dalgo.merged(NEW.credentials_secret, OLD.credentials_secret, credentials),
               airbyte_destination_id = dalgo.merged(NEW.airbyte_destination_id, OLD.airbyte_destination_id, airbyte_destination_id),
               bq_location = dalgo.merged(NEW.bq_location, OLD.bq_location, bq_location),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.warehouses WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.warehouses
    FOR EACH ROW EXECUTE FUNCTION dalgo.warehouses_write();

-- dbt workspaces: OrgDbt, reached from Org.dbt_id ---------------------------------
-- transform_type github, or a system-managed repository, is a git clone;
-- ui without a repository is a project on disk (project_dir relative to
-- CLIENTDBT_ROOT, as Django keeps it).

CREATE VIEW dalgo.dbt_workspaces AS
SELECT d.id, o.id AS org_id,
       CASE WHEN d.transform_type = 'github' OR d.gitrepo_url IS NOT NULL AND d.is_repo_managed_by_system
            THEN 'git' ELSE 'local' END AS source,
       CASE WHEN d.transform_type = 'github' OR d.gitrepo_url IS NOT NULL AND d.is_repo_managed_by_system
            THEN d.gitrepo_url::text END AS repo_url,
       d.branch_name::text AS branch, d.project_dir::text AS project_dir, d.target_type::text AS target_type,
       d.default_schema::text AS default_schema, d.gitrepo_access_token_secret::text AS token_secret,
       d.created_at, d.updated_at, true AS default_schema_given
  FROM public.ddpui_org o JOIN public.ddpui_orgdbt d ON d.id = o.dbt_id;

CREATE FUNCTION dalgo.dbt_workspaces_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE public.ddpui_org SET dbt_id = NULL WHERE id = OLD.org_id;
        PERFORM dalgo.purge('public.ddpui_orgdbt', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orgdbt WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('dbt_workspaces:' || NEW.org_id);
        IF EXISTS (SELECT 1 FROM public.ddpui_org WHERE id = NEW.org_id AND dbt_id IS NOT NULL) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orgdbt (gitrepo_url, project_dir, target_type, default_schema,
                                         gitrepo_access_token_secret, transform_type, branch_name,
                                         is_repo_managed_by_system, created_at, updated_at)
        VALUES (NEW.repo_url, NEW.project_dir, NEW.target_type, NEW.default_schema, NEW.token_secret,
                CASE NEW.source WHEN 'git' THEN 'github' ELSE 'ui' END, NEW.branch, false, now(), now())
        RETURNING id INTO NEW.id;
        UPDATE public.ddpui_org SET dbt_id = NEW.id, updated_at = now() WHERE id = NEW.org_id;
    ELSE
        UPDATE public.ddpui_orgdbt
           SET gitrepo_url = dalgo.merged(NEW.repo_url, OLD.repo_url, gitrepo_url),
               project_dir = dalgo.merged(NEW.project_dir, OLD.project_dir, project_dir),
               target_type = dalgo.merged(NEW.target_type, OLD.target_type, target_type),
               default_schema = dalgo.merged(NEW.default_schema, OLD.default_schema, default_schema),
               gitrepo_access_token_secret = dalgo.merged(NEW.token_secret, OLD.token_secret, gitrepo_access_token_secret),
               transform_type = CASE NEW.source WHEN 'git' THEN 'github' ELSE 'ui' END,
               branch_name = dalgo.merged(NEW.branch, OLD.branch, branch_name),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.dbt_workspaces WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.dbt_workspaces
    FOR EACH ROW EXECUTE FUNCTION dalgo.dbt_workspaces_write();

-- Org tasks: OrgTask --------------------------------------------------------------

CREATE VIEW dalgo.org_tasks AS
SELECT t.id, t.uuid, t.org_id, t.task_id, t.connection_id::text AS connection_id, t.parameters,
       t.generated_by::text AS generated_by, t.dbt_id AS dbt_workspace_id, t.created_at, t.updated_at
  FROM public.ddpui_orgtask t;

CREATE FUNCTION dalgo.org_tasks_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.ddpui_orgtask', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orgtask WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('org_tasks:' || NEW.org_id);
        IF coalesce(NEW.generated_by, 'system') = 'system' AND EXISTS (
            SELECT 1 FROM public.ddpui_orgtask
             WHERE org_id = NEW.org_id AND task_id = NEW.task_id AND generated_by = 'system'
               AND connection_id IS NOT DISTINCT FROM NEW.connection_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orgtask (uuid, org_id, task_id, connection_id, parameters, generated_by, dbt_id,
                                          created_at, updated_at)
        VALUES (coalesce(NEW.uuid, gen_random_uuid()), NEW.org_id, NEW.task_id, NEW.connection_id,
                coalesce(NEW.parameters, '{"flags": [], "options": {}}'::jsonb), coalesce(NEW.generated_by, 'system'),
                NEW.dbt_workspace_id, now(), now())
        RETURNING id INTO NEW.id;
    ELSE
        UPDATE public.ddpui_orgtask
           SET connection_id = dalgo.merged(NEW.connection_id, OLD.connection_id, connection_id),
               parameters = dalgo.merged(NEW.parameters, OLD.parameters, parameters),
               generated_by = dalgo.merged(NEW.generated_by, OLD.generated_by, generated_by),
               dbt_id = dalgo.merged(NEW.dbt_workspace_id, OLD.dbt_workspace_id, dbt_id),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    SELECT * INTO NEW FROM dalgo.org_tasks WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.org_tasks
    FOR EACH ROW EXECUTE FUNCTION dalgo.org_tasks_write();

-- Pipelines: OrgDataFlowv1 with a deployment ----------------------------------------

CREATE VIEW dalgo.pipelines AS
SELECT f.id, dalgo.uuid_of('ddpui_orgdataflowv1', f.id) AS uuid, f.org_id, f.name::text AS name,
       f.deployment_name::text AS deployment_name, f.deployment_id::text AS deployment_id, f.cron::text AS cron,
       f.dataflow_type::text AS dataflow_type, coalesce(x.continue_on_sync_failure, false) AS continue_on_sync_failure,
       f.created_at, f.updated_at
  FROM public.ddpui_orgdataflowv1 f
  LEFT JOIN dalgo.pipeline_options x ON x.pipeline_id = f.id
 WHERE f.deployment_name IS NOT NULL;

CREATE FUNCTION dalgo.pipelines_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.ddpui_orgdataflowv1', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orgdataflowv1 WHERE id = OLD.id;
        DELETE FROM dalgo.pipeline_options WHERE pipeline_id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('pipelines');
        IF EXISTS (SELECT 1 FROM public.ddpui_orgdataflowv1
                    WHERE org_id = NEW.org_id AND name = NEW.name OR deployment_name = NEW.deployment_name
                       OR deployment_id = NEW.deployment_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_orgdataflowv1 (name, deployment_name, deployment_id, cron, dataflow_type, org_id,
                                                created_at, updated_at)
        VALUES (NEW.name, NEW.deployment_name, NEW.deployment_id, NEW.cron, coalesce(NEW.dataflow_type, 'orchestrate'),
                NEW.org_id, now(), now())
        RETURNING id INTO NEW.id;
    ELSE
        IF NEW.name <> OLD.name AND EXISTS (SELECT 1 FROM public.ddpui_orgdataflowv1
                                             WHERE org_id = OLD.org_id AND name = NEW.name) THEN
            PERFORM dalgo.taken('pipelines_org_id_name_key', 'the pipeline name');
        END IF;
        UPDATE public.ddpui_orgdataflowv1
           SET name = dalgo.merged(NEW.name, OLD.name, name),
               deployment_name = dalgo.merged(NEW.deployment_name, OLD.deployment_name, deployment_name),
               deployment_id = dalgo.merged(NEW.deployment_id, OLD.deployment_id, deployment_id),
               cron = dalgo.merged(NEW.cron, OLD.cron, cron),
               dataflow_type = dalgo.merged(NEW.dataflow_type, OLD.dataflow_type, dataflow_type),
               updated_at = NEW.updated_at
         WHERE id = OLD.id;
        NEW.id := OLD.id;
    END IF;
    INSERT INTO dalgo.pipeline_options (pipeline_id, continue_on_sync_failure)
    VALUES (NEW.id, coalesce(NEW.continue_on_sync_failure, false))
    ON CONFLICT (pipeline_id) DO UPDATE SET continue_on_sync_failure = EXCLUDED.continue_on_sync_failure;
    SELECT * INTO NEW FROM dalgo.pipelines WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.pipelines
    FOR EACH ROW EXECUTE FUNCTION dalgo.pipelines_write();

-- A pipeline's tasks: DataflowOrgTask, in Django's order (seq, then id) --------------

CREATE VIEW dalgo.pipeline_tasks AS
SELECT d.dataflow_id AS pipeline_id, d.orgtask_id AS org_task_id,
       (row_number() OVER (PARTITION BY d.dataflow_id ORDER BY d.seq, d.id) - 1)::integer AS seq
  FROM public.ddpui_datafloworgtask d;

CREATE FUNCTION dalgo.pipeline_tasks_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM public.ddpui_datafloworgtask WHERE dataflow_id = OLD.pipeline_id AND orgtask_id = OLD.org_task_id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('pipeline_tasks:' || NEW.pipeline_id);
        IF EXISTS (SELECT 1 FROM public.ddpui_datafloworgtask
                    WHERE dataflow_id = NEW.pipeline_id AND orgtask_id = NEW.org_task_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_datafloworgtask (dataflow_id, orgtask_id, seq, created_at, updated_at)
        VALUES (NEW.pipeline_id, NEW.org_task_id, NEW.seq, now(), now());
    ELSE
        UPDATE public.ddpui_datafloworgtask SET seq = NEW.seq, updated_at = now()
         WHERE dataflow_id = OLD.pipeline_id AND orgtask_id = OLD.org_task_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.pipeline_tasks
    FOR EACH ROW EXECUTE FUNCTION dalgo.pipeline_tasks_write();

-- Task locks: TaskLock, the locks Dalgo's web app checks -----------------------------
-- Django's row names the OrgUser who locked; dalgo's locks are held by the
-- System User's membership, with dalgo's own words in task_lock_holders.

CREATE VIEW dalgo.task_locks AS
SELECT l.orgtask_id AS org_task_id, coalesce(h.locked_by, u.username::text, 'orguser ' || l.locked_by_id) AS locked_by,
       l.locked_at, nullif(l.flow_run_id, '') AS flow_run_id, l.locking_dataflow_id AS pipeline_id
  FROM public.ddpui_tasklock l
  LEFT JOIN dalgo.task_lock_holders h ON h.lock_id = l.id
  LEFT JOIN public.ddpui_orguser ou ON ou.id = l.locked_by_id
  LEFT JOIN public.auth_user u ON u.id = ou.user_id;

CREATE FUNCTION dalgo.task_locks_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    lid bigint;
    holder bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM public.ddpui_tasklock WHERE orgtask_id = OLD.org_task_id RETURNING id INTO lid;
        DELETE FROM dalgo.task_lock_holders WHERE lock_id = lid;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dalgo.lock_key('task_locks:' || NEW.org_task_id);
        IF EXISTS (SELECT 1 FROM public.ddpui_tasklock WHERE orgtask_id = NEW.org_task_id) THEN
            RETURN NULL;
        END IF;
        SELECT ou.id INTO holder FROM public.ddpui_orguser ou JOIN public.auth_user u ON u.id = ou.user_id
         WHERE u.username = 'System User' ORDER BY ou.org_id NULLS FIRST, ou.id LIMIT 1;
        IF holder IS NULL THEN
            RAISE EXCEPTION 'Dalgo''s System User has no membership to hold task locks (manage.py createsystemorguser)'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        INSERT INTO public.ddpui_tasklock (flow_run_id, locked_at, locked_by_id, orgtask_id, locking_dataflow_id,
                                           updated_at)
        VALUES (coalesce(NEW.flow_run_id, ''), coalesce(NEW.locked_at, now()), holder, NEW.org_task_id,
                NEW.pipeline_id, now())
        RETURNING id INTO lid;
        INSERT INTO dalgo.task_lock_holders (lock_id, locked_by) VALUES (lid, NEW.locked_by);
    ELSE
        UPDATE public.ddpui_tasklock
           SET flow_run_id = coalesce(NEW.flow_run_id, ''), locking_dataflow_id = NEW.pipeline_id, updated_at = now()
         WHERE orgtask_id = OLD.org_task_id;
    END IF;
    SELECT * INTO NEW FROM dalgo.task_locks WHERE org_task_id = NEW.org_task_id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.task_locks
    FOR EACH ROW EXECUTE FUNCTION dalgo.task_locks_write();

-- Flow runs: PrefectFlowRun, the run history Dalgo's web app shows ---------------------

CREATE VIEW dalgo.flow_runs AS
SELECT r.flow_run_id::text AS flow_run_id, f.org_id, f.id AS pipeline_id, r.deployment_id::text AS deployment_id,
       r.name::text AS name, r.status::text AS state_type, r.state_name::text AS state_name, r.start_time,
       r.expected_start_time,
       CASE WHEN r.status IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED') AND r.start_time IS NOT NULL
            THEN r.start_time + make_interval(secs => r.total_run_time) END AS end_time,
       r.total_run_time, r.created_at, r.updated_at
  FROM public.ddpui_prefectflowrun r
  LEFT JOIN public.ddpui_orgdataflowv1 f ON f.deployment_id = r.deployment_id;

CREATE FUNCTION dalgo.flow_runs_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM public.ddpui_prefectflowrun WHERE flow_run_id = OLD.flow_run_id;
        RETURN OLD;
    END IF;
    PERFORM dalgo.lock_key('flow_runs:' || NEW.flow_run_id);
    UPDATE public.ddpui_prefectflowrun
       SET name = left(NEW.name, 255), status = left(NEW.state_type, 20), state_name = left(NEW.state_name, 20),
           start_time = NEW.start_time, expected_start_time = coalesce(NEW.expected_start_time, expected_start_time),
           total_run_time = coalesce(NEW.total_run_time, 0), updated_at = now()
     WHERE flow_run_id = coalesce(OLD.flow_run_id, NEW.flow_run_id);
    IF NOT FOUND THEN
        IF TG_OP = 'UPDATE' THEN
            RETURN NULL;
        END IF;
        INSERT INTO public.ddpui_prefectflowrun (deployment_id, flow_run_id, name, start_time, expected_start_time,
                                                 total_run_time, status, state_name, retries, created_at, updated_at)
        VALUES (NEW.deployment_id, NEW.flow_run_id, left(coalesce(NEW.name, ''), 255), NEW.start_time,
                coalesce(NEW.expected_start_time, NEW.start_time, now()), coalesce(NEW.total_run_time, 0),
                left(NEW.state_type, 20), left(NEW.state_name, 20), 0, now(), now());
    END IF;
    SELECT * INTO NEW FROM dalgo.flow_runs WHERE flow_run_id = NEW.flow_run_id;
    RETURN NEW;
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.flow_runs
    FOR EACH ROW EXECUTE FUNCTION dalgo.flow_runs_write();

-- Secret records: dalgo's, and the secrets Django's rows name (a
-- warehouse's credentials, a dbt workspace's token), which the web app
-- wrote: dalgo's sweep never takes a secret a row names for unused.

CREATE VIEW dalgo.org_secrets AS
SELECT r.name, r.org_id, r.kind, r.created_at FROM dalgo.secret_records r
UNION ALL
SELECT n.name, n.org_id, n.kind, n.created_at
  FROM (SELECT w.credentials::text AS name, w.org_id, 'warehouse' AS kind, w.created_at
          FROM public.ddpui_orgwarehouse w
        UNION ALL
        SELECT d.gitrepo_access_token_secret::text, o.id, 'git_token', d.created_at
          FROM public.ddpui_org o JOIN public.ddpui_orgdbt d ON d.id = o.dbt_id) n
 WHERE n.name ~ '^(warehouseCreds|gitrepoAccessToken)-[A-Za-z0-9_.-]+$'
   AND NOT EXISTS (SELECT 1 FROM dalgo.secret_records r WHERE r.name = n.name);

CREATE FUNCTION dalgo.org_secrets_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM dalgo.secret_records WHERE name = OLD.name;
        RETURN OLD;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO dalgo.secret_records (name, org_id, kind, created_at)
        VALUES (NEW.name, NEW.org_id, NEW.kind, coalesce(NEW.created_at, now()));
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a secret record is never changed, only added or removed' USING ERRCODE = 'feature_not_supported';
END $$;
CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON dalgo.org_secrets
    FOR EACH ROW EXECUTE FUNCTION dalgo.org_secrets_write();
