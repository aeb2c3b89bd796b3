-- OneSignal forgets a deleted person's phone (forget16).
--
-- A phone that receives pushes through OneSignal is registered as a device (private.notification_devices, channel
-- 'onesignal', token = its OneSignal push subscription id, 0021). A deletion removed that row (cascade from the
-- profile), but OneSignal kept the subscription: a record tied to that phone. Now, in the same transaction as the
-- erasure, each OneSignal subscription id the person had is queued here, and the delivery worker of any backend
-- copy asks OneSignal to delete it (`DELETE /apps/{app_id}/subscriptions/{id}`), claiming rows with
-- `for update skip locked` as it claims deliveries, retrying with backoff while OneSignal is down
-- (backend/notifications/worker.py `erase_subscriptions`). A deletion that rolls back queues nothing.
--
-- Every path that erases a person deletes their profile (the app's DELETE /me, the operator's delete-person, and
-- GoTrue's `delete from auth.users` from Supabase's dashboard, all through the cascade from auth.users), so a
-- trigger on public.profiles queues it, beside private.forget_person (0012/0062), which it leaves as it is.
--
-- Nothing but the subscription id is kept: not whose it was, not when the account went. `queued_at` says when the
-- id was queued, so the worker gives up after a while (the queue is not a second home for the id); `attempts` and
-- `next_attempt_at` are the retries' backoff. The database cannot tell whether the backends have OneSignal's keys:
-- it queues always, and a worker without a OneSignal channel drops the queue (worker.py says why).
create table private.onesignal_erasures (
    subscription_id text primary key check (length(subscription_id) between 8 and 2000),
    queued_at timestamptz not null default now(),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now()
);
alter table private.onesignal_erasures enable row level security;
revoke all on private.onesignal_erasures from public, anon, authenticated;

create function private.queue_onesignal_erasure() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into private.onesignal_erasures (subscription_id)
    select d.token from private.notification_devices d
    where d.user_id = old.id and d.channel = 'onesignal'
    on conflict (subscription_id) do nothing;
    return old;
end
$$;
revoke all on function private.queue_onesignal_erasure() from public, anon, authenticated;

-- Before the delete, while the devices are still there (they go with the profile, on delete cascade).
create trigger profiles_forget_onesignal before delete on public.profiles
    for each row execute function private.queue_onesignal_erasure();
