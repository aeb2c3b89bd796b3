-- college27 #2: the student's open offers (`my_offer_cards(true, ..)`, the app's offers feed, GET /technician/offers)
-- asked the roster (an active student taking jobs) and the offer (pending, not run out), not the offer's college:
-- a student moved to another college outside the app (the SQL editor, Supabase's dashboard), or past a dispatch that
-- read their college just before the app's move committed, kept the old college's offer listed until the clock's
-- turn (`end_offers_moved_away`), and its accept answered 409. The list now asks the rule the accept and the
-- photos ask (`private.holds_offer_open_at`, 0115: pending, not run out, at the student's college), one definition;
-- the index conditions stay beside it so the list is still read from the student's own offers.
create or replace function public.my_offer_cards(open_only boolean default false, max_rows integer default 200)
returns table (
    offer_id uuid, request_id uuid, offer_status public.offer_status, category_code text, item text,
    province text, district text, distance_km numeric, created_at timestamptz, expires_at timestamptz,
    photo_count integer, description text, location_approximate boolean
)
language sql stable security definer
set search_path = ''
as $$
    select o.id, o.request_id, o.status, o.category_code, o.item, o.province, o.district, o.distance_km,
           o.created_at, o.expires_at, o.photo_count::int, o.description, o.location_approximate
    from (
        (select o.* from public.offers o
         where open_only and o.technician_id = auth.uid() and o.status = 'pending' and o.expires_at > now()
           and private.holds_offer_open_at(o.request_id, now())
           and exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active and p.takes_jobs)
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
        union all
        (select o.* from public.offers o
         where not open_only and o.technician_id = auth.uid()
           and exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
    ) o
    order by o.created_at desc
$$;
