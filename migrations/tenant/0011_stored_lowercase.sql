-- A search (`LIKE '%x%'`) rechecks every row its trigram index finds, and lowering the name and
-- the email of each one cost about a third of the search at 100,000 users (docs/PERFORMANCE.md,
-- lists run 6). The lowered forms are stored with the row, kept by PostgreSQL on every write (a
-- generated column, not a trigger), and the trigram indexes move to them. Adding a stored column
-- rewrites the table once. The sort indexes stay on lower(...): their order is the same.
ALTER TABLE users ADD COLUMN name_lower text GENERATED ALWAYS AS (lower(name)) STORED;
ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;
DROP INDEX users_name_trgm_idx;
CREATE INDEX users_name_trgm_idx ON users USING gin (name_lower public.gin_trgm_ops) WITH (fastupdate = off);
DROP INDEX users_email_trgm_idx;
CREATE INDEX users_email_trgm_idx ON users USING gin (email_lower public.gin_trgm_ops) WITH (fastupdate = off);
ALTER TABLE departments ADD COLUMN name_lower text GENERATED ALWAYS AS (lower(name)) STORED;
ALTER TABLE departments ADD COLUMN identifier_lower text GENERATED ALWAYS AS (lower(identifier)) STORED;
DROP INDEX departments_name_trgm_idx;
CREATE INDEX departments_name_trgm_idx ON departments USING gin (name_lower public.gin_trgm_ops) WITH (fastupdate = off);
DROP INDEX departments_identifier_trgm_idx;
CREATE INDEX departments_identifier_trgm_idx ON departments USING gin (identifier_lower public.gin_trgm_ops) WITH (fastupdate = off);
