-- Row level security on every table, grants for the Supabase API roles.
-- The backend runs a user's queries as `authenticated` with that user's JWT claims, so these policies hold
-- even where a route forgets a `where`. Supabase's default privileges grant every table to anon and
-- authenticated: we revoke and grant explicitly so a plain Postgres and Supabase behave the same.

-- Helpers: security definer, so a policy can look at profiles/requests without recursing into their policies.
create function private.my_role() returns public.app_role
language sql stable security definer
set search_path = ''
as $$
    select p.role from public.profiles p where p.id = auth.uid() and p.is_active
$$;

create function private.my_college() returns uuid
language sql stable security definer
set search_path = ''
as $$
    select p.college_id from public.profiles p
    where p.id = auth.uid() and p.is_active and p.role in ('technician', 'supervisor')
$$;

create function private.college_of(person uuid) returns uuid
language sql stable security definer
set search_path = ''
as $$
    select p.college_id from public.profiles p where p.id = person
$$;

create function private.can_see_request(req uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1 from public.repair_requests r
        where r.id = req
          and (r.citizen_id = auth.uid()
               or r.technician_id = auth.uid()
               or (private.my_role() = 'supervisor' and r.college_id = private.my_college())
               or private.my_role() = 'admin')
    )
$$;

revoke all on function private.my_role(), private.my_college(), private.college_of(uuid),
    private.can_see_request(uuid) from public;
grant execute on function private.my_role(), private.my_college(), private.college_of(uuid),
    private.can_see_request(uuid) to authenticated, service_role;

-- Grants -----------------------------------------------------------------------------------------------------
revoke all on all tables in schema public from anon, authenticated;
revoke all on all tables in schema private from anon, authenticated, public;
grant all on all tables in schema public to service_role;
grant usage on all sequences in schema public to service_role;

grant select on public.colleges, public.skills, public.categories, public.category_skills to anon, authenticated;
grant select on public.profiles, public.technician_skills, public.repair_requests, public.request_photos,
    public.status_events, public.offers to authenticated;
-- A person may rename themselves and pick a language; role, college and phone change through the backend.
grant update (display_name, locale) on public.profiles to authenticated;
grant insert (citizen_id, idempotency_key, category_code, item, brand, description, lat, lon, address, province,
    district, sub_district, service_place, preferred_days, contact_phone, pdpa_consent_at)
    on public.repair_requests to authenticated;

-- Every table: RLS on ------------------------------------------------------------------------------------------
alter table public.colleges enable row level security;
alter table public.skills enable row level security;
alter table public.categories enable row level security;
alter table public.category_skills enable row level security;
alter table public.profiles enable row level security;
alter table public.technician_skills enable row level security;
alter table public.repair_requests enable row level security;
alter table public.request_photos enable row level security;
alter table public.status_events enable row level security;
alter table public.offers enable row level security;
alter table private.otp_codes enable row level security;  -- no policy: only the backend's owner role reads it

-- Public reference data --------------------------------------------------------------------------------------
create policy colleges_read on public.colleges for select to anon, authenticated using (true);
create policy skills_read on public.skills for select to anon, authenticated using (true);
create policy categories_read on public.categories for select to anon, authenticated using (true);
create policy category_skills_read on public.category_skills for select to anon, authenticated using (true);

-- Profiles: yourself; a supervisor their college's people; an admin everyone ---------------------------------
create policy profiles_read on public.profiles for select to authenticated using (
    id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor' and college_id = (select private.my_college()))
    or (select private.my_role()) = 'admin'
);
create policy profiles_update_self on public.profiles for update to authenticated
    using (id = (select auth.uid()))
    with check (id = (select auth.uid()));

create policy technician_skills_read on public.technician_skills for select to authenticated using (
    technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor'
        and private.college_of(technician_id) = (select private.my_college()))
    or (select private.my_role()) = 'admin'
);

-- Requests: the citizen who asked, the technician on it, the college's supervisors, admins -----------------------
create policy repair_requests_read on public.repair_requests for select to authenticated using (
    citizen_id = (select auth.uid())
    or technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor' and college_id = (select private.my_college()))
    or (select private.my_role()) = 'admin'
);
create policy repair_requests_create_own on public.repair_requests for insert to authenticated with check (
    citizen_id = (select auth.uid()) and status = 'submitted' and college_id is null and technician_id is null
);

create policy request_photos_read on public.request_photos for select to authenticated
    using (private.can_see_request(request_id));
create policy status_events_read on public.status_events for select to authenticated
    using (private.can_see_request(request_id));

-- Offers: the technician offered; the college's supervisors; admins --------------------------------------------
create policy offers_read on public.offers for select to authenticated using (
    technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor' and college_id = (select private.my_college()))
    or (select private.my_role()) = 'admin'
);

-- A technician's offer cards: what a job is and roughly where, never the citizen's phone or exact address
-- before the technician has accepted it.
create function public.my_offer_cards()
returns table (
    offer_id uuid, request_id uuid, offer_status public.offer_status, category_code text, item text,
    province text, district text, distance_km numeric, created_at timestamptz, expires_at timestamptz
)
language sql stable security definer
set search_path = ''
as $$
    select o.id, o.request_id, o.status, r.category_code, r.item, r.province, r.district, o.distance_km,
           o.created_at, o.expires_at
    from public.offers o
    join public.repair_requests r on r.id = o.request_id
    where o.technician_id = auth.uid()
    order by o.created_at desc
$$;
revoke all on function public.my_offer_cards() from public, anon;
grant execute on function public.my_offer_cards() to authenticated, service_role;
