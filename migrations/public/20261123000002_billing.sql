-- Signup and billing. A company's document identifies it once across the platform; the trial and
-- the paid period live on its registry row; checkouts and payment-provider events are shared
-- records that point at a tenant (never the reverse: tenant schemas stay movable).

ALTER TABLE tenants ADD COLUMN trial_ends_at timestamptz;
ALTER TABLE tenants ADD COLUMN current_period_start timestamptz;
ALTER TABLE tenants ADD COLUMN current_period_end timestamptz;
-- The provider's ids for this company (customer) and its recurring charge (subscription).
ALTER TABLE tenants ADD COLUMN payment_customer_id text;
ALTER TABLE tenants ADD COLUMN subscription_id text;

CREATE TABLE checkouts (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    plan_id      text NOT NULL REFERENCES plans (id),
    provider     text NOT NULL CHECK (provider IN ('asaas', 'local')),
    -- The provider's id of the checkout session.
    provider_ref text NOT NULL,
    url          text NOT NULL,
    success_url  text NOT NULL,
    cancel_url   text NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'canceled', 'expired')),
    inserted_at  timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_ref)
);
CREATE INDEX checkouts_tenant_idx ON checkouts (tenant_id);

-- Every webhook event by the provider's id: a replay finds its id here and changes nothing.
CREATE TABLE payment_events (
    id          text PRIMARY KEY,
    event       text NOT NULL,
    tenant_id   uuid REFERENCES tenants (id),
    payload     jsonb NOT NULL,
    outcome     text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_tenant_idx ON payment_events (tenant_id);

-- Schemas created ahead of signups (all tenant tables, no rows but the company's), so provisioning
-- a tenant is a rename and a few inserts instead of dozens of CREATE statements.
CREATE TABLE spare_schemas (
    schema_name text PRIMARY KEY,
    inserted_at timestamptz NOT NULL DEFAULT now()
);
