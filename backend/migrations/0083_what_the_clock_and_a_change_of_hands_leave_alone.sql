-- review18a: what the clock's reminders and a job's change of hands leave alone.
--
-- 1. The clock's reminders (backend/notifications/outbox.py `remind_waiting`) count a wait only while it is young
--    (shared.reminders.REMIND_HORIZON): the first turn after the deploy told owners of items repaired years ago.
--    The event that began a wait changed the request in the same transaction (its status, or a reassign's
--    technician), so the request's last change (`updated_at`, private.touch_updated_at) is no older than the wait:
--    0076's partial index of the waiting statuses now keys on it, and a turn of the clock reads the recent rows
--    only, not every job left `done` since the beginning.
drop index public.repair_requests_waiting_on_people;
create index repair_requests_waiting_on_people on public.repair_requests (updated_at)
    where status in ('accepted', 'diagnosing', 'repairing', 'done');

-- 2. A job's change of hands leaves no question open that nobody on it owns. A take back (0073) withdrew the parts
--    the former student proposed that waited for the citizen's answer; a teacher's direct reassign to another
--    student did not, and the new student could not withdraw them (403 not_assigned): the citizen could still
--    approve, and pay for, a part proposed by someone who no longer has their item. One rule for both moves now
--    (`private.withdraw_waiting_parts`): a reassign (its timeline event, note `reassigned`, written by
--    backend/services/dispatch.py `assign` under the request's lock) withdraws them too, and the citizen is told
--    once, in one message naming how many (`part_withdrawn` with `params.by` = 'reassigned', its text in
--    shared/notifications.py); a part already answered keeps its answer.
-- Lock order (backend/services/dispatch.py): the request is held by the move; its parts and the citizen's
-- notification are rows of that request (step 3).
create function private.withdraw_waiting_parts(p_request uuid) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    withdrawn integer := 0;
begin
    update public.job_parts set status = 'withdrawn', decided_at = now()
    where request_id = p_request and status = 'proposed';
    get diagnostics withdrawn = row_count;
    return withdrawn;
end
$$;
revoke all on function private.withdraw_waiting_parts(uuid) from public, anon, authenticated;

create or replace function private.notify_citizen_of_a_stall() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    withdrawn integer := 0;
begin
    select q.id, q.citizen_id, q.item, c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    if new.to_status = 'offered' and new.from_status in ('diagnosing', 'repairing') then
        withdrawn := private.withdraw_waiting_parts(r.id);
        perform private.notify(r.citizen_id, 'job_taken_back', jsonb_build_object(
            'item', r.item, 'college_th', r.college_th, 'college_en', r.college_en,
            'parts_withdrawn', withdrawn), r.id);
        perform set_config('fixit.taken_back', r.id::text, true);
    elsif new.to_status = 'no_centre' and new.note_code = 'no_taker' then
        if current_setting('fixit.taken_back', true) = r.id::text then
            -- Taken back and nobody took it, in this transaction: the one message says both.
            update public.notifications n set params = n.params || jsonb_build_object('nobody_took', true)
            where n.id = (select max(m.id) from public.notifications m
                          where m.request_id = r.id and m.recipient_id = r.citizen_id and m.kind = 'job_taken_back');
            if found then
                return new;
            end if;
        end if;
        perform private.notify(r.citizen_id, 'no_taker', jsonb_build_object('item', r.item), r.id);
    end if;
    return new;
end
$$;
revoke all on function private.notify_citizen_of_a_stall() from public, anon, authenticated;

create function private.withdraw_parts_on_reassign() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    withdrawn integer;
begin
    withdrawn := private.withdraw_waiting_parts(new.request_id);
    if withdrawn > 0 then
        select q.id, q.citizen_id, q.item into r from public.repair_requests q where q.id = new.request_id;
        perform private.notify(r.citizen_id, 'part_withdrawn', jsonb_build_object(
            'item', r.item, 'by', 'reassigned', 'count', withdrawn), r.id);
    end if;
    return new;
end
$$;
revoke all on function private.withdraw_parts_on_reassign() from public, anon, authenticated;

create trigger status_events_withdraw_parts_on_reassign after insert on public.status_events
    for each row when (new.note_code = 'reassigned')
    execute function private.withdraw_parts_on_reassign();
