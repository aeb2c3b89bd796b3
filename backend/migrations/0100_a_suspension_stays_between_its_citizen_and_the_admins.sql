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

-- #1: a request parked for its owner's suspension that nobody can take once they are active again reached no
-- administrator. 0098 stopped the parking (the move to no_centre with note `owner_suspended`) from asking the admins
-- to send it on, a send-on refused while the account is suspended, since the operator's restore offers it again
-- itself (dispatch.resume_for_restored_owner). But a request the restore cannot offer (its college closed, its
-- students gone or busy) stays no_centre, its owner reading that "an administrator sends it on to a college"
-- (shared.text.OWNER_SUSPENDED_NEXT_STEP), and no administrator was ever told: before 0098 they were, at the
-- parking, as at every other move into no_centre (0074). An account switched on by another path (an operator's SQL,
-- Supabase's dashboard) runs no restore at all, and past shared.reminders.RETRY_WINDOW the clock's revival does not
-- look at it: it waited for ever, nobody told.
-- Now, when an account becomes active again by any path, its requests still parked so at the commit (after the
-- restore has offered what it could, in the same transaction) are announced to the admins as 0074 announces a move
-- into no_centre: the same kind and parameters, so their inbox and the waiting list read it as any other. One that
-- the clock's revival offers a moment later was waiting for them as much as any other no_centre request.
-- Lock order (backend/services/dispatch.py): nothing is locked here; the notifications' foreign-key checks share
-- the requests' and the admins' keys, which no path holding this person's profile waits for.
create function private.announce_parked_requests_of_the_restored() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if not exists (select 1 from public.profiles p where p.id = new.id and p.is_active) then
        return null;  -- switched off again before the commit: still nobody may answer for them
    end if;
    perform private.notify_staff('admin', null, 'no_centre', jsonb_build_object(
                'item', r.item, 'province', r.province, 'district', r.district), r.id)
    from public.repair_requests r
    where r.citizen_id = new.id and r.status = 'no_centre'
      and (select e.note_code from public.status_events e where e.request_id = r.id order by e.id desc limit 1)
          is not distinct from 'owner_suspended'
    order by r.id;
    return null;
end
$$;
revoke all on function private.announce_parked_requests_of_the_restored() from public, anon, authenticated;

create constraint trigger profiles_restored_announce_parked after update of is_active on public.profiles
    deferrable initially deferred
    for each row when (not old.is_active and new.is_active)
    execute function private.announce_parked_requests_of_the_restored();
