-- close27 #1: 0114 closed the deciders' "waiting for your check" (`qc_waiting`) once the job left the check; their
-- other two asks of a college decision stayed unread for ever once the job had moved on, and read as work to do:
--   `handback_waiting` (an unrepairable item to hand back: the status trigger's, 0074, and the clock's for the
--   admins, outbox.py notify_undecided) after the hand back, or a take back;
--   `holder_suspended` (a job held by a suspended student: account.py suspend's, and the clock's for the admins)
--   after the job changed hands (a reassign, a take back, a cancel) or its student was restored.
-- One rule for the three, as 0114's: the message stays (history), read and closed (`params.closed`: how the decision
-- went, shared/notifications.py words it in place of asking), what was still to be pushed about it skipped, in the
-- move's own transaction (a rolled-back move closes nothing).

-- The messages still asking, by job: 0114's partial index was `qc_waiting`'s alone.
create index notifications_decision_open on public.notifications (request_id)
    where kind in ('qc_waiting', 'handback_waiting', 'holder_suspended') and (params ->> 'closed') is null;
drop index public.notifications_qc_open;

-- Close the open `kinds` messages about `requests`, saying `how`. The one place that closes a decider's message.
-- close27 #2: each closed message is announced to its reader's live stream as a new one is (0097's `notification`
-- event, the same fields; `at` the move's commit time, as its status event's): the app's bell and open inbox
-- re-read on it (mobile/viewmodels/app.py live_event), where they kept counting the closed message until a reload.
create function private.close_decision_messages(requests uuid[], kinds text[], how text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    events text[];
begin
    with closed as (
        update public.notifications n
        set read_at = coalesce(n.read_at, now()), planned_at = coalesce(n.planned_at, now()),
            params = n.params || jsonb_build_object('closed', how)
        where n.request_id = any(requests) and n.kind = any(kinds) and (n.params ->> 'closed') is null
          -- the partial index's own words, so the planner may use it whatever `kinds` holds
          and n.kind in ('qc_waiting', 'handback_waiting', 'holder_suspended')
        returning n.id, n.recipient_id, n.request_id
    ), skipped as (
        update private.notification_deliveries d
        set status = 'skipped', last_error = 'the decision moved on', updated_at = now()
        where d.notification_id in (select id from closed) and d.status = 'pending'
    )
    select array_agg(json_build_object('kind', 'notification', 'recipient_id', c.recipient_id,
                                       'notification_id', c.id, 'request_id', c.request_id, 'at', now())::text
                     order by c.id)
    into events
    from closed c;
    perform pg_notify('fixit_events', e.payload)
    from unnest(events) with ordinality as e(payload, i)
    order by e.i;
end
$$;
revoke all on function private.close_decision_messages(uuid[], text[], text) from public, anon, authenticated;

-- What a move ends, from the status event that made it (0114's trigger, now for the three kinds):
-- leaving the check ends its `qc_waiting` (0114's words: private.qc_closed_as); leaving `unrepairable` its
-- `handback_waiting`; a job in hand moved on or given to another student (a reassign: `note_code` 'reassigned',
-- the status kept) its `holder_suspended`.
create function private.close_what_a_move_ended() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.from_status = 'quality_check' and new.to_status <> 'quality_check' then
        perform private.close_decision_messages(array[new.request_id], '{qc_waiting}',
                                                private.qc_closed_as(new.to_status));
    end if;
    if new.from_status = 'unrepairable' and new.to_status <> 'unrepairable' then
        perform private.close_decision_messages(array[new.request_id], '{handback_waiting}',
            case new.to_status when 'handed_back' then 'handed_back' when 'offered' then 'taken_back' else 'left' end);
    end if;
    if new.from_status = any(private.reassignable()) then
        perform private.close_decision_messages(array[new.request_id], '{holder_suspended}',
            case when new.note_code = 'reassigned' and new.to_status = new.from_status then 'reassigned'
                 when new.to_status in ('offered', 'submitted', 'no_centre') then 'taken_back' else 'left' end);
    end if;
    return null;
end
$$;
revoke all on function private.close_what_a_move_ended() from public, anon, authenticated;

drop trigger status_events_close_qc_waiting on public.status_events;
drop function private.close_qc_waiting();
create trigger status_events_close_what_a_move_ended after insert on public.status_events
    for each row when ((new.from_status in ('quality_check', 'unrepairable', 'accepted', 'diagnosing', 'repairing')
                        and new.from_status is distinct from new.to_status)
                       or (new.note_code = 'reassigned' and new.from_status = new.to_status))
    execute function private.close_what_a_move_ended();

-- A suspended student restored (by the app's operator, or outside it): the jobs they still hold are theirs to go on
-- with, nobody's decision any more.
create function private.close_holder_suspended_on_restore() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.close_decision_messages(
        array(select r.id from public.repair_requests r where r.technician_id = new.id), '{holder_suspended}',
        'restored');
    return null;
end
$$;
revoke all on function private.close_holder_suspended_on_restore() from public, anon, authenticated;

create trigger profiles_close_holder_suspended_on_restore after update of is_active on public.profiles
    for each row when (not old.is_active and new.is_active)
    execute function private.close_holder_suspended_on_restore();

-- The messages already left asking about a decision that moved on before this migration: a hand back whose job has
-- left `unrepairable` since, a suspended holder's job that has moved since (or whose student is active again), read
-- at that move (or now), nothing more pushed about them.
with over as (
    select n.id, coalesce(e.created_at, now()) as at,
           case when n.kind = 'handback_waiting' then 'left'
                when e.id is null then 'restored' else 'left' end as how
    from public.notifications n
    left join lateral (
        select e.id, e.created_at from public.status_events e
        where e.request_id = n.request_id and e.created_at >= n.created_at
          and ((n.kind = 'handback_waiting' and e.from_status = 'unrepairable' and e.to_status <> 'unrepairable')
               or (n.kind = 'holder_suspended' and e.from_status = any(private.reassignable())
                   and (e.from_status <> e.to_status or e.note_code = 'reassigned')))
        order by e.id limit 1) e on true
    where n.kind in ('handback_waiting', 'holder_suspended') and (n.params ->> 'closed') is null
      and (e.id is not null
           or (n.kind = 'holder_suspended'
               and not exists (select 1 from public.repair_requests r
                               join public.profiles s on s.id = r.technician_id and not s.is_active
                               where r.id = n.request_id and r.status = any(private.reassignable()))))
), closed as (
    update public.notifications n
    set read_at = coalesce(n.read_at, o.at), planned_at = coalesce(n.planned_at, o.at),
        params = n.params || jsonb_build_object('closed', o.how)
    from over o
    where n.id = o.id
    returning n.id)
update private.notification_deliveries d
set status = 'skipped', last_error = 'the decision moved on', updated_at = now()
where d.notification_id in (select id from closed) and d.status = 'pending';
