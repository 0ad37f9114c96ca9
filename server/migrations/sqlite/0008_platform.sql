-- What apps work on over REST (spec P4, P5): installs on agencies as well as tenants, and the
-- records of accounts (campaigns, content, feeds, creatives, daily figures) and of agencies
-- (boards, placements with their ad approvals, campaign pulls, published stats, lightning
-- devices). Dates of daily figures are ISO `YYYY-MM-DD` text, which sorts as dates.

-- An install is on exactly one tenant or one agency. SQLite cannot relax NOT NULL in place, so
-- the table is rebuilt with its grants copied across.
CREATE TABLE installs_v2 (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
    agency_id TEXT REFERENCES agencies(id) ON DELETE CASCADE,
    installed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((tenant_id IS NULL) <> (agency_id IS NULL)),
    UNIQUE (app_id, tenant_id),
    UNIQUE (app_id, agency_id)
);
INSERT INTO installs_v2 (id, app_id, tenant_id, installed_by, created_at)
    SELECT id, app_id, tenant_id, installed_by, created_at FROM installs;
CREATE TABLE install_grants_v2 (
    install_id TEXT NOT NULL REFERENCES installs_v2(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (install_id, permission)
);
INSERT INTO install_grants_v2 (install_id, permission) SELECT install_id, permission FROM install_grants;
DROP TABLE install_grants;
DROP TABLE installs;
ALTER TABLE installs_v2 RENAME TO installs;
ALTER TABLE install_grants_v2 RENAME TO install_grants;
CREATE INDEX installs_tenant ON installs(tenant_id, created_at);
CREATE INDEX installs_agency ON installs(agency_id, created_at);
CREATE INDEX installs_app ON installs(app_id);
CREATE INDEX tenants_parent ON tenants(parent_id);

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    daily_budget_cents BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX campaigns_tenant ON campaigns(tenant_id, id);

CREATE TABLE campaign_days (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    spend_cents BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, day)
);
CREATE INDEX campaign_days_tenant ON campaign_days(tenant_id, day);

CREATE TABLE content_items (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    campaign_id TEXT REFERENCES campaigns(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    media_url TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX content_items_tenant ON content_items(tenant_id, id);

CREATE TABLE data_feeds (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    refresh_minutes BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX data_feeds_tenant ON data_feeds(tenant_id, id);

CREATE TABLE default_creatives (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_url TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX default_creatives_tenant ON default_creatives(tenant_id, id);

CREATE TABLE boards (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    image_url TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX boards_agency ON boards(agency_id, id);

-- A campaign placed on a board, and the agency's review of it.
CREATE TABLE placements (
    board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    approval TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, campaign_id)
);
CREATE INDEX placements_agency ON placements(agency_id, campaign_id, board_id);

CREATE TABLE campaign_pulls (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    boards BIGINT NOT NULL,
    placements BIGINT NOT NULL,
    pulled_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX campaign_pulls_agency ON campaign_pulls(agency_id, id);

CREATE TABLE board_days (
    board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    plays BIGINT NOT NULL,
    impressions BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, day)
);
CREATE INDEX board_days_agency ON board_days(agency_id, day);

CREATE TABLE lightning_devices (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    board_id TEXT REFERENCES boards(id) ON DELETE SET NULL,
    serial TEXT NOT NULL,
    firmware TEXT NOT NULL,
    last_seen_at BIGINT
);
CREATE INDEX lightning_devices_agency ON lightning_devices(agency_id, id);
