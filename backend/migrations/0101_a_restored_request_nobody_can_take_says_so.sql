-- suspend22 #5: a request its citizen's suspension parked (`no_centre`, note `owner_suspended`) that the operator's
-- restore cannot offer to anyone now (dispatch.resume_for_restored_owner: no fitting student left at its college or
-- beyond) went on waiting in silence. Its citizen heard nothing (the requests the restore did offer are told so,
-- `sent_again` restored, 0094), and no administrator was asked to send it on: 0098 leaves the parking's move out of
-- private.notify_status_event, as nobody could send it on while the account was suspended, and the restore was the
-- moment that became possible. Its timeline still said it waited for the account.
--
-- The restore now writes, for each such request, the timeline note dispatch writes when nobody can take a request
-- (`no_taker` when students were offered it before, else `no_centre`): an event with no status change (no_centre to
-- no_centre), which the status triggers leave alone (their WHEN, 0095, and the functions' own check). So this
-- trigger tells, for that event only, what a move into no_centre tells: every administrator (`no_centre`, as
-- private.notify_status_event does, 0074) and the citizen (`no_taker`: an administrator will send it on, or they may
-- cancel it; as private.notify_citizen_of_a_stall, 0090). No other path writes a no_centre -> no_centre event.
-- Lock order (backend/services/dispatch.py): unchanged; it writes notifications only, under the request's lock.
create function private.notify_restored_waiting() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
begin
    select q.id, q.citizen_id, q.item, q.province, q.district
    into r
    from public.repair_requests q
    where q.id = new.request_id;
    perform private.notify_staff('admin', null, 'no_centre', jsonb_build_object(
        'item', r.item, 'province', r.province, 'district', r.district), r.id);
    perform private.notify(r.citizen_id, 'no_taker', jsonb_build_object('item', r.item), r.id);
    return new;
end
$$;
revoke all on function private.notify_restored_waiting() from public, anon, authenticated;

create trigger status_events_notify_restored_waiting after insert on public.status_events
    for each row when (new.from_status = 'no_centre' and new.to_status = 'no_centre'
                       and new.note_code in ('no_taker', 'no_centre'))
    execute function private.notify_restored_waiting();
