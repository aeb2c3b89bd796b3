-- Timeline notes the system writes are stored as a code and its parameters, rendered in the reader's language by
-- the backend (shared/text.py EVENT_NOTES); `note` keeps only what a person typed. Before this, notes such as
-- "escalated: no answer within the SLA" reached Thai readers in English.
alter table public.status_events add column note_code text, add column note_params jsonb;

create or replace function private.log_status_change() returns trigger
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

-- The notes written in English before: their codes, so old timelines read in Thai too.
update public.status_events set note_code = v.code, note = ''
from (values ('no college in range has a fitting student', 'no_centre'),
             ('escalated: no answer within the SLA', 'escalated'),
             ('reopened: back to the same college', 'reopened'),
             ('sent on by an administrator', 'sent_on_by_admin'),
             ('assigned by the supervisor', 'assigned'),
             ('reassigned by the supervisor', 'reassigned'),
             ('taken back by the supervisor', 'taken_back')) as v(note, code)
where status_events.note = v.note;
update public.status_events
set note_code = 'unrepairable',
    note_params = jsonb_build_object('reason', split_part(note, ':', 1)),
    note = ltrim(substr(note, length(split_part(note, ':', 1)) + 2))
where to_status = 'unrepairable' and note_code is null
  and split_part(note, ':', 1) in ('no_parts', 'cost_above_value', 'no_specialist', 'owner_cancelled');
