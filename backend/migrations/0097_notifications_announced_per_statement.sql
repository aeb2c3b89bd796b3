-- Issue 15 (dispatch <= 10x one trivial transaction): a new notification was announced to the live channel by a
-- row trigger, one SECURITY DEFINER call (its search_path saved and restored) per message: a dispatch's three
-- students' "new offer" messages cost three. Announced per statement from its transition table, as new offers are
-- (0024): one call however many messages a statement writes. The announcement is the same event, in the same
-- order (row triggers fire at the statement's end too), with the same fields.
drop trigger notifications_announce on public.notifications;
drop function private.announce_notification();

create function private.announce_notifications() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'notification', 'recipient_id', n.recipient_id, 'notification_id', n.id,
        'request_id', n.request_id, 'at', n.created_at
    )::text)
    from new_notifications n
    order by n.id;
    return null;
end
$$;
revoke all on function private.announce_notifications() from public, anon, authenticated;

-- The same name, so the notifications bench's switch (bench/notifications.py) still finds it.
create trigger notifications_announce after insert on public.notifications
    referencing new table as new_notifications
    for each statement execute function private.announce_notifications();
