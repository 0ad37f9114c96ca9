-- Account names are unique within their owner (the agency, or the platform for accounts of
-- none), not across the platform: a refusal must not tell one tenant another's names.
-- SQLite cannot drop a column's UNIQUE, so the table is rebuilt; migrations run with foreign
-- keys off (see db.rs), so dropping the old table deletes nothing that references it.
CREATE TABLE tenants_rebuilt (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies(id),
    parent_id TEXT REFERENCES tenants(id),
    created_at BIGINT NOT NULL
);
INSERT INTO tenants_rebuilt (id, name, agency_id, parent_id, created_at)
    SELECT id, name, agency_id, parent_id, created_at FROM tenants;
DROP TABLE tenants;
ALTER TABLE tenants_rebuilt RENAME TO tenants;
CREATE INDEX tenants_agency ON tenants(agency_id);
CREATE INDEX tenants_parent ON tenants(parent_id);
CREATE UNIQUE INDEX tenants_name_per_owner ON tenants(COALESCE(agency_id, ''), name);
