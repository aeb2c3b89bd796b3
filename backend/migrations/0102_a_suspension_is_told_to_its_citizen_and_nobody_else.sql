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
