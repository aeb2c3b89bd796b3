-- text19: the teacher's search finds a row whatever spelling of SARA AM it holds.
--
-- SARA AM typed as two characters (NIKHAHIT + SARA AA, U+0E4D U+0E32, the tone mark before them or between them;
-- Lao U+0ECD U+0EB2) looks the same as SARA AM (U+0E33). New text is joined on the way in
-- (shared.visible_text.normal_form); rows stored before that kept what was typed. The search looked for each
-- spelling of the whole query, so a row mixing the spellings (ทำ in two characters and น้ำ in one in the same item),
-- or a query with SARA AM twice, found nothing.
--
-- `private.search_form(text)` is normal_form's SARA AM rule in SQL: SARA AM typed as two characters joined into
-- one, the tone mark put before it (a Thai NIKHAHIT makes the Thai SARA AM, a Lao one the Lao, as normal_form's
-- pattern does). normal_form's other half, NFC, is not repeated: every typed text has been NFC-normalised on the way
-- in since the edge hardening (backend.schemas Line/Text), the query is too, and `pg_catalog.normalize` on every row
-- made the search's filter half again as slow. The search (backend/services/college_admin.py `college_jobs`)
-- compares the search form of the item and of the student's name with the search form of the query: any mix of
-- spellings on either side is the same text. tests/integration/test_typed_text_leftovers.py holds it to
-- normal_form on every spelling.
--
-- An IMMUTABLE SQL function of one expression, its argument used once, neither `security definer` nor given a
-- `set search_path` (as 0065's `private.first_word`): the planner inlines it, in the query and in the index below.
-- Every name in it carries its schema. Executable by `authenticated` (the teacher's search runs as them) and
-- `service_role`, never by `anon`.
create function private.search_form(typed text) returns text
language sql immutable parallel safe
as $$
    select pg_catalog.regexp_replace(
        pg_catalog.regexp_replace(typed, '\u0e4d([\u0e48-\u0e4b\u0ec8-\u0ecb]?)[\u0e32\u0eb2]', '\1' || U&'\0e33', 'g'),
        '\u0ecd([\u0e48-\u0e4b\u0ec8-\u0ecb]?)[\u0e32\u0eb2]', '\1' || U&'\0eb3', 'g')
$$;
revoke all on function private.search_form(text) from public, anon;
grant execute on function private.search_form(text) to authenticated, service_role;

-- The search's speed. It runs as the teacher (`authenticated`), under RLS: PostgreSQL lets only leakproof operators
-- into an index scan below a row security policy, and ILIKE is not one, so neither 0015's trigram index nor any
-- other serves the ILIKE there. The plan reads the college's jobs on its index (repair_requests_college_created*)
-- and filters them: the work is bounded by one college's list, not the table (tests/integration/
-- test_typed_text_leftovers.py reads the plan). On the filter, the search form of a row costs about what one more
-- ILIKE did, and the query is one ILIKE per side now, where a query with SARA AM was three.
-- 0015's trigram index moves to the item's search form, so a reader without RLS (the operator's tools, the
-- service role) searching the way the teacher's search does keeps an index; old rows are covered as they are (the
-- index computes their form), nothing is rewritten.
drop index public.repair_requests_item_trgm;
create index repair_requests_item_search_trgm on public.repair_requests
    using gin (private.search_form(item) extensions.gin_trgm_ops);
