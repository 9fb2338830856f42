-- Every sortable column of every list gets an index matching its ORDER BY, `id` included as the
-- tiebreak, so a page (by OFFSET or after a cursor) is an index range scan, never a sort of the
-- whole tenant. Case-insensitive orders are expression indexes; the role order is the rank
-- expression the query sorts by. Searches (`LIKE '%x%'`) use trigram indexes (pg_trgm lives in
-- `public`, created by the shared migrations), without GIN's pending list: rows are written
-- rarely and searched often, and a long pending list makes the planner give up on the index.
CREATE INDEX users_email_order_idx ON users (lower(email), id);
CREATE INDEX users_role_order_idx ON users ((CASE role WHEN 'attendant' THEN 1 WHEN 'supervisor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END), id);
CREATE INDEX users_inserted_order_idx ON users (inserted_at, id);
CREATE INDEX users_name_trgm_idx ON users USING gin (lower(name) public.gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX users_email_trgm_idx ON users USING gin (lower(email) public.gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX departments_name_order_idx ON departments (lower(name), id);
CREATE INDEX departments_inserted_order_idx ON departments (inserted_at, id);
CREATE INDEX departments_name_trgm_idx ON departments USING gin (lower(name) public.gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX departments_identifier_trgm_idx ON departments USING gin (lower(identifier) public.gin_trgm_ops) WITH (fastupdate = off);
