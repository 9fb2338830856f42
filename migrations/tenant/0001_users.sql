-- Runs inside one tenant's schema (search_path is set for the migration's transaction only).
-- Citus schema-sharding rules apply: a primary key on every table, no triggers, foreign keys only
-- within this schema or to shared tables.
CREATE TABLE users (
    id               uuid PRIMARY KEY,
    name             text NOT NULL,
    email            text NOT NULL,
    -- NULL for an invited user who has not chosen a password yet.
    password_hash    text,
    role             text NOT NULL CHECK (role IN ('attendant', 'supervisor', 'manager', 'owner')),
    active           boolean NOT NULL DEFAULT true,
    locale           text NOT NULL DEFAULT 'pt-BR' CHECK (locale IN ('pt-BR', 'es', 'en')),
    avatar_url       text,
    -- Bumped on password change and deactivation: tokens and sessions carry the version they were
    -- issued under and stop working when it moves.
    security_version integer NOT NULL DEFAULT 1,
    inserted_at      timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));
