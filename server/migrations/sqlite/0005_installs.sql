-- Installs of applications on tenants, with what the installer allowed (spec P4, P5). A bot
-- acts with granted ∩ the app's current permissions; whatever the app asks for beyond the
-- grant waits for the installer's approval.

CREATE TABLE installs (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    installed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (app_id, tenant_id)
);
CREATE INDEX installs_tenant ON installs(tenant_id, created_at);

CREATE TABLE install_grants (
    install_id TEXT NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (install_id, permission)
);
