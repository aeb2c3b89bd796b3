-- Notifications (issue #13): a transactional outbox written by the database itself. Every status change and
-- timeline event (public.status_events, written by the status-log trigger) and every offer change (public.offers)
-- adds the notifications it causes in the SAME transaction: no code path can forget one, and a change that rolls
-- back leaves none. Delivery workers in any backend copy turn them into one delivery per channel and target
-- (private.notification_deliveries, each with its idempotency key) with `for update skip locked`.
-- Messages are rendered at delivery in the recipient's language (shared/notifications.py), so rows keep only a
-- kind and its parameters.

create table public.notifications (
    id bigint generated always as identity primary key,
    recipient_id uuid not null references public.profiles (id) on delete cascade,
    kind text not null check (kind ~ '^[a-z][a-z_]{1,39}$'),
    params jsonb not null default '{}',
    request_id uuid references public.repair_requests (id) on delete cascade,
    offer_id uuid references public.offers (id) on delete cascade,
    -- Set for notifications that must exist once only (an offer about to expire, from the periodic tick).
    dedupe_key text unique,
    created_at timestamptz not null default now(),
    read_at timestamptz,
    -- When a worker made its deliveries (null: not yet). Read by the workers only.
    planned_at timestamptz
);
create index notifications_inbox on public.notifications (recipient_id, id desc);
create index notifications_unread on public.notifications (recipient_id) where read_at is null;
create index notifications_unplanned on public.notifications (id) where planned_at is null;

create table private.notification_deliveries (
    id bigint generated always as identity primary key,
    notification_id bigint not null references public.notifications (id) on delete cascade,
    channel text not null check (channel ~ '^[a-z][a-z0-9_]{1,19}$'),
    -- Where to: a device token, a web push endpoint, a LINE user id, a phone number; '' for the console.
    target text not null default '',
    -- Handed to the channel on every attempt (LINE's X-Line-Retry-Key, Web Push's Topic, …): a retry after a
    -- crash between the send and the commit is not sent twice where the service supports it.
    idempotency_key uuid not null unique default gen_random_uuid(),
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'skipped')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text check (length(last_error) <= 1000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    sent_at timestamptz,
    unique (notification_id, channel, target)
);
create index notification_deliveries_due on private.notification_deliveries (next_attempt_at)
    where status = 'pending';
create index notification_deliveries_day on private.notification_deliveries (updated_at, channel);

-- Per person: channels per kind of message, quiet hours, SMS fallback.
create table private.notification_preferences (
    user_id uuid primary key references public.profiles (id) on delete cascade,
    -- kind -> list of channel preferences ("push", "line", "sms"); a kind not listed uses the defaults.
    channels jsonb not null default '{}',
    quiet_hours boolean not null default true,
    quiet_start time not null default '21:00',
    quiet_end time not null default '07:00',
    -- A student who wants new offers at night too (they expire within the SLA).
    offers_in_quiet_hours boolean not null default false,
    -- Accepted/ready by SMS when the person has no app device and no LINE to reach.
    sms_fallback boolean not null default true,
    updated_at timestamptz not null default now()
);

-- Devices registered by the app after sign-in, dropped at sign-out: FCM (or OneSignal) tokens and browser Web Push
-- subscriptions (token = the endpoint URL; keys = {p256dh, auth}).
create table private.notification_devices (
    token text primary key check (length(token) between 8 and 2000),
    user_id uuid not null references public.profiles (id) on delete cascade,
    channel text not null check (channel in ('fcm', 'webpush')),
    platform text not null check (platform in ('android', 'ios', 'web', 'desktop')),
    keys jsonb,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now()
);
create index notification_devices_user on private.notification_devices (user_id);

-- LINE: a person links their LINE account by sending a one-time code to the official account (the webhook sees
-- the code and their LINE user id).
create table private.line_links (
    user_id uuid primary key references public.profiles (id) on delete cascade,
    line_user_id text not null unique check (line_user_id ~ '^U[0-9a-f]{32}$'),
    linked_at timestamptz not null default now()
);
create table private.line_link_codes (
    code text primary key,
    user_id uuid not null unique references public.profiles (id) on delete cascade,
    expires_at timestamptz not null
);

alter table public.notifications enable row level security;
alter table private.notification_deliveries enable row level security;
alter table private.notification_preferences enable row level security;
alter table private.notification_devices enable row level security;
alter table private.line_links enable row level security;
alter table private.line_link_codes enable row level security;

revoke all on public.notifications from anon, authenticated;
revoke all on private.notification_deliveries, private.notification_preferences, private.notification_devices,
    private.line_links, private.line_link_codes from anon, authenticated, public;
grant select on public.notifications to authenticated;
grant all on public.notifications to service_role;
-- One's own notifications only; writes (read marks) go through the backend by id.
create policy notifications_read_own on public.notifications for select to authenticated
    using (recipient_id = (select auth.uid()));

-- Who hears what -------------------------------------------------------------------------------------------------

create function private.notify(recipient uuid, kind text, params jsonb, request uuid, offer uuid default null)
returns void
language sql
security definer
set search_path = ''
as $$
    insert into public.notifications (recipient_id, kind, params, request_id, offer_id)
    select recipient, kind, coalesce(params, '{}'), request, offer
    where recipient is not null
$$;

create function private.notify_staff(role public.app_role, college uuid, kind text, params jsonb, request uuid)
returns void
language sql
security definer
set search_path = ''
as $$
    insert into public.notifications (recipient_id, kind, params, request_id)
    select p.id, kind, params, request
    from public.profiles p
    where p.role = notify_staff.role and p.is_active
      and (notify_staff.role = 'admin' or p.college_id = college)
$$;
revoke all on function private.notify(uuid, text, jsonb, uuid, uuid),
    private.notify_staff(public.app_role, uuid, text, jsonb, uuid) from public;

create function private.notify_status_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    base jsonb;
begin
    select q.id, q.citizen_id, q.college_id, q.technician_id, q.item, q.service_place, q.province, q.district,
           c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    base := jsonb_build_object('item', r.item);
    if new.to_status is not distinct from new.from_status then
        return new;  -- a timeline note without a status change (escalation, reassignment)
    end if;
    case new.to_status
    when 'accepted' then
        perform private.notify(r.citizen_id, 'accepted', base || jsonb_build_object(
            'technician', coalesce(private.first_name(r.technician_id), ''),
            'college_th', r.college_th, 'college_en', r.college_en), r.id);
    when 'quality_check' then
        perform private.notify_staff('supervisor', r.college_id, 'qc_waiting', base || jsonb_build_object(
            'technician', coalesce(private.first_name(r.technician_id), '')), r.id);
    when 'repairing' then
        if new.from_status = 'quality_check' then
            perform private.notify(r.technician_id, 'rework',
                                   base || jsonb_build_object('note', left(new.note, 200)), r.id);
        end if;
    when 'done' then
        perform private.notify(r.technician_id, 'approved', base, r.id);
        perform private.notify(r.citizen_id, 'ready', base || jsonb_build_object(
            'place', r.service_place, 'college_th', r.college_th, 'college_en', r.college_en), r.id);
    when 'unrepairable' then
        perform private.notify(r.citizen_id, 'unrepairable', base || jsonb_build_object(
            'reason', coalesce(new.note_params ->> 'reason', ''), 'college_th', r.college_th,
            'college_en', r.college_en), r.id);
    when 'handed_back' then
        if new.from_status = 'done' then
            perform private.notify(r.citizen_id, 'rate', base, r.id);
        end if;
    when 'no_centre' then
        perform private.notify_staff('admin', null, 'no_centre', base || jsonb_build_object(
            'province', r.province, 'district', r.district), r.id);
    when 'submitted' then
        if new.from_status is not null and r.college_id is not null then  -- reopened: "still broken"
            perform private.notify_staff('supervisor', r.college_id, 'reopened', base, r.id);
        end if;
    else
        null;
    end case;
    return new;
end
$$;

create trigger status_events_notify after insert on public.status_events
    for each row execute function private.notify_status_event();

-- A new (or renewed) offer: at once. A withdrawn offer: at commit, and only if it is still withdrawn then (a
-- supervisor assigning the job withdraws every offer and gives the chosen student's back as accepted).
create function private.notify_offer() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    item text;
begin
    select q.item into item from public.repair_requests q where q.id = new.request_id;
    if new.status = 'pending' and (tg_op = 'INSERT' or old.status <> 'pending') then
        perform private.notify(new.technician_id, 'offer_new', jsonb_build_object(
            'item', item, 'expires_at', new.expires_at, 'distance_km', new.distance_km), new.request_id, new.id);
    end if;
    return new;
end
$$;

create trigger offers_notify after insert or update of status on public.offers
    for each row execute function private.notify_offer();

create function private.notify_offer_withdrawn() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    item text;
begin
    if exists (select 1 from public.offers o where o.id = new.id and o.status = 'withdrawn') then
        select q.item into item from public.repair_requests q where q.id = new.request_id;
        perform private.notify(new.technician_id, 'offer_withdrawn', jsonb_build_object('item', item),
                               new.request_id, new.id);
    end if;
    return null;
end
$$;

create constraint trigger offers_notify_withdrawn after update of status on public.offers
    deferrable initially deferred
    for each row when (new.status = 'withdrawn' and old.status in ('pending', 'accepted'))
    execute function private.notify_offer_withdrawn();

-- Live: the recipient's app hears of a new notification at once (the bell), through the existing channel.
create function private.announce_notification() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'notification', 'recipient_id', new.recipient_id, 'notification_id', new.id,
        'request_id', new.request_id, 'at', new.created_at
    )::text);
    return new;
end
$$;

create trigger notifications_announce after insert on public.notifications
    for each row execute function private.announce_notification();
