-- notify28: the deciders' closed messages and their live events (session 27's leftovers of 0120).
--
-- #1 0120 announced each closed message as its own `notification` event (its id, its job): a restore of a student
-- holding k jobs, or any commit closing k messages of one reader, sent that reader k events, and their app re-read
-- its bell (the open inbox, an admin's home) k times. What a closed message changes for its reader is their bell and
-- inbox as a whole, not one job: the event now names the reader and the commit only (`closed`: true, `at` the
-- commit's now()), the same text for every message of that reader the commit closes, and PostgreSQL delivers a
-- payload sent more than once on a channel in one transaction once. One event per reader per commit, however many
-- jobs or triggers closed their messages; no per-statement bookkeeping needed.

-- The event that tells `reader` some of their messages were closed or are gone, in this commit.
create function private.messages_changed_event(reader uuid) returns text
language sql
stable
set search_path = ''
as $$
    select json_build_object('kind', 'notification', 'recipient_id', reader, 'closed', true, 'at', now())::text
$$;
revoke all on function private.messages_changed_event(uuid) from public, anon, authenticated;

-- 0120's close, unchanged but for its announcement: one (folded) event per reader.
create or replace function private.close_decision_messages(requests uuid[], kinds text[], how text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    readers uuid[];
begin
    with closed as (
        update public.notifications n
        set read_at = coalesce(n.read_at, now()), planned_at = coalesce(n.planned_at, now()),
            params = n.params || jsonb_build_object('closed', how)
        where n.request_id = any(requests) and n.kind = any(kinds) and (n.params ->> 'closed') is null
          -- the partial index's own words, so the planner may use it whatever `kinds` holds
          and n.kind in ('qc_waiting', 'handback_waiting', 'holder_suspended')
        returning n.id, n.recipient_id
    ), skipped as (
        update private.notification_deliveries d
        set status = 'skipped', last_error = 'the decision moved on', updated_at = now()
        where d.notification_id in (select id from closed) and d.status = 'pending'
    )
    select array_agg(distinct c.recipient_id) into readers from closed c;
    perform pg_notify('fixit_events', private.messages_changed_event(r.reader))
    from unnest(readers) as r(reader)
    order by r.reader;
end
$$;
revoke all on function private.close_decision_messages(uuid[], text[], text) from public, anon, authenticated;

-- #2 A request deleted outright (the SQL editor, Supabase's dashboard: no app path deletes one) takes its messages
-- with it (on delete cascade), and an open inbox kept showing them. Every message deleted, however (a cascade from
-- its request, or its reader's own deletion, whose streams end anyway), tells its reader as a closed one does: the
-- same event, once per reader per commit. Per statement, from its transition table: one call however many rows.
create function private.announce_messages_gone() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', private.messages_changed_event(g.reader))
    from (select distinct o.recipient_id as reader from old_notifications o) g
    order by g.reader;
    return null;
end
$$;
revoke all on function private.announce_messages_gone() from public, anon, authenticated;

create trigger notifications_announce_gone after delete on public.notifications
    referencing old table as old_notifications
    for each statement execute function private.announce_messages_gone();

-- #3 What 0120's status-event trigger keys on is the status event: a move (from/to status) or the app's reassign
-- (`note_code` 'reassigned', the status kept, written by dispatch.assign beside its change of holder). A holder
-- changed by an UPDATE of the request alone (the SQL editor, Supabase's dashboard, seed.remove_demo_accounts) writes
-- no status event (0003 logs status changes), so it closed nothing and the deciders were still asked to hand on a
-- job already in another student's hands. The change of holder itself is the fact: this trigger closes on it, by
-- the same rule (`close_decision_messages`); the app's reassign then finds nothing left to close at its event.
create function private.close_on_a_new_holder() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.close_decision_messages(array[new.id], '{holder_suspended}',
        case when new.technician_id is null then 'left' else 'reassigned' end);
    return null;
end
$$;
revoke all on function private.close_on_a_new_holder() from public, anon, authenticated;

-- Only a holder changed with the status kept: a move that changes both (an accept, a take back) writes its status
-- event, which 0120's trigger closes on with that move's words.
create trigger repair_requests_close_on_a_new_holder after update of technician_id on public.repair_requests
    for each row when (old.technician_id is distinct from new.technician_id and old.status = new.status
                       and old.status in ('accepted', 'diagnosing', 'repairing'))
    execute function private.close_on_a_new_holder();

-- #4 0120's pass left a `holder_suspended` written before a restore, when its student was suspended again and the
-- job has not moved since: the job is still held by a suspended student, so it read as the current ask. A reader
-- has one such message per suspension (the dedupe key names it): one followed by a newer ask about the same job
-- was ended by the restore before that newer suspension. Closed as that restore would have (after 0120 it does),
-- read when the newer one came, nothing more pushed about it.
-- 0120's pass left them; this one closes them.
with over as (
    select o.id, min(n.created_at) as at
    from public.notifications o
    join public.notifications n on n.kind = o.kind and n.request_id = o.request_id
                               and n.recipient_id = o.recipient_id and n.id > o.id
    where o.kind = 'holder_suspended' and (o.params ->> 'closed') is null
    group by o.id
), closed as (
    update public.notifications n
    set read_at = coalesce(n.read_at, o.at), planned_at = coalesce(n.planned_at, o.at),
        params = n.params || jsonb_build_object('closed', 'restored')
    from over o
    where n.id = o.id
    returning n.id)
update private.notification_deliveries d
set status = 'skipped', last_error = 'the decision moved on', updated_at = now()
where d.notification_id in (select id from closed) and d.status = 'pending';
