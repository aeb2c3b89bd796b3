-- stranded20: a high-risk job in a student's hands (accepted, diagnosing, repairing) at a college whose last active
-- teacher left (stranded19, migration 0087) waits on the admins: its next hands-on step needs a teacher of the
-- college present, and only an admin's take back (or a teacher who joins) moves it. The clock tells the admins once
-- (`teacher_needed`, backend/notifications/outbox.py `_STRANDED`), but a notification read is gone: the admins'
-- list of jobs waiting on a college with nobody to decide (GET /admin/undecided) did not show it.
--
-- `public.admin_undecided_jobs(presence)`: 0071's list (`private.undecided_jobs()`, its rows, reasons and order
-- unchanged) and such jobs, with why `teacher_needed`. `presence` is shared.credit.presence_categories() (the
-- categories whose hands-on steps need a teacher present: a Python rule, passed in as dispatch and the clock pass
-- it, not copied here). A job is listed while its holder is active (a suspended holder's job is already listed as
-- `no_teacher`, held) and its college has no active teacher, so it leaves the list as soon as a teacher is back or
-- the job moves (taken back, sent on, sent for its check). Found from the colleges with no teacher (one probe of
-- 0071's partial index profiles_college_active_supervisors per college) and their jobs in hand (an index walk of
-- repair_requests_college_status_updated), as 0071's other rows are.
--
-- 0071's argument-less function stays as it was for copies still running it during a rolling upgrade (they list
-- what they listed before). `private.undecided_jobs()` is not changed: the clock's notify_undecided reads it and
-- writes its own kinds of message (a check, a hand back, a suspended holder), none of which fits this job, which
-- the clock's `_STRANDED` tells of.
create function public.admin_undecided_jobs(presence text[])
returns table (
    id uuid, ref_no bigint, category_code text, category_name_th text, category_name_en text, category_icon text,
    item text, status public.request_status, created_at timestamptz, updated_at timestamptz,
    college_id uuid, college_name_th text, college_name_en text, why text, holder_suspended boolean
)
language sql stable security definer
set search_path = ''
as $$
    with listed as (
        select u.request_id, u.why, u.holder_suspended from private.undecided_jobs() u
        union all
        select r.id, 'teacher_needed', false
        from public.colleges c
        join public.repair_requests r on r.college_id = c.id and r.status = any(private.reassignable())
        join public.profiles s on s.id = r.technician_id and s.is_active
        where not private.college_has_teacher(c.id) and r.category_code = any(presence)
    )
    select r.id, r.ref_no, r.category_code, cat.name_th, cat.name_en, cat.icon, r.item, r.status, r.created_at,
           r.updated_at, col.id, col.name_th, col.name_en, u.why, u.holder_suspended
    from listed u
    join public.repair_requests r on r.id = u.request_id
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    where (select private.my_role()) = 'admin'
    order by r.updated_at, r.id
$$;
revoke all on function public.admin_undecided_jobs(text[]) from public, anon;
grant execute on function public.admin_undecided_jobs(text[]) to authenticated, service_role;
