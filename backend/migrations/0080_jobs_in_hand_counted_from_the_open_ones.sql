-- Audit 18c: dispatch ranks students by their jobs in hand as the project counts them, `private.jobs_in_hand`
-- (a helper on a job under way holds it as its lead does), once per fitting student of the college it offers a job
-- at (backend/services/dispatch.py `_PLAN`, `candidates`).
--
-- 1. The count moves, unchanged in what it counts, into `private.held_jobs`, a table of one row that the planner
--    inlines where it is called in FROM (as 0057's `request_round`: an SQL set-returning function, neither
--    `security definer` nor given a `set search_path`, every name carrying its schema): dispatch's one statement
--    counts every fitting student's jobs without a function call each. `private.jobs_in_hand` asks it, for the
--    callers it has (the 409 student_has_jobs, the deletion backstop).
-- 2. 0057's definition worked out the current round of every job the student was ever on the team of (a count of
--    that request's status events each), to keep the few still in hand: 0.55-0.7 ms for a student with 400 past
--    jobs. Each team row's request is now read first and the round asked only of a job in hand (the round
--    expression refers to the request, so it runs after that request's status filter): about half of that.
-- What it counts is unchanged: the requests in `private.work_in_hand()` they lead, or are on this round's team of
-- without having handed on. Executable by the owner only (as `jobs_in_hand`). The lock order: it locks nothing.
create function private.held_jobs(person uuid) returns table (n integer)
language sql stable
as $$
    select count(*)::int from (
        select x.id from public.repair_requests x
        where x.technician_id = held_jobs.person and x.status = any(private.work_in_hand())
        union
        select r.id from public.job_team t
        join public.repair_requests r on r.id = t.request_id and r.status = any(private.work_in_hand())
        where t.technician_id = held_jobs.person and t.handed_on_at is null
          and t.round = (select round from private.request_round(r.id))
    ) held
$$;
revoke all on function private.held_jobs(uuid) from public, anon, authenticated;

create or replace function private.jobs_in_hand(person uuid) returns integer
language sql stable
set search_path = ''
as $$
    select n from private.held_jobs(person)
$$;
revoke all on function private.jobs_in_hand(uuid) from public, anon, authenticated;
