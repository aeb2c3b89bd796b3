-- race26 #5: an account's deletion outside the app (Supabase's dashboard, `delete from auth.users`) locked the
-- person's profile and the requests they asked for or hold (0078), then deleted the profile and, by its cascades,
-- every offer to them and every job_team row of theirs - rows of other requests too, which it did not hold. An accept
-- of such a request by another student at that moment holds the request and withdraws the person's pending offer,
-- and at its commit writes them the `offer_withdrawn` message (0016's deferred trigger): a FOR KEY SHARE of the
-- profile the deletion holds while the deletion waits for that offer. PostgreSQL's deadlock detector killed one.
-- The same with any path that holds a request, changes the person's row of it (an offer renewed by a send-on, their
-- team row's approved hours) and then names them (a message, a proposal).
--
-- The lock order (backend/services/dispatch.py): the request before its offers and team. So the deletion now locks,
-- in the same one statement by id, every request it takes a row of: those they asked for or hold, and those any
-- offer to them or any team row of theirs names: `private.requests_a_deletion_takes`, the one statement of that set,
-- which the app's own deletion (backend/services/account.py delete) locks first too (it hands the ones with a waiting
-- offer on at once), so the trigger then finds it held and locks no second set after the first.
create function private.requests_a_deletion_takes(person uuid) returns setof uuid
language sql stable security definer
set search_path = ''
as $$
    select x.id from public.repair_requests x where x.citizen_id = person
    union
    select x.id from public.repair_requests x where x.technician_id = person
    union
    select o.request_id from public.offers o where o.technician_id = person
    union
    select t.request_id from public.job_team t where t.technician_id = person
$$;
revoke all on function private.requests_a_deletion_takes(uuid) from public, anon, authenticated;

create or replace function private.lock_requests_before_deletion() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    held int;
begin
    perform 1 from public.profiles p where p.id = old.id for no key update;
    perform 1 from public.repair_requests r
    where r.id in (select private.requests_a_deletion_takes(old.id))
    order by r.id
    for update;
    held := private.jobs_in_hand(old.id);
    if held > 0 then
        raise exception using
            errcode = 'restrict_violation',
            message = format('ลบบัญชีนี้ไม่ได้ นักศึกษาคนนี้ยังมีงานที่รับไว้ %s งาน ให้ครูของวิทยาลัยมอบงานให้นักศึกษาคนอื่นก่อน '
                             'แล้วจึงลบบัญชี ไม่มีข้อมูลใดถูกลบ / This account cannot be deleted: the student holds %s '
                             '%s. Their college''s teacher reassigns %s first, then delete the account. Nothing '
                             'was deleted', held, held,
                             case when held = 1 then 'job' else 'jobs' end,
                             case when held = 1 then 'it' else 'them' end);
    end if;
    return old;
end
$$;
revoke all on function private.lock_requests_before_deletion() from public, anon, authenticated;
