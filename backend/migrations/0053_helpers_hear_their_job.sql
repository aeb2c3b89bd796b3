-- A helper on a job's team hears the job's changes live, as its lead does, and hears when they stop helping on it.
--
-- Since 0050 a helper (`job_team`, role 'helper', not handed off, the job's current round: `private.helps_on`)
-- reads the job they help on, but its live events (`GET /events`, backend/live.py) still went to the citizen, the
-- lead, the college's teachers and the admins only: a helper's open job screen stood still while the lead moved the
-- job on, and kept showing a job they were taken off, handed off from, or whose round the owner ended (a reopen).
--
-- A stream is scoped by ids the event carries (the hub looks its listeners up by them; no query per listener), so
-- the event carries its helpers as well: `helper_ids`, never sent over the wire (backend/live.py `public_part`).
--  * A status event names the helpers of the round it belongs to. A reopen (handed back -> submitted) belongs to
--    the round it ends: that round's helpers hear it, and their app, reading the job again, finds it closed to them.
--    A job without helpers costs the one look at its team (most jobs).
--  * A team row that starts or stops making its member a helper (added, taken off, handed off, on the job again,
--    moved to another round) is announced to that member alone, as a `request` event without a status (they may
--    no longer read it): their app reads the job again, and their jobs list. Nobody else hears of it (but the
--    admins, who hear every change).
-- NOTIFY goes out at commit: a team change rolled back (a refused approval) is never announced.

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
          and t.round = (select 1 + count(*)::int from public.status_events e
                         where e.request_id = new.request_id and e.from_status = 'handed_back'
                           and e.to_status = 'submitted' and e.id <> new.id);
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

create function private.announce_team_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    members uuid[];
    jobs uuid[];
    job uuid;
begin
    if tg_op = 'INSERT' then
        members := array[new.technician_id];
        jobs := array[new.request_id];
    elsif tg_op = 'DELETE' then
        members := array[old.technician_id];
        jobs := array[old.request_id];
    else  -- a row given to another member or job (nothing does so today): each side hears
        members := array(select distinct m from unnest(array[old.technician_id, new.technician_id]) m);
        jobs := array(select distinct j from unnest(array[old.request_id, new.request_id]) j);
    end if;
    foreach job in array jobs loop
        perform pg_notify('fixit_events', json_build_object(
            'kind', 'request', 'request_id', job, 'at', now(), 'helper_ids', members)::text);
    end loop;
    return null;
end
$$;
revoke all on function private.announce_team_change() from public, anon, authenticated;

-- A row helps when it is a helper's not handed off (its round is checked by whoever reads the job again).
create trigger job_team_announce_joined after insert on public.job_team
    for each row when (new.role = 'helper' and new.handed_on_at is null)
    execute function private.announce_team_change();
create trigger job_team_announce_changed after update of role, handed_on_at, round, technician_id, request_id
    on public.job_team
    for each row when (((old.role = 'helper' and old.handed_on_at is null)
                        or (new.role = 'helper' and new.handed_on_at is null))
                       and (old.role, old.handed_on_at is null, old.round, old.technician_id, old.request_id)
                           is distinct from
                           (new.role, new.handed_on_at is null, new.round, new.technician_id, new.request_id))
    execute function private.announce_team_change();
create trigger job_team_announce_left after delete on public.job_team
    for each row when (old.role = 'helper' and old.handed_on_at is null)
    execute function private.announce_team_change();
