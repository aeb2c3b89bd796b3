-- OneSignal forgets the deleted person too, and the erasure queue's times name nobody (fixrev16b2; alters 0066).
--
-- The app signs in to OneSignal with the person's Fixit id (mobile/push.py `login(user_id)`: OneSignal's
-- external_id), so OneSignal keeps a *user* keyed by that id, holding their aliases and properties (language,
-- timezone, country, sessions) besides their subscriptions. 0066 deleted the subscriptions only, and a person who
-- signed out before deleting (no device row) queued nothing. Now every deletion also queues the person's own id
-- (kind 'user'), and the worker asks OneSignal's Delete user (`DELETE /apps/{app_id}/users/by/external_id/{id}`,
-- which deletes the user with every subscription and alias; 404 = gone already).
--
-- The honest trade-off: the database cannot tell whether the backends use OneSignal, so it queues the deleted
-- person's id at every deletion, in this private table (RLS on, no grants) and for at most ERASE_TRIED_FOR (7 days,
-- backend/notifications/worker.py): a worker with OneSignal's keys removes the row once OneSignal has forgotten the
-- person; a worker without them leaves the row to a copy that has them and drops it only after ERASE_TRIED_FOR.
-- Keeping the id that long, only so that OneSignal forgets them, is the price of a deletion that reaches OneSignal.
--
-- The times are coarse: `queued_at` and the first `next_attempt_at` are the UTC day of the deletion, not the
-- deletion's now(), which equals the audit trail's account.delete `at` (a join would have said whose phone each
-- queued subscription id was). The worker gives up at most ERASE_TRIED_FOR after the deletion.
alter table private.onesignal_erasures
    add column kind text not null default 'subscription' check (kind in ('subscription', 'user'));
comment on column private.onesignal_erasures.subscription_id is
    'kind subscription: a OneSignal push subscription id; kind user: the deleted person''s id (OneSignal external_id)';
alter table private.onesignal_erasures drop constraint onesignal_erasures_pkey;
alter table private.onesignal_erasures add primary key (kind, subscription_id);
alter table private.onesignal_erasures
    alter column queued_at set default date_trunc('day', now(), 'UTC'),
    alter column next_attempt_at set default date_trunc('day', now(), 'UTC');
update private.onesignal_erasures
    set queued_at = date_trunc('day', queued_at, 'UTC'),
        next_attempt_at = case when attempts = 0 then date_trunc('day', queued_at, 'UTC') else next_attempt_at end;

create or replace function private.queue_onesignal_erasure() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into private.onesignal_erasures (kind, subscription_id)
    select 'subscription', d.token from private.notification_devices d
    where d.user_id = old.id and d.channel = 'onesignal'
    union all
    select 'user', old.id::text
    on conflict (kind, subscription_id) do nothing;
    return old;
end
$$;
revoke all on function private.queue_onesignal_erasure() from public, anon, authenticated;
