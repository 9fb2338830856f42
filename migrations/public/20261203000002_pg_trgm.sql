-- Trigram matching for list searches (`LIKE '%x%'` served by GIN indexes in tenant schemas). The
-- extension ships with PostgreSQL's contrib; it is created once, in `public`, and tenant indexes
-- name its operator class as `public.gin_trgm_ops`. On Citus it must exist on every worker too
-- (docs/DEPLOYMENT.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
