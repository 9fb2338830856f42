-- API keys: machines acting in the company with a role, without a person's password. The key is
-- shown once (`atr_<prefix>_<secret>`); only the prefix, which finds the row, and a SHA-256 of the
-- 256-bit secret are kept: a fast hash is enough for a secret nobody can guess, and a request
-- authenticated by a key costs no argon2. Revoking deletes the row.
CREATE TABLE api_keys (
    id                uuid PRIMARY KEY,
    name              text NOT NULL,
    role              text NOT NULL CHECK (role IN ('attendant', 'supervisor', 'manager', 'owner')),
    prefix            text NOT NULL,
    secret_hash       bytea NOT NULL,
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    inserted_at       timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz,
    last_used_at      timestamptz,
    last_used_address text
);
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
