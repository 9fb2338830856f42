-- One recurring subscription per workspace, paid by card, boleto or PIX, and every charge of it.
-- The registry row names the live subscription (`subscription_id`); events of any other
-- subscription are recorded and change nothing. Charges are shared rows that point at a tenant
-- (tenant schemas stay movable), one per provider payment id.

-- Paid yearly, a plan costs ten months.
ALTER TABLE plans ADD COLUMN yearly_price_cents integer;
UPDATE plans SET yearly_price_cents = monthly_price_cents * 10 WHERE monthly_price_cents IS NOT NULL;

ALTER TABLE tenants ADD COLUMN billing_cycle text NOT NULL DEFAULT 'MONTHLY'
    CHECK (billing_cycle IN ('MONTHLY', 'YEARLY'));
ALTER TABLE tenants ADD COLUMN billing_type text NOT NULL DEFAULT 'UNDEFINED'
    CHECK (billing_type IN ('UNDEFINED', 'CREDIT_CARD', 'BOLETO', 'PIX'));
-- What the live subscription charges each cycle, in centavos: the amount its charges must carry.
ALTER TABLE tenants ADD COLUMN subscription_value_cents integer;
-- A downgrade waits for the next cycle: the plan the next paid cycle brings.
ALTER TABLE tenants ADD COLUMN scheduled_plan_id text REFERENCES plans (id);
ALTER TABLE tenants ADD COLUMN canceled_at timestamptz;
-- When the reconciliation last asked the provider about this subscription.
ALTER TABLE tenants ADD COLUMN billing_checked_at timestamptz;
CREATE INDEX tenants_billing_check_idx ON tenants (billing_checked_at NULLS FIRST) WHERE subscription_id IS NOT NULL;

CREATE TABLE charges (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider        text NOT NULL CHECK (provider IN ('asaas', 'local')),
    -- The provider's payment id.
    provider_ref    text NOT NULL,
    -- The subscription it belongs to; NULL for a one-off (an upgrade's prorated charge).
    subscription_id text,
    kind            text NOT NULL CHECK (kind IN ('subscription', 'upgrade')),
    -- The plan paying this charge brings (the first charge, an upgrade); NULL for a renewal.
    plan_id         text REFERENCES plans (id),
    -- An upgrade's plan before it (a refund puts it back).
    from_plan_id    text REFERENCES plans (id),
    cycle           text NOT NULL CHECK (cycle IN ('MONTHLY', 'YEARLY')),
    description     text NOT NULL DEFAULT '',
    expected_cents  integer NOT NULL,
    -- The value the provider last reported.
    value_cents     integer,
    value_mismatch  boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'paid', 'overdue', 'refunded', 'chargeback', 'canceled')),
    billing_type    text NOT NULL,
    due_date        date NOT NULL,
    paid_at         timestamptz,
    invoice_url     text,
    bank_slip_url   text,
    receipt_url     text,
    -- Where the buyer returns after paying (the local provider's page uses it).
    success_url     text,
    -- The service invoice (NFS-e) Asaas issued for it, when the account issues them.
    nfse_status     text,
    nfse_url        text,
    inserted_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_ref)
);
CREATE INDEX charges_tenant_idx ON charges (tenant_id, due_date DESC, id DESC);
CREATE INDEX charges_subscription_idx ON charges (subscription_id) WHERE subscription_id IS NOT NULL;

-- Checkout sessions (`checkouts`) are no longer made: the first charge's payment page replaced
-- them. The table keeps their history.
