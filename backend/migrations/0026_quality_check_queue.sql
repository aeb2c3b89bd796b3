-- The teacher's quality-check queue in one index walk (issue 15: each feed grows no faster than what it returns).
--
-- The dashboard took the queue's ids from public.college_figures() and read each job as the caller by primary key:
-- one descent of repair_requests_pkey per waiting job, which gains a level as the table grows (20,000 → 200,000
-- requests: 76 → 156 buffers for the same 40 jobs). Read as the caller with `college_id = … and status = …`
-- instead, the status test stays behind the row-level policy (enum equality is not leakproof) and PostgreSQL
-- fetched every row of the college to filter it (5,213 buffers). As the owner, gated like college_figures()
-- (an admin, or a supervisor of that college: nothing else), it is one walk of
-- repair_requests_college_status_updated over the waiting jobs, oldest change first, with no limit that could
-- hide one (correctness item 2).

-- Who may read a whole college as the owner through the functions below and in 0027: an admin, or a supervisor of
-- that college (whom the read policy lets see every request of it). Callers wrap it in a scalar subquery, so it is
-- worked out once per statement.
create function private.sees_whole_college(college uuid) returns boolean
language sql stable
set search_path = ''
as $$
    select (select private.my_role()) = 'admin'
        or ((select private.my_role()) = 'supervisor' and college = (select private.my_college()))
$$;
revoke all on function private.sees_whole_college(uuid) from public, anon, authenticated;

create function public.college_quality_check_queue(college uuid)
returns table (
    id uuid, ref_no bigint, category_code text, category_name_th text, category_name_en text, category_icon text,
    item text, status public.request_status, created_at timestamptz, updated_at timestamptz,
    college_name_th text, college_name_en text
)
language sql stable security definer
set search_path = ''
as $$
    select r.id, r.ref_no, r.category_code, cat.name_th, cat.name_en, cat.icon, r.item, r.status, r.created_at,
           r.updated_at, col.name_th, col.name_en
    from public.repair_requests r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    where r.college_id = college and r.status = 'quality_check' and (select private.sees_whole_college(college))
    order by r.updated_at, r.id
$$;
revoke all on function public.college_quality_check_queue(uuid) from public, anon;
grant execute on function public.college_quality_check_queue(uuid) to authenticated, service_role;
