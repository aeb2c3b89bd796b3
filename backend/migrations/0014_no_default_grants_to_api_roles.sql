-- On a Supabase project, default privileges grant every new table, function and sequence in `public` to `anon` and
-- `authenticated` (supabase/postgres's init scripts). Tables made after 0007 locked the Data API therefore came
-- with INSERT, UPDATE, DELETE and TRUNCATE for anyone holding a user token (public.audit_events: RLS refused the
-- rows, but DELETE answered "0 rows" instead of "permission denied", and TRUNCATE ignores RLS). Found by running the
-- integration suite on a Supabase-shaped database (tests/supabase_shape).
--
-- 1. What the backend's migrations create from now on gets only the grants they write, as on a plain PostgreSQL.
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;

-- 2. The audit trail: admins read it (RLS); nobody writes it but the triggers (security definer).
revoke all on public.audit_events from anon, authenticated;
grant select on public.audit_events to authenticated;
