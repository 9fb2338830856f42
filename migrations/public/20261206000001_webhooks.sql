-- Outbound webhooks. The endpoints are a tenant's own rows (`webhooks` in its schema); what is
-- due for delivery sits here, beside the mail outbox, so one worker per node claims the work of
-- every tenant with one indexed statement. A delivery is written in the transaction of the change
-- it reports and names its endpoint by id (no foreign key: the endpoint lives in a tenant schema).

-- The plan feature: starter has no webhooks (the endpoints answer 403 plan_feature_unavailable).
ALTER TABLE plans ADD COLUMN webhooks boolean NOT NULL DEFAULT false;
UPDATE plans SET webhooks = true WHERE id IN ('professional', 'enterprise');

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    webhook_id       uuid NOT NULL,
    -- The event's id, the same in every endpoint's delivery of it.
    event_id         uuid NOT NULL,
    event            text NOT NULL,
    -- The exact JSON body every attempt sends (the signature covers these bytes).
    payload          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_by       uuid,
    claimed_until    timestamptz,
    last_status_code integer,
    last_error       text,
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    inserted_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, webhook_id, inserted_at DESC, id);
