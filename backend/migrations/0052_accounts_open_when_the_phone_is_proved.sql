-- Supabase Auth's boundary and the API roles' grants (review 14a).
--
-- 1. The sequences made before 0014 kept Supabase's default grants: anon and authenticated could nextval/setval
--    status_events_id_seq and audit_events_id_seq (setval onto an old id would make every audited write fail).
--    Identity columns need no grant on their sequence to insert.

-- 1. No API role moves a sequence; what later migrations create stays ungranted (0014's default privileges, said
-- again here so this file states the whole rule).
revoke all on all sequences in schema public from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
