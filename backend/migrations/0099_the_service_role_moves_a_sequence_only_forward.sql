-- The API roles hold the same rights on a Supabase project as on a plain PostgreSQL (checked object by object by
-- tests/supabase_shape/test_plain_and_shaped_grant_alike.py). The one difference it found: Supabase's default
-- privileges had given service_role SELECT and UPDATE on the sequences 0014 and 0052 did not cover (0017 granted it
-- USAGE only, all it needs: nextval for a new reference number). UPDATE is setval: a service key could set the
-- audit trail's or the reference numbers' next value onto an old row's, and every audited write, or every submit,
-- would then fail. What later migrations create stays that way (the default privileges, for the role migrating).
revoke select, update on all sequences in schema public from service_role;
alter default privileges in schema public revoke select, update on sequences from service_role;
