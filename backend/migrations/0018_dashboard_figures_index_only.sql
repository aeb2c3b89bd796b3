-- The supervisor's dashboard counts a college's requests by status and by week. As the caller, RLS tests the read
-- policy on every one of those rows, a heap fetch each, and a college's rows are spread over nearly every page of
-- the table: 12,610 buffers and 73 ms at 200,000 requests (bench/scale.py). As the owner the same counts are
-- index-only scans. The quality-check queue has the same trouble in another form: under RLS `status = ...` may not
-- be an index condition (enum equality is not leakproof, so it runs after the policy), and every row of the college
-- was fetched to find the few waiting ones; the function hands over their ids, which the caller then reads under
-- RLS by primary key. The function lets exactly whom the read policy lets see the whole college (its supervisors,
-- admins) and answers no row to anyone else.
create index repair_requests_college_created_category on public.repair_requests (college_id, created_at)
    include (category_code);
drop index public.repair_requests_college_created;  -- the same keys, without the column the weekly chart reads

create function public.college_figures(college uuid, since timestamptz)
returns table (counts jsonb, weekly jsonb, quality_check uuid[])
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
             group by 1, 2) w),
      (select coalesce(array_agg(r.id order by r.updated_at, r.id), '{}')
       from public.repair_requests r where r.college_id = college and r.status = 'quality_check')
    where (select private.my_role()) = 'admin'
       or ((select private.my_role()) = 'supervisor' and college = (select private.my_college()))
$$;
revoke all on function public.college_figures(uuid, timestamptz) from public, anon;
grant execute on function public.college_figures(uuid, timestamptz) to authenticated, service_role;
