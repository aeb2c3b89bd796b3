-- reinstate21: a suspended citizen's request is whole again after the reinstatement.
--
-- A citizen's suspension (backend/services/account.py `suspend`) withdraws the pending offers of their requests
-- still looking for a student and parks those requests as `no_centre` (dispatch.park_for_suspended_owner). Once the
-- account is restored the clock revives them (dispatch.revive_waiting), but dispatch never asks a student twice, and
-- counted those withdrawn offers as asked: the students they were made to (the nearest and best-ranked, most often)
-- were skipped for good, and only an administrator's send-on asked them again. Such an offer says nothing about its
-- student (they neither declined nor let it lapse: nobody could answer for the request), so it is marked here, and
-- dispatch's one rule of "asked before" (dispatch.py `_ASKED`) leaves it out: after the reinstatement its student is
-- asked again, in the usual rank order.
--
-- The mark holds only while the offer stays so withdrawn: any later change of the offer's status (made pending again
-- by the revival, declined, withdrawn by an assign, ...) clears it unless that same statement sets it, so an offer
-- re-opened and then ended another way counts as asked, as any other. The check keeps it to withdrawn offers.
-- Offers withdrawn by a suspension before this migration are not marked (nothing in them says why they were
-- withdrawn): those students are asked again by an administrator's send-on, as before.
-- Lock order (backend/services/dispatch.py): unchanged; the mark is written with the withdrawal, under the request's
-- lock (step 3), and the trigger touches only the row being updated.
alter table public.offers
    add column withdrawn_for_suspension boolean not null default false,
    add constraint offers_withdrawn_for_suspension check (not withdrawn_for_suspension or status = 'withdrawn');

create function private.offer_suspension_mark_follows_status() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if new.withdrawn_for_suspension is not distinct from old.withdrawn_for_suspension then
        new.withdrawn_for_suspension := false;  -- a status change that does not say why: no longer the suspension's
    end if;
    return new;
end
$$;
revoke all on function private.offer_suspension_mark_follows_status() from public, anon, authenticated;

create trigger offers_suspension_mark before update of status on public.offers
    for each row when (old.status is distinct from new.status)
    execute function private.offer_suspension_mark_follows_status();

-- A request so parked says why on its timeline (note `owner_suspended`, not `no_taker`: 0090's stall message, "no
-- student has taken it", is no longer written for it, nor read by its owner once restored), and its revival after
-- the reinstatement says so too (note `owner_restored`, not `sent_again`'s "a fitting student came into range"). Its
-- citizen is told of that revival as of any other (0076's `sent_again`), the message saying why (`params.restored`,
-- shared/notifications.py).
create or replace function private.notify_citizen_sent_again() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
begin
    select q.id, q.citizen_id, q.item, c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    perform private.notify(r.citizen_id, 'sent_again', jsonb_build_object(
        'item', r.item, 'college_th', r.college_th, 'college_en', r.college_en)
        || case when new.note_code = 'owner_restored' then jsonb_build_object('restored', true)
                else '{}'::jsonb end, r.id);
    return new;
end
$$;
revoke all on function private.notify_citizen_sent_again() from public, anon, authenticated;

drop trigger status_events_notify_citizen_sent_again on public.status_events;
create trigger status_events_notify_citizen_sent_again after insert on public.status_events
    for each row when (new.from_status = 'no_centre' and new.to_status = 'offered'
                       and new.note_code in ('sent_again', 'owner_restored'))
    execute function private.notify_citizen_sent_again();
