-- attack24 #1: a student holding a pending offer read the job's whole record through Supabase's Data API.
--
-- 0006 let a student deciding on an offer look at the citizen's photos and the timeline (the status moves). 0050
-- then made every table of the job record follow `private.can_see_request` ("whoever may see the request"), and its
-- pending-offer clause came along: such a student read, with their own JWT through PostgREST, the earlier lead's
-- report (notes, hours, their id), the team rows (ids, hours, the approving teacher), the parts with the owner's
-- decision notes, the outcome (fault found, reason), the handover's reason and the earlier rounds' after photos.
-- The HTTP API gives them none of it (their GET /requests/{id} is 404; the offer card says what and roughly where,
-- never whose: 0061), and a job taken back or reopened is offered to up to three students a round, at other
-- colleges too, most of whom never take it.
--
-- Those policies now ask `private.can_see_record`: `can_see_request` without the pending-offer clause (the owner,
-- the lead, the college's teachers, the admins, a helper on the current round). The photos' policy gives the
-- offered student back the citizen's photos only (`kind = 'before'`, what the card counts and shows). The timeline
-- stays as 0006 gave it (`status_events_read` unchanged). Once the student accepts they are the lead and read the
-- record as the lead does. `can_see_request` keeps its meaning (the timeline's rows, the offer card's functions), now
-- written as `can_see_record` or `holds_offer_of`, so who may see a request is said once.
create function private.can_see_record(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1 from public.repair_requests r
        where r.id = req
          and (r.citizen_id = auth.uid()
               or r.technician_id = auth.uid()
               or (private.my_role() = 'supervisor' and r.college_id = private.my_college())
               or private.my_role() = 'admin'
               or (private.my_role() = 'technician' and private.helps_on(r.id)))
    )
$$;
revoke all on function private.can_see_record(uuid) from public, anon;
grant execute on function private.can_see_record(uuid) to authenticated, service_role;

-- Whether the caller holds a pending offer of the request (security definer: it reads offers as the owner, so the
-- photos' policy does not recurse into the offers' policy).
create function private.holds_offer_of(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.offers o
                   where o.request_id = req and o.technician_id = auth.uid() and o.status = 'pending')
$$;
revoke all on function private.holds_offer_of(uuid) from public, anon;
grant execute on function private.holds_offer_of(uuid) to authenticated, service_role;

create or replace function private.can_see_request(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select private.can_see_record(req) or private.holds_offer_of(req)
$$;

alter policy job_reports_read on public.job_reports using (private.can_see_record(request_id));
alter policy job_team_read on public.job_team
    using (technician_id = (select auth.uid()) or private.can_see_record(request_id));
alter policy job_parts_read on public.job_parts using (private.can_see_record(request_id));
alter policy job_outcomes_read on public.job_outcomes using (private.can_see_record(request_id));
alter policy job_handovers_read on public.job_handovers using (private.can_see_record(request_id));
alter policy request_photos_read on public.request_photos
    using (private.can_see_record(request_id) or (kind = 'before' and private.holds_offer_of(request_id)));

-- attack24 #2: the timeline's free text reached the offered student too. 0006's timeline is its moves (who did what
-- when, shown to a student deciding on an offer); its `note` column is what a teacher or a student typed at a step
-- (a send back, a take back, a hand back: where people write names, house numbers, phone numbers), and a policy
-- shows or hides rows, never a column of a row. As 0102 did for note_code: `authenticated` no longer reads `note`,
-- and the backend reads it through `private.timeline_texts`, with the codes (0102's `timeline_note_codes`, which it
-- replaces: the detail read the request's events once for each), of a request whose record the caller may see (the
-- detail's readers: `can_see_record`, the same people `private.request_as_read` shows the request to; a student
-- deciding on an offer is not one). The account export reads them as the owner (unchanged).
revoke select (note) on public.status_events from anon, authenticated;

drop function private.timeline_note_codes(uuid);
create function private.timeline_texts(req uuid) returns table (event_id bigint, note_code text, note text)
language sql stable security definer
set search_path = ''
rows 10
as $$
    select e.id, e.note_code, e.note from public.status_events e
    where e.request_id = req and (e.note_code is not null or e.note <> '') and private.can_see_record(req)
$$;
revoke all on function private.timeline_texts(uuid) from public, anon;
grant execute on function private.timeline_texts(uuid) to authenticated, service_role;
