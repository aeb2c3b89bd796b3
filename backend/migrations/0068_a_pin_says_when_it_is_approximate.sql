-- A request says whether its pin is the house or only an area's middle (known17be).
--
-- The app can pin "the middle of the chosen sub-district" (the geocoder's point for the area, when the person has
-- no GPS and does not aim the map), and the request did not say so: the student who took the job drove to a
-- sub-district's centre believing it was the house. The submit body now says it (`location_approximate`, default
-- false: an exact pin), the request keeps it, and the request's detail and the offer card carry it to the student
-- and the teacher.
--
-- - `repair_requests.location_approximate`: false by default, so every request stored before reads as an exact pin
--   (what the app then sent). The table's `select` grant to `authenticated` (0002) covers it as it covers lat/lon,
--   under the same row policies; nobody but the backend's owner transaction inserts (0007) or updates it.
-- - `offers.location_approximate`: the offer card's copy (0025: every column of a card lives on the offer, filled
--   from its request when the offer is inserted). The flag never changes after the request is stored, so no
--   follow-the-request trigger is needed for it.
-- - A job that is over keeps no finer place (0063): its student reads the point rounded to 0.1 degree. That point
--   is approximate whatever the pin was, so the read says so (`location_approximate` true) rather than erasing the
--   flag to false, which would call a coarsened point the house. Stored, the flag stays: it names nobody.
alter table public.repair_requests add column location_approximate boolean not null default false;
alter table public.offers add column location_approximate boolean not null default false;

create or replace function private.offer_card_fill() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
    req record;
begin
    select r.category_code, r.item, r.province, r.district, r.description, r.location_approximate,
           (select count(*) from public.request_photos p where p.request_id = r.id and p.kind = 'before') as photos
    into req
    from public.repair_requests r where r.id = new.request_id;
    if found then  -- else the foreign key check reports the unknown request
        new.category_code := req.category_code;
        new.item := req.item;
        new.province := req.province;
        new.district := req.district;
        new.description := case when new.status = 'pending' then req.description else '' end;
        new.photo_count := req.photos;
        new.location_approximate := req.location_approximate;
    end if;
    return new;
end
$$;

-- 0040's feed with the card's new column (a new result column: dropped and made again, with 0040's grants).
drop function public.my_offer_cards(boolean, integer);
create function public.my_offer_cards(open_only boolean default false, max_rows integer default 200)
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
revoke all on function public.my_offer_cards(boolean, integer) from public, anon;
grant execute on function public.my_offer_cards(boolean, integer) to authenticated, service_role;

-- 0063's function, with the coarsened place said to be approximate.
create or replace function private.request_as_read(req uuid) returns setof public.repair_requests
language plpgsql stable security definer
set search_path = ''
as $$
declare
    r public.repair_requests;
    me uuid := auth.uid();
    reader public.app_role := private.my_role();
begin
    if reader is null then
        return;
    end if;
    select * into r from public.repair_requests x where x.id = req;
    if not found then
        return;
    end if;
    if r.citizen_id = me or (reader = 'supervisor' and r.college_id = private.my_college()) or reader = 'admin' then
        return next r;
    elsif r.technician_id = me or (reader = 'technician' and private.helps_on(r.id)) then
        if not (r.status = any (private.contact_open())) then
            r.contact_phone := null;
            r.address := '';
            r.sub_district := '';
            r.lat := round(r.lat::numeric, 1)::double precision;
            r.lon := round(r.lon::numeric, 1)::double precision;
            r.location_approximate := true;
        end if;
        return next r;
    end if;
end
$$;
