-- The student's job list reads about as many rows as it returns (issue 15).
--
-- As `authenticated` the feed's filter `technician_id = me` sits behind the row-level policy, whose function call
-- the planner cannot see through: it expects one row and sorts all of the student's jobs before the limit. This
-- function filters by the caller (auth.uid(): nobody can ask for another student's jobs, and anon gets nothing)
-- and walks an index newest-first to the limit, like my_offer_cards(). Every row it returns has
-- technician_id = auth.uid(), which private.can_see_request() lets that caller see anyway.
create index repair_requests_technician_updated on public.repair_requests (technician_id, updated_at desc)
    where technician_id is not null;

create function public.my_jobs(max_rows integer default 200)
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
    from (select * from public.repair_requests r
          where r.technician_id = auth.uid()
          order by r.updated_at desc limit least(greatest(max_rows, 0), 500)) r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    order by r.updated_at desc
$$;
revoke all on function public.my_jobs(integer) from public, anon;
grant execute on function public.my_jobs(integer) to authenticated, service_role;
