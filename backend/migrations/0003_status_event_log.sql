-- Every status a request takes is recorded as an event with its actor, by the database itself: no code path
-- (API, CLI, dispatcher, an admin in the SQL editor) can change a status without leaving a trace.
-- Who acted comes from the JWT (auth.uid()) and from transaction-local settings the backend sets:
--   fixit.actor = citizen | technician | supervisor | admin | system
--                 (default: the citizen inserting their own request, else system)
--   fixit.note  = free text shown in the timeline

create function private.log_status_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    -- A citizen inserting their own request needs no setting: they are the actor.
    actor_text text := coalesce(
        nullif(current_setting('fixit.actor', true), ''),
        case when auth.uid() = new.citizen_id then 'citizen' end,
        'system'
    );
begin
    if tg_op = 'UPDATE' and new.status = old.status then
        return new;
    end if;
    insert into public.status_events (request_id, actor, actor_id, from_status, to_status, note)
    values (
        new.id,
        actor_text::public.event_actor,
        case when actor_text = 'system' then null else auth.uid() end,
        case when tg_op = 'UPDATE' then old.status end,
        new.status,
        left(coalesce(current_setting('fixit.note', true), ''), 1000)
    );
    return new;
end
$$;

create trigger repair_requests_log_status
    after insert or update of status on public.repair_requests
    for each row execute function private.log_status_change();

-- First names for timelines ("ณัฐวุฒิ accepted the job"): a citizen may not read a technician's profile row,
-- but may see the first name of whoever acted on their request.
create function private.first_name(person uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select nullif(split_part(p.display_name, ' ', 1), '') from public.profiles p where p.id = person
$$;
revoke all on function private.first_name(uuid) from public;
grant execute on function private.first_name(uuid) to authenticated, service_role;
