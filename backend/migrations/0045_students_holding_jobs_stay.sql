-- A student holding a job is not deleted by any path.
--
-- DELETE /me and the operator's delete-person refuse a student who holds a job in hand (409 account_has_jobs /
-- person_has_jobs), but a `delete from auth.users` from anywhere else (Supabase's dashboard, its admin API, SQL) went
-- through: the job kept its status with technician_id set null by the foreign key, nobody on it and nobody told. The
-- trigger on auth.users deletion (private.lock_requests_before_deletion, 0040) now refuses it, with the message the
-- dashboard shows its operator (shared/text.py `deletion_refused_jobs_in_hand`, restated here; a test checks they
-- agree). The jobs are counted once, by `private.jobs_in_hand`, for the service paths' 409 (staff.jobs_in_hand) and
-- for this refusal alike; the statuses of a job in hand are `private.work_in_hand()`, which a test checks against
-- shared.statuses.WORK_IN_HAND.

-- shared.statuses.WORK_IN_HAND (tests/integration/test_deletion_backstop.py keeps the two equal).
create function private.work_in_hand() returns public.request_status[]
language sql immutable parallel safe
set search_path = ''
as $$
    select array['accepted', 'diagnosing', 'repairing', 'quality_check']::public.request_status[]
$$;
revoke all on function private.work_in_hand() from public, anon, authenticated;

-- Jobs in hand the person leads or helps on (this round's team: 1 + the job's reopens, backend/services/credit.py
-- ROUND_SQL). Their requests by index (repair_requests_technician, job_team_technician), not every job in hand.
create function private.jobs_in_hand(person uuid) returns integer
language sql stable
set search_path = ''
as $$
    select count(*)::int from public.repair_requests r
    where r.status = any(private.work_in_hand())
      and r.id in (select x.id from public.repair_requests x where x.technician_id = person
                   union all
                   select t.request_id from public.job_team t
                   where t.technician_id = person
                     and t.round = (select 1 + count(*)::int from public.status_events e
                                    where e.request_id = t.request_id and e.from_status = 'handed_back'
                                      and e.to_status = 'submitted'))
$$;
revoke all on function private.jobs_in_hand(uuid) from public, anon, authenticated;

-- The lock order of backend/services/dispatch.py: the person's profile first (FOR NO KEY UPDATE, as account.delete
-- takes it: an accept, an assign or a helper added holds it FOR SHARE until commit, so one under way is counted and
-- one after waits and then finds the account gone; the foreign-key checks' FOR KEY SHARE of rows naming the person
-- do not wait for it), then their requests (0040), then the count, read under those locks.
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
                             'job(s). Their college''s teacher reassigns them first, then delete the account. Nothing '
                             'was deleted', held, held);
    end if;
    return old;
end
$$;
revoke all on function private.lock_requests_before_deletion() from public, anon, authenticated;

-- (No index for the clock's other new look, the offers a dispatch that raced a college's close left waiting there
-- (staff.end_offers_at_closed_colleges): it reads the closed colleges, a few rows of a small table, and each one's
-- waiting offers through 0042's offers_college_pending.)
