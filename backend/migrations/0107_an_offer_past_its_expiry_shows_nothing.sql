-- gaps25 #1 (attack24 L2): an offer past its expiry showed its student the citizen's before photos and the
-- timeline's moves until the clock's next turn. `private.holds_offer_of` (0104) asked only `status = 'pending'`,
-- and an offer stays pending after its `expires_at` until the clock's turn expires it (30 s, longer when no copy
-- runs the clock).
--
-- The Data API's policies now ask a pending offer that has not run out by the database's clock
-- (`holds_open_offer_of`). The backend decides by the app's clock (the accept, the clock's turn, and the photo
-- route: backend/services/photo_intake.py `photo_location`); in production the two clocks are the same, and in the
-- tests that move the app's clock forward the database's check comes later, never earlier. `holds_offer_of` and
-- `private.can_see_request` keep their meaning (pending, whatever the time): the backend asks them under its own
-- clock (transitions' `visible`, an accept of an offer just run out answers 409 `offer_not_open`, not 404).
create function private.holds_open_offer_of(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.offers o
                   where o.request_id = req and o.technician_id = auth.uid() and o.status = 'pending'
                     and o.expires_at > now())
$$;
revoke all on function private.holds_open_offer_of(uuid) from public, anon;
grant execute on function private.holds_open_offer_of(uuid) to authenticated, service_role;

alter policy request_photos_read on public.request_photos
    using (private.can_see_record(request_id) or (kind = 'before' and private.holds_open_offer_of(request_id)));
alter policy status_events_read on public.status_events
    using (private.can_see_record(request_id) or private.holds_open_offer_of(request_id));

-- gaps25 #3 (attack24 L4): `anon` held USAGE on `private` since 0001 ("policies call security-definer helpers that
-- live here"), but nothing `anon` reaches calls into it: its policies (colleges, skills, categories,
-- category_skills) are `true`, it writes nothing, and its one function (`public.verify_portfolio`) is a security
-- definer reading `public`. The Data API does not serve `private`; the usage was a door nothing needed, and PUBLIC's
-- EXECUTE on the trigger functions came through it. `authenticated` keeps it (its policies call `private.*`).
revoke usage on schema private from anon;

-- gaps25 #4 (attack24 L1): the owner read the work report's own priced parts list through the Data API. That list
-- is the student's and the teacher's working note: the owner is shown as parts only those they approved
-- (audit13, backend/services/job_reports.py `owners_report`: "read as a bill they never approved"), and the HTTP
-- API keeps to it; `job_reports_read` shows the owner the row, and a policy shows rows, never a column of a row.
-- As 0102 and 0104 did for the timeline's texts: `authenticated` reads every column of a report but `parts`
-- (a column added later is granted by the migration that adds it, or stays the backend's), and the backend reads
-- the list through `private.report_parts` for the record's readers who are not the request's owner: the student on
-- it, its helpers, the college's teachers, the admins (the detail, both forms). The account export reads as the
-- owner (unchanged).
revoke select on public.job_reports from authenticated;
grant select (request_id, technician_id, hours, notes, updated_at, work_event) on public.job_reports to authenticated;

create function private.report_parts(req uuid) returns jsonb
language sql stable security definer
set search_path = ''
as $$
    select j.parts from public.job_reports j
    join public.repair_requests r on r.id = j.request_id
    where j.request_id = req and r.citizen_id is distinct from auth.uid() and private.can_see_record(req)
$$;
revoke all on function private.report_parts(uuid) from public, anon;
grant execute on function private.report_parts(uuid) to authenticated, service_role;
