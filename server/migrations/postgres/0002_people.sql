-- People and access (spec U1-U9): custom policies' actions, the platform-wide domain allowlist
-- and requests to extend it, welcome links, the outbox for mail when no SMTP is configured,
-- and the rows that Customer 360 previews.

-- Space-separated action codes of a custom policy; built-ins take theirs from core, so that
-- they follow the code that defines them.
ALTER TABLE policies ADD COLUMN actions TEXT NOT NULL DEFAULT '';

CREATE INDEX users_name ON users(name, id);
CREATE INDEX users_last_login ON users(last_login_at, id);
CREATE INDEX assignments_tenant_group ON assignments(tenant_id, resource_group_id);
CREATE INDEX databases_group ON databases(tenant_id, resource_group_id);

CREATE TABLE allowed_domains (
    domain TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    added_by TEXT
);

CREATE TABLE domain_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants(id) ON DELETE SET NULL,
    domain TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX domain_requests_requester ON domain_requests(requested_by, created_at);
CREATE INDEX domain_requests_status ON domain_requests(status, created_at);

CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_links_user ON password_links(user_id);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Set when a sender claims the message (before it sends, so two replicas never both do).
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_created ON outbox(created_at);

CREATE TABLE table_rows (
    database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    position BIGINT NOT NULL,
    -- JSON array of cell values, in column order.
    cells TEXT NOT NULL,
    PRIMARY KEY (database_id, table_name, position)
);
