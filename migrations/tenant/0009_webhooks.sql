-- Outbound webhook endpoints: where the company's events are POSTed, signed with the endpoint's
-- secret (HMAC-SHA256). The secret is kept as it is, because every delivery signs with it; it is
-- shown in the answer that creates or rotates it and never listed. An endpoint that keeps failing
-- is switched off (`active` false, `disabled_reason` says why) and its owners are told.
CREATE TABLE webhooks (
    id              uuid PRIMARY KEY,
    url             text NOT NULL,
    events          text[] NOT NULL,
    description     text NOT NULL DEFAULT '',
    active          boolean NOT NULL DEFAULT true,
    secret          text NOT NULL,
    -- Since when every delivery attempt has failed (NULL after a success).
    failing_since   timestamptz,
    disabled_reason text,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    inserted_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
