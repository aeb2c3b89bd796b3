-- The offers feed reads each card from the offer row alone (issue 15: feeds that grow no faster than what they
-- return).
--
-- A card showed the request's category, item, province, district, before-photo count and the citizen's
-- description, read per offer through the primary key of repair_requests (and the photos' unique index and, in the
-- route, the primary key again for the description as the owner). Those indexes grow with every request ever made:
-- between 20,000 and 200,000 requests the primary key gained a level and the feed's buffers grew 1.30× for the
-- same 200 cards. The card's request fields now live on the offer, kept equal to the request by triggers, so the
-- feed is one walk of the pending-offers index plus one heap page per card, however long the history.
--
-- What keeps the copy right:
-- - an offer is filled from its request when it is inserted (dispatch writes no extra column);
-- - a change to one of those request columns (only account deletion changes any today) is copied to its offers;
-- - a before photo added or removed recounts its request's offers. That trigger first takes the request row
--   FOR KEY SHARE, the lock its foreign key check takes anyway: an offer is only inserted while its request is
--   locked FOR UPDATE (dispatch, reassignment), which conflicts with it, so whichever of the two commits second
--   counts the other's rows, and the request-then-offers lock order of every other path is kept.
-- - The description is the citizen's words, which a student may read only while their offer is pending
--   (private.can_see_request): an offer carries it only while pending, and `select` on offers stays granted to
--   `authenticated` (the Data API) without showing more than the request row would.
alter table public.offers
    add column category_code text not null default '',
    add column item text not null default '',
    add column province text not null default '',
    add column district text not null default '',
    add column description text not null default '',
    add column photo_count smallint not null default 0 check (photo_count >= 0);

update public.offers o set
    category_code = r.category_code, item = r.item, province = r.province, district = r.district,
    description = case when o.status = 'pending' then r.description else '' end,
    photo_count = (select count(*) from public.request_photos p where p.request_id = r.id and p.kind = 'before')
from public.repair_requests r
where r.id = o.request_id;

create function private.offer_card_fill() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
    req record;
begin
    select r.category_code, r.item, r.province, r.district, r.description,
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
    end if;
    return new;
end
$$;
create trigger offers_card_fill before insert on public.offers
    for each row execute function private.offer_card_fill();

-- The description follows the status: given back if an offer becomes pending again, dropped when it stops being.
create function private.offer_card_status() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
    if new.status = 'pending' then
        new.description := coalesce((select r.description from public.repair_requests r where r.id = new.request_id),
                                    '');
    else
        new.description := '';
    end if;
    return new;
end
$$;
create trigger offers_card_status before update of status on public.offers
    for each row when (old.status is distinct from new.status) execute function private.offer_card_status();

create function private.offer_card_follow_request() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
    update public.offers o set
        category_code = new.category_code, item = new.item, province = new.province, district = new.district,
        description = case when o.status = 'pending' then new.description else '' end
    where o.request_id = new.id;
    return null;
end
$$;
create trigger repair_requests_offer_cards after update of category_code, item, province, district, description
    on public.repair_requests
    for each row
    when ((old.category_code, old.item, old.province, old.district, old.description)
          is distinct from (new.category_code, new.item, new.province, new.district, new.description))
    execute function private.offer_card_follow_request();

create function private.offer_card_photos() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
    photo public.request_photos := case when tg_op = 'DELETE' then old else new end;
begin
    if photo.kind = 'before' then
        perform 1 from public.repair_requests r where r.id = photo.request_id for key share;
        update public.offers o set photo_count = (
            select count(*) from public.request_photos p where p.request_id = photo.request_id and p.kind = 'before')
        where o.request_id = photo.request_id;
    end if;
    return null;
end
$$;
create trigger request_photos_offer_cards after insert or delete on public.request_photos
    for each row execute function private.offer_card_photos();

revoke all on function private.offer_card_fill(), private.offer_card_status(), private.offer_card_follow_request(),
    private.offer_card_photos() from public, anon, authenticated;

-- The same two branches as 0011 (each gated by the argument, each walking its own index newest first), with no
-- join: every column of a card is on the offer.
drop function public.my_offer_cards(boolean, integer);
create function public.my_offer_cards(open_only boolean default false, max_rows integer default 200)
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
