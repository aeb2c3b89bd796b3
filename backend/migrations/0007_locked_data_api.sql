-- Close what a holder of a user token could do around the backend (issue: hardening, Data API).
--
-- Supabase's Data API (PostgREST) runs anyone's requests as `authenticated` with their JWT claims: whatever that
-- role may write, a user can write directly, skipping validation and dispatch. So users write nothing directly:
-- every write runs in the backend as the owner, after the backend's checks. Users keep read access under RLS.

revoke insert on public.repair_requests from authenticated;
drop policy repair_requests_create_own on public.repair_requests;
revoke update on public.profiles from authenticated;
drop policy profiles_update_self on public.profiles;

-- private.college_of(person) told any signed-in user any person's college. Policies run as the caller, so the one
-- policy that used it now asks profiles directly (a supervisor sees their college's profiles through RLS).
drop policy technician_skills_read on public.technician_skills;
create policy technician_skills_read on public.technician_skills for select to authenticated using (
    technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor'
        and exists (select 1 from public.profiles p
                    where p.id = technician_id and p.college_id = (select private.my_college())))
    or (select private.my_role()) = 'admin'
);
revoke execute on function private.college_of(uuid) from authenticated;

-- private.first_name(person) told any signed-in user the first name behind any user id. It now answers only for
-- people the caller has a reason to see: themselves, anyone on a request the caller may see (its technician, or
-- an actor in its timeline), and the caller's college's people for a supervisor; admins and the owner see all.
create or replace function private.first_name(person uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select nullif(split_part(p.display_name, ' ', 1), '')
    from public.profiles p
    where p.id = person
      and (auth.uid() is null
           or person = auth.uid()
           or private.my_role() = 'admin'
           or (private.my_role() = 'supervisor' and p.college_id = private.my_college())
           or exists (select 1 from public.repair_requests r
                      where r.technician_id = person and private.can_see_request(r.id))
           or exists (select 1 from public.status_events e
                      where e.actor_id = person and private.can_see_request(e.request_id)))
$$;

-- Live events are announced by triggers (security definer, as the owner); nobody else needs to NOTIFY. On a
-- real Supabase project `postgres` does not own pg_notify and may be unable to revoke it: then say so and go on
-- (the backend treats a notification only as a hint to re-read under RLS, so a forged one reveals nothing).
do $$
begin
    revoke execute on function pg_catalog.pg_notify(text, text) from public;
    grant execute on function pg_catalog.pg_notify(text, text) to service_role;
exception when insufficient_privilege then
    raise notice 'pg_notify stays executable by public: % (not the owner)', current_user;
end
$$;

-- The teacher's quality-check queue and the college's job list read by (college, status) newest first.
create index repair_requests_college_status_updated on public.repair_requests (college_id, status, updated_at);
drop index public.repair_requests_college;

-- Rate limits shared by every backend copy: one counter per bucket and fixed window.
create table private.rate_counters (
    bucket text not null,
    window_start timestamptz not null,
    hits integer not null default 0,
    primary key (bucket, window_start)
);
alter table private.rate_counters enable row level security;  -- no policy: only the backend's owner role
create index rate_counters_window on private.rate_counters (window_start);
