-- Activity log (spec L1-L6): each tenant's events form a hash chain, and the database itself
-- refuses to change or remove an event once written.

-- The chain an event belongs to: its tenant id, or 'platform' for platform-wide events.
-- Events written before this migration keep NULLs and are reported as unchained.
ALTER TABLE activity_events ADD COLUMN chain TEXT;
ALTER TABLE activity_events ADD COLUMN seq BIGINT;
ALTER TABLE activity_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX activity_events_chain_seq ON activity_events(chain, seq);

-- Each chain's newest position and hash. Writers lock their chain's row (an UPDATE) before
-- they append, so concurrent transactions extend one chain one after the other.
CREATE TABLE activity_chains (
    chain TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Byte order, as SQLite compares, so both backends sort and filter alike whatever the
-- database's locale (the action-type filter's range 'policy/' <= t < 'policy0' relies on it).
ALTER TABLE activity_events
    ALTER COLUMN event_type TYPE TEXT COLLATE "C",
    ALTER COLUMN principal_name TYPE TEXT COLLATE "C",
    ALTER COLUMN object_name TYPE TEXT COLLATE "C";

-- The list sorts by any column (L3); each sort walks an index in keyset order.
DROP INDEX activity_events_tenant;
CREATE INDEX activity_events_tenant_date ON activity_events(tenant_id, happened_at, id);
CREATE INDEX activity_events_tenant_action ON activity_events(tenant_id, event_type, id);
CREATE INDEX activity_events_tenant_user ON activity_events(tenant_id, principal_name, id);
CREATE INDEX activity_events_tenant_object ON activity_events(tenant_id, (COALESCE(object_name, '')), id);

CREATE FUNCTION activity_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'activity_events is append-only: events cannot be changed or deleted';
END;
$$;

CREATE TRIGGER activity_events_no_change BEFORE UPDATE OR DELETE ON activity_events
    FOR EACH ROW EXECUTE FUNCTION activity_events_append_only();
CREATE TRIGGER activity_events_no_truncate BEFORE TRUNCATE ON activity_events
    FOR EACH STATEMENT EXECUTE FUNCTION activity_events_append_only();
