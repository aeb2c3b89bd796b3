-- A student the lead adds to a job's team reads the job they help on (open item of session 14).
--
-- Row-level security let only the job's lead (`technician_id`) read it, so a helper's GET /requests/{id} was a 404
-- and their jobs list did not have it. A helper on the job's current round who has not been handed off
-- (`job_team.handed_on_at`, 0048: a former lead kept on the team for their hours holds nothing) now reads what the
-- lead reads: the request's row (the citizen's contact the lead is given, no more: never the citizen's profile),
-- its timeline, photos, report, parts, handover and team. They write nothing: every write goes through the backend,
-- which lets only the lead act (its rules ask `technician_id`, never who may read). A helper taken off the team,
-- handed off, or left on an ended round (the owner reopened the job) reads it no more.

-- Is the caller a helper on the request's current round, not handed off? Security definer: it reads job_team and
-- the timeline as the owner, so a policy may call it without recursing into their policies.
create function private.helps_on(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1 from public.job_team t
        where t.request_id = req and t.technician_id = auth.uid() and t.role = 'helper' and t.handed_on_at is null
          and t.round = (select 1 + count(*)::int from public.status_events e
                         where e.request_id = req and e.from_status = 'handed_back' and e.to_status = 'submitted'))
$$;
revoke all on function private.helps_on(uuid) from public, anon;
grant execute on function private.helps_on(uuid) to authenticated, service_role;

-- Everything a policy shows "whoever may see the request" (photos, timeline, report, parts, handover, team, the
-- first names on it) follows from this one function. The helper's clause comes last (the others decide most rows),
-- and asks only a student: a helper is one (credit.add_member takes them from the college's roster).
create or replace function private.can_see_request(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1 from public.repair_requests r
        where r.id = req
          and (r.citizen_id = auth.uid()
               or r.technician_id = auth.uid()
               or exists (select 1 from public.offers o
                          where o.request_id = r.id and o.technician_id = auth.uid() and o.status = 'pending')
               or (private.my_role() = 'supervisor' and r.college_id = private.my_college())
               or private.my_role() = 'admin'
               or (private.my_role() = 'technician' and private.helps_on(r.id)))
    )
$$;

-- The request's own row: the same people, and the helper (last, after the clauses that decide most rows; the role,
-- read once per statement, spares everyone but students the per-row look at the team).
drop policy repair_requests_read on public.repair_requests;
create policy repair_requests_read on public.repair_requests for select to authenticated using (
    citizen_id = (select auth.uid())
    or technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor' and college_id = (select private.my_college()))
    or (select private.my_role()) = 'admin'
    or ((select private.my_role()) = 'technician' and private.helps_on(id))
);

-- The student's jobs list: the jobs they lead and those they help on (`helping`), newest change first, each part
-- walked newest-first to the limit (0019). A job they lead is never also listed as helped on.
drop function public.my_jobs(integer);
create function public.my_jobs(max_rows integer default 200)
returns table (
    id uuid, ref_no bigint, category_code text, category_name_th text, category_name_en text, category_icon text,
    item text, status public.request_status, created_at timestamptz, updated_at timestamptz,
    college_name_th text, college_name_en text, helping boolean
)
language sql stable security definer
set search_path = ''
as $$
    select r.id, r.ref_no, r.category_code, cat.name_th, cat.name_en, cat.icon, r.item, r.status, r.created_at,
           r.updated_at, col.name_th, col.name_en, r.helping
    from (
        select * from (
            (select r.*, false as helping from public.repair_requests r
             where r.technician_id = auth.uid()
             order by r.updated_at desc limit least(greatest(max_rows, 0), 500))
            union all
            (select r.*, true from public.repair_requests r
             where r.id in (select t.request_id from public.job_team t
                            where t.technician_id = auth.uid() and t.role = 'helper' and t.handed_on_at is null)
               and r.technician_id is distinct from auth.uid() and private.helps_on(r.id)
             order by r.updated_at desc limit least(greatest(max_rows, 0), 500))
        ) j
        where exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
        order by j.updated_at desc limit least(greatest(max_rows, 0), 500)
    ) r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    order by r.updated_at desc
$$;
revoke all on function public.my_jobs(integer) from public, anon;
grant execute on function public.my_jobs(integer) to authenticated, service_role;
