-- When each person last signed in (browser or API), for the users list. Nullable without a
-- default: adding it rewrites no row, and people who never signed in show "never".
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;
