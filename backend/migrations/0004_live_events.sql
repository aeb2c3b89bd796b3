-- Live events: every status event and every offer change is announced on the channel `fixit_events`. Each backend
-- process LISTENs once and forwards to its connected users what they may see (backend/live.py), so it works with
-- any number of backend copies. NOTIFY is delivered at commit: a rolled-back change is never announced.

create function private.announce_status_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
begin
    select citizen_id, college_id, technician_id into r from public.repair_requests where id = new.request_id;
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'request', 'request_id', new.request_id, 'status', new.to_status, 'at', new.created_at,
        'citizen_id', r.citizen_id, 'college_id', r.college_id, 'technician_id', r.technician_id
    )::text);
    return new;
end
$$;

create trigger status_events_announce after insert on public.status_events
    for each row execute function private.announce_status_event();

create function private.announce_offer() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'offer', 'request_id', new.request_id, 'offer_id', new.id, 'status', new.status, 'at', now(),
        'technician_id', new.technician_id, 'college_id', new.college_id
    )::text);
    return new;
end
$$;

create trigger offers_announce after insert or update of status on public.offers
    for each row execute function private.announce_offer();
