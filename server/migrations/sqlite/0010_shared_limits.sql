-- One table of fixed-window counters for every limit: sign-in attempts, SSO steps, and the
-- bot API's per-token, per-app and per-address minutes, which every replica shares.
ALTER TABLE sign_in_counters RENAME TO rate_counters;
