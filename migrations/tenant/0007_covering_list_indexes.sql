-- A page deep in a list by number (OFFSET) finds its first row by an index-only scan of the
-- sort's index, then reads one page from there (db/keyset.rs). An expression index serves an
-- index-only scan only when it holds the columns the expression reads, hence INCLUDE (name) for
-- lower(name); role and active ride along so the role and active filters need no row either.
-- Statements run one at a time: each index is rebuilt under its old name.
DROP INDEX users_name_idx;
CREATE INDEX users_name_order_idx ON users (lower(name), id) INCLUDE (name, role, active);
DROP INDEX users_email_order_idx;
CREATE INDEX users_email_order_idx ON users (lower(email), id) INCLUDE (email, role, active);
DROP INDEX users_role_order_idx;
CREATE INDEX users_role_order_idx ON users ((CASE role WHEN 'attendant' THEN 1 WHEN 'supervisor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END), id) INCLUDE (role, active);
DROP INDEX users_inserted_order_idx;
CREATE INDEX users_inserted_order_idx ON users (inserted_at, id) INCLUDE (role, active);
DROP INDEX departments_name_order_idx;
CREATE INDEX departments_name_order_idx ON departments (lower(name), id) INCLUDE (name, active);
DROP INDEX departments_inserted_order_idx;
CREATE INDEX departments_inserted_order_idx ON departments (inserted_at, id) INCLUDE (active);
