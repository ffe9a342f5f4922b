-- `dalgo import django`: which org of the Django database an org came from.
-- Orgs are matched on it when an import runs again, so a slug the operator
-- chose (`--rename ID=SLUG`) or derived from a NULL slug stays with its org.
-- Every other table is matched on its natural key (email, uuid, deployment
-- name, flow run id, …).
ALTER TABLE orgs ADD COLUMN django_id bigint UNIQUE;
