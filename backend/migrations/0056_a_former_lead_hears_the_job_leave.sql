-- A job's lead hears, live, the change that ends their hold: the job taken back by a teacher (offered again, no
-- lead) or given to another student (a teacher's, an admin's or the operator's reassign, any path that changes
-- `repair_requests.technician_id` away from them).
--
-- A stream is scoped by ids the event carries (backend/live.py: no query per listener), and a job's events name its
-- lead as it is now: once `technician_id` changed, its former lead's stream heard nothing more of it, and their open
-- job screen stood still until a reload showed a bare "not found". Now that change is announced to them alone (and
-- the admins, who hear every change) as a `request` event without a status, naming them as `former_technician_id`
-- (never sent over the wire) and saying how the job left them (`lead_left`: 'taken_back' when it has no lead now,
-- 'reassigned' when another student has it) and whether they stay on the round's team as a helper with the hours
-- they reported (`kept`, credit.keep_former_student, which runs after the change in the same transaction).
--
-- A reopen (handed back -> submitted) also clears the lead, but takes nothing from them: their round is over (its
-- status event tells its team, 0053); it is not announced here.
--
-- The trigger is deferred to the commit, so it reads the transaction's end: the team row `keep_former_student`
-- wrote, and the lead as it finally is (a change undone in the same transaction announces nothing). NOTIFY goes
-- out at commit: a change rolled back is never announced.

create function private.announce_lead_left() returns trigger
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
          and t.round = (select 1 + count(*)::int from public.status_events e
                         where e.request_id = old.id and e.from_status = 'handed_back' and e.to_status = 'submitted')
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

create constraint trigger repair_requests_announce_lead_left
    after update of technician_id on public.repair_requests
    deferrable initially deferred
    for each row when (old.technician_id is not null and old.technician_id is distinct from new.technician_id
                       and old.status <> 'handed_back')
    execute function private.announce_lead_left();
