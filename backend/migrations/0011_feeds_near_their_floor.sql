-- Feeds that read about as many rows as they return (issue: correct and fast under load).
--
-- The offers feed used to join and sort a student's whole offer history before the caller's `limit`: the filter
-- and the limit now run inside the function, on an index that hands over the newest offers first.
create index offers_technician_created on public.offers (technician_id, created_at desc);
create index offers_technician_pending on public.offers (technician_id, created_at desc) where status = 'pending';

-- Two branches, each gated by the argument (a one-time filter) and each walking its own index newest first.
drop function public.my_offer_cards();
create function public.my_offer_cards(open_only boolean default false, max_rows integer default 200)
returns table (
    offer_id uuid, request_id uuid, offer_status public.offer_status, category_code text, item text,
    province text, district text, distance_km numeric, created_at timestamptz, expires_at timestamptz,
    photo_count integer
)
language sql stable security definer
set search_path = ''
as $$
    with mine as (
        (select o.* from public.offers o
         where open_only and o.technician_id = auth.uid() and o.status = 'pending' and o.expires_at > now()
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
        union all
        (select o.* from public.offers o
         where not open_only and o.technician_id = auth.uid()
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
    )
    select o.id, o.request_id, o.status, r.category_code, r.item, r.province, r.district, o.distance_km,
           o.created_at, o.expires_at,
           (select count(*)::int from public.request_photos p where p.request_id = r.id and p.kind = 'before')
    from mine o
    join public.repair_requests r on r.id = o.request_id
    order by o.created_at desc
$$;
revoke all on function public.my_offer_cards(boolean, integer) from public, anon;
grant execute on function public.my_offer_cards(boolean, integer) to authenticated, service_role;

-- The weekly chart reads one college's recent requests by creation time.
create index repair_requests_college_created on public.repair_requests (college_id, created_at);

-- Dispatch ranks a college's students by skill, jobs in hand and rating: covering indexes let each of those reads
-- be an index-only scan instead of one heap page per student.
create index profiles_college_active_technicians on public.profiles (college_id) include (id)
    where role = 'technician' and is_active;
create index technician_skills_covering on public.technician_skills (technician_id) include (skill_code, level);
create index repair_requests_technician_load on public.repair_requests (technician_id) include (status, rating)
    where technician_id is not null;
drop index public.repair_requests_technician;
