-- The per-tenant quota on the JSON API (`/api/v1`), set by the plan: requests per minute.
ALTER TABLE plans ADD COLUMN api_requests_per_minute integer NOT NULL DEFAULT 600
    CHECK (api_requests_per_minute > 0);
UPDATE plans SET api_requests_per_minute = 3000 WHERE id = 'professional';
UPDATE plans SET api_requests_per_minute = 15000 WHERE id = 'enterprise';

-- Requests per tenant per minute, shared by every app process. Each node counts locally and adds
-- its count here every few hundred milliseconds (`services/quota.rs`); rows of past minutes are
-- deleted after an hour.
CREATE TABLE api_usage (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL,
    PRIMARY KEY (tenant_id, window_start)
);
CREATE INDEX api_usage_window_idx ON api_usage (window_start);
