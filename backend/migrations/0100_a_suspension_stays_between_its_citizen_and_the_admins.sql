-- audit22: what session 21's suspension and restore (0094, 0098) left told to the wrong people, or to nobody.
--
-- #2: a student learned from their offer that its citizen's account was suspended. 0094 added
-- `offers.withdrawn_for_suspension`, and `authenticated` reads every column of public.offers (0002's table grant;
-- the policy `offers_read` shows a student their own offers, a teacher their college's): a student whose offer the
-- suspension withdrew read, through Supabase's Data API, a sanction on a stranger, which 0061's rule ("an offer says
-- what and roughly where, never whose") keeps from them. Only dispatch reads the mark (`_ASKED`, as the owner).
-- Column privileges, as 0061 does: `authenticated` reads every other column (RLS still decides which rows); a
-- column added to public.offers later is not readable by `authenticated` until a migration grants it.
do $$
declare
    readable text;
begin
    select string_agg(quote_ident(a.attname), ', ' order by a.attnum) into readable
    from pg_catalog.pg_attribute a
    where a.attrelid = 'public.offers'::regclass and a.attnum > 0 and not a.attisdropped
      and a.attname <> 'withdrawn_for_suspension';
    execute 'revoke select on public.offers from anon, authenticated';
    execute format('grant select (%s) on public.offers to authenticated', readable);
end
$$;
