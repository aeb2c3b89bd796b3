-- Deleting a person works from Supabase's side (GoTrue's `delete from auth.users`: dashboard, admin API) and from
-- the app (DELETE /me), and staff can be registered by phone before they ever sign in (issue #11).

-- 1. Deletion. auth.users → profiles cascades; nothing else may block it. What a person leaves behind is kept
-- without them: requests lose their citizen, a student's finished jobs stay (training records) without the student.
alter table public.repair_requests alter column citizen_id drop not null,
    drop constraint repair_requests_citizen_id_fkey,
    add constraint repair_requests_citizen_id_fkey foreign key (citizen_id)
        references public.profiles (id) on delete set null,
    drop constraint repair_requests_technician_id_fkey,
    add constraint repair_requests_technician_id_fkey foreign key (technician_id)
        references public.profiles (id) on delete set null,
    alter column contact_phone drop not null;
alter table public.status_events drop constraint status_events_actor_id_fkey,
    add constraint status_events_actor_id_fkey foreign key (actor_id) references public.profiles (id) on delete set null;
alter table public.request_photos drop constraint request_photos_uploaded_by_fkey,
    add constraint request_photos_uploaded_by_fkey foreign key (uploaded_by)
        references public.profiles (id) on delete set null;
alter table public.job_reports alter column technician_id drop not null,
    drop constraint job_reports_technician_id_fkey,
    add constraint job_reports_technician_id_fkey foreign key (technician_id)
        references public.profiles (id) on delete set null;

-- Before a profile goes: its open requests are cancelled (pending offers withdrawn), and every request it made is
-- anonymised — no phone, address or sub-district, the place coarsened to 0.1° (~11 km), the description and rating
-- comment erased, its photos deleted (their objects queued in private.photo_uploads for the sweep), its notes in
-- the timeline erased. Category, item, status, college, the student's report and hours stay.
create function private.forget_person() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    request_count int;
begin
    perform set_config('fixit.note', 'account deleted', true);
    update public.offers o set status = 'withdrawn', responded_at = now()
    from public.repair_requests r
    where o.request_id = r.id and r.citizen_id = old.id and o.status = 'pending';
    update public.repair_requests set status = 'cancelled'
    where citizen_id = old.id and status not in ('done', 'handed_back', 'cancelled', 'unrepairable');

    insert into private.photo_uploads (path, request_id)
    select p.path, ph.request_id
    from public.request_photos ph
    join public.repair_requests r on r.id = ph.request_id and r.citizen_id = old.id
    cross join lateral (values (ph.storage_path), (ph.thumb_path)) as p (path)
    on conflict (path) do nothing;
    delete from public.request_photos ph using public.repair_requests r
    where r.id = ph.request_id and r.citizen_id = old.id;

    update public.repair_requests set
        contact_phone = null, address = '', sub_district = '',
        lat = round(lat::numeric, 1)::double precision, lon = round(lon::numeric, 1)::double precision,
        description = '-', rating_comment = null
    where citizen_id = old.id;
    get diagnostics request_count = row_count;
    update public.status_events set note = '' where actor_id = old.id;
    delete from private.otp_codes where phone = old.phone;

    perform private.audit('account.delete', 'profiles', old.id,
                          jsonb_build_object('role', old.role, 'college_id', old.college_id,
                                             'requests_anonymised', request_count), null);
    return old;
end
$$;
create trigger profiles_forget before delete on public.profiles
    for each row execute function private.forget_person();

-- 2. Staff registered by phone. A supervisor adds a student, an admin a supervisor or another admin, before that
-- person ever signs in: the invite waits here, and the first sign-in with that phone (Supabase Auth or the local
-- issuer creating the auth user) lands in that role at that college. Someone who already has an account is
-- changed directly instead (by the backend).
create table private.staff_invites (
    phone text primary key check (phone ~ '^\+66[0-9]{8,9}$'),
    role public.app_role not null check (role <> 'citizen'),
    college_id uuid references public.colleges (id) on delete cascade,
    display_name text not null default '' check (length(display_name) <= 80),
    skills jsonb not null default '{}'::jsonb check (jsonb_typeof(skills) = 'object'),
    invited_by uuid,
    created_at timestamptz not null default now(),
    check (role = 'admin' or college_id is not null)
);
alter table private.staff_invites enable row level security;
revoke all on private.staff_invites from public, anon, authenticated;

create or replace function private.create_profile_for_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    e164 text := case when new.phone is null or new.phone = '' then null
                      when new.phone like '+%' then new.phone
                      else '+' || new.phone end;
    invite private.staff_invites%rowtype;
begin
    if e164 !~ '^\+66[0-9]{8,9}$' then
        e164 := null;  -- a foreign number still signs in; it is just not kept as a Thai contact number
    end if;
    insert into public.profiles (id, phone, display_name)
    values (new.id, e164, left(coalesce(new.raw_user_meta_data ->> 'display_name', ''), 80))
    on conflict (id) do nothing;
    select * into invite from private.staff_invites where phone = e164;
    if found then
        update public.profiles set role = invite.role, college_id = invite.college_id,
                                   display_name = coalesce(nullif(invite.display_name, ''), display_name)
        where id = new.id;
        insert into public.technician_skills (technician_id, skill_code, level)
        select new.id, s.key, s.value::smallint from jsonb_each_text(invite.skills) as s
        on conflict (technician_id, skill_code) do update set level = excluded.level;
        delete from private.staff_invites where phone = e164;
    end if;
    return new;
end
$$;

-- A GoTrue-shaped phone user with a given id (the seed's fixed demo ids, tests).
create function private.create_phone_user(user_id uuid, user_phone text, confirmed boolean,
                                          display_name text default '')
returns uuid
language sql
set search_path = ''
as $$
    insert into auth.users (
        instance_id, id, aud, role, phone, phone_confirmed_at, last_sign_in_at,
        raw_app_meta_data, raw_user_meta_data, encrypted_password,
        confirmation_token, recovery_token, email_change_token_new, email_change,
        phone_change, phone_change_token, email_change_token_current, reauthentication_token,
        email_change_confirm_status, is_sso_user, is_anonymous, created_at, updated_at)
    values (
        '00000000-0000-0000-0000-000000000000', user_id, 'authenticated', 'authenticated', user_phone,
        case when confirmed then now() end, null,
        '{"provider": "phone", "providers": ["phone"]}',
        case when display_name = '' then '{}'::jsonb else jsonb_build_object('display_name', display_name) end,
        '', '', '', '', '', '', '', '', '', 0, false, false, now(), now())
    on conflict (id) do update set updated_at = now()
    returning id
$$;
revoke all on function private.create_phone_user(uuid, text, boolean, text) from public, anon, authenticated;
