-- Audit21 #3: a request parked because its citizen was suspended (the move to no_centre with the note
-- `owner_suspended`, reinstate21: park_for_suspended_owner, dispatch's inactive-owner path, the last decline) went
-- through private.notify_status_event's `no_centre` branch, which asks every admin to send it on: a send-on the
-- backend refuses (409 owner_suspended) while the account is suspended, and the admins' waiting list marks the row
-- with no send-on. The operator's restore offers it again itself (dispatch.resume_for_restored_owner). That branch
-- is the function's only write for no_centre, so the trigger's WHEN (0095) leaves this move out.
drop trigger status_events_notify on public.status_events;
create trigger status_events_notify after insert on public.status_events
    for each row when (new.to_status is distinct from new.from_status
                       and new.to_status not in ('offered', 'diagnosing', 'cancelled')
                       and not (new.to_status = 'no_centre' and new.note_code is not distinct from 'owner_suspended'))
    execute function private.notify_status_event();
