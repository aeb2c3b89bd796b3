-- audit23: session 22's two suspension leftovers (its note's "Still open").
--
-- A1: a student learned from the Data API that a citizen had been suspended. The timeline's stored note codes
-- `owner_suspended` / `owner_restored` (0094) name a sanction on the request's owner; audit22 #3 made the API give
-- readers other than the owner and the admins neutral notes ("on hold", shared.text.OWNERS_NOTES_FOR_OTHERS), but
-- `authenticated` still read public.status_events.note_code for every row `status_events_read` shows
-- (`private.can_see_request`, 0050: the student holding a pending offer, the student on the job and their helpers,
-- the college's teachers), and PostgREST serves exactly that. Column privileges, as 0061 and 0100 do (a policy shows
-- or hides rows, never a column of a row; hiding these rows would also hide the "on hold" the API gives those
-- readers): `authenticated` no longer reads note_code at all. Renaming the stored codes instead would touch every
-- reader of them (dispatch's `_PARKED` and `_REVIVABLE`, 0094's and 0098's WHEN, the restore), for the same effect.
-- The backend reads the codes through `private.timeline_note_codes` (security definer: the rows of a request the
-- caller may see, the same rows the policy shows), and words them for the reader (request_detail._note_code). The
-- `private` schema is not one the Data API serves. The one other reader of note_code as the caller,
-- `private.work_began` (0092: a table function the planner inlines in the detail's and the college job list's
-- statements, which a security definer function would not be), asks only whether an event handed the job to
-- another student (`reassigned` with no status change): that fact is a stored column of its own, readable.
revoke select (note_code) on public.status_events from anon, authenticated;

alter table public.status_events add column changed_hands boolean not null
    generated always as (coalesce(note_code = 'reassigned' and from_status = to_status, false)) stored;
grant select (changed_hands) on public.status_events to authenticated;

create or replace function private.work_began(request_id uuid) returns table (event bigint)
language sql stable
as $$
    select max(e.id) from public.status_events e
    where e.request_id = work_began.request_id
      and ((e.from_status = 'handed_back' and e.to_status = 'submitted')
           or (e.to_status = 'offered' and e.from_status = any(private.reassignable()))
           or e.changed_hands)
$$;

create function private.timeline_note_codes(req uuid) returns table (event_id bigint, note_code text)
language sql stable security definer
set search_path = ''
rows 10
as $$
    select e.id, e.note_code from public.status_events e
    where e.request_id = req and e.note_code is not null and private.can_see_request(req)
$$;
revoke all on function private.timeline_note_codes(uuid) from public, anon;
grant execute on function private.timeline_note_codes(uuid) to authenticated, service_role;

-- A2: a citizen switched off and on again by SQL (an operator's, Supabase's dashboard) never heard of their parked
-- request. The clock parks it when its offers lapse (`owner_suspended`), and at the switch back to active 0100
-- told the admins only: the citizen's timeline kept saying it waited for their account, on an active account,
-- until the clock's revival offered it (only while young, shared.reminders.RETRY_WINDOW, and only to a student
-- never asked) or for ever. The operator's restore tells them (0101): what it cannot offer gets the timeline note
-- dispatch writes when nobody can take a request (`no_taker` when students were offered it before, else
-- `no_centre`: an event with no status change), whose trigger (0101's `notify_restored_waiting`) tells the citizen
-- (`no_taker`: an administrator will send it on, or they may cancel it) and every administrator (`no_centre`).
-- The SQL path runs no Python, so this trigger, at the commit of the switch, now writes that same note for each
-- request still parked then (the operator's restore has already offered or noted its own in the same transaction,
-- so it finds none of them), and the admins hear of it through that note, once, as before. The clock's revival may
-- still offer it later; it says then that the account is back (`owner_restored`, dispatch `_REVIVABLE` reads the
-- last move, not this note). Switched off and on twice in one transaction, the second firing finds nothing parked.
-- audit23 B3: a parking under way at the switch's commit (the clock read the owner inactive under the request's
-- lock, and commits after) was not in this trigger's snapshot, where the request was still `offered`, and then
-- committed on an active account, told to nobody. So the trigger locks every request of the person still looking
-- for a student or parked (submitted, offered, no_centre), which waits for such a parking to commit, and reads each
-- again after the lock, in a statement of its own (a new snapshot under READ COMMITTED, as the app runs).
-- Lock order (backend/services/dispatch.py): the requests are locked after the person's profile (this transaction
-- updated it), as `_PARKED` locks them, by id; the clock's paths hold a request and never wait for a profile
-- (`_dispatch_stranded_one`: skip locked), so the wait cannot close a cycle.
create or replace function private.announce_parked_requests_of_the_restored() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    college uuid;
begin
    if not exists (select 1 from public.profiles p where p.id = new.id and p.is_active) then
        return null;  -- switched off again before the commit: still nobody may answer for them
    end if;
    for r in
        select q.id from public.repair_requests q
        where q.citizen_id = new.id and q.status in ('submitted', 'offered', 'no_centre')
        order by q.id
        for update of q
    loop
        select q.college_id into college from public.repair_requests q
        where q.id = r.id and q.status = 'no_centre'
          and (select e.note_code from public.status_events e where e.request_id = q.id order by e.id desc limit 1)
              is not distinct from 'owner_suspended';
        if found then
            insert into public.status_events (request_id, actor, from_status, to_status, note_code)
            values (r.id, 'system', 'no_centre', 'no_centre',
                    case when college is not null then 'no_taker' else 'no_centre' end);
        end if;
    end loop;
    return null;
end
$$;
revoke all on function private.announce_parked_requests_of_the_restored() from public, anon, authenticated;
