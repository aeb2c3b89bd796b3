-- ux26 #3: the deciders' "waiting for your check" messages (`qc_waiting`: the status trigger's to the college's
-- teachers, else the admins, 0071/0074; the clock's to the admins when nobody at the college can decide, outbox.py
-- notify_undecided) stayed unread in every other decider's inbox, and a push held for the quiet hours still went,
-- once the job had left the check: approved or sent back for rework by one of them, taken back by an admin (0108).
-- They read as work still to do.
--
-- Done as an invitation's card is closed once it is no longer open (backend/notifications/invitations.py
-- close_invited, 0108's college deletion): the message stays in the inbox (history), marked read and closed
-- (`params.closed`: how the job left the check, which shared/notifications.py `QcClosed` words in place of "waiting
-- for your check"), and what was still to be pushed about it is skipped. A trigger on the status event that leaves
-- the check, so every way out does it in the move's own transaction (a rolled-back move closes nothing).
--
-- The messages still asking are found by a partial index of their own (only open `qc_waiting` rows: a check's
-- deciders until the job leaves it), where the table has no index on request_id and grows with every message.

create index notifications_qc_open on public.notifications (request_id)
    where kind = 'qc_waiting' and (params ->> 'closed') is null;

-- How a job left the check, as `params.closed` says it (shared.notifications.QcClosed).
create function private.qc_closed_as(status public.request_status) returns text
language sql immutable
set search_path = ''
as $$
    select case status when 'done' then 'approved' when 'repairing' then 'rework' when 'offered' then 'taken_back'
                       else 'left' end
$$;
revoke all on function private.qc_closed_as(public.request_status) from public, anon, authenticated;

create function private.close_qc_waiting() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    with closed as (
        update public.notifications n
        set read_at = coalesce(n.read_at, now()), planned_at = coalesce(n.planned_at, now()),
            params = n.params || jsonb_build_object('closed', private.qc_closed_as(new.to_status))
        where n.request_id = new.request_id and n.kind = 'qc_waiting' and (n.params ->> 'closed') is null
        returning n.id)
    update private.notification_deliveries d
    set status = 'skipped', last_error = 'the job left the check', updated_at = now()
    where d.notification_id in (select id from closed) and d.status = 'pending';
    return null;
end
$$;
revoke all on function private.close_qc_waiting() from public, anon, authenticated;

create trigger status_events_close_qc_waiting after insert on public.status_events
    for each row when (new.from_status = 'quality_check' and new.to_status <> 'quality_check')
    execute function private.close_qc_waiting();

-- The messages already left asking about a check that is over (written before this migration): closed as the
-- move that ended their check said, read at that move, nothing more pushed about them.
with over as (
    select n.id, e.to_status, e.created_at
    from public.notifications n
    cross join lateral (
        select e.to_status, e.created_at from public.status_events e
        where e.request_id = n.request_id and e.from_status = 'quality_check' and e.to_status <> 'quality_check'
          and e.created_at >= n.created_at
        order by e.id limit 1) e
    where n.kind = 'qc_waiting' and (n.params ->> 'closed') is null
), closed as (
    update public.notifications n
    set read_at = coalesce(n.read_at, o.created_at), planned_at = coalesce(n.planned_at, o.created_at),
        params = n.params || jsonb_build_object('closed', private.qc_closed_as(o.to_status))
    from over o
    where n.id = o.id
    returning n.id)
update private.notification_deliveries d
set status = 'skipped', last_error = 'the job left the check', updated_at = now()
where d.notification_id in (select id from closed) and d.status = 'pending';
