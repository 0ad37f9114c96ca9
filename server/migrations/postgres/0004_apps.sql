-- Applications and their bot tokens (spec P2, P3). An app belongs to the developer who created
-- it; its permissions are what it asks for, each with the reason shown on consent screens.

CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX apps_owner ON apps(owner_id, name, id);

CREATE TABLE app_permissions (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    why TEXT NOT NULL,
    PRIMARY KEY (app_id, permission)
);

-- Only the SHA-256 of a token's secret is kept; the public part (pct_…) finds the row.
CREATE TABLE bot_tokens (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    public_token TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX bot_tokens_app ON bot_tokens(app_id, created_at);
