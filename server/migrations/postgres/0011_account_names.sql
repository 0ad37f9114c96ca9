-- Account names are unique within their owner (the agency, or the platform for accounts of
-- none), not across the platform: a refusal must not tell one tenant another's names.
ALTER TABLE tenants DROP CONSTRAINT tenants_name_key;
CREATE UNIQUE INDEX tenants_name_per_owner ON tenants ((COALESCE(agency_id, '')), name);
