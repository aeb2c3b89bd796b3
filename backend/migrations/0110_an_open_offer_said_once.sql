-- The final read of session 25: "a pending offer to the caller that has not run out" was written twice, in
-- `private.holds_open_offer_of` (0107: the Data API's policies, by the database's clock) and in the photo route's
-- own query (backend/services/photo_intake.py: by the app's clock, which tests move). One function takes the clock;
-- the policies' function asks it at `now()`, the photo route at the app's time.
create function private.holds_offer_open_at(req uuid, at timestamptz) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.offers o
                   where o.request_id = req and o.technician_id = auth.uid() and o.status = 'pending'
                     and o.expires_at > at)
$$;
revoke all on function private.holds_offer_open_at(uuid, timestamptz) from public, anon;
grant execute on function private.holds_offer_open_at(uuid, timestamptz) to authenticated, service_role;

create or replace function private.holds_open_offer_of(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select private.holds_offer_open_at(req, now())
$$;
