-- The company's policy that every user signs in with a second factor. Kept in the registry
-- (read with the tenant on every request, like its plan and status).
ALTER TABLE tenants ADD COLUMN mfa_required boolean NOT NULL DEFAULT false;

-- Counters of failed sign-ins (and other attempts worth bounding), shared by every app process:
-- a limit reached through one node holds on the others. Fixed windows; a key's row is reused when
-- its window has passed, and rows of windows long gone are deleted by the app now and then.
CREATE TABLE rate_counters (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL
);
CREATE INDEX rate_counters_window_idx ON rate_counters (window_start);
