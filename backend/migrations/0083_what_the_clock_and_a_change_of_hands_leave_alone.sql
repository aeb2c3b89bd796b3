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
