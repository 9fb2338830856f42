-- Mail: a transactional outbox. A message is written in the same transaction as the change that
-- causes it, rendered (subject and both parts), and delivered later by whichever app process
-- claims it first (`FOR UPDATE SKIP LOCKED` plus a lease, so a process that dies mid-send loses
-- nothing: its lease runs out and another process sends the message).
CREATE TABLE outbox_messages (
    id              uuid PRIMARY KEY,
    -- NULL for mail that belongs to no workspace; a removed workspace takes its mail along.
    tenant_id       uuid REFERENCES tenants (id) ON DELETE CASCADE,
    -- The template's machine name (`password_reset`, `invitation`, ...).
    kind            text NOT NULL,
    -- Notices that must go out once (e.g. "trial ends in 3 days" for one trial) carry a key.
    dedupe_key      text UNIQUE,
    recipient       text NOT NULL,
    locale          text NOT NULL,
    subject         text NOT NULL,
    html_body       text NOT NULL,
    text_body       text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- The claim of the process sending it; a claim whose lease ran out is taken over.
    claimed_by      uuid,
    claimed_until   timestamptz,
    -- The mail server's last answer when it refused or could not be reached.
    last_error      text,
    sent_at         timestamptz,
    inserted_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_messages_due_idx ON outbox_messages (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_messages_inserted_idx ON outbox_messages (inserted_at);
CREATE INDEX outbox_messages_tenant_idx ON outbox_messages (tenant_id);

-- The owner's address is confirmed by a link sent at signup. Workspaces that existed before
-- count as confirmed.
ALTER TABLE tenants ADD COLUMN email_verified_at timestamptz;
UPDATE tenants SET email_verified_at = inserted_at;
CREATE INDEX tenants_unverified_idx ON tenants (inserted_at) WHERE email_verified_at IS NULL;

-- A removed workspace takes its checkouts and payment events along.
ALTER TABLE checkouts DROP CONSTRAINT checkouts_tenant_id_fkey,
    ADD CONSTRAINT checkouts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE payment_events DROP CONSTRAINT payment_events_tenant_id_fkey,
    ADD CONSTRAINT payment_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
