-- audit18d: an English count of one reads singular.
--
-- The database's refusal to delete a student who holds a job (0045, private.lock_requests_before_deletion, the
-- message Supabase's dashboard shows its operator) said "the student holds 1 job(s)". shared/text.py
-- `deletion_refused_jobs_in_hand` now words its English count with the catalog's plural rule ("1 job", "2 jobs";
-- "reassigns it" / "them"); this restates it, and tests/integration/test_deletion_backstop.py checks the two agree.
-- Only the message changes: the locks (lock order of backend/services/dispatch.py: the person's profile, then their
-- requests, then the count) and the count (private.jobs_in_hand) are 0045's.
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
    where r.citizen_id = old.id or r.technician_id = old.id
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
