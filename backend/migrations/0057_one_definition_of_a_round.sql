-- One definition of a request's current round of work.
--
-- A request's round is 1 + the number of its reopens, a reopen being the status event handed back -> submitted (its
-- owner reopened the job: the teacher handed the work back, the student submits it again). Hours belong to a round
-- (`job_team.round`, 0022), and who holds a job, who helps on it and who hears of it ask for its current round's
-- team. That rule was spelled out in each function that asked (0045/0048 `jobs_in_hand`, 0050 `helps_on`, 0053
-- `announce_status_event`, 0056 `announce_lead_left`; 0054's one-off update spelled it too) and in
-- backend/services/credit.py: a rule typed again drifts. It is now `private.request_round`, which those functions
-- (redefined here from their latest definitions, nothing but the round expression changed) and credit.py's
-- ROUND_SQL ask: `(select round from private.request_round(<request id>))`.
--
-- A table of one row, not a scalar, so that the planner inlines it where it is called (in FROM): `helps_on` is
-- evaluated per row under RLS, and the plan must cost what the subquery it replaces did. PostgreSQL inlines only a
-- set-returning SQL function, and only one that is neither `security definer` nor given a `set search_path` (a
-- scalar function reading a table, as `helps_on` is shaped, was called once a row: 20,000 rows scanned as a helper
-- took ~12 % longer). So it reads with its caller's rights: the owner's in the security definer functions and
-- triggers below, the caller's under RLS from the backend (the timeline of a request they may see: all its
-- events), as the subquery it replaces did. Every name in it carries its schema. Executable by `authenticated`
-- and `service_role` (the Data API's roles: a function the caller may not execute is not inlined either), never
-- by `anon`.

create function private.request_round(request_id uuid) returns table (round integer)
language sql stable
as $$
    select 1 + count(*)::int from public.status_events e
    where e.request_id = request_round.request_id and e.from_status = 'handed_back' and e.to_status = 'submitted'
$$;
revoke all on function private.request_round(uuid) from public, anon;
grant execute on function private.request_round(uuid) to authenticated, service_role;

-- 0048's, the round asked of the function.
create or replace function private.jobs_in_hand(person uuid) returns integer
language sql stable
set search_path = ''
as $$
    select count(*)::int from public.repair_requests r
    where r.status = any(private.work_in_hand())
      and r.id in (select x.id from public.repair_requests x where x.technician_id = person
                   union all
                   select t.request_id from public.job_team t
                   where t.technician_id = person and t.handed_on_at is null
                     and t.round = (select round from private.request_round(t.request_id)))
$$;
revoke all on function private.jobs_in_hand(uuid) from public, anon, authenticated;

-- 0050's, the same.
create or replace function private.helps_on(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1 from public.job_team t
        where t.request_id = req and t.technician_id = auth.uid() and t.role = 'helper' and t.handed_on_at is null
          and t.round = (select round from private.request_round(req)))
$$;
revoke all on function private.helps_on(uuid) from public, anon;
grant execute on function private.helps_on(uuid) to authenticated, service_role;

-- 0053's, the same. The round a status event belongs to is the one before it: the event itself, inserted before
-- this trigger runs, is counted by request_round when it is a reopen (it ends its round), so one less then, as
-- 0053's `e.id <> new.id` did.
create or replace function private.announce_status_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    helpers uuid[];
begin
    select citizen_id, college_id, technician_id into r from public.repair_requests where id = new.request_id;
    if exists (select 1 from public.job_team t
               where t.request_id = new.request_id and t.role = 'helper' and t.handed_on_at is null) then
        -- The round this event belongs to: the reopens before it (this one, if a reopen, ends its round).
        select array_agg(t.technician_id order by t.technician_id) into helpers from public.job_team t
        where t.request_id = new.request_id and t.role = 'helper' and t.handed_on_at is null
          and t.round = (select round from private.request_round(new.request_id))
                        - case when new.from_status = 'handed_back' and new.to_status = 'submitted' then 1 else 0 end;
    end if;
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'request', 'request_id', new.request_id, 'status', new.to_status, 'at', new.created_at,
        'citizen_id', r.citizen_id, 'college_id', r.college_id, 'technician_id', r.technician_id,
        'helper_ids', helpers
    )::text);
    return new;
end
$$;
revoke all on function private.announce_status_event() from public, anon, authenticated;

-- 0056's, the same.
create or replace function private.announce_lead_left() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    lead uuid;
    kept boolean;
begin
    select r.technician_id into lead from public.repair_requests r where r.id = old.id;
    if not found or lead is not distinct from old.technician_id then
        return null;  -- deleted since, or given back to them in the same transaction
    end if;
    select exists (
        select 1 from public.job_team t
        where t.request_id = old.id and t.technician_id = old.technician_id and t.role = 'helper'
          and t.round = (select round from private.request_round(old.id))
    ) into kept;
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'request', 'request_id', old.id, 'at', now(),
        'lead_left', case when lead is null then 'taken_back' else 'reassigned' end, 'kept', kept,
        'former_technician_id', old.technician_id
    )::text);
    return null;
end
$$;
revoke all on function private.announce_lead_left() from public, anon, authenticated;
