-- The operator (someone running `fixit-backend` on the database, e.g. `delete-person` for a PDPA request made
-- outside the app) is in the audit trail as `operator`; on a request's timeline, whose actors are the app's roles,
-- what they cause (an anonymised request cancelled) shows as the system's.
create or replace function private.log_status_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    -- A citizen inserting their own request needs no setting: they are the actor.
    actor_text text := coalesce(
        nullif(nullif(current_setting('fixit.actor', true), ''), 'operator'),
        case when auth.uid() = new.citizen_id then 'citizen' end,
        'system'
    );
begin
    if tg_op = 'UPDATE' and new.status = old.status then
        return new;
    end if;
    insert into public.status_events (request_id, actor, actor_id, from_status, to_status, note, note_code,
                                      note_params)
    values (
        new.id,
        actor_text::public.event_actor,
        case when actor_text = 'system' then null else auth.uid() end,
        case when tg_op = 'UPDATE' then old.status end,
        new.status,
        left(coalesce(current_setting('fixit.note', true), ''), 1000),
        nullif(current_setting('fixit.note_code', true), ''),
        nullif(current_setting('fixit.note_params', true), '')::jsonb
    );
    return new;
end
$$;
