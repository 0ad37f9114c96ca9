-- SSO (spec U10, X5): each tenant's OpenID Connect provider, the email domains whose people it
-- signs in, its group mappings, and consents under way. The client secret is sealed by the
-- vault like every stored secret. Assignments a sign-in gives carry source 'sso'.

CREATE TABLE sso_providers (
    tenant_id TEXT COLLATE "C" PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    groups_claim TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A domain signs in through one tenant's provider.
CREATE TABLE sso_domains (
    domain TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE
);
CREATE INDEX sso_domains_tenant ON sso_domains(tenant_id);

CREATE TABLE sso_mappings (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    idp_group TEXT COLLATE "C" NOT NULL,
    policy_id TEXT COLLATE "C" NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    resource_group_id TEXT COLLATE "C" NOT NULL REFERENCES resource_groups(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, idp_group, policy_id, resource_group_id)
);

-- State, nonce and PKCE verifier (sealed) of a sign-in under way; taken once, ten minutes.
CREATE TABLE sso_states (
    state TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    sealed TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
