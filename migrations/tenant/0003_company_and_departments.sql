-- The company's own profile (its name lives in the shared registry), one row per schema. Writes
-- that must respect plan limits or the last-owner rule lock this row first, so concurrent writers
-- of one tenant take turns while other tenants are unaffected.
CREATE TABLE company (
    id            smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    email         text,
    phone         text,
    logo_url      text,
    primary_color text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO company (id) VALUES (1);

CREATE TABLE departments (
    id             uuid PRIMARY KEY,
    name           text NOT NULL,
    identifier     text NOT NULL,
    description    text,
    active         boolean NOT NULL DEFAULT true,
    max_queue_size integer CHECK (max_queue_size > 0),
    -- Seconds.
    max_wait_time  integer CHECK (max_wait_time > 0),
    inserted_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX departments_identifier_key ON departments (identifier);

CREATE TABLE department_members (
    department_id uuid NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id),
    inserted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (department_id, user_id)
);
CREATE INDEX department_members_user_idx ON department_members (user_id);

-- Invitations for users created without a password: the link carries a token whose digest is here.
CREATE TABLE user_invitations (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    inserted_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX users_name_idx ON users (lower(name), id);
