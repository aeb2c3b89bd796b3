-- The long lists come a page at a time (fix17b1, audit 17b findings 1-4; shared/paging.py).
--
-- A student's job list (GET /technician/jobs) was my_jobs(200): the newest 200, with no way to the rest, so three
-- years of jobs lost the oldest. my_jobs now takes `skip` (the page's start) besides `max_rows`, each branch reading
-- its newest `skip + max_rows` on its index (repair_requests_technician_updated; a helper's few through job_team),
-- and an id breaks a tie of updated_at, so the pages neither repeat nor skip a job. my_jobs_count() is how many the
-- whole list has (the X-Total-Count header), under the same conditions.
--
-- The admin's waiting list (GET /admin/waiting) read every request in no_centre, in one answer, by a scan of the
-- whole table: a partial index on the waiting ones, oldest first, reads a page and counts them without the rest.

drop function public.my_jobs(integer);
create function public.my_jobs(max_rows integer default 200, skip integer default 0)
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
             order by r.updated_at desc, r.id
             limit least(greatest(max_rows, 0), 500) + least(greatest(skip, 0), 100000))
            union all
            (select r.*, true from public.repair_requests r
             where r.id in (select t.request_id from public.job_team t
                            where t.technician_id = auth.uid() and t.role = 'helper' and t.handed_on_at is null)
               and r.technician_id is distinct from auth.uid() and private.helps_on(r.id)
             order by r.updated_at desc, r.id
             limit least(greatest(max_rows, 0), 500) + least(greatest(skip, 0), 100000))
        ) j
        where exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
        order by j.updated_at desc, j.id
        limit least(greatest(max_rows, 0), 500) offset least(greatest(skip, 0), 100000)
    ) r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    order by r.updated_at desc, r.id
$$;
revoke all on function public.my_jobs(integer, integer) from public, anon;
grant execute on function public.my_jobs(integer, integer) to authenticated, service_role;

create function public.my_jobs_count()
returns bigint
language sql stable security definer
set search_path = ''
as $$
    select case when exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active) then
        (select count(*) from public.repair_requests r where r.technician_id = auth.uid())
        + (select count(*) from public.repair_requests r
           where r.id in (select t.request_id from public.job_team t
                          where t.technician_id = auth.uid() and t.role = 'helper' and t.handed_on_at is null)
             and r.technician_id is distinct from auth.uid() and private.helps_on(r.id))
    else 0 end
$$;
revoke all on function public.my_jobs_count() from public, anon;
grant execute on function public.my_jobs_count() to authenticated, service_role;

create index repair_requests_no_centre on public.repair_requests (created_at, id) where status = 'no_centre';
