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

-- The list sorts by any column (L3); each sort walks an index in keyset order.
DROP INDEX activity_events_tenant;
CREATE INDEX activity_events_tenant_date ON activity_events(tenant_id, happened_at, id);
CREATE INDEX activity_events_tenant_action ON activity_events(tenant_id, event_type, id);
CREATE INDEX activity_events_tenant_user ON activity_events(tenant_id, principal_name, id);
CREATE INDEX activity_events_tenant_object ON activity_events(tenant_id, (COALESCE(object_name, '')), id);

CREATE TRIGGER activity_events_no_update BEFORE UPDATE ON activity_events
BEGIN
    SELECT RAISE(ABORT, 'activity_events is append-only: events cannot be changed');
END;

CREATE TRIGGER activity_events_no_delete BEFORE DELETE ON activity_events
BEGIN
    SELECT RAISE(ABORT, 'activity_events is append-only: events cannot be deleted');
END;
