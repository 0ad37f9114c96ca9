-- Every record an administrator edits carries a version, bumped by each change. An edit names
-- the version it was made from and is refused when the record has moved on, so a save from a
-- stale view cannot silently undo someone else's change.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE authorizations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE apps ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE databases ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sso_providers ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
