-- What apps work on over REST (spec P4, P5): installs on agencies as well as tenants, and the
-- records of accounts (campaigns, content, feeds, creatives, daily figures) and of agencies
-- (boards, placements with their ad approvals, campaign pulls, published stats, lightning
-- devices). Dates of daily figures are ISO `YYYY-MM-DD` text, which sorts as dates.

-- An install is on exactly one tenant or one agency.
ALTER TABLE installs ALTER COLUMN tenant_id DROP NOT NULL;
ALTER TABLE installs ADD COLUMN agency_id TEXT REFERENCES agencies(id) ON DELETE CASCADE;
ALTER TABLE installs ADD CONSTRAINT installs_one_target CHECK ((tenant_id IS NULL) <> (agency_id IS NULL));
ALTER TABLE installs ADD CONSTRAINT installs_app_agency UNIQUE (app_id, agency_id);
CREATE INDEX installs_agency ON installs(agency_id, created_at);
CREATE INDEX installs_app ON installs(app_id);
CREATE INDEX tenants_parent ON tenants(parent_id);

CREATE TABLE campaigns (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_on TEXT COLLATE "C",
    ends_on TEXT COLLATE "C",
    daily_budget_cents BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX campaigns_tenant ON campaigns(tenant_id, id);

CREATE TABLE campaign_days (
    campaign_id TEXT COLLATE "C" NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    day TEXT COLLATE "C" NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    spend_cents BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, day)
);
CREATE INDEX campaign_days_tenant ON campaign_days(tenant_id, day);

CREATE TABLE content_items (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    campaign_id TEXT COLLATE "C" REFERENCES campaigns(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    media_url TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX content_items_tenant ON content_items(tenant_id, id);

CREATE TABLE data_feeds (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    refresh_minutes BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX data_feeds_tenant ON data_feeds(tenant_id, id);

CREATE TABLE default_creatives (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_url TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX default_creatives_tenant ON default_creatives(tenant_id, id);

CREATE TABLE boards (
    id TEXT COLLATE "C" PRIMARY KEY,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
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
    board_id TEXT COLLATE "C" NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    campaign_id TEXT COLLATE "C" NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    approval TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, campaign_id)
);
CREATE INDEX placements_agency ON placements(agency_id, campaign_id, board_id);

CREATE TABLE campaign_pulls (
    id TEXT COLLATE "C" PRIMARY KEY,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    boards BIGINT NOT NULL,
    placements BIGINT NOT NULL,
    pulled_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX campaign_pulls_agency ON campaign_pulls(agency_id, id);

CREATE TABLE board_days (
    board_id TEXT COLLATE "C" NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    day TEXT COLLATE "C" NOT NULL,
    plays BIGINT NOT NULL,
    impressions BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, day)
);
CREATE INDEX board_days_agency ON board_days(agency_id, day);

CREATE TABLE lightning_devices (
    id TEXT COLLATE "C" PRIMARY KEY,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    board_id TEXT COLLATE "C" REFERENCES boards(id) ON DELETE SET NULL,
    serial TEXT NOT NULL,
    firmware TEXT NOT NULL,
    last_seen_at BIGINT
);
CREATE INDEX lightning_devices_agency ON lightning_devices(agency_id, id);
