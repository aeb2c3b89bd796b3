-- A suspended account's token reads nothing (audit 11c).
--
-- A suspended person still signs in (suspended11: to download or delete their data, PDPA), so they hold a token,
-- and Supabase's Data API runs that token as `authenticated` with its claims. The policies that show a person their
-- own rows (their requests, notifications, offers, profile ...) ask only `auth.uid()`; `private.my_role()` is the
-- one that also asks `is_active`. Each table a person reads through a policy now has a RESTRICTIVE policy on top:
-- the caller's account is usable (`private.my_role()` is null for a suspended, deleted or unknown account). It is
-- an initPlan (`(select ...)`): one primary-key read per statement, not per row. The backend reads a suspended
-- person's own data as the owner, for the routes a suspension leaves them (GET /me/export, DELETE /me, sign-in).
-- The reference tables (colleges, skills, categories, category_skills) stay readable, as they are for anon.
do $$
declare
    t text;
begin
    foreach t in array array['profiles', 'technician_skills', 'repair_requests', 'request_photos', 'status_events',
                             'offers', 'job_reports', 'audit_events', 'notifications', 'job_outcomes', 'job_parts',
                             'job_handovers', 'job_team', 'skill_level_history', 'skill_proposals',
                             'college_credit_settings', 'portfolio_codes']
    loop
        execute format('create policy %I on public.%I as restrictive for select to authenticated '
                       'using ((select private.my_role()) is not null)', t || '_usable_account', t);
    end loop;
end
$$;

-- Is the caller's own account suspended? (So a route can answer 403 account_suspended rather than
-- profile_missing once RLS hides the profile.) It tells the caller only about themselves.
create function private.my_account_suspended() returns boolean
language sql stable security definer
set search_path = ''
as $$
    select not p.is_active from public.profiles p where p.id = auth.uid()
$$;
revoke all on function private.my_account_suspended() from public, anon;
grant execute on function private.my_account_suspended() to authenticated, service_role;

-- The security definer feeds skip RLS: each asks for a usable account too (one primary-key read per call).
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
           and exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
    ) o
    order by o.created_at desc
$$;
revoke all on function public.my_offer_cards(boolean, integer) from public, anon;
grant execute on function public.my_offer_cards(boolean, integer) to authenticated, service_role;

create or replace function public.my_jobs(max_rows integer default 200)
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
            and exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
          order by r.updated_at desc limit least(greatest(max_rows, 0), 500)) r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    order by r.updated_at desc
$$;
revoke all on function public.my_jobs(integer) from public, anon;
grant execute on function public.my_jobs(integer) to authenticated, service_role;

-- An account's deletion takes the person's requests before their profile (the lock order, dispatch.py). The
-- cascade from auth.users locks the profile for good before its trigger (private.forget_person, 0012) writes the
-- requests; an accept holds a request and then needs FOR KEY SHARE on the citizen's profile (its notification's
-- foreign key): a deadlock, a 500. A trigger on auth.users runs before that cascade, so every deletion (DELETE /me,
-- the operator's command, Supabase's dashboard or admin API) waits for a request's holder instead.
create function private.lock_requests_before_deletion() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform 1 from public.repair_requests r
    where r.citizen_id = old.id or r.technician_id = old.id
    order by r.id
    for update;
    return old;
end
$$;
revoke all on function private.lock_requests_before_deletion() from public, anon, authenticated;
create trigger on_auth_user_deleting before delete on auth.users
    for each row execute function private.lock_requests_before_deletion();

-- A live-events stream opened before a suspension ends with it: the suspension (or the account's deletion) is
-- announced on `fixit_events`, which every backend copy hears, and each copy ends that person's streams
-- (backend/live.py). Nothing of it goes over the wire.
create function private.announce_account_closed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', json_build_object('kind', 'account_closed', 'user_id', old.id)::text);
    return null;
end
$$;
revoke all on function private.announce_account_closed() from public, anon, authenticated;
create trigger profiles_announce_suspended after update of is_active on public.profiles
    for each row when (old.is_active and not new.is_active) execute function private.announce_account_closed();
create trigger profiles_announce_deleted after delete on public.profiles
    for each row execute function private.announce_account_closed();
