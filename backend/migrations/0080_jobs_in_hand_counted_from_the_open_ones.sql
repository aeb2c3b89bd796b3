-- Audit 18c: dispatch ranks students by their jobs in hand as the project counts them, `private.jobs_in_hand`
-- (a helper on a job under way holds it as its lead does), once per fitting student of the college it offers a job
-- at (backend/services/dispatch.py `_PLAN`, `candidates`). 0057's definition worked out the current round of every
-- job the student was ever on the team of (a count of that request's status events each), to keep the few still in
-- hand: 0.55-0.7 ms for a student with 400 past jobs, paid per student a dispatch ranks. The same count, with each
-- team row's request read first and the round asked only of a job in hand (the round expression refers to the
-- request, so it runs after that request's status filter): about half of that, and less the fewer jobs are open.
-- Unchanged: what it counts (the requests in `private.work_in_hand()` they lead, or are on this round's team of
-- without having handed on), who may execute it, and the lock order (it locks nothing).
create or replace function private.jobs_in_hand(person uuid) returns integer
language sql stable
set search_path = ''
as $$
    select count(*)::int from (
        select x.id from public.repair_requests x
        where x.technician_id = person and x.status = any(private.work_in_hand())
        union
        select r.id from public.job_team t
        join public.repair_requests r on r.id = t.request_id and r.status = any(private.work_in_hand())
        where t.technician_id = person and t.handed_on_at is null
          and t.round = (select round from private.request_round(r.id))
    ) held
$$;
revoke all on function private.jobs_in_hand(uuid) from public, anon, authenticated;
