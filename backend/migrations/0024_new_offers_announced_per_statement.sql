-- New offers are announced (live events, 0004) and notified to their students (the outbox, 0016) once per insert
-- statement, from its transition table, instead of by two trigger functions per offer row: a dispatch inserts its
-- offers in one statement, and the per-row calls were a quarter of its trigger work (issue 15). What is written
-- and announced is unchanged. A status change of an offer keeps the per-row triggers (transition tables cannot
-- be given to a trigger with a column list).
create function private.announce_new_offers() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', json_build_object(
        'kind', 'offer', 'request_id', o.request_id, 'offer_id', o.id, 'status', o.status, 'at', now(),
        'technician_id', o.technician_id, 'college_id', o.college_id
    )::text)
    from new_offers o;
    insert into public.notifications (recipient_id, kind, params, request_id, offer_id)
    select o.technician_id, 'offer_new',
           jsonb_build_object('item', q.item, 'expires_at', o.expires_at, 'distance_km', o.distance_km),
           o.request_id, o.id
    from new_offers o join public.repair_requests q on q.id = o.request_id
    where o.status = 'pending';
    return null;
end
$$;
revoke all on function private.announce_new_offers() from public;

drop trigger offers_announce on public.offers;
drop trigger offers_notify on public.offers;
create trigger offers_announce after update of status on public.offers
    for each row execute function private.announce_offer();
create trigger offers_notify after update of status on public.offers
    for each row execute function private.notify_offer();
create trigger offers_announce_new after insert on public.offers referencing new table as new_offers
    for each statement execute function private.announce_new_offers();
