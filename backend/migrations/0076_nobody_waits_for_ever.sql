-- Audit 17a, part 2: nobody waits for ever (shared/reminders.py says the windows and why).
--
-- 1. A request that ended `no_centre` is tried again by the clock (backend/services/dispatch.py `revive_waiting`)
--    when a fitting student it was never offered to is now in range, while the citizen's ask is young. The move is
--    no_centre -> offered by the system through dispatch (shared.statuses `_MOVES`: already allowed, no new move),
--    its timeline note `sent_again`; this trigger tells the citizen (`sent_again`), beside 0070's stall messages.
--    An administrator's send-on (note `sent_on_by_admin`) is not this move: it tells no one new, as before.
-- 2. and 3. The reminders of a job in hand past its step's days and of a repaired item not collected are written
--    by the clock (backend/notifications/outbox.py `remind_waiting`), once per wait and reader (their dedupe keys
--    name the timeline event that started the wait). These indexes keep its scan to the jobs that can be due.
-- Lock order (backend/services/dispatch.py): unchanged; the revival locks the request (skip locked) and then
-- writes its offers, as a dispatch does; the reminders lock nothing.
create function private.notify_citizen_sent_again() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
begin
    select q.id, q.citizen_id, q.item, c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    perform private.notify(r.citizen_id, 'sent_again', jsonb_build_object(
        'item', r.item, 'college_th', r.college_th, 'college_en', r.college_en), r.id);
    return new;
end
$$;
revoke all on function private.notify_citizen_sent_again() from public, anon, authenticated;

create trigger status_events_notify_citizen_sent_again after insert on public.status_events
    for each row when (new.from_status = 'no_centre' and new.to_status = 'offered' and new.note_code = 'sent_again')
    execute function private.notify_citizen_sent_again();

-- The jobs whose wait the clock's reminders count: in a student's hands (not the teacher's check: 0071's), or
-- repaired and not handed back. A partial index of their ids, so a turn of the clock reads these rows only.
create index repair_requests_waiting_on_people on public.repair_requests (status)
    where status in ('accepted', 'diagnosing', 'repairing', 'done');
