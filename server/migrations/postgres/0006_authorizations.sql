-- Authorizations for third-party tools, the jobs and imported experiences that use them, and
-- their hourly request counts (spec A1-A11, seed 000).
--
-- `settings` holds the configuration fields that may be shown again (JSON); `sealed` holds the
-- secret ones, encrypted by the server's vault (AEAD, bound to the row's id and tenant).
-- Sorted text columns use COLLATE "C" so PostgreSQL orders them byte-wise, as SQLite does. Every
-- sortable column of the dashboard and the jobs tables has an index that starts with the
-- tenant (or the authorization), so each page is one index range scan (keyset pagination).

CREATE TABLE authorizations (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    provider_name TEXT COLLATE "C" NOT NULL,
    method TEXT NOT NULL,
    label TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C" NOT NULL,
    settings TEXT NOT NULL,
    sealed TEXT NOT NULL,
    health TEXT COLLATE "C" NOT NULL,
    health_answer TEXT NOT NULL,
    checked_at BIGINT,
    next_check_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    token_expires_at BIGINT,
    created_by TEXT NOT NULL,
    created_by_name TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Lower-cased copies of the text columns the dashboard sorts by: plain columns, so a keyset
    -- cursor seeks in their index (an expression index serves ORDER BY but not the seek).
    label_sort TEXT COLLATE "C" NOT NULL,
    description_sort TEXT COLLATE "C" NOT NULL,
    provider_sort TEXT COLLATE "C" NOT NULL,
    creator_sort TEXT COLLATE "C" NOT NULL
);
CREATE INDEX authorizations_label ON authorizations(tenant_id, label_sort, id);
CREATE INDEX authorizations_description ON authorizations(tenant_id, description_sort, id);
CREATE INDEX authorizations_provider ON authorizations(tenant_id, provider_sort, id);
CREATE INDEX authorizations_status ON authorizations(tenant_id, health, id);
CREATE INDEX authorizations_created_by ON authorizations(tenant_id, creator_sort, id);
CREATE INDEX authorizations_modified ON authorizations(tenant_id, updated_at, id);
CREATE INDEX authorizations_due ON authorizations(next_check_at);
CREATE INDEX authorizations_tokens ON authorizations(token_expires_at);

CREATE TABLE jobs (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    authorization_id TEXT COLLATE "C" REFERENCES authorizations(id) ON DELETE SET NULL,
    name TEXT COLLATE "C" NOT NULL,
    job_type TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    status_detail TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    name_sort TEXT COLLATE "C" NOT NULL
);
CREATE INDEX jobs_name ON jobs(tenant_id, name_sort, id);
CREATE INDEX jobs_type ON jobs(tenant_id, job_type, id);
CREATE INDEX jobs_status ON jobs(tenant_id, status, id);
CREATE INDEX jobs_created ON jobs(tenant_id, created_at, id);
CREATE INDEX jobs_auth_name ON jobs(authorization_id, name_sort, id);
CREATE INDEX jobs_auth_type ON jobs(authorization_id, job_type, id);
CREATE INDEX jobs_auth_status ON jobs(authorization_id, status, id);
CREATE INDEX jobs_auth_created ON jobs(authorization_id, created_at, id);

CREATE TABLE experiences (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    authorization_id TEXT COLLATE "C" REFERENCES authorizations(id) ON DELETE SET NULL,
    name TEXT COLLATE "C" NOT NULL,
    active INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX experiences_auth ON experiences(authorization_id);
CREATE INDEX experiences_tenant ON experiences(tenant_id, created_at, id);

CREATE TABLE authorization_requests (
    authorization_id TEXT COLLATE "C" NOT NULL REFERENCES authorizations(id) ON DELETE CASCADE,
    hour BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (authorization_id, hour)
);

-- OAuth consents under way (A2): the PKCE verifier, sealed, waits here for the provider to send
-- the person back with a code. A state is used once and expires after ten minutes.
CREATE TABLE oauth_states (
    state TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    authorization_id TEXT COLLATE "C" NOT NULL REFERENCES authorizations(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL,
    sealed_verifier TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
