-- An item judged unrepairable goes back to its owner as a repaired one does (shared.credit.HANDOVER_FROM), and it
-- can be forgotten at the college just the same: the clock's collection reminders (backend/notifications/outbox.py
-- `_WAITS`, shared/reminders.py) now cover it, its owner reminded once, then the college's deciders once. Their
-- partial index (0083: the recent changes of the requests whose wait the clock reads) takes that status too, so a
-- turn of the clock still reads only the young waits.
drop index public.repair_requests_waiting_on_people;
create index repair_requests_waiting_on_people on public.repair_requests (updated_at)
    where status in ('accepted', 'diagnosing', 'repairing', 'done', 'unrepairable');
