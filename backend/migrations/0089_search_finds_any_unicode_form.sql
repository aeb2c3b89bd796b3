-- text20: the teacher's search finds a row whatever Unicode form it was stored in.
--
-- Typed text has been NFC-normalised on the way in since the edge hardening (backend.schemas Line/Text), and 0086's
-- `private.search_form` left NFC out on that ground. But rows stored before the hardening, and rows written by other
-- paths (Supabase's dashboard, SQL, an import), may be NFD or mixed: "café" as e + U+0301, a Thai tone mark typed
-- before the vowel below it (ก + ่ + ุ, where NFC puts ุ first: canonical order by combining class). Such a row
-- looks the same and was not found by the NFC query. So the search form is NFC too now, as
-- shared.visible_text.normal_form is (NFC first, then the SARA AM rule), on both sides: a query given in NFD by a
-- reader that bypasses the API is found as well.
--
-- Why here and not a data migration that NFCs the stored rows: a rewrite covers the rows of today only (the next
-- row written by SQL or the dashboard would be missed again, or need a trigger on every text column searched), and
-- an UPDATE of public.repair_requests fires its triggers (status history, notifications) for rows nobody changed.
-- The search form covers any row, whenever and however it was written, and rewrites nothing.
--
-- The cost, measured on 200,000 Thai items, one ILIKE each, one core (PG 18.6): 0086's form 1.11 s, with
-- `normalize(…, NFC)` on every row 2.04 s (+84%: it converts and recomposes every row, NFC or not), with the quick
-- check below 1.34 s (+21%). `is_normalized` answers from Unicode's quick-check table for almost every row (stored
-- text is NFC already), so only a row that is not NFC pays for `normalize`. Under RLS the teacher's search filters one
-- college's jobs (0086), so this is a share of that college's list, not of the table.
--
-- `pg_catalog.normalize` and `pg_catalog.is_normalized` are IMMUTABLE and PARALLEL SAFE in PostgreSQL 13+ (a UTF8
-- database: Supabase's is; on another encoding they raise, and the REINDEX below makes the migration fail rather
-- than the first search). The function stays an IMMUTABLE SQL function of one expression, neither `security
-- definer` nor given a `set search_path`: the planner still inlines it (its argument is used twice now, which the
-- inliner allows for a column or a parameter, what the search passes), in the query and in the index below, so
-- the trigram index still matches the search's expression (tests/integration/test_typed_text_leftovers.py reads
-- the plan). A PostgreSQL major upgrade that brings a newer Unicode version may change what NFC gives for a newly
-- assigned character: REINDEX this index after such an upgrade.
create or replace function private.search_form(typed text) returns text
language sql immutable parallel safe
as $$
    select pg_catalog.regexp_replace(
        pg_catalog.regexp_replace(
            case when pg_catalog.is_normalized(typed, 'NFC') then typed else pg_catalog.normalize(typed, 'NFC') end,
            '\u0e4d([\u0e48-\u0e4b\u0ec8-\u0ecb]?)[\u0e32\u0eb2]', '\1' || U&'\0e33', 'g'),
        '\u0ecd([\u0e48-\u0e4b\u0ec8-\u0ecb]?)[\u0e32\u0eb2]', '\1' || U&'\0eb3', 'g')
$$;
-- `create or replace` keeps 0086's grants (authenticated, service_role; never anon).

-- The item's trigram index holds each row's search form as the function computed it: its definition changed, so
-- every entry is computed again (a row stored in NFD gets its NFC entry).
reindex index public.repair_requests_item_search_trgm;
