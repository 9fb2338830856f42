-- Single-use links sent by email (password reset, address verification): only their SHA-256
-- digest is kept, and each is bound to one user of this schema.
CREATE TABLE user_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    inserted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose);

-- Who sent an invitation (shown to the invitee and in the pending list).
ALTER TABLE user_invitations ADD COLUMN invited_by uuid REFERENCES users (id);

-- Browsers a user has signed in from (a digest of the device cookie, or of the user agent for
-- API clients): a sign-in from one not seen before is worth a notice to owners and managers.
CREATE TABLE known_devices (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash   bytea NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device_hash)
);
