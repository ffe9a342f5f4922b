-- Fixes to 0001, found by running dalgo's whole suite in live mode (DALGO_TEST_STORAGE=live).
--
-- pipelines: its continue_on_sync_failure is a scalar sub-select, not an
-- outer join, so `SELECT … FROM pipelines … FOR UPDATE` locks Django's
-- dataflow row (PostgreSQL refuses FOR UPDATE on an outer join's nullable
-- side).
CREATE OR REPLACE VIEW dalgo.pipelines AS
SELECT f.id, dalgo.uuid_of('ddpui_orgdataflowv1', f.id) AS uuid, f.org_id, f.name::text AS name,
       f.deployment_name::text AS deployment_name, f.deployment_id::text AS deployment_id, f.cron::text AS cron,
       f.dataflow_type::text AS dataflow_type,
       coalesce((SELECT x.continue_on_sync_failure FROM dalgo.pipeline_options x WHERE x.pipeline_id = f.id), false)
           AS continue_on_sync_failure,
       f.created_at, f.updated_at
  FROM public.ddpui_orgdataflowv1 f
 WHERE f.deployment_name IS NOT NULL;

-- users: the System User's email is 'System User', as Dalgo's
-- create-system-orguser writes it (Dalgo finds it by email).
CREATE OR REPLACE FUNCTION dalgo.users_write() RETURNS trigger
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
        VALUES (CASE WHEN NEW.password = '!' THEN '' ELSE NEW.password END, false, NEW.email, '', '', NEW.email,
                false, coalesce(NEW.is_active, true), now())
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

-- A System User dalgo's 0001 made, whose email it left empty, is given its
-- email, so Dalgo's webhooks find it.
UPDATE public.auth_user SET email = 'System User' WHERE username = 'System User' AND email = '';

-- The System User's membership, which holds the task locks dalgo takes; made
-- as Dalgo's create-system-orguser makes it (an org-less admin) when the
-- database has none, instead of refusing the lock.
CREATE FUNCTION dalgo.system_orguser() RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    holder bigint;
BEGIN
    FOR i IN 1..2 LOOP
        SELECT ou.id INTO holder FROM public.ddpui_orguser ou JOIN public.auth_user u ON u.id = ou.user_id
         WHERE u.email = 'System User' OR u.username = 'System User' ORDER BY ou.org_id NULLS FIRST, ou.id LIMIT 1;
        IF holder IS NOT NULL OR i = 2 THEN
            RETURN holder;
        END IF;
        INSERT INTO dalgo.users (email, password, is_system) VALUES ('System User', '!', true);
        INSERT INTO dalgo.org_users (user_id, org_id, role_id)
        SELECT u.id, NULL, r.id FROM public.auth_user u, public.ddpui_role r
         WHERE (u.email = 'System User' OR u.username = 'System User') AND r.slug = 'admin'
         ORDER BY u.id LIMIT 1;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION dalgo.task_locks_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    lid bigint;
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
        INSERT INTO public.ddpui_tasklock (flow_run_id, locked_at, locked_by_id, orgtask_id, locking_dataflow_id,
                                           updated_at)
        VALUES (coalesce(NEW.flow_run_id, ''), coalesce(NEW.locked_at, now()), dalgo.system_orguser(),
                NEW.org_task_id, NEW.pipeline_id, now())
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

-- purge: a nullable reference Django declares on_delete=CASCADE is deleted
-- with its parent, not set to NULL (DDP_backend e2f35e17's models; Django
-- cascades in Python, so the database's foreign keys do not say it). An
-- OrgTask goes with its OrgDbt (dbt teardown), a TaskLock with its dataflow.
CREATE OR REPLACE FUNCTION dalgo.purge(tbl regclass, col name, vals bigint[], depth int DEFAULT 0) RETURNS void
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
        SELECT c.conrelid::regclass AS child, a.attname AS child_col,
               a.attnotnull OR (c.conrelid::regclass::text, a.attname::text) IN (VALUES
                   ('comment', 'snapshot_id'), ('ddpui_alert', 'kpi_id'), ('ddpui_alert', 'metric_id'),
                   ('ddpui_geojson', 'org_id'), ('ddpui_georegion', 'parent_id'),
                   ('ddpui_invitation', 'invited_new_role_id'), ('ddpui_orgfeatureflag', 'org_id'),
                   ('ddpui_orgpreferences', 'enable_llm_requested_by_id'),
                   ('ddpui_orgpreferences', 'llm_optin_approved_by_id'), ('ddpui_orgtask', 'dbt_id'),
                   ('ddpui_orguser', 'org_id'), ('ddpui_tasklock', 'locking_dataflow_id')) AS cascades,
               ca.attname AS child_key
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
          LEFT JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attname = 'id'
         WHERE c.contype = 'f' AND c.confrelid = tbl AND cardinality(c.conkey) = 1
           AND c.connamespace = 'public'::regnamespace
           AND ra.attname = col
    LOOP
        IF fk.cascades THEN
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

-- dbt workspaces: whether default_schema was given (`dbt setup
-- --default-schema`) or follows the warehouse is dalgo's to keep, as in
-- dalgo's own database (0008); Django has no column for it. A workspace the
-- web app made keeps its schema (given: unknown, so kept).
CREATE TABLE dalgo.dbt_workspace_options (
    dbt_id               bigint  PRIMARY KEY,
    default_schema_given boolean NOT NULL
);

CREATE OR REPLACE VIEW dalgo.dbt_workspaces AS
SELECT d.id, o.id AS org_id,
       CASE WHEN d.transform_type = 'github' OR d.gitrepo_url IS NOT NULL AND d.is_repo_managed_by_system
            THEN 'git' ELSE 'local' END AS source,
       CASE WHEN d.transform_type = 'github' OR d.gitrepo_url IS NOT NULL AND d.is_repo_managed_by_system
            THEN d.gitrepo_url::text END AS repo_url,
       d.branch_name::text AS branch, d.project_dir::text AS project_dir, d.target_type::text AS target_type,
       d.default_schema::text AS default_schema, d.gitrepo_access_token_secret::text AS token_secret,
       d.created_at, d.updated_at,
       coalesce((SELECT x.default_schema_given FROM dalgo.dbt_workspace_options x WHERE x.dbt_id = d.id), true)
           AS default_schema_given
  FROM public.ddpui_org o JOIN public.ddpui_orgdbt d ON d.id = o.dbt_id;

CREATE OR REPLACE FUNCTION dalgo.dbt_workspaces_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE public.ddpui_org SET dbt_id = NULL WHERE id = OLD.org_id;
        PERFORM dalgo.purge('public.ddpui_orgdbt', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orgdbt WHERE id = OLD.id;
        DELETE FROM dalgo.dbt_workspace_options WHERE dbt_id = OLD.id;
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
    INSERT INTO dalgo.dbt_workspace_options (dbt_id, default_schema_given)
    VALUES (NEW.id, coalesce(NEW.default_schema_given, false))
    ON CONFLICT (dbt_id) DO UPDATE SET default_schema_given = EXCLUDED.default_schema_given;
    SELECT * INTO NEW FROM dalgo.dbt_workspaces WHERE id = NEW.id;
    RETURN NEW;
END $$;

-- Memberships: Django's foreign keys are checked at commit (DEFERRABLE
-- INITIALLY DEFERRED), so an insert holds no lock on its user and org until
-- then, and an `org delete` removing that user meanwhile would make the
-- insert fail at commit. The insert takes the key-share locks an immediate
-- foreign key takes, as in dalgo's own schema: the delete waits for it and
-- keeps the user.
CREATE OR REPLACE FUNCTION dalgo.org_users_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM dalgo.purge('public.ddpui_orguser', 'id', ARRAY[OLD.id]);
        DELETE FROM public.ddpui_orguser WHERE id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM public.auth_user WHERE id = NEW.user_id FOR KEY SHARE;
        PERFORM 1 FROM public.ddpui_org WHERE id = NEW.org_id FOR KEY SHARE;
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
