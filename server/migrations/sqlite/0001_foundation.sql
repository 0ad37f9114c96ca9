-- Foundation schema: tenants, agencies, people, sessions, and the access data later issues extend.
-- Times are UTC milliseconds since the Unix epoch (BIGINT): one representation on both backends.
-- Ids are prefixed, time-ordered text (see core::ids). Flags are BIGINT 0/1: sqlx's Any driver
-- cannot decode SQLite booleans, and one representation keeps the queries identical.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    agency_id TEXT REFERENCES agencies(id),
    parent_id TEXT REFERENCES tenants(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX tenants_agency ON tenants(agency_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    operator BIGINT NOT NULL DEFAULT 0,
    last_login_at BIGINT,
    last_tenant_id TEXT REFERENCES tenants(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE agency_members (
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agency_id, user_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id TEXT REFERENCES tenants(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    origin_ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE sign_in_failures (
    email TEXT NOT NULL,
    at BIGINT NOT NULL,
    origin_ip TEXT
);
CREATE INDEX sign_in_failures_email_at ON sign_in_failures(email, at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE resource_groups (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE databases (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    resource_group_id TEXT REFERENCES resource_groups(id),
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE database_tables (
    database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- JSON list of {"name", "type", "pii"}: the people issue turns this into its own table.
    columns TEXT NOT NULL,
    PRIMARY KEY (database_id, name)
);

CREATE TABLE assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    resource_group_id TEXT NOT NULL REFERENCES resource_groups(id) ON DELETE CASCADE,
    source TEXT NOT NULL DEFAULT 'manual',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, policy_id, resource_group_id)
);
CREATE INDEX assignments_user ON assignments(user_id);

CREATE TABLE activity_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants(id),
    event_type TEXT NOT NULL,
    happened_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    principal_id TEXT,
    principal_name TEXT,
    principal_email TEXT,
    source TEXT NOT NULL,
    object_id TEXT,
    object_name TEXT,
    origin_ip TEXT
);
CREATE INDEX activity_events_tenant ON activity_events(tenant_id, happened_at);
