-- Issue 15 (dispatch <= 10x one trivial transaction): every move of a request ran two plpgsql triggers on its
-- status event that, for most moves, write nothing. Each call still cost a SECURITY DEFINER function's set-up (its
-- search_path saved and restored) and a read of the request joined to its college, before the function found no
-- branch of its own: a dispatch's submitted -> offered, the hot path, paid for both. Their WHEN clauses now say
-- when they can write, so PostgreSQL does not call them otherwise; the functions are unchanged.
--
-- private.notify_status_event (0074) writes for every move but one into offered, diagnosing or cancelled (its
-- CASE has no branch for them, and returns at once when the status did not change): the WHEN names those three
-- as the ones it leaves alone, so a branch added later for a new status fires without a change here.
drop trigger status_events_notify on public.status_events;
create trigger status_events_notify after insert on public.status_events
    for each row when (new.to_status is distinct from new.from_status
                       and new.to_status not in ('offered', 'diagnosing', 'cancelled'))
    execute function private.notify_status_event();

-- private.notify_citizen_of_a_stall (0090) writes into offered only when the job was taken back from a student's
-- hands (from private.work_editable(), its own test), and into no_centre: a first offer (submitted -> offered) or
-- a revival (no_centre -> offered) calls it no more.
drop trigger status_events_notify_citizen_of_a_stall on public.status_events;
create trigger status_events_notify_citizen_of_a_stall after insert on public.status_events
    for each row when (new.to_status is distinct from new.from_status
                       and (new.to_status = 'no_centre'
                            or (new.to_status = 'offered' and new.from_status = any(private.work_editable()))))
    execute function private.notify_citizen_of_a_stall();

-- The students' "new offer" messages take the item from the offers themselves (filled from the request before
-- insert, private.offer_card_fill, 0025): one read of the request fewer per dispatch.
create or replace function private.announce_new_offers() returns trigger
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
           jsonb_build_object('item', o.item, 'expires_at', o.expires_at, 'distance_km', o.distance_km),
           o.request_id, o.id
    from new_offers o
    where o.status = 'pending';
    return null;
end
$$;
revoke all on function private.announce_new_offers() from public;
