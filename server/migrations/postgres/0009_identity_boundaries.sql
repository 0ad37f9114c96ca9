-- Who a tenant's identity provider may speak for. An SSO identity is the pair the provider
-- vouches for (issuer, subject), linked to one person within the tenant that trusts the issuer;
-- the email is an attribute. A session opened through a tenant's provider names that tenant and
-- enters no other. People a tenant removed stay out of its SSO until the tenant re-admits them.
-- A sign-in state is bound to the browser that started it through the hash of a cookie.

CREATE TABLE sso_identities (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    issuer TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities(user_id);

CREATE TABLE tenant_exclusions (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email TEXT COLLATE "C" NOT NULL,
    excluded_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, email)
);

ALTER TABLE sessions ADD COLUMN sso_tenant_id TEXT COLLATE "C" REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE sso_states ADD COLUMN browser_hash TEXT COLLATE "C" NOT NULL DEFAULT '';

-- Set by the demo loader: demo data (and its published password) goes only into a database
-- that was empty or holds this marker, and a server started without the demo warns about it.
CREATE TABLE demo_marker (
    loaded_at BIGINT NOT NULL
);

-- Sign-in attempts counted in fixed windows per client address, per account from an address,
-- and per account; one upsert counts an attempt, so parallel guesses cannot pass the limit.
-- Rows whose window ended are swept. Replaces the per-address failure rows.
CREATE TABLE sign_in_counters (
    key TEXT COLLATE "C" PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);
CREATE INDEX sign_in_counters_window ON sign_in_counters(window_start);
DROP TABLE sign_in_failures;

-- A job names the app whose bots run it: only that app's tokens fetch its credential.
ALTER TABLE jobs ADD COLUMN app_id TEXT COLLATE "C" REFERENCES apps(id) ON DELETE SET NULL;

-- An install stops working, with the reason, when its app's owner loses access to the tenant;
-- the tenant's administrators re-approve it to resume it.
ALTER TABLE installs ADD COLUMN suspended_reason TEXT;

-- A message that carries a set-password link names the link's hash, so the message's body
-- (the link) is dropped once the link is used; a delivered message keeps no body either.
ALTER TABLE outbox ADD COLUMN link_hash TEXT COLLATE "C";
CREATE INDEX outbox_link ON outbox(link_hash);
UPDATE outbox SET body = '' WHERE sent_at IS NOT NULL;

-- Adding a person who already has an account elsewhere invites them: they have no access
-- here until they accept at their next sign-in.
CREATE TABLE invitations (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy_id TEXT COLLATE "C" NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    resource_group_id TEXT COLLATE "C" NOT NULL REFERENCES resource_groups(id) ON DELETE CASCADE,
    invited_by TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX invitations_user ON invitations(user_id);
