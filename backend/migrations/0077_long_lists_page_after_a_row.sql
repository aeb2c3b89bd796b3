-- The long lists' next page comes after the last row shown (paging18, shared/paging.py): with `offset` a job that
-- left the list meanwhile (finished, handed on) moved every later row up one, and the first of them was never shown.
--
-- my_jobs_after(max_rows, after_at, after_id) is my_jobs (0069) from a cursor in place of `skip`: the jobs whose
-- (updated_at desc, id) place is after (after_at, after_id), each branch walking its index from there
-- (repair_requests_technician_updated: a range on updated_at, not the rows before it), so every page reads about as
-- many rows as it returns however deep it is. No cursor (null): the list's first page. my_jobs stays for an older
-- app's `offset`.

create function public.my_jobs_after(max_rows integer, after_at timestamptz default null, after_id uuid default null)
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
               and r.updated_at <= coalesce(after_at, 'infinity')
               and (r.updated_at < coalesce(after_at, 'infinity') or r.id > after_id)
             order by r.updated_at desc, r.id
             limit least(greatest(max_rows, 0), 501))
            union all
            (select r.*, true from public.repair_requests r
             where r.id in (select t.request_id from public.job_team t
                            where t.technician_id = auth.uid() and t.role = 'helper' and t.handed_on_at is null)
               and r.technician_id is distinct from auth.uid() and private.helps_on(r.id)
               and r.updated_at <= coalesce(after_at, 'infinity')
               and (r.updated_at < coalesce(after_at, 'infinity') or r.id > after_id)
             order by r.updated_at desc, r.id
             limit least(greatest(max_rows, 0), 501))
        ) j
        where exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
        order by j.updated_at desc, j.id
        limit least(greatest(max_rows, 0), 501)
    ) r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    order by r.updated_at desc, r.id
$$;
revoke all on function public.my_jobs_after(integer, timestamptz, uuid) from public, anon;
grant execute on function public.my_jobs_after(integer, timestamptz, uuid) to authenticated, service_role;
