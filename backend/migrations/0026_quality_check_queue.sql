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
    where r.college_id = college and r.status = 'quality_check'
      and ((select private.my_role()) = 'admin'
           or ((select private.my_role()) = 'supervisor' and college = (select private.my_college())))
    order by r.updated_at, r.id
$$;
revoke all on function public.college_quality_check_queue(uuid) from public, anon;
grant execute on function public.college_quality_check_queue(uuid) to authenticated, service_role;

-- The figures no longer hand over the queue's ids (nothing reads them now; they cost a heap page per waiting job).
drop function public.college_figures(uuid, timestamptz);
create function public.college_figures(college uuid, since timestamptz)
returns table (counts jsonb, weekly jsonb)
language sql stable security definer
set search_path = ''
as $$
    select
      (select coalesce(jsonb_object_agg(c.status, c.n), '{}'::jsonb)
       from (select r.status, count(*)::int as n from public.repair_requests r
             where r.college_id = college group by r.status) c),
      (select coalesce(jsonb_agg(w order by w.week_start, w.category_code), '[]'::jsonb)
       from (select date_trunc('week', r.created_at)::date as week_start, r.category_code, count(*)::int as n
             from public.repair_requests r
             where r.college_id = college and r.created_at >= since
             group by 1, 2) w)
    where (select private.my_role()) = 'admin'
       or ((select private.my_role()) = 'supervisor' and college = (select private.my_college()))
$$;
revoke all on function public.college_figures(uuid, timestamptz) from public, anon;
grant execute on function public.college_figures(uuid, timestamptz) to authenticated, service_role;
