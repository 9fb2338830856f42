-- The shared registry: what exists once for the whole platform. Tenant data never lives here,
-- so a query that forgets its tenant schema finds no table and fails instead of reading
-- another company's rows.

CREATE TABLE plans (
    id                   text PRIMARY KEY,
    name                 text NOT NULL,
    -- NULL means unlimited.
    max_concurrent_calls integer,
    max_users            integer,
    max_departments      integer,
    recording            boolean NOT NULL,
    ai_transcription     boolean NOT NULL,
    advanced_analytics   boolean NOT NULL,
    -- NULL means "on request" (sold by the sales team, not by self-service checkout).
    monthly_price_cents  integer,
    sort_order           integer NOT NULL,
    inserted_at          timestamptz NOT NULL DEFAULT now()
);

INSERT INTO plans (id, name, max_concurrent_calls, max_users, max_departments, recording,
                   ai_transcription, advanced_analytics, monthly_price_cents, sort_order)
VALUES ('starter', 'Starter', 2, 5, 3, true, false, false, 9900, 1),
       ('professional', 'Professional', 10, 50, 20, true, true, true, 69900, 2),
       ('enterprise', 'Enterprise', NULL, NULL, NULL, true, true, true, NULL, 3);

CREATE TABLE tenants (
    id            uuid PRIMARY KEY,
    -- Immutable: the schema name is derived from it and tokens carry it.
    slug          text NOT NULL UNIQUE,
    name          text NOT NULL,
    schema_name   text NOT NULL UNIQUE,
    document      text UNIQUE,
    document_type text CHECK (document_type IN ('cnpj', 'cpf')),
    plan_id       text NOT NULL REFERENCES plans (id),
    status        text NOT NULL DEFAULT 'trialing'
                  CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
    inserted_at   timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (slug ~ '^[a-z](-?[a-z0-9])+$' AND length(slug) BETWEEN 2 AND 40),
    CHECK ((document IS NULL) = (document_type IS NULL))
);

-- Browser sessions (tower-sessions' PostgreSQL store, pointed at this table).
CREATE TABLE sessions (
    id          text PRIMARY KEY,
    data        bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_date_idx ON sessions (expiry_date);
