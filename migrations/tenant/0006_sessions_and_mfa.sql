-- Every sign-in is a session the user can see and end: a browser session (its tower-sessions
-- record in public.sessions carries this id) or an API refresh family (refresh_tokens.family_id).
-- Access tokens name their session (`sid`), so ending it ends them at their next request.
-- `credential_version` is the user's security version when the session began: a refresh from a
-- session begun under an older password is refused. `expires_at` is the absolute end, whatever
-- the activity.
CREATE TABLE user_sessions (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind               text NOT NULL CHECK (kind IN ('browser', 'api')),
    credential_version integer NOT NULL,
    address            text,
    user_agent         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    ended_at           timestamptz
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id, created_at);

-- Live refresh families from before sessions existed become API sessions of their own. Written as a
-- CTE (the same rows as the INSERT ... SELECT ... GROUP BY first shipped; migrate.rs still accepts
-- the checksums of this file's earlier texts): Citus 13.2 deparses a pushed-down INSERT ... SELECT holding a stable expression
-- (timestamptz + interval) in a distributed schema into invalid SQL.
WITH families AS (
    SELECT r.family_id, (array_agg(r.user_id))[1] AS user_id, max(u.security_version) AS credential_version,
           min(r.inserted_at) AS created_at, max(r.inserted_at) AS last_used_at
    FROM refresh_tokens r JOIN users u ON u.id = r.user_id
    WHERE r.revoked_at IS NULL
    GROUP BY r.family_id
)
INSERT INTO user_sessions (id, user_id, kind, credential_version, created_at, last_used_at, expires_at)
SELECT family_id, user_id, 'api', credential_version, created_at, last_used_at, created_at + interval '30 days'
FROM families;

-- TOTP (RFC 6238). The secret being enrolled stays pending until a code proves the app has it;
-- `mfa_last_step` is the time step of the last accepted code, so no code is accepted twice.
ALTER TABLE users ADD COLUMN mfa_secret text;
ALTER TABLE users ADD COLUMN mfa_pending_secret text;
ALTER TABLE users ADD COLUMN mfa_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN mfa_last_step bigint;

-- Single-use recovery codes. Each carries 50 random bits, too few for a fast hash: they are
-- stored like passwords (argon2id, salted).
CREATE TABLE mfa_recovery_codes (
    id        uuid PRIMARY KEY,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at   timestamptz
);
CREATE INDEX mfa_recovery_codes_user_idx ON mfa_recovery_codes (user_id);

-- The second step of a sign-in (`mfa_token`) is a single-use token like the emailed ones, with a
-- count of wrong codes.
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_purpose_check;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check
    CHECK (purpose IN ('password_reset', 'email_verification', 'mfa_challenge'));
-- Added, filled, then given its default and NOT NULL, rather than `ADD COLUMN ... NOT NULL DEFAULT 0`
-- (the same column, rows and default): with 10,000 tenant schemas in the catalog, adding a column
-- with a default took ~350 ms and the other forms well under 1 ms each.
ALTER TABLE user_tokens ADD COLUMN attempts integer;
UPDATE user_tokens SET attempts = 0;
ALTER TABLE user_tokens ALTER COLUMN attempts SET DEFAULT 0;
ALTER TABLE user_tokens ALTER COLUMN attempts SET NOT NULL;
