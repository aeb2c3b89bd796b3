-- A student deciding on an offer may look at the citizen's photos and the timeline (not the phone or the exact
-- address, which stay on the request row they cannot read until they accept).

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
               or private.my_role() = 'admin')
    )
$$;

drop function public.my_offer_cards();
create function public.my_offer_cards()
returns table (
    offer_id uuid, request_id uuid, offer_status public.offer_status, category_code text, item text,
    province text, district text, distance_km numeric, created_at timestamptz, expires_at timestamptz,
    photo_count integer
)
language sql stable security definer
set search_path = ''
as $$
    select o.id, o.request_id, o.status, r.category_code, r.item, r.province, r.district, o.distance_km,
           o.created_at, o.expires_at,
           (select count(*)::int from public.request_photos p where p.request_id = r.id and p.kind = 'before')
    from public.offers o
    join public.repair_requests r on r.id = o.request_id
    where o.technician_id = auth.uid()
    order by o.created_at desc
$$;
revoke all on function public.my_offer_cards() from public, anon;
grant execute on function public.my_offer_cards() to authenticated, service_role;
