-- The two user attributes of Dalgo's UserAttributes that dalgo had no
-- column for (email_verified and can_create_orgs are on users already), so
-- `dalgo user attributes` sets all four and an import of Dalgo's database
-- keeps them.
ALTER TABLE users
    ADD COLUMN is_consultant     boolean NOT NULL DEFAULT false,
    ADD COLUMN is_platform_admin boolean NOT NULL DEFAULT false;
