-- A job taken from a student (a teacher's reassign or take back) who stays on its team with their hours got two
-- messages at once: `offer_withdrawn` ("this job no longer waits for you", this trigger, at the commit, for the
-- accepted offer the move withdrew) and `helper_kept` ("another student carries on; the hours you reported stay
-- yours", backend/services/credit.py keep_former_student, in the same transaction). `helper_kept` says both what
-- happened and what is theirs: the withdrawal says nothing more, so it is left out then. A student taken off a job
-- they reported nothing on still gets `offer_withdrawn`, their one message.
create or replace function private.notify_offer_withdrawn() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    item text;
begin
    if exists (select 1 from public.offers o where o.id = new.id and o.status = 'withdrawn')
       and not exists (select 1 from public.notifications n
                       where n.recipient_id = new.technician_id and n.request_id = new.request_id
                         and n.kind = 'helper_kept' and n.created_at = now()) then  -- this transaction's
        select q.item into item from public.repair_requests q where q.id = new.request_id;
        perform private.notify(new.technician_id, 'offer_withdrawn', jsonb_build_object('item', item),
                               new.request_id, new.id);
    end if;
    return null;
end
$$;
