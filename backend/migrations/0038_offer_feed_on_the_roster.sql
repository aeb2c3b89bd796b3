-- A student off their college's roster (profiles.takes_jobs false, 0035) or suspended (is_active false) has no
-- offer open to them. Dispatch reads the roster in its own snapshot, so a request dispatched while a switch-off
-- commits can still offer the student after the switch-off ended their open offers (audit 11); accept_offer
-- refuses such an offer (409 offer_off_roster), and the open feed no longer lists it under the home's "switched
-- off" note. The history (open_only false) lists every offer as before. The roster check is one primary-key read
-- per call, not per offer: it names no column of the offers.
create or replace function public.my_offer_cards(open_only boolean default false, max_rows integer default 200)
returns table (
    offer_id uuid, request_id uuid, offer_status public.offer_status, category_code text, item text,
    province text, district text, distance_km numeric, created_at timestamptz, expires_at timestamptz,
    photo_count integer, description text
)
language sql stable security definer
set search_path = ''
as $$
    select o.id, o.request_id, o.status, o.category_code, o.item, o.province, o.district, o.distance_km,
           o.created_at, o.expires_at, o.photo_count::int, o.description
    from (
        (select o.* from public.offers o
         where open_only and o.technician_id = auth.uid() and o.status = 'pending' and o.expires_at > now()
           and exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active and p.takes_jobs)
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
        union all
        (select o.* from public.offers o
         where not open_only and o.technician_id = auth.uid()
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
    ) o
    order by o.created_at desc
$$;
revoke all on function public.my_offer_cards(boolean, integer) from public, anon;
grant execute on function public.my_offer_cards(boolean, integer) to authenticated, service_role;
